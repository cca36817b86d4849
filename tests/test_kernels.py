"""The training path and the eval metric (skfocal._fastpath: the compiled kernels of
skfocal._kernels, or numpy for small inputs) against the numpy reference of skfocal._loss.

Every equality test runs both paths (the ``path`` fixture moves the size limit out of the way).
The reference itself is held to 50-digit mpmath values in test_loss.py / test_loss_multiclass.py
(where the training path is also checked against the accuracy bounds directly); here the fast
path is checked to compute the same numbers for every input the boosters can hand it.

Tolerance: the kernels compute in float64 and round once to float32 (relative 6e-8); float32
weights add one more rounding, and the two paths may differ in the last bits of float64
arithmetic. ``RTOL = 3e-7`` covers that with margin and is far below the accuracy bounds
(gradient 1e-5, Hessian 1e-4). Values below float32's normal range (1.2e-38) lose relative
precision by construction, so ``ATOL = 1e-37`` (a booster cannot see them anyway).

The metric is float64 throughout: each row's loss is the reference's expression up to a few
float64 roundings (``q`` is formed as ``e / (1 + e)`` rather than ``exp(log q)``), and the sum
runs in another order, so ``METRIC_RTOL = 1e-10`` (a million float64 roundings at most).
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import skfocal
from skfocal import BinaryFocalLoss, FocalLGBMClassifier, FocalXGBClassifier, MulticlassFocalLoss, _fastpath, _kernels
from skfocal._base import SklearnObjective, resolve_n_threads, weighted_mean_loss

RTOL, ATOL = 3e-7, 1e-37
METRIC_RTOL = 1e-10
GAMMAS = [0.0, 0.5, 1.0, 2.0, 3.7]  # 0, 1, 2 take the multiplication path, the others exp(gamma log q)
# A gamma per class: "per-class" mixes all the paths' values (0, 2 and others), "0-and-2" only
# the values that have paths of their own when they are the one gamma.
CLASS_GAMMAS = ["per-class", "0-and-2"]


def _gamma(gamma, k):
    """``gamma`` itself, or for the names of CLASS_GAMMAS one gamma per class of ``k``."""
    if gamma == "per-class":
        return [4.0, 0.0] if k == 2 else [[0.0, 2.0, 3.7, 0.5, 1.0][j % 5] for j in range(k)]
    if gamma == "0-and-2":
        return [2.0 * (j % 2) for j in range(k)]
    return gamma


BLOCK = _kernels.BLOCK_VALUES
# odd lengths, and lengths around the block size and the threading threshold
LENGTHS = [1, 7, 1001, BLOCK - 1, BLOCK + 1, 2 * _kernels.MIN_VALUES_PER_THREAD + 3]


def _binary_case(n, rng):
    y = rng.integers(0, 2, n)
    z = rng.normal(scale=6.0, size=n)
    z[: min(n, 4)] = [0.0, 35.0, -35.0, 1e-12][: min(n, 4)]  # ties and far tails
    return y, z


def _multiclass_case(n, k, rng):
    y = rng.integers(0, k, n)
    z = rng.normal(scale=5.0, size=(n, k))
    if n > 2:
        z[0] = 0.0  # all tied
        z[1, :2] = 40.0  # tie at the top
    return y, z


# Rows where the other classes' share 1 - p_t is subnormal (gaps of 708 to 745 below the top)
# or exactly 0, with the true class at the top, in the middle and at the bottom.
GAP_ROWS = np.array(
    [
        [0.0, -720.0, -720.0],
        [0.0, -740.0, -1e6],
        [-709.0, -1450.0, 0.0],
        [0.0, -708.5, -744.0],
        [0.0, -1e6, -1e6],
        [-744.0, 0.0, -1e6],
    ]
)


@pytest.fixture(params=["kernels", "numpy"])
def path(request, monkeypatch):
    """Run the test on the compiled kernels and again on the numpy path, whatever the input size."""
    limit = -1 if request.param == "kernels" else 1 << 62
    monkeypatch.setattr(_fastpath, "SMALL_BINARY", limit)
    monkeypatch.setattr(_fastpath, "SMALL_MULTICLASS", limit)
    return request.param


def _check(fast, reference):
    grad, hess = fast
    ref_grad, ref_hess = reference
    assert grad.dtype == hess.dtype == np.float32
    assert grad.shape == hess.shape == ref_grad.shape
    np.testing.assert_allclose(grad, ref_grad, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(hess, ref_hess, rtol=RTOL, atol=ATOL)
    assert np.all(hess > 0)


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("gamma", GAMMAS + CLASS_GAMMAS)
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_binary_fast_path_equals_reference(n, gamma, alpha, path):
    rng = np.random.default_rng(n)
    y, z = _binary_case(n, rng)
    loss = BinaryFocalLoss(alpha=alpha, gamma=_gamma(gamma, 2))
    reference = loss.gradient_hessian(y, z)
    _check(loss._training_gradient_hessian(y.astype(np.float32), z, n_threads=2), reference)


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("gamma", GAMMAS + CLASS_GAMMAS)
@pytest.mark.parametrize("k", [2, 3, 5, 10])
def test_multiclass_fast_path_equals_reference(n, gamma, k, path):
    rng = np.random.default_rng(n + k)
    y, z = _multiclass_case(n, k, rng)
    loss = MulticlassFocalLoss(alpha=rng.uniform(0.2, 3.0, k), gamma=_gamma(gamma, k))
    reference = loss.gradient_hessian(y, z)
    _check(loss._training_gradient_hessian(y.astype(np.float32), z, n_threads=2), reference)


@pytest.mark.parametrize("gamma", GAMMAS)
def test_multiclass_fast_path_at_subnormal_class_shares(gamma, path):
    k = GAP_ROWS.shape[1]
    z = np.repeat(GAP_ROWS, k, axis=0)
    y = np.tile(np.arange(k), len(GAP_ROWS))  # every row with every label
    loss = MulticlassFocalLoss(alpha=[0.5, 1.0, 2.0], gamma=gamma)
    with np.errstate(under="ignore"):
        reference = loss.gradient_hessian(y, z)
    grad, hess = loss._training_gradient_hessian(y.astype(np.float32), z)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))
    _check((grad, hess), reference)


@pytest.mark.parametrize("label_dtype", [np.float32, np.float64, np.int64, np.int32])
@pytest.mark.parametrize("score_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_dtype", [None, np.float32, np.float64, np.int64])
@pytest.mark.parametrize("k", [2, 4])
def test_dtypes_and_weights(label_dtype, score_dtype, weight_dtype, k, path):
    # LightGBM hands float32 labels and weights with float64 scores; XGBoost float32 scores.
    rng = np.random.default_rng(k)
    n = 513
    if k == 2:
        y, z = _binary_case(n, rng)
        loss = BinaryFocalLoss(alpha=0.3, gamma=2.0)
    else:
        y, z = _multiclass_case(n, k, rng)
        loss = MulticlassFocalLoss(alpha=[0.5, 1.0, 2.0, 1.5], gamma=2.0)
    z = z.astype(score_dtype)
    w = None if weight_dtype is None else rng.integers(0, 4, n).astype(weight_dtype)  # zeros included
    reference = loss.gradient_hessian(y, z.astype(np.float64), w)  # the scores the kernels see
    fast = loss._training_gradient_hessian(y.astype(label_dtype), z, w)
    grad, hess = fast
    np.testing.assert_allclose(grad, reference[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(hess, reference[1], rtol=RTOL, atol=ATOL)
    if w is not None:  # a zero weight removes the row from training entirely
        assert np.all(grad[w == 0] == 0) and np.all(hess[w == 0] == 0)


@pytest.mark.parametrize("k", [2, 3])
def test_non_contiguous_inputs(k, path):
    rng = np.random.default_rng(1)
    n = 3001
    if k == 2:
        loss = BinaryFocalLoss(alpha=0.4, gamma=2.0)
        z_wide = rng.normal(scale=4.0, size=2 * n)
        z = z_wide[::2]  # strided scores
    else:
        loss = MulticlassFocalLoss(gamma=1.5)
        z = rng.normal(scale=4.0, size=(n, 2 * k))[:, ::2]  # strided columns
    y_wide = rng.integers(0, k, 3 * n).astype(np.float32)
    y = y_wide[::3]  # strided labels
    w = rng.uniform(0.1, 2.0, 2 * n)[1::2]  # strided weights
    assert not (z.flags.c_contiguous or y.flags.c_contiguous or w.flags.c_contiguous)
    reference = loss.gradient_hessian(y, np.ascontiguousarray(z), w)
    _check(loss._training_gradient_hessian(y, z, w), reference)


@pytest.mark.parametrize("score_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [2, 3])
def test_offset_is_added_to_the_scores(score_dtype, k, path):
    # LightGBM trains without an init_score array: the objective adds the start score itself.
    # The kernels add it in float64 to the float64 value of each score, which is exactly what
    # adding it to the scores beforehand in float64 gives, so the results are bit-identical.
    rng = np.random.default_rng(5)
    n = BLOCK + 7
    if k == 2:
        y, z = _binary_case(n, rng)
        loss, offset = BinaryFocalLoss(alpha=0.25, gamma=2.0), -3.7
    else:
        y, z = _multiclass_case(n, k, rng)
        loss, offset = MulticlassFocalLoss(gamma=1.5), np.array([0.4, -2.0, 1.3])
    z = z.astype(score_dtype)
    shifted = loss._training_gradient_hessian(y, z.astype(np.float64) + offset, n_threads=2)
    with_offset = loss._training_gradient_hessian(y, z, n_threads=2, offset=offset)
    np.testing.assert_array_equal(with_offset[0], shifted[0])
    np.testing.assert_array_equal(with_offset[1], shifted[1])
    assert not np.array_equal(with_offset[0], loss._training_gradient_hessian(y, z)[0])


def test_column_major_scores_give_column_major_gradients(path):
    # LightGBM hands K-class scores column-major and reads the gradients back column-major;
    # SklearnObjective keeps that layout, so LightGBM's ravel(order="F") copies nothing.
    rng = np.random.default_rng(2)
    y, z = _multiclass_case(2000, 3, rng)
    loss = MulticlassFocalLoss(gamma=2.0)
    objective = SklearnObjective(loss, hessian_scale=1.5, n_threads=2)
    grad, hess = objective(y.astype(np.float32), np.asfortranarray(z))
    assert grad.flags.f_contiguous and hess.flags.f_contiguous
    assert np.shares_memory(grad.ravel(order="F"), grad)
    ref_grad, ref_hess = loss.gradient_hessian(y, z)
    np.testing.assert_allclose(grad, ref_grad, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(hess, 1.5 * ref_hess, rtol=RTOL, atol=ATOL)
    grad_c, _ = objective(y.astype(np.float32), np.ascontiguousarray(z))  # XGBoost: row-major
    assert grad_c.flags.c_contiguous
    np.testing.assert_array_equal(grad_c, grad)


@pytest.mark.parametrize("k", [2, 3])
def test_threads_do_not_change_the_result(k, path):
    # Every row is computed by the same arithmetic whichever thread takes its block.
    rng = np.random.default_rng(3)
    n = 4 * _kernels.MIN_VALUES_PER_THREAD + 11
    loss = BinaryFocalLoss(alpha=0.25, gamma=2.0) if k == 2 else MulticlassFocalLoss(gamma=2.0)
    y, z = _binary_case(n, rng) if k == 2 else _multiclass_case(n, k, rng)
    one = loss._training_gradient_hessian(y, z, n_threads=1)
    for threads in (2, 3, 64):
        many = loss._training_gradient_hessian(y, z, n_threads=threads)
        np.testing.assert_array_equal(many[0], one[0])
        np.testing.assert_array_equal(many[1], one[1])


@pytest.mark.parametrize("n_threads", [1, 2, 5])
def test_every_block_runs_once_and_errors_reach_the_caller(n_threads):
    # Threads take the next free block; each block must still be done exactly once, and an
    # error in any thread must come back to the caller (after all threads have stopped).
    n_rows, k = 9 * _kernels.MIN_VALUES_PER_THREAD + 5, 1
    block = _kernels.BLOCK_VALUES
    done = []
    _kernels._run_blocks(n_rows, k, lambda lo, hi, scratch: done.append((lo, hi)), n_threads)
    assert sorted(done) == [(lo, min(lo + block, n_rows)) for lo in range(0, n_rows, block)]

    def fail_late(lo, hi, scratch):
        if hi == n_rows:
            raise RuntimeError("last block")

    with pytest.raises(RuntimeError, match="last block"):
        _kernels._run_blocks(n_rows, k, fail_late, n_threads)


def test_objective_reuses_its_buffers_and_never_pickles_them():
    rng = np.random.default_rng(4)
    y, z = _binary_case(1000, rng)
    objective = SklearnObjective(BinaryFocalLoss(gamma=2.0), n_threads=1)
    first = objective(y.astype(np.float32), z)
    second = objective(y.astype(np.float32), z + 1.0)
    assert first[0] is second[0] and first[1] is second[1]  # allocated once per fit, not per round
    restored = pickle.loads(pickle.dumps(objective))
    assert restored._out is None and restored.loss == objective.loss
    objective.release()
    assert objective._out is None
    third = objective(y[:10].astype(np.float32), z[:10])  # a new shape gets new buffers
    assert third[0].shape == (10,)


def test_constants_agree_with_the_reference():
    from skfocal import _loss

    assert _kernels.HESSIAN_FLOOR == _loss.HESSIAN_FLOOR
    assert _kernels._TINY == _loss._TINY == np.finfo(np.float64).tiny


def test_resolve_n_threads():
    cpus = resolve_n_threads(None)
    assert cpus >= 1
    assert resolve_n_threads(0) == cpus
    assert resolve_n_threads(-1) == cpus
    assert resolve_n_threads(-cpus - 5) == 1
    assert resolve_n_threads(3) == 3


def _small_binary_data():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 3))
    return X, (X[:, 0] + rng.normal(size=300) > 1).astype(int)


@pytest.mark.parametrize("estimator", [FocalLGBMClassifier, FocalXGBClassifier])
@pytest.mark.parametrize("n_jobs", [1, 2, 4])
def test_training_runs_on_the_boosters_threads(estimator, n_jobs, threads_seen):
    # The gradient and the eval metric: on the booster's own OpenMP threads, all n_jobs of them.
    X, y = _small_binary_data()
    estimator(n_estimators=3, n_jobs=n_jobs).fit(X, y, eval_set=[(X, y)], **_quiet(estimator))
    # XGBoost caps nthread at the processors (and OpenMP's limits): its team, and so the kernels'
    booster = estimator._OPENMP_BOOSTER
    expected = min(n_jobs, os.cpu_count()) if booster == "xgboost" else n_jobs
    assert skfocal._compat.team_threads(booster, n_jobs) == expected
    assert threads_seen and set(threads_seen) == {("team", expected)}


@pytest.mark.parametrize("estimator", [FocalLGBMClassifier, FocalXGBClassifier])
@pytest.mark.parametrize(("n_jobs", "objective_threads"), [(1, 1), (2, 1), (4, 2)])
def test_without_the_boosters_runtime_training_runs_on_half_as_many_own_threads(
    estimator, n_jobs, objective_threads, threads_seen, no_team
):
    if estimator is FocalXGBClassifier:  # XGBoost's own cap (team_threads) does not apply without its runtime
        assert skfocal._compat.team_threads("xgboost", n_jobs) == n_jobs
    X, y = _small_binary_data()
    estimator(n_estimators=3, n_jobs=n_jobs).fit(X, y, eval_set=[(X, y)], **_quiet(estimator))
    assert threads_seen and set(threads_seen) == {("own", objective_threads)}


def _quiet(estimator):
    return {"verbose": False} if estimator is FocalXGBClassifier else {}


def test_xgboost_nthread_alias_sets_the_threads(threads_seen):
    FocalXGBClassifier(n_estimators=2, nthread=1).fit(*_small_binary_data())
    assert threads_seen and set(threads_seen) == {("team", 1)}


def _read_only_install(tmp_path):
    """A copy of skfocal where no ``__pycache__`` can be made, and an environment in which
    numba's own cache locations (``NUMBA_CACHE_DIR``, the user's cache directory) are not
    writable; the temporary directory is ``tmp_path / "tmp"``."""
    package = tmp_path / "site" / "skfocal"
    shutil.copytree(Path(skfocal.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    for folder in [package, *package.iterdir()]:
        if folder.is_dir():
            (folder / "__pycache__").write_text("")  # a file where the cache directory would go
    (tmp_path / "tmp").mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(package.parent),
        "NUMBA_CACHE_DIR": str(blocker / "numba"),
        "XDG_CACHE_HOME": str(blocker / "xdg"),
        "HOME": str(blocker / "home"),
        "TMPDIR": str(tmp_path / "tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return package, env


_CACHE_PROBE = """
import numpy as np, skfocal
from skfocal import _kernels
assert skfocal.__file__.startswith({package!r}), skfocal.__file__
grad, hess = np.empty(2, np.float32), np.empty(2, np.float32)
_kernels.binary_gradient_hessian(np.array([0.0, 1.0]), np.array([0.5, -2.0]), np.empty(0), 2.0, None, 1.0, grad, hess)
assert np.all(np.isfinite(grad)) and np.all(hess > 0)
cache = _kernels._binary_block._cache
from skfocal._compat import openmp_team
y = np.array([0.0, 1.0], np.float32)
_kernels.binary_gradient_hessian(y, np.array([0.5, -2.0]), np.empty(0), 2.0, None, 1.0, grad, hess,
                                 team=openmp_team("xgboost"))
assert np.all(np.isfinite(grad)) and np.all(hess > 0)
callback = _kernels._TEAM_BINARY_GRADIENT()
assert type(callback._cache) is type(cache)
print(type(cache).__name__, min(_kernels._binary_block.stats.cache_hits.most_common(1)[0][1] if
      _kernels._binary_block.stats.cache_hits else 0, callback.cache_hits))
"""


def _probe(package, env, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _CACHE_PROBE.format(package=str(package))],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_read_only_install_caches_in_the_fallback_directory(tmp_path):
    # A read-only install and home directory: numba finds no cache location of its own, so the
    # kernels are cached in skfocal's private directory under the temporary directory, and the
    # next process loads them from there instead of compiling again.
    package, env = _read_only_install(tmp_path)
    assert _probe(package, env, tmp_path) == ["FallbackCache", "0"]  # compiled and written
    assert _probe(package, env, tmp_path)[0] == "FallbackCache"
    assert int(_probe(package, env, tmp_path)[1]) > 0  # loaded from the fallback cache
    (fallback,) = (tmp_path / "tmp").iterdir()
    assert fallback.name.startswith("skfocal-numba-cache-")
    assert fallback.stat().st_mode & 0o777 == 0o700


def test_kernels_compile_in_memory_when_nothing_is_writable(tmp_path):
    # The fallback directory cannot be made (a file stands in its place), or is writable by
    # others (cached machine code there could have been planted): compile in memory.
    package, env = _read_only_install(tmp_path)
    owner = os.getuid()
    (tmp_path / "tmp" / f"skfocal-numba-cache-{owner}").write_text("")
    assert _probe(package, env, tmp_path)[0] == "NullCache"
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / f"skfocal-numba-cache-{owner}").mkdir(mode=0o777)
    os.chmod(shared / f"skfocal-numba-cache-{owner}", 0o777)
    assert _probe(package, {**env, "TMPDIR": str(shared)}, tmp_path)[0] == "NullCache"


def test_small_fits_do_not_import_numba():
    # A fit of a few thousand rows takes the numpy path for the gradient and the metric: the
    # process never pays numba's import and the kernels' load.
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from skfocal import FocalLGBMClassifier, FocalXGBClassifier
        rng = np.random.default_rng(0)
        X = rng.normal(size=(3000, 4)); y = (X[:, 0] > 1).astype(int)
        y3 = np.digitize(X[:, 1], [-0.5, 0.5])
        for model in (FocalLGBMClassifier(n_estimators=3, verbose=-1), FocalXGBClassifier(n_estimators=3)):
            model.fit(X, y, eval_set=[(X, y)])
        FocalLGBMClassifier(n_estimators=3, verbose=-1).fit(X[:1000], y3[:1000])
        print("numba" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "False"


def test_size_limits_choose_the_path():
    assert _fastpath.is_small(np.zeros(_fastpath.SMALL_BINARY))
    assert not _fastpath.is_small(np.zeros(_fastpath.SMALL_BINARY + 1))
    assert _fastpath.is_small(np.zeros((_fastpath.SMALL_MULTICLASS // 4, 4)))
    assert not _fastpath.is_small(np.zeros((_fastpath.SMALL_MULTICLASS // 4 + 1, 4)))


def _metric_reference(loss, y, z, w=None, offset=None):
    z = np.asarray(z, dtype=np.float64)
    z = z if offset is None else z + offset
    return float(np.average(loss.loss(y, z), weights=w))


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("gamma", GAMMAS + CLASS_GAMMAS)
@pytest.mark.parametrize("k", [2, 3, 10])
def test_metric_equals_reference(n, gamma, k, path):
    rng = np.random.default_rng(n + k)
    if k == 2:
        y, z = _binary_case(n, rng)
        loss = BinaryFocalLoss(alpha=0.25, gamma=_gamma(gamma, k))
    else:
        y, z = _multiclass_case(n, k, rng)
        loss = MulticlassFocalLoss(alpha=rng.uniform(0.2, 3.0, k), gamma=_gamma(gamma, k))
    expected = _metric_reference(loss, y, z)
    assert _fastpath.mean_loss(loss, y.astype(np.float32), z) == pytest.approx(expected, rel=METRIC_RTOL)
    assert weighted_mean_loss(loss, y.astype(np.float32), z) == pytest.approx(expected, rel=METRIC_RTOL)


@pytest.mark.parametrize("score_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_dtype", [None, np.float32, np.float64, np.int64])
@pytest.mark.parametrize("k", [2, 4])
def test_metric_dtypes_weights_offsets_and_strides(score_dtype, weight_dtype, k, path):
    rng = np.random.default_rng(11 + k)
    n = BLOCK + 13
    if k == 2:
        y, z = _binary_case(2 * n, rng)
        loss, offset = BinaryFocalLoss(alpha=0.3, gamma=1.5), -1.25
        z = z.astype(score_dtype)[::2]  # strided scores
    else:
        y, z = _multiclass_case(2 * n, 2 * k, rng)
        loss, offset = MulticlassFocalLoss(alpha=[0.5, 1.0, 2.0, 1.5], gamma=2.0), np.array([0.3, -1.0, 0.0, 2.0])
        z = np.asfortranarray(z.astype(score_dtype))[::2, ::2]  # strided rows and columns
    y = y[::2] % k
    w = None if weight_dtype is None else rng.integers(0, 4, 2 * n).astype(weight_dtype)[::2]  # zeros included
    assert not z.flags.c_contiguous
    expected = _metric_reference(loss, y, z, w, offset)
    fast = _fastpath.mean_loss(loss, y.astype(np.float32), z, w, offset=offset)
    assert fast == pytest.approx(expected, rel=METRIC_RTOL)
    if w is not None:  # a zero weight removes the row from the mean
        keep = w != 0
        assert fast == pytest.approx(_metric_reference(loss, y[keep], z[keep], w[keep], offset), rel=METRIC_RTOL)


@pytest.mark.parametrize("k", [2, 3])
def test_metric_threads_do_not_change_the_result(k):
    rng = np.random.default_rng(8)
    n = 4 * _kernels.MIN_VALUES_PER_THREAD + 11
    loss = BinaryFocalLoss(alpha=0.25, gamma=2.0) if k == 2 else MulticlassFocalLoss(gamma=2.0)
    y, z = _binary_case(n, rng) if k == 2 else _multiclass_case(n, k, rng)
    kernel = _kernels.binary_mean_loss if k == 2 else _kernels.multiclass_mean_loss
    one = kernel(y, z, np.empty(0), loss._gamma, loss.class_weights_)
    for threads in (2, 3, 64):
        assert kernel(y, z, np.empty(0), loss._gamma, loss.class_weights_, n_threads=threads) == one


@pytest.mark.parametrize("k", [2, 3])
def test_metric_keeps_the_reference_errors(k, path):
    # Non-finite scores or weights that sum to 0: the checked reference names the problem.
    rng = np.random.default_rng(9)
    loss = BinaryFocalLoss(gamma=2.0) if k == 2 else MulticlassFocalLoss(gamma=2.0)
    y, z = _binary_case(5000, rng) if k == 2 else _multiclass_case(5000, k, rng)
    bad = z.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        weighted_mean_loss(loss, y, bad)
    with pytest.raises(ZeroDivisionError):
        weighted_mean_loss(loss, y, z, np.zeros(len(y)))
    assert weighted_mean_loss(loss, y, z, np.empty(0)) == weighted_mean_loss(loss, y, z)  # XGBoost: no weights


class _Dataset:
    """What lightgbm.Dataset and xgboost.DMatrix offer the native objective hook."""

    def __init__(self, label, weight=None):
        self.label, self.weight = label, weight

    def get_label(self):
        return self.label

    def get_weight(self):
        return self.weight


@pytest.mark.parametrize("k", [2, 3])
def test_native_hook_checks_inputs_and_uses_the_fast_path(k):
    rng = np.random.default_rng(6)
    n = 2001
    loss = BinaryFocalLoss(alpha=0.25, gamma=2.0) if k == 2 else MulticlassFocalLoss(gamma=2.0)
    y, z = _binary_case(n, rng) if k == 2 else _multiclass_case(n, k, rng)
    w = rng.uniform(0.5, 2.0, n).astype(np.float32)
    grad, hess = loss(z, _Dataset(y.astype(np.float32), w))
    ref_grad, ref_hess = loss.gradient_hessian(y, z, w)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, ref_grad, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(hess, ref_hess, rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(loss(z, _Dataset(y, np.empty(0)))[0], loss(z, _Dataset(y))[0])  # XGBoost: no weights
    bad = y.astype(float)
    bad[0] = k + 0.5
    with pytest.raises(ValueError, match="y_true"):
        loss(z, _Dataset(bad))
    with pytest.raises(ValueError, match="sample_weight"):
        loss(z, _Dataset(y, w[:-1]))


@pytest.mark.parametrize(("booster_threads", "expected"), [(1, 1), (2, 1), (3, 1), (4, 2), (16, 8)])
def test_the_objective_runs_on_half_the_boosters_threads(monkeypatch, booster_threads, expected):
    """On threads of its own (no booster runtime to run on), the objective shares its cores with the
    booster's spinning threads: half of them, at least one."""
    from skfocal import _base

    assert _base.objective_threads(booster_threads) == expected
    seen = []
    loss = BinaryFocalLoss(gamma=2.0)
    original = type(loss)._training_gradient_hessian

    def spy(self, *args, **kwargs):
        seen.append(kwargs["n_threads"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(loss), "_training_gradient_hessian", spy)
    y, z = _binary_case(100, np.random.default_rng(0))
    SklearnObjective(loss, n_threads=booster_threads)(y.astype(np.float32), z)
    assert seen == [expected]


def test_the_signature_boosters_read_is_the_calls():
    """LightGBM counts the objective's parameters every round; XGBoost looks for sample_weight."""
    import inspect

    objective = SklearnObjective(BinaryFocalLoss())
    assert list(inspect.signature(objective).parameters) == ["y_true", "y_pred", "sample_weight"]


def test_an_interrupt_while_waiting_for_the_threads_returns_only_when_they_are_done(monkeypatch):
    """The threads read the caller's arrays (XGBoost's own score buffer, freed with its booster): an
    interrupt of the calling thread (KeyboardInterrupt while it waits) must not leave them running."""
    import threading
    import time

    started, finished = [], []

    def work(lo, hi, scratch):
        started.append(lo)
        # The other thread's blocks are slow, so it is still at work when the caller waits for it.
        time.sleep(0.0 if threading.current_thread() is threading.main_thread() else 0.05)
        finished.append(lo)

    join = threading.Thread.join
    calls = []

    def interrupted_join(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return join(self, *args, **kwargs)

    monkeypatch.setattr(threading.Thread, "join", interrupted_join)
    n_rows = 40 * _kernels.BLOCK_VALUES
    before = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        _kernels._run_blocks(n_rows, 1, work, n_threads=2)
    assert len(calls) >= 2  # interrupted once, then waited for again
    assert threading.active_count() == before  # no thread of the call is left running
    assert sorted(started) == sorted(finished)  # every block begun was finished before the return


def test_a_subclass_that_changes_the_call_states_its_own_signature():
    import inspect

    class TwoArguments(SklearnObjective):
        def __call__(self, y_true, y_pred):
            return super().__call__(y_true, y_pred)

    class AnyArguments(SklearnObjective):
        def __call__(self, *args, **kwargs):
            return super().__call__(*args, **kwargs)

    assert list(inspect.signature(TwoArguments(BinaryFocalLoss())).parameters) == ["y_true", "y_pred"]
    assert list(inspect.signature(AnyArguments(BinaryFocalLoss())).parameters) == ["args", "kwargs"]
    assert list(inspect.signature(SklearnObjective(BinaryFocalLoss())).parameters) == [
        "y_true",
        "y_pred",
        "sample_weight",
    ]


# ------------------------------------------------------------------- on the booster's OpenMP team
# The team's callbacks run the same block code as the kernels' own threads (skfocal._kernels),
# so for every input they take, the two give the same float32 bits, and the metric the same
# float64 sum (the same blocks, added in row order): those comparisons are exact. Against the
# reference the tolerances are those of the module docstring.
TEAMS = ["lightgbm", "xgboost"]


@pytest.fixture(params=TEAMS)
def team(request):
    from skfocal._compat import openmp_team

    parallel = openmp_team(request.param)
    if parallel is None:  # pragma: no cover - a booster built without GNU-compatible OpenMP
        pytest.skip(f"{request.param}'s OpenMP runtime has no GOMP_parallel")
    return parallel


def _team_inputs(n, k, rng, score_dtype, weighted):
    """Labels, scores (in the layout the team takes for ``score_dtype``) and weights as the boosters hand them over."""
    y, z = _binary_case(n, rng) if k == 2 else _multiclass_case(n, k, rng)
    z = z.astype(score_dtype)
    if k > 2 and score_dtype == np.float64:
        z = np.asfortranarray(z)  # LightGBM's layout
    w = rng.uniform(0.1, 3.0, n).astype(np.float32) if weighted else np.empty(0, np.float32)
    return y.astype(np.float32), z, w


def _outputs(z):
    order = "F" if z.ndim == 2 and not z.flags.c_contiguous else "C"
    return np.full(z.shape, np.nan, np.float32, order), np.full(z.shape, np.nan, np.float32, order)


def _kernel_pair(k):
    if k == 2:
        return _kernels.binary_gradient_hessian, _kernels.binary_mean_loss
    return _kernels.multiclass_gradient_hessian, _kernels.multiclass_mean_loss


def _loss_for(k, gamma, rng):
    if k == 2:
        return BinaryFocalLoss(alpha=0.3, gamma=gamma)
    return MulticlassFocalLoss(alpha=rng.uniform(0.5, 2.0, k), gamma=gamma)


@pytest.mark.parametrize("n", [1, 7, BLOCK - 1, BLOCK + 1, 5 * BLOCK + 3])
@pytest.mark.parametrize("k", [2, 3, 5, 10])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.7, *CLASS_GAMMAS])
@pytest.mark.parametrize("score_dtype", [np.float32, np.float64])
def test_team_equals_own_threads_and_the_reference(team, n, k, gamma, score_dtype):
    rng = np.random.default_rng(n + 17 * k)
    y, z, w = _team_inputs(n, k, rng, score_dtype, weighted=bool(n % 2))
    gamma = _gamma(gamma, k)
    loss = _loss_for(k, gamma, rng)
    offset = rng.normal(size=None if k == 2 else k)
    gradient, mean_loss = _kernel_pair(k)
    args = (y, z, w, loss._gamma, loss.class_weights_)
    assert _kernels._team_takes(y, z, w, *_outputs(z))
    on_team, own = _outputs(z), _outputs(z)
    gradient(*args, 1.5, *on_team, n_threads=3, offset=offset, team=team)
    gradient(*args, 1.5, *own, n_threads=1, offset=offset)
    np.testing.assert_array_equal(on_team[0], own[0])  # every block written, with the same bits
    np.testing.assert_array_equal(on_team[1], own[1])
    shifted = z.astype(np.float64) + offset
    ref_grad, ref_hess = loss._grad_hess_unchecked(y.astype(np.intp) if k > 2 else y.astype(np.float64), shifted)
    wk = 1.0 if not w.shape[0] else (w.astype(np.float64) if k == 2 else w.astype(np.float64)[:, None])
    np.testing.assert_allclose(on_team[0], ref_grad * wk, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(on_team[1], 1.5 * ref_hess * wk, rtol=RTOL, atol=ATOL)
    team_mean = mean_loss(*args, offset=offset, n_threads=3, team=team)
    assert team_mean == mean_loss(*args, offset=offset, n_threads=1)
    reference = _metric_reference(loss, y.astype(np.intp), shifted, w if w.shape[0] else None)
    assert team_mean == pytest.approx(reference, rel=METRIC_RTOL)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("n_threads", [1, 2, 3, 8])
def test_every_thread_of_the_team_takes_part(team, k, n_threads):
    # The team runs the threads asked for, each takes blocks until none is left, and the result
    # does not depend on how many there were.
    rng = np.random.default_rng(k)
    n = 6 * BLOCK // (k - 1) + 5
    y, z, w = _team_inputs(n, k, rng, np.float32, weighted=True)
    gradient, _ = _kernel_pair(k)
    loss = _loss_for(k, 2.0, rng)
    out = _outputs(z)
    callback = _kernels._TEAM_BINARY_GRADIENT if k == 2 else _kernels._TEAM_MULTICLASS_GRADIENT
    params = (0.0, 2.0, 2.0, *loss.class_weights_, 1.0) if k == 2 else (1.0,)
    extra = () if k == 2 else _kernels._class_params(k, loss.class_weights_, 2.0, None)
    entered = _kernels._on_team(team, callback, n_threads, y, z, w, *out, params, *extra)
    # every thread asked for runs, also those that find no block left (n_threads=8 > 6 blocks):
    # a smaller team would make the runtime end the booster's other threads
    assert entered == n_threads
    one = _outputs(z)
    gradient(y, z, w, 2.0, loss.class_weights_, 1.0, *one, n_threads=1, team=team)
    np.testing.assert_array_equal(out[0], one[0])
    np.testing.assert_array_equal(out[1], one[1])


def test_inputs_the_team_does_not_take_run_on_own_threads_with_the_same_result(team, threads_seen):
    # The callbacks read the boosters' own arrays: float32 labels and weights, contiguous scores
    # (float32 row-major or float64 column-major for K classes). Anything else (a user's call,
    # other dtypes, strided scores) is computed by the kernels' own threads, with the same numbers.
    rng = np.random.default_rng(9)
    n = 3 * BLOCK + 1
    y, z, w = _team_inputs(n, 2, rng, np.float64, weighted=True)
    yk, zk, wk = _team_inputs(n, 3, rng, np.float32, weighted=True)
    cases = [
        (y.astype(np.int64), z, w),  # labels not float32
        (y, z, w.astype(np.float64)),  # weights not float32
        (y, np.repeat(z, 2)[::2], w),  # strided scores
        (y, z[::-1], w),  # reversed scores
        (yk, np.asfortranarray(zk), wk),  # float32 column-major
        (yk, np.ascontiguousarray(zk, dtype=np.float64), wk),  # float64 row-major
    ]
    for labels, scores, weights in cases:
        assert not _kernels._team_takes(labels, scores, weights, *_outputs(scores))
        k = 2 if scores.ndim == 1 else scores.shape[1]
        gradient, mean_loss = _kernel_pair(k)
        loss = _loss_for(k, 2.0, rng)
        threads_seen.clear()
        out = _outputs(scores)
        gradient(labels, scores, weights, 2.0, loss.class_weights_, 1.0, *out, n_threads=2, team=team)
        mean_loss(labels, scores, weights, 2.0, loss.class_weights_, n_threads=2, team=team)
        assert {driver for driver, _ in threads_seen} == {"own"}
        exact = loss._grad_hess_unchecked(labels.astype(np.intp) if k > 2 else labels, scores.astype(np.float64))
        scale = weights.astype(np.float64) if k == 2 else weights.astype(np.float64)[:, None]
        np.testing.assert_allclose(out[0], exact[0] * scale, rtol=RTOL, atol=ATOL)
    # and the outputs must share the scores' layout
    out = _outputs(zk)
    assert not _kernels._team_takes(yk, zk, wk, np.asfortranarray(out[0]), out[1])


def test_exp_and_log_agree_with_the_c_library():
    # Written out so that they vectorise; both stay within 2 units in the last place of
    # float64 (4.5e-16 relative) of numpy's, the accuracy a C library's exp and log give (each
    # within one unit of the exact value). Below -708 exp is 0 (numpy: subnormals); nan stays nan.
    import numba

    exp = numba.njit(lambda x: [_kernels._exp(v) for v in x])
    log = numba.njit(lambda x: [_kernels._log(v) for v in x])
    rng = np.random.default_rng(10)
    x = np.concatenate([-rng.exponential(50.0, 200_000), -rng.uniform(0, 1e-6, 1000), [0.0, -0.0, -708.0, -1e-300]])
    x = x[x >= -708.0]
    np.testing.assert_allclose(np.array(exp(x)), np.exp(x), rtol=4.5e-16, atol=0)
    assert exp(np.array([-708.5, -745.2, -1e308, -np.inf, np.nan]))[:4] == [0.0] * 4
    assert np.isnan(exp(np.array([np.nan]))[0])
    pos = np.concatenate([np.exp(rng.uniform(-700, 700, 200_000)), 1 + rng.uniform(-1e-8, 1e-8, 1000)])
    pos = np.concatenate([pos, [_kernels._TINY, 1.0, 2.0, 0.5, np.sqrt(0.5), np.sqrt(2.0)]])
    np.testing.assert_allclose(np.array(log(pos)), np.log(pos), rtol=4.5e-16, atol=1e-300)
    assert log(np.array([1.0]))[0] == 0.0
    assert np.isnan(log(np.array([np.nan]))[0])


def test_team_propagates_nan_scores(team):
    # A nan score must give a nan gradient and loss (the metric then names the bad input), as the reference does.
    rng = np.random.default_rng(11)
    for k in (2, 3):
        y, z, w = _team_inputs(BLOCK + 3, k, rng, np.float32, weighted=False)
        z[5] = np.nan
        gradient, mean_loss = _kernel_pair(k)
        out = _outputs(z)
        gradient(y, z, w, 2.0, None, 1.0, *out, n_threads=2, team=team)
        assert np.all(np.isnan(out[0][5])) and np.isfinite(out[0][6]).all()
        assert np.isnan(mean_loss(y, z, w, 2.0, None, n_threads=2, team=team))


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts the process's threads in /proc")
@pytest.mark.parametrize("estimator", [FocalLGBMClassifier, FocalXGBClassifier])
def test_a_fit_on_the_team_starts_no_thread_after_its_first_round(estimator, threads_seen):
    # Fewer blocks (2) than the booster's threads (4): the kernels still run on all four, so
    # the OpenMP runtime keeps the booster's threads from round to round instead of ending
    # two of them every round and the booster's next region starting them again.
    rng = np.random.default_rng(12)
    X = rng.normal(size=(40_000, 4))
    y = (X[:, 0] + rng.normal(size=40_000) > 1).astype(int)
    seen = []

    def record(*args):
        seen.append(set(os.listdir("/proc/self/task")))
        return False

    if estimator is FocalLGBMClassifier:
        estimator(n_estimators=8, n_jobs=4, verbose=-1).fit(X, y, eval_set=[(X, y)], callbacks=[record])
    else:
        import xgboost

        class Record(xgboost.callback.TrainingCallback):
            def after_iteration(self, model, epoch, evals_log):
                return record()

        estimator(n_estimators=8, n_jobs=4, callbacks=[Record()]).fit(X, y, eval_set=[(X, y)], verbose=False)
    assert set(threads_seen) == {("team", skfocal._compat.team_threads(estimator._OPENMP_BOOSTER, 4))}
    # Churn would add two or more new threads every round (14 or more over rounds 2 to 8); a
    # background thread of another library that starts during the fit adds one or two at most.
    new_threads = set().union(*seen) - seen[0]
    assert len(seen) == 8 and len(new_threads) <= 2, [len(ids) for ids in seen]


def test_a_weighted_k_class_lightgbm_fit_runs_on_the_team_and_matches_own_threads(threads_seen):
    # LightGBM hands column-major float64 scores and float32 weights: the team's K-class path.
    rng = np.random.default_rng(13)
    X = rng.normal(size=(3000, 4))
    y = np.digitize(X[:, 0] + rng.normal(size=3000), [-0.5, 0.5])
    w = rng.uniform(0.5, 2.0, 3000)
    on_team = FocalLGBMClassifier(n_estimators=5, n_jobs=2, verbose=-1).fit(X, y, sample_weight=w)
    assert set(threads_seen) == {("team", 2)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(skfocal._compat, "openmp_team", lambda booster: None)
        own = FocalLGBMClassifier(n_estimators=5, n_jobs=2, verbose=-1).fit(X, y, sample_weight=w)
    assert ("own", 1) in threads_seen
    np.testing.assert_array_equal(on_team.predict_proba(X), own.predict_proba(X))  # the same bits, the same trees


def test_a_read_only_or_misshapen_output_is_not_written_by_the_team():
    y, z, w = _team_inputs(100, 2, np.random.default_rng(14), np.float32, weighted=False)
    grad, hess = _outputs(z)
    assert _kernels._team_takes(y, z, w, grad, hess)
    grad.flags.writeable = False
    assert not _kernels._team_takes(y, z, w, grad, hess)
    assert not _kernels._team_takes(y, z, w, np.empty(99, np.float32), hess)
    assert not _kernels._team_takes(y[:99], z, w)
    assert not _kernels._team_takes(y, z, np.ones(99, np.float32))
