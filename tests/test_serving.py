"""Serving and recovery as the parents do them: one check per prediction, interrupts, inf, extreme settings."""

import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.utils.validation
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.utils.validation import check_is_fitted

# ------------------------------------------------------------ one validation per prediction


@pytest.fixture
def check_array_calls(monkeypatch):
    """The number of scikit-learn ``check_array`` calls (every ``validate_data`` of an array makes one)."""
    calls = []
    original = sklearn.utils.validation.check_array

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(sklearn.utils.validation, "check_array", counted)
    return calls


@pytest.mark.parametrize("method", ["predict_proba", "predict", "decision_function"])
def test_a_prediction_checks_its_array_once(case, make_binary, check_array_calls, method):
    X, y = make_binary()
    est = case.focal(**case.params).fit(X, y)
    # A float array of the fitted width: no full check at all (skfocal's lean one), or the
    # parent's own (LightGBM); anything else: exactly one full check
    for rows, full_checks in [
        (X[:1], {0, 1}),
        (X[:100], {0, 1}),
        (X[:100].astype(np.float32), {0, 1}),
        (np.asfortranarray(X[:100]), {0, 1}),
        (X[:100].tolist(), {1}),
        (X[:100].astype(np.int64), {1}),
    ]:
        check_array_calls.clear()
        getattr(est, method)(rows)
        assert len(check_array_calls) in full_checks, type(rows)


def test_the_lean_check_gives_what_the_full_check_gives(case, make_binary):
    X, y = make_binary()
    est = case.focal(**case.params).fit(X, y)
    rows = X[:50]
    # a list takes scikit-learn's full check, which converts it to the same float64 array
    np.testing.assert_array_equal(est.predict_proba(rows), est.predict_proba(rows.tolist()))
    np.testing.assert_array_equal(est.predict_proba(np.asfortranarray(rows)), est.predict_proba(rows.tolist()))
    low = rows.astype(np.float32)
    # float32: the value the parent's check would have passed on unchanged, as a list of floats
    # of those values converted by the full check to float64, which both boosters read exactly
    np.testing.assert_array_equal(est.predict_proba(low), est.predict_proba(low.astype(np.float64).tolist()))


def test_predictions_keep_every_check_users_rely_on(case, make_binary):
    X, y = make_binary()
    est = case.focal(**case.params).fit(X, y)
    with pytest.raises(ValueError, match="X has 7 features, but .* is expecting 8 features"):
        est.predict_proba(X[:, :7])
    with pytest.raises(ValueError, match="could not convert|numeric"):
        est.predict_proba(np.array([["a"] * 8]))
    with pytest.raises(ValueError, match="0 sample"):
        est.predict_proba(X[:0])
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.predict_proba(X[0])
    with pytest.raises(ValueError, match="dim 3|3-D|3 dimensions"):
        est.predict_proba(X[:4].reshape(2, 2, 8))
    assert np.isfinite(est.predict_proba(np.full((1, 8), np.nan))).all()


def test_frames_keep_their_column_checks(case, make_binary):
    X, y = make_binary()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = case.focal(**case.params).fit(frame, y)
    assert est.predict_proba(frame[:5]).shape == (5, 2)
    with pytest.raises(ValueError, match="feature names"):
        est.predict_proba(frame[frame.columns[::-1]][:5])  # reordered: the parent LightGBM would mis-predict
    with pytest.raises(ValueError, match="feature names"):
        est.predict_proba(frame.rename(columns={"f0": "g0"})[:5])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict_proba(X[:5])  # as scikit-learn warns


# ------------------------------------------------------------ a fit that raises


class _Stop(Exception):
    pass


def _interrupting(case, exc):
    """Fit keyword arguments and parameters whose callback raises ``exc`` after two rounds."""
    if case.booster == "lightgbm":

        def callback(env):
            if env.iteration == 2:
                raise exc

        return {}, {"callbacks": [callback]}
    import xgboost as xgb

    class Callback(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            if epoch == 2:
                raise exc
            return False

    return {"callbacks": [Callback()]}, {}


@pytest.mark.parametrize("exc", [KeyboardInterrupt, _Stop])
def test_a_refit_that_raises_keeps_the_fitted_model(case, make_binary, exc):
    X, y = make_binary()
    est = case.focal(**case.params).fit(X, y)
    before = est.predict_proba(X)
    params, fit_kwargs = _interrupting(case, exc)
    est.set_params(**params)
    X2, y2 = make_binary(seed=1)
    with pytest.raises(exc):
        est.fit(X2, y2 + 1, **fit_kwargs)  # other labels: a half-made refit would show them
    check_is_fitted(est)
    np.testing.assert_array_equal(est.classes_, [0, 1])
    np.testing.assert_array_equal(est.predict_proba(X), before)
    # and the next fit is the fit of a fresh estimator
    clean = case.focal(**case.params).fit(X2, y2)
    refit = est.set_params(callbacks=None).fit(X2, y2) if params else est.fit(X2, y2)
    np.testing.assert_array_equal(refit.predict_proba(X2), clean.predict_proba(X2))


def test_a_first_fit_that_raises_leaves_the_estimator_unfitted(case, make_binary):
    X, y = make_binary()
    params, fit_kwargs = _interrupting(case, KeyboardInterrupt)
    est = case.focal(**case.params, **params)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y, **fit_kwargs)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    with pytest.raises(NotFittedError):
        est.predict_proba(X)
    assert not hasattr(est, "classes_") or not hasattr(est, "init_score_")


def test_a_fit_with_bad_input_keeps_the_fitted_model(case, make_binary):
    X, y = make_binary()
    est = case.focal(**case.params).fit(X, y)
    before = est.predict_proba(X)
    with pytest.raises(ValueError):
        est.fit(X[:, :3], y[:10])
    np.testing.assert_array_equal(est.predict_proba(X), before)
    assert est.n_features_in_ == X.shape[1]


# ------------------------------------------------------------ an interrupted first import of the kernels

_INTERRUPTED_IMPORT = textwrap.dedent(
    """
    import json, sys
    import numpy as np

    class Interrupt:
        # An import hook that raises, once, where the import of numba is halfway: as Ctrl-C there would.
        done = False

        def find_spec(self, name, path=None, target=None):
            if name == {module!r} and not Interrupt.done:
                Interrupt.done = True
                raise KeyboardInterrupt
            return None

    sys.meta_path.insert(0, Interrupt())
    from sklearn.datasets import make_classification
    from skfocal import {estimator}
    from sklearn.utils.validation import check_is_fitted

    X, y = make_classification(n_samples=20000, n_features=6, random_state=0)
    est = {estimator}(n_estimators=5, n_jobs=1{extra})
    try:
        est.fit(X, y)
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    try:
        check_is_fitted(est)
        fitted_after_interrupt = True
    except Exception:
        fitted_after_interrupt = False
    proba = est.fit(X, y).predict_proba(X[:50])[:, 1].tolist()
    print(json.dumps({{"interrupted": interrupted, "fitted": fitted_after_interrupt, "proba": proba}}))
    """
)


def test_ctrl_c_during_the_import_of_the_kernels_waits_for_it(case):
    from sklearn.datasets import make_classification

    extra = ", verbose=-1" if case.booster == "lightgbm" else ""
    code = _INTERRUPTED_IMPORT.format(
        module="numba.core.typing.templates", estimator=case.focal.__name__, extra=extra
    ).replace(
        "raise KeyboardInterrupt", "import os, signal; os.kill(os.getpid(), signal.SIGINT)"
    )  # a real Ctrl-C, halfway through importing numba
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["interrupted"] and not result["fitted"]  # raised once numba is imported whole
    X, y = make_classification(n_samples=20000, n_features=6, random_state=0)
    clean = case.focal(n_estimators=5, n_jobs=1, **({"verbose": -1} if case.booster == "lightgbm" else {}))
    np.testing.assert_array_equal(result["proba"], clean.fit(X, y).predict_proba(X[:50])[:, 1])


@pytest.mark.parametrize("module", ["numba.core.typing.templates", "skfocal._kernels"])
def test_an_interrupted_import_of_the_kernels_leaves_the_process_able_to_fit(case, module):
    from sklearn.datasets import make_classification

    extra = ", verbose=-1" if case.booster == "lightgbm" else ""
    code = _INTERRUPTED_IMPORT.format(module=module, estimator=case.focal.__name__, extra=extra)
    # a process of its own: here numba is imported already
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["interrupted"] and not result["fitted"]
    X, y = make_classification(n_samples=20000, n_features=6, random_state=0)
    clean = case.focal(n_estimators=5, n_jobs=1, **({"verbose": -1} if case.booster == "lightgbm" else {}))
    # Same data, same code, another process: the kernels give the same bits wherever they run
    np.testing.assert_array_equal(result["proba"], clean.fit(X, y).predict_proba(X[:50])[:, 1])


# ------------------------------------------------------------ infinity in X


def _with_inf(X):
    X = X.copy()
    X[::9, 0] = np.inf
    X[::11, 1] = -np.inf
    return X


def test_lightgbm_trains_and_predicts_on_inf_as_its_parent(lgbm_case, make_binary):
    X, y = make_binary()
    X_inf = _with_inf(X)
    est = lgbm_case.focal(focal_gamma=0.0, **lgbm_case.params).fit(X_inf, y, eval_set=[(X_inf, y)])
    parent = lgbm_case.native(**lgbm_case.params).fit(X_inf, y)
    # focal_gamma=0 is the parent's model; 1e-6: the float32 gradients of a callable objective
    # against LightGBM's own float64 ones
    np.testing.assert_allclose(est.predict_proba(X_inf), parent.predict_proba(X_inf), atol=1e-6)


def test_xgboost_refuses_inf_in_training_as_its_parent_and_predicts_on_it(xgb_case, make_binary):
    import xgboost as xgb

    X, y = make_binary()
    X_inf = _with_inf(X)
    with pytest.raises(xgb.core.XGBoostError):
        xgb_case.native(**xgb_case.params).fit(X_inf, y)
    with pytest.raises(ValueError, match="infinity"):
        xgb_case.focal(**xgb_case.params).fit(X_inf, y)
    with pytest.raises(ValueError, match="infinity"):
        xgb_case.focal(**xgb_case.params).fit(X, y, eval_set=[(X_inf, y)], verbose=False)
    est = xgb_case.focal(focal_gamma=0.0, **xgb_case.params).fit(X, y)
    parent = xgb_case.native(**xgb_case.params).fit(X, y)
    # 1e-4: as the other focal_gamma=0 comparisons with XGBoost (float32 margins)
    np.testing.assert_allclose(est.predict_proba(X_inf), parent.predict_proba(X_inf), atol=1e-4)


def test_xgboost_trains_on_inf_where_it_is_the_missing_value(xgb_case, make_binary):
    X, y = make_binary()
    X_pos = X.copy()
    X_pos[::9, 0] = np.inf
    est = xgb_case.focal(missing=np.inf, focal_gamma=0.0, **xgb_case.params).fit(X_pos, y)
    parent = xgb_case.native(missing=np.inf, **xgb_case.params).fit(X_pos, y)
    np.testing.assert_allclose(est.predict_proba(X_pos), parent.predict_proba(X_pos), atol=1e-4)
    with pytest.raises(ValueError, match="contains -inf.*missing=inf"):
        xgb_case.focal(missing=np.inf, **xgb_case.params).fit(_with_inf(X), y)


# ------------------------------------------------------------ extreme settings: learn or warn

EXTREMES = [{"focal_alpha": 1e-12}, {"focal_alpha": 1 - 1e-12}, {"focal_gamma": 50.0}]


@pytest.mark.parametrize("setting", EXTREMES, ids=["alpha=1e-12", "alpha=1-1e-12", "gamma=50"])
def test_a_setting_that_makes_no_split_warns(case, make_binary, setting):
    X, y = make_binary()
    with pytest.warns(UserWarning, match="can make no split.*less extreme") as record:
        est = case.focal(**case.params, **setting).fit(X, y)
    assert np.ptp(est.predict_proba(X)[:, 1]) < 1e-9  # what the warning says: one probability
    assert record[0].filename == __file__  # it points at the user's call, not into skfocal


def test_the_warning_reads_the_alias_the_user_set(lgbm_case, make_binary):
    X, y = make_binary()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        est = lgbm_case.focal(**lgbm_case.params, focal_gamma=50.0, min_hessian=1e-30).fit(X, y)
    assert np.ptp(est.predict_proba(X)[:, 1]) > 1e-3  # LightGBM takes min_hessian, and splits


def test_weights_that_leave_one_class_alone_warn(xgb_case, make_binary):
    X, y = make_binary()
    # the parent is constant too: with one class weighted, every row has the same g/h
    assert np.ptp(xgb_case.native(**xgb_case.params, scale_pos_weight=1e-12).fit(X, y).predict_proba(X)[:, 1]) == 0
    with pytest.warns(UserWarning, match="can make no split.*weights"):
        xgb_case.focal(**xgb_case.params, scale_pos_weight=1e-12).fit(X, y)


@pytest.mark.parametrize("setting", EXTREMES, ids=["alpha=1e-12", "alpha=1-1e-12", "gamma=50"])
def test_lightgbm_learns_where_the_warning_says(lgbm_case, make_binary, setting):
    X, y = make_binary()
    with pytest.warns(UserWarning, match=r"Lower min_child_weight .* to (\S+) or less") as record:
        lgbm_case.focal(**lgbm_case.params, **setting).fit(X, y)
    advised = float(record[0].message.args[0].split(" to ")[-1].split(" or less")[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        est = lgbm_case.focal(**lgbm_case.params, min_child_weight=advised, **setting).fit(X, y)
    assert roc_auc_score(y, est.predict_proba(X)[:, 1]) > 0.8


@pytest.mark.parametrize(
    "setting", [{}, {"focal_gamma": 0.0}, {"focal_gamma": 5.0}, {"focal_gamma": 3.0, "focal_alpha": "balanced"}]
)
def test_ordinary_settings_do_not_warn(case, make_binary, make_multiclass, setting):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        for X, y in (make_binary(), make_multiclass()):
            case.focal(**case.params, **setting).fit(X, y)
        case.focal(**case.params, focal_alpha=0.05).fit(*make_binary())
