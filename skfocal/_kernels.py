"""Compiled training kernels: the focal gradient and Hessian the estimators use every boosting round.

The formulas are those of :mod:`skfocal._loss` (the reference, in numpy, that the public loss
objects evaluate); this module evaluates the same expressions fast, because a boosting round
on a million rows is itself only tens of milliseconds. Where the time goes, and so the design:

- **One compiled loop per block of rows**, exp and log included: :func:`_exp` and :func:`_log`
  are written out (range reduction and a polynomial, accurate to about one unit in the last
  place, as the C library's) and compiled into the loops, which LLVM vectorises, several
  values per instruction. No division checks (``error_model="numpy"``), and ``q**gamma`` is
  either squared in the loop (``gamma=2``, a copy of the loop of its own) or
  ``exp(gamma log q)``. The K-class block is held transposed (classes by rows), so every loop
  runs along the rows with the class fixed, and values of the true or the largest class are
  picked by selects rather than by branches or gathers (either stops the vectoriser). Each
  block's scratch fits in the CPU cache. A block runs without the GIL from start to end.
- **Output in the booster's dtype.** Both boosters train on float32 gradients, so the kernels
  write float32 into buffers the caller allocates once per fit (of the layout of the scores:
  LightGBM's multiclass scores are column-major).
- **On the booster's own threads.** In a fit the booster calls the objective right after one
  of its OpenMP parallel regions, whose threads keep spinning on their cores for a while
  (libgomp's default). Given the booster's OpenMP runtime (``team``, from
  :func:`skfocal._compat.openmp_team`), the kernels run there: each of the team's threads runs
  a compiled C callback that takes the next free block (an atomic counter) until none is left.
  No thread is started, and the cores are those the booster was already using. Where there is
  no such runtime, or for inputs other than the boosters' own arrays (:func:`_team_takes`),
  ``n_threads`` plain Python threads started per call each take the next free block; nothing
  is shared but read-only inputs and disjoint output rows, and there is no pool to survive a
  ``fork``. Both run the same block code, so they give the same bits.

The arithmetic is done in float64 whatever the input dtype, so the only difference from the
reference is the final rounding to float32 (relative 6e-8), far inside the accuracy required of
the loss (gradient 1e-5, Hessian 1e-4). ``tests/test_kernels.py`` holds the two together.

The eval metric (``binary_mean_loss``, ``multiclass_mean_loss``) runs the same blocks: the
per-row focal loss in float64, summed per block and the block sums added in row order, so the
result does not depend on the threads either.

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
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

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


def _jit(func=None, *, inline="never"):
    """``numba.njit`` with numba's cache; where numba finds no writable cache location (a
    read-only install and home directory), :func:`fallback_cache_dir`; where that is not
    usable either, compiled in memory in every process (``_cache`` is then numba's ``NullCache``).

    ``inline="always"``: compiled into each caller (numba inlines it before LLVM sees the loop;
    LLVM's own inliner leaves calls to functions of this size in place, which stops the loop
    around them from being vectorised). ``fastmath={"contract"}`` only lets LLVM fuse a
    multiplication and an addition into one instruction (one rounding instead of two): the
    polynomials of :func:`_exp` and :func:`_log` take half the instructions."""
    if func is None:
        return lambda func: _jit(func, inline=inline)
    options = {"nogil": True, "error_model": "numpy", "inline": inline, "fastmath": {"contract"}}
    try:
        return numba.njit(cache=True, **options)(func)
    except RuntimeError:  # numba found no writable cache directory
        dispatcher = numba.njit(**options)(func)
    _use_fallback_cache(dispatcher, func)
    return dispatcher


def _cached(compiled, func) -> None:
    """Give ``compiled`` (a CFunc) the cache :func:`_jit` would give ``func``."""
    try:
        compiled.enable_caching()
    except RuntimeError:  # numba found no writable cache directory
        _use_fallback_cache(compiled, func)


def _use_fallback_cache(compiled, func) -> None:
    """Cache ``compiled`` (a dispatcher or CFunc of ``func``) in :func:`fallback_cache_dir` if usable;
    else it compiles in memory."""
    cache = _fallback_cache_class()
    if cache is not None and _private_directory(fallback_cache_dir()):
        try:
            compiled._cache = cache(func)
        except (RuntimeError, OSError):
            pass  # compile in memory


# ------------------------------------------------------------------------- elementary functions
# exp and log written out, so that they are compiled into the loops and vectorised with them
# (a call to the C library's functions, one value at a time, takes several times as long),
# and so that a whole block runs in compiled code, without the GIL. Both are accurate to about
# one unit in the last place of float64, as the C library's are.
@intrinsic
def _pointer(typingctx, address, dtype):
    """``address`` (an int64) as a pointer to ``dtype`` values, for ``numba.carray``."""
    pointer_type = types.CPointer(dtype.dtype)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(pointer_type))

    return pointer_type(address, dtype), codegen


@intrinsic
def _fetch_add(typingctx, pointer, index):
    """Atomically add one to the int64 ``pointer[index]``; the value it had."""

    def codegen(context, builder, signature, args):
        address = builder.gep(args[0], [args[1]])
        return builder.atomic_rmw("add", address, ir.Constant(ir.IntType(64), 1), "monotonic")

    return types.int64(pointer, index), codegen


@intrinsic
def _as_float(typingctx, bits):
    """The float64 whose bits are the int64 ``bits``."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(bits), codegen


@intrinsic
def _as_bits(typingctx, x):
    """The bits of the float64 ``x``, as an int64."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(x), codegen


_LN2_HI = 6.93147180369123816490e-01  # ln 2 in two parts: k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.4426950408889634
_ROUNDER = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer, kept in the low bits
_ROUNDER_BITS = 0x4338000000000000
# log(1 + f) = f - f**2 / 2 + s (f**2 / 2 + R(s**2)), s = f / (2 + f): R's coefficients (fdlibm)
_LG1, _LG2, _LG3 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01
_LG4, _LG5, _LG6 = 2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_SQRT_HALF_BITS = 0x3FE6A09E00000000  # about sqrt(1/2): the reduced argument lies in [sqrt(1/2), sqrt(2))
_MANTISSA = 0x000FFFFFFFFFFFFF


@_jit(inline="always")
def _exp(x):
    # exp(x) for x <= 0 (the only arguments here: every exponent is a margin or log q times
    # gamma, all <= 0): x = k ln 2 + r with |r| <= ln(2) / 2, exp(r) by its Taylor series to
    # r**13 (the remainder is below 6e-18 relative), times 2**k made from its bits. Below
    # -708, where exp leaves float64's normal range, it is 0 (the C library returns
    # subnormals there; the kernels' results do not change, as the tests check); nan stays nan.
    xc = max(x, -708.0)
    t = xc * _INV_LN2 + _ROUNDER
    k = t - _ROUNDER
    r = (xc - k * _LN2_HI) - k * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    value = p * _as_float((_as_bits(t) - _ROUNDER_BITS + 1023) << 52)
    return value if x >= -708.0 else (0.0 if x < -708.0 else x)


@_jit(inline="always")
def _log(x):
    # log(x) for positive normal x (fdlibm's method): x = 2**k (1 + f) with 1 + f in
    # [sqrt(1/2), sqrt(2)), read from its bits, and log(1 + f) from s = f / (2 + f).
    bits = _as_bits(x) + (0x3FF0000000000000 - _SQRT_HALF_BITS)
    k = np.float64((bits >> 52) - 0x3FF)
    f = _as_float((bits & _MANTISSA) + _SQRT_HALF_BITS) - 1.0
    half_f2 = 0.5 * f * f
    s = f / (2.0 + f)
    s2 = s * s
    s4 = s2 * s2
    r = s4 * (_LG2 + s4 * (_LG4 + s4 * _LG6)) + s2 * (_LG1 + s4 * (_LG3 + s4 * (_LG5 + s4 * _LG7)))
    value = s * (half_f2 + r) + k * _LN2_LO - half_f2 + f + k * _LN2_HI
    return value if x == x else x


@_jit(inline="always")
def _log1p(x, u, inv_u):
    # log(1 + x) for x >= 0, given u = 1 + x (rounded) and 1 / u: log(u) corrected by the
    # rounding of u, (x - (u - 1)) / u.
    return _log(u) + (x - (u - 1.0)) * inv_u


# ------------------------------------------------------------------------------------------ binary
@_jit(inline="always")
def _binary_terms(yi, zi, offset, gamma, power):
    # The per-row pieces of BinaryFocalLoss: m = +-(z + offset), e = exp(-|m|), and from it
    # p_t, q (1 / (1 + e) and e / (1 + e), without cancellation), log p_t and q**gamma
    # (power 2: q squared; 0: 1; otherwise exp(gamma log q), log q = -(max(m, 0) + log1p(e))).
    positive = yi > 0.5
    z = np.float64(zi) + offset  # float32 scores (XGBoost): all arithmetic in float64
    m = z if positive else -z
    e = _exp(-abs(m))
    u = 1.0 + e
    r = 1.0 / u
    log1p_e = _log1p(e, u, r)
    if m >= 0.0:
        pt, q, log_pt = r, e * r, -log1p_e
    else:
        pt, q, log_pt = e * r, r, m - log1p_e
    if power == 2:
        q_gamma = q * q
    elif power == 0:
        q_gamma = 1.0
    else:
        q_gamma = _exp(-gamma * (max(m, 0.0) + log1p_e))
    return positive, pt, q, log_pt, q_gamma


@_jit
def _binary_rows(y, z, w, offset, g0, g1, w0, w1, scale, power, grad, hess):
    # Same expressions as BinaryFocalLoss._grad_hess_unchecked. power 3: a gamma per class (g0
    # for class 0, g1 for class 1, picked by a select; q**gamma as exp(gamma log q)); otherwise
    # one gamma, g0, and the loop is the one-gamma loop (the choice is the same for every row).
    weighted = w.shape[0] > 0
    for i in range(z.shape[0]):
        gamma = (g1 if y[i] > 0.5 else g0) if power == 3 else g0
        c = 2.0 * gamma + 1.0
        positive, pt, q, log_pt, q_gamma = _binary_terms(y[i], z[i], offset, gamma, power)
        a = (w1 if positive else w0) * q_gamma
        wi = np.float64(w[i]) if weighted else 1.0
        g = wi * a * (gamma * pt * log_pt - q)
        grad[i] = g if positive else -g
        h = abs(a * pt * (c * q + gamma * log_pt * (q - gamma * pt)))
        hess[i] = max(h, HESSIAN_FLOOR) * (wi * scale)


@_jit
def _binary_block(y, z, w, grad, hess, offset, g0, g1, w0, w1, scale):
    # One copy of the loop per way of forming q**gamma (the default gamma=2, gamma=0, any
    # other, a gamma per class), each compiled without the choice in it: a choice made row by
    # row would stop the vectoriser, and exp(gamma log q) costs an exp per row that 2 and 0 do not need.
    if g0 != g1:
        _binary_rows(y, z, w, offset, g0, g1, w0, w1, scale, 3, grad, hess)
    elif g0 == 2.0:
        _binary_rows(y, z, w, offset, g0, g1, w0, w1, scale, 2, grad, hess)
    elif g0 == 0.0:
        _binary_rows(y, z, w, offset, g0, g1, w0, w1, scale, 0, grad, hess)
    else:
        _binary_rows(y, z, w, offset, g0, g1, w0, w1, scale, 1, grad, hess)


@_jit
def _binary_loss_rows(y, z, w, offset, g0, g1, w0, w1, power, out):
    # Each row's w * alpha_t * q**gamma * -log(p_t) (the expressions of BinaryFocalLoss._terms).
    weighted = w.shape[0] > 0
    for i in range(z.shape[0]):
        gamma = (g1 if y[i] > 0.5 else g0) if power == 3 else g0
        positive, _, _, log_pt, q_gamma = _binary_terms(y[i], z[i], offset, gamma, power)
        wi = np.float64(w[i]) if weighted else 1.0
        out[i] = -wi * (w1 if positive else w0) * q_gamma * log_pt


@_jit
def _sum(x):
    # Four running sums, one per fourth row, added at the end: four independent chains of
    # additions run several times as fast as one, and the order is fixed, so the sum of a
    # block does not depend on the thread that computes it.
    n = x.shape[0]
    a0 = a1 = a2 = a3 = 0.0
    for i in range(n // 4):
        a0 += np.float64(x[4 * i])
        a1 += np.float64(x[4 * i + 1])
        a2 += np.float64(x[4 * i + 2])
        a3 += np.float64(x[4 * i + 3])
    for i in range(n - n % 4, n):
        a0 += np.float64(x[i])
    return (a0 + a1) + (a2 + a3)


@_jit
def _loss_sums(losses, w):
    # (sum of the rows' losses, sum of their weights)
    return _sum(losses), (_sum(w) if w.shape[0] > 0 else np.float64(losses.shape[0]))


@_jit
def _binary_loss_block(y, z, w, offset, g0, g1, w0, w1, values):
    # The loss in a vectorised loop, then summed: a sum in the loop itself would keep it
    # from being vectorised (the additions may not be reordered).
    out = values[: z.shape[0]]
    if g0 != g1:
        _binary_loss_rows(y, z, w, offset, g0, g1, w0, w1, 3, out)
    elif g0 == 2.0:
        _binary_loss_rows(y, z, w, offset, g0, g1, w0, w1, 2, out)
    elif g0 == 0.0:
        _binary_loss_rows(y, z, w, offset, g0, g1, w0, w1, 0, out)
    else:
        _binary_loss_rows(y, z, w, offset, g0, g1, w0, w1, 1, out)
    return _loss_sums(out, w)


def _binary_gammas(gamma) -> tuple[float, float]:
    """``(g0, g1)``: the gamma of each class, from one number or two."""
    if np.ndim(gamma) == 0:
        return float(gamma), float(gamma)
    return float(gamma[0]), float(gamma[1])


def binary_gradient_hessian(y, z, w, gamma, class_weights, scale, grad, hess, n_threads=1, offset=None, team=None):
    """Write the binary focal gradient and safeguarded Hessian (times ``w`` and ``scale``) into ``grad``, ``hess``.

    ``y``: labels 0/1 (any float or int dtype); ``z``: 1-D scores, to which ``offset`` (a start
    score, or ``None``) is added; ``w``: row weights or an empty array; ``gamma``: one number,
    or ``(g0, g1)`` for the two classes; ``class_weights``: ``(w0, w1)``; ``grad``/``hess``:
    float32 outputs; ``team``: an OpenMP runtime's ``GOMP_parallel`` to run on
    (:func:`skfocal._compat.openmp_team`), or ``None``.
    """
    w0, w1 = (1.0, 1.0) if class_weights is None else (float(class_weights[0]), float(class_weights[1]))
    params = (0.0 if offset is None else float(offset), *_binary_gammas(gamma), w0, w1, float(scale))
    if team is not None and _team_takes(y, z, w, grad, hess):
        _on_team(team, _TEAM_BINARY_GRADIENT, n_threads, y, z, w, grad, hess, params)
        return
    work = _on_rows(_binary_block, y, z, w, grad, hess, *params)
    _run_blocks(z.shape[0], 1, work, n_threads)


def binary_mean_loss(y, z, w, gamma, class_weights, offset=None, n_threads=1, team=None) -> float:
    """The (``w``-weighted) mean binary focal loss of the scores ``z`` (plus ``offset``).

    ``y``: labels 0/1; ``z``: 1-D scores of any float dtype and stride; ``w``: row weights or
    an empty array; ``gamma`` and ``class_weights`` as for :func:`binary_gradient_hessian`
    (``None``: no weighting); ``team`` as there. A sum of weights of 0 gives nan.
    """
    w0, w1 = (1.0, 1.0) if class_weights is None else (float(class_weights[0]), float(class_weights[1]))
    params = (0.0 if offset is None else float(offset), *_binary_gammas(gamma), w0, w1)
    if team is not None and _team_takes(y, z, w):
        return _mean_on_team(team, _TEAM_BINARY_LOSS, n_threads, y, z, w, params)

    def block(y, z, w, scratch):
        return _binary_loss_block(y, z, w, *params, scratch[0])

    return _mean_over_blocks(block, y, z, w, 1, n_threads)


# -------------------------------------------------------------------------------------- multiclass
# The block is held transposed, classes by rows (K, n), so that every loop runs over rows with
# the class fixed: contiguous, branch-free (choices are selects) and vectorised by LLVM. Per-row
# quantities are vectors of the block's length, built up one class column at a time.
@_jit
def _softmax_shift(y, z, alpha, offset, e, top, label, alpha_t, zmax, z_gap):
    # e = z + offset - (row maximum), classes by rows, in float64; top = the column of the
    # maximum (the first, on ties), label = the true class t, alpha_t = alpha[t] and
    # z_gap = z_t - (row maximum). Values of the true class are picked by selects: a gather
    # would stop LLVM from vectorising the loop.
    k, n = e.shape
    for i in range(n):
        label[i] = int(y[i])
        top[i] = 0
        v = np.float64(z[i, 0]) + offset[0]
        e[0, i] = v
        zmax[i] = v
    for j in range(1, k):
        o = offset[j]
        for i in range(n):
            v = np.float64(z[i, j]) + o
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
def _true_class_gamma(label, gammas, gamma_t):
    # gamma_t = gammas[t] (a gamma per class), by selects as alpha_t.
    n = label.shape[0]
    for i in range(n):
        gamma_t[i] = gammas[0]
    for j in range(1, gammas.shape[0]):
        g = gammas[j]
        for i in range(n):
            gamma_t[i] = g if label[i] == j else gamma_t[i]


@_jit
def _exp_in_place(x):
    # A loop of its own: in the loops that also pick the true class's values, LLVM does not
    # vectorise it.
    for i in range(x.shape[0]):
        x[i] = _exp(x[i])


@_jit
def _softmax_rest(e, top, label, s, e_t, inv_norm, log1p_s, q):
    # With e = exp(z - row maximum): s = sum of e over all but the top column (p = e / (1 + s)),
    # e_t = e of the true column, log1p_s = log(1 + s), and q = 1 - p_t = (sum of e over all
    # but the true column) / (1 + s), a sum of positive terms. The sum runs over the columns
    # in order, skipping the top one.
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
        norm = 1.0 + total
        inv_norm[i] = 1.0 / norm
        log1p_s[i] = _log1p(total, norm, inv_norm[i])
        q[i] = rest * inv_norm[i]


@_jit
def _q_power(q, gamma, q_gamma):
    # q**gamma = exp(gamma log q) (q at least the smallest normal number, as in the reference).
    for i in range(q.shape[0]):
        qi = q[i]
        q_gamma[i] = _exp(gamma * _log(qi if qi > _TINY else _TINY))


@_jit
def _q_power_rows(q, gamma_t, q_gamma):
    # The same with each row's gamma.
    for i in range(q.shape[0]):
        qi = q[i]
        q_gamma[i] = _exp(gamma_t[i] * _log(qi if qi > _TINY else _TINY))


@_jit
def _one_gamma(gammas):
    # Whether every class has the same gamma (then the squared and the constant cases apply).
    for j in range(1, gammas.shape[0]):
        if gammas[j] != gammas[0]:
            return False
    return True


@_jit
def _softmax_block(y, z, alpha, gammas, offset, values, vectors, ints):
    # The per-row softmax pieces of a K-class block, shared by the gradient and the loss, in
    # the scratch of one thread: e (exp(z - row maximum), classes by rows) and the row vectors.
    # One gamma for all classes (gammas all equal): the one-gamma code, where square means that
    # q**gamma is q squared where it is used (gamma 2) and q_gamma is not filled; otherwise
    # per_class, and gamma_t holds each row's true class's gamma.
    n, k = z.shape
    e = values[: k * n].reshape((k, n))
    top, label = ints[0, :n], ints[1, :n]
    zmax, z_gap, alpha_t, s, e_t = vectors[0, :n], vectors[1, :n], vectors[2, :n], vectors[3, :n], vectors[4, :n]
    inv_norm, log1p_s, q, q_gamma = vectors[5, :n], vectors[6, :n], vectors[7, :n], vectors[8, :n]
    gamma_t = vectors[11, :n]
    _softmax_shift(y, z, alpha, offset, e, top, label, alpha_t, zmax, z_gap)
    _exp_in_place(values[: k * n])
    _softmax_rest(e, top, label, s, e_t, inv_norm, log1p_s, q)
    gamma = gammas[0]
    per_class = not _one_gamma(gammas)
    square = not per_class and gamma == 2.0
    if per_class:
        _true_class_gamma(label, gammas, gamma_t)
        _q_power_rows(q, gamma_t, q_gamma)
    elif gamma == 0.0:
        q_gamma[:] = 1.0
    elif not square:
        _q_power(q, gamma, q_gamma)
    return e, top, label, alpha_t, gamma, gamma_t, per_class, square, z_gap, s, e_t, inv_norm, log1p_s, q, q_gamma


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
    gamma_one,
    gamma_t,
    per_class,
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
        gamma = gamma_t[i] if per_class else gamma_one  # the true class's (the same choice for every row)
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
        wi = np.float64(w[i]) if weighted else 1.0
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
    # (K, n) -> the (n, K) outputs, in their layout (XGBoost's row-major, LightGBM's column-major).
    k, n = grad_t.shape
    for j in range(k):
        for i in range(n):
            grad[i, j] = grad_t[j, i]
            hess[i, j] = hess_t[j, i]


@_jit
def _multiclass_block(y, z, w, grad, hess, alpha, gammas, offset, scale, values, vectors, ints, outputs):
    n, k = z.shape
    e, top, label, alpha_t, gamma, gamma_t, per_class, square, z_gap, s, e_t, inv_norm, log1p_s, q, q_gamma = (
        _softmax_block(y, z, alpha, gammas, offset, values, vectors, ints)
    )
    grad_t, hess_t = outputs[0, : k * n].reshape((k, n)), outputs[1, : k * n].reshape((k, n))
    # coef from the flat tail of the row vectors: a (5, n) slice of (17, rows) would have
    # strides unknown to the compiler, and its loops would not be vectorised.
    g_t, h_t = vectors[9, :n], vectors[10, :n]
    coef = vectors[12:].reshape(-1)[: 5 * n].reshape((5, n))
    _multiclass_rows(
        top, label, alpha_t, s, e_t, inv_norm, log1p_s, z_gap, q, q_gamma, w, gamma, gamma_t, per_class, square,
        scale, coef, g_t, h_t,
    )  # fmt: skip
    _multiclass_finish(e, top, label, s, coef, g_t, h_t, grad_t, hess_t)
    _store_transposed(grad_t, hess_t, grad, hess)


@_jit
def _multiclass_loss_block(y, z, w, alpha, gammas, offset, values, vectors, ints):
    # Sum of w * alpha_t * q**gamma * -log(p_t), and of w, over the block, with
    # log p_t = z_t - (row maximum) - log1p(s) (MulticlassFocalLoss._terms via _log_softmax_parts).
    _, top, label, alpha_t, _, _, _, square, z_gap, _, _, _, log1p_s, q_in, q_gamma_in = _softmax_block(
        y, z, alpha, gammas, offset, values, vectors, ints
    )
    weighted = w.shape[0] > 0
    out = vectors[9, : q_in.shape[0]]
    for i in range(q_in.shape[0]):
        log_pt = (0.0 if label[i] == top[i] else z_gap[i]) - log1p_s[i]
        q = q_in[i]
        q_gamma = q * q if square else q_gamma_in[i]
        wi = np.float64(w[i]) if weighted else 1.0
        out[i] = -wi * alpha_t[i] * q_gamma * log_pt
    return _loss_sums(out, w)


def _class_params(k, class_weights, gamma, offset):
    alpha = np.ones(k) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    gammas = np.full(k, float(gamma)) if np.ndim(gamma) == 0 else np.asarray(gamma, dtype=np.float64)
    offset = np.zeros(k) if offset is None else np.asarray(offset, dtype=np.float64)
    return np.ascontiguousarray(alpha), np.ascontiguousarray(gammas), np.ascontiguousarray(offset)


def multiclass_gradient_hessian(y, z, w, gamma, class_weights, scale, grad, hess, n_threads=1, offset=None, team=None):
    """Write the softmax focal gradient and safeguarded diagonal Hessian into ``grad``, ``hess``.

    ``y``: labels ``0 .. K-1``; ``z``: ``(n, K)`` scores in any layout, to which ``offset`` (a
    ``(K,)`` start score, or ``None``) is added; ``w``: row weights or an empty array;
    ``gamma``: one number or ``(K,)``, a row taking its true class's; ``class_weights``:
    ``(K,)`` or ``None``; ``grad``/``hess``: float32 ``(n, K)``; ``team`` as for
    :func:`binary_gradient_hessian`.
    """
    k = z.shape[1]
    alpha, gammas, offset = _class_params(k, class_weights, gamma, offset)
    params = (float(scale),)
    if team is not None and _team_takes(y, z, w, grad, hess):
        _on_team(team, _TEAM_MULTICLASS_GRADIENT, n_threads, y, z, w, grad, hess, params, alpha, gammas, offset)
        return

    def work(lo, hi, scratch):
        rows = slice(lo, hi)
        _multiclass_block(y[rows], z[rows], w[rows] if w.shape[0] else w, grad[rows], hess[rows],
                          alpha, gammas, offset, *params, *scratch)  # fmt: skip

    _run_blocks(z.shape[0], k, work, n_threads)


def multiclass_mean_loss(y, z, w, gamma, class_weights, offset=None, n_threads=1, team=None) -> float:
    """The (``w``-weighted) mean softmax focal loss of the ``(n, K)`` scores ``z`` (plus ``offset``, ``(K,)``).

    ``y``: labels ``0 .. K-1``; ``z`` in any layout and float dtype; ``w``: row weights or an
    empty array; ``gamma`` and ``class_weights`` as for :func:`multiclass_gradient_hessian`;
    ``team`` as for :func:`binary_gradient_hessian`. A sum of weights of 0 gives nan.
    """
    k = z.shape[1]
    alpha, gammas, offset = _class_params(k, class_weights, gamma, offset)
    if team is not None and _team_takes(y, z, w):
        return _mean_on_team(team, _TEAM_MULTICLASS_LOSS, n_threads, y, z, w, (), alpha, gammas, offset)

    def block(y, z, w, scratch):
        return _multiclass_loss_block(y, z, w, alpha, gammas, offset, *scratch[:3])

    return _mean_over_blocks(block, y, z, w, k, n_threads)


# ------------------------------------------------------------------------------- Python threads
@_jit
def _scratch(rows, k):
    # One thread's work space for a block of rows rows and k classes: values (exp of the
    # scores, classes by rows), 17 row vectors, 2 integer row vectors, and the float32
    # gradient and Hessian classes by rows.
    return (np.empty(rows * k), np.empty((17, rows)), np.empty((2, rows), np.intp),
            np.empty((2, rows * k), np.float32))  # fmt: skip


def _on_rows(block, y, z, w, grad, hess, *params):
    """``work(lo, hi, scratch)`` for :func:`_run_blocks`: ``block`` on rows ``lo:hi`` of the per-row arrays."""

    def work(lo, hi, scratch):
        rows = slice(lo, hi)
        block(y[rows], z[rows], w[rows] if w.shape[0] else w, grad[rows], hess[rows], *params)

    return work


def _mean_over_blocks(block, y, z, w, k, n_threads) -> float:
    """``sum(w * loss) / sum(w)`` from per-block sums of ``block``, added in row order
    (so the result does not depend on the number of threads)."""
    sums = {}

    def work(lo, hi, scratch):
        rows = slice(lo, hi)
        sums[lo] = block(y[rows], z[rows], w[rows] if w.shape[0] else w, scratch)

    _run_blocks(z.shape[0], k, work, n_threads)
    return _mean_of_sums(sums[lo] for lo in sorted(sums))


def _mean_of_sums(sums) -> float:
    """``sum(w * loss) / sum(w)`` from ``(sum(w * loss), sum(w))`` per block, added in row order."""
    total, weight_total = 0.0, 0.0
    for block_total, block_weight in sums:
        total += block_total
        weight_total += block_weight
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
        scratch = (np.empty(block),) if k == 1 else _scratch(block, k)  # binary: the loss's row vector
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


# ---------------------------------------------------------------------------- the booster's team
# A booster's OpenMP threads are awake (spinning) right after its own parallel region, when it
# calls the objective. Run there, through the booster's own OpenMP runtime (its GOMP_parallel,
# skfocal._compat.openmp_team), a kernel needs no GIL and no thread of its own: each of the
# team's threads runs the C callback below, which takes the next free block of rows (an atomic
# counter) until none is left. The callbacks read their inputs from an int64 argument block:
(_NEXT, _ENTERED, _ROWS, _BLOCK, _Y, _Z, _W, _N_WEIGHTS, _GRAD, _HESS, _PARAMS, _K, _ALPHA, _OFFSET, _KIND,
 _GAMMA) = range(16)  # fmt: skip
_N_ARGS = 16
_N_PARAMS = 6  # float64 parameters, padded with zeros
# _KIND: the scores' dtype and layout, which the outputs share: 1-D float32 or float64 for two
# classes; for K, what the boosters hand over: XGBoost's row-major float32 and LightGBM's
# column-major float64.
_F32, _F64, _F64_COLUMNS = range(3)
_VECTOR_KINDS = {np.dtype(np.float32): _F32, np.dtype(np.float64): _F64}


def _team_kind(z):
    """The callbacks' code for the dtype and layout of the scores ``z``; ``None`` if they take other paths."""
    if z.ndim == 1:
        return _VECTOR_KINDS.get(z.dtype) if z.flags.c_contiguous else None
    if z.dtype == np.float32 and z.flags.c_contiguous:
        return _F32
    if z.dtype == np.float64 and z.flags.f_contiguous:
        return _F64_COLUMNS
    return None


def _team_takes(y, z, w, *outputs) -> bool:
    """Whether the team's callbacks read these inputs: float32 labels and weights and scores of a
    :func:`_team_kind`, and float32 outputs in the layout of the scores (the boosters' arrays)."""
    kind = _team_kind(z)
    if kind is None or y.dtype != np.float32 or not y.flags.c_contiguous:
        return False
    if w.shape[0] and (w.dtype != np.float32 or not w.flags.c_contiguous):
        return False
    if y.shape != z.shape[:1] or (w.shape[0] and w.shape != y.shape):
        return False
    layout = "f_contiguous" if kind == _F64_COLUMNS else "c_contiguous"
    return all(
        out.dtype == np.float32 and out.shape == z.shape and out.flags.writeable and getattr(out.flags, layout)
        for out in outputs
    )


def _arguments(n_threads, y, z, w, grad, hess, params, alpha=None, gammas=None, offset=None):
    k = 1 if z.ndim == 1 else z.shape[1]
    block = max(1, BLOCK_VALUES // k)
    n_rows = z.shape[0]
    args = np.zeros(_N_ARGS, np.int64)
    params = np.concatenate([np.asarray(params, np.float64), np.zeros(_N_PARAMS - len(params))])
    args[_ROWS], args[_BLOCK], args[_K], args[_KIND] = n_rows, block, k, _team_kind(z)
    args[_Y], args[_Z], args[_W], args[_N_WEIGHTS] = y.ctypes.data, z.ctypes.data, w.ctypes.data, w.shape[0]
    args[_GRAD], args[_HESS], args[_PARAMS] = grad.ctypes.data, hess.ctypes.data, params.ctypes.data
    if alpha is not None:
        args[_ALPHA], args[_GAMMA], args[_OFFSET] = alpha.ctypes.data, gammas.ctypes.data, offset.ctypes.data
    # All the booster's threads, even where there are fewer blocks (those find none left): a
    # smaller team would make the runtime end the threads it does not use, and the booster's
    # next parallel region start them again.
    return args, params, max(1, int(n_threads))  # params: kept alive by the caller while the team runs


def _on_team(team, callback, n_threads, y, z, w, grad, hess, params, alpha=None, gammas=None, offset=None) -> int:
    """Run ``callback`` on ``n_threads`` threads of ``team``; the number of threads that took part."""
    args, keep, n_threads = _arguments(n_threads, y, z, w, grad, hess, params, alpha, gammas, offset)
    team(callback().address, args.ctypes.data, n_threads, 0)  # ctypes: without the GIL
    if args[_NEXT] * args[_BLOCK] < args[_ROWS]:  # a thread failed (printed by numba): not every block done
        raise MemoryError("the focal kernels could not allocate their scratch space on the booster's threads")
    return int(args[_ENTERED])


def _mean_on_team(team, callback, n_threads, y, z, w, params, alpha=None, gammas=None, offset=None) -> float:
    k = 1 if z.ndim == 1 else z.shape[1]
    n_blocks = -(-z.shape[0] // max(1, BLOCK_VALUES // k))
    sums = np.zeros((max(n_blocks, 1), 2))  # per block, summed in row order after
    _on_team(team, callback, n_threads, y, z, w, sums, sums, params, alpha, gammas, offset)
    return _mean_of_sums(sums[:n_blocks].tolist())


@_jit
def _team_arrays(args):
    # The argument block, and what every callback reads from it; counts the thread in.
    a = numba.carray(args, _N_ARGS)
    _fetch_add(args, _ENTERED)
    n = a[_ROWS]
    y = numba.carray(_pointer(a[_Y], numba.float32), n)
    w = numba.carray(_pointer(a[_W], numba.float32), a[_N_WEIGHTS])
    params = numba.carray(_pointer(a[_PARAMS], numba.float64), _N_PARAMS)
    return a, n, a[_BLOCK], y, w, params


@_jit(inline="always")
def _next_block(args, n, block):
    # The next block nobody has taken (the atomic counter): its index and rows; -1 when none is left.
    b = _fetch_add(args, _NEXT)
    lo = min(b * block, n)
    return (b if lo < n else -1), lo, min(lo + block, n)


@_jit
def _block_sums(a, n, block):
    # The metric's (sum of the losses, sum of the weights) per block, in the gradient's slot.
    return numba.carray(_pointer(a[_GRAD], numba.float64), (max((n + block - 1) // block, 1), 2))


@_jit
def _class_arrays(a):
    k = a[_K]
    alpha = numba.carray(_pointer(a[_ALPHA], numba.float64), k)
    gammas = numba.carray(_pointer(a[_GAMMA], numba.float64), k)
    return k, alpha, gammas, numba.carray(_pointer(a[_OFFSET], numba.float64), k)


@_jit
def _binary_gradient_blocks(args, z, y, w, params, grad, hess, n, block):
    while True:
        b, lo, hi = _next_block(args, n, block)
        if b < 0:
            return
        _binary_block(y[lo:hi], z[lo:hi], w[lo:hi] if w.shape[0] else w, grad[lo:hi], hess[lo:hi],
                      params[0], params[1], params[2], params[3], params[4], params[5])  # fmt: skip


def _binary_gradient_callback(args):
    a, n, block, y, w, params = _team_arrays(args)
    grad = numba.carray(_pointer(a[_GRAD], numba.float32), n)
    hess = numba.carray(_pointer(a[_HESS], numba.float32), n)
    if a[_KIND] == _F32:  # one call per dtype of the scores: each compiles its own loop
        z = numba.carray(_pointer(a[_Z], numba.float32), n)
        _binary_gradient_blocks(args, z, y, w, params, grad, hess, n, block)
    else:
        z = numba.carray(_pointer(a[_Z], numba.float64), n)
        _binary_gradient_blocks(args, z, y, w, params, grad, hess, n, block)


@_jit
def _binary_loss_blocks(args, z, y, w, params, sums, n, block):
    values = np.empty(block)
    while True:
        b, lo, hi = _next_block(args, n, block)
        if b < 0:
            return
        sums[b, 0], sums[b, 1] = _binary_loss_block(y[lo:hi], z[lo:hi], w[lo:hi] if w.shape[0] else w,
                                                    params[0], params[1], params[2], params[3], params[4],
                                                    values)  # fmt: skip


def _binary_loss_callback(args):
    a, n, block, y, w, params = _team_arrays(args)
    sums = _block_sums(a, n, block)
    if a[_KIND] == _F32:
        z = numba.carray(_pointer(a[_Z], numba.float32), n)
        _binary_loss_blocks(args, z, y, w, params, sums, n, block)
    else:
        z = numba.carray(_pointer(a[_Z], numba.float64), n)
        _binary_loss_blocks(args, z, y, w, params, sums, n, block)


@_jit
def _multiclass_gradient_blocks(args, z, y, w, params, alpha, gammas, offset, grad, hess, n, block):
    values, vectors, ints, outputs = _scratch(block, z.shape[1])
    while True:
        b, lo, hi = _next_block(args, n, block)
        if b < 0:
            return
        _multiclass_block(y[lo:hi], z[lo:hi], w[lo:hi] if w.shape[0] else w, grad[lo:hi], hess[lo:hi],
                          alpha, gammas, offset, params[0], values, vectors, ints, outputs)  # fmt: skip


def _multiclass_gradient_callback(args):
    a, n, block, y, w, params = _team_arrays(args)
    k, alpha, gammas, offset = _class_arrays(a)
    if a[_KIND] == _F32:
        z = numba.carray(_pointer(a[_Z], numba.float32), (n, k))
        grad = numba.carray(_pointer(a[_GRAD], numba.float32), (n, k))
        hess = numba.carray(_pointer(a[_HESS], numba.float32), (n, k))
        _multiclass_gradient_blocks(args, z, y, w, params, alpha, gammas, offset, grad, hess, n, block)
    else:
        z = numba.farray(_pointer(a[_Z], numba.float64), (n, k))
        grad = numba.farray(_pointer(a[_GRAD], numba.float32), (n, k))
        hess = numba.farray(_pointer(a[_HESS], numba.float32), (n, k))
        _multiclass_gradient_blocks(args, z, y, w, params, alpha, gammas, offset, grad, hess, n, block)


@_jit
def _multiclass_loss_blocks(args, z, y, w, params, alpha, gammas, offset, sums, n, block):
    values, vectors, ints, _ = _scratch(block, z.shape[1])
    while True:
        b, lo, hi = _next_block(args, n, block)
        if b < 0:
            return
        sums[b, 0], sums[b, 1] = _multiclass_loss_block(y[lo:hi], z[lo:hi], w[lo:hi] if w.shape[0] else w,
                                                        alpha, gammas, offset, values, vectors, ints)  # fmt: skip


def _multiclass_loss_callback(args):
    a, n, block, y, w, params = _team_arrays(args)
    k, alpha, gammas, offset = _class_arrays(a)
    sums = _block_sums(a, n, block)
    if a[_KIND] == _F32:
        z = numba.carray(_pointer(a[_Z], numba.float32), (n, k))
        _multiclass_loss_blocks(args, z, y, w, params, alpha, gammas, offset, sums, n, block)
    else:
        z = numba.farray(_pointer(a[_Z], numba.float64), (n, k))
        _multiclass_loss_blocks(args, z, y, w, params, alpha, gammas, offset, sums, n, block)


def _callback(func):
    """A getter of ``func`` compiled as a C callback ``void(int64 *)``: compiled (or loaded from the
    cache, as the other kernels) the first time it is asked for, once also when two threads ask.

    A callback cannot raise: numba prints an exception in one (only a ``MemoryError`` from the
    scratch allocation is possible) and the thread takes no block. :func:`_on_team` checks that
    every block was taken.
    """
    compiled = []
    lock = threading.Lock()

    def get():
        with lock:
            if not compiled:
                from numba.core.ccallback import CFunc

                options = {"nopython": True, "error_model": "numpy", "fastmath": {"contract"}}
                callback = CFunc(func, ((types.CPointer(types.int64),), types.void), locals={}, options=options)
                _cached(callback, func)
                callback.compile()
                compiled.append(callback)
        return compiled[0]

    return get


_TEAM_BINARY_GRADIENT = _callback(_binary_gradient_callback)
_TEAM_BINARY_LOSS = _callback(_binary_loss_callback)
_TEAM_MULTICLASS_GRADIENT = _callback(_multiclass_gradient_callback)
_TEAM_MULTICLASS_LOSS = _callback(_multiclass_loss_callback)

#: Set last: :func:`skfocal._fastpath.kernels` takes the module as imported only once this is.
IMPORTED = True
