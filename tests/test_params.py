"""The boosters' own parameters and habits mean what they mean in the parents, or are refused.

Each test fits the parent (``LGBMClassifier`` / ``XGBClassifier``) side by side with the focal
estimator where the parent defines the behaviour. With ``focal_gamma=0`` and no ``focal_alpha``
the focal loss is the log loss, so there the two models must agree; ``PROBA_TOL`` says how far.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
import warnings

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import sklearn
import xgboost as xgb
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skfocal import FocalLGBMClassifier, FocalXGBClassifier, focal_loss_score

# Same objective (log loss), same start score, same trees: what is left is the boosters'
# float32 rounding of gradients (relative 6e-8, which the trees carry into probabilities of
# order 1e-7; at most 1.5e-7 was seen) and the start score's root-finding tolerance (1e-14).
# A wrong start score (XGBoost's one-Newton-step intercept against the exact weighted
# optimum) moves probabilities by 3e-4, far outside this.
PROBA_TOL = 1e-6
N_ROUNDS = 30


@pytest.fixture(scope="module")
def binary():
    return make_classification(n_samples=1500, n_features=8, weights=[0.88], flip_y=0.03, random_state=3)


@pytest.fixture(scope="module")
def three_classes():
    return make_classification(
        n_samples=900, n_features=8, n_informative=5, n_classes=3, weights=[0.6, 0.3, 0.1], random_state=1
    )


def _lgbm(**kw):
    return {"n_estimators": N_ROUNDS, "verbose": -1, **kw}


def _xgb(**kw):
    return {"n_estimators": N_ROUNDS, "max_depth": 3, **kw}


def _parent_eval(X_val, y_val):
    """An eval set as LGBMClassifier.fit takes it: eval_X/eval_y from LightGBM 4.7, eval_set before."""
    if "eval_X" in inspect.signature(lgb.LGBMClassifier.fit).parameters:
        return {"eval_X": X_val, "eval_y": y_val}
    return {"eval_set": [(X_val, y_val)]}


# ------------------------------------------------------------------ class balance parameters
@pytest.mark.parametrize(
    ("parent", "focal", "params"),
    [
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(scale_pos_weight=10.0)),
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(is_unbalance=True)),
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(unbalance=True)),  # an alias
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(class_weight={0: 1.0, 1: 4.0}, scale_pos_weight=2.0)),
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(boost_from_average=False)),
        (xgb.XGBClassifier, FocalXGBClassifier, _xgb(scale_pos_weight=10.0)),
        (xgb.XGBClassifier, FocalXGBClassifier, _xgb(base_score=0.3)),
    ],
    ids=["lgbm-spw", "lgbm-unbalance", "lgbm-alias", "lgbm-cw-spw", "lgbm-no-average", "xgb-spw", "xgb-base"],
)
def test_balance_parameters_mean_what_they_mean_in_the_parent(binary, parent, focal, params):
    X, y = binary
    reference = parent(**params).fit(X, y).predict_proba(X)
    ours = focal(focal_gamma=0.0, **params).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), reference, rtol=0, atol=PROBA_TOL)
    # ... and under the focal loss the parameter is not silently ignored
    default = focal(**{k: v for k, v in params.items() if k in ("n_estimators", "verbose", "max_depth")})
    assert np.max(np.abs(focal(**params).fit(X, y).decision_function(X) - default.fit(X, y).decision_function(X))) > 0.1


@pytest.mark.parametrize(
    ("parent", "focal", "params"),
    [
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(class_weight="balanced")),
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(scale_pos_weight=3.0)),
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(is_unbalance=True)),
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(boost_from_average=np.False_)),  # a grid's value
        (lgb.LGBMClassifier, FocalLGBMClassifier, _lgbm(boost_from_average="false")),  # LightGBM's string
        (xgb.XGBClassifier, FocalXGBClassifier, _xgb(scale_pos_weight=3.0)),
    ],
    ids=["lgbm-balanced", "lgbm-spw", "lgbm-unbalance", "lgbm-np-bool", "lgbm-str-bool", "xgb-spw"],
)
def test_balance_parameters_with_sample_weights_as_in_the_parent(binary, parent, focal, params):
    # LightGBM's class_weight="balanced" counts rows (scikit-learn's compute_sample_weight),
    # whatever the sample weights; is_unbalance too.
    X, y = binary
    w = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    parent_params = {**params, "boost_from_average": False} if "boost_from_average" in params else params
    reference = parent(**parent_params).fit(X, y, sample_weight=w).predict_proba(X)
    ours = focal(focal_gamma=0.0, **params).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.predict_proba(X), reference, rtol=0, atol=PROBA_TOL)


def test_scale_pos_weight_is_a_class_weight_of_the_loss(binary):
    X, y = binary
    model = FocalXGBClassifier(scale_pos_weight=4.0, focal_alpha=0.25, n_estimators=3).fit(X, y)
    np.testing.assert_allclose(model.loss_.class_weights_, [0.75, 0.25 * 4.0])
    lgbm = FocalLGBMClassifier(is_unbalance=True, n_estimators=3, verbose=-1).fit(X, y)
    n0, n1 = np.bincount(y)
    np.testing.assert_allclose(lgbm.loss_.class_weights_, [1.0, n0 / n1])  # LightGBM's rule: by row counts


def test_is_unbalance_with_scale_pos_weight_is_refused_like_the_parent(binary):
    X, y = binary
    with pytest.raises(lgb.basic.LightGBMError, match="is_unbalance and scale_pos_weight"):
        lgb.LGBMClassifier(is_unbalance=True, scale_pos_weight=3.0, verbose=-1).fit(X, y)
    with pytest.raises(ValueError, match="is_unbalance and scale_pos_weight"):
        FocalLGBMClassifier(is_unbalance=True, scale_pos_weight=3.0, verbose=-1).fit(X, y)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: FocalLGBMClassifier(scale_pos_weight=3.0), "scale_pos_weight weight the positive class"),
        (lambda: FocalLGBMClassifier(is_unbalance=True), "is_unbalance weight the positive class"),
        (lambda: FocalXGBClassifier(scale_pos_weight=3.0), "scale_pos_weight weights the positive class"),
        (lambda: FocalXGBClassifier(base_score=0.3), "base_score with 3 classes"),
    ],
)
def test_binary_only_parameters_are_refused_for_k_classes(three_classes, make, match):
    # The parents ignore these silently with K classes; a silent no-op is refused here.
    X, y = three_classes
    with pytest.raises(ValueError, match=match):
        make().fit(X, y)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: FocalLGBMClassifier(gamma=2.0), "focal_gamma"),
        (lambda: FocalLGBMClassifier(alpha=0.25), "focal_alpha"),
        (lambda: FocalLGBMClassifier(sigmoid=2.0), "sigmoid"),
        (lambda: FocalLGBMClassifier(objective="binary"), "focal_gamma and focal_alpha"),
        (lambda: FocalLGBMClassifier(application="binary"), "application"),
        (lambda: FocalLGBMClassifier(linear_trees=True), "linear_trees"),
        (lambda: FocalLGBMClassifier(boosting="random_forest"), "random forest"),
        (lambda: FocalLGBMClassifier(boosting_type="RF"), "random forest"),  # LightGBM lowercases it
        (lambda: FocalLGBMClassifier(metrics="binary_logloss"), "raw margins"),
        (lambda: FocalLGBMClassifier(scale_pos_weight=-1.0), "scale_pos_weight must be a finite number > 0"),
        (lambda: FocalXGBClassifier(objective="binary:hinge"), "focal_gamma and focal_alpha"),
        (lambda: FocalXGBClassifier(base_score=1.5), r"must lie in \(0, 1\)"),
        (lambda: FocalXGBClassifier(scale_pos_weight=0.0), "scale_pos_weight must be a finite number > 0"),
        (lambda: FocalXGBClassifier(scale_pos_weight="3"), "scale_pos_weight must be a finite number > 0"),
        (lambda: FocalLGBMClassifier(scale_pos_weight=[1, 2]), "scale_pos_weight must be a finite number > 0"),
        (lambda: FocalXGBClassifier(base_score="0.3"), r"must lie in \(0, 1\)"),
        (lambda: FocalLGBMClassifier(is_unbalance="yes"), "is_unbalance must be True or False"),
        (lambda: FocalLGBMClassifier(neg_bagging_fraction=0.1), "balanced bagging"),
        (lambda: FocalLGBMClassifier(pos_bagging_fraction=0.5), "balanced bagging"),
        (lambda: FocalLGBMClassifier(class_weight="balance"), "None, 'balanced' or a dict;"),
    ],
)
def test_refused_booster_parameters_name_what_to_use(binary, make, match):
    X, y = binary
    with pytest.raises(ValueError, match=match):
        make().fit(X, y)


def test_xgboost_keeps_its_own_gamma_and_alpha(binary):
    # XGBoost's gamma (min_split_loss) and alpha (L1) are tree parameters, not the focal ones.
    X, y = binary
    params = _xgb(gamma=5.0, alpha=3.0)
    reference = xgb.XGBClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(
        FocalXGBClassifier(focal_gamma=0.0, **params).fit(X, y).predict_proba(X), reference, rtol=0, atol=PROBA_TOL
    )


# ------------------------------------------------------------------ early stopping and logging
def _split(X, y):
    return X[:1000], y[:1000], X[1000:], y[1000:]


def test_xgboost_early_stops_on_the_users_last_metric_as_the_parent(binary):
    X, y = binary
    X_train, y_train, X_val, y_val = _split(X, y)
    params = {
        "n_estimators": 300,
        "max_depth": 3,
        "learning_rate": 0.3,
        "eval_metric": "aucpr",
        "early_stopping_rounds": 5,
    }
    parent = xgb.XGBClassifier(**params).fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    ours = FocalXGBClassifier(focal_gamma=0.0, **params).fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert parent.best_iteration < 299  # it did stop early, so the test says something
    assert ours.best_iteration == parent.best_iteration
    log = ours.evals_result()["validation_0"]
    assert list(log) == ["aucpr", "focal_loss"]  # the focal loss is logged as well
    np.testing.assert_allclose(log["aucpr"], parent.evals_result()["validation_0"]["aucpr"], atol=1e-6)


def test_xgboost_logs_only_the_focal_loss_by_default_and_prints_like_the_parent(binary, capsys):
    X, y = binary
    X_train, y_train, X_val, y_val = _split(X, y)
    xgb.XGBClassifier(n_estimators=4).fit(X_train, y_train, eval_set=[(X_val, y_val)])
    parent_lines = capsys.readouterr().out.strip().splitlines()
    ours = FocalXGBClassifier(n_estimators=4).fit(X_train, y_train, eval_set=[(X_val, y_val)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(parent_lines) == len(lines) == 4  # one line per round at the default verbose
    assert all("validation_0-focal_loss" in line and "logloss" not in line for line in lines)
    assert list(ours.evals_result()["validation_0"]) == ["focal_loss"]
    last = float(lines[-1].split(":")[-1])
    proba = ours.predict_proba(X_val)
    assert last == pytest.approx(focal_loss_score(y_val, proba, gamma=2.0), abs=1e-5)  # printed to 5 digits


@pytest.mark.parametrize("focal", [FocalLGBMClassifier, FocalXGBClassifier], ids=["lgbm", "xgb"])
def test_a_callable_eval_metric_sees_probabilities_as_in_the_parent(binary, focal):
    X, y = binary
    X_train, y_train, X_val, y_val = _split(X, y)
    seen = []

    if focal is FocalLGBMClassifier:

        def metric(y_true, y_pred):
            seen.append(np.asarray(y_pred).copy())
            return "mean_pred", float(np.mean(y_pred)), False

        ours = focal(focal_gamma=0.0, n_estimators=3, verbose=-1)
        ours.fit(X_train, y_train, eval_set=[(X_val, y_val)], eval_metric=metric)
    else:

        def metric(y_true, y_pred):
            seen.append(np.asarray(y_pred).copy())
            return float(np.mean(y_pred))

        ours = focal(focal_gamma=0.0, n_estimators=3, eval_metric=metric)
        ours.fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    np.testing.assert_allclose(seen[-1], ours.predict_proba(X_val)[:, 1], atol=1e-6)  # float32 margins


@pytest.mark.parametrize("metric", ["auc", "None"])
def test_lightgbm_metric_parameter_replaces_the_default_as_in_the_parent(binary, metric):
    # metric= replaces LightGBM's default metric, whose place the focal loss takes: early
    # stopping then watches only the user's metric, and "None" computes none, as in the parent.
    X, y = binary
    X_train, y_train, X_val, y_val = _split(X, y)
    params = _lgbm(n_estimators=300, learning_rate=0.3, metric=metric)
    if metric != "None":  # LightGBM refuses early stopping without a metric
        params["early_stopping_round"] = 5
    parent = lgb.LGBMClassifier(**params).fit(X_train, y_train, **_parent_eval(X_val, y_val))
    ours = FocalLGBMClassifier(focal_gamma=0.0, **params).fit(X_train, y_train, eval_X=X_val, eval_y=y_val)
    assert ours.best_iteration_ == parent.best_iteration_
    assert {k: list(v) for k, v in ours.evals_result_.items()} == {k: list(v) for k, v in parent.evals_result_.items()}
    if metric == "auc":
        assert parent.best_iteration_ < 300  # it did stop early


def test_lightgbm_eval_class_weight_is_keyed_by_the_users_labels(binary):
    X, y = binary
    labels = np.array(["no", "yes"])[y]
    X_train, y_train, X_val, y_val = _split(X, labels)
    kw = {"eval_X": X_val, "eval_y": y_val, "eval_class_weight": [{"yes": 5.0}]}
    with warnings.catch_warnings():  # LightGBM keys eval_class_weight right only for its deprecated eval_set
        warnings.simplefilter("ignore", lgb.basic.LGBMDeprecationWarning)
        parent = lgb.LGBMClassifier(**_lgbm()).fit(
            X_train, y_train, eval_set=[(X_val, y_val)], eval_class_weight=kw["eval_class_weight"]
        )
    ours = FocalLGBMClassifier(focal_gamma=0.0, **_lgbm()).fit(X_train, y_train, **kw)
    # at gamma=0 the focal loss is the log loss, so the weighted eval logs must agree
    np.testing.assert_allclose(
        ours.evals_result_["valid_0"]["focal_loss"], parent.evals_result_["valid_0"]["binary_logloss"], rtol=1e-6
    )
    with pytest.raises(ValueError, match="eval_class_weight has labels not seen in fit"):
        FocalLGBMClassifier(**_lgbm()).fit(X_train, y_train, **{**kw, "eval_class_weight": [{"maybe": 2.0}]})


def test_xgboost_early_stopping_callbacks_and_mixed_metrics_stop_where_the_parents_do(binary):
    X, y = binary
    X_train, y_train, X_val, y_val = _split(X, y)
    fit = {"eval_set": [(X_val, y_val)], "verbose": False}
    base = {"n_estimators": 300, "max_depth": 3, "learning_rate": 0.3}

    def ap(y_true, y_score, sample_weight=None):
        from sklearn.metrics import average_precision_score

        return -average_precision_score(y_true, y_score, sample_weight=sample_weight)

    cases = [  # a fresh EarlyStopping for every fit: XGBoost keeps its history in the callback
        lambda: {"eval_metric": "aucpr", "callbacks": [xgb.callback.EarlyStopping(rounds=5)]},  # a user's callback
        lambda: {"eval_metric": ["logloss", ap], "early_stopping_rounds": 5},  # the callable is the last metric
    ]
    for extra in cases:
        parent = xgb.XGBClassifier(**base, **extra()).fit(X_train, y_train, **fit)
        ours = FocalXGBClassifier(focal_gamma=0.0, **base, **extra()).fit(X_train, y_train, **fit)
        assert parent.best_iteration < 299
        assert ours.best_iteration == parent.best_iteration, extra()


def test_lightgbm_early_stopping_with_first_metric_only_watches_the_users_metric(binary):
    X, y = binary
    X_train, y_train, X_val, y_val = _split(X, y)
    callbacks = [lgb.early_stopping(5, first_metric_only=True, verbose=False)]
    params = _lgbm(n_estimators=300, learning_rate=0.3)
    parent = lgb.LGBMClassifier(**params).fit(
        X_train, y_train, **_parent_eval(X_val, y_val), eval_metric="auc", callbacks=callbacks
    )
    ours = FocalLGBMClassifier(focal_gamma=0.0, **params).fit(
        X_train, y_train, eval_X=X_val, eval_y=y_val, eval_metric="auc", callbacks=callbacks
    )
    assert parent.best_iteration_ < 300
    assert ours.best_iteration_ == parent.best_iteration_
    assert list(ours.evals_result_["valid_0"]) == ["auc", "focal_loss"]


def test_no_fatal_line_for_a_fit_that_succeeds(capfd):
    X, y = np.ones((10, 2)), [0, 1] * 5
    lgb.LGBMClassifier(verbose=-1).fit(X, y)
    parent = capfd.readouterr()
    model = FocalLGBMClassifier(verbose=-1).fit(X, y)
    ours = capfd.readouterr()
    assert (ours.out, ours.err) == (parent.out, parent.err) == ("", "")
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], 0.5)  # the constant model of balanced classes


@pytest.mark.parametrize("n_rows", [5000, 50_000])
@pytest.mark.parametrize("frame", [False, True], ids=["array", "pandas"])
def test_no_fatal_line_for_constant_columns_of_many_rows(capfd, n_rows, frame):
    # Enough rows for min_data_in_leaf, but no column varies: the scan for a varying column
    # finds none, so LightGBM is asked (silently) before training, not after failing loudly.
    rng = np.random.default_rng(0)
    X, y = np.full((n_rows, 3), 7.0), rng.integers(0, 2, n_rows)
    X[:, 2] = np.nan
    X = pd.DataFrame(X, columns=["a", "b", "c"]) if frame else X
    model = FocalLGBMClassifier(verbose=-1, n_estimators=5).fit(X, y)
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")
    np.testing.assert_allclose(model.decision_function(X), model.init_score_, rtol=0, atol=1e-12)


def test_lightgbm_prints_at_the_users_verbosity_after_the_silent_check(binary, capfd):
    X, y = binary
    lgb.LGBMClassifier(n_estimators=2, verbose=0).fit(X[:300], y[:300])
    parent = capfd.readouterr()
    FocalLGBMClassifier(n_estimators=2, verbose=0).fit(X[:300], y[:300])
    ours = capfd.readouterr()
    assert ours.out == parent.out  # warnings only, the same ones
    FocalLGBMClassifier(verbose=0).fit(np.ones((10, 2)), [0, 1] * 5)  # the silent check runs here
    capfd.readouterr()
    FocalLGBMClassifier(n_estimators=2).fit(X[:300], y[:300])  # LightGBM's default verbosity: info lines
    assert "[LightGBM] [Info]" in capfd.readouterr().out


# ------------------------------------------------------------------ XGBoost model files
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fmt", ["json", "ubj"])
def test_xgboost_save_and_load_model_round_trip(tmp_path, n_classes, fmt):
    X, y = make_classification(n_samples=600, n_features=6, n_informative=4, n_classes=n_classes, random_state=0)
    labels = np.array(["cat", "dog", "eel"])[:n_classes][y]  # string labels: classes of any type
    model = FocalXGBClassifier(
        focal_gamma=1.5, focal_alpha={"cat": 0.5, "dog": 2.0, "eel": 1.0} if n_classes == 3 else 0.3,
        posterior_correction=True, n_estimators=10,
    ).fit(pd.DataFrame(X, columns=[f"f{i}" for i in range(6)]), labels)  # fmt: skip
    path = tmp_path / f"model.{fmt}"
    model.save_model(path)
    loaded = FocalXGBClassifier()
    loaded.load_model(path)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    np.testing.assert_array_equal(loaded.predict(frame), model.predict(frame))
    np.testing.assert_allclose(loaded.predict_proba(frame), model.predict_proba(frame), rtol=0, atol=1e-12)
    assert loaded.loss_ == model.loss_ and loaded.posterior_correction is True
    assert loaded.focal_alpha == model.focal_alpha and loaded.objective == "binary:logistic"
    np.testing.assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)
    # a plain XGBoost booster reads the same file and predicts the (uncorrected) probabilities
    plain = xgb.Booster(model_file=str(path)).predict(xgb.DMatrix(frame))
    uncorrected = model.set_params(posterior_correction=False).predict_proba(frame)
    np.testing.assert_allclose(plain, uncorrected[:, 1] if n_classes == 2 else uncorrected, rtol=0, atol=1e-6)


def test_xgboost_save_model_takes_numpy_parameters_from_a_grid(binary, tmp_path):
    X, y = binary
    model = FocalXGBClassifier(focal_gamma=np.int64(2), focal_alpha=np.float32(0.25), n_estimators=3).fit(X, y)
    model.save_model(tmp_path / "m.json")
    loaded = FocalXGBClassifier()
    loaded.load_model(tmp_path / "m.json")
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=0, atol=1e-12)
    assert loaded.focal_gamma == 2 and loaded.focal_alpha == pytest.approx(0.25)


def test_xgboost_load_model_of_a_plain_model_is_refused_with_a_pointer(binary, tmp_path):
    X, y = binary
    path = tmp_path / "plain.json"
    xgb.XGBClassifier(n_estimators=2).fit(X, y).save_model(path)
    with pytest.raises(ValueError, match="not saved by FocalXGBClassifier.save_model"):
        FocalXGBClassifier().load_model(path)


# ------------------------------------------------------------------ metadata routing
@pytest.mark.parametrize(
    ("parent", "focal", "refused"),
    [
        (lgb.LGBMClassifier, FocalLGBMClassifier, {"init_score", "eval_init_score", "init_model"}),
        (xgb.XGBClassifier, FocalXGBClassifier, {"base_margin", "base_margin_eval_set", "xgb_model"}),
    ],
    ids=["lgbm", "xgb"],
)
def test_metadata_routing_offers_every_fit_parameter_of_the_parent(parent, focal, refused):
    own = set(inspect.signature(parent.fit).parameters) - {"self", "X", "y"}
    ours = set(inspect.signature(focal.fit).parameters) - {"self", "X", "y", "fit_params"}
    assert ours == own - refused
    with sklearn.config_context(enable_metadata_routing=True):
        requests = focal().set_fit_request(eval_set=True, sample_weight=True).get_metadata_routing()
        assert requests.fit.requests["eval_set"] is True


def test_eval_set_routed_through_a_pipeline_and_grid_search(binary):
    X, y = binary
    X_train, y_train, X_val, y_val = _split(X, y)
    with sklearn.config_context(enable_metadata_routing=True):
        model = FocalXGBClassifier(n_estimators=200, early_stopping_rounds=3, max_depth=2).set_fit_request(
            eval_set=True, verbose=True
        )
        pipe = Pipeline([("model", model)])  # eval sets are not transformed by earlier steps
        search = GridSearchCV(pipe, {"model__focal_gamma": [0.0, 2.0]}, cv=2)
        search.fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert search.best_estimator_[-1].best_iteration < 199  # the routed eval set did stop training


# ------------------------------------------------------------------ inputs
def test_pyarrow_tables_keep_names_and_dictionary_columns(binary):
    pa = pytest.importorskip("pyarrow")
    X, y = binary
    colour = pa.array(np.where(X[:, 0] > 0, "red", "blue")).dictionary_encode()
    table = pa.table({"a": X[:, 1], "b": X[:, 2], "colour": colour})
    parent = xgb.XGBClassifier(enable_categorical=True, n_estimators=5).fit(table, y)
    with _no_warnings():
        ours = FocalXGBClassifier(enable_categorical=True, n_estimators=5).fit(table, y)
        ours.predict_proba(table)
    np.testing.assert_array_equal(ours.feature_names_in_, parent.feature_names_in_)
    assert ours.get_booster().feature_types == parent.get_booster().feature_types == ["float", "float", "c"]
    numeric = pa.table({"a": X[:, 1], "b": X[:, 2]})
    with _no_warnings():
        lgbm = FocalLGBMClassifier(n_estimators=5, verbose=-1).fit(numeric, y)
        lgbm.predict_proba(numeric)
    assert list(lgbm.feature_names_in_) == ["a", "b"]


def test_lightgbm_refuses_dictionary_columns_it_cannot_read(binary):
    # LightGBM itself aborts the process on a pyarrow dictionary column.
    pa = pytest.importorskip("pyarrow")
    X, y = binary
    table = pa.table({"a": X[:, 1], "colour": pa.array(np.where(X[:, 0] > 0, "red", "blue")).dictionary_encode()})
    with pytest.raises(ValueError, match="categorical \\(dictionary\\) columns"):
        FocalLGBMClassifier(verbose=-1).fit(table, y)


def test_polars_frames_keep_names(binary):
    pl = pytest.importorskip("polars")
    X, y = binary
    frame = pl.DataFrame({"a": X[:, 1], "b": X[:, 2]})
    for model in (FocalLGBMClassifier(n_estimators=5, verbose=-1), FocalXGBClassifier(n_estimators=5)):
        with _no_warnings():
            model.fit(frame, y).predict_proba(frame)
        assert list(model.feature_names_in_) == ["a", "b"]


class _no_warnings:
    """Fail on any warning inside the block (the feature-name warning above all)."""

    def __enter__(self):
        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)


# ------------------------------------------------------------------ repr and signature
@pytest.mark.parametrize(
    ("parent", "focal"), [(lgb.LGBMClassifier, FocalLGBMClassifier), (xgb.XGBClassifier, FocalXGBClassifier)]
)
def test_repr_and_signature_match_the_parent(parent, focal):
    assert repr(focal()) == f"{focal.__name__}()"  # XGBClassifier() itself prints every parameter
    if parent is lgb.LGBMClassifier:
        assert repr(parent()) == "LGBMClassifier()"
    assert repr(focal(n_estimators=7, focal_gamma=1.0)) == f"{focal.__name__}(focal_gamma=1.0, n_estimators=7)"
    own = {name: p.default for name, p in inspect.signature(parent().__init__).parameters.items()}
    ours = {name: p.default for name, p in inspect.signature(focal.__init__).parameters.items()}
    for name, default in own.items():
        if name != "kwargs":
            assert ours[name] == default, name
    html = focal(n_estimators=7)._repr_html_()
    if tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (1, 7):  # the parameter table of 1.7
        assert html.count('<tr class="user-set">') == 1  # n_estimators only; the defaults are not marked


# ------------------------------------------------------------------ scores
def test_focal_loss_score_takes_every_focal_alpha_form(binary):
    X, y = binary
    labels = np.array(["no", "yes"])[y]
    proba = FocalLGBMClassifier(n_estimators=5, verbose=-1).fit(X, labels).predict_proba(X)
    w = np.bincount(y).astype(float)
    balanced = w.sum() / (2 * w)
    expected = focal_loss_score(labels, proba, alpha=balanced)
    assert focal_loss_score(labels, proba, alpha="balanced") == pytest.approx(expected, rel=1e-12)
    assert focal_loss_score(labels, proba[:, 1], alpha="balanced") == pytest.approx(expected, rel=1e-12)
    as_dict = focal_loss_score(labels, proba, alpha={"no": 0.5, "yes": 2.0})
    assert as_dict == pytest.approx(focal_loss_score(labels, proba, alpha=[0.5, 2.0]), rel=1e-12)
    with pytest.raises(ValueError, match="no weight for class"):
        focal_loss_score(labels, proba, alpha={"no": 1.0})
    with pytest.raises(ValueError, match="'balanced'"):
        focal_loss_score(labels, proba, alpha="balance")


# ------------------------------------------------------------------ nested parallelism
def _threads_in_a_process(env_threads: str) -> dict:
    code = textwrap.dedent(
        """
        import json
        import numpy as np
        from skfocal import FocalLGBMClassifier, FocalXGBClassifier
        X = np.random.default_rng(0).normal(size=(200, 3)); y = (X[:, 0] > 0).astype(int)
        lgbm = FocalLGBMClassifier(n_estimators=2, verbose=-1).fit(X, y)
        plan = lgbm._plan_fit(np.array([0, 1]), y, None, np.array([100.0, 100.0]), np.array([100, 100]), {})
        zero = FocalLGBMClassifier(n_estimators=2, verbose=-1, n_jobs=0)
        out = {"lightgbm": int(lgbm.booster_.params["num_threads"]), "objective": plan.n_threads}
        print(json.dumps({**out, "n_jobs=0": zero._n_threads()}))
        """
    )
    env = {**os.environ, "OMP_NUM_THREADS": env_threads}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_default_n_jobs_follows_the_threads_a_joblib_worker_allows():
    # joblib's workers (GridSearchCV(n_jobs=k)) set OMP_NUM_THREADS to their share of the cores;
    # with n_jobs left unset, booster and objective use that share, not all cores.
    # n_jobs=0 is OpenMP's default in both boosters, which follows the variable too.
    assert _threads_in_a_process("1") == {"lightgbm": 1, "objective": 1, "n_jobs=0": 1}


def test_set_params_on_a_fitted_k_class_xgboost_model_keeps_it_predicting(three_classes):
    # XGBoost's set_params sends the booster parameters to a fitted booster; they must describe
    # the K-class model (multi:softprob), or the booster reconfigures itself as binary.
    X, y = three_classes
    model = FocalXGBClassifier(n_estimators=5).fit(X, y)
    before = model.predict_proba(X)
    model.set_params(posterior_correction=True, n_jobs=1)
    np.testing.assert_allclose(model.set_params(posterior_correction=False).predict_proba(X), before, rtol=0, atol=0)
    assert model.get_params()["objective"] == "binary:logistic"  # the user's parameter is unchanged


def test_no_state_of_a_fit_is_left_on_the_estimator(binary):
    X, y = binary
    for model in (FocalLGBMClassifier(n_estimators=2, verbose=-1), FocalXGBClassifier(n_estimators=2)):
        params = model.get_params()
        model.fit(X, y, eval_set=[(X, y)], verbose=False) if isinstance(model, FocalXGBClassifier) else model.fit(X, y)
        assert model.get_params() == params
        assert not {"_fit_plan", "_fit_objective"} & set(vars(model))


def test_lightgbm_get_params_is_the_parents_with_unknown_keywords_too():
    # FocalLGBMClassifier.get_params is scikit-learn's own over a signature that names every
    # parameter of LGBMClassifier; it must give what LightGBM's own get_params gives.
    for est in (FocalLGBMClassifier(num_leaves=7, focal_gamma=1.0), FocalLGBMClassifier(min_data_per_group=5)):
        assert est.get_params() == lgb.LGBMClassifier.get_params(est)
        assert est.get_params(deep=False) == lgb.LGBMClassifier.get_params(est, deep=False)
    est = FocalLGBMClassifier().set_params(min_data_per_group=9)
    assert est.get_params()["min_data_per_group"] == 9
