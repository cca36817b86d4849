"""ONNX converters for the focal estimators, registered with skl2onnx on import.

After ``import skfocal.onnx``, ``skl2onnx.to_onnx`` converts a fitted
:class:`~skfocal.FocalLGBMClassifier` or :class:`~skfocal.FocalXGBClassifier`, alone or as
the last step of a :class:`~sklearn.pipeline.Pipeline`, into a graph whose outputs are
``label`` and ``probabilities``, as for any scikit-learn classifier (with skl2onnx's
``zipmap`` option). The probabilities are those of ``predict_proba``: the sigmoid (softmax)
of the margin, or, for an estimator fitted with ``posterior_correction=True``, the focal
posterior of :func:`skfocal.focal_posterior` written as ONNX operators. The graph runs in
onnxruntime without skfocal.

The trees become an ``ai.onnx.ml`` ``TreeEnsembleRegressor`` per output that gives the margins
(the start score included), built with onnxmltools from the booster's own dump. Everything
after the margins is computed in logarithms, as in :mod:`skfocal`'s numpy code, so that
probabilities close to 0 and 1 keep their relative accuracy: ``log1p`` (which ONNX lacks) uses
Kahan's ``log(1 + u) * u / ((1 + u) - 1)``, exact to a few float32 ulps.

Inputs must be float32 (``FloatTensorType``), the type the tree ensemble compares in; the
thresholds are rounded so that a float32 input takes the same branch as in the booster.

Requires the ``onnx`` extra: ``pip install "skfocal[onnx]"`` (skl2onnx, onnxmltools,
onnxruntime).

Examples
--------
>>> import numpy as np
>>> import onnxruntime as ort
>>> from skl2onnx import to_onnx
>>> from sklearn.datasets import make_classification
>>> import skfocal.onnx  # registers the converters
>>> from skfocal import FocalLGBMClassifier
>>> X, y = make_classification(n_samples=500, random_state=0)
>>> X = X.astype(np.float32)
>>> clf = FocalLGBMClassifier(posterior_correction=True, n_estimators=20, verbose=-1).fit(X, y)
>>> onx = to_onnx(clf, X[:1], options={"zipmap": False})
>>> session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
>>> label, proba = session.run(None, {"X": X})
>>> bool(np.abs(proba - clf.predict_proba(X)).max() < 1e-5)
True
"""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import numpy as np

try:
    from onnx import TensorProto
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType

    from ._compat import onnx_converters

    _parse_sklearn_classifier, convert_lightgbm, XGBConverter = onnx_converters()
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        'skfocal.onnx needs skl2onnx, onnxmltools and onnx: pip install "skfocal[onnx]" '
        "(onnxruntime too, to run the converted models)."
    ) from exc
from scipy.special import logit
from sklearn.utils.validation import check_is_fitted

from ._lgbm import FocalLGBMClassifier
from ._loss import MultilabelFocalLoss
from ._xgb import FocalXGBClassifier

__all__ = ["register_converters"]

_ALIASES = {FocalLGBMClassifier: "SkfocalFocalLGBMClassifier", FocalXGBClassifier: "SkfocalFocalXGBClassifier"}
_OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [False, True]}
_TINY = float(np.finfo(np.float32).tiny)


# ----------------------------------------------------------------- graph helper
class _Graph:
    """Adds nodes and constants to a skl2onnx container, one output per node."""

    def __init__(self, scope, container, prefix: str):
        self.scope, self.container, self.prefix = scope, container, prefix

    def name(self, seed: str) -> str:
        return self.scope.get_unique_variable_name(f"{self.prefix}_{seed}")

    def const(self, value, dtype=np.float32) -> str:
        value = np.asarray(value, dtype=dtype)
        onnx_type = {np.float32: TensorProto.FLOAT, np.int64: TensorProto.INT64}[dtype]
        name = self.name("cst")
        self.container.add_initializer(name, onnx_type, list(value.shape), value.ravel().tolist())
        return name

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attrs) -> str:
        output = output or self.name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            [output],
            name=self.scope.get_unique_operator_name(f"{self.prefix}_{op_type}"),
            **attrs,
        )
        return output

    def reduce(self, op_type: str, x: str) -> str:
        """``op_type`` over axis 1, keeping the axis (the axes moved from attribute to input in opset 13/18)."""
        axes_as_input = self.container.target_opset >= (18 if op_type == "ReduceMax" else 13)
        if axes_as_input:
            return self.op(op_type, x, self.const([1], np.int64), keepdims=1)
        return self.op(op_type, x, axes=[1], keepdims=1)

    # numerically stable pieces, elementwise on float32
    def log1p(self, u: str) -> str:
        """``log(1 + u)`` for ``u > -1``, accurate for tiny ``u`` (Kahan: ``log(w) * u / (w - 1)``, ``w = 1 + u``)."""
        w = self.op("Add", u, self.const(1.0))
        d = self.op("Sub", w, self.const(1.0))
        is_one = self.op("Equal", d, self.const(0.0))
        safe_d = self.op("Where", is_one, self.const(1.0), d)
        scaled = self.op("Mul", self.op("Log", w), self.op("Div", u, safe_d))
        return self.op("Where", is_one, u, scaled)

    def softplus(self, x: str) -> str:
        """``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))`` without overflow."""
        tail = self.log1p(self.op("Exp", self.op("Neg", self.op("Abs", x))))
        return self.op("Add", self.op("Max", x, self.const(0.0)), tail)


def _tree_ensemble_version(container) -> int:
    """``TreeEnsembleRegressor`` 3 (or 1 under an older target): skl2onnx does not write ``ai.onnx.ml`` 5."""
    return 3 if container.target_opset_any_domain("ai.onnx.ml") >= 3 else 1


class _TreeOpsetContainer:
    """The container, with the tree ensemble's operator version pinned for onnxmltools' converter."""

    def __init__(self, container):
        self._container = container

    def __getattr__(self, name):
        return getattr(self._container, name)

    def add_node(self, op_type, *args, **kwargs):
        if op_type.startswith("TreeEnsemble") and kwargs.get("op_domain") == "ai.onnx.ml":
            kwargs.setdefault("op_version", _tree_ensemble_version(self._container))
        return self._container.add_node(op_type, *args, **kwargs)


# ----------------------------------------------------------------- the margins
class _MockLGBMBooster:
    """What onnxmltools' LightGBM converter reads from a booster: its JSON dump (``is_mock``)."""

    is_mock = True

    def __init__(self, dump: dict):
        self._dump = dump

    def dump_model(self, *args, **kwargs) -> dict:
        return copy.deepcopy(self._dump)


def _lgbm_margins(graph: _Graph, est, x: str) -> list[str]:
    """One ``(N, 1)`` margin per output of the booster's iterations (1 for two classes, else K)."""
    booster = est.booster_
    dump = booster.dump_model()  # the best iteration, as predict_proba uses, when early stopping set one
    n_outputs = booster.num_model_per_iteration()
    margins = []
    for k in range(n_outputs):
        # Each class's trees as a regression model: a TreeEnsembleRegressor with no link.
        part = {key: value for key, value in dump.items() if key != "tree_info"}
        part.update(objective="regression", num_class=1)
        part["tree_info"] = [tree for i, tree in enumerate(dump["tree_info"]) if i % n_outputs == k]
        raw = SimpleNamespace(booster_=_MockLGBMBooster(part), boosting_type="gbdt", classes_=est.classes_)
        output = graph.name(f"margin{k}")
        operator = SimpleNamespace(
            raw_operator=raw,
            full_name=graph.scope.get_unique_operator_name(f"{graph.prefix}_trees{k}"),
            input_full_names=[x],
            output_full_names=[output],
            split=None,
        )
        convert_lightgbm(graph.scope, operator, _TreeOpsetContainer(graph.container))
        margins.append(output)
    return margins


def _xgb_margins(graph: _Graph, est, x: str) -> list[str]:
    booster = est.get_booster()
    if booster.feature_types is not None and "c" in booster.feature_types:
        raise ValueError("Converting a FocalXGBClassifier trained on categorical features is not supported.")
    _, _, trees, _ = XGBConverter.common_members(est, None)
    config = json.loads(booster.save_config())["learner"]
    base = np.atleast_1d(np.asarray(json.loads(config["learner_model_param"]["base_score"]), dtype=np.float64))
    n_outputs = max(int(config["learner_model_param"]["num_class"]), 1)
    if n_outputs == 1:  # binary:logistic stores the start score as a probability
        base = logit(base.astype(np.float32).astype(np.float64))
    try:  # the rounds predict_proba uses: up to the best one when early stopping set it
        n_rounds = est.best_iteration + 1
    except AttributeError:
        n_rounds = len(trees) // n_outputs
    trees = trees[: n_rounds * n_outputs]
    attrs = {
        key: []
        for key in (
            "nodes_treeids",
            "nodes_nodeids",
            "nodes_featureids",
            "nodes_modes",
            "nodes_values",
            "nodes_truenodeids",
            "nodes_falsenodeids",
            "nodes_missing_value_tracks_true",
            "target_treeids",
            "target_nodeids",
            "target_ids",
            "target_weights",
        )
    }
    XGBConverter.fill_tree_attributes(trees, attrs, [1.0] * len(trees), False)
    attrs["target_ids"] = [tree % n_outputs for tree in attrs["target_treeids"]]
    margin = graph.name("margins")
    graph.container.add_node(
        "TreeEnsembleRegressor",
        [x],
        [margin],
        op_domain="ai.onnx.ml",
        op_version=_tree_ensemble_version(graph.container),
        name=graph.scope.get_unique_operator_name(f"{graph.prefix}_trees"),
        n_targets=n_outputs,
        post_transform="NONE",
        base_values=[float(b) for b in np.broadcast_to(base, (n_outputs,))],
        **attrs,
    )
    if n_outputs == 1:
        return [margin]
    return [
        graph.op(
            "Slice", margin, graph.const([k], np.int64), graph.const([k + 1], np.int64), graph.const([1], np.int64)
        )
        for k in range(n_outputs)
    ]


# ------------------------------------------------------- margins to probabilities
def _log_parts(graph: _Graph, margins: list[str]) -> tuple[str, str]:
    """``log p`` and ``log(1 - p)`` of the link's probabilities, ``(N, K)``, as in ``skfocal._loss``."""
    if len(margins) == 1:  # two classes: p_j = sigmoid(s_j z) with s = (-1, 1)
        z = margins[0]
        signed = graph.op("Concat", graph.op("Neg", z), z, axis=1)
        log_p = graph.op("Neg", graph.softplus(graph.op("Neg", signed)))
        log_1mp = graph.op("Neg", graph.softplus(signed))
        return log_p, log_1mp
    z = graph.op("Concat", *margins, axis=1)
    n_classes = len(margins)
    # log p_j = z_j - m - log1p(s), m the row maximum and s the sum of exp(z_j - m) over the others;
    # the top class has 1 - p = s / (1 + s); every other p is at most 1/2.
    shifted = graph.op("Sub", z, graph.reduce("ReduceMax", z))
    top = graph.op("ArgMax", z, axis=1, keepdims=1)
    is_top = graph.op("Equal", graph.const(np.arange(n_classes)[None, :], np.int64), top)
    others = graph.op("Where", is_top, graph.const(0.0), graph.op("Exp", shifted))
    s = graph.reduce("ReduceSum", others)
    log1p_s = graph.log1p(s)
    log_p = graph.op("Sub", shifted, log1p_s)
    log_1mp_other = graph.log1p(graph.op("Neg", graph.op("Exp", graph.op("Min", log_p, graph.const(np.log(0.5))))))
    log_1mp_top = graph.op("Sub", graph.op("Log", graph.op("Max", s, graph.const(_TINY))), log1p_s)
    log_1mp = graph.op("Where", is_top, log_1mp_top, log_1mp_other)
    return log_p, log_1mp


def _posterior(graph: _Graph, log_p: str, log_1mp: str, class_weights, gamma) -> str:
    """``eta_j`` proportional to ``p_j / (alpha_j |A(p_j)|)``, in logs (``skfocal._loss._posterior``).

    ``gamma``: one number, or one per class (column ``j``'s ``A`` uses ``gamma_j``).
    """
    gamma = np.asarray(gamma, dtype=np.float64)
    gamma = gamma if gamma.ndim == 0 else gamma[None, :]
    p = graph.op("Exp", log_p)
    one_m_p = graph.op("Exp", log_1mp)
    # log(p) / (1 - p) tends to -1 as p -> 1; where p rounds to 1 the limit is exact enough.
    defined = graph.op("And", graph.op("Less", log_p, graph.const(0.0)), graph.op("Greater", one_m_p, graph.const(0.0)))
    quotient = graph.op("Div", log_p, graph.op("Max", one_m_p, graph.const(_TINY)))
    ratio = graph.op("Where", defined, quotient, graph.const(-1.0))
    inner = graph.op("Mul", graph.op("Mul", p, ratio), graph.const(-gamma))  # -gamma p log p / (1 - p) >= 0
    log_abs_a = graph.op("Add", graph.op("Mul", log_1mp, graph.const(gamma)), graph.log1p(inner))
    log_eta = graph.op("Sub", log_p, log_abs_a)
    if class_weights is not None:
        log_eta = graph.op("Sub", log_eta, graph.const(np.log(np.asarray(class_weights, dtype=np.float64))[None, :]))
    return graph.op("Softmax", log_eta, axis=1)


def _link(graph: _Graph, margins: list[str]) -> str:
    if len(margins) == 1:
        z = margins[0]
        return graph.op("Concat", graph.op("Sigmoid", graph.op("Neg", z)), graph.op("Sigmoid", z), axis=1)
    return graph.op("Softmax", graph.op("Concat", *margins, axis=1), axis=1)


# --------------------------------------------------------- skl2onnx entry points
def _check_fitted(est) -> None:
    check_is_fitted(est, "init_score_")
    if isinstance(est.loss_, MultilabelFocalLoss):
        raise ValueError(
            f"Converting a {type(est).__name__} fitted on a multilabel y to ONNX is not supported: the graph's "
            "outputs are one label and one probability row per class. Convert one model per label (for "
            "example the estimators_ of a sklearn.multioutput.MultiOutputClassifier), or serve the booster "
            "with save_model."
        )


def _parser(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser (outputs label and probabilities, ZipMap), after a fitted check."""
    _check_fitted(model)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)


def _shape_calculator(operator) -> None:
    est = operator.raw_operator
    _check_fitted(est)
    if len(operator.inputs) != 1 or not isinstance(operator.inputs[0].type, FloatTensorType):
        raise TypeError(
            f"{type(est).__name__} converts with one float32 input (FloatTensorType, the type the tree "
            f"ensemble compares in), got {[type(i.type).__name__ for i in operator.inputs]}; "
            "convert with X.astype(np.float32)."
        )
    n_rows = operator.inputs[0].get_first_dimension()
    classes = np.asarray(est.classes_)
    nocl = operator.scope_inst.get_options(est, dict(nocl=False))["nocl"]  # labels as class indices
    labels_are_numbers = nocl or np.issubdtype(classes.dtype, np.number) or classes.dtype == np.bool_
    operator.outputs[0].type = (Int64TensorType if labels_are_numbers else StringTensorType)([n_rows])
    operator.outputs[1].type = FloatTensorType([n_rows, len(est.classes_)])


def _converter(scope, operator, container) -> None:
    est = operator.raw_operator
    _check_fitted(est)
    graph = _Graph(scope, container, "skfocal")
    x = operator.inputs[0].full_name
    margins = (_lgbm_margins if isinstance(est, FocalLGBMClassifier) else _xgb_margins)(graph, est, x)
    if est.posterior_correction:
        log_p, log_1mp = _log_parts(graph, margins)
        proba = _posterior(graph, log_p, log_1mp, est.loss_.class_weights_, est.loss_._gamma)
    else:
        proba = _link(graph, margins)
    graph.op("Identity", proba, output=operator.outputs[1].full_name)
    classes = np.asarray(est.classes_)
    if container.get_options(est, dict(nocl=False))["nocl"]:  # labels as class indices
        classes = np.arange(len(classes))
    if isinstance(operator.outputs[0].type, Int64TensorType):
        labels = graph.const(classes.astype(np.int64), np.int64)
    else:
        labels = graph.name("classes")
        container.add_initializer(labels, TensorProto.STRING, [len(classes)], [str(c).encode() for c in classes])
    index = graph.op("ArgMax", proba, axis=1, keepdims=0)
    graph.op("Gather", labels, index, axis=0, output=operator.outputs[0].full_name)


def register_converters() -> None:
    """Register the ONNX converters of both focal estimators with skl2onnx.

    Called when :mod:`skfocal.onnx` is imported; calling it again is harmless. Afterwards
    ``skl2onnx.to_onnx(estimator, X[:1].astype(np.float32))`` converts a fitted
    :class:`~skfocal.FocalLGBMClassifier` or :class:`~skfocal.FocalXGBClassifier`, also inside
    a pipeline. The outputs are ``label`` and ``probabilities`` (``predict`` and
    ``predict_proba``, the posterior correction included when the estimator has it); pass
    ``options={"zipmap": False}`` for a plain probability matrix.

    Returns
    -------
    None
    """
    for estimator, alias in _ALIASES.items():
        update_registered_converter(estimator, alias, _shape_calculator, _converter, parser=_parser, options=_OPTIONS)


register_converters()
