"""What the test modules share: the two boosters as one parametrisation, data builders, fixtures.

A test that runs on both boosters takes the ``case`` fixture: a :class:`LGBMCase` or
:class:`XGBCase`, which says how a user of that booster reaches what the test compares (the
focal estimator and its parent, fast parameters, the logged metric, early stopping, a model
truncated to ``n`` trees, the exported margin). ``lgbm_case`` and ``xgb_case`` give one of them.
"""

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb
from sklearn.datasets import make_classification

from skfocal import FocalLGBMClassifier, FocalXGBClassifier

N_ESTIMATORS = 25


class LGBMCase:
    """How a LightGBM user reaches the pieces a test compares."""

    booster = "lightgbm"
    focal = FocalLGBMClassifier
    native = lgb.LGBMClassifier
    params = {"n_estimators": N_ESTIMATORS, "verbose": -1, "n_jobs": 1}
    quiet_fit: dict = {}
    metric_rtol = 1e-6  # LightGBM hands the metric its float32 copy of the eval weights

    @staticmethod
    def dask_class():
        from skfocal.dask import FocalDaskLGBMClassifier

        return FocalDaskLGBMClassifier

    @staticmethod
    def exported_margin(est, X, tmp_path):
        path = tmp_path / "model.txt"
        est.booster_.save_model(path)
        return lgb.Booster(model_file=path).predict(X, raw_score=True)

    @staticmethod
    def logged(est, name="valid_0"):
        return est.evals_result_[name]["focal_loss"]

    @staticmethod
    def eval_kwargs(X_val, y_val):
        return {"eval_set": [(X_val, y_val)]}

    @staticmethod
    def early_stopping(est_params):
        return est_params, {"callbacks": [lgb.early_stopping(5, verbose=False)]}

    @staticmethod
    def truncated(n):
        return {"num_iteration": n}


class XGBCase:
    """How an XGBoost user reaches the pieces a test compares."""

    booster = "xgboost"
    focal = FocalXGBClassifier
    native = xgb.XGBClassifier
    params = {"n_estimators": N_ESTIMATORS, "n_jobs": 1, "max_depth": 3}
    quiet_fit = {"verbose": False}
    metric_rtol = 1e-4  # XGBoost logs custom metrics rounded to 5-6 significant digits

    @staticmethod
    def dask_class():
        from skfocal.dask import FocalDaskXGBClassifier

        return FocalDaskXGBClassifier

    @staticmethod
    def exported_margin(est, X, tmp_path):
        path = tmp_path / "model.json"
        est.get_booster().save_model(path)
        return xgb.Booster(model_file=path).predict(xgb.DMatrix(X), output_margin=True)

    @staticmethod
    def logged(est, name="validation_0"):
        return est.evals_result()[name]["focal_loss"]

    @staticmethod
    def eval_kwargs(X_val, y_val):
        return {"eval_set": [(X_val, y_val)]}

    @staticmethod
    def early_stopping(est_params):
        return {**est_params, "early_stopping_rounds": 5}, {}

    @staticmethod
    def truncated(n):
        return {"iteration_range": (0, n)}


CASES = [LGBMCase, XGBCase]


@pytest.fixture(params=CASES, ids=[c.booster for c in CASES])
def case(request):
    """Each booster in turn: :class:`LGBMCase`, then :class:`XGBCase`."""
    return request.param


@pytest.fixture
def lgbm_case():
    return LGBMCase


@pytest.fixture
def xgb_case():
    return XGBCase


def binary_data(n_samples=1500, n_features=8, weights=(0.9,), seed=0, **kwargs):
    """An imbalanced binary problem (``make_classification``), ``(X, y)``."""
    return make_classification(
        n_samples=n_samples, n_features=n_features, weights=list(weights), random_state=seed, **kwargs
    )


def multiclass_data(n_samples=1500, n_classes=3, n_features=8, seed=0):
    """A K-class problem with unequal classes, ``(X, y)``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    cuts = np.quantile(X[:, 0] + rng.normal(size=n_samples), np.linspace(0, 1, n_classes + 1)[1:-1] ** 0.7)
    return X, np.digitize(X[:, 0] + rng.normal(size=n_samples), cuts)


@pytest.fixture
def make_binary():
    """:func:`binary_data` as a fixture (test modules cannot import this file)."""
    return binary_data


@pytest.fixture
def make_multiclass():
    """:func:`multiclass_data` as a fixture."""
    return multiclass_data


@pytest.fixture
def threads_seen(monkeypatch):
    """What the kernels are asked for during a test: per call, ``("team", n_threads)`` when it runs
    on a booster's OpenMP threads, ``("own", n_threads)`` on threads of the kernels' own; the
    kernels take every input size."""
    from skfocal import _fastpath, _kernels

    monkeypatch.setattr(_fastpath, "SMALL_BINARY", -1)
    monkeypatch.setattr(_fastpath, "SMALL_MULTICLASS", -1)
    seen = []
    run_blocks, on_team = _kernels._run_blocks, _kernels._on_team

    def own(n_rows, k, work, n_threads):
        seen.append(("own", n_threads))
        return run_blocks(n_rows, k, work, n_threads)

    def team(team, callback, n_threads, *args):
        seen.append(("team", n_threads))
        return on_team(team, callback, n_threads, *args)

    monkeypatch.setattr(_kernels, "_run_blocks", own)
    monkeypatch.setattr(_kernels, "_on_team", team)
    return seen


@pytest.fixture
def no_team(monkeypatch):
    """As on a platform whose OpenMP runtime the kernels cannot run on: they use threads of their own."""
    from skfocal import _compat

    monkeypatch.setattr(_compat, "openmp_team", lambda booster: None)
