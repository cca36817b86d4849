"""The one place that touches the boosters' and scikit-learn's private internals.

Everything the adapters need from a booster beyond its public API is named here, so that a new
LightGBM, XGBoost or scikit-learn release is one file to check:

- ``lightgbm.basic._ConfigAliases``: LightGBM's own table of parameter aliases;
- ``LGBMModel._process_params``: the hook from estimator parameters to booster parameters
  (overridden in ``_lgbm``), and the attributes ``_objective``, ``_class_weight`` that
  ``LGBMModel.fit`` reads; the override relies on the parent's putting a callable (its own
  proxy of the objective, which ``_lgbm`` replaces) in ``params["objective"]`` exactly when
  ``_objective`` is callable;
- ``lightgbm.compat._LGBMCpuCount``: the physical cores, LightGBM's default for ``n_jobs=None``;
- ``XGBModel._wrapper_params``: the parameters XGBoost keeps out of the booster (overridden in
  ``_xgb``);
- ``sklearn.utils._openmp_helpers._openmp_effective_n_threads``: the number of OpenMP threads
  the process may use (it honours ``OMP_NUM_THREADS``, which joblib's workers set);
- XGBoost's training path for a callable objective (:func:`xgb_fit`): the body of
  ``XGBClassifier.fit`` (``_configure_fit``, ``get_model_categories``,
  ``_wrap_evaluation_matrices``, ``_create_dmatrix``, ``_set_evaluation_result``) and of
  ``xgboost.train`` (``CallbackContainer``), with a round that calls the C API
  (``XGBoosterPredictFromDMatrix``, ``XGBoosterTrainOneIter``) itself. Used only for the
  XGBoost releases it was checked against (:data:`XGB_LEAN_TRAINING`); ``tests/test_xgb_training.py``
  holds it to the parent's own path, bit for bit;
- ``lightgbm.basic._LIB``, ``xgboost.core._LIB``: the boosters' loaded libraries, through which
  :func:`openmp_team` finds the OpenMP runtime each booster runs on;
- how ``lightgbm.train`` runs its callbacks and ends (used by ``_lgbm._LastRound`` for speed
  only): the orders of its own callbacks (printer 10, recorder 20, early stopping 30), its
  numbering of callbacks without an ``order`` by their place in the list, and its reload of
  the booster from ``model_to_string`` at the end. If these change, fits record the objective
  after training as before; only the time saved is lost.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import functools
import json

import numpy as np
import xgboost
from lightgbm.basic import _ConfigAliases
from lightgbm.compat import _LGBMCpuCount

try:
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
except ImportError:  # pragma: no cover - a scikit-learn without the helper
    _openmp_effective_n_threads = None

__all__ = [
    "XGB_LEAN_TRAINING",
    "lightgbm_aliases",
    "lightgbm_default_threads",
    "openmp_team",
    "team_threads",
    "openmp_threads",
    "parent_sees",
    "xgb_fit",
]


def lightgbm_aliases(name: str) -> tuple[str, ...]:
    """LightGBM's parameter ``name`` and all its aliases, the canonical name first."""
    aliases = _ConfigAliases.get(name) or {name}
    return (name, *sorted(aliases - {name}))


@functools.cache
def openmp_team(booster: str | None):
    """``GOMP_parallel`` of the OpenMP runtime the booster (``"lightgbm"``, ``"xgboost"``) runs on, or ``None``.

    Looked up in the booster's own library, which finds it among the libraries that library
    was linked to: LightGBM's is the system's ``libgomp``, XGBoost's the copy its wheel brings
    (or LLVM's ``libomp``, which has the same entry point). Code run through it runs on the
    booster's own thread team. ``None`` where the runtime has no such entry point (Microsoft's
    OpenMP on Windows, a build without OpenMP); the kernels then use threads of their own.
    The ctypes function releases the GIL while it runs.
    """
    try:
        if booster == "lightgbm":
            from lightgbm.basic import _LIB
        elif booster == "xgboost":
            from xgboost.core import _LIB
        else:
            return None
        parallel = _LIB["GOMP_parallel"]  # a new function object: nothing of the booster's is changed
    except (ImportError, AttributeError, OSError):
        return None
    parallel.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
    parallel.restype = None
    return parallel


def team_threads(booster: str | None, n_threads: int) -> int:
    """The threads the booster's parallel regions run on when it is given ``n_threads`` (> 0).

    LightGBM runs on ``num_threads`` as given. XGBoost caps ``nthread`` (its ``Context::Threads``)
    at the processors, OpenMP's maximum and thread limit (of its own runtime) and the cgroup's
    CPU quota; the kernels must ask its runtime for the same team, or the runtime ends or starts
    threads between the booster's regions and theirs.
    """
    n_threads = max(1, int(n_threads))
    if booster != "xgboost" or openmp_team(booster) is None:
        return n_threads
    return max(1, min(n_threads, _xgboost_max_threads()))


def _xgboost_max_threads() -> int:
    # Read every time: omp_get_max_threads follows omp_set_num_threads (threadpoolctl's limits).
    limits = [get() for get in _xgboost_openmp_queries()]
    quota = _cgroup_cpus()
    return min(limits + ([quota] if quota > 0 else []))


@functools.cache
def _xgboost_openmp_queries() -> tuple:
    from xgboost.core import _LIB

    return tuple(_LIB[name] for name in ("omp_get_num_procs", "omp_get_max_threads", "omp_get_thread_limit"))


@functools.cache
def _cgroup_cpus() -> int:
    """The CPU quota of this process's cgroup, as XGBoost reads it (``GetCfsCPUCount``); -1 if none."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:  # cgroup v2: "quota period" or "max period"
            quota, period = f.read().split()[:2]
    except (OSError, ValueError):
        try:
            with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f, open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as g:
                quota, period = f.read().strip(), g.read().strip()
        except OSError:
            return -1
    try:
        quota, period = int(quota), int(period)
    except ValueError:  # "max": no quota
        return -1
    return max(quota // period, 1) if quota > 0 and period > 0 else -1


def openmp_threads() -> int:
    """The OpenMP threads this process may use: ``OMP_NUM_THREADS`` if set (joblib's workers set it), else all CPUs."""
    if _openmp_effective_n_threads is None:  # pragma: no cover
        import os

        return os.cpu_count() or 1
    return int(_openmp_effective_n_threads())


def lightgbm_default_threads() -> int:
    """LightGBM's threads for ``n_jobs=None`` (one per physical core), capped by :func:`openmp_threads`."""
    return max(1, min(int(_LGBMCpuCount(only_physical_cores=True)), openmp_threads()))


@contextlib.contextmanager
def parent_sees(estimator, **attributes):
    """Let the parent's ``fit`` read ``attributes`` on ``estimator``, then restore the user's values.

    The boosters' ``fit`` methods read their objective, metric and class weights from the
    estimator's attributes, not from arguments; the user's constructor parameters must come
    back unchanged (``get_params``, ``clone``), so they are set for the parent's ``fit`` only.
    """
    missing = object()
    saved = {name: estimator.__dict__.get(name, missing) for name in attributes}
    estimator.__dict__.update(attributes)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                estimator.__dict__.pop(name, None)
            else:
                estimator.__dict__[name] = value


# --------------------------------------------------------------------------- XGBoost's training
def _lean_training_available() -> bool:
    """Whether this XGBoost is one whose ``XGBClassifier.fit`` and ``xgboost.train`` :func:`xgb_fit` reproduces.

    The release, and every private name the reproduction uses, present.
    """
    if not (3, 2) <= tuple(int(part) for part in xgboost.__version__.split(".")[:2]) < (3, 3):
        return False
    try:
        from xgboost.callback import CallbackContainer, EarlyStopping, EvaluationMonitor  # noqa: F401
        from xgboost.core import _LIB, _check_call, _RefMixIn, c_bst_ulong  # noqa: F401
        from xgboost.objective import _grad_arrinf  # noqa: F401
        from xgboost.sklearn import XGBModel, _wrap_evaluation_matrices, get_model_categories  # noqa: F401
        from xgboost.training import _RefError  # noqa: F401
    except ImportError:
        return False
    needed = ("_configure_fit", "_create_dmatrix", "_set_evaluation_result", "get_num_boosting_rounds")
    return all(hasattr(XGBModel, name) for name in needed) and hasattr(_LIB, "XGBoosterTrainOneIter")


#: Whether :func:`xgb_fit` may train (:func:`_lean_training_available`). Elsewhere the adapter
#: trains through ``XGBClassifier.fit``.
XGB_LEAN_TRAINING = _lean_training_available()

# What Booster.predict(output_margin=True, training=True) sends to the C API, built once.
_TRAINING_MARGIN = json.dumps(
    {"type": 1, "training": True, "iteration_begin": 0, "iteration_end": 0, "strict_shape": False}
).encode()


class _Round:
    """One boosting round with a Python objective, as ``Booster.update(dtrain, i, fobj)`` does it, less its overhead.

    ``Booster.update`` builds a JSON configuration for the scores, copies them into a new
    numpy array, wraps the objective so it reads the labels and weights from the DMatrix
    again, checks the feature names twice and describes the gradient arrays in JSON, every
    round. Here the labels and weights are read once (the arrays the parent's objective
    decorator gets), the scores are a view of XGBoost's own prediction buffer (valid
    until the next prediction, and used before it), and the descriptions of the objective's
    gradient buffers, which it reuses from round to round, are made once.
    """

    def __init__(self, dtrain, objective):
        from xgboost.core import _LIB, _check_call, c_bst_ulong
        from xgboost.objective import _grad_arrinf

        self._lib, self._check, self._describe = _LIB, _check_call, _grad_arrinf  # looked up once, not per round
        self.dtrain = dtrain
        self.objective = objective
        self.n_rows = dtrain.num_row()
        # The parent's decorator calls objective(labels, scores[, sample_weight=weights]) with
        # the DMatrix's float32 labels and weights, read from it every round; here once.
        weights = dtrain.get_weight()
        self.kwargs = {"sample_weight": weights} if weights.size else {}
        self.labels = dtrain.get_label()
        self._preds = ctypes.POINTER(ctypes.c_float)()
        self._shape = ctypes.POINTER(c_bst_ulong)()
        self._dims = c_bst_ulong()
        self._described = (None, None, b"", b"")
        self._checked = None

    def scores(self, booster) -> np.ndarray:
        self._check(
            self._lib.XGBoosterPredictFromDMatrix(
                booster.handle, self.dtrain.handle, _TRAINING_MARGIN,
                ctypes.byref(self._shape), ctypes.byref(self._dims), ctypes.byref(self._preds),
            )
        )  # fmt: skip
        shape = tuple(int(self._shape[i]) for i in range(self._dims.value))
        return np.ctypeslib.as_array(self._preds, shape=shape)

    def __call__(self, booster, iteration: int) -> None:
        if booster is not self._checked:  # what Booster.update checks first (names set, or validated)
            booster._assign_dmatrix_features(self.dtrain)
            self._checked = booster
        grad, hess = self.objective(self.labels, self.scores(booster), **self.kwargs)
        if grad is not self._described[0] or hess is not self._described[1]:
            self._described = (grad, hess, self._describe(grad, self.n_rows), self._describe(hess, self.n_rows))
        self._check(
            self._lib.XGBoosterTrainOneIter(booster.handle, self.dtrain.handle, iteration, *self._described[2:])
        )


def _xgb_train(params, dtrain, num_boost_round, *, evals, early_stopping_rounds, early_stopping_metric,
               evals_result, objective, custom_metric, verbose_eval, callbacks):  # fmt: skip
    """``xgboost.train`` for a callable objective (no ``xgb_model``, ``maximize``), each round by :class:`_Round`.

    ``early_stopping_metric``: the metric ``early_stopping_rounds`` watches (``None``: the last
    one logged, as in ``xgboost.train``).
    """
    import weakref

    from xgboost import Booster, DMatrix
    from xgboost.callback import CallbackContainer, EarlyStopping, EvaluationMonitor
    from xgboost.core import _RefMixIn
    from xgboost.training import _RefError

    callbacks = [] if callbacks is None else copy.copy(list(callbacks))
    evals = list(evals) if evals else []
    for va, _ in evals:
        if not isinstance(va, DMatrix):
            raise TypeError("Invalid type for the `evals`.")
        if isinstance(va, _RefMixIn) and va.ref is not weakref.ref(dtrain) and va is not dtrain:
            raise ValueError(_RefError)
    bst = Booster(params, [dtrain] + [d[0] for d in evals])
    if verbose_eval:
        verbose_eval = 1 if verbose_eval is True else verbose_eval
        callbacks.append(EvaluationMonitor(period=verbose_eval))
    if early_stopping_rounds:
        callbacks.append(EarlyStopping(rounds=early_stopping_rounds, maximize=None, metric_name=early_stopping_metric))
    cb_container = CallbackContainer(callbacks, metric=custom_metric, output_margin=True)
    bst = cb_container.before_training(bst)
    one_round = _Round(dtrain, objective)
    for i in range(num_boost_round):
        if cb_container.before_iteration(bst, i, dtrain, evals):
            break
        one_round(bst, i)
        if cb_container.after_iteration(bst, i, dtrain, evals):
            break
    bst = cb_container.after_training(bst)
    if evals_result is not None:
        evals_result.update(cb_container.history)
    return bst.reset()


def xgb_fit(estimator, X, y, *, sample_weight=None, eval_set=None, verbose=True, sample_weight_eval_set=None,
            feature_weights=None, early_stopping_metric=None):  # fmt: skip
    """``XGBClassifier.fit`` for an estimator whose ``objective`` is callable, trained by :func:`_xgb_train`.

    ``y`` holds the encoded classes ``0 .. K-1``, every one of them present (the mixin checked);
    ``base_margin`` and ``xgb_model`` are refused by the adapter before this is called.
    """
    from xgboost.sklearn import _wrap_evaluation_matrices, get_model_categories

    with xgboost.config_context(verbosity=estimator.verbosity):
        estimator.n_classes_ = int(np.max(y)) + 1
        params = estimator.get_xgb_params()
        params["objective"] = "binary:logistic"
        if estimator.n_classes_ > 2:
            params["objective"] = "multi:softprob"
            params["num_class"] = estimator.n_classes_
        model, metric, params, feature_weights = estimator._configure_fit(None, params, feature_weights)
        model, feature_types = get_model_categories(X, model, estimator.feature_types)
        evals_result = {}
        train_dmatrix, evals = _wrap_evaluation_matrices(
            missing=estimator.missing, X=X, y=y, group=None, qid=None, sample_weight=sample_weight,
            base_margin=None, feature_weights=feature_weights, eval_set=eval_set,
            sample_weight_eval_set=sample_weight_eval_set, base_margin_eval_set=None, eval_group=None,
            eval_qid=None, create_dmatrix=estimator._create_dmatrix,
            enable_categorical=estimator.enable_categorical, feature_types=feature_types,
        )  # fmt: skip
        estimator._Booster = _xgb_train(
            params, train_dmatrix, estimator.get_num_boosting_rounds(), evals=evals,
            early_stopping_rounds=estimator.early_stopping_rounds, early_stopping_metric=early_stopping_metric,
            evals_result=evals_result, objective=estimator.objective, custom_metric=metric,
            verbose_eval=verbose, callbacks=estimator.callbacks,
        )  # fmt: skip
        estimator._set_evaluation_result(evals_result)
    return estimator
