"""Tests of skfocal's MulticlassFocalLoss: values, derivatives, safeguard, init score, native objective use."""

from __future__ import annotations

import functools
import pickle
import warnings

import mpmath
import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax

from skfocal import MulticlassFocalLoss

GAMMAS = [0.0, 0.5, 1.0, 2.0, 5.0]
KS = [3, 5]
ALPHA_VECTORS = {3: [0.25, 1.0, 2.5], 5: [0.5, 1.0, 3.0, 0.2, 1.5]}


# --------------------------------------------------------------------------------------------------
# 40-digit reference, built from the definition only (derivatives by mpmath.diff, not closed forms)
# --------------------------------------------------------------------------------------------------
def _logits(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of logits at scales 0.3, 3 and 10, plus rows where one logit dominates by 30; labels."""
    rng = np.random.default_rng(1000 + k)
    rows, labels = [], []
    for scale in (0.3, 3.0, 10.0):
        z = rng.normal(scale=scale, size=(2 * k, k))
        rows.append(z)
        labels.append(np.arange(2 * k) % k)  # every class is the true one twice
    # One logit 30 above the others: the true class is the dominant one, or one of the dominated.
    dom = rng.normal(scale=0.5, size=(2 * k, k))
    top = np.arange(2 * k) % k
    dom[np.arange(2 * k), top] += 30.0
    rows.append(dom)
    labels.append(np.where(np.arange(2 * k) < k, top, (top + 1) % k))
    return np.vstack(rows), np.concatenate(labels)


def _mp_focal(z, t, gamma):
    """FL(z; t) with alpha_t = 1 in the ambient mpmath precision; 1 - p_t as a sum (no cancellation)."""
    e = [mpmath.exp(v) for v in z]
    total = mpmath.fsum(e)
    pt = e[t] / total
    q = mpmath.fsum(e[j] for j in range(len(e)) if j != t) / total
    return -(q**gamma) * mpmath.log(pt)


@functools.cache
def _reference(gamma: float, k: int):
    """(loss, grad, hess diagonal) for alpha_t = 1 on the rows of _logits(k)."""
    z, y = _logits(k)
    n = len(y)
    loss, grad, hess = np.empty(n), np.empty((n, k)), np.empty((n, k))
    with mpmath.workdps(40):
        g = mpmath.mpf(gamma)
        for i in range(n):
            zi = [mpmath.mpf(float(v)) for v in z[i]]  # the exact doubles the implementation sees
            t = int(y[i])
            loss[i] = float(_mp_focal(zi, t, g))
            for j in range(k):

                def f(x, j=j, zi=zi, t=t):
                    zz = list(zi)
                    zz[j] = x
                    return _mp_focal(zz, t, g)

                grad[i, j] = float(mpmath.diff(f, zi[j], 1))
                hess[i, j] = float(mpmath.diff(f, zi[j], 2))
    return loss, grad, hess


def _rel_err(got, want):
    return np.abs(got - want) / np.abs(want)


@pytest.mark.parametrize("with_alpha", [False, True])
@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("gamma", GAMMAS)
def test_against_40_digit_reference(gamma, k, with_alpha):
    z, y = _logits(k)
    alpha = ALPHA_VECTORS[k] if with_alpha else None
    a_t = np.asarray(alpha)[y] if with_alpha else np.ones(len(y))
    ref_loss, ref_grad, ref_hess = _reference(gamma, k)
    true_loss, true_grad, true_hess = a_t * ref_loss, a_t[:, None] * ref_grad, a_t[:, None] * ref_hess
    loss = MulticlassFocalLoss(alpha=alpha, gamma=gamma)
    _assert_matches_reference(loss, y, z, true_loss, true_grad, true_hess)


def _assert_matches_reference(loss, y, z, true_loss, true_grad, true_hess):
    """The loss, its gradient and (safeguarded) Hessian, numpy and compiled, against the reference values."""
    got_loss = loss.loss(y, z)
    got_grad, got_hess = loss.gradient_hessian(y, z)
    got_exact = loss.hessian_exact(y, z)

    # Loss from log-softmax without cancellation: a few ulps, so 1e-10 leaves a wide margin.
    mask = true_loss > 1e-300
    assert mask.sum() == len(y)
    assert np.all(_rel_err(got_loss[mask], true_loss[mask]) <= 1e-10)

    # Gradient: required accuracy 1e-5 of the closed form; gradients below 1e-12 do not matter to a booster.
    mask = np.abs(true_grad) > 1e-12
    assert mask.sum() > mask.size // 2
    assert np.all(_rel_err(got_grad[mask], true_grad[mask]) <= 1e-5)
    assert np.all(np.sign(got_grad[mask]) == np.sign(true_grad[mask]))

    # Signed diagonal Hessian: required accuracy 1e-4 where not negligible (|h| > 1e-6); near its
    # sign change the closed form cancels, so smaller values are not compared relatively.
    mask = np.abs(true_hess) > 1e-6
    assert mask.sum() > mask.size // 2
    assert np.all(_rel_err(got_exact[mask], true_hess[mask]) <= 1e-4)

    # The safeguarded Hessian is exactly max(|exact|, 1e-16): same arithmetic, sign dropped.
    np.testing.assert_array_equal(got_hess, np.maximum(np.abs(got_exact), 1e-16))
    # ... and therefore matches |true| wherever that is not negligible (same 1e-4 as above).
    assert np.all(_rel_err(got_hess[mask], np.abs(true_hess[mask])) <= 1e-4)

    # The estimators' training path (compiled, float32 output) is held to the same bounds.
    fast_grad, fast_hess = loss._training_gradient_hessian(y.astype(np.float32), z)
    assert fast_grad.dtype == fast_hess.dtype == np.float32
    grad_mask = np.abs(true_grad) > 1e-12
    assert np.all(_rel_err(fast_grad[grad_mask], true_grad[grad_mask]) <= 1e-5)
    assert np.all(np.sign(fast_grad[grad_mask]) == np.sign(true_grad[grad_mask]))
    assert np.all(_rel_err(fast_hess[mask], np.abs(true_hess[mask])) <= 1e-4)
    assert np.all(fast_hess > 0)


# One gamma per class: a row's loss is the focal loss with its true class's gamma, so its
# reference is the one-gamma reference above at that gamma (the same 40-digit values).
CLASS_GAMMAS = {3: [(0.0, 2.0, 5.0), (5.0, 0.5, 1.0)], 5: [(0.0, 0.5, 1.0, 2.0, 5.0), (2.0, 5.0, 0.0, 0.5, 2.0)]}


@pytest.mark.parametrize("with_alpha", [False, True])
@pytest.mark.parametrize("k, gammas", [(k, g) for k in KS for g in CLASS_GAMMAS[k]])
def test_per_class_gamma_against_40_digit_reference(k, gammas, with_alpha):
    z, y = _logits(k)
    alpha = ALPHA_VECTORS[k] if with_alpha else None
    a_t = np.asarray(alpha)[y] if with_alpha else np.ones(len(y))
    refs = {g: _reference(g, k) for g in set(gammas)}
    row_gamma = np.asarray(gammas)[y]
    true_loss = a_t * np.array([refs[g][0][i] for i, g in enumerate(row_gamma)])
    true_grad = a_t[:, None] * np.array([refs[g][1][i] for i, g in enumerate(row_gamma)])
    true_hess = a_t[:, None] * np.array([refs[g][2][i] for i, g in enumerate(row_gamma)])
    loss = MulticlassFocalLoss(alpha=alpha, gamma=list(gammas))
    _assert_matches_reference(loss, y, z, true_loss, true_grad, true_hess)


def test_per_class_gamma_rows_equal_their_class_gamma_and_equal_gammas_are_one():
    # Rows of class t get exactly the one-gamma values at gamma_t (both form q**gamma as
    # exp(gamma log q)); K equal gammas are the one gamma (the same object state and numbers).
    z, y = _logits(3)
    gammas = [0.5, 2.0, 5.0]
    loss = MulticlassFocalLoss(gamma=gammas, alpha=ALPHA_VECTORS[3])
    for t, g in enumerate(gammas):
        one = MulticlassFocalLoss(gamma=g, alpha=ALPHA_VECTORS[3])
        rows = y == t
        np.testing.assert_array_equal(loss.loss(y, z)[rows], one.loss(y[rows], z[rows]))
        for mine, theirs in zip(loss.gradient_hessian(y, z), one.gradient_hessian(y[rows], z[rows]), strict=True):
            np.testing.assert_array_equal(mine[rows], theirs)
    same = MulticlassFocalLoss(gamma=[2.0, 2.0, 2.0])
    assert same.class_gammas_ is None and same == MulticlassFocalLoss(gamma=2.0)
    assert loss != MulticlassFocalLoss(gamma=gammas[::-1], alpha=ALPHA_VECTORS[3])


# --------------------------------------------------------------------------------------------------
# Finiteness and positivity at extreme logits
# --------------------------------------------------------------------------------------------------
EXTREME_ROWS = np.array(
    [
        [1e6, -1e6, -1e6],
        [-1e6, 1e6, -1e6],
        [1e6, 1e6, -1e6],  # tie at the top
        [-1e6, -1e6, -1e6],  # all tied
        [1e6, 1e6, 1e6],
        [0.0, 0.0, 0.0],
        [700.0, -700.0, 0.0],
        [-700.0, 700.0, 700.0],
        [700.0, 700.0, 700.0],
        [-700.0, -700.0, -700.0],
        [1e6, 0.0, -1e6],
        [1e-300, 0.0, -1e-300],
    ]
)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("alpha", [None, [0.25, 1.0, 4.0]])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_finite_positive_hessian_at_extreme_logits(gamma, alpha):
    loss = MulticlassFocalLoss(alpha=alpha, gamma=gamma)
    k = EXTREME_ROWS.shape[1]
    z = np.repeat(EXTREME_ROWS, k, axis=0)
    y = np.tile(np.arange(k), len(EXTREME_ROWS))  # every row with every label
    # numpy overflow/invalid/divide would be a defect; underflow to 0 (exp(-2e6)) is expected
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        values = loss.loss(y, z)
        grad, hess = loss.gradient_hessian(y, z)
        exact = loss.hessian_exact(y, z)
        fast_grad, fast_hess = loss._training_gradient_hessian(y.astype(np.float32), z)
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    assert np.all(np.isfinite(grad))
    assert np.all(np.isfinite(exact))
    assert np.all(np.isfinite(hess)) and np.all(hess > 0)
    # the training path: the same values in float32 (6e-8 rounding, 1e-6 leaves room for ulps)
    np.testing.assert_allclose(fast_grad, grad, rtol=1e-6, atol=1e-37)
    np.testing.assert_allclose(fast_hess, hess, rtol=1e-6, atol=1e-37)
    # A badly wrong row (true class at -1e6, another at +1e6) pushes the true logit up, the top one down.
    rows = np.flatnonzero((z[np.arange(len(y)), y] == -1e6) & (z.max(axis=1) == 1e6))
    assert len(rows) > 0
    for i in rows:
        assert grad[i, y[i]] < 0
        assert grad[i, np.argmax(z[i])] > 0
    # A badly wrong row costs about 2e6 (its -log p_t) times alpha_t, whatever gamma (q = 1 there).
    a_t = 1.0 if alpha is None else np.asarray(alpha)[y[rows[0]]]
    assert values[rows[0]] == pytest.approx(2e6 * a_t, rel=1e-12)  # log-softmax is exact here


# --------------------------------------------------------------------------------------------------
# Special cases and structure
# --------------------------------------------------------------------------------------------------
def test_gamma_zero_is_softmax_cross_entropy():
    rng = np.random.default_rng(3)
    k = 4
    z = np.vstack([rng.normal(scale=3.0, size=(200, k)), rng.normal(scale=15.0, size=(100, k))])
    y = rng.integers(0, k, size=len(z))
    rows = np.arange(len(y))
    loss = MulticlassFocalLoss(alpha=None, gamma=0.0)
    onehot = np.eye(k)[y]
    p = softmax(z, axis=1)
    # -log p_t = log(1 + sum_{j != t} exp(z_j - z_t)): no cancellation when the loss is tiny
    diff = np.where(onehot == 1, -np.inf, z - z[rows, y][:, None])
    want_loss = np.log1p(np.exp(diff).sum(axis=1))
    # softmax - onehot without cancellation: on the true class, minus the sum of the other p's.
    others = np.where(onehot == 1, 0.0, p)
    want_grad = np.where(onehot == 1, -others.sum(axis=1)[:, None], p)
    # p (1 - p) with 1 - p_j summed from the other entries (no cancellation when p_j is near 1)
    want_hess = p * np.where(np.eye(k, dtype=bool)[None], 0.0, p[:, None, :]).sum(axis=2)
    grad, hess = loss.gradient_hessian(y, z)
    # 1e-12: both sides are a handful of correctly rounded operations on the same quantities.
    np.testing.assert_allclose(loss.loss(y, z), want_loss, rtol=1e-12, atol=0)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12, atol=0)
    big = want_hess >= 1e-16
    assert big.any() and (~big).any()
    np.testing.assert_allclose(hess[big], want_hess[big], rtol=1e-12, atol=0)
    np.testing.assert_allclose(loss.hessian_exact(y, z)[big], want_hess[big], rtol=1e-12, atol=0)
    assert np.all(hess[~big] == 1e-16)  # documented floor only where p(1-p) is below it


@pytest.mark.parametrize("k", KS)
def test_exact_diagonal_negative_share_and_safeguard(k):
    rng = np.random.default_rng(11)
    z = rng.normal(scale=3.0, size=(4000, k))
    y = rng.integers(0, k, size=len(z))
    loss = MulticlassFocalLoss(gamma=2.0)
    exact = loss.hessian_exact(y, z)
    _, hess = loss.gradient_hessian(y, z)
    share = np.mean(exact < 0)
    assert 0.05 <= share <= 0.30  # about 16% on N(0, 3) logits at gamma=2 (measured 19% at K=3, 13% at K=5)
    neg = exact < -1e-16
    # Same formula, only the sign flipped: bit-for-bit equal.
    np.testing.assert_array_equal(hess[neg], -exact[neg])
    pos = exact > 1e-16
    np.testing.assert_array_equal(hess[pos], exact[pos])


@pytest.mark.parametrize("alpha", [None, [0.5, 2.0, 1.0, 0.25]])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_gradient_rows_sum_to_zero(gamma, alpha):
    rng = np.random.default_rng(5)
    z = np.vstack([rng.normal(scale=s, size=(100, 4)) for s in (0.3, 3.0, 10.0, 40.0)])
    y = rng.integers(0, 4, size=len(z))
    grad, _ = MulticlassFocalLoss(alpha=alpha, gamma=gamma).gradient_hessian(y, z)
    scale = np.abs(grad).max(axis=1)
    # softmax is invariant to a common shift, so the gradient is orthogonal to (1, .., 1); summing
    # four numbers of size <= scale rounds to a few ulps of scale, hence 1e-12 relative to it.
    assert np.all(np.abs(grad.sum(axis=1)) <= 1e-12 * scale)
    assert np.all(scale > 0)


# --------------------------------------------------------------------------------------------------
# init_score
# --------------------------------------------------------------------------------------------------
def test_init_score_is_log_priors_for_cross_entropy():
    rng = np.random.default_rng(1)
    y = rng.choice(4, size=3000, p=[0.7, 0.2, 0.08, 0.02])
    w = rng.uniform(0.1, 3.0, size=len(y))
    totals = np.bincount(y, weights=w, minlength=4)
    loss = MulticlassFocalLoss(gamma=0.0)
    # L-BFGS to gtol 1e-13 on a smooth convex problem of size 1: 1e-9 is far above its error.
    np.testing.assert_allclose(loss.init_score(y, w), np.log(totals / totals.sum()), rtol=0, atol=1e-9)
    counts = np.bincount(y, minlength=4)
    np.testing.assert_allclose(loss.init_score(y), np.log(counts / counts.sum()), rtol=0, atol=1e-9)


def _imbalanced_labels(k, seed):
    rng = np.random.default_rng(seed)
    prior = {3: [0.8, 0.15, 0.05], 4: [0.6, 0.25, 0.12, 0.03]}[k]
    y = rng.choice(k, size=1500, p=prior)
    y[:k] = np.arange(k)  # every class present
    w = rng.exponential(size=len(y))
    w[rng.uniform(size=len(y)) < 0.1] = 0.0  # zero weights are allowed
    w[:k] = 1.0
    return y, w


INIT_CASES = [
    (k, gamma, alpha)
    for k in (3, 4)
    for gamma in (0.5, 2.0, 5.0, {3: (4.0, 0.0, 1.0), 4: (0.0, 2.0, 5.0, 0.5)}[k])
    for alpha in (None, {3: [0.25, 1.0, 2.0], 4: [0.2, 1.0, 0.5, 4.0]}[k])
]


@pytest.mark.parametrize("k, gamma, alpha", INIT_CASES)
def test_init_score_minimises_weighted_mean_loss(k, gamma, alpha):
    y, w = _imbalanced_labels(k, seed=10 * k + int(np.sum(gamma)))
    loss = MulticlassFocalLoss(alpha=alpha, gamma=gamma)
    n = len(y)

    def mean(c):
        return np.average(loss.loss(y, np.tile(c, (n, 1))), weights=w)

    z0 = loss.init_score(y, sample_weight=w)
    assert z0.shape == (k,)
    # Normalised as log-probabilities: logsumexp is 0 up to a few ulps.
    assert abs(logsumexp(z0)) <= 1e-12
    f0 = mean(z0)

    # No nearby point is better: random directions (orthogonal to the flat (1,..,1) direction).
    rng = np.random.default_rng(0)
    for _ in range(20):
        d = rng.normal(size=k)
        d -= d.mean()
        d /= np.linalg.norm(d)
        # a step of 1e-3 raises the loss by about 1e-6 * curvature, far above rounding (1e-16)
        assert f0 <= mean(z0 + 1e-3 * d)
        assert f0 <= mean(z0 - 1e-3 * d)

    # Independent minimisation of the K-1 free coordinates (last logit fixed at 0), from uniform.
    res = minimize(
        lambda c: mean(np.append(c, 0.0)),
        np.zeros(k - 1),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000, "maxfev": 20000},
    )
    f_nm = res.fun
    # Loss values agree to 1e-9 (relative): both are minima of a smooth function, whose value is
    # insensitive (quadratically) to the remaining error in the location.
    assert f0 == pytest.approx(f_nm, rel=1e-9)
    assert f0 <= f_nm * (1 + 1e-12)  # never worse than the independent minimiser (rounding slack)
    # Locations agree in probability space to 1e-5: Nelder-Mead stops at xatol 1e-10 on the
    # simplex, but a flat minimum pins the location only to about sqrt(fatol / curvature).
    np.testing.assert_allclose(softmax(z0), softmax(np.append(res.x, 0.0)), rtol=0, atol=1e-5)


def test_init_score_zero_weight_class_raises():
    y = np.array([0, 1, 2, 0, 1, 2])
    w = np.array([1.0, 1.0, 0.0, 1.0, 2.0, 0.0])  # class 2 has zero total weight
    with pytest.raises(ValueError):
        MulticlassFocalLoss(gamma=2.0).init_score(y, sample_weight=w)
    with pytest.raises(ValueError):
        MulticlassFocalLoss(alpha=[1.0, 1.0, 1.0], gamma=2.0).init_score(y, sample_weight=w)
    # With alpha the number of classes is known: a class that never occurs is an error too.
    with pytest.raises(ValueError):
        MulticlassFocalLoss(alpha=[1.0, 1.0, 1.0], gamma=2.0).init_score(np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError):
        MulticlassFocalLoss(gamma=2.0).init_score(y, sample_weight=w[:5])  # wrong length
    with pytest.raises(ValueError):
        MulticlassFocalLoss(gamma=2.0).init_score(np.array([0, 1, -1]))
    with pytest.raises(ValueError):
        MulticlassFocalLoss(gamma=2.0).init_score(np.array([0.0, 1.0, 1.5]))


@pytest.mark.parametrize("gamma, alpha", [(0.0, None), (2.0, [0.25, 1.0, 2.0]), (5.0, None)])
def test_init_score_integer_weights_equal_duplicated_rows(gamma, alpha):
    rng = np.random.default_rng(3)
    y = rng.choice(3, size=300, p=[0.7, 0.2, 0.1])
    y[:3] = [0, 1, 2]
    w = rng.integers(0, 4, size=300)
    w[:3] = 2
    loss = MulticlassFocalLoss(alpha=alpha, gamma=gamma)
    # Integer class totals are summed exactly, so both calls solve the identical problem.
    np.testing.assert_allclose(loss.init_score(y, w), loss.init_score(np.repeat(y, w)), rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------------
# Sample weights, shapes, validation
# --------------------------------------------------------------------------------------------------
def test_gradient_hessian_sample_weight_multiplies_rows():
    rng = np.random.default_rng(5)
    z = rng.normal(scale=4, size=(100, 3))
    y = rng.integers(0, 3, size=100)
    w = rng.exponential(size=100)
    w[:5] = 0.0
    loss = MulticlassFocalLoss(alpha=[0.5, 1.0, 2.0], gamma=2.0)
    g, h = loss.gradient_hessian(y, z)
    gw, hw = loss.gradient_hessian(y, z, sample_weight=w)
    # one multiplication each: rounding of that product only
    np.testing.assert_allclose(gw, g * w[:, None], rtol=1e-15, atol=0)
    np.testing.assert_allclose(hw, h * w[:, None], rtol=1e-15, atol=0)
    assert not np.allclose(gw, g)
    assert np.all(hw[:5] == 0) and np.all(gw[:5] == 0)


def test_shape_and_label_errors():
    loss = MulticlassFocalLoss(gamma=2.0)
    z = np.zeros((4, 3))
    y = np.array([0, 1, 2, 1])
    for method in (loss.loss, loss.hessian_exact, lambda yy, zz: loss.gradient_hessian(yy, zz)):
        with pytest.raises(ValueError):
            method(y[:3], z)  # one label per row
        with pytest.raises(ValueError):
            method(y[:, None], z)  # 2-D labels
        with pytest.raises(ValueError):
            method(np.array([0, 1, 3, 1]), z)  # label out of range
        with pytest.raises(ValueError):
            method(np.array([0, 1, -1, 1]), z)
        with pytest.raises(ValueError):
            method(np.array([0.0, 1.5, 2.0, 1.0]), z)  # not an integer
        with pytest.raises(ValueError):
            method(np.array([0.0, np.nan, 2.0, 1.0]), z)
        with pytest.raises(ValueError):
            method(y, np.zeros(4))  # 1-D raw score
        with pytest.raises(ValueError):
            method(y * 0, np.zeros((4, 1)))  # K = 1
        with pytest.raises(ValueError):
            method(y, np.where(np.eye(4, 3) == 1, np.nan, 0.0))  # non-finite raw score
    with pytest.raises(ValueError):
        loss.gradient_hessian(y, z, sample_weight=np.ones(3))
    with pytest.raises(ValueError):
        loss.gradient_hessian(y, z, sample_weight=np.ones((4, 3)))
    # Float labels that are integers are accepted and equal integer labels.
    np.testing.assert_array_equal(loss.loss(y.astype(float), z), loss.loss(y, z))


def test_raw_score_columns_must_match_alpha():
    loss = MulticlassFocalLoss(alpha=[1.0, 2.0, 3.0], gamma=2.0)
    y = np.array([0, 1, 1, 0])
    for k in (2, 4):
        with pytest.raises(ValueError):
            loss.loss(y, np.zeros((4, k)))
        with pytest.raises(ValueError):
            loss.gradient_hessian(y, np.zeros((4, k)))
        with pytest.raises(ValueError):
            loss.hessian_exact(y, np.zeros((4, k)))


@pytest.mark.parametrize("alpha", [0.25, 2.0, 1])
def test_alpha_single_number_is_type_error(alpha):
    with pytest.raises(TypeError):
        MulticlassFocalLoss(alpha=alpha)


@pytest.mark.parametrize(
    "alpha", [[1.0, 0.0, 2.0], [1.0, -1.0, 2.0], [1.0, np.nan, 2.0], [1.0, np.inf, 2.0], [1.0], [[1.0, 2.0]]]
)
def test_invalid_alpha_vector_is_value_error(alpha):
    with pytest.raises(ValueError):
        MulticlassFocalLoss(alpha=alpha)


@pytest.mark.parametrize("gamma", [-0.1, float("nan"), float("inf"), "2", None])
def test_invalid_gamma(gamma):
    with pytest.raises((ValueError, TypeError)):
        MulticlassFocalLoss(gamma=gamma)


@pytest.mark.parametrize(
    ("gamma", "error", "message"),
    [
        ([1.0, -2.0, 0.0], ValueError, "finite and >= 0"),
        ([1.0, np.nan, 0.0], ValueError, "finite and >= 0"),
        ([[1.0, 2.0, 3.0]], ValueError, "one number per class"),
        ([1.0], ValueError, "one number per class"),
        ({0: 1.0}, TypeError, "one number >= 0 per class"),
        ([1.0, 2.0], ValueError, "alpha has 3 weights"),  # not the classes of alpha
    ],
)
def test_invalid_per_class_gamma(gamma, error, message):
    with pytest.raises(error, match=message):
        MulticlassFocalLoss(gamma=gamma, alpha=[1.0, 2.0, 3.0])


def test_per_class_gamma_must_match_the_columns():
    loss = MulticlassFocalLoss(gamma=[1.0, 2.0, 3.0])
    y = np.array([0, 1, 1, 0])
    for call in (loss.loss, loss.gradient_hessian, loss.hessian_exact):
        with pytest.raises(ValueError, match="gamma has 3 values"):
            call(y, np.zeros((4, 4)))
    with pytest.raises(ValueError, match="gamma has 3 values"):
        loss.posterior(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="gamma has 3 values"):
        loss.init_score_from_totals([1.0, 2.0])


# --------------------------------------------------------------------------------------------------
# Native objective for LightGBM and XGBoost, pickling
# --------------------------------------------------------------------------------------------------
def _three_classes(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n), [-1.5, 1.0])
    return X, y


def test_lightgbm_native_objective_reduces_loss():
    lgb = pytest.importorskip("lightgbm")
    X, y = _three_classes()
    loss = MulticlassFocalLoss(alpha=[0.5, 1.0, 2.0], gamma=2.0)
    z0 = loss.init_score(y)
    n = len(y)
    train = lgb.Dataset(X, y, init_score=np.tile(z0, (n, 1)))
    params = {"objective": loss, "num_class": 3, "verbose": -1, "num_threads": 1}
    booster = lgb.train(params, train, num_boost_round=20)
    margin = booster.predict(X, raw_score=True) + z0
    assert margin.shape == (n, 3)
    assert loss.loss(y, margin).mean() < 0.9 * loss.loss(y, np.tile(z0, (n, 1))).mean()


def test_xgboost_native_objective_reduces_loss():
    xgb = pytest.importorskip("xgboost")
    X, y = _three_classes()
    loss = MulticlassFocalLoss(alpha=[0.5, 1.0, 2.0], gamma=2.0)
    z0 = loss.init_score(y)
    n = len(y)
    dtrain = xgb.DMatrix(X, y, base_margin=np.tile(z0, (n, 1)))
    params = {"num_class": 3, "max_depth": 3, "objective": "multi:softprob", "nthread": 1}
    booster = xgb.train(params, dtrain, num_boost_round=20, obj=loss)
    margin = booster.predict(dtrain, output_margin=True)  # includes base_margin
    assert margin.shape == (n, 3)
    assert loss.loss(y, margin).mean() < 0.9 * loss.loss(y, np.tile(z0, (n, 1))).mean()


@pytest.mark.parametrize("alpha", [None, [0.5, 1.0, 2.0]])
def test_pickle_round_trip(alpha):
    loss = MulticlassFocalLoss(alpha=alpha, gamma=1.5)
    clone = pickle.loads(pickle.dumps(loss))
    assert clone == loss
    assert repr(clone) == repr(loss)
    assert clone != MulticlassFocalLoss(alpha=alpha, gamma=2.0)
    rng = np.random.default_rng(0)
    y, z = rng.integers(0, 3, 50), rng.normal(scale=4, size=(50, 3))
    g1, h1 = loss.gradient_hessian(y, z)
    g2, h2 = clone.gradient_hessian(y, z)
    np.testing.assert_array_equal(g1, g2)
    np.testing.assert_array_equal(h1, h2)
