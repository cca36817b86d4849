"""Focal loss on raw scores: value, gradient, Hessian and optimal constant (numpy/scipy only).

Nothing here knows about LightGBM, XGBoost or scikit-learn estimators. Everything is computed
in logit space from ``log sigmoid``, so no ``1 - p`` is ever formed by subtraction (see the
module notes in ``BinaryFocalLoss``).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.optimize import brentq

__all__ = ["BinaryFocalLoss"]

#: Smallest Hessian handed to a booster. XGBoost floors its own logistic Hessian at the same
#: value; it survives LightGBM's cast to float32 (smallest normal float32 is about 1.2e-38).
HESSIAN_FLOOR = 1e-16


def check_gamma(gamma, name: str = "gamma") -> float:
    """Return ``gamma`` as a float, or raise if it is not a finite number >= 0."""
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0, got {gamma!r} of type {type(gamma).__name__}.")
    gamma = float(gamma)
    if not np.isfinite(gamma) or gamma < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {gamma!r}.")
    return gamma


def check_binary_alpha(alpha, name: str = "alpha") -> np.ndarray | None:
    """Resolve a binary ``alpha`` to the class weights ``(w0, w1)``, or ``None`` for no weighting.

    A float ``a`` in the open interval (0, 1) weights class 1 by ``a`` and class 0 by ``1 - a``
    (the convention of the focal-loss paper and of CatBoost). An array-like of two positive,
    finite numbers gives the weights of class 0 and class 1 directly.
    """
    if alpha is None:
        return None
    if isinstance(alpha, (str, bytes, bool)):
        raise TypeError(f"{name} must be None, a float in (0, 1) or two class weights, got {alpha!r}.")
    if isinstance(alpha, numbers.Real):
        a = float(alpha)
        if not (0.0 < a < 1.0):
            raise ValueError(f"{name} must lie in the open interval (0, 1), got {alpha!r}.")
        return np.array([1.0 - a, a])
    try:
        weights = np.asarray(alpha, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be None, a float in (0, 1) or two class weights, got {alpha!r}.") from None
    if weights.shape != (2,):
        raise ValueError(f"{name} as class weights must have exactly 2 entries, got shape {weights.shape}.")
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ValueError(f"{name} class weights must be finite and > 0, got {weights.tolist()}.")
    return weights


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    """``log(sigmoid(x))`` without overflow or cancellation, for any finite ``x``."""
    return -np.logaddexp(0.0, -x)


class BinaryFocalLoss:
    r"""Binary focal loss of a raw score (margin), with its derivatives and optimal constant.

    For a label :math:`y \in \{0, 1\}`, raw score :math:`z` and :math:`m = (2y - 1) z`, let
    :math:`p_t = \sigma(m)` and :math:`q = 1 - p_t = \sigma(-m)`. The loss is

    .. math:: FL(z, y) = -\alpha_t \, q^\gamma \log p_t,

    with :math:`\alpha_t` the weight of the row's class. ``gamma=0, alpha=None`` is exactly the
    log loss. All terms are computed from :math:`\log p_t = -\mathrm{softplus}(-m)` and
    :math:`\log q = -\mathrm{softplus}(m)`, so the results stay accurate at any margin
    (``q`` is never formed as ``1 - p_t``).

    Parameters
    ----------
    alpha : float, array-like of shape (2,) or None, default=None
        Class weighting. A float in the open interval (0, 1) weights class 1 by ``alpha`` and
        class 0 by ``1 - alpha``; two positive numbers are the weights of class 0 and class 1;
        ``None`` weights both classes by 1.
    gamma : float, default=2.0
        Focusing parameter, finite and ``>= 0``. Larger values down-weight well-classified rows.

    Attributes
    ----------
    class_weights_ : ndarray of shape (2,) or None
        The resolved weights of class 0 and class 1 (``None`` for no weighting).

    Notes
    -----
    **Hessian safeguard.** The exact second derivative is negative for badly misclassified rows
    (for ``gamma=2`` once :math:`m < -2.8`). A Newton booster divides the summed gradient of a
    leaf by its summed Hessian, so a negative or near-zero sum turns the step around or blows it
    up. :meth:`gradient_hessian` therefore returns ``max(|h|, 1e-16)``: the exact Hessian
    wherever it is positive (everywhere for ``gamma=0``, so log loss is unchanged), its magnitude
    where it is negative (the saddle-free Newton choice: the step keeps the gradient's
    direction and its size stays governed by the local curvature), and a floor of ``1e-16``
    (XGBoost's own floor for its logistic Hessian) where the curvature vanishes.
    :meth:`hessian_exact` gives the signed value.

    Examples
    --------
    The object is itself an objective for the native training APIs, which call it as
    ``objective(raw_score, dataset)``; give the data set the optimal start score, and add it
    back (or use the estimators, which fold it into the model) when predicting:

    >>> import numpy as np, lightgbm as lgb, xgboost as xgb
    >>> from skfocal import BinaryFocalLoss
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)); y = (X[:, 0] + rng.normal(size=500) > 1.5).astype(int)
    >>> loss = BinaryFocalLoss(alpha=0.25, gamma=2.0)
    >>> z0 = loss.init_score(y)
    >>> train = lgb.Dataset(X, y, init_score=np.full(len(y), z0))
    >>> booster = lgb.train({"objective": loss, "verbose": -1}, train, num_boost_round=20)
    >>> margin = booster.predict(X) + z0
    >>> dtrain = xgb.DMatrix(X, y, base_margin=np.full(len(y), z0))
    >>> xbooster = xgb.train({"max_depth": 3}, dtrain, num_boost_round=20, obj=loss)
    >>> xmargin = xbooster.predict(dtrain, output_margin=True)
    >>> bool(loss.loss(y, margin).mean() < loss.loss(y, np.full(len(y), z0)).mean())
    True
    """

    def __init__(self, alpha=None, gamma: float = 2.0):
        self.alpha = alpha
        self.gamma = gamma
        self.class_weights_ = check_binary_alpha(alpha)
        self._gamma = check_gamma(gamma)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alpha={self.alpha!r}, gamma={self.gamma!r})"

    def __eq__(self, other) -> bool:
        return (
            type(other) is type(self)
            and self._gamma == other._gamma
            and np.array_equal(self._weights_or_ones(), other._weights_or_ones())
        )

    __hash__ = None

    # ------------------------------------------------------------------ helpers
    def _weights_or_ones(self) -> np.ndarray:
        return np.ones(2) if self.class_weights_ is None else self.class_weights_

    @staticmethod
    def _check_y_raw(y_true, raw_score) -> tuple[np.ndarray, np.ndarray]:
        y = np.asarray(y_true)
        z = np.asarray(raw_score, dtype=float)
        if y.ndim != 1 or z.ndim != 1:
            raise ValueError(f"y_true and raw_score must be 1-D, got shapes {y.shape} and {z.shape}.")
        if y.shape != z.shape:
            raise ValueError(f"y_true and raw_score have different lengths: {len(y)} != {len(z)}.")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y_true must contain only 0 and 1 (the encoded classes).")
        if not np.all(np.isfinite(z)):
            raise ValueError("raw_score must be finite.")
        return y.astype(float), z

    def _alpha_t(self, y: np.ndarray) -> np.ndarray | float:
        if self.class_weights_ is None:
            return 1.0
        w0, w1 = self.class_weights_
        return np.where(y > 0.5, w1, w0)

    def _terms(self, y: np.ndarray, z: np.ndarray):
        """Shared pieces of loss, gradient and Hessian: sign, alpha_t, log pt, pt, q, q**gamma."""
        s = 2.0 * y - 1.0
        m = s * z
        log_pt = _log_sigmoid(m)
        log_q = _log_sigmoid(-m)
        pt = np.exp(log_pt)
        q = np.exp(log_q)
        q_gamma = np.exp(self._gamma * log_q)
        return s, self._alpha_t(y), log_pt, pt, q, q_gamma

    # -------------------------------------------------------------- public math
    def loss(self, y_true, raw_score) -> np.ndarray:
        """Per-row focal loss.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels encoded as 0 and 1.
        raw_score : array-like of shape (n_samples,)
            Raw scores (margins, log-odds of class 1).

        Returns
        -------
        loss : ndarray of shape (n_samples,)
            ``-alpha_t * (1 - p_t)**gamma * log(p_t)`` for each row.
        """
        y, z = self._check_y_raw(y_true, raw_score)
        _, alpha_t, log_pt, _, _, q_gamma = self._terms(y, z)
        return -alpha_t * q_gamma * log_pt

    def gradient_hessian(self, y_true, raw_score, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and safeguarded Hessian of the loss with respect to the raw score.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels encoded as 0 and 1.
        raw_score : array-like of shape (n_samples,)
            Raw scores (margins).
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights; both outputs are multiplied by them.

        Returns
        -------
        grad : ndarray of shape (n_samples,)
            ``s * alpha_t * q**gamma * (gamma * p_t * log p_t - q)`` with ``s = 2y - 1``.
        hess : ndarray of shape (n_samples,)
            ``max(|h|, 1e-16)`` (times the weight) with ``h`` the exact second derivative; see
            the class notes for why.
        """
        y, z = self._check_y_raw(y_true, raw_score)
        grad, hess = self._grad_hess_unchecked(y, z)
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=float)
            if w.shape != y.shape:
                raise ValueError(f"sample_weight has shape {w.shape}, expected {y.shape}.")
            grad *= w
            hess *= w
        return grad, hess

    def hessian_exact(self, y_true, raw_score) -> np.ndarray:
        """Exact (signed, unweighted) second derivative of the loss; negative for badly misclassified rows."""
        y, z = self._check_y_raw(y_true, raw_score)
        return self._hess_signed(y, z)

    def _hess_signed(self, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        g = self._gamma
        _, alpha_t, log_pt, pt, q, q_gamma = self._terms(y, z)
        return alpha_t * pt * q_gamma * ((2.0 * g + 1.0) * q + g * log_pt * (q - g * pt))

    def _grad_hess_unchecked(self, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and safeguarded Hessian for validated float arrays (the training hot path)."""
        g = self._gamma
        s, alpha_t, log_pt, pt, q, q_gamma = self._terms(y, z)
        a_qg = alpha_t * q_gamma
        grad = s * a_qg * (g * pt * log_pt - q)
        hess = a_qg * pt * ((2.0 * g + 1.0) * q + g * log_pt * (q - g * pt))
        np.abs(hess, out=hess)
        np.maximum(hess, HESSIAN_FLOOR, out=hess)
        return grad, hess

    def init_score(self, y_true, sample_weight=None) -> float:
        """The constant raw score that minimises the (weighted) mean loss.

        It depends only on the weighted class totals, so it is a one-dimensional problem solved
        in O(1) after counting: every stationary point of the mean loss is bracketed on a grid
        and refined with Brent's method, and the one with the lowest loss is returned. At
        ``gamma=0, alpha=None`` it is ``log(W1 / W0)``, the start score of the boosters' own
        logistic objectives.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels encoded as 0 and 1.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights.

        Returns
        -------
        init_score : float
        """
        y = np.asarray(y_true)
        if y.ndim != 1 or not np.all((y == 0) | (y == 1)):
            raise ValueError("y_true must be 1-D and contain only 0 and 1 (the encoded classes).")
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if w.shape != y.shape:
            raise ValueError(f"sample_weight has shape {w.shape}, expected {y.shape}.")
        totals = np.array([w[y == 0].sum(), w[y == 1].sum()])
        return self.init_score_from_totals(totals)

    def init_score_from_totals(self, class_totals) -> float:
        """Optimal constant raw score from the weighted totals ``(W0, W1)`` of the two classes.

        Parameters
        ----------
        class_totals : array-like of shape (2,)
            Summed sample weight of class 0 and of class 1; both must be positive.

        Returns
        -------
        init_score : float
        """
        w0, w1 = (float(t) for t in np.asarray(class_totals, dtype=float))
        if not (w0 > 0 and w1 > 0 and np.isfinite(w0 + w1)):
            raise ValueError(f"Both classes need a positive, finite total weight; got W0={w0!r}, W1={w1!r}.")

        def derivative(z):
            z = np.atleast_1d(np.asarray(z, dtype=float))
            g0, _ = self._grad_hess_unchecked(np.zeros_like(z), z)
            g1, _ = self._grad_hess_unchecked(np.ones_like(z), z)
            return w0 * g0 + w1 * g1

        def mean_loss(z: float) -> float:
            z = np.array([z, z])
            _, alpha_t, log_pt, _, _, q_gamma = self._terms(np.array([0.0, 1.0]), z)
            return float(np.array([w0, w1]) @ (-alpha_t * q_gamma * log_pt))

        # The log-loss solution log(W1/W0) bounds the scale of the answer; the class weights
        # shift it by at most log(w1/w0), and 40 more covers the focal term's slower tails.
        reach = abs(np.log(w1 / w0)) + float(np.ptp(np.log(self._weights_or_ones()))) + 40.0
        grid = np.linspace(-reach, reach, 4001)
        d = derivative(grid)
        roots = list(grid[d == 0])
        scalar = lambda z: float(derivative(z)[0])  # noqa: E731
        for i in np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0):
            roots.append(brentq(scalar, grid[i], grid[i + 1], xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=200))
        return float(min(roots, key=mean_loss))

    # ------------------------------------------------------------ native hooks
    def __call__(self, raw_score, dataset) -> tuple[np.ndarray, np.ndarray]:
        """Objective for ``lightgbm.train`` and ``xgboost.train``: ``(raw_score, dataset) -> (grad, hess)``.

        Labels and weights are read with ``dataset.get_label()`` / ``dataset.get_weight()``,
        which both ``lightgbm.Dataset`` and ``xgboost.DMatrix`` provide.
        """
        weight = dataset.get_weight()
        if weight is not None and np.size(weight) == 0:
            weight = None
        return self.gradient_hessian(dataset.get_label(), raw_score, weight)
