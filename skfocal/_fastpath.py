"""Which code computes the training gradient and the eval metric: numpy for small inputs, else the compiled kernels.

The compiled kernels (:mod:`skfocal._kernels`) need numba, and importing it and loading the
cached machine code costs a new process 0.3 s or more (over a second on a loaded machine) and
about 100 MiB, more than a whole fit of a few thousand rows. So inputs of at most :data:`SMALL_BINARY` rows (two
classes) or :data:`SMALL_MULTICLASS` values (rows x classes) are computed by the numpy
reference of :mod:`skfocal._loss` instead, which never imports numba; its cost per call is a few
tens of microseconds more at these sizes (``benchmarks/bench_speed.py``). The choice depends
on the size only, so the same fit gets the same numbers in every process. Both paths compute
in float64 and agree to the last float32 bit in nearly every value (``tests/test_kernels.py``).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

import numpy as np

#: Rows up to which a binary gradient or metric is computed in numpy.
SMALL_BINARY = 1 << 14
#: Values (rows x classes) up to which a K-class one is: numpy's K-class reference costs
#: several times the kernel per call, so the limit is lower.
SMALL_MULTICLASS = 1 << 12

_EMPTY_WEIGHTS = np.empty(0, dtype=np.float64)


_IMPORT_LOCK = threading.Lock()
_KERNEL_PACKAGES = ("numba", "llvmlite")


def kernels():
    """:mod:`skfocal._kernels`, imported on the first call (numba with it).

    An import stopped halfway would leave numba half-initialised in ``sys.modules``, and every
    later import would return the broken modules. So Ctrl-C (SIGINT) during the import is held
    back until the import is complete, then raised (in the main thread, where SIGINT has Python's
    own handler); and where the import fails all the same (any exception), the modules of numba,
    llvmlite and the kernels that it added to ``sys.modules`` are removed again before the
    exception goes on (others, such as the standard library's that numba pulled in, or another
    thread's, are complete and stay): the next large fit imports numba afresh.
    """
    module = sys.modules.get(f"{__package__}._kernels")
    if module is not None and getattr(module, "IMPORTED", False):
        return module
    with _IMPORT_LOCK, _interrupts_held():
        before = set(sys.modules)
        try:
            from . import _kernels
        except BaseException:
            for name in set(sys.modules) - before:
                if name.split(".")[0] in _KERNEL_PACKAGES or name == f"{__package__}._kernels":
                    del sys.modules[name]
            raise
    return _kernels


@contextlib.contextmanager
def _interrupts_held():
    """Ctrl-C (SIGINT) held back until the block ends, then raised: the import is not cut halfway.

    Only in the main thread and where SIGINT has Python's own handler (the one that raises
    ``KeyboardInterrupt``); a handler of the user's or of a framework is left alone.
    """
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    received = []
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if received:
        raise KeyboardInterrupt


def is_small(z: np.ndarray) -> bool:
    """``True`` if the scores ``z`` (1-D binary, ``(n, K)``) are computed in numpy."""
    return z.shape[0] <= SMALL_BINARY if z.ndim == 1 else z.size <= SMALL_MULTICLASS


def _reference_inputs(loss, y, z, offset):
    z = np.asarray(z, dtype=np.float64)
    if offset is not None:
        z = z + np.asarray(offset, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64 if z.ndim == 1 else np.intp)  # no copy if it is already
    return y, z


def gradient_hessian(loss, y, z, w, hessian_scale, out, n_threads=1, offset=None, team=None) -> None:
    """Write the gradient and safeguarded Hessian (times ``w`` and ``hessian_scale``) into ``out``.

    ``team``: the booster's OpenMP runtime (:func:`skfocal._compat.openmp_team`) for the kernels to run on, or ``None``.
    """
    if is_small(z):
        y, z = _reference_inputs(loss, y, z, offset)
        grad, hess = loss._grad_hess_unchecked(y, z)
        if w.shape[0]:
            w = np.asarray(w, dtype=np.float64)
            w = w if grad.ndim == 1 else w[:, None]
            grad *= w
            hess *= w
        if hessian_scale != 1.0:
            hess *= hessian_scale
        np.copyto(out[0], grad, casting="same_kind")
        np.copyto(out[1], hess, casting="same_kind")
        return
    compiled = kernels()  # numba is imported here, for the first large input only
    kernel = compiled.binary_gradient_hessian if z.ndim == 1 else compiled.multiclass_gradient_hessian
    kernel(
        y, z, w, loss._gamma, loss.class_weights_, hessian_scale, *out, n_threads=n_threads, offset=offset, team=team
    )


def mean_loss(loss, y, z, w=None, offset=None, n_threads=1, team=None) -> float:
    """The (``w``-weighted) mean focal loss of the scores ``z`` (plus ``offset``), without input checks.

    ``y``: encoded labels (any numeric dtype); ``z``: float scores, 1-D or ``(n, K)``, any
    layout; ``w``: row weights, ``None`` or empty for none; ``team`` as for :func:`gradient_hessian`.
    """
    w = _EMPTY_WEIGHTS if w is None else np.asarray(w)
    if is_small(z):
        y, z = _reference_inputs(loss, y, z, offset)
        values = loss._loss_unchecked(y, z)
        if not w.shape[0]:
            return float(np.mean(values)) if values.size else float("nan")
        w = np.asarray(w, dtype=np.float64)
        total = float(w.sum())
        return float(np.dot(values, w)) / total if total != 0.0 else float("nan")
    compiled = kernels()
    if w.dtype not in (np.float32, np.float64):
        w = w.astype(np.float64)
    kernel = compiled.binary_mean_loss if z.ndim == 1 else compiled.multiclass_mean_loss
    return kernel(y, z, w, loss._gamma, loss.class_weights_, offset=offset, n_threads=n_threads, team=team)
