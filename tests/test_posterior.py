"""Tests of the posterior correction: BinaryFocalLoss.posterior, MulticlassFocalLoss.posterior, focal_posterior."""

from __future__ import annotations

import functools
import warnings

import mpmath
import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit, logit, softmax

from skfocal import BinaryFocalLoss, MulticlassFocalLoss, focal_posterior

GAMMAS = [0.0, 0.5, 1.0, 2.0, 5.0]
# One gamma per class, (class 0, class 1): the asymmetric loss's default, the reverse, and others.
CLASS_GAMMAS = [(4.0, 0.0), (0.0, 4.0), (0.5, 2.0), (5.0, 1.0)]

# Probabilities of class 1 in (1e-6, 1 - 1e-6), dense near both ends and in the middle.
P_GRID = np.unique(
    np.concatenate(
        [
            np.geomspace(1e-6, 0.5, 40),
            1.0 - np.geomspace(1e-6, 0.5, 40),
            np.linspace(0.01, 0.99, 50),
        ]
    )
)
Z_GRID = logit(P_GRID)


# --------------------------------------------------------------------------------------------------
# Binary closed form (Charoenphakdee et al., CVPR 2021), evaluated in 40-digit arithmetic
# --------------------------------------------------------------------------------------------------
@functools.cache
def _binary_reference(gamma, alpha: float | None) -> np.ndarray:
    """eta(class 1) = g0 / (g0 + g1) at p = sigmoid(z) for the exact doubles in Z_GRID.

    ``gamma``: one number, or ``(gamma of class 0, gamma of class 1)``: ``g0`` (the negatives'
    term) uses class 0's and ``g1`` class 1's.
    """
    gamma0, gamma1 = (gamma, gamma) if np.ndim(gamma) == 0 else gamma
    out = np.empty(len(Z_GRID))
    with mpmath.workdps(40):
        c0, c1 = mpmath.mpf(gamma0), mpmath.mpf(gamma1)
        a = mpmath.mpf(0.5) if alpha is None else mpmath.mpf(alpha)
        for i, z in enumerate(Z_GRID):
            zm = mpmath.mpf(float(z))
            p = 1 / (1 + mpmath.exp(-zm))
            q = 1 / (1 + mpmath.exp(zm))  # 1 - p without cancellation
            g0 = (1 - a) * p**c0 * (p - c0 * q * mpmath.log(q))
            g1 = a * q**c1 * (q - c1 * p * mpmath.log(p))
            out[i] = float(g0 / (g0 + g1))
    return out


@pytest.mark.parametrize("alpha", [None, 0.25, 0.75])
@pytest.mark.parametrize("gamma", GAMMAS + CLASS_GAMMAS)
def test_binary_posterior_matches_closed_form(gamma, alpha):
    want1 = _binary_reference(gamma, alpha)
    post = BinaryFocalLoss(alpha=alpha, gamma=gamma).posterior(Z_GRID)
    assert post.shape == (len(Z_GRID), 2)
    # Computed in logs from log-sigmoid; a few ulps per operation and a softmax of two terms, so
    # 1e-10 relative is a wide margin (also for the smallest posteriors, near 1e-6).
    np.testing.assert_allclose(post[:, 1], want1, rtol=1e-10, atol=0)
    # Column 0 is the complement; compare with 1 - eta only where that does not cancel.
    ok = want1 < 0.5
    np.testing.assert_allclose(post[ok, 0], 1.0 - want1[ok], rtol=1e-10, atol=0)
    # The correction matters: away from gamma=0 the posterior is not the model's probability.
    if np.any(np.asarray(gamma) > 0):
        assert np.max(np.abs(post[:, 1] - P_GRID)) > 0.05


@pytest.mark.parametrize("alpha", [None, 0.25, 0.75])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_focal_posterior_from_probabilities_equals_raw_score_posterior(gamma, alpha):
    # Restricted to p in [1e-4, 1 - 1e-4]: the 2-D input [1 - p, p] carries 1 - p rounded, which
    # costs up to gamma * eps / min(p, 1 - p) relative; here <= 6e-12. (Small p: test below.)
    ok = (P_GRID >= 1e-4) & (P_GRID <= 1 - 1e-4)
    p, z = P_GRID[ok], Z_GRID[ok]
    from_raw = BinaryFocalLoss(alpha=alpha, gamma=gamma).posterior(z)
    from_prob_1d = focal_posterior(p, gamma=gamma, alpha=alpha)
    from_prob_2d = focal_posterior(np.column_stack([1.0 - p, p]), gamma=gamma, alpha=alpha)
    assert from_prob_1d.shape == (len(p), 2)
    # logit(p) carries a few ulps of relative error, and 1 - p (above) at most 6e-12: 1e-10.
    np.testing.assert_allclose(from_prob_1d, from_raw, rtol=1e-10, atol=0)
    np.testing.assert_allclose(from_prob_2d, from_prob_1d, rtol=1e-10, atol=0)  # the rounded 1 - p, as above


@pytest.mark.parametrize("gamma", [2.0, 5.0])
def test_focal_posterior_keeps_relative_accuracy_of_small_probabilities(gamma):
    p = np.array([1e-8, 1e-10, 1e-12, 1e-14])
    from_raw = BinaryFocalLoss(gamma=gamma).posterior(logit(p))
    np.testing.assert_allclose(from_raw[:, 1], _eta_small(p, gamma), rtol=1e-12)  # the raw path is exact
    # Both inputs carry p to full relative precision (a 1-D p, or the 2-D row [1 - p, p] whose
    # other entry holds it exactly), so the posterior should too; 1e-8 is loose for a few ulps.
    np.testing.assert_allclose(focal_posterior(p, gamma=gamma)[:, 1], from_raw[:, 1], rtol=1e-8, atol=0)


def _eta_small(p, gamma):
    """Closed-form class-1 posterior (alpha=None) in 40-digit arithmetic for the doubles p."""
    out = []
    with mpmath.workdps(40):
        for v in p:
            pm = mpmath.mpf(float(v))
            q = 1 - pm
            g0 = pm**gamma * (pm - gamma * q * mpmath.log(q))
            g1 = q**gamma * (q - gamma * pm * mpmath.log(pm))
            out.append(float(g0 / (g0 + g1)))
    return np.array(out)


# --------------------------------------------------------------------------------------------------
# gamma = 0: identity, or the prior shift by alpha
# --------------------------------------------------------------------------------------------------
def test_gamma_zero_without_alpha_is_identity():
    rng = np.random.default_rng(0)
    z = rng.normal(scale=4.0, size=200)
    # Both sides are sigmoid/softmax of the same numbers: a few ulps.
    np.testing.assert_allclose(
        BinaryFocalLoss(gamma=0.0).posterior(z), np.column_stack([expit(-z), expit(z)]), rtol=1e-13, atol=0
    )
    zz = rng.normal(scale=4.0, size=(200, 4))
    np.testing.assert_allclose(MulticlassFocalLoss(gamma=0.0).posterior(zz), softmax(zz, axis=1), rtol=1e-13, atol=0)
    p = softmax(zz, axis=1)
    np.testing.assert_allclose(focal_posterior(p, gamma=0.0), p, rtol=1e-13, atol=0)
    np.testing.assert_allclose(focal_posterior(expit(z), gamma=0.0)[:, 1], expit(z), rtol=1e-13, atol=0)


def test_gamma_zero_with_alpha_is_prior_shift():
    rng = np.random.default_rng(1)
    alpha = np.array([0.5, 2.0, 1.0, 4.0])
    zz = rng.normal(scale=3.0, size=(200, 4))
    p = softmax(zz, axis=1)
    want = p / alpha
    want /= want.sum(axis=1, keepdims=True)
    # eta_j proportional to p_j / alpha_j; a few ulps of logs and a renormalisation.
    np.testing.assert_allclose(MulticlassFocalLoss(alpha=alpha, gamma=0.0).posterior(zz), want, rtol=1e-12, atol=0)
    np.testing.assert_allclose(focal_posterior(p, gamma=0.0, alpha=alpha), want, rtol=1e-12, atol=0)
    # Binary float alpha a: weights (1 - a, a) for classes (0, 1).
    z = rng.normal(scale=3.0, size=200)
    pb = np.column_stack([expit(-z), expit(z)])
    want_b = pb / np.array([0.75, 0.25])
    want_b /= want_b.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(BinaryFocalLoss(alpha=0.25, gamma=0.0).posterior(z), want_b, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------------------------------
# The posterior inverts the population minimiser of the (expected) focal loss
# --------------------------------------------------------------------------------------------------
def _focal_optimal_raw(loss, eta, k):
    """argmin_z sum_j eta_j FL(z; j) (alpha_j included in FL) by BFGS; K-1 free coordinates."""
    labels = np.arange(k)

    if k == 2 and isinstance(loss, BinaryFocalLoss):

        def expected(c):
            z = np.full(2, c[0])
            g, _ = loss.gradient_hessian(labels, z, sample_weight=eta)
            return float(eta @ loss.loss(labels, z)), np.array([g.sum()])

        start = np.array([np.log(eta[1] / eta[0])])
    else:

        def expected(c):
            z = np.tile(np.append(c, 0.0), (k, 1))
            g, _ = loss.gradient_hessian(labels, z, sample_weight=eta)
            return float(eta @ loss.loss(labels, z)), g.sum(axis=0)[:-1]

        start = np.log(eta[:-1] / eta[-1])
    res = minimize(expected, start, jac=True, method="BFGS", options={"gtol": 1e-13, "maxiter": 2000})
    # BFGS stops when its line search can no longer resolve decreases of an O(1) loss (about 1e-9
    # in the gradient); 1e-8 asserts a genuine stationary point without demanding more than that.
    assert np.max(np.abs(res.jac)) < 1e-8
    return res.x


CASES = [
    (2, (4.0, 0.0), None),
    (2, (0.5, 3.0), 0.25),
    (2, (0.0, 6.0), 0.75),
    (3, (0.0, 2.0, 5.0), None),
    (3, (4.0, 0.5, 1.0), [0.25, 1.0, 2.0]),
    (4, (0.5, 2.0, 0.0, 6.0), [0.5, 3.0, 1.0, 0.2]),
    (2, 0.5, None),
    (2, 2.0, None),
    (2, 0.5, 0.25),
    (2, 2.0, 0.75),
    (3, 0.5, None),
    (3, 2.0, None),
    (3, 0.5, [0.25, 1.0, 2.0]),
    (3, 2.0, [0.25, 1.0, 2.0]),
    (4, 0.5, None),
    (4, 2.0, None),
    (4, 0.5, [0.5, 3.0, 1.0, 0.2]),
    (4, 2.0, [0.5, 3.0, 1.0, 0.2]),
]


@pytest.mark.parametrize("k, gamma, alpha", CASES)
def test_posterior_inverts_population_minimiser(k, gamma, alpha):
    rng = np.random.default_rng(100 * k + int(10 * np.sum(gamma)))
    etas = rng.dirichlet(np.full(k, 0.7), size=6)
    etas = np.vstack([etas, np.eye(k)[0] * 0.96 + 0.04 / k])  # a confident row too
    if k == 2:
        losses = [BinaryFocalLoss(alpha=alpha, gamma=gamma), MulticlassFocalLoss(alpha=_weights(alpha), gamma=gamma)]
    else:
        losses = [MulticlassFocalLoss(alpha=alpha, gamma=gamma)]
    for loss in losses:
        for eta in etas:
            c = _focal_optimal_raw(loss, eta, k)
            raw = c if isinstance(loss, BinaryFocalLoss) else np.append(c, 0.0)[None, :]
            post = loss.posterior(raw)[0]
            # The minimiser is located to ~1e-10 in z (gradient 1e-9 over curvature >= ~0.01) and the
            # map from z to eta has slope O(1-10): 1e-6 is a comfortable bound.
            np.testing.assert_allclose(post, eta, rtol=0, atol=1e-6)
            # ... and the focal-optimal probability itself is distorted (so the test is not vacuous).
            p = (
                softmax(np.append(c, 0.0))
                if not isinstance(loss, BinaryFocalLoss)
                else np.array([expit(-c[0]), expit(c[0])])
            )
            assert np.max(np.abs(p - eta)) > 1e-4 or np.max(np.abs(eta - 1.0 / k)) < 0.05


def _weights(alpha):
    """Binary float alpha as the two class weights (1 - a, a) for MulticlassFocalLoss."""
    return None if alpha is None else [1.0 - alpha, alpha]


# --------------------------------------------------------------------------------------------------
# Multiclass with K=2 is the binary posterior
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [None, 0.25, 0.75])
@pytest.mark.parametrize("gamma", GAMMAS + CLASS_GAMMAS)
def test_multiclass_k2_equals_binary(gamma, alpha):
    z = np.concatenate([Z_GRID, [-40.0, -20.0, 20.0, 40.0]])
    binary = BinaryFocalLoss(alpha=alpha, gamma=gamma).posterior(z)
    multi = MulticlassFocalLoss(alpha=_weights(alpha), gamma=gamma).posterior(np.column_stack([np.zeros_like(z), z]))
    # log-softmax of (0, z) and log-sigmoid of +-z are the same quantity computed two ways (a few
    # ulps), propagated through a handful of logs: 1e-11 relative.
    np.testing.assert_allclose(multi, binary, rtol=1e-11, atol=0)


# --------------------------------------------------------------------------------------------------
# Extreme margins, normalisation, order
# --------------------------------------------------------------------------------------------------
def _check_probabilities(post):
    assert np.all(np.isfinite(post))
    assert np.all((post >= 0) & (post <= 1))
    # a softmax of finite logs: rows sum to 1 up to a few ulps
    np.testing.assert_allclose(post.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_binary_posterior_extreme_margins(gamma, alpha):
    z = np.array([-1e6, -1e3, -700.0, -40.0, -1e-12, 0.0, 1e-12, 40.0, 700.0, 1e3, 1e6])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        post = BinaryFocalLoss(alpha=alpha, gamma=gamma).posterior(z)
        from_prob = focal_posterior(expit(z), gamma=gamma, alpha=alpha)
    _check_probabilities(post)
    _check_probabilities(from_prob)
    # Sure margins stay sure: the correction moves probabilities away from 1/2, never across it
    # for alpha=None, and the most extreme rows end on the right side.
    assert post[0, 0] > 0.99 and post[-1, 1] > 0.99
    if alpha is None:
        assert np.all(np.sign(post[:, 1] - 0.5) == np.sign(z))


MC_EXTREME = np.array(
    [
        [1e3, -1e3, 0.0],
        [-1e3, 1e3, -1e3],
        [0.0, 0.0, 1e3],
        [1e6, -1e6, -1e6],
        [-1e6, 0.0, 1e6],
        [40.0, 0.0, -40.0],
        [700.0, -700.0, 1.0],
    ]
)


@pytest.mark.parametrize("alpha", [None, [0.25, 1.0, 4.0]])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_multiclass_posterior_extreme_logits(gamma, alpha):
    onehot = np.eye(3)[[0, 1, 2, 2, 0]]
    onehot_soft = np.array([[1.0 - 2e-300, 1e-300, 1e-300]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        post = MulticlassFocalLoss(alpha=alpha, gamma=gamma).posterior(MC_EXTREME)
        from_prob = focal_posterior(onehot, gamma=gamma, alpha=alpha)
        from_soft = focal_posterior(onehot_soft, gamma=gamma, alpha=alpha)
    for out in (post, from_prob, from_soft):
        _check_probabilities(out)
    # one-hot-like inputs keep their class
    np.testing.assert_array_equal(np.argmax(post, axis=1), np.argmax(MC_EXTREME, axis=1))
    np.testing.assert_array_equal(np.argmax(from_prob, axis=1), [0, 1, 2, 2, 0])
    assert post[3, 0] > 0.99 and post[4, 2] > 0.99


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("k", [2, 3, 5])
def test_posterior_keeps_class_order_without_alpha(gamma, k):
    rng = np.random.default_rng(7 + k)
    z = np.vstack([rng.normal(scale=s, size=(200, k)) for s in (0.3, 3.0, 10.0)])
    post = MulticlassFocalLoss(gamma=gamma).posterior(z)
    # eta_j = f(p_j) / Z with f increasing: the full order within each row is kept, not only the
    # argmax. Compare only pairs whose logits differ clearly (1e-6) so that rounding cannot swap them.
    zi, zj = z[:, :, None], z[:, None, :]
    pi, pj = post[:, :, None], post[:, None, :]
    clear = zi > zj + 1e-6
    assert clear.sum() > 0
    assert np.all(np.broadcast_to(pi, clear.shape)[clear] >= np.broadcast_to(pj, clear.shape)[clear])
    np.testing.assert_array_equal(np.argmax(post, axis=1), np.argmax(z, axis=1))
    # the correction is monotone per class: raising one logit (others fixed) raises its posterior
    bumped = z.copy()
    bumped[:, 0] += 0.5
    assert np.all(MulticlassFocalLoss(gamma=gamma).posterior(bumped)[:, 0] >= post[:, 0])


# --------------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "y_prob",
    [
        np.array([0.2, 1.2]),
        np.array([-0.1, 0.5]),
        np.array([0.2, np.nan]),
        np.array([0.2, np.inf]),
        np.array([[0.2, 0.7], [0.5, 0.5]]),  # row not summing to 1
        np.array([[0.2, 0.3, 0.6]]),
        np.array([[1.0]]),  # a single class
        np.zeros((2, 2, 2)),
        np.array([[1.2, -0.2]]),  # sums to 1 but outside [0, 1]
    ],
)
def test_focal_posterior_rejects_bad_probabilities(y_prob):
    with pytest.raises(ValueError):
        focal_posterior(y_prob, gamma=2.0)


def test_focal_posterior_alpha_and_gamma_validation():
    p3 = np.array([[0.2, 0.3, 0.5]])
    with pytest.raises(ValueError):
        focal_posterior(p3, gamma=2.0, alpha=[1.0, 2.0])  # wrong length
    with pytest.raises(ValueError):
        focal_posterior(p3, gamma=2.0, alpha=[1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError):
        focal_posterior(p3, gamma=2.0, alpha=[1.0, 0.0, 3.0])
    with pytest.raises(ValueError):
        focal_posterior(p3, gamma=2.0, alpha=[1.0, np.nan, 3.0])
    with pytest.raises(TypeError):
        focal_posterior(p3, gamma=2.0, alpha=0.25)  # a single number is for two classes
    with pytest.raises(ValueError):
        focal_posterior(np.array([0.3]), gamma=2.0, alpha=1.5)
    for gamma in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            focal_posterior(p3, gamma=gamma)
    for gamma in ("2", None, True):
        with pytest.raises(TypeError):
            focal_posterior(p3, gamma=gamma)
    out = focal_posterior([0.1, 0.5, 0.9], gamma=2.0)
    assert out.shape == (3, 2)
    assert out[1, 1] == pytest.approx(0.5, abs=1e-15)  # symmetric point (exact up to rounding)


def test_posterior_raw_score_validation():
    with pytest.raises(ValueError):
        BinaryFocalLoss().posterior(np.zeros((3, 2)))
    with pytest.raises(ValueError):
        BinaryFocalLoss().posterior(np.array([0.0, np.nan]))
    with pytest.raises(ValueError):
        MulticlassFocalLoss().posterior(np.zeros(3))
    with pytest.raises(ValueError):
        MulticlassFocalLoss().posterior(np.zeros((3, 1)))
    with pytest.raises(ValueError):
        MulticlassFocalLoss().posterior(np.array([[0.0, np.inf, 1.0]]))


# --------------------------------------------------------------------------------------------------
# The correction is invertible (monotone) for every gamma >= 0, one per class included
# --------------------------------------------------------------------------------------------------
# eta_j is proportional to h_j(p_j) = p_j / (alpha_j |A_j(p_j)|). If every h_j is strictly
# increasing on (0, 1), the map from p to eta is one-to-one on the simplex (two p with the same eta
# would need h_j(p_j) = c eta_j and h_j(p'_j) = c' eta_j for all j, so p' > p everywhere or p' < p
# everywhere, and both sum to 1), and for two classes eta_1 increases with p. With
# u = -p log(p) / (1 - p): d log h / dp = 1/p + gamma/(1-p) - gamma u' / (1 + gamma u), and
# gamma u' / (1 + gamma u) < u'/u <= 1/p (the last is log p >= 1 - 1/p), so it is positive for every
# gamma >= 0; these tests check that numerically, and that the implementation keeps it.
MONOTONE_GAMMAS = [*np.arange(0.0, 6.25, 0.25).tolist(), 8.0, 10.0, 20.0, 50.0]


def test_log_h_increases_for_every_gamma():
    # The derivative above, in 30-digit arithmetic (no cancellation near p = 1), on p from 1e-12
    # to 1 - 1e-12: positive, and bounded below by 1/p - u'/u (the proof's bound).
    ps = [mpmath.mpf(1) / 10**e for e in range(1, 13)] + [mpmath.mpf(i) / 100 for i in range(2, 99)]
    ps += [1 - mpmath.mpf(1) / 10**e for e in range(2, 13)]
    with mpmath.workdps(30):
        for gamma in MONOTONE_GAMMAS:
            g = mpmath.mpf(gamma)
            for p in ps:
                u = -p * mpmath.log(p) / (1 - p)
                du = (p - 1 - mpmath.log(p)) / (1 - p) ** 2
                slope = 1 / p + g / (1 - p) - g * du / (1 + g * u)
                assert slope > 0
                assert slope >= 1 / p - du / u + g / (1 - p)


def test_binary_posterior_increases_with_the_margin_for_every_pair_of_gammas():
    z = np.linspace(-30.0, 30.0, 6001)
    checked = 0
    for gamma0 in MONOTONE_GAMMAS:
        for gamma1 in MONOTONE_GAMMAS:
            for alpha in (None, 0.1):
                eta = BinaryFocalLoss(alpha=alpha, gamma=[gamma0, gamma1]).posterior(z)[:, 1]
                step = np.diff(eta)
                # Never decreasing; strictly increasing wherever eta is not rounded to 0 or 1
                # (away from the ends the posterior's relative steps are far above 1e-16).
                assert np.all(step >= 0), (gamma0, gamma1, alpha)
                inner = (eta[1:] > 1e-12) & (eta[:-1] < 1 - 1e-12)
                assert np.all(step[inner] > 0), (gamma0, gamma1, alpha)
                checked += 1
    assert checked == 2 * len(MONOTONE_GAMMAS) ** 2


def test_multiclass_posterior_is_monotone_in_each_class_for_every_gamma():
    # p = (x, (1 - x) / 2, (1 - x) / 2): with h_0 increasing and h_1, h_2 decreasing in x, eta_0
    # increases with x, for every choice of the three gammas (random triples from the grid).
    # (eta_1 need not fall along this path: h_2 / h_1 at the same p changes with p when the
    # two gammas differ.)
    rng = np.random.default_rng(5)
    x = np.linspace(1e-6, 1 - 1e-6, 4001)
    prob = np.column_stack([x, (1 - x) / 2, (1 - x) / 2])
    for _ in range(150):
        gammas = rng.choice(MONOTONE_GAMMAS, size=3)
        alpha = rng.uniform(0.2, 5.0, size=3)
        eta = focal_posterior(prob, gamma=gammas, alpha=alpha)
        step = np.diff(eta[:, 0])
        # never decreasing; strictly where eta is not rounded to 0 or 1 (as for two classes)
        assert np.all(step >= 0), gammas
        inner = (eta[:-1, 0] > 1e-12) & (eta[1:, 0] < 1 - 1e-12)
        assert inner.sum() > 100  # not vacuous (a large gamma_0 rounds eta_0 to 1 early)
        assert np.all(step[inner] > 0), gammas
