"""ONNX export (``skfocal.onnx``): onnxruntime gives what the estimator gives, on the same rows.

Tolerances: the trees compare and sum in float32 in onnxruntime (the estimators sum LightGBM's
leaves in float64), so a margin of a few units carries an error of about 1e-6; the
probabilities, computed from it in float32, are compared with ``predict_proba`` within 1e-5.
"""

import numpy as np
import pytest

pytest.importorskip("skl2onnx", reason='the ONNX tests need the onnx extra: pip install "skfocal[onnx]"')
pytest.importorskip("onnxmltools", reason='the ONNX tests need the onnx extra: pip install "skfocal[onnx]"')
ort = pytest.importorskip("onnxruntime", reason='the ONNX tests need the onnx extra: pip install "skfocal[onnx]"')

import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skfocal.onnx as skfocal_onnx  # noqa: E402
from skfocal import BinaryFocalLoss, FocalLGBMClassifier, FocalXGBClassifier, MulticlassFocalLoss  # noqa: E402

ATOL = 1e-5  # float32 margins and probabilities (module docstring)
ESTIMATORS = {
    "lightgbm": lambda **kw: FocalLGBMClassifier(n_estimators=40, n_jobs=1, verbose=-1, **kw),
    "xgboost": lambda **kw: FocalXGBClassifier(n_estimators=40, n_jobs=1, **kw),
}


def _session(onx):
    return ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])


def _run(onx, X):
    return _session(onx).run(None, {onx.graph.input[0].name: X})


@pytest.fixture(scope="module", params=[2, 3], ids=["binary", "3-class"])
def data(request):
    n_classes = request.param
    X, y = make_classification(
        n_samples=800, n_features=8, n_informative=5, n_classes=n_classes, class_sep=1.5, random_state=n_classes
    )
    return X.astype(np.float32), y, n_classes


@pytest.mark.parametrize("per_class", [False, True], ids=["one-gamma", "gamma-per-class"])
@pytest.mark.parametrize("correction", [False, True], ids=["link", "posterior"])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_onnx_matches_predict_proba(data, name, correction, per_class):
    X, y, n_classes = data
    alpha = 0.3 if n_classes == 2 else [1.0, 2.0, 0.5]
    gamma = ([4.0, 0.0] if n_classes == 2 else [0.5, 3.0, 1.0]) if per_class else 2.0
    est = ESTIMATORS[name](focal_gamma=gamma, focal_alpha=alpha, posterior_correction=correction).fit(X, y)
    onx = to_onnx(est, X[:1], options={"zipmap": False})
    label, proba = _run(onx, X)
    assert proba.shape == (len(X), n_classes) and proba.dtype == np.float32
    np.testing.assert_allclose(proba, est.predict_proba(X), rtol=0, atol=ATOL)
    np.testing.assert_array_equal(label, est.predict(X))


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_onnx_in_a_pipeline_with_a_scaler(data, name):
    X, y, n_classes = data
    X = (X * 10 + 3).astype(np.float32)
    pipe = make_pipeline(StandardScaler(), ESTIMATORS[name](posterior_correction=True)).fit(X[:600], y[:600])
    label, proba = _run(to_onnx(pipe, X[:1], options={"zipmap": False}), X[600:])
    # Held-out rows: the scaler runs in float32 in ONNX and in float64 in scikit-learn, so a
    # scaled value can differ by a float32 ulp. XGBoost's thresholds are training values, which
    # an ulp moves to the other branch; new rows are not within an ulp of a threshold.
    np.testing.assert_allclose(proba, pipe.predict_proba(X[600:]), rtol=0, atol=ATOL)
    np.testing.assert_array_equal(label, pipe.predict(X[600:]))


def test_onnx_zipmap_and_string_labels(data):
    X, y, n_classes = data
    names = np.array(["cat", "dog", "emu"][:n_classes])[y]
    est = ESTIMATORS["lightgbm"](posterior_correction=True).fit(X, names)
    label, proba_maps = _run(to_onnx(est, X[:1]), X[:50])  # default: ZipMap, one dict per row
    assert list(label) == list(est.predict(X[:50]))
    proba = np.array([[row[c] for c in est.classes_] for row in proba_maps])
    np.testing.assert_allclose(proba, est.predict_proba(X[:50]), rtol=0, atol=ATOL)
    index, _ = _run(to_onnx(est, X[:1], options={"zipmap": False, "nocl": True}), X[:50])  # labels as indices
    np.testing.assert_array_equal(est.classes_[index], est.predict(X[:50]))


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_onnx_uses_the_best_iteration(name):
    X, y = make_classification(n_samples=600, n_features=6, flip_y=0.3, random_state=0)
    X = X.astype(np.float32)
    est = ESTIMATORS[name](posterior_correction=True, learning_rate=0.5).set_params(n_estimators=300)
    if name == "lightgbm":
        import lightgbm as lgb

        est.fit(X[200:], y[200:], eval_set=[(X[:200], y[:200])], callbacks=[lgb.early_stopping(5, verbose=False)])
        assert est.best_iteration_ < 300
    else:
        est.set_params(early_stopping_rounds=5).fit(X[200:], y[200:], eval_set=[(X[:200], y[:200])])
        assert est.best_iteration < 299
    _, proba = _run(to_onnx(est, X[:1], options={"zipmap": False}), X)
    np.testing.assert_allclose(proba, est.predict_proba(X), rtol=0, atol=ATOL)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_onnx_extreme_probabilities_keep_their_relative_accuracy(name):
    # Well separated classes and many strong rounds: margins of tens of units, class
    # probabilities below 1e-7, where a small probability must keep its digits.
    X, y = make_classification(
        n_samples=400, n_features=4, n_informative=4, n_redundant=0, class_sep=4.0, random_state=1
    )
    X = X.astype(np.float32)
    strong = {
        "lightgbm": {"min_child_samples": 2, "min_child_weight": 1e-12},
        "xgboost": {"min_child_weight": 0.0, "reg_lambda": 1e-6},
    }
    est = ESTIMATORS[name](posterior_correction=True, learning_rate=1.0, **strong[name]).set_params(n_estimators=200)
    est.fit(X, y)
    expected = est.predict_proba(X)
    assert expected.min() < 1e-7  # the rows reach the extremes
    _, proba = _run(to_onnx(est, X[:1], options={"zipmap": False}), X)
    # Relative error of every probability: margin error (float32 sums of up to 200 leaves, about
    # 1e-5 at these margins) times the slope of log eta in z (about 1 + gamma), so 1e-4.
    np.testing.assert_allclose(proba, expected, rtol=1e-4, atol=1e-30)


@pytest.mark.parametrize("target_opset", [None, {"": 15, "ai.onnx.ml": 2}], ids=["latest", "opset15"])
def test_onnx_categorical_splits_missing_values_and_older_opsets(target_opset):
    # LightGBM's categorical splits become sets of equality nodes and NaN follows each split's
    # default branch (in both boosters); both must route a row as the booster does.
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 12, 3000), rng.normal(size=(3000, 3))]).astype(np.float32)
    y = ((X[:, 0] % 3 == 0) ^ (X[:, 1] > 0.5)).astype(int)
    X[rng.uniform(size=3000) < 0.05, 1] = np.nan
    lgbm = ESTIMATORS["lightgbm"](posterior_correction=True).fit(X, y, categorical_feature=[0])
    xgbm = ESTIMATORS["xgboost"](posterior_correction=True).fit(X, y)  # NaN only: the first column is numeric
    for est in (lgbm, xgbm):
        _, proba = _run(to_onnx(est, X[:1], options={"zipmap": False}, target_opset=target_opset), X)
        np.testing.assert_allclose(proba, est.predict_proba(X), rtol=0, atol=ATOL)


# ------------------------------------------------- the closed form alone, at extreme margins
class _Scope:
    def __init__(self):
        self.count = 0

    def get_unique_variable_name(self, seed):
        self.count += 1
        return f"{seed}_{self.count}"

    get_unique_operator_name = get_unique_variable_name


class _Container:
    """The two calls of skl2onnx's container the closed form uses, recorded with onnx.helper."""

    target_opset = 17

    def __init__(self):
        self.nodes, self.initializers = [], []

    def add_initializer(self, name, onnx_type, shape, content):
        self.initializers.append(helper.make_tensor(name, onnx_type, shape, content))

    def add_node(self, op_type, inputs, outputs, name=None, **attrs):
        self.nodes.append(helper.make_node(op_type, inputs, outputs, name=name, **attrs))


def _closed_form_session(n_outputs, class_weights, gamma, target_opset):
    scope, container = _Scope(), _Container()
    container.target_opset = target_opset
    graph = skfocal_onnx._Graph(scope, container, "t")
    margins = ["z"] if n_outputs == 1 else [f"z{k}" for k in range(n_outputs)]
    inputs = [helper.make_tensor_value_info(m, TensorProto.FLOAT, [None, 1]) for m in margins]
    log_p, log_1mp = skfocal_onnx._log_parts(graph, margins)
    out = skfocal_onnx._posterior(graph, log_p, log_1mp, class_weights, gamma)
    model = helper.make_model(
        helper.make_graph(
            container.nodes,
            "closed_form",
            inputs,
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, [None, max(n_outputs, 2)])],
            container.initializers,
        ),  # fmt: skip
        opset_imports=[helper.make_opsetid("", target_opset)],
        # the oldest IR version for the opset, not the installed onnx's newest, which an older onnxruntime refuses
        ir_version=helper.find_min_ir_version_for([helper.make_opsetid("", target_opset)]),
    )
    onnx.checker.check_model(model)
    return margins, _session(model)


@pytest.mark.parametrize("target_opset", [13, 18])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0, (4.0, 0.0), (0.5, 5.0)])
def test_binary_closed_form_is_accurate_at_the_extremes(gamma, target_opset):
    z = np.r_[-120.0, -87.0, -60.0, -30.0, -17.0, -8.0, -1e-3, 0.0, 1e-3, 0.5, 8.0, 17.0, 30.0, 60.0, 87.0, 120.0]
    loss = BinaryFocalLoss(alpha=0.25, gamma=gamma)
    names, session = _closed_form_session(1, loss.class_weights_, loss._gamma, target_opset)
    (got,) = session.run(None, {names[0]: z.astype(np.float32)[:, None]})
    expected = loss.posterior(z)
    assert np.all(np.isfinite(got)) and np.allclose(got.sum(axis=1), 1.0, atol=1e-6)
    # Every entry to float32 relative accuracy, down to float32's smallest normal number (below
    # it float32 cannot hold the value): log eta is held to about |log eta| * 6e-8, up to
    # 87 * 6e-8 = 5e-6 near the smallest normal, which exp turns into that relative error.
    tiny = np.finfo(np.float32).tiny
    np.testing.assert_allclose(np.where(expected > tiny, got, 0), np.where(expected > tiny, expected, 0), rtol=1e-5)
    assert np.all(got[expected < tiny] < 2 * tiny)


@pytest.mark.parametrize("target_opset", [13, 18])
@pytest.mark.parametrize("gamma", [0.0, 2.0, (0.0, 2.0, 5.0)])
def test_multiclass_closed_form_is_accurate_at_the_extremes(gamma, target_opset):
    rng = np.random.default_rng(0)
    z = np.vstack(
        [
            rng.normal(0, 3, (50, 3)),
            [[0.0, 0.0, 0.0], [40.0, 0.0, 0.0], [0.0, 25.0, -25.0], [80.0, 80.0, -80.0], [-50.0, 50.0, 49.0]],
            [[100.0, -100.0, 0.0], [1e-4, 0.0, -1e-4], [17.0, 0.0, 0.0], [30.0, 29.0, 0.0]],
        ]
    )
    loss = MulticlassFocalLoss(alpha=[1.0, 2.0, 0.5], gamma=gamma)
    names, session = _closed_form_session(3, loss.class_weights_, loss._gamma, target_opset)
    got = session.run(None, {n: z[:, [k]].astype(np.float32) for k, n in enumerate(names)})[0]
    expected = loss.posterior(z.astype(np.float32).astype(np.float64))
    tiny = np.finfo(np.float32).tiny
    assert np.all(np.isfinite(got))
    # As for two classes: |log eta| * 6e-8 at most 5e-6, and the rounding of log1p(s).
    np.testing.assert_allclose(np.where(expected > tiny, got, 0), np.where(expected > tiny, expected, 0), rtol=1e-5)


# ------------------------------------------------------------------ bad input
def test_unfitted_estimator_is_refused():
    X = np.zeros((2, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="not fitted"):
        to_onnx(FocalLGBMClassifier(), X)


def test_float64_input_is_refused_with_a_hint(data):
    X, y, _ = data
    est = ESTIMATORS["xgboost"]().fit(X, y)
    with pytest.raises(TypeError, match="float32"):
        to_onnx(est, X[:1].astype(np.float64))


def test_xgboost_categorical_splits_are_refused():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": pd.Categorical(rng.integers(0, 4, 300)), "b": rng.normal(size=300)})
    y = (frame["a"].cat.codes.to_numpy() % 2 == 0).astype(int)
    est = FocalXGBClassifier(n_estimators=5, enable_categorical=True, tree_method="hist").fit(frame, y)
    with pytest.raises(ValueError, match="categorical"):
        to_onnx(est, np.zeros((1, 2), dtype=np.float32))
