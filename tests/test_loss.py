"""Tests of skfocal's BinaryFocalLoss: values, derivatives, safeguard, init score, native objective use."""

from __future__ import annotations

import functools
import pickle

import mpmath
import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import expit, logit

from skfocal import BinaryFocalLoss

GAMMAS = [0.0, 0.5, 1.0, 2.0, 5.0]
ALPHAS = [None, 0.25]

# 31 integer margins (step 2: contains 0, +-20, +-30) plus fractional ones near the Hessian's sign change.
MARGINS = np.unique(
    np.concatenate([np.linspace(-30.0, 30.0, 31), [-7.5, -4.1, -2.8, -1.7, -0.3, 0.3, 1.7, 2.8, 4.1, 7.5]])
)
EXTREME_MARGINS = np.array([-1e6, -1e3, -700.0, -30.0, -1e-9, 0.0, 1e-9, 30.0, 700.0, 1e3, 1e6])


# --------------------------------------------------------------------------------------------------
# 50-digit reference, built from the definition only (derivatives by mpmath.diff, not closed forms)
# --------------------------------------------------------------------------------------------------
def _alpha_t(alpha, y):
    if alpha is None:
        return 1.0
    return alpha if y == 1 else 1.0 - alpha


def _mp_focal(z, y, gamma):
    """FL(z, y) with alpha_t = 1, in the ambient mpmath precision."""
    m = z if y == 1 else -z
    pt = 1 / (1 + mpmath.exp(-m))
    q = 1 / (1 + mpmath.exp(m))
    return -(q**gamma) * mpmath.log(pt)


@functools.cache
def _reference(gamma: float):
    """(loss, grad, hess) arrays of shape (2, n_margins) for y = 0, 1 and alpha_t = 1."""
    out = np.empty((3, 2, len(MARGINS)))
    with mpmath.workdps(50):
        g = mpmath.mpf(gamma)
        for y in (0, 1):
            f = functools.partial(lambda t, y: _mp_focal(t, y, g), y=y)
            for j, z in enumerate(MARGINS):
                zm = mpmath.mpf(float(z))  # the exact double the implementation sees
                out[0, y, j] = float(f(zm))
                out[1, y, j] = float(mpmath.diff(f, zm, 1))
                out[2, y, j] = float(mpmath.diff(f, zm, 2))
    return out


def _rel_err(got, want):
    return np.abs(got - want) / np.abs(want)


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("y", [0, 1])
def test_against_50_digit_reference(gamma, alpha, y):
    ref = _reference(gamma)
    a = _alpha_t(alpha, y)  # alpha=0.25: class 1 weighted 0.25, class 0 weighted 0.75
    true_loss, true_grad, true_hess = a * ref[0, y], a * ref[1, y], a * ref[2, y]
    loss = BinaryFocalLoss(alpha=alpha, gamma=gamma)
    yy = np.full(len(MARGINS), y)

    got_loss = loss.loss(yy, MARGINS)
    got_grad, got_hess = loss.gradient_hessian(yy, MARGINS)
    got_exact = loss.hessian_exact(yy, MARGINS)

    # Loss is built from log-sigmoid without cancellation: a few ulps, so 1e-10 leaves a wide margin.
    mask = true_loss > 1e-300
    assert mask.sum() == len(MARGINS)
    assert np.all(_rel_err(got_loss[mask], true_loss[mask]) <= 1e-10)

    # Gradient: the required accuracy of the closed form (1e-5 relative); tiny gradients excluded
    # because below 1e-12 they no longer matter to a booster.
    mask = np.abs(true_grad) > 1e-12
    assert mask.any()
    assert np.all(_rel_err(got_grad[mask], true_grad[mask]) <= 1e-5)
    assert np.all(np.sign(got_grad[mask]) == np.sign(true_grad[mask]))

    # Signed Hessian: required accuracy 1e-4 where it is not negligible (|h| > 1e-6); near its
    # sign change the closed form cancels, so smaller values are not compared relatively.
    mask = np.abs(true_hess) > 1e-6
    assert mask.any()
    assert np.all(_rel_err(got_exact[mask], true_hess[mask]) <= 1e-4)

    # The safeguard must leave the Hessian untouched wherever it is (clearly) positive.
    mask = true_hess > 1e-6
    assert mask.any()
    assert np.all(_rel_err(got_hess[mask], true_hess[mask]) <= 1e-4)

    # The estimators' training path (compiled, float32 output) is held to the same bounds.
    fast_grad, fast_hess = loss._training_gradient_hessian(yy.astype(np.float32), MARGINS)
    assert fast_grad.dtype == fast_hess.dtype == np.float32
    grad_mask = np.abs(true_grad) > 1e-12
    assert np.all(_rel_err(fast_grad[grad_mask], true_grad[grad_mask]) <= 1e-5)
    assert np.all(np.sign(fast_grad[grad_mask]) == np.sign(true_grad[grad_mask]))
    assert np.all(_rel_err(fast_hess[mask], true_hess[mask]) <= 1e-4)
    assert np.all(fast_hess > 0)


# One gamma per class: (gamma of class 0, gamma of class 1). The loss of a row is the focal loss
# with its own class's gamma, so the reference of each row is the one-gamma reference above at
# that gamma (the same 50-digit values); 4 for the negatives and 0 for the positives is the
# asymmetric loss's default.
CLASS_GAMMAS = [(4.0, 0.0), (0.0, 4.0), (0.5, 2.0), (5.0, 1.0), (2.0, 0.5)]


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("gammas", CLASS_GAMMAS)
def test_per_class_gamma_against_50_digit_reference(gammas, alpha):
    y = np.repeat([0, 1], len(MARGINS))
    z = np.tile(MARGINS, 2)
    a = np.array([_alpha_t(alpha, 0), _alpha_t(alpha, 1)])[y]
    true = np.concatenate([_reference(gammas[0])[:, 0], _reference(gammas[1])[:, 1]], axis=1) * a
    loss = BinaryFocalLoss(alpha=alpha, gamma=list(gammas))
    got_grad, got_hess = loss.gradient_hessian(y, z)
    got_exact = loss.hessian_exact(y, z)
    fast_grad, fast_hess = loss._training_gradient_hessian(y.astype(np.float32), z)
    # The bounds of the one-gamma test, for the same reasons: loss a few ulps (1e-10), gradient
    # 1e-5 where above 1e-12, signed Hessian 1e-4 where |h| > 1e-6.
    assert np.all(_rel_err(loss.loss(y, z), true[0]) <= 1e-10)
    mask = np.abs(true[1]) > 1e-12
    for grad in (got_grad, fast_grad):
        assert np.all(_rel_err(grad[mask], true[1][mask]) <= 1e-5)
        assert np.all(np.sign(grad[mask]) == np.sign(true[1][mask]))
    mask = np.abs(true[2]) > 1e-6
    assert np.all(_rel_err(got_exact[mask], true[2][mask]) <= 1e-4)
    positive = true[2] > 1e-6
    for hess in (got_hess, fast_hess):
        assert np.all(_rel_err(hess[positive], true[2][positive]) <= 1e-4)
        assert np.all(hess > 0)


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("gammas", CLASS_GAMMAS)
def test_per_class_gamma_rows_are_their_class_gamma_bit_for_bit(gammas, alpha):
    # Each row's values are those of the one-gamma loss at its class's gamma: to the bit where
    # that loss forms q**gamma as exp(gamma log q) too (the row's gamma is picked, not
    # interpolated); for gamma 1 and 2 it multiplies (q, q*q) instead, which differs from
    # exp(gamma log q) by the error of exp at |gamma log q| <= 1400 here: 1400 ulps at most, so 1e-12.
    y = np.repeat([0, 1], len(EXTREME_MARGINS) + len(MARGINS))
    z = np.tile(np.concatenate([EXTREME_MARGINS, MARGINS]), 2)
    loss = BinaryFocalLoss(alpha=alpha, gamma=list(gammas))
    for label in (0, 1):
        one = BinaryFocalLoss(alpha=alpha, gamma=gammas[label])
        rows = y == label
        pairs = [(loss.loss(y, z)[rows], one.loss(y[rows], z[rows]))]
        pairs.append((loss.hessian_exact(y, z)[rows], one.hessian_exact(y[rows], z[rows])))
        both = zip(loss.gradient_hessian(y, z), one.gradient_hessian(y[rows], z[rows]), strict=True)
        pairs += [(a[rows], b) for a, b in both]
        for mine, theirs in pairs:
            if gammas[label] in (1.0, 2.0):
                np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0)
            else:
                np.testing.assert_array_equal(mine, theirs)


def test_equal_class_gammas_are_the_one_gamma():
    # [g, g] is g: the same object state (the scalar code path), and the same numbers.
    y = np.repeat([0, 1], len(MARGINS))
    z = np.tile(MARGINS, 2)
    for g in (0.0, 2.0, 3.7):
        pair, one = BinaryFocalLoss(gamma=[g, g], alpha=0.25), BinaryFocalLoss(gamma=g, alpha=0.25)
        assert pair.class_gammas_ is None and pair._gamma == g and pair == one
        for mine, theirs in zip(pair.gradient_hessian(y, z), one.gradient_hessian(y, z), strict=True):
            np.testing.assert_array_equal(mine, theirs)
    assert BinaryFocalLoss(gamma=[4.0, 0.0]) != BinaryFocalLoss(gamma=[0.0, 4.0])
    np.testing.assert_array_equal(BinaryFocalLoss(gamma=(4, 0)).class_gammas_, [4.0, 0.0])


# --------------------------------------------------------------------------------------------------
# Finiteness and positivity at extreme margins
# --------------------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("gamma", GAMMAS)
def test_finite_positive_hessian_at_extreme_margins(gamma, alpha):
    loss = BinaryFocalLoss(alpha=alpha, gamma=gamma)
    z = np.concatenate([EXTREME_MARGINS, EXTREME_MARGINS])
    y = np.repeat([0, 1], len(EXTREME_MARGINS))
    # numpy overflow/invalid/divide would also be a defect; underflow to 0 (exp(-1e6)) is expected
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        values = loss.loss(y, z)
        grad, hess = loss.gradient_hessian(y, z)
        fast_grad, fast_hess = loss._training_gradient_hessian(y.astype(np.float32), z)
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    assert np.all(np.isfinite(grad))
    assert np.all(np.isfinite(hess))
    assert np.all(hess > 0)
    # the training path: the same values in float32 (6e-8 rounding, 1e-6 leaves room for ulps)
    np.testing.assert_allclose(fast_grad, grad, rtol=1e-6, atol=1e-37)
    np.testing.assert_allclose(fast_hess, hess, rtol=1e-6, atol=1e-37)
    # badly wrong rows keep a gradient pushing the right way (toward the true class)
    worst = (y == 1) & (z == -1e6)
    assert grad[worst][0] < 0
    worst = (y == 0) & (z == 1e6)
    assert grad[worst][0] > 0


# --------------------------------------------------------------------------------------------------
# The Hessian safeguard
# --------------------------------------------------------------------------------------------------
def test_safeguard_returns_magnitude_of_negative_hessian():
    loss = BinaryFocalLoss(gamma=2.0)
    y, z = np.array([1]), np.array([-5.0])
    exact = loss.hessian_exact(y, z)
    _, hess = loss.gradient_hessian(y, z)
    assert exact[0] < 0
    # Same formula, only the sign flipped: equality to rounding (a few ulps).
    assert hess[0] == pytest.approx(abs(exact[0]), rel=1e-14)


def test_safeguarded_newton_step_decreases_loss_exact_one_does_not():
    loss = BinaryFocalLoss(gamma=2.0)
    rng = np.random.default_rng(0)
    z = -5.0 + rng.uniform(-0.5, 0.5, size=50)  # a leaf of badly misclassified positives
    y = np.ones_like(z, dtype=int)
    grad, hess = loss.gradient_hessian(y, z)
    exact = loss.hessian_exact(y, z)
    before = loss.loss(y, z).mean()

    step_exact = -grad.sum() / exact.sum()
    step_safe = -grad.sum() / hess.sum()
    assert exact.sum() < 0 < hess.sum()
    assert step_exact < 0 < step_safe  # the exact Newton step moves away from the true class
    assert loss.loss(y, z + step_exact).mean() > before
    assert loss.loss(y, z + step_safe).mean() < before


# --------------------------------------------------------------------------------------------------
# Special cases
# --------------------------------------------------------------------------------------------------
def test_gamma_zero_is_log_loss():
    loss = BinaryFocalLoss(alpha=None, gamma=0.0)
    z = np.concatenate([np.linspace(-40, 40, 161), [-700.0, 700.0]])
    z = np.concatenate([z, z])
    y = np.repeat([0, 1], len(z) // 2)
    m = (2 * y - 1) * z
    # sigmoid(z) - y written without cancellation: -sigmoid(-z) for y=1, sigmoid(z) for y=0
    want_grad = np.where(y == 1, -expit(-z), expit(z))
    want_hess = expit(z) * expit(-z)
    grad, hess = loss.gradient_hessian(y, z)
    # 1e-12: both sides are a handful of correctly rounded operations on the same quantities.
    np.testing.assert_allclose(loss.loss(y, z), np.logaddexp(0, -m), rtol=1e-12, atol=0)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12, atol=0)
    big = want_hess >= 1e-16
    np.testing.assert_allclose(hess[big], want_hess[big], rtol=1e-12, atol=0)
    assert np.all(hess[~big] == 1e-16)  # documented floor only where the product is below it
    assert (~big).any() and big.any()
    np.testing.assert_allclose(loss.hessian_exact(y, z)[big], want_hess[big], rtol=1e-12, atol=0)


def test_paper_ratio():
    fl = BinaryFocalLoss(gamma=2.0)
    ce = BinaryFocalLoss(gamma=0.0)
    y = np.array([1, 0])
    z = np.array([logit(0.9), logit(0.1)])  # pt = 0.9 for both rows
    ratio = fl.loss(y, z) / ce.loss(y, z)
    # (1 - 0.9)**2 = 0.01; logit/expit round trips cost a few ulps, hence 1e-12.
    np.testing.assert_allclose(ratio, 0.01, rtol=1e-12)
    z = np.array([logit(0.968)])
    ratio = fl.loss([1], z)[0] / ce.loss([1], z)[0]
    assert 0.0009 <= ratio <= 0.0011  # 0.032**2 = 0.001024, "about 1/1000" in the paper


# --------------------------------------------------------------------------------------------------
# init_score
# --------------------------------------------------------------------------------------------------
def _brute_force_init(loss, y, w):
    """Minimise the weighted mean loss over a constant score: fine grid, then bounded Brent."""

    def mean_loss(c):
        return np.average(loss.loss(y, np.full(len(y), c)), weights=w)

    grid = np.linspace(-40, 40, 8001)  # step 0.01
    # On the grid, a constant score's mean loss is (W0 * FL(c, 0) + W1 * FL(c, 1)) / W: vectorised.
    w0, w1 = w[y == 0].sum(), w[y == 1].sum()
    values = w0 * loss.loss(np.zeros(len(grid)), grid) + w1 * loss.loss(np.ones(len(grid)), grid)
    i = int(np.argmin(values))
    res = minimize_scalar(
        mean_loss,
        bounds=(grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return res.x


@pytest.mark.parametrize(
    "gamma, alpha",
    [
        (0.0, None),
        (0.0, 0.25),
        (0.5, None),
        (0.5, [2.0, 7.0]),
        (2.0, 0.25),
        (2.0, None),
        (5.0, 0.25),
        (5.0, [0.3, 3.0]),
        ([4.0, 0.0], None),
        ([0.0, 4.0], 0.25),
        ([0.5, 3.0], [2.0, 7.0]),
    ],
)
def test_init_score_minimises_weighted_mean_loss(gamma, alpha):
    rng = np.random.default_rng(42)
    n = 2000
    y = (rng.uniform(size=n) < 0.01).astype(int)
    y[:3] = 1  # at least a few positives (about 1% in total)
    w = rng.exponential(size=n)
    w[rng.uniform(size=n) < 0.1] = 0.0  # zero weights are allowed
    loss = BinaryFocalLoss(alpha=alpha, gamma=gamma)
    z0 = loss.init_score(y, sample_weight=w)
    brute = _brute_force_init(loss, y, w)
    # 1e-6 (absolute, on a score of order 1-10): the brute-force minimum is only located to about
    # sqrt(machine eps) relative to the loss's curvature, which is the limiting side here.
    assert z0 == pytest.approx(brute, abs=1e-6)

    def mean(c):
        return np.average(loss.loss(y, np.full(n, c)), weights=w)

    assert mean(z0) <= mean(brute) * (1 + 1e-14)  # never worse than the brute-force answer


def test_init_score_is_log_odds_for_log_loss():
    rng = np.random.default_rng(1)
    y = (rng.uniform(size=3000) < 0.02).astype(int)
    w = rng.uniform(0.1, 3.0, size=3000)
    W0, W1 = w[y == 0].sum(), w[y == 1].sum()
    loss = BinaryFocalLoss(gamma=0.0)
    # The root of a derivative of order W with slope W*p*(1-p) (p ~ 0.02): a few 1e-15, so 1e-12.
    assert loss.init_score(y, w) == pytest.approx(np.log(W1 / W0), abs=1e-12, rel=1e-12)
    assert loss.init_score(y) == pytest.approx(np.log(y.sum() / (len(y) - y.sum())), abs=1e-12, rel=1e-12)


@pytest.mark.parametrize("gamma, alpha", [(0.0, None), (2.0, 0.25), (5.0, None)])
def test_init_score_integer_weights_equal_duplicated_rows(gamma, alpha):
    rng = np.random.default_rng(3)
    y = (rng.uniform(size=300) < 0.1).astype(int)
    y[0] = 1
    w = rng.integers(0, 4, size=300)
    w[0] = 2
    loss = BinaryFocalLoss(alpha=alpha, gamma=gamma)
    # Integer class totals are summed exactly, so both calls solve the identical problem.
    assert loss.init_score(y, w) == pytest.approx(loss.init_score(np.repeat(y, w)), rel=1e-12, abs=1e-12)


def test_init_score_errors():
    loss = BinaryFocalLoss(gamma=2.0)
    with pytest.raises(ValueError):
        loss.init_score(np.zeros(10, dtype=int))  # no positives
    with pytest.raises(ValueError):
        loss.init_score(np.ones(10, dtype=int))  # no negatives
    y = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError):
        loss.init_score(y, sample_weight=[1.0, 1.0, 0.0, 0.0])  # positives have zero total weight
    with pytest.raises(ValueError):
        loss.init_score([0, 1, 2])
    with pytest.raises(ValueError):
        loss.init_score([-1, 1, 1])
    with pytest.raises(ValueError):
        loss.init_score(y, sample_weight=[1.0, 1.0, 1.0])  # wrong length


# --------------------------------------------------------------------------------------------------
# Sample weights and shapes
# --------------------------------------------------------------------------------------------------
def test_gradient_hessian_sample_weight_multiplies():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, size=100)
    z = rng.normal(scale=5, size=100)
    w = rng.exponential(size=100)
    w[:5] = 0.0
    loss = BinaryFocalLoss(alpha=0.25, gamma=2.0)
    g, h = loss.gradient_hessian(y, z)
    gw, hw = loss.gradient_hessian(y, z, sample_weight=w)
    # one multiplication each: rounding of that product only
    np.testing.assert_allclose(gw, g * w, rtol=1e-15, atol=0)
    np.testing.assert_allclose(hw, h * w, rtol=1e-15, atol=0)
    assert not np.allclose(gw, g)


def test_shape_mismatches_raise():
    loss = BinaryFocalLoss()
    with pytest.raises(ValueError):
        loss.gradient_hessian([0, 1, 1], [0.0, 1.0])
    with pytest.raises(ValueError):
        loss.gradient_hessian([0, 1], [0.0, 1.0], sample_weight=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError):
        loss.gradient_hessian(np.array([[0, 1]]), np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError):
        loss.loss([0, 1, 1], [0.0, 1.0])
    with pytest.raises(ValueError):
        loss.hessian_exact([0, 1], [0.0])
    with pytest.raises(ValueError):
        loss.gradient_hessian([0, 2], [0.0, 1.0])  # labels must be encoded as 0/1
    with pytest.raises(ValueError):
        loss.gradient_hessian([0, 1], [0.0, np.nan])


# --------------------------------------------------------------------------------------------------
# Parameter validation and equality
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [-0.1, -1, float("nan"), float("inf"), "2", True, None])
def test_invalid_gamma(gamma):
    with pytest.raises((ValueError, TypeError)):
        BinaryFocalLoss(gamma=gamma)


@pytest.mark.parametrize(
    ("gamma", "error", "message"),
    [
        ([1.0, 2.0, 3.0], ValueError, "one number per class"),  # wrong length
        ([2.0], ValueError, "one number per class"),
        ([[1.0, 2.0]], ValueError, "one number per class"),  # 2-D
        ([1.0, -1.0], ValueError, "finite and >= 0"),
        ([1.0, np.nan], ValueError, "finite and >= 0"),
        ([np.inf, 1.0], ValueError, "finite and >= 0"),
        ({0: 1.0, 1: 2.0}, TypeError, "one number >= 0 per class"),  # dicts are for the estimators
        (["a", "b"], TypeError, "one number >= 0 per class"),
        ("2", TypeError, "one number >= 0 per class"),
    ],
)
def test_invalid_per_class_gamma(gamma, error, message):
    with pytest.raises(error, match=message):
        BinaryFocalLoss(gamma=gamma)


@pytest.mark.parametrize("alpha", [0, 1, 0.0, 1.0, -0.1, 1.5, "x", [1, 2, 3], [0, 1], [1.0, -1.0], [1.0, np.inf], True])
def test_invalid_alpha(alpha):
    with pytest.raises((ValueError, TypeError)):
        BinaryFocalLoss(alpha=alpha)


def test_alpha_float_equals_class_weights():
    a = BinaryFocalLoss(alpha=0.25)
    b = BinaryFocalLoss(alpha=[0.75, 0.25])
    assert a == b
    assert a != BinaryFocalLoss(alpha=[0.25, 0.75])
    assert a != BinaryFocalLoss(alpha=0.25, gamma=1.0)
    assert BinaryFocalLoss() == BinaryFocalLoss(alpha=None, gamma=2)
    rng = np.random.default_rng(0)
    y, z = rng.integers(0, 2, 20), rng.normal(size=20)
    np.testing.assert_array_equal(a.gradient_hessian(y, z)[0], b.gradient_hessian(y, z)[0])


# --------------------------------------------------------------------------------------------------
# Native objective for LightGBM and XGBoost
# --------------------------------------------------------------------------------------------------
def _imbalanced(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n) > 2.0).astype(int)
    return X, y


def test_lightgbm_native_objective_reduces_loss():
    lgb = pytest.importorskip("lightgbm")
    X, y = _imbalanced()
    loss = BinaryFocalLoss(alpha=0.25, gamma=2.0)
    z0 = loss.init_score(y)
    train = lgb.Dataset(X, y, init_score=np.full(len(y), z0))
    booster = lgb.train({"objective": loss, "verbose": -1, "num_threads": 1}, train, num_boost_round=20)
    margin = booster.predict(X, raw_score=True) + z0
    assert loss.loss(y, margin).mean() < 0.9 * loss.loss(y, np.full(len(y), z0)).mean()


def test_xgboost_native_objective_reduces_loss():
    xgb = pytest.importorskip("xgboost")
    X, y = _imbalanced()
    loss = BinaryFocalLoss(alpha=0.25, gamma=2.0)
    z0 = loss.init_score(y)
    dtrain = xgb.DMatrix(X, y, base_margin=np.full(len(y), z0))
    booster = xgb.train({"max_depth": 3, "nthread": 1}, dtrain, num_boost_round=20, obj=loss)
    margin = booster.predict(dtrain, output_margin=True)
    assert loss.loss(y, margin).mean() < 0.9 * loss.loss(y, np.full(len(y), z0)).mean()


def test_native_objective_uses_dataset_weights():
    lgb = pytest.importorskip("lightgbm")
    xgb = pytest.importorskip("xgboost")
    X, y = _imbalanced(n=200)
    rng = np.random.default_rng(7)
    w = rng.integers(1, 9, size=len(y)) / 4.0  # exactly representable in float32 (both libraries' storage)
    preds = rng.normal(size=len(y))
    loss = BinaryFocalLoss(alpha=0.25, gamma=2.0)
    want_g, want_h = loss.gradient_hessian(y, preds, w)
    plain_g, _ = loss.gradient_hessian(y, preds)

    dset = lgb.Dataset(X, y, weight=w).construct()
    dmat = xgb.DMatrix(X, y, weight=w)
    for data in (dset, dmat):
        g, h = loss(preds, data)
        # labels and weights round-trip exactly through float32; the hook returns float32 (the
        # boosters' training dtype), one rounding of the same values: 6e-8, so 3e-7 with margin
        assert g.dtype == h.dtype == np.float32
        np.testing.assert_allclose(g, want_g, rtol=3e-7, atol=0)
        np.testing.assert_allclose(h, want_h, rtol=3e-7, atol=0)
        assert not np.allclose(g, plain_g)

    # Unweighted data sets (XGBoost reports an empty weight array) give the unweighted objective.
    for data in (lgb.Dataset(X, y).construct(), xgb.DMatrix(X, y)):
        g, _ = loss(preds, data)
        np.testing.assert_allclose(g, plain_g, rtol=3e-7, atol=0)  # float32, as above


# --------------------------------------------------------------------------------------------------
# Pickling
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [None, 0.25, [2.0, 3.0]])
def test_pickle_round_trip(alpha):
    loss = BinaryFocalLoss(alpha=alpha, gamma=1.5)
    clone = pickle.loads(pickle.dumps(loss))
    assert clone == loss
    assert repr(clone) == repr(loss)
    rng = np.random.default_rng(0)
    y, z = rng.integers(0, 2, 50), rng.normal(scale=4, size=50)
    g1, h1 = loss.gradient_hessian(y, z)
    g2, h2 = clone.gradient_hessian(y, z)
    np.testing.assert_array_equal(g1, g2)
    np.testing.assert_array_equal(h1, h2)


# --------------------------------------------------------------------------------------------------
# The training path: what the estimators' objective computes every boosting round (more in
# tests/test_kernels.py)
# --------------------------------------------------------------------------------------------------
def test_training_path_scales_the_hessian_only():
    from skfocal._base import SklearnObjective

    loss = BinaryFocalLoss(gamma=2.0)
    y, z = np.array([0.0, 1.0, 1.0]), np.array([-1.0, 0.5, 3.0])
    grad, hess = SklearnObjective(loss, hessian_scale=2.0)(y, z)
    expected_grad, expected_hess = loss.gradient_hessian(y, z)
    # float32 output: one rounding (6e-8 relative); tests/test_kernels.py covers the rest
    np.testing.assert_allclose(grad, expected_grad, rtol=3e-7)
    np.testing.assert_allclose(hess, 2.0 * expected_hess, rtol=3e-7)
