"""Models that leave Python: native files, pickles, treelite and SHAP give what the estimator gives.

Each test compares an exported model's output with the estimator's on the same rows. The
reference for probabilities is ``predict_proba`` with ``posterior_correction=False`` (the
sigmoid or softmax of the margin), since no native format carries the correction; it is
applied afterwards with ``focal_posterior``, which is checked too.
"""

import pickle

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb
from sklearn.datasets import make_classification

from skfocal import FocalLGBMClassifier, FocalXGBClassifier, focal_posterior
from skfocal._export import standard_objective_model_string

# LightGBM predicts in float64 with the same code for the file and the estimator: only the
# order of the sigmoid/softmax arithmetic may differ, a few ulps.
LGBM_ATOL = 1e-12
# XGBoost sums leaves in float32 and its own predict applies the link in float32, where the
# estimator applies it in float64 to the float32 margin: half a float32 ulp of a probability.
XGB_ATOL = 1e-6


@pytest.fixture(scope="module", params=[2, 3], ids=["binary", "3-class"])
def data(request):
    n_classes = request.param
    X, y = make_classification(
        n_samples=600, n_features=8, n_informative=5, n_classes=n_classes, weights=None, random_state=n_classes
    )
    return X, y, n_classes


def _lgbm(X, y, **kwargs):
    return FocalLGBMClassifier(**{"focal_gamma": 2.0, **kwargs}, n_estimators=30, n_jobs=1, verbose=-1).fit(X, y)


def _xgb(X, y, **kwargs):
    return FocalXGBClassifier(focal_gamma=2.0, n_estimators=30, n_jobs=1, **kwargs).fit(X, y)


def _as_proba(pred, n_classes):
    """A booster's probability output as an (n, K) matrix (binary models give class 1 only)."""
    pred = np.asarray(pred, dtype=float).reshape(len(pred), -1)
    return np.column_stack([1.0 - pred[:, 0], pred[:, 0]]) if n_classes == 2 else pred


# ------------------------------------------------------------------ LightGBM
def test_lgbm_model_records_the_standard_objective(data):
    X, y, n_classes = data
    text = _lgbm(X, y).booster_.model_to_string()
    header = text.split("\nTree=", 1)[0]
    expected = "objective=binary sigmoid:1" if n_classes == 2 else f"objective=multiclass num_class:{n_classes}"
    assert expected in header.splitlines()
    assert header.count("objective=") == 1
    assert "[objective: custom]" not in text  # the parameter block names the same objective
    assert f"[objective: {expected.split('=')[1].split()[0]}]" in text


@pytest.mark.parametrize("how", ["save_model", "model_to_string", "pickle_estimator", "pickle_booster"])
def test_lgbm_native_model_predicts_probabilities(data, how, tmp_path):
    X, y, n_classes = data
    est = _lgbm(X, y)
    if how == "save_model":
        est.booster_.save_model(tmp_path / "m.txt")
        booster = lgb.Booster(model_file=tmp_path / "m.txt")
    elif how == "model_to_string":
        booster = lgb.Booster(model_str=est.booster_.model_to_string())
    elif how == "pickle_estimator":
        booster = pickle.loads(pickle.dumps(est)).booster_
    else:
        booster = pickle.loads(pickle.dumps(est.booster_))
    np.testing.assert_allclose(_as_proba(booster.predict(X), n_classes), est.predict_proba(X), rtol=0, atol=LGBM_ATOL)
    np.testing.assert_allclose(booster.predict(X, raw_score=True), est.decision_function(X), rtol=0, atol=1e-12)


def test_lgbm_margins_contributions_and_leaves_keep_working(data):
    X, y, n_classes = data
    est = _lgbm(X, y)
    margin = est.decision_function(X)
    np.testing.assert_allclose(est.booster_.predict(X, raw_score=True), margin, rtol=0, atol=1e-12)
    # pred_contrib: per class, n_features contributions then the expected value; they sum to the margin.
    contrib = est.booster_.predict(X, pred_contrib=True).reshape(len(X), n_classes if n_classes > 2 else 1, -1)
    np.testing.assert_allclose(contrib.sum(axis=2).squeeze(), margin, rtol=0, atol=1e-9)
    leaves = est.booster_.predict(X, pred_leaf=True)
    assert leaves.shape == (len(X), est.booster_.num_trees())


@pytest.mark.parametrize("per_class", [False, True], ids=["one-gamma", "gamma-per-class"])
def test_lgbm_corrected_probabilities_from_the_native_file(data, tmp_path, per_class):
    X, y, n_classes = data
    kw = {"focal_gamma": [4.0, 0.0] if n_classes == 2 else [0.5, 3.0, 1.0]} if per_class else {}
    est = _lgbm(X, y, focal_alpha=0.3 if n_classes == 2 else [1.0, 2.0, 0.5], posterior_correction=True, **kw)
    est.booster_.save_model(tmp_path / "m.txt")
    served = lgb.Booster(model_file=tmp_path / "m.txt").predict(X)  # P(class 1), or one row per sample
    # 1e-9: the same closed form on probabilities instead of margins; near p = 1 the complement
    # of a float64 probability is known to about 1e-16 / (1 - p), far below this bound here.
    corrected = focal_posterior(served, gamma=est.loss_.gamma, alpha=est.loss_.alpha)
    np.testing.assert_allclose(corrected, est.predict_proba(X), rtol=0, atol=1e-9)


def test_lgbm_refit_and_early_stopping_keep_their_attributes(data):
    X, y, n_classes = data
    X_val, y_val = X[:150], y[:150]
    est = FocalLGBMClassifier(n_estimators=200, learning_rate=0.3, n_jobs=1, verbose=-1)
    est.fit(X[150:], y[150:], eval_set=[(X_val, y_val)], callbacks=[lgb.early_stopping(5, verbose=False)])
    assert 0 < est.best_iteration_ < 200
    assert len(est.evals_result_["valid_0"]["focal_loss"]) >= est.best_iteration_
    assert est.n_features_ == X.shape[1] and est.booster_.best_iteration == est.best_iteration_
    # The booster predicts with the best iteration by default, as the estimator does.
    np.testing.assert_allclose(
        _as_proba(est.booster_.predict(X), n_classes), est.predict_proba(X), rtol=0, atol=LGBM_ATOL
    )
    # Fitting the same estimator again gives the model a fresh estimator gets.
    est.fit(X, y)
    fresh = FocalLGBMClassifier(n_estimators=200, learning_rate=0.3, n_jobs=1, verbose=-1).fit(X, y)
    assert est.booster_.model_to_string() == fresh.booster_.model_to_string()


def test_lgbm_feature_names_survive(data):
    pd = pytest.importorskip("pandas")
    X, y, n_classes = data
    frame = pd.DataFrame(X, columns=[f"col_{j}" for j in range(X.shape[1])])
    est = _lgbm(frame, y)
    assert est.booster_.feature_name() == list(frame.columns)
    assert list(est.feature_name_) == list(frame.columns)
    booster = lgb.Booster(model_str=est.booster_.model_to_string())
    assert booster.feature_name() == list(frame.columns)
    np.testing.assert_allclose(
        _as_proba(booster.predict(frame), n_classes), est.predict_proba(frame), rtol=0, atol=LGBM_ATOL
    )


def test_lgbm_booster_refit(data, tmp_path):
    # The fitted booster refuses Booster.refit, which would re-estimate the leaves with an
    # objective it never had; a loaded file is LightGBM's own model, refitted with its log loss.
    X, y, n_classes = data
    est = _lgbm(X, y)
    with pytest.raises(lgb.basic.LightGBMError, match="objective"):
        est.booster_.refit(X, y)
    est.booster_.save_model(tmp_path / "m.txt")
    loaded = lgb.Booster(model_file=tmp_path / "m.txt")
    assert loaded.params["objective"] == ("binary" if n_classes == 2 else "multiclass")
    refitted = loaded.refit(X, y, decay_rate=0.0)
    assert refitted.num_trees() == loaded.num_trees()
    assert np.all(np.isfinite(refitted.predict(X)))


def test_lgbm_constant_model_keeps_its_one_objective_line():
    # No feature can be split on: the built-in objective trains the constant model and
    # already records itself; nothing is added.
    X, y = np.zeros((40, 2)), np.r_[np.zeros(30), np.ones(10)]
    est = FocalLGBMClassifier(n_estimators=5, verbose=-1).fit(X, y)
    header = est.booster_.model_to_string().split("\nTree=", 1)[0]
    assert header.count("objective=") == 1
    np.testing.assert_allclose(
        _as_proba(lgb.Booster(model_str=est.booster_.model_to_string()).predict(X), 2),
        est.predict_proba(X),
        rtol=0,
        atol=LGBM_ATOL,
    )


# Training configurations that change how LightGBM trains and logs: in each, the booster the fit
# leaves must be LightGBM's own binary (multiclass) model with the start score folded in.
TRAINING_CASES = {
    "plain": ({}, None),
    "early stopping not triggered": ({"n_estimators": 10}, "stopping 50"),
    "stopped early": ({}, "stopping 5"),
    "dart": ({"boosting_type": "dart", "n_estimators": 20}, None),
    "bagging": ({"subsample": 0.7, "subsample_freq": 1}, None),
    "max_depth": ({"max_depth": 6}, None),
    "weights": ({}, "weights"),
    "categorical": ({}, "categorical"),
    "metric auc": ({}, "auc"),
    "metrics printed": ({}, "log"),
    "verbose as a string": ({"verbose": "-1"}, None),
    "goss": ({"data_sample_strategy": "goss"}, None),
    "GOSS": ({"data_sample_strategy": "GOSS"}, None),
    "boosting goss": ({"boosting_type": "goss"}, None),
    "DART": ({"boosting_type": "DART", "n_estimators": 20}, None),
    "verbose 0": ({"verbose": 0}, None),
    "verbosity 1": ({"verbosity": 1}, None),
    "verbosity None": ({"verbosity": None}, None),  # LightGBM's default level, which logs
}


def _training_case_fit(params, kind, X, y):
    X_fit, y_fit = X[150:], y[150:]
    fit_kw = {}
    if kind and kind.startswith("stopping"):
        rounds = int(kind.split()[1])
        fit_kw = {"eval_set": [(X[:150], y[:150])], "callbacks": [lgb.early_stopping(rounds, verbose=False)]}
    elif kind == "log":  # printed at every verbosity
        fit_kw = {"eval_set": [(X[:150], y[:150])], "callbacks": [lgb.log_evaluation(1)]}
    elif kind == "auc":  # a metric of LightGBM's, which it logs with the focal loss
        fit_kw = {"eval_set": [(X[:150], y[:150])]}
        params = {**params, "metric": "auc" if len(np.unique(y)) == 2 else "auc_mu"}
    elif kind == "weights":
        fit_kw = {"sample_weight": np.random.default_rng(0).uniform(0.5, 2.0, len(y_fit))}
    elif kind == "categorical":
        X_fit = X_fit.copy()
        X_fit[:, 0] = np.abs(X_fit[:, 0] * 3).round() % 4  # four categories
        fit_kw = {"categorical_feature": [0]}
    base = {"n_estimators": 200, "learning_rate": 0.3, "n_jobs": 1, "verbose": -1}
    if "verbosity" in params or "verbose" in params:
        del base["verbose"]
    return FocalLGBMClassifier(**{**base, **params}).fit(X_fit, y_fit, **fit_kw)


@pytest.mark.parametrize("case", list(TRAINING_CASES))
def test_lgbm_booster_is_the_standard_model_in_every_training_configuration(data, case):
    X, y, n_classes = data
    params, kind = TRAINING_CASES[case]
    model = _training_case_fit(params, kind, X, y)
    if case == "stopped early":
        assert model.best_iteration_ < 200 - 5  # so training really ended before its last round
    assert model.booster_.params["objective"] == ("binary" if n_classes == 2 else "multiclass")
    # LightGBM's own probabilities: the objective recorded, the start folded in
    np.testing.assert_allclose(
        _as_proba(model.booster_.predict(X), n_classes), model.predict_proba(X), rtol=0, atol=LGBM_ATOL
    )


def test_lgbm_user_callbacks_get_the_order_the_parent_gives_them(data):
    # LightGBM numbers the callbacks that have no order by their place in the list: the user's
    # callbacks get the numbers the parent gives them.
    X, y, n_classes = data
    seen = {}
    for name, cls in (("focal", FocalLGBMClassifier), ("parent", lgb.LGBMClassifier)):
        first, second = (lambda env: None), (lambda env: None)
        cls(n_estimators=2, verbose=-1).fit(X, y, callbacks=[first, second])
        seen[name] = (first.order, second.order)
    assert seen["focal"] == seen["parent"]


def test_standard_objective_model_string_rejects_other_text():
    with pytest.raises(ValueError, match="max_feature_idx"):
        standard_objective_model_string("not a model", 1)


def test_dask_lgbm_booster_is_the_same_standard_model(data):
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    from skfocal.dask import FocalDaskLGBMClassifier

    X, y, n_classes = data
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        model = FocalDaskLGBMClassifier(client=client, n_estimators=10, verbose=-1)
        model.fit(da.from_array(X, chunks=300), da.from_array(y, chunks=300))
    booster = lgb.Booster(model_str=model.booster_.model_to_string())
    np.testing.assert_allclose(
        _as_proba(booster.predict(X), n_classes), model.to_local().predict_proba(X), rtol=0, atol=LGBM_ATOL
    )


@pytest.mark.parametrize("source", ["booster_", "file"])
def test_onnxmltools_reads_the_lgbm_booster(data, source, tmp_path):
    onnxmltools = pytest.importorskip("onnxmltools", reason='needs the onnx extra: pip install "skfocal[onnx]"')
    ort = pytest.importorskip("onnxruntime", reason='needs the onnx extra: pip install "skfocal[onnx]"')
    from onnxmltools.convert.common.data_types import FloatTensorType

    X, y, n_classes = data
    X = X.astype(np.float32)
    est = _lgbm(X, y)
    booster = est.booster_
    if source == "file":
        booster.save_model(tmp_path / "m.txt")
        booster = lgb.Booster(model_file=tmp_path / "m.txt")
    onx = onnxmltools.convert_lightgbm(
        booster,
        initial_types=[("X", FloatTensorType([None, X.shape[1]]))],
        zipmap=False,
        target_opset=15,  # the highest onnxmltools 1.16 converts to
    )
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    _, proba = session.run(None, {"X": X})
    # float32 sums of the leaves and a float32 link in onnxruntime.
    np.testing.assert_allclose(proba, est.predict_proba(X), rtol=0, atol=1e-5)


# ------------------------------------------------------------------- XGBoost
@pytest.mark.parametrize("how", ["json", "ubj", "raw", "pickle_estimator", "pickle_booster"])
def test_xgb_native_model_predicts_probabilities(data, how, tmp_path):
    X, y, n_classes = data
    est = _xgb(X, y)
    if how in ("json", "ubj"):
        est.get_booster().save_model(tmp_path / f"m.{how}")
        booster = xgb.Booster(model_file=tmp_path / f"m.{how}")
    elif how == "raw":
        booster = xgb.Booster(model_file=bytearray(est.get_booster().save_raw()))
    elif how == "pickle_estimator":
        booster = pickle.loads(pickle.dumps(est)).get_booster()
    else:
        booster = pickle.loads(pickle.dumps(est.get_booster()))
    dmat = xgb.DMatrix(X)
    np.testing.assert_allclose(_as_proba(booster.predict(dmat), n_classes), est.predict_proba(X), rtol=0, atol=XGB_ATOL)
    # Margins: the same float32 sums on both sides.
    np.testing.assert_allclose(booster.predict(dmat, output_margin=True), est.decision_function(X), rtol=0, atol=0)


# ------------------------------------------------------------------ treelite
FITTERS = {"lightgbm": _lgbm, "xgboost": _xgb}


def _treelite_model(name, est):
    treelite = pytest.importorskip("treelite", reason="treelite is not installed (pip install treelite)")
    if name == "lightgbm":
        return treelite, treelite.frontend.from_lightgbm(est.booster_)
    return treelite, treelite.frontend.from_xgboost(est.get_booster())


@pytest.mark.parametrize("name", list(FITTERS))
def test_treelite_reads_probabilities(data, name):
    X, y, n_classes = data
    est = FITTERS[name](X, y)
    treelite, model = _treelite_model(name, est)
    prob = treelite.gtil.predict(model, X)
    # treelite's GTIL sums in float64 for LightGBM models and in float32 for XGBoost's; its
    # softmax is float32 for both: a float32 ulp at most.
    np.testing.assert_allclose(_as_proba(prob.reshape(len(X), -1), n_classes), est.predict_proba(X), atol=1e-6)
    margin = treelite.gtil.predict(model, X, pred_margin=True).reshape(len(X), -1).squeeze()
    np.testing.assert_allclose(margin, est.decision_function(X), rtol=0, atol=1e-5)  # float32 margins


# ---------------------------------------------------------------------- SHAP
# shap warns, for any binary LightGBM classifier, that its output "has changed to a list of
# ndarray"; it returns one (n_samples, n_features) array, which the test checks.
@pytest.mark.filterwarnings("ignore:LightGBM binary classifier with TreeExplainer:UserWarning")
@pytest.mark.parametrize("name", list(FITTERS))
def test_shap_values_add_up_to_the_margin(data, name):
    shap = pytest.importorskip("shap", reason="shap is not installed (pip install shap)")
    if name.endswith("xgboost") and tuple(int(p) for p in shap.__version__.split(".")[:2]) < (0, 50):
        pytest.skip("shap < 0.50 cannot read xgboost >= 3.1's vector base_score (shap 0.50 needs Python 3.11)")
    X, y, n_classes = data
    est = FITTERS[name](X, y, posterior_correction=True)
    explainer = shap.TreeExplainer(est)
    values = np.asarray(explainer.shap_values(X))
    expected = np.asarray(explainer.expected_value)
    if n_classes == 2:
        assert values.shape == X.shape  # one margin, class 1's log-odds
        total = values.sum(axis=1) + expected.reshape(-1)[-1]
    else:
        assert values.shape == (len(X), X.shape[1], n_classes)
        total = values.sum(axis=1) + expected
    # SHAP explains the margin (the start score is its expected value's share); 1e-5 covers the
    # float32 leaf values XGBoost stores and SHAP's own float64 sums for LightGBM.
    np.testing.assert_allclose(total, est.decision_function(X), rtol=0, atol=1e-5)
    # The corrected probabilities are a function of that margin.
    np.testing.assert_allclose(est.loss_.posterior(total), est.predict_proba(X), rtol=0, atol=1e-5)
