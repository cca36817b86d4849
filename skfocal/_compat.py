"""The one place that touches the boosters', scikit-learn's and the converters' private internals.

Everything the package needs beyond their public APIs is named here, each with the releases it
was checked on and what happens without it, so that a new release is one file to check. Checked
on the releases CI tests (the lowest that ``pyproject.toml`` declares and the newest).

- ``lightgbm.basic._ConfigAliases``: LightGBM's own table of parameter aliases (LightGBM 4.6
  to 4.7);
- ``lightgbm.compat._LGBMCpuCount``: the physical cores, LightGBM's default for ``n_jobs=None``
  (4.6 to 4.7);
- ``LGBMModel._process_params``: the hook from estimator parameters to booster parameters
  (overridden in ``_lgbm``), and the attributes ``_objective``, ``_class_weight`` and
  ``_other_params`` that ``LGBMModel.fit`` reads (:func:`use_lgbm_objective`,
  :data:`LGBM_FIT_ATTRIBUTES`, :data:`LGBM_OTHER_PARAMS`); the parent puts its own proxy of the
  objective in ``params["objective"]`` exactly when ``_objective`` is callable (4.6 to 4.7);
- ``XGBModel._wrapper_params``: the parameters XGBoost keeps out of the booster (overridden in
  ``_xgb``), and ``XGBModel._Booster``, where the parent keeps its booster
  (:func:`set_xgb_booster`; XGBoost 3.2 to 3.4);
- how ``xgboost.train`` trains a round, ``booster.update(dtrain, iteration, fobj)``, and two
  functions of XGBoost's C API (:class:`LeanRounds`; XGBoost 3.2 to 3.4): without the C API
  the rounds go through XGBoost's public Python API, and were ``update`` no longer called, fits
  would take the parent's own rounds;
- ``lightgbm.basic._LIB``, ``xgboost.core._LIB``: the boosters' loaded libraries, through which
  :func:`openmp_team` finds the OpenMP runtime each booster runs on (``GOMP_parallel``, in
  LightGBM's system ``libgomp`` and the copy in XGBoost's wheel), and XGBoost's thread cap
  (:func:`team_threads`: its ``omp_get_*`` limits and the cgroup's CPU quota, as XGBoost 3.2 to
  3.4 read them). Without the runtime the kernels run on threads of their own, as the tests
  check on every CI leg (the ``no_team`` fixture);
- ``sklearn.utils._openmp_helpers._openmp_effective_n_threads``: the number of OpenMP threads
  the process may use (it honours ``OMP_NUM_THREADS``, which joblib's workers set); without
  it, the CPU count;
- ``sklearn.utils.validation._num_samples`` and ``_check_sample_weight`` (scikit-learn 1.6 to
  1.9);
- skl2onnx's ``_parse_sklearn_classifier`` and onnxmltools' LightGBM and XGBoost tree
  converters (:func:`onnx_converters`, for ``skfocal.onnx`` only; skl2onnx 1.19.1 to the newest,
  onnxmltools 1.16 to the newest).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json

import numpy as np
import xgboost
from lightgbm.basic import _ConfigAliases
from lightgbm.compat import _LGBMCpuCount
from sklearn.utils.validation import _check_sample_weight, _num_samples

try:
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
except ImportError:  # pragma: no cover - a scikit-learn without the helper
    _openmp_effective_n_threads = None

__all__ = [
    "LGBM_FIT_ATTRIBUTES",
    "XGB_C_API",
    "LeanRounds",
    "LGBM_OTHER_PARAMS",
    "check_sample_weight",
    "copy_lgbm_fitted",
    "lightgbm_aliases",
    "lightgbm_default_threads",
    "lgbm_other_params",
    "num_samples",
    "onnx_converters",
    "openmp_team",
    "openmp_threads",
    "parent_sees",
    "set_xgb_booster",
    "team_threads",
    "use_lgbm_objective",
]

#: ``LGBMClassifier.fit`` applies ``class_weight`` (and its encoded copy ``_class_weight``) as
#: row weights; the focal fit has them in its loss already, so the parent sees none.
LGBM_FIT_ATTRIBUTES = {"class_weight": None, "_class_weight": None}
#: Where ``LGBMModel`` keeps the parameters it does not know (``lightgbm.dask`` the client too).
LGBM_OTHER_PARAMS = "_other_params"

num_samples = _num_samples
check_sample_weight = _check_sample_weight


def lgbm_other_params(estimator) -> dict:
    """The LightGBM parameters ``estimator`` was given as keywords beyond its signature."""
    return getattr(estimator, LGBM_OTHER_PARAMS, None) or {}


def use_lgbm_objective(estimator, objective) -> None:
    """Make ``LGBMModel._process_params`` build the booster's parameters around ``objective`` (a callable).

    The parent reads the objective of a fit from ``_objective``, which its ``fit`` resets from
    the constructor's ``objective``; set here from inside ``_process_params``. It stays after
    the fit, as the parent's does: ``objective_`` is the focal objective the model was trained with.
    """
    estimator._objective = objective


#: What ``LGBMModel.fit`` sets (LightGBM 4.6 to 4.7): the fitted state of a model, without its parameters.
LGBM_FITTED_ATTRIBUTES = (
    "_Booster", "_evals_result", "_best_score", "_best_iteration", "_n_features", "_n_features_in", "_classes",
    "_n_classes", "_le", "_class_map", "_objective", "_fitted_with_feature_names", "fitted_",
)  # fmt: skip


def copy_lgbm_fitted(source, dest) -> None:
    """Copy the fitted state of the LightGBM model ``source`` to ``dest``: :data:`LGBM_FITTED_ATTRIBUTES`."""
    for name in LGBM_FITTED_ATTRIBUTES:
        if name in source.__dict__:
            dest.__dict__[name] = source.__dict__[name]


def set_xgb_booster(estimator, booster) -> None:
    """Give an ``XGBModel`` the booster trained elsewhere (by ``xgboost.dask``), as its own ``fit`` would."""
    estimator._Booster = booster


def onnx_converters():
    """``(parse_sklearn_classifier, convert_lightgbm, XGBConverter)`` from skl2onnx and onnxmltools."""
    from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
    from onnxmltools.convert.xgboost.operator_converters.XGBoost import XGBConverter
    from skl2onnx._parse import _parse_sklearn_classifier

    return _parse_sklearn_classifier, convert_lightgbm, XGBConverter


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


# --------------------------------------------------------------------------- XGBoost's rounds
def _xgboost_c_api():
    """XGBoost's library, for two functions of its documented C API (``c_api.h``); ``None`` where unusable.

    Opened by the path XGBoost's own loader uses (``xgboost.libpath.find_lib_path``): the
    library is loaded already, and opening it again gives the same one. The functions are
    ``XGBoosterPredictFromDMatrix`` (xgboost >= 1.4) and ``XGBoosterTrainOneIter`` (>= 2.1).
    """
    try:
        from xgboost.libpath import find_lib_path

        lib = ctypes.CDLL(find_lib_path()[0])
        lib.XGBoosterPredictFromDMatrix, lib.XGBoosterTrainOneIter, lib.XGBGetLastError  # noqa: B018
    except (ImportError, OSError, AttributeError, IndexError):  # pragma: no cover - an XGBoost without them
        return None
    lib.XGBGetLastError.restype = ctypes.c_char_p
    return lib


#: XGBoost's C API for :class:`LeanRounds`, or ``None``: rounds then go through ``Booster.predict``
#: and ``Booster.boost``, XGBoost's public Python API (tests run both).
XGB_C_API = _xgboost_c_api()

# What Booster.predict(output_margin=True, training=True) sends to the C API, built once.
_TRAINING_MARGIN = json.dumps(
    {"type": 1, "training": True, "iteration_begin": 0, "iteration_end": 0, "strict_shape": False}
).encode()


def _array_interface(array: np.ndarray) -> bytes:
    """NumPy's ``__array_interface__`` as the C API reads it (JSON)."""
    interface = {"data": [array.ctypes.data, False], "shape": list(array.shape), "typestr": array.dtype.str}
    return json.dumps({**interface, "version": 3}).encode()


class _Rounds:
    """One boosting round as ``Booster.update(dtrain, i, fobj)`` does it, less its per-round Python.

    The labels and weights are read once per training matrix (XGBoost's scikit-learn wrapper of
    the objective reads them every round); with the C API the scores are a view of XGBoost's
    prediction buffer, used before its next prediction, and the descriptions of the objective's
    gradient buffers, which it reuses, are made once.
    """

    def __init__(self, booster, objective):
        self.booster, self.objective = booster, objective
        self.dtrain = None
        self._described = (None, None, ())

    def _read(self, dtrain) -> None:
        weights = dtrain.get_weight()
        self.dtrain, self.labels = dtrain, dtrain.get_label()
        self.kwargs = {"sample_weight": weights} if weights.size else {}
        self._preds, self._shape = ctypes.POINTER(ctypes.c_float)(), ctypes.POINTER(ctypes.c_uint64)()
        self._dims = ctypes.c_uint64()

    @staticmethod
    def _check(status: int) -> None:
        if status != 0:
            raise xgboost.core.XGBoostError(XGB_C_API.XGBGetLastError().decode())

    def __call__(self, dtrain, iteration: int, fobj=None) -> None:  # fobj: the parent's wrapper of the objective
        booster = self.booster
        if dtrain is not self.dtrain:
            self._read(dtrain)
        if XGB_C_API is None:  # the Python API alone
            scores = xgboost.Booster.predict(booster, dtrain, output_margin=True, training=True)
            grad, hess = self.objective(self.labels, scores, **self.kwargs)
            xgboost.Booster.boost(booster, dtrain, iteration, grad=grad, hess=hess)
            return
        self._check(XGB_C_API.XGBoosterPredictFromDMatrix(
            booster.handle, dtrain.handle, _TRAINING_MARGIN,
            ctypes.byref(self._shape), ctypes.byref(self._dims), ctypes.byref(self._preds),
        ))  # fmt: skip
        shape = tuple(int(self._shape[i]) for i in range(self._dims.value))
        grad, hess = self.objective(self.labels, np.ctypeslib.as_array(self._preds, shape=shape), **self.kwargs)
        if grad is not self._described[0] or hess is not self._described[1]:
            self._described = (grad, hess, (_array_interface(grad), _array_interface(hess)))
        self._check(XGB_C_API.XGBoosterTrainOneIter(booster.handle, dtrain.handle, iteration, *self._described[2]))


class _XGBoostState:
    """The booster's ``__getstate__`` while :class:`LeanRounds` trains it: XGBoost's own, without skfocal's attributes.

    ``Booster.copy()``, ``copy.copy``/``deepcopy`` and pickle take a booster's state from its
    ``__getstate__``; a copy or a checkpoint made by a user's callback during training is then
    XGBoost's plain booster, which neither trains the original nor needs skfocal to load.
    """

    def __init__(self, booster):
        self.booster = booster

    def __call__(self) -> dict:
        state = xgboost.Booster.__getstate__(self.booster)
        for name in _INSTALLED:
            state.pop(name, None)
        return state


#: What :class:`LeanRounds` puts on the booster during training (instance attributes).
_INSTALLED = ("update", "__getstate__")


class LeanRounds(xgboost.callback.TrainingCallback):
    """A callback for ``XGBClassifier.fit``: each round of the booster it trains calls ``objective`` itself.

    ``xgboost.train`` trains a round with ``booster.update(dtrain, iteration, fobj)`` (XGBoost
    3.2 to 3.4, the releases CI tests); from ``before_training`` to ``after_training`` (or :meth:`restore`, for a fit
    that fails) the booster's ``update`` is a :class:`_Rounds` of its own, an attribute of the
    instance: its class, and everything else of the parent's fit, stay XGBoost's. Were a later
    ``xgboost.train`` to train otherwise, fits would take the parent's own rounds, slower and the
    same. Fits with and without it give the same models, bit for bit (``tests/test_xgb_rounds.py``).
    """

    def __init__(self, objective):
        self.objective = objective
        self._booster = None

    def before_training(self, model):
        if isinstance(model, xgboost.Booster):
            model.update = _Rounds(model, self.objective)
            model.__getstate__ = _XGBoostState(model)
            self._booster = model
        return model

    def after_training(self, model):
        self.restore()
        return model

    def restore(self) -> None:
        """Give the booster its own ``update`` back."""
        if self._booster is not None:
            for name in _INSTALLED:
                self._booster.__dict__.pop(name, None)
            self._booster = None
