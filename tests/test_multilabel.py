"""A multilabel 0/1 indicator y: FocalXGBClassifier trains the binary focal loss per label, as XGBClassifier does."""

import json
import pickle

import numpy as np
import pytest
import xgboost as xgb
from scipy.special import expit
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import GridSearchCV
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier

from skfocal import (
    BinaryFocalLoss,
    FocalLGBMClassifier,
    FocalXGBClassifier,
    MultilabelFocalLoss,
    _fastpath,
    focal_loss_score,
    focal_posterior,
)
from skfocal.metrics import make_focal_loss_scorer

N_LABELS = 4
PARAMS = {"n_estimators": 25, "n_jobs": 1, "max_depth": 3}
ALPHAS = [0.2, 0.35, 0.5, 0.7]
GAMMAS = [0.0, 1.0, 2.0, 3.5]
# XGBoost logs custom metrics rounded to 5-6 significant digits.
LOGGED_RTOL = 1e-4


@pytest.fixture(scope="module")
def data():
    X, Y = make_multilabel_classification(
        n_samples=1200, n_features=10, n_classes=N_LABELS, n_labels=1, allow_unlabeled=True, random_state=0
    )
    return X.astype(float), Y


@pytest.fixture(scope="module")
def per_label(data):
    X, Y = data
    return FocalXGBClassifier(focal_alpha=ALPHAS, focal_gamma=GAMMAS, **PARAMS).fit(X, Y)


def _label_losses():
    return [BinaryFocalLoss(alpha=a, gamma=g) for a, g in zip(ALPHAS, GAMMAS, strict=True)]


def _base_score(est) -> list:
    config = json.loads(est.get_booster().save_config())
    return json.loads(config["learner"]["learner_model_param"]["base_score"])


# -------------------------------------------------------------- the parent's model
@pytest.mark.parametrize("strategy", ["one_output_per_tree", "multi_output_tree"])
@pytest.mark.parametrize("setting", ["plain", "sample_weight", "scale_pos_weight"])
def test_gamma0_reproduces_xgbclassifier_on_the_same_indicator(data, strategy, setting):
    X, Y = data
    params, fit = {**PARAMS, "multi_strategy": strategy}, {}
    if setting == "sample_weight":
        fit["sample_weight"] = np.random.default_rng(1).uniform(0.2, 3.0, len(Y))
    elif setting == "scale_pos_weight":
        params["scale_pos_weight"] = 3.0
    focal = FocalXGBClassifier(focal_gamma=0.0, **params).fit(X, Y, **fit)
    native = xgb.XGBClassifier(**params).fit(X, Y, **fit)
    # 1e-4 in probability is the agreement asked of a drop-in (as for one label); float32
    # gradients and base_score leave about 1e-7.
    np.testing.assert_allclose(focal.predict_proba(X), native.predict_proba(X), atol=1e-4)
    np.testing.assert_array_equal(focal.predict(X), native.predict(X))
    # The start scores are XGBoost's own intercepts (float32 in its config).
    np.testing.assert_allclose(_base_score(focal), _base_score(native), rtol=1e-6)


def test_multi_strategy_is_honoured(data):
    X, Y = data
    one = FocalXGBClassifier(multi_strategy="one_output_per_tree", **PARAMS).fit(X, Y)
    multi = FocalXGBClassifier(multi_strategy="multi_output_tree", **PARAMS).fit(X, Y)
    assert len(one.get_booster().get_dump()) == PARAMS["n_estimators"] * N_LABELS  # a tree per label and round
    assert len(multi.get_booster().get_dump()) == PARAMS["n_estimators"]  # one vector-leaf tree per round
    assert multi.predict_proba(X).shape == one.predict_proba(X).shape == Y.shape
    assert not np.allclose(multi.predict_proba(X), one.predict_proba(X))


# -------------------------------------------------------------------- shapes
def test_outputs_have_the_parents_shapes(data, per_label):
    X, Y = data
    est = per_label
    np.testing.assert_array_equal(est.classes_, [0, 1])
    assert est.n_classes_ == 2
    assert est.predict_proba(X).shape == est.decision_function(X).shape == est.predict(X).shape == Y.shape
    assert est.init_score_.shape == (N_LABELS,)
    assert isinstance(est.loss_, MultilabelFocalLoss)
    assert est.predict(X).dtype == Y.dtype
    np.testing.assert_array_equal(est.predict(X), (est.predict_proba(X) > 0.5).astype(int))
    np.testing.assert_allclose(est.predict_proba(X), expit(est.decision_function(X)), rtol=1e-15)
    # The booster alone predicts the same margins: the start scores are in the model.
    margin = est.get_booster().predict(xgb.DMatrix(X), output_margin=True)
    np.testing.assert_allclose(margin, est.decision_function(X), rtol=0, atol=0)


def test_boolean_indicator_gives_boolean_predictions(data):
    X, Y = data
    est = FocalXGBClassifier(**PARAMS).fit(X, Y.astype(bool))
    np.testing.assert_array_equal(est.classes_, [False, True])
    assert est.predict(X).dtype == np.bool_
    same = FocalXGBClassifier(**PARAMS).fit(X, Y)
    np.testing.assert_array_equal(est.predict_proba(X), same.predict_proba(X))


def test_one_column_is_a_binary_target(data):
    # scikit-learn's convention (and XGBClassifier's): y of shape (n, 1) is one binary label.
    X, Y = data
    with pytest.warns(Warning, match="column-vector y"):
        est = FocalXGBClassifier(**PARAMS).fit(X, Y[:, :1])
    assert isinstance(est.loss_, BinaryFocalLoss)
    assert est.predict_proba(X).shape == (len(X), 2)


# ------------------------------------------------------------ per-label loss
def test_per_label_alpha_and_gamma_are_each_labels_binary_loss(data, per_label):
    X, Y = data
    margin = per_label.decision_function(X)
    grad, hess = per_label.loss_.gradient_hessian(Y, margin)
    for j, loss in enumerate(_label_losses()):
        g, h = loss.gradient_hessian(Y[:, j], margin[:, j])
        np.testing.assert_array_equal(grad[:, j], g)
        np.testing.assert_array_equal(hess[:, j], h)
        np.testing.assert_array_equal(per_label.loss_.loss(Y, margin)[:, j], loss.loss(Y[:, j], margin[:, j]))


def test_shared_alpha_and_gamma_are_one_binary_loss_on_all_values(data):
    X, Y = data
    est = FocalXGBClassifier(focal_alpha=0.25, focal_gamma=2.0, **PARAMS).fit(X, Y)
    margin = est.decision_function(X)
    grad, hess = est.loss_.gradient_hessian(Y, margin)
    g, h = BinaryFocalLoss(alpha=0.25, gamma=2.0).gradient_hessian(Y.ravel(), margin.ravel())
    np.testing.assert_array_equal(grad.ravel(), g)
    np.testing.assert_array_equal(hess.ravel(), h)
    # A per-label list of equal values is the same model.
    same = FocalXGBClassifier(focal_alpha=[0.25] * N_LABELS, focal_gamma=[2.0] * N_LABELS, **PARAMS).fit(X, Y)
    np.testing.assert_array_equal(same.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (ALPHAS, GAMMAS)])
@pytest.mark.parametrize("weighted", [False, True])
def test_training_path_matches_the_reference(data, alpha, gamma, weighted):
    # The compiled kernels (flattened for shared parameters, per label otherwise) against the
    # float64 numpy reference: the kernels' bounds of tests/test_kernels.py, relative 1e-5 for
    # the gradient and 1e-4 for the Hessian (float32 output; the arithmetic is float64 in both).
    X, Y = data
    rng = np.random.default_rng(3)
    z = rng.normal(scale=3.0, size=Y.shape).astype(np.float32)
    w = rng.uniform(0.2, 3.0, len(Y)) if weighted else None
    loss = MultilabelFocalLoss(alpha=alpha, gamma=gamma)
    grad, hess = loss.gradient_hessian(Y, z.astype(float), w)
    for small in (1 << 14, -1):  # numpy's float32 path, then the kernels for every size
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_fastpath, "SMALL_BINARY", small)
            g, h = loss._training_gradient_hessian(Y.astype(np.float32), z, w)
        np.testing.assert_allclose(g, grad, rtol=1e-5, atol=1e-30)
        np.testing.assert_allclose(h, hess, rtol=1e-4, atol=1e-30)


# ---------------------------------------------------------------- start score
def test_start_score_is_each_labels_one_dimensional_root(data, per_label):
    X, Y = data
    for j, loss in enumerate(_label_losses()):
        assert per_label.init_score_[j] == loss.init_score(Y[:, j])
        # The root of the stationarity condition: the summed gradient at the start score is 0
        # (to the roundoff of summing 1,200 gradients of size ~1).
        grad, _ = loss.gradient_hessian(Y[:, j], np.full(len(Y), per_label.init_score_[j]))
        assert abs(grad.sum()) < 1e-9 * len(Y)
    np.testing.assert_allclose(_base_score(per_label), expit(per_label.init_score_), rtol=1e-6)  # float32 config


def test_start_score_with_sample_weight(data):
    X, Y = data
    w = np.random.default_rng(2).uniform(0.0, 2.0, len(Y))
    est = FocalXGBClassifier(focal_alpha=ALPHAS, focal_gamma=GAMMAS, **PARAMS).fit(X, Y, sample_weight=w)
    expected = [loss.init_score(Y[:, j], w) for j, loss in enumerate(_label_losses())]
    # The weighted totals are summed in another order (a matrix product, not bincount): the
    # roots move by a few units in the last place.
    np.testing.assert_allclose(est.init_score_, expected, rtol=1e-14)
    np.testing.assert_allclose(MultilabelFocalLoss(alpha=ALPHAS, gamma=GAMMAS).init_score(Y, w), expected, rtol=1e-14)


def test_fixed_base_score_starts_every_label_there(data):
    X, Y = data
    est = FocalXGBClassifier(base_score=0.3, **PARAMS).fit(X, Y)
    np.testing.assert_allclose(est.init_score_, np.full(N_LABELS, np.log(0.3 / 0.7)), rtol=1e-15)


def test_balanced_alpha_weights_each_labels_classes(data):
    X, Y = data
    est = FocalXGBClassifier(focal_alpha="balanced", **PARAMS).fit(X, Y)
    positives = Y.sum(axis=0)
    expected = np.column_stack([len(Y) / (2 * (len(Y) - positives)), len(Y) / (2 * positives)])
    np.testing.assert_allclose(est.loss_.class_weights_, expected, rtol=1e-15)


# ------------------------------------------------------------------ posterior
def test_posterior_correction_per_label(data, per_label):
    X, Y = data
    corrected = FocalXGBClassifier(posterior_correction=True, focal_alpha=ALPHAS, focal_gamma=GAMMAS, **PARAMS)
    corrected.fit(X, Y)
    np.testing.assert_array_equal(corrected.decision_function(X), per_label.decision_function(X))
    margin = corrected.decision_function(X)
    proba = corrected.predict_proba(X)
    assert proba.shape == Y.shape
    for j, (alpha, gamma) in enumerate(zip(ALPHAS, GAMMAS, strict=True)):
        expected = focal_posterior(expit(margin[:, j]), gamma=gamma, alpha=alpha)[:, 1]
        # From the margin (log-space) and from the probability: the same closed form, 1e-12 apart.
        np.testing.assert_allclose(proba[:, j], expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(corrected.predict(X), (proba > 0.5).astype(int))


def test_posterior_at_gamma0_without_alpha_is_the_sigmoid(data):
    X, Y = data
    est = FocalXGBClassifier(focal_gamma=0.0, posterior_correction=True, **PARAMS).fit(X, Y)
    np.testing.assert_allclose(est.predict_proba(X), expit(est.decision_function(X)), rtol=1e-12)


# --------------------------------------------------- eval metric, early stopping
def test_eval_metric_is_the_mean_over_labels(data):
    X, Y = data
    X_fit, Y_fit, X_val, Y_val = X[:800], Y[:800], X[800:], Y[800:]
    w_val = np.random.default_rng(4).uniform(0.5, 2.0, len(Y_val))
    est = FocalXGBClassifier(focal_alpha=ALPHAS, focal_gamma=GAMMAS, **PARAMS)
    est.fit(X_fit, Y_fit, eval_set=[(X_val, Y_val)], sample_weight_eval_set=[w_val], verbose=False)
    logged = est.evals_result()["validation_0"]["focal_loss"]
    assert len(logged) == PARAMS["n_estimators"]
    proba = est.predict_proba(X_val)
    expected = np.mean(
        [focal_loss_score(Y_val[:, j], proba[:, j], gamma=g, alpha=a, sample_weight=w_val) for j, (a, g) in
         enumerate(zip(ALPHAS, GAMMAS, strict=True))]
    )  # fmt: skip
    assert logged[-1] == pytest.approx(expected, rel=LOGGED_RTOL)
    assert focal_loss_score(Y_val, proba, gamma=GAMMAS, alpha=ALPHAS, sample_weight=w_val) == pytest.approx(
        expected, rel=1e-12
    )


def test_metrics_of_the_user_see_what_xgbclassifiers_see(data):
    # A callable metric gets each label's probability (the sigmoid), a string metric is XGBoost's.
    def mean_abs_error(y_true, proba):
        return float(np.mean(np.abs(y_true - proba)))

    X, Y = data
    logged = {}
    for cls, extra in [(xgb.XGBClassifier, {}), (FocalXGBClassifier, {"focal_gamma": 0.0})]:
        for metric in (mean_abs_error, ["logloss", "error"]):
            est = cls(eval_metric=metric, **PARAMS, **extra).fit(X, Y, eval_set=[(X, Y)], verbose=False)
            logged[cls, str(metric)] = est.evals_result()["validation_0"]
    for metric in (mean_abs_error, ["logloss", "error"]):
        focal, native = logged[FocalXGBClassifier, str(metric)], logged[xgb.XGBClassifier, str(metric)]
        # A callable replaces the focal metric; string metrics are logged before it.
        assert set(focal) == ({"logloss", "error", "focal_loss"} if isinstance(metric, list) else {"mean_abs_error"})
        for name in set(focal) - {"focal_loss"}:  # the same model (1e-4 apart, as above): the same values
            np.testing.assert_allclose(focal[name], native[name], rtol=LOGGED_RTOL, atol=1e-6)


def test_early_stopping_watches_the_focal_loss(data):
    X, Y = data
    est = FocalXGBClassifier(n_estimators=300, learning_rate=0.5, early_stopping_rounds=5, n_jobs=1, max_depth=4)
    est.fit(X[:800], Y[:800], eval_set=[(X[800:], Y[800:])], verbose=False)
    logged = est.evals_result()["validation_0"]["focal_loss"]
    assert len(logged) < 300
    assert est.best_iteration == int(np.argmin(logged))
    assert len(logged) == est.best_iteration + 6


def test_eval_set_labels_are_checked(data):
    X, Y = data
    est = FocalXGBClassifier(**PARAMS)
    with pytest.raises(ValueError, match="eval_set labels has 3 label columns; the model was fitted on 4"):
        est.fit(X, Y, eval_set=[(X, Y[:, :3])])
    with pytest.raises(ValueError, match="eval_set labels must be a 0/1 indicator of shape"):
        est.fit(X, Y, eval_set=[(X, Y[:, 0])])
    with pytest.raises(ValueError, match="must hold only 0 and 1"):
        est.fit(X, Y, eval_set=[(X, 2 * Y)])


# -------------------------------------------------------------- model files
@pytest.mark.parametrize("suffix", ["json", "ubj"])
def test_save_and_load_round_trip(data, per_label, tmp_path, suffix):
    X, Y = data
    path = tmp_path / f"model.{suffix}"
    per_label.save_model(path)
    loaded = FocalXGBClassifier()
    loaded.load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), per_label.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), per_label.predict(X))
    np.testing.assert_array_equal(loaded.init_score_, per_label.init_score_)
    assert loaded.loss_ == per_label.loss_
    assert loaded.focal_gamma == GAMMAS and loaded.focal_alpha == ALPHAS
    # An ordinary XGBoost model: the booster alone gives the same probabilities.
    proba = xgb.Booster(model_file=str(path)).predict(xgb.DMatrix(X))
    np.testing.assert_allclose(proba, per_label.predict_proba(X), rtol=1e-6)  # float32 against float64 sigmoid


def test_pickle_round_trip(data, per_label):
    X, _ = data
    loaded = pickle.loads(pickle.dumps(per_label))
    np.testing.assert_array_equal(loaded.predict_proba(X), per_label.predict_proba(X))
    assert loaded.loss_ == per_label.loss_


def test_save_and_load_keeps_the_posterior_correction(data, tmp_path):
    X, Y = data
    est = FocalXGBClassifier(posterior_correction=True, focal_alpha=0.3, **PARAMS).fit(X, Y)
    est.save_model(tmp_path / "model.json")
    loaded = FocalXGBClassifier()
    loaded.load_model(tmp_path / "model.json")
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


# ---------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "column, message", [(0, r"Label column\(s\) \[2\] of y hold a single value"), (1, r"Label column\(s\) \[2\]")]
)
def test_constant_label_column_is_refused(data, column, message):
    X, Y = data
    Y = Y.copy()
    Y[:, 2] = column
    with pytest.raises(ValueError, match=message):
        FocalXGBClassifier(**PARAMS).fit(X, Y)


def test_label_without_weight_on_one_value_is_refused(data):
    X, Y = data
    w = np.where(Y[:, 1] == 1, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"every positive or every negative sample of label\(s\) \[1\]"):
        FocalXGBClassifier(**PARAMS).fit(X, Y, sample_weight=w)


@pytest.mark.parametrize(
    "make_y, message",
    [
        (lambda Y: np.stack([Y, Y], axis=2), "got 3 dimensions"),
        (lambda Y: 2 * Y, r"must hold only 0 and 1 .* holds \[0, 2\]"),
        (lambda Y: Y - 0.5, "must hold only 0 and 1"),
        (lambda Y: np.where(Y == 1, "a", "b"), "must hold only 0 and 1"),
    ],
    ids=["3-D", "0/2", "-0.5/0.5", "strings"],
)
def test_bad_indicator_is_refused(data, make_y, message):
    X, Y = data
    with pytest.raises(ValueError, match=message):
        FocalXGBClassifier(**PARAMS).fit(X, make_y(Y))


NOT_FINITE = "focal_gamma (must hold finite numbers|values must be finite and) >= 0"


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"focal_gamma": [1.0, 2.0]}, ValueError, r"focal_gamma must be one number, or one per label \(4 labels\)"),
        ({"focal_gamma": [1.0, -1.0, 2.0, 2.0]}, ValueError, NOT_FINITE),
        ({"focal_gamma": [1.0, np.nan, 2.0, 2.0]}, ValueError, NOT_FINITE),
        ({"focal_gamma": -0.5}, ValueError, "focal_gamma must be a finite number >= 0"),
        ({"focal_gamma": np.inf}, ValueError, "focal_gamma must be a finite number >= 0"),
        ({"focal_alpha": [0.2, 0.3]}, ValueError, r"focal_alpha must be one float, one float per label \(4\)"),
        ({"focal_alpha": [0.2, 0.3, 1.5, 0.4]}, ValueError, r"per label must lie in the open interval \(0, 1\)"),
        ({"focal_alpha": 1.5}, ValueError, r"open interval \(0, 1\)"),
        ({"focal_alpha": {0: 0.3, 1: 0.7}}, TypeError, "focal_alpha for a multilabel y must be"),
        ({"focal_gamma": {0: 1.0, 1: 2.0}}, TypeError, "focal_gamma"),
    ],
)
def test_bad_per_label_parameters_are_refused(data, params, error, message):
    X, Y = data
    with pytest.raises(error, match=message):
        FocalXGBClassifier(**PARAMS, **params).fit(X, Y)


def test_loss_object_checks_its_labels():
    with pytest.raises(ValueError, match="different numbers of labels"):
        MultilabelFocalLoss(alpha=[0.2, 0.3], gamma=[1.0, 2.0, 3.0])
    loss = MultilabelFocalLoss(gamma=[1.0, 2.0])
    with pytest.raises(ValueError, match="The scores have 3 labels but alpha or gamma is given for 2"):
        loss.gradient_hessian(np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="only 0 and 1"):
        loss.gradient_hessian(np.full((4, 2), 2), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="shape"):
        loss.loss(np.zeros(4), np.zeros(4))


# ------------------------------------------------------------------- refusals
def test_lightgbm_refuses_a_2d_y_and_names_multioutputclassifier(data):
    X, Y = data
    with pytest.raises(ValueError, match=r"sklearn\.multioutput\.MultiOutputClassifier\(FocalLGBMClassifier\(\)\)"):
        FocalLGBMClassifier(verbose=-1).fit(X, Y)


def test_wrappers_around_the_estimators_keep_working(data):
    X, Y = data
    wrapped = MultiOutputClassifier(FocalLGBMClassifier(n_estimators=10, verbose=-1, n_jobs=1)).fit(X, Y)
    for j, est in enumerate(wrapped.estimators_):
        single = FocalLGBMClassifier(n_estimators=10, verbose=-1, n_jobs=1).fit(X, Y[:, j])
        np.testing.assert_array_equal(est.predict_proba(X), single.predict_proba(X))
    assert wrapped.predict(X).shape == Y.shape
    chain = ClassifierChain(FocalXGBClassifier(**PARAMS), order=[0, 1, 2, 3]).fit(X, Y)
    first = FocalXGBClassifier(**PARAMS).fit(X, Y[:, 0])
    np.testing.assert_allclose(chain.predict_proba(X)[:, 0], first.predict_proba(X)[:, 1], rtol=1e-15)
    assert chain.predict(X).shape == Y.shape


@pytest.mark.parametrize("name", ["FocalDaskLGBMClassifier", "FocalDaskXGBClassifier"])
def test_dask_estimators_refuse_a_multilabel_y(data, name):
    da = pytest.importorskip("dask.array")
    dask_module = pytest.importorskip("skfocal.dask")
    X, Y = data
    est = getattr(dask_module, name)()
    with pytest.raises(ValueError, match="a multilabel indicator y of shape .* is not supported"):
        est.fit(da.from_array(X, chunks=(600, -1)), da.from_array(Y, chunks=(600, -1)))
    assert not est.__sklearn_tags__().classifier_tags.multi_label


def test_onnx_export_refuses_a_multilabel_model(data, per_label):
    pytest.importorskip("skl2onnx")
    pytest.importorskip("onnxmltools")
    from skl2onnx import to_onnx

    import skfocal.onnx  # noqa: F401  (registers the converters)

    X, _ = data
    with pytest.raises(ValueError, match="fitted on a multilabel y to ONNX is not supported"):
        to_onnx(per_label, X[:1].astype(np.float32), options={"zipmap": False})


# ----------------------------------------------------------- metric and search
def test_focal_loss_score_of_an_indicator_is_the_mean_over_labels(data, per_label):
    X, Y = data
    proba = per_label.predict_proba(X)
    expected = np.mean([focal_loss_score(Y[:, j], proba[:, j], gamma=2.0, alpha=0.3) for j in range(N_LABELS)])
    assert focal_loss_score(Y, proba, gamma=2.0, alpha=0.3) == expected
    # The training loss of the margins, from their probabilities (clipping at 1e-16 aside).
    margin = per_label.decision_function(X)
    train_loss = per_label.loss_.loss(Y, margin).mean()
    assert focal_loss_score(Y, proba, gamma=GAMMAS, alpha=ALPHAS) == pytest.approx(train_loss, rel=1e-10)


def test_focal_loss_score_refuses_what_it_cannot_score(data, per_label):
    X, Y = data
    proba = per_label.predict_proba(X)
    with pytest.raises(ValueError, match="the same shape"):
        focal_loss_score(Y, proba[:, :3])
    with pytest.raises(ValueError, match="score a multilabel model with focal_loss_score"):
        focal_loss_score(Y, proba[:, 0])
    with pytest.raises(ValueError, match="must hold only 0 and 1"):
        focal_loss_score(2 * Y, proba)
    with pytest.raises(ValueError, match="pos_label and labels are for class labels"):
        focal_loss_score(Y, proba, pos_label=1)
    with pytest.raises(ValueError, match=r"one per label \(4 labels\)"):
        focal_loss_score(Y, proba, gamma=[1.0, 2.0])
    scorer = make_focal_loss_scorer(gamma=1.0)
    with pytest.raises(ValueError, match="score a multilabel model with focal_loss_score"):
        scorer(per_label, X, Y)


def test_grid_search_over_per_label_gammas(data):
    X, Y = data
    grid = {"focal_gamma": [[0.0] * N_LABELS, [2.0, 2.0, 0.5, 0.5]], "focal_alpha": [None, ALPHAS]}
    search = GridSearchCV(FocalXGBClassifier(n_estimators=5, n_jobs=1), grid, cv=2).fit(X, Y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.predict_proba(X).shape == Y.shape


def test_a_label_that_cannot_split_warns_by_itself(data):
    X, Y = data
    gammas = [2.0] * Y.shape[1]
    gammas[1] = 80.0  # Hessians of about 1e-13: label 1 alone would be constant
    with pytest.warns(UserWarning, match=r"for label\(s\) \[1\] .*can make no split"):
        model = FocalXGBClassifier(**PARAMS, focal_gamma=gammas).fit(X, Y)
    spread = np.ptp(model.predict_proba(X), axis=0)
    assert spread[1] < 1e-9 and spread[0] > 1e-3
