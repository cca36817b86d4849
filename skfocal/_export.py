"""Make a focal LightGBM booster record itself as LightGBM's own binary or multiclass model.

LightGBM writes no ``objective=`` line for a model trained with a callable objective (and
``[objective: custom]`` in its parameter block). Readers of the model then see raw margins:
``lightgbm.Booster(model_file=...).predict`` returns them, treelite reads them (and refuses more
than two classes) and onnxmltools refuses the model. Once the start score is folded into the
leaves, the margins of a focal model are those of a standard model whose link is the sigmoid
(``binary sigmoid:1``) or the softmax (``multiclass num_class:K``), so recording that objective
makes every reader return ``predict_proba`` of the estimator with ``posterior_correction=False``.

The parameter block's ``[objective: custom]`` becomes ``[objective: binary]`` (``multiclass``)
too, and so does the in-memory booster's ``params["objective"]`` (``"none"`` after training
with a callable): readers such as onnxmltools take the objective from there. The in-memory
booster still refuses ``Booster.refit`` (LightGBM remembers that it trained without an
objective); a model loaded from a file is LightGBM's own model, whose ``refit`` re-estimates
the leaves with LightGBM's log loss, not the focal loss.

The start score is folded into the leaves after training (``skfocal._lgbm``), then
:func:`record_lgbm_objective` reloads the booster once from a string with the objective written
in (about 5 ms for 100 trees of 31 leaves).
"""

from __future__ import annotations

import re

__all__ = ["record_lgbm_objective", "standard_objective_model_string"]

_HEADER_END = re.compile(r"^max_feature_idx=\d+$", re.MULTILINE)
_OBJECTIVE_LINE = re.compile(r"^objective=", re.MULTILINE)
_CUSTOM_PARAMETER = "\n[objective: custom]\n"


def standard_objective_model_string(model_str: str, n_models_per_iteration: int) -> str:
    """The model string with the objective line of LightGBM's binary or multiclass model.

    ``n_models_per_iteration`` is 1 for two classes (``objective=binary sigmoid:1``), else the
    number of classes (``objective=multiclass num_class:K``); the parameter block's
    ``[objective: custom]`` names the same objective. A string that already has an objective
    line (a model trained with a built-in objective) is returned unchanged.
    """
    if _OBJECTIVE_LINE.search(model_str.split("\nTree=", 1)[0]):
        return model_str
    name = _objective_name(n_models_per_iteration)
    objective = "binary sigmoid:1" if name == "binary" else f"multiclass num_class:{n_models_per_iteration}"
    patched, found = _HEADER_END.subn(lambda m: f"{m.group(0)}\nobjective={objective}", model_str, count=1)
    if not found:
        raise ValueError("Not a LightGBM model string: it has no max_feature_idx= line.")
    return patched.replace(_CUSTOM_PARAMETER, f"\n[objective: {name}]\n", 1)


def _objective_name(n_models_per_iteration: int) -> str:
    return "binary" if n_models_per_iteration == 1 else "multiclass"


def record_lgbm_objective(booster) -> None:
    """Reload ``booster`` in place from its model string with the standard objective recorded.

    The Python object stays the same (its ``best_iteration``, ``best_score`` and other
    ``params`` are kept); only the native model behind it is replaced, with all iterations and
    the same trees, and ``params["objective"]`` names the standard objective.
    """
    model_str = booster.model_to_string(num_iteration=-1)
    n_models = booster.num_model_per_iteration()
    patched = standard_objective_model_string(model_str, n_models)
    if patched is not model_str:
        booster.model_from_string(patched)
    if booster.params.get("objective") in ("none", "custom", None) or callable(booster.params.get("objective")):
        booster.params["objective"] = _objective_name(n_models)
