"""Tests of skfocal.metrics: focal_loss_score and make_focal_loss_scorer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skfocal import BinaryFocalLoss, FocalLGBMClassifier
from skfocal.metrics import focal_loss_score, make_focal_loss_scorer


def _random_binary(n=500, seed=0, low=0.01, high=0.99):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    p = rng.uniform(low, high, size=n)
    w = rng.exponential(size=n)
    return y, p, w


def _catboost_focal(y01, p, gamma, alpha, w=None):
    """CatBoost's Focal metric, written out: mean of -alpha_t * (1 - pt)**gamma * log(pt)."""
    pt = np.where(y01 == 1, p, 1.0 - p)
    alpha_t = 1.0 if alpha is None else np.where(y01 == 1, alpha, 1.0 - alpha)
    per_row = -alpha_t * (1.0 - pt) ** gamma * np.log(pt)
    return np.sum(per_row * (1.0 if w is None else w)) / (len(p) if w is None else np.sum(w))


# --------------------------------------------------------------------------------------------------
# Equivalences
# --------------------------------------------------------------------------------------------------
def test_gamma_zero_equals_log_loss():
    y, p, w = _random_binary()
    labels = np.array(["neg", "pos"])[y]  # "pos" sorts last, so it is the positive class
    P = np.column_stack([1 - p, p])
    # Same clipping and the same log of the same numbers: agreement to summation-order rounding.
    rel = 1e-12
    assert focal_loss_score(y, p, gamma=0) == pytest.approx(log_loss(y, p), rel=rel)
    assert focal_loss_score(y, p, gamma=0, sample_weight=w) == pytest.approx(log_loss(y, p, sample_weight=w), rel=rel)
    assert focal_loss_score(y, P, gamma=0) == pytest.approx(log_loss(y, P), rel=rel)
    assert focal_loss_score(y, P, gamma=0, sample_weight=w) == pytest.approx(log_loss(y, P, sample_weight=w), rel=rel)
    assert focal_loss_score(labels, p, gamma=0) == pytest.approx(log_loss(labels, p), rel=rel)
    assert focal_loss_score(labels, P, gamma=0, sample_weight=w) == pytest.approx(
        log_loss(labels, P, sample_weight=w), rel=rel
    )


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.25, 0.9])
def test_matches_catboost_definition_and_loss_class(gamma, alpha):
    y, p, w = _random_binary(seed=int(gamma * 10) + (0 if alpha is None else int(alpha * 100)))
    # Plain numpy on the same inputs: only summation order differs, so 1e-12.
    assert focal_loss_score(y, p, gamma=gamma, alpha=alpha) == pytest.approx(
        _catboost_focal(y, p, gamma, alpha), rel=1e-12
    )
    assert focal_loss_score(y, p, gamma=gamma, alpha=alpha, sample_weight=w) == pytest.approx(
        _catboost_focal(y, p, gamma, alpha, w), rel=1e-12
    )
    # Through logit(p) and back the loss class sees p to a few ulps; with p in [0.01, 0.99]
    # that perturbs the mean by far less than 1e-10.
    via_margin = BinaryFocalLoss(alpha=alpha, gamma=gamma).loss(y, logit(p)).mean()
    assert focal_loss_score(y, p, gamma=gamma, alpha=alpha) == pytest.approx(via_margin, rel=1e-10)


def test_paper_ratio():
    y = [1, 0, 1]
    p = [0.9, 0.1, 0.9]  # pt = 0.9 on every row
    ratio = focal_loss_score(y, p, gamma=2.0) / focal_loss_score(y, p, gamma=0.0)
    # (1 - 0.9)**2 in floating point: 0.1 is inexact, and 1 - 0.9 loses a few more ulps.
    assert ratio == pytest.approx(0.01, rel=1e-12)


# --------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------
def test_pos_label_strings():
    y01, p, _ = _random_binary(n=200, seed=3)
    y = np.array(["a", "b"])[y01]
    # default positive: "b", the greater label
    assert focal_loss_score(y, p) == pytest.approx(focal_loss_score(y01, p), rel=1e-15)
    assert focal_loss_score(y, p, pos_label="b", alpha=0.25) == focal_loss_score(y, p, alpha=0.25)
    # pos_label="a": p is now the probability of "a"; the same as "b" positive with 1 - p.
    # (1 - (1 - p) differs from p by an ulp: 1e-12.)
    assert focal_loss_score(y, p, pos_label="a") == pytest.approx(focal_loss_score(y, 1 - p), rel=1e-12)
    assert focal_loss_score(y, p, pos_label="a", alpha=0.25) == pytest.approx(
        focal_loss_score(y, 1 - p, alpha=0.75), rel=1e-12
    )
    assert focal_loss_score(y, p, pos_label="a") != pytest.approx(focal_loss_score(y, p), rel=1e-3)


def test_pos_label_with_predict_proba_matrix():
    """The (n, 2) matrix is in sorted label order, so with pos_label="a" column 0 is P(positive)."""
    y01, p, _ = _random_binary(n=200, seed=4)
    y = np.array(["a", "b"])[y01]
    P = np.column_stack([1 - p, p])  # columns: P("a"), P("b")
    expected = focal_loss_score(y, P[:, 0], pos_label="a", alpha=0.25)
    # same numbers, taken from the matrix instead of passed directly
    assert focal_loss_score(y, P, pos_label="a", alpha=0.25) == pytest.approx(expected, rel=1e-12)


def test_single_label():
    p = np.array([0.2, 0.7, 0.9])
    # only positives (label 1): pt = p
    assert focal_loss_score([1, 1, 1], p, gamma=2.0) == pytest.approx(
        np.mean(-((1 - p) ** 2) * np.log(p)),
        rel=1e-12,  # summation-order rounding only
    )
    # only negatives (label 0): pt = 1 - p
    assert focal_loss_score([0, 0, 0], p, gamma=2.0) == pytest.approx(
        np.mean(-(p**2) * np.log(1 - p)),
        rel=1e-12,  # summation-order rounding only
    )
    with pytest.raises(ValueError):
        focal_loss_score(["a", "a", "a"], p)
    # with pos_label the single string label is usable
    assert focal_loss_score(["a", "a", "a"], p, pos_label="a") == focal_loss_score([1, 1, 1], p)
    assert focal_loss_score(["a", "a", "a"], p, pos_label="b") == focal_loss_score([0, 0, 0], p)


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "y_true, y_prob, kwargs",
    [
        ([0, 1], [-0.1, 0.5], {}),
        ([0, 1], [0.5, 1.1], {}),
        ([0, 1], [0.5, np.nan], {}),
        ([0, 1], [[0.5, 0.6], [0.2, 0.8]], {}),  # row not summing to 1
        ([0, 1], [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], {}),  # three columns
        ([0, 1, 1], [0.5, 0.5], {}),  # length mismatch
        ([0, 1], [0.5, 0.5], {"sample_weight": [1.0, 1.0, 1.0]}),
        ([0, 1, 2], [0.5, 0.5, 0.5], {}),  # three classes
        ([0, 1], [0.5, 0.5], {"gamma": -1.0}),
        ([0, 1], [0.5, 0.5], {"gamma": np.nan}),
        ([0, 1], [0.5, 0.5], {"alpha": 0}),
        ([0, 1], [0.5, 0.5], {"alpha": 1}),
        ([0, 1], [0.5, 0.5], {"alpha": 2}),
        ([0, 1], [0.5, 0.5], {"alpha": "x"}),
        ([0, 1], [0.5, 0.5], {"gamma": "2"}),
    ],
)
def test_bad_input_raises(y_true, y_prob, kwargs):
    with pytest.raises((ValueError, TypeError)):
        focal_loss_score(y_true, y_prob, **kwargs)


# --------------------------------------------------------------------------------------------------
# Scorer
# --------------------------------------------------------------------------------------------------
def _classification(n=300, seed=0, labels=("no", "yes")):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y01 = (X[:, 0] - 0.5 * X[:, 2] + rng.normal(size=n) > 1.0).astype(int)
    return X, np.asarray(labels)[y01]


@pytest.mark.parametrize("gamma, alpha", [(2.0, None), (1.0, 0.25), (0.0, None)])
def test_scorer_is_negated_score_of_predict_proba(gamma, alpha):
    X, y = _classification()
    est = LogisticRegression().fit(X, y)
    scorer = make_focal_loss_scorer(gamma=gamma, alpha=alpha)
    want = -focal_loss_score(y, est.predict_proba(X)[:, 1], gamma=gamma, alpha=alpha)
    # identical computation on identical probabilities
    assert scorer(est, X, y) == pytest.approx(want, rel=1e-15)
    assert scorer(est, X, y) < 0


def test_scorer_in_grid_search_and_cross_val_score():
    X, y = _classification(n=240, labels=(0, 1))
    scorer = make_focal_loss_scorer(gamma=1.0)
    est = FocalLGBMClassifier(n_estimators=20, verbose=-1, n_jobs=1)
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    search = GridSearchCV(est, {"focal_gamma": [0.5, 2.0]}, scoring=scorer, cv=folds).fit(X, y)
    assert np.isfinite(search.best_score_) and search.best_score_ < 0
    # cv_results_ holds the scorer's values: recompute one split by hand
    train, test = folds[0]
    model = clone(est).set_params(focal_gamma=2.0).fit(X[train], y[train])
    i = search.cv_results_["params"].index({"focal_gamma": 2.0})
    # same deterministic single-threaded fit on the same rows: equal up to rounding
    assert search.cv_results_["split0_test_score"][i] == pytest.approx(scorer(model, X[test], y[test]), rel=1e-12)
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])

    scores = cross_val_score(est, X, y, scoring=scorer, cv=folds)
    assert scores.shape == (3,) and np.all(np.isfinite(scores)) and np.all(scores < 0)


@pytest.mark.parametrize("kwargs", [{"gamma": -1.0}, {"gamma": np.nan}, {"alpha": 0.0}, {"alpha": 1.5}, {"alpha": "x"}])
def test_scorer_validates_at_construction(kwargs):
    with pytest.raises((ValueError, TypeError)):
        make_focal_loss_scorer(**kwargs)


def test_tuning_trap_score_decreases_with_gamma():
    """For fixed predictions the loss falls strictly as gamma grows, so a scorer whose gamma
    followed the candidate's focal_gamma would always pick the largest one."""
    y, p, _ = _random_binary(n=300, seed=9)
    gammas = [0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0]
    scores = [focal_loss_score(y, p, gamma=g) for g in gammas]
    assert all(a > b for a, b in zip(scores, scores[1:], strict=False))


# --------------------------------------------------------------------------------------------------
# K classes
# --------------------------------------------------------------------------------------------------
def test_multiclass_gamma0_equals_log_loss():
    rng = np.random.default_rng(3)
    proba = rng.dirichlet(np.ones(4), size=200)
    y = np.array(list("wxyz"))[rng.integers(0, 4, 200)]
    w = rng.uniform(0.1, 2.0, 200)
    # rel 1e-12: the same clipped logs, summed in another order
    assert focal_loss_score(y, proba, gamma=0.0) == pytest.approx(log_loss(y, proba), rel=1e-12)
    assert focal_loss_score(y, proba, gamma=0.0, sample_weight=w) == pytest.approx(
        log_loss(y, proba, sample_weight=w), rel=1e-12
    )


def test_multiclass_definition_with_class_weights():
    rng = np.random.default_rng(4)
    proba = rng.dirichlet(np.ones(3), size=100)
    y = rng.integers(0, 3, 100)
    alpha = np.array([0.5, 1.0, 2.0])
    pt = proba[np.arange(100), y]
    expected = np.mean(-alpha[y] * (1 - pt) ** 2 * np.log(pt))
    assert focal_loss_score(y, proba, gamma=2.0, alpha=alpha) == pytest.approx(expected, rel=1e-12)  # same formula


def test_multiclass_labels_for_a_fold_missing_a_class():
    rng = np.random.default_rng(5)
    proba = rng.dirichlet(np.ones(3), size=50)
    y = rng.integers(0, 2, 50)  # class 2 absent from this fold
    with pytest.raises(ValueError, match="labels"):
        focal_loss_score(y, proba)
    full = focal_loss_score(np.r_[y, 2], np.vstack([proba, [0.2, 0.3, 0.5]]), labels=[0, 1, 2])
    assert np.isfinite(full)
    assert focal_loss_score(y, proba, labels=[0, 1, 2]) == pytest.approx(
        np.mean(-((1 - proba[np.arange(50), y]) ** 2) * np.log(proba[np.arange(50), y])), rel=1e-12
    )


@pytest.mark.parametrize(
    ("alpha", "error"),
    [(0.25, TypeError), ([1.0, 2.0], ValueError), ([1.0, -1.0, 1.0], ValueError)],
)
def test_multiclass_bad_alpha(alpha, error):
    proba = np.full((3, 3), 1 / 3)
    with pytest.raises(error):
        focal_loss_score([0, 1, 2], proba, alpha=alpha)
