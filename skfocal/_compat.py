"""The one place that touches the boosters' and scikit-learn's private internals.

Everything the adapters need from a booster beyond its public API is named here, so that a new
LightGBM, XGBoost or scikit-learn release is one file to check:

- ``lightgbm.basic._ConfigAliases``: LightGBM's own table of parameter aliases;
- ``LGBMModel._process_params``: the hook from estimator parameters to booster parameters
  (overridden in ``_lgbm``), and the attributes ``_objective``, ``_class_weight`` that
  ``LGBMModel.fit`` reads;
- ``lightgbm.compat._LGBMCpuCount``: the physical cores, LightGBM's default for ``n_jobs=None``;
- ``XGBModel._wrapper_params``: the parameters XGBoost keeps out of the booster (overridden in
  ``_xgb``);
- ``sklearn.utils._openmp_helpers._openmp_effective_n_threads``: the number of OpenMP threads
  the process may use (it honours ``OMP_NUM_THREADS``, which joblib's workers set).
"""

from __future__ import annotations

import contextlib

from lightgbm.basic import _ConfigAliases
from lightgbm.compat import _LGBMCpuCount

try:
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
except ImportError:  # pragma: no cover - a scikit-learn without the helper
    _openmp_effective_n_threads = None

__all__ = ["lightgbm_aliases", "lightgbm_default_threads", "openmp_threads", "parent_sees"]


def lightgbm_aliases(name: str) -> tuple[str, ...]:
    """LightGBM's parameter ``name`` and all its aliases, the canonical name first."""
    aliases = _ConfigAliases.get(name) or {name}
    return (name, *sorted(aliases - {name}))


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
