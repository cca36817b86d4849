"""Compiled training kernels: the focal gradient and Hessian the estimators use every boosting round.

The formulas are those of :mod:`skfocal._loss` (the reference, in numpy, that the public loss
objects evaluate); this module evaluates the same expressions fast, because a boosting round
on a million rows is itself only tens of milliseconds. Where the time goes, and so the design:

- **Transcendentals in numpy.** ``exp``, ``log`` and ``log1p`` run as numpy ufuncs over a block of
  rows, which use the CPU's SIMD units (several values per instruction).
- **Everything else in fused numba loops** per block: no division checks
  (``error_model="numpy"``), no calls, and ``q**gamma`` either squared in the loop (``gamma=2``)
  or read from a block computed beforehand. LLVM vectorises the loops: the K-class block is
  held transposed (classes by rows), so every loop runs along the rows with the class fixed,
  and values of the true or the largest class are picked by selects rather than by branches or
  gathers (either stops the vectoriser). Each block's scratch fits in the CPU cache.
- **Output in the booster's dtype.** Both boosters train on float32 gradients, so the kernels
  write float32 into buffers the caller allocates once per fit (of the layout of the scores:
  LightGBM's multiclass scores are column-major).
- **Threads** (``n_threads``, from the estimator's ``n_jobs``) each take the next free block;
  numpy and the numba kernels (``nogil``) release the GIL, and nothing is shared but read-only
  inputs and disjoint output rows. Plain threads started per call, so there is no
  pool to survive a ``fork``, and no dependence on numba's threading layers.

The arithmetic is done in float64 whatever the input dtype, so the only difference from the
reference is the final rounding to float32 (relative 6e-8), far inside the accuracy required of
the loss (gradient 1e-5, Hessian 1e-4). ``tests/test_kernels.py`` holds the two together.

The eval metric (``binary_mean_loss``, ``multiclass_mean_loss``) runs the same blocks: the
per-row focal loss in float64, summed per block and the block sums added in row order.

Numba compiles the kernels on first use, for each kind of input (one to two seconds;
``benchmarks/bench_speed.py`` reports it), and caches the machine code (``NUMBA_CACHE_DIR``,
else next to this file, else numba's user cache directory). Where none is writable (a
read-only install and home directory), they are cached in a private directory of this user's
under the temporary directory (:func:`fallback_cache_dir`); where that cannot be used either,
they compile in memory in every process. Small inputs never get here (:mod:`skfocal._fastpath`).
"""

from __future__ import annotations

import os
import tempfile
import threading

import numba
import numpy as np

__all__ = ["binary_gradient_hessian", "binary_mean_loss", "multiclass_gradient_hessian", "multiclass_mean_loss"]

# The values of skfocal._loss.HESSIAN_FLOOR and _loss._TINY (tests/test_kernels.py checks
# that they agree). Written here rather than imported: numba freezes globals into the compiled
# code, and its cache is keyed on this file only, so a change made in _loss.py would not reach
# cached kernels.
HESSIAN_FLOOR = 1e-16
_TINY = 2.2250738585072014e-308  # smallest normal float64

#: Values (rows x classes) per block: the block's float64 scratch stays in the CPU's L2 cache.
BLOCK_VALUES = 1 << 15
#: Below this many values (rows x classes) a second thread costs more than it saves.
MIN_VALUES_PER_THREAD = 1 << 16


def fallback_cache_dir() -> str:
    """Where the kernels are cached when numba finds no writable place: a private temporary directory."""
    owner = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    return os.path.join(tempfile.gettempdir(), f"skfocal-numba-cache-{owner}")


def _private_directory(path: str) -> bool:
    """Make ``path`` (mode 0700) if need be; ``True`` if it is a directory only this user can write."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.stat(path)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    # Cached machine code is loaded and run: in a shared temporary directory, accept only a
    # directory of this user's that nobody else can write to.
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return mine and not st.st_mode & 0o022


_FALLBACK_CACHE = None


def _fallback_cache_class():
    """numba's function cache, located in :func:`fallback_cache_dir` (built once; ``None`` if unusable)."""
    global _FALLBACK_CACHE
    if _FALLBACK_CACHE is None:
        try:
            from numba.core import caching

            class Locator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):
                def __init__(self, py_func, py_file):
                    self._py_file = py_file
                    self._lineno = py_func.__code__.co_firstlineno
                    self._cache_path = os.path.join(fallback_cache_dir(), self.get_suitable_cache_subpath(py_file))

                def get_cache_path(self):
                    return self._cache_path

            class Impl(caching.CompileResultCacheImpl):
                _locator_classes = [Locator]

            class FallbackCache(caching.FunctionCache):
                _impl_class = Impl

            _FALLBACK_CACHE = FallbackCache
        except (ImportError, AttributeError):  # numba's private caching API changed
            _FALLBACK_CACHE = False
    return _FALLBACK_CACHE or None


def _jit(func):
    """``numba.njit`` with numba's cache; where numba finds no writable cache location (a
    read-only install and home directory), :func:`fallback_cache_dir`; where that is not
    usable either, compiled in memory in every process (``_cache`` is then numba's ``NullCache``)."""
    options = {"nogil": True, "error_model": "numpy"}
    try:
        return numba.njit(cache=True, **options)(func)
    except RuntimeError:  # numba found no writable cache directory
        dispatcher = numba.njit(**options)(func)
    cache = _fallback_cache_class()
    if cache is not None and _private_directory(fallback_cache_dir()):
        try:
            dispatcher._cache = cache(func)
        except (RuntimeError, OSError):
            pass  # compile in memory
    return dispatcher


def _fill_q_gamma(gamma: float, q_gamma: np.ndarray, log_q_times_gamma) -> bool:
    """Prepare ``q**gamma`` for a block; ``True`` if the kernel forms it as ``q * q`` itself.

    ``gamma=2`` (the default) is squared in the loop. Otherwise ``q_gamma`` gets ``exp(gamma log q)``
    (``log_q_times_gamma()`` writes ``gamma log q`` into it), or ones for ``gamma=0``. A single
    choice between the loop's own square and a load keeps the loop vectorised (a longer chain
    of cases did not).
    """
    if gamma == 2.0:
        return True
    if gamma == 0.0:
        q_gamma.fill(1.0)
    else:
        log_q_times_gamma()
        np.exp(q_gamma, out=q_gamma)
    return False


# ------------------------------------------------------------------------------------------ binary
@_jit
def _binary_neg_abs(z, offset, out):
    # e = exp(-|m|) with m = +-(z + offset), so only |z + offset| is needed.
    for i in range(z.shape[0]):
        out[i] = -abs(np.float64(z[i]) + offset)


@_jit
def _binary_gamma_log_q(y, z, offset, log1p_e, gamma, out):
    # gamma * log q, with log q = -(max(m, 0) + log1p(exp(-|m|))); exp of it is q**gamma.
    for i in range(z.shape[0]):
        zi = np.float64(z[i]) + offset
        m = zi if y[i] > 0.5 else -zi
        out[i] = -gamma * (max(m, 0.0) + log1p_e[i])


@_jit
def _binary_finish(y, z, offset, e, log1p_e, q_gamma_in, w, gamma, square, w0, w1, scale, grad, hess):
    # Same expressions as BinaryFocalLoss._grad_hess_unchecked; p_t and q from e = exp(-|m|):
    # 1 / (1 + e) and e / (1 + e), both without cancellation.
    c = 2.0 * gamma + 1.0
    weighted = w.shape[0] > 0
    for i in range(z.shape[0]):
        positive = y[i] > 0.5
        zi = np.float64(z[i]) + offset  # float32 scores (XGBoost): all arithmetic in float64
        m = zi if positive else -zi
        ei = e[i]
        r = 1.0 / (1.0 + ei)
        if m >= 0.0:
            pt, q, log_pt = r, ei * r, -log1p_e[i]
        else:
            pt, q, log_pt = ei * r, r, m - log1p_e[i]
        q_gamma = q * q if square else q_gamma_in[i]  # the same choice for every row
        a = (w1 if positive else w0) * q_gamma
        wi = w[i] if weighted else 1.0
        g = wi * a * (gamma * pt * log_pt - q)
        grad[i] = g if positive else -g
        h = abs(a * pt * (c * q + gamma * log_pt * (q - gamma * pt)))
        hess[i] = max(h, HESSIAN_FLOOR) * (wi * scale)


def _binary_prologue(y, z, scratch, offset, gamma):
    """The per-row pieces of a binary block, shared by the gradient and the loss.

    Returns ``e`` (``exp(-|margin|)``), ``log1p_e``, ``q_gamma`` (views into ``scratch``) and
    ``square`` (see :func:`_fill_q_gamma`).
    """
    n = z.shape[0]
    e, log1p_e, q_gamma = (v[:n] for v in scratch.vectors)
    _binary_neg_abs(z, offset, e)
    np.exp(e, out=e)
    np.log1p(e, out=log1p_e)
    square = _fill_q_gamma(gamma, q_gamma, lambda: _binary_gamma_log_q(y, z, offset, log1p_e, gamma, q_gamma))
    return e, log1p_e, q_gamma, square


def _binary_block(y, z, w, grad, hess, scratch, offset, gamma, w0, w1, scale):
    e, log1p_e, q_gamma, square = _binary_prologue(y, z, scratch, offset, gamma)
    _binary_finish(y, z, offset, e, log1p_e, q_gamma, w, gamma, square, w0, w1, scale, grad, hess)


def binary_gradient_hessian(y, z, w, gamma, class_weights, scale, grad, hess, n_threads=1, offset=None) -> None:
    """Write the binary focal gradient and safeguarded Hessian (times ``w`` and ``scale``) into ``grad``, ``hess``.

    ``y``: labels 0/1 (any float or int dtype); ``z``: 1-D scores, to which ``offset`` (a start
    score, or ``None``) is added; ``w``: row weights or an empty array; ``class_weights``:
    ``(w0, w1)``; ``grad``/``hess``: float32 outputs.
    """
    w0, w1 = (1.0, 1.0) if class_weights is None else (float(class_weights[0]), float(class_weights[1]))
    offset = 0.0 if offset is None else float(offset)
    work = _on_rows(_binary_block, y, z, w, grad, hess, offset, float(gamma), w0, w1, float(scale))
    _run_blocks(z.shape[0], 1, work, n_threads)


@_jit
def _binary_loss_sum(y, z, offset, e, log1p_e, q_gamma_in, w, square, w0, w1):
    # Sum of w * alpha_t * q**gamma * -log(p_t), and of w, over the block (the expressions of
    # BinaryFocalLoss._terms): log p_t = -(max(-m, 0) + log1p(e)), q from e = exp(-|m|).
    weighted = w.shape[0] > 0
    total = 0.0
    weight_total = 0.0
    for i in range(z.shape[0]):
        positive = y[i] > 0.5
        zi = np.float64(z[i]) + offset
        m = zi if positive else -zi
        ei = e[i]
        r = 1.0 / (1.0 + ei)
        q = ei * r if m >= 0.0 else r
        q_gamma = q * q if square else q_gamma_in[i]
        wi = np.float64(w[i]) if weighted else 1.0
        total += wi * (w1 if positive else w0) * q_gamma * (max(-m, 0.0) + log1p_e[i])
        weight_total += wi
    return total, weight_total


def _binary_loss_block(y, z, w, scratch, offset, gamma, w0, w1):
    e, log1p_e, q_gamma, square = _binary_prologue(y, z, scratch, offset, gamma)
    return _binary_loss_sum(y, z, offset, e, log1p_e, q_gamma, w, square, w0, w1)


def binary_mean_loss(y, z, w, gamma, class_weights, offset=None, n_threads=1) -> float:
    """The (``w``-weighted) mean binary focal loss of the scores ``z`` (plus ``offset``).

    ``y``: labels 0/1; ``z``: 1-D scores of any float dtype and stride; ``w``: row weights or
    an empty array; ``class_weights``: ``(w0, w1)`` or ``None``. A sum of weights of 0 gives nan.
    """
    w0, w1 = (1.0, 1.0) if class_weights is None else (float(class_weights[0]), float(class_weights[1]))
    offset = 0.0 if offset is None else float(offset)
    return _mean_over_blocks(_binary_loss_block, y, z, w, 1, n_threads, offset, float(gamma), w0, w1)


# -------------------------------------------------------------------------------------- multiclass
# The block is held transposed, classes by rows (K, n), so that every loop runs over rows with
# the class fixed: contiguous, branch-free (choices are selects) and vectorised by LLVM. Per-row
# quantities are vectors of the block's length, built up one class column at a time.
@_jit
def _softmax_shift(y, alpha, offset, e, top, label, alpha_t, zmax, z_gap):
    # On entry e holds the scores, to which offset is added; on exit e = z - (row maximum),
    # top = the column of the maximum (the first, on ties), label = the true class t,
    # alpha_t = alpha[t] and z_gap = z_t - (row maximum). Values of the true class are picked
    # by selects: a gather would stop LLVM from vectorising the loop.
    k, n = e.shape
    for i in range(n):
        label[i] = int(y[i])
        top[i] = 0
        v = e[0, i] + offset[0]
        e[0, i] = v
        zmax[i] = v
    for j in range(1, k):
        o = offset[j]
        for i in range(n):
            v = e[j, i] + o
            e[j, i] = v
            larger = v > zmax[i]
            top[i] = j if larger else top[i]
            zmax[i] = v if larger else zmax[i]
    for j in range(k):
        for i in range(n):
            d = e[j, i] - zmax[i]
            e[j, i] = d
            is_t = j == label[i]
            z_gap[i] = d if is_t else z_gap[i]
            alpha_t[i] = alpha[j] if is_t else alpha_t[i]


@_jit
def _softmax_rest(e, top, label, s, e_t, inv_norm, q):
    # After e = exp(e): s = sum of e over all but the top column (p = e / (1 + s)), e_t = e of
    # the true column, and q = 1 - p_t = (sum of e over all but the true column) / (1 + s), a
    # sum of positive terms. The sum runs over the columns in order, skipping the top one.
    k, n = e.shape
    for i in range(n):
        s[i] = 0.0
        e_t[i] = 0.0
    for j in range(k):
        for i in range(n):
            e_j = e[j, i]
            s[i] += 0.0 if j == top[i] else e_j
            e_t[i] = e_j if j == label[i] else e_t[i]
    for i in range(n):
        total = s[i]
        rest = total if label[i] == top[i] else 1.0 + total - e_t[i]
        inv_norm[i] = 1.0 / (1.0 + total)
        q[i] = rest * inv_norm[i]


@_jit
def _multiclass_rows(
    top,
    label,
    alpha_t_in,
    s,
    e_t,
    inv_norm_in,
    log1p_s,
    z_gap,
    q_in,
    q_gamma_in,
    w,
    gamma,
    square,
    scale,
    coef,
    g_t,
    h_t,
):
    # Same expressions as MulticlassFocalLoss._grad_hess_signed: with A(p_t) = q**gamma *
    # (gamma p_t log(p_t) / q - 1), grad_j = alpha_t A(p_t) (delta_tj - p_j) and the diagonal
    # Hessian alpha_t (A'(p_t) p_t (delta_tj - p_j)**2 - A(p_t) p_j (1 - p_j)), written with
    # rho_j = (delta_tj - p_j) / q (1 on the true class, -e_j / rest elsewhere). The true
    # class's gradient and Hessian go to g_t, h_t; coef gets, per row, what the other classes
    # need: 1 / rest, the factors of rho**2 and of p_j (1 - p_j), -(gradient) / e_j, the
    # Hessian's scale.
    weighted = w.shape[0] > 0
    for i in range(s.shape[0]):
        t = label[i]
        s_i = s[i]
        norm = 1.0 + s_i
        inv_norm = inv_norm_in[i]
        at_top = t == top[i]
        log_pt = (0.0 if at_top else z_gap[i]) - log1p_s[i]
        rest = s_i if at_top else norm - e_t[i]
        # rest below the smallest normal number: 1 / rest would overflow. Then q and all other
        # p_j are (numerically) 0, log(p_t) / q is at its limit -1, and rho only ever meets a
        # factor q**gamma or gamma * (...) that makes its term vanish.
        tiny_rest = rest < _TINY
        inv_rest = 0.0 if tiny_rest else 1.0 / rest
        q = q_in[i]
        pt = e_t[i] * inv_norm
        q_gamma = q * q if square else q_gamma_in[i]  # the same choice for every row
        ratio = -1.0 if tiny_rest else log_pt * (norm * inv_rest)  # log(p_t) / q -> -1 as q -> 0
        a = q_gamma * (gamma * pt * ratio - 1.0)
        c = gamma * q_gamma * (q * (log_pt + 2.0) - (gamma - 1.0) * pt * log_pt)
        alpha_t = alpha_t_in[i]
        wi = w[i] if weighted else 1.0
        hess_scale = wi * scale
        coef[0, i] = inv_rest
        coef[1, i] = alpha_t * c * pt
        coef[2, i] = alpha_t * a * inv_norm * inv_norm
        coef[3, i] = -wi * alpha_t * a * inv_norm
        coef[4, i] = hess_scale
        g_t[i] = wi * alpha_t * a * q
        h = abs(alpha_t * pt * (c - a * q))
        h_t[i] = max(h, HESSIAN_FLOOR) * hess_scale


@_jit
def _multiclass_finish(e, top, label, s, coef, g_t, h_t, grad, hess):
    # The other classes j: rho = -e_j / rest, p_j (1 - p_j) = e_j d_j / (1 + s)**2 with
    # d_j = 1 + s - e_j (s for the top column); the true class takes g_t, h_t.
    k, n = e.shape
    for j in range(k):
        for i in range(n):
            e_j = e[j, i]
            s_i = s[i]
            rho = e_j * coef[0, i]
            d = s_i if j == top[i] else (1.0 + s_i) - e_j
            h = abs(coef[1, i] * rho * rho - coef[2, i] * e_j * d)
            h = max(h, HESSIAN_FLOOR) * coef[4, i]
            is_t = j == label[i]
            grad[j, i] = g_t[i] if is_t else coef[3, i] * e_j
            hess[j, i] = h_t[i] if is_t else h


@_jit
def _store_transposed(grad_t, hess_t, grad, hess):
    # (K, n) -> (n, K) row-major (XGBoost's layout), several times faster than numpy's
    # transposing copy. Column-major output (LightGBM's) is a plain copy, left to numpy.
    k, n = grad_t.shape
    for j in range(k):
        for i in range(n):
            grad[i, j] = grad_t[j, i]
            hess[i, j] = hess_t[j, i]


def _softmax_block(y, z, scratch, offset, alpha, gamma):
    """The per-row softmax pieces of a K-class block, shared by the gradient and the loss.

    Returns ``e`` (``exp(z - row maximum)``, classes by rows), the row vectors ``top, label,
    alpha_t, z_gap, s, e_t, inv_norm, log1p_s, q, q_gamma`` and ``square`` (see
    :func:`_fill_q_gamma`), all views into ``scratch``.
    """
    n, k = z.shape
    e = scratch.values[: k * n].reshape(k, n)
    zmax, z_gap, alpha_t, s, e_t, inv_norm, log1p_s, q, q_gamma = (v[:n] for v in scratch.vectors[:9])
    top, label = scratch.top[:n], scratch.label[:n]
    np.copyto(e.T, z)  # transposed, in float64 whatever the scores' dtype
    _softmax_shift(y, alpha, offset, e, top, label, alpha_t, zmax, z_gap)
    np.exp(e, out=e)
    _softmax_rest(e, top, label, s, e_t, inv_norm, q)
    np.log1p(s, out=log1p_s)

    def log_q_times_gamma():
        np.maximum(q, _TINY, out=q_gamma)
        np.log(q_gamma, out=q_gamma)
        np.multiply(q_gamma, gamma, out=q_gamma)

    square = _fill_q_gamma(gamma, q_gamma, log_q_times_gamma)
    return e, top, label, alpha_t, z_gap, s, e_t, inv_norm, log1p_s, q, q_gamma, square


def _multiclass_block(y, z, w, grad, hess, scratch, offset, alpha, gamma, scale):
    n, k = z.shape
    e, top, label, alpha_t, z_gap, s, e_t, inv_norm, log1p_s, q, q_gamma, square = _softmax_block(
        y, z, scratch, offset, alpha, gamma
    )
    grad_t, hess_t = (v[: k * n].reshape(k, n) for v in scratch.outputs)
    g_t, h_t = (v[:n] for v in scratch.vectors[9:11])
    coef = scratch.coef[:, :n]
    _multiclass_rows(
        top, label, alpha_t, s, e_t, inv_norm, log1p_s, z_gap, q, q_gamma, w, gamma, square, scale, coef, g_t, h_t
    )
    _multiclass_finish(e, top, label, s, coef, g_t, h_t, grad_t, hess_t)
    if grad.strides[0] == grad.itemsize and hess.strides[0] == hess.itemsize:  # column-major rows
        np.copyto(grad, grad_t.T)
        np.copyto(hess, hess_t.T)
    else:
        _store_transposed(grad_t, hess_t, grad, hess)


def multiclass_gradient_hessian(y, z, w, gamma, class_weights, scale, grad, hess, n_threads=1, offset=None) -> None:
    """Write the softmax focal gradient and safeguarded diagonal Hessian into ``grad``, ``hess``.

    ``y``: labels ``0 .. K-1``; ``z``: ``(n, K)`` scores in any layout, to which ``offset`` (a
    ``(K,)`` start score, or ``None``) is added; ``w``: row weights or an empty array;
    ``class_weights``: ``(K,)`` or ``None``; ``grad``/``hess``: float32 ``(n, K)``.
    """
    k = z.shape[1]
    alpha = np.ones(k) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    offset = np.zeros(k) if offset is None else np.asarray(offset, dtype=np.float64)
    work = _on_rows(_multiclass_block, y, z, w, grad, hess, offset, alpha, float(gamma), float(scale))
    _run_blocks(z.shape[0], k, work, n_threads)


@_jit
def _multiclass_loss_sum(top, label, alpha_t, z_gap, log1p_s, q_in, q_gamma_in, w, square):
    # Sum of w * alpha_t * q**gamma * -log(p_t), and of w, over the block, with
    # log p_t = z_t - (row maximum) - log1p(s) (MulticlassFocalLoss._terms via _log_softmax_parts).
    weighted = w.shape[0] > 0
    total = 0.0
    weight_total = 0.0
    for i in range(q_in.shape[0]):
        log_pt = (0.0 if label[i] == top[i] else z_gap[i]) - log1p_s[i]
        q = q_in[i]
        q_gamma = q * q if square else q_gamma_in[i]
        wi = np.float64(w[i]) if weighted else 1.0
        total -= wi * alpha_t[i] * q_gamma * log_pt
        weight_total += wi
    return total, weight_total


def _multiclass_loss_block(y, z, w, scratch, offset, alpha, gamma):
    _, top, label, alpha_t, z_gap, _, _, _, log1p_s, q, q_gamma, square = _softmax_block(
        y, z, scratch, offset, alpha, gamma
    )
    return _multiclass_loss_sum(top, label, alpha_t, z_gap, log1p_s, q, q_gamma, w, square)


def multiclass_mean_loss(y, z, w, gamma, class_weights, offset=None, n_threads=1) -> float:
    """The (``w``-weighted) mean softmax focal loss of the ``(n, K)`` scores ``z`` (plus ``offset``, ``(K,)``).

    ``y``: labels ``0 .. K-1``; ``z`` in any layout and float dtype; ``w``: row weights or an
    empty array; ``class_weights``: ``(K,)`` or ``None``. A sum of weights of 0 gives nan.
    """
    k = z.shape[1]
    alpha = np.ones(k) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    offset = np.zeros(k) if offset is None else np.asarray(offset, dtype=np.float64)
    return _mean_over_blocks(_multiclass_loss_block, y, z, w, k, n_threads, offset, alpha, float(gamma))


# ----------------------------------------------------------------------------------------- driver
class _Scratch:
    """One thread's float64 work space for a block of ``rows`` rows and ``k`` classes (``k=1``: binary)."""

    def __init__(self, rows: int, k: int):
        if k == 1:
            self.vectors = np.empty((3, rows))
            return
        self.values = np.empty(rows * k)
        self.outputs = np.empty((2, rows * k), np.float32)
        self.vectors = np.empty((11, rows))
        self.coef = np.empty((5, rows))
        self.top = np.empty(rows, np.intp)
        self.label = np.empty(rows, np.intp)


def _on_rows(block, y, z, w, grad, hess, *params):
    """``work(lo, hi, scratch)`` for :func:`_run_blocks`: ``block`` on rows ``lo:hi`` of the per-row arrays."""

    def work(lo, hi, scratch):
        rows = slice(lo, hi)
        block(y[rows], z[rows], w[rows] if w.shape[0] else w, grad[rows], hess[rows], scratch, *params)

    return work


def _mean_over_blocks(block, y, z, w, k, n_threads, *params) -> float:
    """``sum(w * loss) / sum(w)`` from per-block sums of ``block``, added in row order
    (so the result does not depend on the number of threads)."""
    sums = {}

    def work(lo, hi, scratch):
        rows = slice(lo, hi)
        sums[lo] = block(y[rows], z[rows], w[rows] if w.shape[0] else w, scratch, *params)

    _run_blocks(z.shape[0], k, work, n_threads)
    total = weight_total = 0.0
    for lo in sorted(sums):
        total += sums[lo][0]
        weight_total += sums[lo][1]
    return total / weight_total if weight_total != 0.0 else float("nan")


def _run_blocks(n_rows: int, k: int, work, n_threads: int) -> None:
    """Call ``work(lo, hi, scratch)`` over blocks of rows, shared among ``n_threads`` threads.

    Each thread takes the next block that nobody has taken yet, rather than a fixed share: in a
    fit the booster's OpenMP threads keep spinning for a while after each of its parallel
    regions, so a thread that shares a core with one of them runs at a fraction of the speed of
    the others, and a fixed share would leave everyone waiting for it.
    """
    block = max(1, BLOCK_VALUES // k)
    n_blocks = -(-n_rows // block)
    n_threads = max(1, min(int(n_threads), n_blocks, n_rows * k // MIN_VALUES_PER_THREAD))
    starts = iter(range(0, n_rows, block))  # next() on it is atomic: it runs under the GIL
    errors = []

    def run():
        scratch = _Scratch(block, k)
        for lo in starts:
            if errors:  # another thread failed or the caller was interrupted: stop taking blocks
                break
            work(lo, min(lo + block, n_rows), scratch)

    if n_threads == 1:
        run()
        return

    def guarded():
        try:
            run()
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, daemon=True) for _ in range(n_threads - 1)]
    for thread in threads:
        thread.start()
    guarded()
    # The threads read the caller's arrays (XGBoost's own prediction buffer among them, freed
    # with its booster), so this returns only once every thread is done, also when the
    # caller is interrupted while it waits (KeyboardInterrupt, a signal handler's exception).
    for thread in threads:
        while thread.is_alive():
            try:
                thread.join()
            except BaseException as exc:
                errors.insert(0, exc)
    if errors:
        raise errors[0]
