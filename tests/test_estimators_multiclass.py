"""The focal estimators on K > 2 classes: what a user of the boosters' multiclass models relies on."""

import pickle

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb
from scipy.special import softmax
from sklearn.datasets import load_digits, load_wine
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GridSearchCV, train_test_split

from skfocal import FocalLGBMClassifier, FocalXGBClassifier, MulticlassFocalLoss, focal_loss_score
from skfocal.metrics import make_focal_loss_scorer


@pytest.fixture
def booster(case):
    """``(focal, native, params)`` for the booster of the ``case``: 100 trees, XGBoost at its default depth."""
    params = {**case.params, "n_estimators": 100}
    if case.booster == "xgboost":
        del params["max_depth"]
    return case.focal, case.native, params


def _split(loader):
    X, y = loader(return_X_y=True)
    return train_test_split(X, y, stratify=y, test_size=0.3, random_state=0)


@pytest.mark.parametrize("loader", [load_wine, load_digits], ids=["wine", "digits"])
def test_gamma0_matches_the_boosters_softmax_model(booster, loader):
    focal, native, params = booster
    X_tr, X_te, y_tr, y_te = _split(loader)
    ours = log_loss(y_te, focal(focal_gamma=0.0, **params).fit(X_tr, y_tr).predict_proba(X_te))
    theirs = log_loss(y_te, native(**params).fit(X_tr, y_tr).predict_proba(X_te))
    assert ours == pytest.approx(theirs, rel=0.01)  # held-out log loss within 1%, as the README promises


@pytest.mark.parametrize("loader", [load_wine, load_digits], ids=["wine", "digits"])
def test_gamma2_stays_accurate(booster, loader):
    focal, native, params = booster
    X_tr, X_te, y_tr, y_te = _split(loader)
    ours = accuracy_score(y_te, focal(focal_gamma=2.0, **params).fit(X_tr, y_tr).predict(X_te))
    theirs = accuracy_score(y_te, native(**params).fit(X_tr, y_tr).predict(X_te))
    assert ours >= theirs - 0.03  # within 3 points of the booster's own model (one held-out split)


@pytest.fixture(scope="module")
def wine_strings():
    X, y = load_wine(return_X_y=True)
    return X, np.array(["barolo", "grignolino", "barbera"])[y]


def test_labels_shapes_and_link(booster, wine_strings):
    focal, _, params = booster
    X, y = wine_strings
    est = focal(**params).fit(X, y)
    assert list(est.classes_) == ["barbera", "barolo", "grignolino"]
    assert est.n_classes_ == 3
    margin = est.decision_function(X)
    proba = est.predict_proba(X)
    assert margin.shape == proba.shape == (len(y), 3)
    np.testing.assert_allclose(proba, softmax(margin, axis=1), rtol=1e-12)  # same formula
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    assert est.init_score_.shape == (3,)


def test_start_scores_are_the_losss_optimal_constants(booster, wine_strings):
    focal, _, params = booster
    X, y = wine_strings
    est = focal(focal_alpha=[1.0, 2.0, 0.5], **params).fit(X, y)
    expected = MulticlassFocalLoss(alpha=[1.0, 2.0, 0.5]).init_score(np.searchsorted(est.classes_, y))
    np.testing.assert_allclose(est.init_score_, expected, rtol=0, atol=1e-12)


def test_exported_booster_predicts_on_its_own(booster, wine_strings, tmp_path):
    focal, _, params = booster
    X, y = wine_strings
    est = focal(**params).fit(X, y)  # unequal classes (48, 59, 71 rows): unequal start scores
    if focal is FocalLGBMClassifier:
        est.booster_.save_model(tmp_path / "m.txt")
        exported = lgb.Booster(model_file=tmp_path / "m.txt").predict(X, raw_score=True)
    else:
        est.get_booster().save_model(tmp_path / "m.json")
        exported = xgb.Booster(model_file=tmp_path / "m.json").predict(xgb.DMatrix(X), output_margin=True)
    # 1e-6: leaf values and base_score are stored as text / float32
    np.testing.assert_allclose(exported, est.decision_function(X), rtol=0, atol=1e-6)
    # The start scores are in there: a model without them would be off by up to their spread.
    assert np.ptp(est.init_score_) > 0.1


def test_logged_metric_and_early_stopping(booster):
    focal, _, params = booster
    X_tr, X_te, y_tr, y_te = _split(load_digits)
    params = {**params, "n_estimators": 300, "learning_rate": 0.3}
    if focal is FocalXGBClassifier:
        est = focal(**params, early_stopping_rounds=5).fit(X_tr, y_tr, eval_set=[(X_te, y_te)])
        logged, truncated = est.evals_result()["validation_0"]["focal_loss"], "iteration_range"
        rtol = 1e-4  # XGBoost logs custom metrics rounded to 5-6 significant digits
    else:
        est = focal(**params).fit(X_tr, y_tr, eval_set=[(X_te, y_te)], callbacks=[lgb.early_stopping(5, verbose=False)])
        logged, truncated = est.evals_result_["valid_0"]["focal_loss"], "num_iteration"
        rtol = 1e-9  # LightGBM logs the float the metric returned
    assert len(logged) < 300
    n = 10
    kwargs = {truncated: (0, n) if truncated == "iteration_range" else n}
    assert logged[n - 1] == pytest.approx(focal_loss_score(y_te, est.predict_proba(X_te, **kwargs)), rel=rtol)


@pytest.mark.parametrize(
    ("focal_alpha", "expected"),
    [([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), ({"barbera": 3.0, "barolo": 1.0, "grignolino": 2.0}, [3.0, 1.0, 2.0])],
    ids=["array", "dict"],
)
def test_alpha_forms(booster, wine_strings, focal_alpha, expected):
    focal, _, params = booster
    X, y = wine_strings
    est = focal(focal_alpha=focal_alpha, **params).fit(X, y)
    np.testing.assert_allclose(est.loss_.class_weights_, expected)


def test_balanced_alpha_uses_weighted_class_totals(booster, wine_strings):
    focal, _, params = booster
    X, y = wine_strings
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    est = focal(focal_alpha="balanced", **params).fit(X, y, sample_weight=w)
    totals = np.array([w[y == c].sum() for c in est.classes_])
    np.testing.assert_allclose(est.loss_.class_weights_, w.sum() / (3 * totals), rtol=1e-12)


@pytest.mark.parametrize(
    ("focal_alpha", "error", "match"),
    [
        (0.25, TypeError, "two classes only"),
        ([1.0, 2.0], ValueError, "one weight per class"),
        ({"barbera": 1.0, "barolo": 1.0}, ValueError, "no weight for class"),
        ({"barbera": 1.0, "barolo": 1.0, "grignolino": 1.0, "nebbiolo": 1.0}, ValueError, "not in the data"),
    ],
)
def test_bad_multiclass_alpha(booster, wine_strings, focal_alpha, error, match):
    focal, _, params = booster
    X, y = wine_strings
    with pytest.raises(error, match=match):
        focal(focal_alpha=focal_alpha, **params).fit(X, y)


def test_pickle_and_grid_search_with_a_fixed_reference_scorer(booster, wine_strings):
    focal, _, params = booster
    X, y = wine_strings
    est = focal(**params).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))
    search = GridSearchCV(
        focal(**{**params, "n_estimators": 20}),
        {"focal_gamma": [0.0, 2.0]},
        scoring=make_focal_loss_scorer(gamma=1.0),
        cv=3,
    ).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert np.all(search.cv_results_["mean_test_score"] < 0)
