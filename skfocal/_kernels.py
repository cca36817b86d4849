"""Compiled training kernels: the focal gradient and Hessian the estimators use every boosting round.

The formulas are those of :mod:`skfocal._loss` (the reference, in numpy, that the public loss
objects evaluate); this module evaluates the same expressions fast, because a boosting round
on a million rows is itself only tens of milliseconds. Where the time goes, and so the design:

- **Transcendentals in numpy.** ``exp``, ``log`` and ``log1p`` run as numpy ufuncs over a block of
  rows, which use the CPU's SIMD units (several values per instruction).
- **Everything else in fused numba loops** per block: no division checks
  (``error_model="numpy"``), no calls, and ``q**gamma`` either squared in the loop (``gamma=2``)
  or read from a block computed beforehand. LLVM vectorises the binary loop; the K-class loops
  go row by row over the classes, with selects instead of unpredictable branches. Each block's
  scratch fits in the CPU cache.
- **Output in the booster's dtype.** Both boosters train on float32 gradients, so the kernels
  write float32 into buffers the caller allocates once per fit (of the layout of the scores:
  LightGBM's multiclass scores are column-major).
- **Threads** (``n_threads``, from the estimator's ``n_jobs``) each take a contiguous run of
  blocks; numpy and the numba kernels (``nogil``) release the GIL, and nothing is shared but
  read-only inputs and disjoint output rows. Plain threads started per call, so there is no
  pool to survive a ``fork``, and no dependence on numba's threading layers.

The arithmetic is done in float64 whatever the input dtype, so the only difference from the
reference is the final rounding to float32 (relative 6e-8), far inside the accuracy required of
the loss (gradient 1e-5, Hessian 1e-4). ``tests/test_kernels.py`` holds the two together.

Numba compiles the kernels on first use, for each kind of input (about a second;
``benchmarks/bench_speed.py`` reports it), and caches the machine code (``NUMBA_CACHE_DIR``,
else next to this file, else numba's user cache directory). Where none is writable (a
read-only install), the kernels compile in memory instead.
"""

from __future__ import annotations

import threading

import numba
import numpy as np

__all__ = ["binary_gradient_hessian", "multiclass_gradient_hessian"]

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


def _jit(func):
    options = {"nogil": True, "error_model": "numpy"}
    try:
        return numba.njit(cache=True, **options)(func)
    except RuntimeError:  # numba found no writable cache directory: compile in memory
        return numba.njit(**options)(func)


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
def _binary_neg_abs(z, out):
    # e = exp(-|m|) with m = +-z, so only |z| is needed.
    for i in range(z.shape[0]):
        out[i] = -abs(z[i])


@_jit
def _binary_gamma_log_q(y, z, log1p_e, gamma, out):
    # gamma * log q, with log q = -(max(m, 0) + log1p(exp(-|m|))); exp of it is q**gamma.
    for i in range(z.shape[0]):
        zi = np.float64(z[i])
        m = zi if y[i] > 0.5 else -zi
        out[i] = -gamma * (max(m, 0.0) + log1p_e[i])


@_jit
def _binary_finish(y, z, e, log1p_e, q_gamma_in, w, gamma, square, w0, w1, scale, grad, hess):
    # Same expressions as BinaryFocalLoss._grad_hess_unchecked; p_t and q from e = exp(-|m|):
    # 1 / (1 + e) and e / (1 + e), both without cancellation.
    c = 2.0 * gamma + 1.0
    weighted = w.shape[0] > 0
    for i in range(z.shape[0]):
        positive = y[i] > 0.5
        zi = np.float64(z[i])  # float32 scores (XGBoost): all arithmetic in float64
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


def _binary_block(y, z, w, gamma, w0, w1, scale, grad, hess, scratch):
    n = z.shape[0]
    e, log1p_e, q_gamma = (v[:n] for v in scratch.vectors)
    _binary_neg_abs(z, e)
    np.exp(e, out=e)
    np.log1p(e, out=log1p_e)
    square = _fill_q_gamma(gamma, q_gamma, lambda: _binary_gamma_log_q(y, z, log1p_e, gamma, q_gamma))
    _binary_finish(y, z, e, log1p_e, q_gamma, w, gamma, square, w0, w1, scale, grad, hess)


def binary_gradient_hessian(y, z, w, gamma, class_weights, scale, grad, hess, n_threads=1) -> None:
    """Write the binary focal gradient and safeguarded Hessian (times ``w`` and ``scale``) into ``grad``, ``hess``.

    ``y``: labels 0/1 (any float or int dtype); ``z``: 1-D scores; ``w``: row weights or an
    empty array; ``class_weights``: ``(w0, w1)``; ``grad``/``hess``: float32 outputs.
    """
    w0, w1 = (1.0, 1.0) if class_weights is None else (float(class_weights[0]), float(class_weights[1]))

    def work(lo, hi, scratch):
        ws = w[lo:hi] if w.shape[0] else w
        _binary_block(y[lo:hi], z[lo:hi], ws, float(gamma), w0, w1, float(scale), grad[lo:hi], hess[lo:hi], scratch)

    _run_blocks(z.shape[0], 1, work, n_threads)


# -------------------------------------------------------------------------------------- multiclass
# Loops run over rows with a short inner loop over classes. Every load is made unconditionally
# and the choices compile to selects: which class is largest, or true, is unpredictable, and a
# mispredicted branch costs more than the arithmetic.
@_jit
def _softmax_shift(z, e, top):
    # e = z - (row maximum), top = the column of the maximum
    for i in range(z.shape[0]):
        best = 0
        zmax = np.float64(z[i, 0])  # float32 scores (XGBoost): all arithmetic in float64
        for j in range(1, z.shape[1]):
            v = np.float64(z[i, j])
            larger = v > zmax
            best = j if larger else best
            zmax = v if larger else zmax
        top[i] = best
        for j in range(z.shape[1]):
            e[i, j] = np.float64(z[i, j]) - zmax


@_jit
def _softmax_rest(y, e, top, label, s, inv_norm, q):
    # After e = exp(e): s = sum of e over all but the top column (p = e / (1 + s)), and
    # q = 1 - p_t = (sum of e over all but the true column) / (1 + s), a sum of positive terms.
    # Divisions are few: 1 / (1 + s) once per row here, 1 / (q (1 + s)) once in the finish.
    for i in range(e.shape[0]):
        top_i = top[i]
        total = 0.0
        for j in range(e.shape[1]):
            e_j = e[i, j]
            total += 0.0 if j == top_i else e_j
        s[i] = total
        t = int(y[i])
        label[i] = t
        e_t = e[i, t]
        rest = total if t == top_i else 1.0 + total - e_t
        inv_norm[i] = 1.0 / (1.0 + total)
        q[i] = rest * inv_norm[i]


@_jit
def _multiclass_finish(
    z, e, top, label, s, inv_norm_in, log1p_s, q_in, q_gamma_in, w, alpha, gamma, square, scale, grad, hess
):
    # Same expressions as MulticlassFocalLoss._grad_hess_signed: with A(p_t) = q**gamma *
    # (gamma p_t log(p_t) / q - 1), grad_j = alpha_t A(p_t) (delta_tj - p_j) and the diagonal
    # Hessian alpha_t (A'(p_t) p_t (delta_tj - p_j)**2 - A(p_t) p_j (1 - p_j)), written with
    # rho_j = (delta_tj - p_j) / q (1 on the true class, -e_j / rest elsewhere). 1 - p_j is
    # s / (1 + s) for the top column and (1 + s - e_j) / (1 + s) (at least 1/2) for the others.
    k = z.shape[1]
    weighted = w.shape[0] > 0
    for i in range(z.shape[0]):
        t = label[i]
        top_i = top[i]
        s_i = s[i]
        norm = 1.0 + s_i
        inv_norm = inv_norm_in[i]
        at_top = t == top_i
        e_t = e[i, t]
        z_gap = np.float64(z[i, t]) - np.float64(z[i, top_i])
        log_pt = (0.0 if at_top else z_gap) - log1p_s[i]
        rest = s_i if at_top else norm - e_t
        # rest below the smallest normal number: 1 / rest would overflow. Then q and all other
        # p_j are (numerically) 0, log(p_t) / q is at its limit -1, and rho only ever meets a
        # factor q**gamma or gamma * (...) that makes its term vanish.
        tiny_rest = rest < _TINY
        inv_rest = 0.0 if tiny_rest else 1.0 / rest
        q = q_in[i]
        pt = e_t * inv_norm
        q_gamma = q * q if square else q_gamma_in[i]  # the same choice for every row
        ratio = -1.0 if tiny_rest else log_pt * (norm * inv_rest)  # log(p_t) / q -> -1 as q -> 0
        a = q_gamma * (gamma * pt * ratio - 1.0)
        c = gamma * q_gamma * (q * (log_pt + 2.0) - (gamma - 1.0) * pt * log_pt)
        alpha_t = alpha[t]
        wi = w[i] if weighted else 1.0
        hess_scale = wi * scale
        # The other classes j: rho = -e_j / rest, p_j (1 - p_j) = e_j d_j / (1 + s)**2 with
        # d_j = 1 + s - e_j (s for the top column). The true class is overwritten after the loop.
        c_rho = alpha_t * c * pt
        c_p = alpha_t * a * inv_norm * inv_norm
        grad_other = -wi * alpha_t * a * inv_norm
        for j in range(k):
            e_j = e[i, j]
            rho = e_j * inv_rest
            d = s_i if j == top_i else norm - e_j
            grad[i, j] = grad_other * e_j
            h = abs(c_rho * rho * rho - c_p * e_j * d)
            hess[i, j] = max(h, HESSIAN_FLOOR) * hess_scale
        grad[i, t] = wi * alpha_t * a * q
        h = abs(alpha_t * pt * (c - a * q))
        hess[i, t] = max(h, HESSIAN_FLOOR) * hess_scale


def _multiclass_block(y, z, w, alpha, gamma, scale, grad, hess, scratch):
    n, k = z.shape
    e = scratch.values[: n * k].reshape(n, k)
    s, inv_norm, log1p_s, q, q_gamma = (v[:n] for v in scratch.vectors)
    top, label = scratch.top[:n], scratch.label[:n]
    _softmax_shift(z, e, top)
    np.exp(e, out=e)
    _softmax_rest(y, e, top, label, s, inv_norm, q)
    np.log1p(s, out=log1p_s)

    def log_q_times_gamma():
        np.maximum(q, _TINY, out=q_gamma)
        np.log(q_gamma, out=q_gamma)
        np.multiply(q_gamma, gamma, out=q_gamma)

    square = _fill_q_gamma(gamma, q_gamma, log_q_times_gamma)
    _multiclass_finish(z, e, top, label, s, inv_norm, log1p_s, q, q_gamma, w, alpha, gamma, square, scale, grad, hess)


def multiclass_gradient_hessian(y, z, w, gamma, class_weights, scale, grad, hess, n_threads=1) -> None:
    """Write the softmax focal gradient and safeguarded diagonal Hessian into ``grad``, ``hess``.

    ``y``: labels ``0 .. K-1``; ``z``: ``(n, K)`` scores in any layout; ``w``: row weights or an
    empty array; ``class_weights``: ``(K,)`` or ``None``; ``grad``/``hess``: float32 ``(n, K)``.
    """
    k = z.shape[1]
    alpha = np.ones(k) if class_weights is None else np.asarray(class_weights, dtype=np.float64)

    def work(lo, hi, scratch):
        ws = w[lo:hi] if w.shape[0] else w
        _multiclass_block(y[lo:hi], z[lo:hi], ws, alpha, float(gamma), float(scale), grad[lo:hi], hess[lo:hi], scratch)

    _run_blocks(z.shape[0], k, work, n_threads)


# ----------------------------------------------------------------------------------------- driver
class _Scratch:
    """One thread's float64 work space for a block of ``rows`` rows and ``k`` classes (``k=1``: binary)."""

    def __init__(self, rows: int, k: int):
        if k == 1:
            self.vectors = np.empty((3, rows))
            return
        self.values = np.empty(rows * k)
        self.vectors = np.empty((5, rows))
        self.top = np.empty(rows, np.intp)
        self.label = np.empty(rows, np.intp)


def _run_blocks(n_rows: int, k: int, work, n_threads: int) -> None:
    """Call ``work(lo, hi, scratch)`` over blocks of rows, split into contiguous runs over threads."""
    block = max(1, BLOCK_VALUES // k)
    starts = list(range(0, n_rows, block))
    n_threads = max(1, min(int(n_threads), len(starts), n_rows * k // MIN_VALUES_PER_THREAD))

    def run(part):
        scratch = _Scratch(block, k)
        for lo in part:
            work(lo, min(lo + block, n_rows), scratch)

    if n_threads == 1:
        run(starts)
        return
    size = -(-len(starts) // n_threads)
    parts = [starts[i : i + size] for i in range(0, len(starts), size)]
    errors = []

    def guarded(part):
        try:
            run(part)
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(part,), daemon=True) for part in parts[1:]]
    for thread in threads:
        thread.start()
    guarded(parts[0])
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
