"""The one place that touches the boosters', scikit-learn's and the converters' private internals.

Everything the package needs beyond their public APIs is named here, each with the releases it
was checked on and what happens without it, so that a new release is one file to check. Checked
on the releases CI tests (the lowest that ``pyproject.toml`` declares and the newest).

- ``lightgbm.basic._ConfigAliases``: LightGBM's own table of parameter aliases (LightGBM 4.0
  to 4.7);
- ``lightgbm.compat._LGBMCpuCount``: the physical cores, LightGBM's default for ``n_jobs=None``
  (4.0 to 4.7);
- ``LGBMModel._process_params``: the hook from estimator parameters to booster parameters
  (overridden in ``_lgbm``), and the attributes ``_objective``, ``_class_weight`` and
  ``_other_params`` that ``LGBMModel.fit`` reads (:func:`use_lgbm_objective`,
  :data:`LGBM_FIT_ATTRIBUTES`, :data:`LGBM_OTHER_PARAMS`); the parent puts its own proxy of the
  objective in ``params["objective"]`` exactly when ``_objective`` is callable (4.0 to 4.7);
- ``XGBModel._wrapper_params``: the parameters XGBoost keeps out of the booster (overridden in
  ``_xgb``), and ``XGBModel._Booster``, where the parent keeps its booster
  (:func:`set_xgb_booster`; XGBoost 2.1 to 3.4);
- ``sklearn.utils._openmp_helpers._openmp_effective_n_threads``: the number of OpenMP threads
  the process may use (it honours ``OMP_NUM_THREADS``, which joblib's workers set); without
  it, the CPU count;
- ``sklearn.utils.validation._num_samples`` and ``_check_sample_weight`` (scikit-learn 1.6 to
  1.9);
- skl2onnx's ``_parse_sklearn_classifier`` and onnxmltools' LightGBM and XGBoost tree
  converters (:func:`onnx_converters`, for ``skfocal.onnx`` only; skl2onnx 1.18 to 1.20,
  onnxmltools 1.16 to 1.16).
"""

from __future__ import annotations

import contextlib

from lightgbm.basic import _ConfigAliases
from lightgbm.compat import _LGBMCpuCount
from sklearn.utils.validation import _check_sample_weight, _num_samples

try:
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
except ImportError:  # pragma: no cover - a scikit-learn without the helper
    _openmp_effective_n_threads = None

__all__ = [
    "LGBM_FIT_ATTRIBUTES",
    "LGBM_OTHER_PARAMS",
    "check_sample_weight",
    "copy_lgbm_fitted",
    "lightgbm_aliases",
    "lightgbm_default_threads",
    "num_samples",
    "onnx_converters",
    "openmp_threads",
    "parent_sees",
    "set_xgb_booster",
    "use_lgbm_objective",
]

#: ``LGBMClassifier.fit`` applies ``class_weight`` (and its encoded copy ``_class_weight``) as
#: row weights; the focal fit has them in its loss already, so the parent sees none.
LGBM_FIT_ATTRIBUTES = {"class_weight": None, "_class_weight": None}
#: Where ``LGBMModel`` keeps the parameters it does not know (``lightgbm.dask`` the client too).
LGBM_OTHER_PARAMS = "_other_params"

num_samples = _num_samples
check_sample_weight = _check_sample_weight


def use_lgbm_objective(estimator, objective) -> None:
    """Make ``LGBMModel._process_params`` build the booster's parameters around ``objective`` (a callable).

    The parent reads the objective of a fit from ``_objective``, which its ``fit`` resets from
    the constructor's ``objective``; set here from inside ``_process_params``. It stays after
    the fit, as the parent's does: ``objective_`` is the focal objective the model was trained with.
    """
    estimator._objective = objective


#: What ``LGBMModel.fit`` sets (LightGBM 4.0 to 4.7; ``_fitted_with_feature_names`` since 4.6,
#: ``fitted_`` since 4.0): the fitted state of a model, without its parameters.
LGBM_FITTED_ATTRIBUTES = (
    "_Booster", "_evals_result", "_best_score", "_best_iteration", "_n_features", "_n_features_in", "_classes",
    "_n_classes", "_le", "_class_map", "_objective", "_fitted_with_feature_names", "fitted_",
)  # fmt: skip


def copy_lgbm_fitted(source, dest) -> None:
    """Copy the fitted state of the LightGBM model ``source`` to ``dest``: :data:`LGBM_FITTED_ATTRIBUTES`."""
    for name in LGBM_FITTED_ATTRIBUTES:
        if name in source.__dict__:
            dest.__dict__[name] = source.__dict__[name]


def set_xgb_booster(estimator, booster) -> None:
    """Give an ``XGBModel`` the booster trained elsewhere (by ``xgboost.dask``), as its own ``fit`` would."""
    estimator._Booster = booster


def onnx_converters():
    """``(parse_sklearn_classifier, convert_lightgbm, XGBConverter)`` from skl2onnx and onnxmltools."""
    from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
    from onnxmltools.convert.xgboost.operator_converters.XGBoost import XGBConverter
    from skl2onnx._parse import _parse_sklearn_classifier

    return _parse_sklearn_classifier, convert_lightgbm, XGBConverter


def lightgbm_aliases(name: str) -> tuple[str, ...]:
    """LightGBM's parameter ``name`` and all its aliases, the canonical name first."""
    aliases = _ConfigAliases.get(name) or {name}
    return (name, *sorted(aliases - {name}))


def openmp_threads() -> int:
    """The OpenMP threads this process may use: ``OMP_NUM_THREADS`` if set (joblib's workers set it), else all CPUs."""
    if _openmp_effective_n_threads is None:  # pragma: no cover
        import os

        return os.cpu_count() or 1
    return int(_openmp_effective_n_threads())


def lightgbm_default_threads() -> int:
    """LightGBM's threads for ``n_jobs=None`` (one per physical core), capped by :func:`openmp_threads`."""
    return max(1, min(int(_LGBMCpuCount(only_physical_cores=True)), openmp_threads()))


@contextlib.contextmanager
def parent_sees(estimator, **attributes):
    """Let the parent's ``fit`` read ``attributes`` on ``estimator``, then restore the user's values.

    The boosters' ``fit`` methods read their objective, metric and class weights from the
    estimator's attributes, not from arguments; the user's constructor parameters must come
    back unchanged (``get_params``, ``clone``), so they are set for the parent's ``fit`` only.
    """
    missing = object()
    saved = {name: estimator.__dict__.get(name, missing) for name in attributes}
    estimator.__dict__.update(attributes)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                estimator.__dict__.pop(name, None)
            else:
                estimator.__dict__[name] = value
