"""FocalXGBClassifier's lean training loop reproduces the parent's training path exactly.

``skfocal._compat.XGB_LEAN_TRAINING`` chooses how ``FocalXGBClassifier.fit`` trains: ``True``,
skfocal's own loop; ``False``, ``XGBClassifier.fit`` (``_objective_decorator`` around the focal
objective, then ``xgboost.train``), which is the parent's own code path for a callable objective
and so the reference. Each test fits the same estimator parameters with the same fit arguments
once each way and holds everything a user can see equal, bit for bit: the model file (trees,
base score, attributes), its configuration, predictions, ``evals_result()``, ``best_iteration``
and ``best_score``, feature names and types, importances, what is printed and warned, and
every call a callback gets. No tolerance anywhere: both paths hand XGBoost the same float32
gradients in the same order, so nothing may differ by even one bit.

The only normalisation: XGBoost's C++ logger stamps its lines with the wall-clock second
(``[11:09:31] WARNING: ...``), which two fits can straddle; ``_untimed`` masks that stamp.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import xgboost as xgb
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss

import skfocal._compat
from skfocal import FocalXGBClassifier
from skfocal._fastpath import SMALL_BINARY, is_small

FLAG = "XGB_LEAN_TRAINING"
BASE = {"n_estimators": 5, "max_depth": 3, "n_jobs": 1}  # one thread: fast on a shared machine
_STAMP = re.compile(r"\[\d{2}:\d{2}:\d{2}\] ")


# ------------------------------------------------------------------------------- data
@functools.cache
def _data(n_classes: int = 2, n_samples: int = 600, n_features: int = 6, dtype: str = "float64"):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        random_state=0,
    )
    return X.astype(dtype), y


def _split(X, y):
    cut = 2 * len(y) // 3
    return X[:cut], y[:cut], X[cut:], y[cut:]


def _weights(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.2, 3.0, n)


@functools.cache
def _stopping_data():
    """Noisy data on which early stopping on the focal loss, AUC and log loss stops at three different rounds."""
    X, y = make_classification(n_samples=800, n_features=6, n_informative=3, flip_y=0.2, random_state=0)
    return X[:500], y[:500], X[500:], y[500:]


STOPPING = {"n_estimators": 40, "max_depth": 3, "learning_rate": 0.2, "n_jobs": 1}


# ---------------------------------------------------------------------------- helpers
def _untimed(text: str) -> str:
    return _STAMP.sub("[hh:mm:ss] ", text)


def _fit(make_model, lean: bool, X, y, **fit_kw):
    """Fit a fresh ``make_model()`` on one path: the model, its stdout and its warnings."""
    model = make_model()
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings(record=True) as caught:
        mp.setattr(skfocal._compat, FLAG, lean)
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out):
            model.fit(X, y, **fit_kw)
    return model, _untimed(out.getvalue()), [(w.category, _untimed(str(w.message))) for w in caught]


def _fit_both(make_model, X, y, **fit_kw):
    """``(lean, ref, lean_out, ref_out)``: the same estimator fitted on both paths, and what each printed.

    ``make_model`` builds a fresh estimator (fresh callbacks: XGBoost's keep state). The
    warnings both fits raise must be the same, and fitting must leave the user's parameters
    as ``make_model`` set them.
    """
    ref, ref_out, ref_warned = _fit(make_model, False, X, y, **fit_kw)
    lean, lean_out, lean_warned = _fit(make_model, True, X, y, **fit_kw)
    assert lean_warned == ref_warned
    assert _params(lean) == _params(ref) == _params(make_model())
    return lean, ref, lean_out, ref_out


def _check(make_model, X, y, **fit_kw):
    """Fit on both paths, hold everything equal (printed lines too); returns ``(lean, ref, ref_out)``."""
    lean, ref, lean_out, ref_out = _fit_both(make_model, X, y, **fit_kw)
    assert lean_out.splitlines() == ref_out.splitlines()
    _assert_same(lean, ref, X)
    return lean, ref, ref_out


def _plain(value):
    """A parameter value in a comparable form: arrays as lists, callbacks by type (fresh per fit)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.tolist())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_plain(v) for v in value])
    if isinstance(value, xgb.callback.TrainingCallback):
        return ("callback", type(value).__name__)
    if callable(value):
        return ("callable", getattr(value, "__name__", type(value).__name__))
    return value


def _params(model) -> dict:
    return {name: _plain(value) for name, value in model.get_params().items()}


def _typed(value):
    """``value`` with the type of every container and scalar spelled out (OrderedDict vs dict, float vs numpy)."""
    if isinstance(value, dict):
        return (type(value).__name__, [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_typed(item) for item in value])
    return (type(value).__name__, repr(value))  # repr: exact for floats, and NaN equals NaN


def _log(model):
    """``evals_result()`` with its types, or the error it raises (no eval set: XGBoostError)."""
    try:
        log = model.evals_result()
    except Exception as error:  # noqa: BLE001 - the same error both ways is what is held equal
        return ("raised", type(error), str(error))
    return _typed(log)


def _first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} (lean) != {type(b).__name__} (reference)"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}.{key}: only in the {'reference' if key in b else 'lean'} model"
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None if list(a) == list(b) else f"{path}: key order {list(a)} != {list(b)}"
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} (lean) != {len(b)} (reference)"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} (lean) != {b!r} (reference)"


def _json_difference(lean: bytes, ref: bytes) -> str:
    found = _first_difference(json.loads(lean), json.loads(ref))
    return found or "the JSON documents are equal; the bytes differ in formatting only"


def _assert_same(lean, ref, X):
    """Everything a user sees of a fitted model is the same on both paths."""
    lb, rb = lean.get_booster(), ref.get_booster()
    assert lb.num_boosted_rounds() == rb.num_boosted_rounds()
    lean_raw, ref_raw = bytes(lb.save_raw("json")), bytes(rb.save_raw("json"))
    assert lean_raw == ref_raw, _json_difference(lean_raw, ref_raw)  # trees, base score, attributes
    lean_config, ref_config = lb.save_config(), rb.save_config()
    assert lean_config == ref_config, _json_difference(lean_config.encode(), ref_config.encode())
    assert lb.attributes() == rb.attributes()
    assert lb.feature_names == rb.feature_names
    assert lb.feature_types == rb.feature_types
    np.testing.assert_array_equal(lean.decision_function(X), ref.decision_function(X))
    np.testing.assert_array_equal(lean.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(lean.predict(X), ref.predict(X))
    assert _log(lean) == _log(ref)
    for name in ("best_iteration", "best_score"):
        assert hasattr(lean, name) == hasattr(ref, name), name
        if hasattr(ref, name):
            assert type(getattr(lean, name)) is type(getattr(ref, name))
            assert getattr(lean, name) == getattr(ref, name), name
    assert lean.n_features_in_ == ref.n_features_in_
    assert hasattr(lean, "feature_names_in_") == hasattr(ref, "feature_names_in_")
    if hasattr(ref, "feature_names_in_"):
        np.testing.assert_array_equal(lean.feature_names_in_, ref.feature_names_in_)
    np.testing.assert_array_equal(lean.feature_importances_, ref.feature_importances_)
    assert lean.n_classes_ == ref.n_classes_
    np.testing.assert_array_equal(lean.classes_, ref.classes_)
    np.testing.assert_array_equal(lean.init_score_, ref.init_score_)
    assert repr(lean.loss_) == repr(ref.loss_)
    assert sorted(vars(lean)) == sorted(vars(ref))  # no state of the fit left on either estimator


def _model(**params):
    return lambda: FocalXGBClassifier(**{**BASE, **params})


# ----------------------------------------------------------- the lean path is taken
class _DecoratorCalled(Exception):
    pass


@pytest.mark.parametrize("n_classes", [2, 3])
def test_the_lean_path_does_not_go_through_the_parents_objective_wrapper(monkeypatch, n_classes):
    """Flag on: fit never calls ``_objective_decorator``; flag off: it does. So the parity tests compare two paths."""

    def refuse(*args, **kwargs):
        raise _DecoratorCalled

    X_train, y_train, X_val, y_val = _split(*_data(n_classes))
    monkeypatch.setattr(xgb.sklearn, "_objective_decorator", refuse)
    monkeypatch.setattr(xgb.Booster, "update", refuse)  # the lean loop runs its own rounds, too
    monkeypatch.setattr(skfocal._compat, FLAG, True)
    model = FocalXGBClassifier(**BASE).fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert model.get_booster().num_boosted_rounds() == BASE["n_estimators"]
    assert len(model.evals_result()["validation_0"]["focal_loss"]) == BASE["n_estimators"]
    monkeypatch.setattr(skfocal._compat, FLAG, False)
    with pytest.raises(_DecoratorCalled):
        FocalXGBClassifier(**BASE).fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)


# ------------------------------------------------------------------ configurations
def _fit_kw(kind, X_train, y_train, X_val, y_val) -> dict:
    w_train, w_val = _weights(len(y_train), 1), _weights(len(y_val), 2)
    return {
        "none": {},
        "eval": {"eval_set": [(X_val, y_val)], "verbose": False},
        "weights": {"sample_weight": w_train, "eval_set": [(X_val, y_val)], "verbose": False},
        "two-evals": {
            "sample_weight": w_train,
            "eval_set": [(X_train, y_train), (X_val, y_val)],
            "sample_weight_eval_set": [w_train, w_val],
            "verbose": False,
        },
        "one-eval-weighted": {
            "eval_set": [(X_train, y_train), (X_val, y_val)],
            "sample_weight_eval_set": [None, w_val],
            "verbose": False,
        },
        "eval-tuple": {"eval_set": (X_val, y_val), "verbose": False},  # one pair, not in a list
    }[kind]


CONFIGS = {
    "binary": (2, {}, "eval"),
    "binary-no-eval-set": (2, {}, "none"),
    "binary-eval-tuple": (2, {}, "eval-tuple"),
    "3-classes": (3, {}, "eval"),
    "3-classes-no-eval-set": (3, {}, "none"),
    "10-classes": (10, {}, "eval"),
    "sample-weight": (2, {}, "weights"),
    "sample-weight-3-classes": (3, {}, "weights"),
    "two-eval-sets-weighted": (2, {}, "two-evals"),
    "two-eval-sets-weighted-3-classes": (3, {}, "two-evals"),
    "two-eval-sets-one-weighted": (2, {}, "one-eval-weighted"),
    "n-estimators-1": (2, {"n_estimators": 1}, "eval"),
    "n-estimators-1-3-classes": (3, {"n_estimators": 1}, "eval"),
    "base-score": (2, {"base_score": 0.3}, "two-evals"),
    "scale-pos-weight": (2, {"scale_pos_weight": 3.0}, "two-evals"),
    "gamma-0": (2, {"focal_gamma": 0.0}, "eval"),
    "gamma-2": (2, {"focal_gamma": 2.0}, "eval"),
    "gamma-1.5": (2, {"focal_gamma": 1.5}, "two-evals"),
    "gamma-1.5-3-classes": (3, {"focal_gamma": 1.5}, "two-evals"),
    "alpha": (2, {"focal_alpha": 0.25}, "two-evals"),
    "alpha-balanced-3-classes": (3, {"focal_alpha": "balanced"}, "eval"),
    "posterior-correction": (2, {"posterior_correction": True}, "eval"),
    "posterior-correction-3-classes": (3, {"posterior_correction": True}, "eval"),
    "row-and-column-sampling": (2, {"subsample": 0.7, "colsample_bytree": 0.8, "random_state": 7}, "eval"),
    "tree-method-exact": (2, {"tree_method": "exact"}, "eval"),  # a DMatrix, not a QuantileDMatrix
    "learning-rate-and-regularisation": (2, {"learning_rate": 0.5, "reg_lambda": 3.0, "gamma": 0.1}, "eval"),
    "xgboost-info-lines": (2, {"verbosity": 2}, "eval"),  # XGBoost reports each DMatrix it builds
    "unused-parameter-warning": (2, {"not_a_parameter": 1}, "eval"),  # XGBoost warns of it
    "silent": (2, {"not_a_parameter": 1, "verbosity": 0}, "eval"),
    # Other boosters and tree shapes: dart drops trees in the training-time prediction the
    # objective gets, gblinear has no trees, and K classes can be one multi-output tree.
    "dart": (2, {"booster": "dart", "rate_drop": 0.3, "random_state": 3}, "eval"),
    "dart-3-classes": (3, {"booster": "dart", "rate_drop": 0.3, "random_state": 3}, "eval"),
    "gblinear": (2, {"booster": "gblinear"}, "eval"),
    "gblinear-3-classes": (3, {"booster": "gblinear"}, "eval"),
    "multi-output-tree": (3, {"multi_strategy": "multi_output_tree", "tree_method": "hist"}, "eval"),
    "parallel-trees": (2, {"num_parallel_tree": 2, "subsample": 0.8, "random_state": 1}, "eval"),
    "approx-lossguide": (2, {"tree_method": "approx", "grow_policy": "lossguide", "max_leaves": 6}, "eval"),
    "monotone": (2, {"monotone_constraints": "(1,0,0,0,0,-1)"}, "eval"),
    "missing-zero": (2, {"missing": 0.0}, "eval"),
}


@pytest.mark.parametrize(("n_classes", "params", "kind"), list(CONFIGS.values()), ids=list(CONFIGS))
def test_lean_training_is_the_parents(n_classes, params, kind):
    """Same parameters, same fit arguments: the same model, log, prints and warnings."""
    X_train, y_train, X_val, y_val = _split(*_data(n_classes))
    _check(_model(**params), X_train, y_train, **_fit_kw(kind, X_train, y_train, X_val, y_val))


def test_xgboosts_messages_are_compared():
    """The info lines and the unused-parameter warning exist, so the cases above compare something."""
    X_train, y_train, X_val, y_val = _split(*_data())
    _, _, out = _check(_model(verbosity=2), X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert "DMatrix" in out
    _, _, warned = _fit(_model(not_a_parameter=1), True, X_train, y_train)
    assert any("not_a_parameter" in message for _, message in warned)


def test_odd_row_count():
    """1,001 rows (odd: no even split of rows among blocks), numpy's path: the same model."""
    X, y = _data(2, n_samples=1001)
    lean, _, _ = _check(_model(n_jobs=2), X, y, eval_set=[(X, y)], sample_weight=_weights(1001, 3), verbose=False)
    assert lean.get_booster().num_boosted_rounds() == 5


@pytest.mark.parametrize("team", [True, False])
@pytest.mark.parametrize(("n_classes", "n_rows"), [(2, 140_001), (3, 45_001)])
def test_the_kernels_threads_read_xgboosts_scores_in_place_and_train_the_same(
    threads_seen, monkeypatch, team, n_classes, n_rows
):
    """Several threads (``n_jobs=4``: XGBoost's four, or two of the kernels' own) reading the view of
    XGBoost's scores, odd row counts: the same model.

    Enough values (rows x classes at least twice the kernels' 65,536 per thread) that the
    blocks really are shared; ``threads_seen`` records the threads the kernels are asked for.
    """
    from skfocal import _kernels

    if not team:
        monkeypatch.setattr(skfocal._compat, "openmp_team", lambda booster: None)
    X, y = _data(n_classes, n_samples=n_rows, n_features=4, dtype="float32")
    _check(_model(n_jobs=4, n_estimators=3), X, y, sample_weight=_weights(n_rows, 5))
    booster_threads = skfocal._compat.team_threads("xgboost", 4)  # XGBoost's own cap at the processors
    assert threads_seen and set(threads_seen) == ({("team", booster_threads)} if team else {("own", 2)})
    assert n_rows * n_classes // _kernels.MIN_VALUES_PER_THREAD >= 2  # so both threads get blocks


def test_an_unknown_fit_argument_is_named_the_same_way_on_both_paths():
    X, y = _data()
    messages = set()
    for lean in (True, False):
        with (
            pytest.MonkeyPatch.context() as mp,
            pytest.raises(TypeError, match="unexpected keyword argument 'bogus'") as info,
        ):
            mp.setattr(skfocal._compat, FLAG, lean)
            FocalXGBClassifier(**BASE).fit(X, y, bogus=1)
        messages.add(str(info.value))
    assert messages == {"FocalXGBClassifier.fit() got an unexpected keyword argument 'bogus'"}


def test_the_lean_path_is_off_when_a_name_it_uses_is_missing(monkeypatch):
    """An XGBoost without one of the private names the lean path uses turns it off (fits do not fail)."""
    import xgboost.objective

    assert skfocal._compat._lean_training_available()
    monkeypatch.delattr(xgboost.objective, "_grad_arrinf")
    assert not skfocal._compat._lean_training_available()


def test_missing_values_and_sparse_input():
    """NaN (XGBoost's missing value) in dense input, and a CSR matrix: the same models."""
    X, y = _data()
    X = X.copy()
    X[np.random.default_rng(0).random(X.shape) < 0.1] = np.nan
    X_train, y_train, X_val, y_val = _split(X, y)
    _check(_model(), X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    X_sparse = sp.csr_matrix(np.where(np.abs(X_train) < 0.5, 0.0, X_train))
    _check(_model(), X_sparse, y_train, eval_set=[(sp.csr_matrix(X_val), y_val)], verbose=False)


def test_string_labels():
    """Labels that are not 0..K-1 (strings, eval set too): the same model and log."""
    X, y = _data(3)
    labels = np.array(["cat", "dog", "eel"])[y]
    X_train, y_train, X_val, y_val = _split(X, labels)
    lean, _, _ = _check(_model(), X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert list(lean.classes_) == ["cat", "dog", "eel"]


# ----------------------------------------------------------------------- verbosity
@pytest.mark.parametrize(("verbose", "n_lines"), [(True, 5), (2, 3), (False, 0), ("unset", 5)])
def test_printed_evaluation_lines_are_the_parents(verbose, n_lines):
    """The evaluation lines XGBoost prints, for every ``verbose``: the same text, line by line."""
    X_train, y_train, X_val, y_val = _split(*_data())
    fit_kw = _fit_kw("two-evals", X_train, y_train, X_val, y_val)
    if verbose == "unset":  # XGBClassifier.fit's default, verbose=True
        del fit_kw["verbose"]
    else:
        fit_kw["verbose"] = verbose
    _, _, out = _check(_model(), X_train, y_train, **fit_kw)
    lines = out.splitlines()
    assert len(lines) == n_lines
    assert all("validation_0-focal_loss:" in line and "validation_1-focal_loss:" in line for line in lines)


def test_printed_lines_with_string_metrics_and_three_classes():
    """String metrics and the focal loss printed together, for three classes: the same lines."""
    X_train, y_train, X_val, y_val = _split(*_data(3))
    make = _model(eval_metric=["mlogloss", "merror"])
    _, _, out = _check(make, X_train, y_train, eval_set=[(X_train, y_train), (X_val, y_val)], verbose=True)
    assert "validation_1-mlogloss:" in out and "validation_1-merror:" in out and "validation_1-focal_loss:" in out
    assert len(out.splitlines()) == 5


def test_verbose_without_an_eval_set_prints_nothing_on_either_path():
    """``verbose=True`` with nothing to evaluate: both paths print the same (nothing)."""
    X, y = _data()
    _, _, out = _check(_model(), X, y, verbose=True)
    assert out == ""


# ------------------------------------------------------------------ early stopping
STOPPING_CASES = {
    "focal-metric": lambda: {"early_stopping_rounds": 3},
    "auc": lambda: {"early_stopping_rounds": 3, "eval_metric": "auc"},
    "logloss-then-auc": lambda: {"early_stopping_rounds": 3, "eval_metric": ["logloss", "auc"]},
    "auc-then-logloss": lambda: {"early_stopping_rounds": 3, "eval_metric": ["auc", "logloss"]},
    "user-callback-save-best": lambda: {"callbacks": [xgb.callback.EarlyStopping(rounds=3, save_best=True)]},
    "user-callback-save-best-auc": lambda: {
        "callbacks": [xgb.callback.EarlyStopping(rounds=3, save_best=True)],
        "eval_metric": "auc",
    },
    "user-callback-named-metric": lambda: {
        # the first metric, not the last one the parent would watch
        "callbacks": [xgb.callback.EarlyStopping(rounds=3, metric_name="auc", data_name="validation_1")],
        "eval_metric": ["auc", "logloss"],
    },
    "user-callback-min-delta": lambda: {"callbacks": [xgb.callback.EarlyStopping(rounds=2, min_delta=1e-3)]},
}


@pytest.mark.parametrize("case", list(STOPPING_CASES.values()), ids=list(STOPPING_CASES))
def test_early_stopping_stops_where_the_parent_does(case):
    """Early stopping (XGBoost's or a user's callback): the same rounds, best iteration and score."""
    X_train, y_train, X_val, y_val = _stopping_data()
    make = lambda: FocalXGBClassifier(**STOPPING, **case())  # noqa: E731 - a fresh callback per fit
    lean, ref, _ = _check(make, X_train, y_train, eval_set=[(X_train, y_train), (X_val, y_val)], verbose=False)
    assert ref.best_iteration < STOPPING["n_estimators"] - 4  # it did stop early, so this compares something
    assert ref.get_booster().num_boosted_rounds() < STOPPING["n_estimators"]


def test_early_stopping_on_different_metrics_stops_at_different_rounds():
    """The stopping data tell the watched metric apart: stopping on the wrong one cannot pass the test above."""
    X_train, y_train, X_val, y_val = _stopping_data()
    best = {}
    for name in ("focal-metric", "auc", "auc-then-logloss"):
        make = functools.partial(lambda case: FocalXGBClassifier(**STOPPING, **case()), STOPPING_CASES[name])
        model, _, _ = _fit(make, True, X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
        best[name] = model.best_iteration
    assert len(set(best.values())) == 3, best


@pytest.mark.parametrize("verbose", [True, 4])
@pytest.mark.parametrize("metric", [None, "auc"], ids=["focal-metric", "auc"])
def test_early_stopping_prints_what_the_parent_prints(metric, verbose):
    """Early stopping with a print period: the same lines on both paths."""
    X_train, y_train, X_val, y_val = _stopping_data()
    make = lambda: FocalXGBClassifier(**STOPPING, early_stopping_rounds=3, eval_metric=metric)  # noqa: E731
    _, ref, out = _check(make, X_train, y_train, eval_set=[(X_val, y_val)], verbose=verbose)
    n_rounds, period = ref.get_booster().num_boosted_rounds(), 1 if verbose is True else verbose
    assert n_rounds < STOPPING["n_estimators"]
    # One line per period, and the last round's (XGBoost's EvaluationMonitor prints it at the end).
    printed = [int(line.split("]")[0][1:]) for line in out.splitlines()]
    assert printed == sorted({*range(0, n_rounds, period), n_rounds - 1})


@pytest.mark.parametrize("lean", [True, False], ids=["lean", "reference"])
@pytest.mark.parametrize("verbose", [True, 4])
def test_early_stopping_on_a_string_metric_prints_the_rounds_xgbclassifier_prints(lean, verbose):
    """Stopping on AUC: the rounds printed, where it stops and its best round are XGBClassifier's own.

    With ``focal_gamma=0`` the trees are XGBClassifier's (to float rounding), so both stop at
    the same round; the printed lines differ only by the focal loss's column.
    """
    X_train, y_train, X_val, y_val = _stopping_data()
    params = {**STOPPING, "early_stopping_rounds": 3, "eval_metric": "auc"}
    parent = xgb.XGBClassifier(**params)
    with contextlib.redirect_stdout(io.StringIO()) as parent_out:
        parent.fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=verbose)
    ours, out, _ = _fit(lambda: FocalXGBClassifier(focal_gamma=0.0, **params), lean, X_train, y_train,
                        eval_set=[(X_val, y_val)], verbose=verbose)  # fmt: skip
    assert parent.get_booster().num_boosted_rounds() < STOPPING["n_estimators"]  # it did stop early
    assert ours.best_iteration == parent.best_iteration
    assert ours.get_booster().num_boosted_rounds() == parent.get_booster().num_boosted_rounds()

    def rounds(text):
        return [line.split("\t")[0] for line in text.splitlines()]

    assert rounds(out) == rounds(parent_out.getvalue())


def test_early_stopping_three_classes():
    """Early stopping on the focal metric, mlogloss and merror (each stops elsewhere) for three classes."""
    X, y = make_classification(n_samples=600, n_features=6, n_informative=3, n_classes=3, flip_y=0.2, random_state=0)
    X_train, y_train, X_val, y_val = _split(X, y)
    params = {**STOPPING, "learning_rate": 0.3, "early_stopping_rounds": 3}
    best = set()
    for extra in ({}, {"eval_metric": "mlogloss"}, {"eval_metric": ["mlogloss", "merror"]}):
        make = lambda: FocalXGBClassifier(**params, **extra)  # noqa: B023,E731
        _, ref, _ = _check(make, X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
        assert ref.get_booster().num_boosted_rounds() < STOPPING["n_estimators"], extra
        best.add(ref.best_iteration)
    assert len(best) == 3  # three different stopping rounds: the watched metric matters


# --------------------------------------------------------------- callable eval_metric
def _sk_log_loss(y_true, y_score, sample_weight=None):
    """A user's metric in scikit-learn's convention: labels and probabilities."""
    return log_loss(y_true, y_score, sample_weight=sample_weight)


CALLABLE_CASES = {
    "binary": (2, {"eval_metric": _sk_log_loss}, "eval"),
    "binary-weighted-evals": (2, {"eval_metric": _sk_log_loss}, "two-evals"),
    "3-classes": (3, {"eval_metric": _sk_log_loss}, "two-evals"),
    "after-a-string-metric": (2, {"eval_metric": ["auc", _sk_log_loss]}, "eval"),
}


@pytest.mark.parametrize(("n_classes", "params", "kind"), list(CALLABLE_CASES.values()), ids=list(CALLABLE_CASES))
def test_a_callable_eval_metric_is_logged_as_in_the_parent(n_classes, params, kind):
    """A scikit-learn-style callable metric replaces the focal loss: the same values in the log."""
    X_train, y_train, X_val, y_val = _split(*_data(n_classes))
    lean, _, _ = _check(_model(**params), X_train, y_train, **_fit_kw(kind, X_train, y_train, X_val, y_val))
    log = lean.evals_result()
    assert all("_sk_log_loss" in metrics and "focal_loss" not in metrics for metrics in log.values())


def test_early_stopping_on_a_callable_eval_metric():
    """``early_stopping_rounds`` with a callable metric watches it: the same stopping round."""
    X_train, y_train, X_val, y_val = _stopping_data()
    make = lambda: FocalXGBClassifier(**STOPPING, eval_metric=_sk_log_loss, early_stopping_rounds=3)  # noqa: E731
    _, ref, _ = _check(make, X_train, y_train, eval_set=[(X_val, y_val)], verbose=True)
    assert ref.get_booster().num_boosted_rounds() < STOPPING["n_estimators"]


# ------------------------------------------------------------------------ callbacks
class _Recorder(xgb.callback.TrainingCallback):
    """Every call XGBoost makes on a callback, with deep copies of what it is handed."""

    def __init__(self, stop_after=None, stop_before=None):
        super().__init__()
        self.calls = []
        self.stop_after = stop_after  # after_iteration asks to stop at this epoch
        self.stop_before = stop_before  # before_iteration asks to stop at this epoch
        self._models = []
        self._logs = []

    def _seen(self, model):
        self._models.append(model)
        return type(model).__name__, model.num_boosted_rounds(), model is self._models[0]

    def before_training(self, model):
        self.calls.append(("before_training", self._seen(model)))
        return model

    def before_iteration(self, model, epoch, evals_log):
        self.calls.append(("before_iteration", epoch, self._seen(model), _typed(copy.deepcopy(evals_log))))
        return self.stop_before is not None and epoch >= self.stop_before

    def after_iteration(self, model, epoch, evals_log):
        self._logs.append(evals_log)
        self.calls.append(
            ("after_iteration", epoch, self._seen(model), _typed(copy.deepcopy(evals_log)), evals_log is self._logs[0])
        )
        return self.stop_after is not None and epoch >= self.stop_after

    def after_training(self, model):
        self.calls.append(("after_training", self._seen(model)))
        return model


@pytest.mark.parametrize(
    ("n_classes", "stop", "kind"),
    [(2, {}, "two-evals"), (2, {"stop_after": 2}, "eval"), (2, {"stop_before": 2}, "eval"), (3, {}, "two-evals"),
     (2, {}, "none")],
    ids=["binary", "after-iteration-stops-the-fit", "before-iteration-stops-the-fit", "3-classes", "no-eval-set"],
)  # fmt: skip
def test_a_users_callback_gets_the_same_calls(n_classes, stop, kind):
    """A user's TrainingCallback is called the same way: same hooks, epochs, logs, booster."""
    X_train, y_train, X_val, y_val = _split(*_data(n_classes))
    make = lambda: FocalXGBClassifier(**BASE, callbacks=[_Recorder(**stop)])  # noqa: E731
    lean, ref, _ = _check(make, X_train, y_train, **_fit_kw(kind, X_train, y_train, X_val, y_val))
    lean_calls, ref_calls = lean.get_params()["callbacks"][0].calls, ref.get_params()["callbacks"][0].calls
    hooks = ["before_iteration", "after_iteration"] * BASE["n_estimators"]
    if "stop_after" in stop:  # rounds 0, 1, 2 are trained
        hooks = hooks[:6]
    elif "stop_before" in stop:  # rounds 0, 1 are trained; round 2 is asked about and not trained
        hooks = hooks[:5]
    assert [call[0] for call in ref_calls] == ["before_training", *hooks, "after_training"]
    assert ref.get_booster().num_boosted_rounds() == hooks.count("after_iteration")
    assert lean_calls == ref_calls
    # the booster handed to the callbacks is the fitted one, on both paths alike
    assert (lean.get_booster() is lean.get_params()["callbacks"][0]._models[0]) == (
        ref.get_booster() is ref.get_params()["callbacks"][0]._models[0]
    )


def test_learning_rate_scheduler():
    """``LearningRateScheduler`` changes the learning rate round by round on both paths alike."""
    X_train, y_train, X_val, y_val = _split(*_data())
    make = lambda: FocalXGBClassifier(  # noqa: E731
        **BASE, callbacks=[xgb.callback.LearningRateScheduler(lambda epoch: 0.5 * 0.6**epoch)]
    )
    lean, _, _ = _check(make, X_train, y_train, **_fit_kw("two-evals", X_train, y_train, X_val, y_val))
    plain, _, _ = _fit(_model(), True, X_train, y_train)
    assert bytes(lean.get_booster().save_raw("json")) != bytes(plain.get_booster().save_raw("json"))


class _Boom(Exception):
    pass


class _Raiser(xgb.callback.TrainingCallback):
    def __init__(self, hook):
        super().__init__()
        self.hook = hook

    def before_training(self, model):
        if self.hook == "before_training":
            raise _Boom("before training")
        return model

    def after_iteration(self, model, epoch, evals_log):
        if self.hook == "after_iteration" and epoch == 1:
            raise _Boom(f"at epoch {epoch}")
        return False

    def after_training(self, model):
        if self.hook == "after_training":
            raise _Boom("after training")
        return model


@pytest.mark.parametrize("hook", ["after_iteration", "before_training", "after_training"])
def test_an_exception_in_a_callback_propagates_the_same_way(hook):
    """A user's callback that raises: the same exception (type and message) on both paths, parameters untouched."""
    X_train, y_train, X_val, y_val = _split(*_data())
    raised = {}
    for lean in (False, True):
        model = FocalXGBClassifier(**BASE, callbacks=[_Raiser(hook)])
        params = model.get_params()
        with pytest.MonkeyPatch.context() as mp, pytest.raises(_Boom) as info:
            mp.setattr(skfocal._compat, FLAG, lean)
            model.fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
        raised[lean] = (type(info.value), str(info.value))
        assert model.get_params() == params  # the parent's view of the fit is undone
        assert not hasattr(model, "init_score_")  # not fitted
    assert raised[True] == raised[False]


@pytest.mark.parametrize("lean", [True, False], ids=["lean", "reference"])
def test_a_users_early_stopping_gets_its_metric_back_when_the_fit_fails(lean):
    """With a string metric the user's EarlyStopping watches it in the fit; a failing fit gives it back unset."""
    X_train, y_train, X_val, y_val = _split(*_data())
    seen = []

    class Watched(xgb.callback.EarlyStopping):
        def after_iteration(self, model, epoch, evals_log):
            seen.append(self.metric_name)
            return super().after_iteration(model, epoch, evals_log)

    stopping = Watched(rounds=3)
    model = FocalXGBClassifier(**BASE, eval_metric="auc", callbacks=[stopping, _Raiser("after_iteration")])
    with pytest.MonkeyPatch.context() as mp, pytest.raises(_Boom):
        mp.setattr(skfocal._compat, FLAG, lean)
        model.fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert seen and set(seen) == {"auc"}  # it watched the user's metric, not the focal loss logged after it
    assert stopping.metric_name is None


# ----------------------------------------------------------------------- inputs
def _frame(X, columns):
    return pd.DataFrame(X, columns=columns)


def test_pandas_input_keeps_column_names():
    """A DataFrame with column names: the same feature names in the booster and in ``feature_names_in_``."""
    X, y = _data()
    columns = ["age", "income", "score", "height", "weight", "visits"]
    X_train, y_train, X_val, y_val = _split(_frame(X, columns), pd.Series(y))
    lean, _, _ = _check(_model(), X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert lean.get_booster().feature_names == columns
    assert list(lean.feature_names_in_) == columns


@pytest.mark.parametrize("n_classes", [2, 3])
def test_pandas_category_column_with_enable_categorical(n_classes):
    """A ``category`` column with ``enable_categorical=True``: the same categorical splits and feature types."""
    X, y = _data(n_classes)
    frame = _frame(X, [f"f{i}" for i in range(X.shape[1])])
    frame["f0"] = pd.cut(frame["f0"], 4, labels=["low", "mid", "high", "top"])  # informative, so it is split on
    frame["f1"] = pd.Categorical(np.array(["red", "green", "blue"])[np.arange(len(frame)) % 3])
    X_train, y_train, X_val, y_val = _split(frame, y)
    lean, _, _ = _check(_model(enable_categorical=True), X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert lean.get_booster().feature_types[:2] == ["c", "c"]
    assert lean.feature_importances_[0] > 0


def test_feature_weights_as_an_estimator_parameter():
    """``feature_weights`` (an estimator parameter) with ``colsample_bynode``: the same columns are drawn."""
    X_train, y_train, X_val, y_val = _split(*_data())
    weights = np.array([0.0, 0.0, 1.0, 1.0, 2.0, 3.0])
    make = _model(feature_weights=weights, colsample_bynode=0.5, random_state=3)
    _, ref, _ = _check(make, X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    assert np.all(ref.feature_importances_[:2] == 0)  # the weights reached the booster
    assert np.all(ref.feature_importances_[2:] >= 0) and ref.feature_importances_[2:].sum() > 0


def test_feature_weights_as_a_fit_argument_warns_as_the_parent():
    """``fit(feature_weights=...)``, deprecated by XGBoost: the same warning and the same model."""
    X_train, y_train, X_val, y_val = _split(*_data())
    weights = np.array([0.0, 0.0, 1.0, 1.0, 2.0, 3.0])
    make = _model(colsample_bynode=0.5, random_state=3)
    _check(make, X_train, y_train, eval_set=[(X_val, y_val)], verbose=False, feature_weights=weights)
    _, _, warned = _fit(make, True, X_train, y_train, feature_weights=weights)
    assert any("feature_weights" in message for _, message in warned)


# ------------------------------------------------------------------ compiled kernels
@pytest.mark.parametrize("n_classes", [2, 3])
def test_many_rows_take_the_compiled_kernels_and_train_the_same(n_classes):
    """Over 16,384 rows the gradient and metric come from skfocal's compiled kernels: the same model still."""
    n = 20_000
    assert n > SMALL_BINARY
    assert not is_small(np.empty(n) if n_classes == 2 else np.empty((n, n_classes)))
    X, y = _data(n_classes, n_samples=n, n_features=5, dtype="float32")
    w = _weights(n, 4)
    _check(
        _model(),
        X,
        y,
        sample_weight=w,
        eval_set=[(X, y)],
        sample_weight_eval_set=[w],
        verbose=False,
    )


# ------------------------------------------------------- after a lean fit
def _lean_fit(make_model, X, y, **fit_kw):
    return _fit(make_model, True, X, y, **fit_kw)[0]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_clone_and_refit_after_a_lean_fit(n_classes):
    """``clone`` of a lean-fitted model refits to the same model."""
    X_train, y_train, X_val, y_val = _split(*_data(n_classes))
    fit_kw = {"eval_set": [(X_val, y_val)], "verbose": False}
    model = _lean_fit(_model(), X_train, y_train, **fit_kw)
    refit = _lean_fit(lambda: clone(model), X_train, y_train, **fit_kw)
    _assert_same(refit, model, X_val)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_a_lean_fitted_model_pickles(n_classes):
    """pickle.dumps/loads of a lean-fitted model: the same model file and predictions."""
    X_train, y_train, X_val, y_val = _split(*_data(n_classes))
    model = _lean_fit(_model(), X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
    restored = pickle.loads(pickle.dumps(model))
    assert bytes(restored.get_booster().save_raw("json")) == bytes(model.get_booster().save_raw("json"))
    np.testing.assert_array_equal(restored.predict_proba(X_val), model.predict_proba(X_val))
    assert restored.evals_result() == model.evals_result()


@pytest.mark.parametrize("fmt", ["json", "ubj"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_save_and_load_model_after_a_lean_fit(tmp_path, fmt, n_classes):
    """save_model/load_model round trip of a lean-fitted model predicts the same."""
    X_train, y_train, X_val, y_val = _split(*_data(n_classes))
    model = _lean_fit(_model(), X_train, y_train)
    path = tmp_path / f"model.{fmt}"
    model.save_model(path)
    loaded = FocalXGBClassifier()
    loaded.load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X_val), model.predict_proba(X_val))
    np.testing.assert_array_equal(loaded.predict(X_val), model.predict(X_val))


def test_save_and_load_keep_the_best_iteration_of_a_lean_fit(tmp_path):
    """An early-stopped lean fit saved and loaded: the same best iteration, and predictions that use it."""
    X_train, y_train, X_val, y_val = _stopping_data()
    model = _lean_fit(
        lambda: FocalXGBClassifier(**STOPPING, early_stopping_rounds=3), X_train, y_train,
        eval_set=[(X_val, y_val)], verbose=False,
    )  # fmt: skip
    assert model.best_iteration + 1 < model.get_booster().num_boosted_rounds()  # predictions use fewer trees
    model.save_model(tmp_path / "model.json")
    loaded = FocalXGBClassifier()
    loaded.load_model(tmp_path / "model.json")
    assert loaded.best_iteration == model.best_iteration
    np.testing.assert_array_equal(loaded.predict_proba(X_val), model.predict_proba(X_val))


def test_fitting_twice_gives_the_same_model():
    """The same estimator fitted twice on the lean path: the same model both times, and the parent's."""
    X_train, y_train, X_val, y_val = _split(*_data())
    fit_kw = _fit_kw("two-evals", X_train, y_train, X_val, y_val)
    model = FocalXGBClassifier(**BASE)
    first = _lean_fit(lambda: model, X_train, y_train, **fit_kw)
    first_raw, first_log = bytes(first.get_booster().save_raw("json")), _log(first)
    second = _lean_fit(lambda: model, X_train, y_train, **fit_kw)
    assert second is first
    assert bytes(second.get_booster().save_raw("json")) == first_raw
    assert _log(second) == first_log
    ref, _, _ = _fit(_model(), False, X_train, y_train, **fit_kw)
    _assert_same(second, ref, X_val)


@pytest.mark.parametrize("metric", [None, "auc"], ids=["focal-metric", "auc"])
def test_refitting_with_a_reused_early_stopping_callback_behaves_as_the_parent(metric):
    """A user's EarlyStopping keeps its history between fits (XGBoost's behaviour): both paths alike, fit after fit."""
    X_train, y_train, X_val, y_val = _stopping_data()
    fit_kw = {"eval_set": [(X_val, y_val)], "verbose": False}
    models = {}
    for lean in (False, True):
        model = FocalXGBClassifier(**STOPPING, eval_metric=metric, callbacks=[xgb.callback.EarlyStopping(rounds=3)])
        models[lean] = []
        for _ in range(2):
            _fit(lambda m=model: m, lean, X_train, y_train, **fit_kw)
            booster = model.get_booster()
            models[lean].append((bytes(booster.save_raw("json")), _log(model), booster.attributes()))
    assert models[True] == models[False]
    first, second = models[False]
    assert first[2] and not second[2]  # the second fit inherits the first one's history: no best iteration


@pytest.mark.parametrize("lean", [True, False], ids=["lean", "reference"])
def test_a_reused_early_stopping_callback_on_a_string_metric_stops_where_xgbclassifiers_does(lean):
    """XGBoost keeps an EarlyStopping's history from fit to fit; so does skfocal with the user's own object.

    With a string metric skfocal points the user's callback at it for the fit (the focal loss
    is logged after it); the object itself is used, not a copy, so a second fit stops where
    XGBClassifier's second fit with the same reused object stops.
    """
    X_train, y_train, X_val, y_val = _stopping_data()
    fit_kw = {"eval_set": [(X_val, y_val)], "verbose": False}
    rounds = {}
    for name, make in (("parent", xgb.XGBClassifier), ("ours", functools.partial(FocalXGBClassifier, focal_gamma=0.0))):
        model = make(**STOPPING, eval_metric="auc", callbacks=[xgb.callback.EarlyStopping(rounds=3)])
        rounds[name] = []
        for _ in range(2):
            if name == "parent":
                model.fit(X_train, y_train, **fit_kw)
            else:
                _fit(lambda m=model: m, lean, X_train, y_train, **fit_kw)
            rounds[name].append(model.get_booster().num_boosted_rounds())
        if name == "ours":
            assert model.callbacks[0].metric_name is None  # the user's object is given back as it was
    assert rounds["ours"] == rounds["parent"]
    assert rounds["parent"][1] < rounds["parent"][0]  # the history carried over: the second fit stopped sooner


def test_a_refit_without_an_eval_set_keeps_the_log_as_the_parent_does():
    """A refit without an eval set keeps the previous ``evals_result()`` (as XGBClassifier does): both paths alike."""
    X_train, y_train, X_val, y_val = _split(*_data())
    logs = {}
    for lean in (False, True):
        model = FocalXGBClassifier(**BASE)
        _fit(lambda m=model: m, lean, X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
        _fit(lambda m=model: m, lean, X_train, y_train)
        logs[lean] = (_log(model), bytes(model.get_booster().save_raw("json")))
    assert logs[True] == logs[False]
    assert logs[False][0][0] == "dict"  # the earlier log is still there, not an XGBoostError


def test_more_than_256_classes_take_uint16_labels_and_train_the_same():
    """The encoded labels are the smallest unsigned dtype: uint16 past 256 classes, the same model on both paths."""
    from skfocal._base import _compact

    assert _compact(np.arange(256), 256).dtype == np.uint8
    assert _compact(np.arange(257), 257).dtype == np.uint16
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(260), 2)
    X = rng.normal(size=(len(y), 3)) + y[:, None] * 0.01
    lean, _, _ = _check(_model(n_estimators=2, max_depth=2), X, y)
    assert lean.predict_proba(X).shape == (len(y), 260)
