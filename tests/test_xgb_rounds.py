"""FocalXGBClassifier's rounds (skfocal._compat.LeanRounds) train the models of XGBoost's own rounds, bit for bit.

``XGBClassifier.fit`` trains every fit; ``LeanRounds``, a callback, only replaces how each round
reaches the objective. Each test fits the same estimator three ways: with XGBoost's own rounds
(the callback switched off: the reference), with the lean rounds through XGBoost's C API, and
with the lean rounds through its Python API (what runs where the C API cannot be used). Both
hand XGBoost the same float32 gradients in the same order, so the models, the logged metrics
and the stopping round must be equal to the last bit: no tolerance.
"""

import contextlib
import io
import pickle

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.datasets import make_classification

import skfocal._compat
from skfocal import FocalXGBClassifier

BASE = {"n_estimators": 8, "max_depth": 3, "n_jobs": 1}
PATHS = ["parent", "c-api", "python-api"]


def _data(n_classes=2, n=600):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_redundant=0, n_classes=n_classes, flip_y=0.1, random_state=0
    )
    return X, y


@contextlib.contextmanager
def _path(name):
    with pytest.MonkeyPatch.context() as mp:
        if name == "parent":  # the callback does nothing: XGBoost's own rounds
            mp.setattr(skfocal._compat.LeanRounds, "before_training", lambda self, model: model)
        elif name == "python-api":
            mp.setattr(skfocal._compat, "XGB_C_API", None)
        yield


def _fit(name, params, X, y, **fit_kw):
    model = FocalXGBClassifier(**{**BASE, **params})
    out = io.StringIO()
    with _path(name), contextlib.redirect_stdout(out):
        model.fit(X, y, **fit_kw)
    return model, out.getvalue()


def _same(models):
    reference = models[0]
    for model in models[1:]:
        assert model.get_booster().save_raw("json") == reference.get_booster().save_raw("json")
        assert getattr(model, "evals_result_", None) == getattr(reference, "evals_result_", None)
        assert getattr(model, "best_iteration", None) == getattr(reference, "best_iteration", None)


def _split(X, y):
    return X[:400], y[:400], X[400:], y[400:]


CASES = {
    "binary": (2, {}, None),
    "3 classes": (3, {}, None),
    "weights, eval set, early stopping": (2, {"n_estimators": 60, "early_stopping_rounds": 3}, "eval"),
    "3 classes, early stopping on mlogloss": (
        3,
        {"n_estimators": 60, "early_stopping_rounds": 3, "eval_metric": "mlogloss"},
        "eval",
    ),
    "dart": (2, {"booster": "dart", "rate_drop": 0.2}, None),
    "lossguide, approx": (2, {"grow_policy": "lossguide", "tree_method": "approx"}, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_lean_rounds_train_the_parents_models(case):
    n_classes, params, kind = CASES[case]
    X, y = _data(n_classes)
    fit_kw = {}
    if kind == "eval":
        X, y, X_val, y_val = _split(X, y)
        rng = np.random.default_rng(0)
        fit_kw = {
            "sample_weight": rng.uniform(0.5, 2.0, len(y)),
            "eval_set": [(X_val, y_val)],
            "sample_weight_eval_set": [rng.uniform(0.5, 2.0, len(y_val))],
            "verbose": False,
        }
    fitted = [_fit(name, params, X, y, **fit_kw) for name in PATHS]
    _same([model for model, _ in fitted])
    if kind == "eval":
        assert fitted[0][0].best_iteration < 59  # stopped early, at the same round on every path


def test_printed_lines_and_pandas_categories_are_the_parents():
    X, y = _data()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    frame["f0"] = pd.Categorical((np.abs(X[:, 0]) * 2).astype(int) % 4)
    params = {"enable_categorical": True, "tree_method": "hist"}
    fitted = [_fit(name, params, frame, y, eval_set=[(frame, y)], verbose=2) for name in PATHS]
    _same([model for model, _ in fitted])
    assert fitted[0][1].count("focal_loss") == 5  # rounds 0, 2, 4, 6 and the last: printed the same
    assert fitted[1][1] == fitted[0][1] == fitted[2][1]


def test_the_rounds_are_the_lean_ones_and_leave_the_booster_as_xgboosts():
    X, y = _data()
    calls, seen = [], []
    rounds = skfocal._compat._Rounds.__call__

    class Seen(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            seen.append(type(model))
            return False

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(skfocal._compat._Rounds, "__call__", lambda self, *a, **k: calls.append(1) or rounds(self, *a, **k))
        model = FocalXGBClassifier(**BASE, callbacks=[Seen()]).fit(X, y)
    assert len(calls) == BASE["n_estimators"]
    assert seen == [xgb.Booster] * BASE["n_estimators"]  # a user's callback sees XGBoost's own class
    assert "update" not in model.get_booster().__dict__  # and the booster keeps its own update
    assert model.get_params()["callbacks"][0].__class__ is Seen  # the user's callbacks, unchanged


def test_a_fit_that_fails_leaves_no_lean_round_behind():
    X, y = _data()
    boosters = []

    class Fail(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            boosters.append(model)
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        FocalXGBClassifier(**BASE, callbacks=[Fail()]).fit(X, y)
    assert "update" not in boosters[0].__dict__


@pytest.mark.parametrize("how", ["copy", "pickle"])
def test_a_copy_or_checkpoint_made_during_training_is_xgboosts_plain_booster(how):
    # A user's callback that keeps a copy of the model (or pickles a checkpoint) gets a booster
    # of XGBoost's own: it trains itself, not the fitted model, and loads without skfocal.
    X, y = _data()
    kept = []

    class Keep(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            if epoch == 3:
                kept.append(model.copy() if how == "copy" else pickle.dumps(model))
            return False

    fitted = FocalXGBClassifier(**BASE, callbacks=[Keep()]).fit(X, y)
    if how == "pickle":
        assert b"skfocal" not in kept[0]
        kept[0] = pickle.loads(kept[0])
    booster = kept[0]
    assert "update" not in booster.__dict__ and "__getstate__" not in booster.__dict__
    assert booster.num_boosted_rounds() == 4
    trained_on = xgb.train({"max_depth": 2}, xgb.DMatrix(X, y), num_boost_round=2, xgb_model=booster)
    assert trained_on.num_boosted_rounds() == 6
    booster.update(xgb.DMatrix(X, y), 4)  # XGBoost's own round, on the copy itself
    assert booster.num_boosted_rounds() == 5
    assert fitted.get_booster().num_boosted_rounds() == BASE["n_estimators"]  # the fitted model untouched
