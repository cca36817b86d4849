"""One focusing parameter per class (``focal_gamma`` as a list or a dict) in the estimators, the metric and the scorer.

The loss itself (gradient, Hessian, start score, posterior with a gamma per class) is held to its
references in test_loss.py, test_loss_multiclass.py, test_posterior.py and test_kernels.py; here
every public entry point is checked to take every form of ``focal_gamma`` with the same meaning.
"""

import pickle

import numpy as np
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfocal import BinaryFocalLoss, MulticlassFocalLoss, focal_posterior
from skfocal.metrics import focal_loss_score, make_focal_loss_scorer

FAST = {"n_estimators": 8}


def _binary(seed=0, n=600):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + rng.normal(size=n) > 1.2).astype(int)
    return X, y


def _three(seed=0, n=600):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = np.digitize(X[:, 0] + rng.normal(size=n), [-0.8, 0.9])
    return X, np.array(["cat", "dog", "eel"])[y]


def _params(case, **kw):
    return {**case.params, **FAST, **kw}


# ---------------------------------------------------------------------------------- estimators
def test_every_form_of_a_gamma_per_class_gives_the_same_model(case):
    X, y = _binary()
    forms = [[4.0, 0.0], (4, 0), np.array([4.0, 0.0]), {0: 4.0, 1: 0.0}, {np.int64(1): 0, np.int64(0): 4}]
    models = [case.focal(focal_gamma=form, **_params(case)).fit(X, y) for form in forms]
    reference = models[0].predict_proba(X)
    for model in models:
        np.testing.assert_array_equal(model.loss_.class_gammas_, [4.0, 0.0])
        np.testing.assert_array_equal(model.predict_proba(X), reference)
    # The model is trained on the loss with the negatives' gamma 4 and the positives' 0: its
    # start score is that loss's optimal constant, and it is neither gamma's one-gamma model.
    loss = BinaryFocalLoss(gamma=[4.0, 0.0])
    assert models[0].init_score_ == pytest.approx(loss.init_score(y), rel=1e-12)
    ours = loss.loss(y, models[0].decision_function(X)).mean()
    for gamma in (4.0, 0.0):
        other = case.focal(focal_gamma=gamma, **_params(case)).fit(X, y)
        assert np.max(np.abs(other.predict_proba(X) - reference)) > 1e-3
        # and on its own loss it reaches a lower training loss than they do
        assert ours < loss.loss(y, other.decision_function(X)).mean()


def test_equal_gammas_are_the_one_gamma_model_bit_for_bit(case):
    X, y = _binary()
    one = case.focal(focal_gamma=2.0, **_params(case)).fit(X, y)
    for form in ([2.0, 2.0], {0: 2.0, 1: 2.0}):
        same = case.focal(focal_gamma=form, **_params(case)).fit(X, y)
        assert same.loss_.class_gammas_ is None
        np.testing.assert_array_equal(same.decision_function(X), one.decision_function(X))
    # and [0, 0] is still the parent's model, as focal_gamma=0 is
    zero = case.focal(focal_gamma=0.0, **_params(case)).fit(X, y)
    np.testing.assert_array_equal(
        case.focal(focal_gamma=[0, 0], **_params(case)).fit(X, y).decision_function(X), zero.decision_function(X)
    )


def test_multiclass_gamma_by_label_follows_classes_order(case):
    X, y = _three()
    by_list = case.focal(focal_gamma=[0.0, 2.0, 5.0], **_params(case)).fit(X, y)
    by_dict = case.focal(focal_gamma={"eel": 5.0, "cat": 0.0, "dog": 2.0}, **_params(case)).fit(X, y)
    np.testing.assert_array_equal(by_list.loss_.class_gammas_, [0.0, 2.0, 5.0])
    np.testing.assert_array_equal(by_dict.predict_proba(X), by_list.predict_proba(X))
    encoded = np.searchsorted(by_list.classes_, y)
    expected = MulticlassFocalLoss(gamma=[0.0, 2.0, 5.0]).init_score(encoded)
    np.testing.assert_allclose(by_list.init_score_, expected, rtol=0, atol=1e-10)
    reversed_model = case.focal(focal_gamma=[5.0, 2.0, 0.0], **_params(case)).fit(X, y)
    assert np.max(np.abs(reversed_model.predict_proba(X) - by_list.predict_proba(X))) > 1e-3


@pytest.mark.parametrize("n_classes", [2, 3])
def test_posterior_correction_uses_each_class_gamma(case, n_classes):
    X, y = _binary() if n_classes == 2 else _three()
    gamma = [4.0, 0.0] if n_classes == 2 else [0.5, 3.0, 1.0]
    alpha = 0.3 if n_classes == 2 else [1.0, 2.0, 0.5]
    est = case.focal(focal_gamma=gamma, focal_alpha=alpha, posterior_correction=True, **_params(case)).fit(X, y)
    margin = est.decision_function(X)
    prob = expit(margin) if n_classes == 2 else np.exp(margin - margin.max(axis=1, keepdims=True))
    prob = prob if n_classes == 2 else prob / prob.sum(axis=1, keepdims=True)
    # the same closed form from probabilities: a few float64 roundings apart
    np.testing.assert_allclose(est.predict_proba(X), focal_posterior(prob, gamma=gamma, alpha=alpha), rtol=1e-9)
    np.testing.assert_array_equal(est.predict_proba(X), est.loss_.posterior(margin))
    raw = case.focal(focal_gamma=gamma, focal_alpha=alpha, **_params(case)).fit(X, y)
    assert np.max(np.abs(raw.predict_proba(X) - est.predict_proba(X))) > 1e-3  # the correction did something


def test_grid_search_over_lists_and_dicts(case):
    X, y = _binary()
    grid = {"focal_gamma": [2.0, [4.0, 0.0], {0: 1.0, 1: 3.0}]}
    search = GridSearchCV(case.focal(**_params(case)), grid, cv=2, scoring="neg_log_loss").fit(X, y)
    assert [p["focal_gamma"] for p in search.cv_results_["params"]] == grid["focal_gamma"]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.focal_gamma in grid["focal_gamma"]
    # clone, get_params and set_params carry the list and the dict as given
    est = case.focal(focal_gamma={0: 4.0, 1: 0.0}, **_params(case))
    assert clone(est).get_params()["focal_gamma"] == {0: 4.0, 1: 0.0}
    est.set_params(focal_gamma=[1.0, 0.5])
    assert est.get_params()["focal_gamma"] == [1.0, 0.5]
    np.testing.assert_array_equal(est.fit(X, y).loss_.class_gammas_, [1.0, 0.5])


def test_pickle_round_trip(case):
    X, y = _three()
    est = case.focal(focal_gamma={"cat": 4.0, "dog": 0.0, "eel": 1.0}, posterior_correction=True, **_params(case))
    est.fit(X, y)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(back.loss_.class_gammas_, [4.0, 0.0, 1.0])


@pytest.mark.parametrize("gamma", [[4.0, 0.0, 1.0], {"cat": 4.0, "dog": 0.0, "eel": 1.0}])
def test_xgboost_save_and_load_keep_the_gammas(xgb_case, tmp_path, gamma):
    X, y = _three()
    est = xgb_case.focal(focal_gamma=gamma, posterior_correction=True, **_params(xgb_case)).fit(X, y)
    est.save_model(tmp_path / "model.json")
    loaded = xgb_case.focal()
    loaded.load_model(tmp_path / "model.json")
    assert loaded.focal_gamma == gamma
    np.testing.assert_array_equal(loaded.loss_.class_gammas_, [4.0, 0.0, 1.0])
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize(
    ("n_classes", "gamma", "error", "message"),
    [
        (2, [1.0, 2.0, 3.0], ValueError, "3 values but there are 2 classes"),
        (3, [1.0, 2.0], ValueError, "2 values but there are 3 classes"),
        (2, {0: 1.0}, ValueError, r"no gamma for class\(es\) \[1\]"),
        (3, {"cat": 1.0, "dog": 1.0}, ValueError, r"no gamma for class\(es\) \['eel'\]"),
        (2, {0: 1.0, 1: 2.0, 7: 3.0}, ValueError, r"labels not in the data: \[7\]"),
        (2, [1.0, -0.5], ValueError, "finite and >= 0"),
        (2, [np.nan, 1.0], ValueError, "finite and >= 0"),
        (2, [1.0, np.inf], ValueError, "finite and >= 0"),
        (2, {0: -1.0, 1: 2.0}, ValueError, r"focal_gamma\[0\] must be a finite number >= 0"),
        (2, {0: "2", 1: 2.0}, TypeError, r"focal_gamma\[0\] must be a real number"),
        (2, [[1.0, 2.0]], ValueError, r"one number per class .*shape \(1, 2\)"),
        (2, np.ones((2, 2)), ValueError, r"one number per class .*shape \(2, 2\)"),
        (2, "2", TypeError, "focal_gamma must be a number >= 0 or one number >= 0 per class"),
        (2, ["a", "b"], TypeError, "focal_gamma must be a number >= 0 or one number >= 0 per class"),
        (2, None, TypeError, "focal_gamma must be a number >= 0"),
    ],
)
def test_bad_gammas_are_refused_with_a_clear_error(case, n_classes, gamma, error, message):
    X, y = _binary() if n_classes == 2 else _three()
    with pytest.raises(error, match=message):
        case.focal(focal_gamma=gamma, **_params(case)).fit(X, y)


# --------------------------------------------------------------------------------- the metric
def test_focal_loss_score_takes_every_form_of_gamma():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    p1 = rng.uniform(0.01, 0.99, 200)
    q = np.where(y == 1, 1 - p1, p1)  # 1 - p_t
    pt = np.where(y == 1, p1, 1 - p1)
    expected = np.mean(-(q ** np.where(y == 1, 0.0, 4.0)) * np.log(pt))
    proba = np.column_stack([1 - p1, p1])
    for gamma in ([4.0, 0.0], (4, 0), np.array([4.0, 0.0]), {0: 4.0, 1: 0.0}):
        assert focal_loss_score(y, p1, gamma=gamma) == pytest.approx(expected, rel=1e-12)
        assert focal_loss_score(y, proba, gamma=gamma) == pytest.approx(expected, rel=1e-12)
    # one gamma as a float is unchanged, and equal gammas are that gamma
    assert focal_loss_score(y, p1, gamma=[2.0, 2.0]) == focal_loss_score(y, p1, gamma=2.0)
    # 1-D probabilities: gammas in (negative, positive) order; string labels by dict
    labels = np.array(["no", "yes"])[y]
    assert focal_loss_score(labels, p1, gamma={"no": 4.0, "yes": 0.0}) == pytest.approx(expected, rel=1e-12)
    assert focal_loss_score(labels, p1, gamma=[4.0, 0.0]) == pytest.approx(expected, rel=1e-12)


def test_focal_loss_score_multiclass_gamma_in_label_order():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 300)
    proba = rng.dirichlet(np.ones(3), size=300)
    gammas = np.array([0.5, 2.0, 5.0])
    rows = np.arange(300)
    pt = proba[rows, y]
    expected = np.mean(-((1 - pt) ** gammas[y]) * np.log(pt) * np.array([1.0, 2.0, 0.5])[y])
    got = focal_loss_score(y, proba, gamma=[0.5, 2.0, 5.0], alpha=[1.0, 2.0, 0.5])
    assert got == pytest.approx(expected, rel=1e-10)  # 1 - p_t from the other columns: a few ulps apart
    names = np.array(["a", "b", "c"])[y]
    assert focal_loss_score(names, proba, gamma={"c": 5.0, "a": 0.5, "b": 2.0}, alpha=[1.0, 2.0, 0.5]) == got


@pytest.mark.parametrize(
    ("gamma", "error", "message"),
    [
        ([1.0, 2.0, 3.0], ValueError, "3 values but there are 2 classes"),
        ({0: 1.0}, ValueError, "no gamma for class"),
        ({0: 1.0, 1: 1.0, 2: 1.0}, ValueError, "not in the data"),
        ([1.0, -1.0], ValueError, "finite and >= 0"),
        ([[1.0, 2.0]], ValueError, "one number per class"),
        ("2", TypeError, "gamma must be a number >= 0"),
    ],
)
def test_focal_loss_score_refuses_bad_gammas(gamma, error, message):
    with pytest.raises(error, match=message):
        focal_loss_score([0, 1, 1], [[0.7, 0.3], [0.4, 0.6], [0.2, 0.8]], gamma=gamma)


def test_scorer_with_a_gamma_per_class(case):
    X, y = _binary()
    est = case.focal(focal_gamma=[4.0, 0.0], **_params(case)).fit(X, y)
    for gamma in ([4.0, 0.0], {0: 4.0, 1: 0.0}):
        scorer = make_focal_loss_scorer(gamma=gamma)
        assert scorer(est, X, y) == pytest.approx(-focal_loss_score(y, est.predict_proba(X), gamma=[4.0, 0.0]))
    for bad, error in (([1.0, -1.0], ValueError), ("x", TypeError), ({0: np.nan}, ValueError)):
        with pytest.raises(error):
            make_focal_loss_scorer(gamma=bad)
