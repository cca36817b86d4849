"""Focal loss on raw scores: value, gradient, Hessian, optimal constant, posterior (numpy/scipy only).

Nothing here knows about LightGBM, XGBoost or scikit-learn estimators. Everything is computed
from log-probabilities of the raw scores, so no ``1 - p`` is ever formed by subtraction.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.optimize import brentq, minimize

__all__ = ["BinaryFocalLoss", "MulticlassFocalLoss", "MultilabelFocalLoss", "focal_posterior"]

#: Smallest Hessian handed to a booster. XGBoost floors its own logistic Hessian at the same
#: value; it survives LightGBM's cast to float32 (smallest normal float32 is about 1.2e-38).
HESSIAN_FLOOR = 1e-16
_TINY = np.finfo(float).tiny
_EMPTY_WEIGHTS = np.empty(0, dtype=np.float64)  # "no sample weights" for the training kernels


def check_gamma(gamma, name: str = "gamma") -> float:
    """Return ``gamma`` as a float, or raise if it is not a finite number >= 0."""
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0, got {gamma!r} of type {type(gamma).__name__}.")
    gamma = float(gamma)
    if not np.isfinite(gamma) or gamma < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {gamma!r}.")
    return gamma


def check_class_gammas(gamma, n_classes: int | None, name: str = "gamma") -> float | np.ndarray:
    """Resolve ``gamma`` to one focusing parameter for all classes (a float) or one per class.

    A real number is one gamma for every class. An array-like is one gamma per class, in
    order (``n_classes`` of them, when given); where all are equal it is that one float, so
    that ``[g, g]`` and ``g`` are the same loss and take the same code. Every gamma must be
    finite and ``>= 0``.
    """
    kinds = "a number >= 0 or one number >= 0 per class"
    if isinstance(gamma, (str, bytes, bool, dict)) or gamma is None:
        raise TypeError(f"{name} must be {kinds}, got {gamma!r} of type {type(gamma).__name__}.")
    if isinstance(gamma, numbers.Real):
        return check_gamma(gamma, name)
    try:
        gammas = np.asarray(gamma, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {kinds}, got {gamma!r}.") from None
    if gammas.ndim == 0:
        return check_gamma(float(gammas), name)
    if gammas.ndim != 1 or len(gammas) < 2 or (n_classes is not None and len(gammas) != n_classes):
        expected = n_classes if n_classes is not None else "at least 2"
        raise ValueError(
            f"{name} must be one number, or one number per class ({expected} of them, in class order); "
            f"got shape {gammas.shape}."
        )
    if not np.all(np.isfinite(gammas)) or np.any(gammas < 0):
        raise ValueError(f"{name} values must be finite and >= 0, got {gammas.tolist()}.")
    if np.all(gammas == gammas[0]):
        return float(gammas[0])
    return gammas


def check_label_gammas(gamma, n_labels: int | None = None, name: str = "gamma"):
    """``gamma`` of a multilabel loss: one float for all labels, or an ndarray of one per label (finite, >= 0)."""
    if isinstance(gamma, numbers.Real) or (isinstance(gamma, np.ndarray) and gamma.ndim == 0):
        return check_gamma(gamma if isinstance(gamma, numbers.Real) else gamma.item(), name)
    if isinstance(gamma, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be a number >= 0 or one number per label, got {gamma!r}.")
    try:
        values = np.asarray(gamma, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number >= 0 or one number per label, got {gamma!r}.") from None
    if values.ndim != 1 or len(values) == 0 or (n_labels is not None and len(values) != n_labels):
        expected = f"{n_labels} labels" if n_labels is not None else "the labels"
        raise ValueError(f"{name} must be one number, or one per label ({expected}); got shape {values.shape}.")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"{name} must hold finite numbers >= 0, got {values.tolist()}.")
    return values


def check_label_weights(alpha, n_labels: int | None = None, name: str = "alpha") -> np.ndarray | None:
    """Class weights of a multilabel loss: ``None``, ``(w0, w1)`` for every label, or one pair per label.

    A float ``a`` in (0, 1) weights the positives of every label by ``a`` and the negatives by
    ``1 - a``; a 1-D array-like gives one such float per label; an array of shape
    ``(n_labels, 2)`` gives the positive weights of the negatives and the positives of each label.
    Returns ``None``, an array of shape (2,) (shared) or of shape (n_labels, 2).
    """
    if alpha is None:
        return None
    kinds = "None, a float in (0, 1), one float in (0, 1) per label, or (n_labels, 2) class weights"
    if isinstance(alpha, (str, bytes, bool, dict, set)):
        raise TypeError(f"{name} must be {kinds}, got {alpha!r}.")
    if isinstance(alpha, numbers.Real):
        return check_class_weights(alpha, 2, name)
    try:
        values = np.asarray(alpha, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {kinds}, got {alpha!r}.") from None
    expected = n_labels if n_labels is not None else len(values)
    if values.ndim == 1 and len(values) == expected and len(values) > 0:
        if not np.all((values > 0) & (values < 1)):
            raise ValueError(f"{name} per label must lie in the open interval (0, 1), got {values.tolist()}.")
        return np.column_stack([1.0 - values, values])
    if values.ndim == 2 and values.shape == (expected, 2) and len(values) > 0:
        if not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(f"{name} class weights must be finite and > 0, got {values.tolist()}.")
        return values
    raise ValueError(
        f"{name} must be one float, one float per label ({expected}) or one pair of weights per label; "
        f"got shape {values.shape}."
    )


def check_class_weights(alpha, n_classes: int | None, name: str = "alpha") -> np.ndarray | None:
    """Resolve ``alpha`` to one positive weight per class, or ``None`` for no weighting.

    ``None``: no weighting. An array-like of positive, finite numbers: the weights of the classes
    in order (``n_classes`` of them, when given). For two classes a float ``a`` in the open
    interval (0, 1) weights class 1 by ``a`` and class 0 by ``1 - a`` (the convention of the
    focal-loss paper and of CatBoost).
    """
    if alpha is None:
        return None
    kinds = "None, a float in (0, 1) or one weight per class" if n_classes == 2 else "None or one weight per class"
    if isinstance(alpha, (str, bytes, bool, dict)):
        raise TypeError(f"{name} must be {kinds}, got {alpha!r}.")
    if isinstance(alpha, numbers.Real):
        if n_classes != 2:
            raise TypeError(f"{name} as a single number is for two classes only; give one weight per class.")
        a = float(alpha)
        if not (0.0 < a < 1.0):
            raise ValueError(f"{name} must lie in the open interval (0, 1), got {alpha!r}.")
        return np.array([1.0 - a, a])
    try:
        weights = np.asarray(alpha, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {kinds}, got {alpha!r}.") from None
    if weights.ndim != 1 or (n_classes is not None and len(weights) != n_classes) or len(weights) < 2:
        expected = n_classes if n_classes is not None else "at least 2"
        raise ValueError(f"{name} must have one weight per class ({expected}), got shape {weights.shape}.")
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ValueError(f"{name} class weights must be finite and > 0, got {weights.tolist()}.")
    return weights


def _check_weight(sample_weight, y: np.ndarray) -> np.ndarray:
    """Row weights as float64, one per label."""
    w = np.asarray(sample_weight, dtype=float)
    if w.shape != y.shape:
        raise ValueError(f"sample_weight has shape {w.shape}, expected {y.shape}.")
    return w


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    """``log(sigmoid(x))`` without overflow or cancellation, for any finite ``x``."""
    return -np.logaddexp(0.0, -x)


def softmax_rows(z: np.ndarray) -> np.ndarray:
    """``softmax(z, axis=1)`` of a 2-D array: scipy's, without its overhead on a few rows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def _log_softmax_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log p`` and ``log(1 - p)`` of ``p = softmax(z)`` row-wise, both accurate for any finite ``z``.

    With ``m`` the row maximum and ``s`` the sum of ``exp(z_j - m)`` over the other entries,
    ``log p_j = z_j - m - log1p(s)``; the largest ``p`` has ``1 - p = s / (1 + s)``, and every
    other ``p`` is at most 1/2, so ``-expm1(log p)`` is accurate for it.
    """
    n, k = z.shape
    rows = np.arange(n)
    top = np.argmax(z, axis=1)
    shifted = z - z[rows, top][:, None]
    e = np.exp(shifted)
    e[rows, top] = 0.0
    s = e.sum(axis=1)
    log1p_s = np.log1p(s)
    log_p = shifted - log1p_s[:, None]
    log_1mp = np.log(np.maximum(-np.expm1(np.minimum(log_p, np.log(0.5))), _TINY))
    log_1mp[rows, top] = np.log(np.maximum(s, _TINY)) - log1p_s
    return log_p, log_1mp


def _posterior(log_p: np.ndarray, log_1mp: np.ndarray, class_weights, gamma: float) -> np.ndarray:
    """Class posterior from the probabilities ``p`` of a focal-loss model (rows of ``log p``).

    The population minimiser of the focal loss satisfies ``p_j = eta_j alpha_j |A(p_j)| / Z``
    with ``A(p) = (1 - p)**(gamma - 1) * (gamma * p * log p - (1 - p))``, so
    ``eta_j`` is proportional to ``p_j / (alpha_j |A(p_j)|)`` (Charoenphakdee et al., CVPR 2021).
    With a gamma per class (``gamma`` of shape ``(K,)``), ``A`` of column ``j`` uses ``gamma_j``.
    Computed in logs: ``log|A(p)| = gamma log(1-p) + log(1 - gamma p log(p) / (1-p))``.
    """
    p = np.exp(log_p)
    one_m_p = np.exp(log_1mp)
    # log(p) / (1 - p) tends to -1 as p -> 1; where 1 - p underflows the limit is exact enough.
    ratio = np.divide(log_p, one_m_p, out=np.full_like(log_p, -1.0), where=one_m_p > 0)
    log_abs_a = gamma * log_1mp + np.log1p(-gamma * p * ratio)
    log_eta = log_p - log_abs_a
    if class_weights is not None:
        log_eta = log_eta - np.log(class_weights)
    return softmax_rows(log_eta)


def focal_posterior(y_prob, *, gamma=2.0, alpha=None) -> np.ndarray:
    """Class posterior probabilities recovered from the output of a focal-loss model.

    A model trained with the focal loss does not predict class probabilities: it predicts the
    minimiser of the focal loss, which is pushed towards 1/2 (binary) or towards uniform. That
    minimiser can be inverted in closed form (Charoenphakdee, Vongkulbhisal, Chairatanakul and
    Sugiyama, "On Focal Loss for Class-Posterior Probability Estimation: A Theoretical
    Perspective", CVPR 2021). At ``gamma=0, alpha=None`` the input is returned unchanged.

    Parameters
    ----------
    y_prob : array-like of shape (n_samples,) or (n_samples, n_classes)
        The model's probabilities: the sigmoid of the margin as the probability of class 1, or
        the softmax of the margins (rows summing to 1), for example a booster's prediction.
    gamma : float or array-like of shape (n_classes,), default=2.0
        The focusing parameter the model was trained with: one for all classes, or one per
        class (for two classes: the gamma of class 0, then of class 1), as in
        :class:`BinaryFocalLoss` and :class:`MulticlassFocalLoss`.
    alpha : float, array-like of shape (n_classes,) or None, default=None
        The class weights the model was trained with, as in :class:`BinaryFocalLoss` and
        :class:`MulticlassFocalLoss`.

    Returns
    -------
    posterior : ndarray of shape (n_samples, n_classes)
        Estimated class probabilities (two columns for 1-D input).

    See Also
    --------
    BinaryFocalLoss.posterior, MulticlassFocalLoss.posterior : The same from raw scores.

    Examples
    --------
    >>> import numpy as np
    >>> from skfocal import focal_posterior
    >>> focal_posterior(np.array([0.5, 0.3]), gamma=2.0).round(3)
    array([[0.5  , 0.5  ],
           [0.906, 0.094]])
    """
    prob = np.asarray(y_prob, dtype=float)
    if prob.ndim not in (1, 2) or (prob.ndim == 2 and prob.shape[1] < 2):
        raise ValueError(f"y_prob must have shape (n_samples,) or (n_samples, n_classes), got {np.shape(y_prob)}.")
    if not np.all(np.isfinite(prob)) or np.any((prob < 0) | (prob > 1)):
        raise ValueError("y_prob must contain probabilities in [0, 1].")
    if prob.ndim == 2 and not np.allclose(prob.sum(axis=1), 1.0, rtol=0, atol=1e-6):
        raise ValueError("The rows of y_prob must sum to 1.")
    n_classes = 2 if prob.ndim == 1 else prob.shape[1]
    gamma = check_class_gammas(gamma, n_classes)
    class_weights = check_class_weights(alpha, n_classes)
    log_p, log_1mp = _log_proba_parts_of_probabilities(prob)
    return _posterior(log_p, log_1mp, class_weights, gamma)


def _log_proba_parts_of_probabilities(prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log p`` and ``log(1 - p)`` of given probabilities, without forming ``1 - p`` near ``p = 1``.

    1-D input is the probability of class 1, whose complement is exact: ``log1p(-p)``. In a
    matrix, ``1 - p`` of the largest entry of a row is the sum of the others; every other entry
    is at most 1/2, where ``1 - p`` is exact enough.
    """
    clipped = np.clip(prob, _TINY, 1.0)
    if prob.ndim == 1:
        log_p1, log_p0 = np.log(clipped), np.log1p(-np.minimum(prob, 1.0 - np.finfo(float).epsneg))
        return np.column_stack([log_p0, log_p1]), np.column_stack([log_p1, log_p0])
    rows = np.arange(len(prob))
    top = np.argmax(prob, axis=1)
    others = prob.copy()
    others[rows, top] = 0.0
    one_m_p = 1.0 - prob
    one_m_p[rows, top] = others.sum(axis=1)
    return np.log(clipped), np.log(np.maximum(one_m_p, _TINY))


class _FocalLoss:
    """What the binary and the multiclass focal loss share: parameters, weights, native hook."""

    _n_classes: int | None = None

    def __init__(self, alpha=None, gamma=2.0):
        self.alpha = alpha
        self.gamma = gamma
        #: One gamma for all classes (a float: the scalar code paths), or one per class (K,)
        self._gamma = check_class_gammas(gamma, self._n_classes)
        self.class_weights_ = check_class_weights(alpha, self._n_classes)
        self.class_gammas_ = None if isinstance(self._gamma, float) else self._gamma
        if self.class_gammas_ is not None and self.class_weights_ is not None:
            if len(self.class_gammas_) != len(self.class_weights_):
                raise ValueError(
                    f"gamma has {len(self.class_gammas_)} values per class but alpha has "
                    f"{len(self.class_weights_)} weights; give both for the same classes."
                )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alpha={self.alpha!r}, gamma={self.gamma!r})"

    def __eq__(self, other) -> bool:
        if type(other) is not type(self) or not np.array_equal(self._gamma, other._gamma):
            return False
        mine, theirs = self.class_weights_, other.class_weights_
        if mine is None or theirs is None:
            return (mine is None or np.all(mine == 1)) and (theirs is None or np.all(theirs == 1))
        return np.array_equal(mine, theirs)

    __hash__ = None

    def _alpha_t(self, y: np.ndarray):
        return 1.0 if self.class_weights_ is None else self.class_weights_[y.astype(np.intp)]

    def _gamma_t(self, y: np.ndarray):
        """The row's gamma: the float for all classes, or the gamma of each row's class (by index, exactly)."""
        return self._gamma if self.class_gammas_ is None else self.class_gammas_[y.astype(np.intp)]

    def _check_n_gammas(self, k: int, what: str = "raw_score has") -> None:
        if self.class_gammas_ is not None and len(self.class_gammas_) != k:
            raise ValueError(f"{what} {k} classes but gamma has {len(self.class_gammas_)} values, one per class.")

    def loss(self, y_true, raw_score) -> np.ndarray:
        """Per-row focal loss ``-alpha_t * (1 - p_t)**gamma * log(p_t)``.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels encoded as ``0 .. K-1``.
        raw_score : array-like of shape (n_samples,) for two classes, else (n_samples, K)
            Raw scores (margins).

        Returns
        -------
        loss : ndarray of shape (n_samples,)
        """
        y, z = self._check_y_raw(y_true, raw_score)
        return self._loss_unchecked(y, z)

    def gradient_hessian(self, y_true, raw_score, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and safeguarded Hessian (diagonal, for K classes) with respect to the raw score.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels encoded as ``0 .. K-1``.
        raw_score : array-like of shape (n_samples,) for two classes, else (n_samples, K)
            Raw scores (margins).
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights; both outputs are multiplied by them.

        Returns
        -------
        grad, hess : ndarray of the shape of ``raw_score``
            The exact gradient, and ``max(|h|, 1e-16)`` (times the weight) with ``h`` the exact
            second derivative; see the class notes for why.
        """
        y, z = self._check_y_raw(y_true, raw_score)
        grad, hess = self._grad_hess_unchecked(y, z)
        if sample_weight is not None:
            w = _check_weight(sample_weight, y)
            w = w if grad.ndim == 1 else w[:, None]
            grad *= w
            hess *= w
        return grad, hess

    def _training_gradient_hessian(
        self, y_true, raw_score, sample_weight=None, *, hessian_scale=1.0, out=None, n_threads=1, offset=None, team=None
    ):
        """:meth:`gradient_hessian` for the boosters' training loop: compiled, float32, no input checks.

        The estimators validate labels and weights once in ``fit``; this skips re-checking them
        every boosting round and runs the fused kernels of :mod:`skfocal._kernels` (the same
        formulas, held to :meth:`gradient_hessian` by the tests); small inputs take this numpy
        reference instead and never import numba (:mod:`skfocal._fastpath`). Labels may be any
        numeric dtype holding ``0 .. K-1``. The Hessian is multiplied by ``hessian_scale``;
        ``out`` is a pair of float32 arrays of the shape of ``raw_score`` to write into
        (allocated if ``None``); ``n_threads`` threads share the rows; ``offset`` (a start
        score: a number for two classes, ``(K,)`` for K) is added to ``raw_score`` first;
        ``team``: a booster's OpenMP runtime to run on (:func:`skfocal._compat.openmp_team`).
        """
        from . import _fastpath

        z = np.asarray(raw_score)
        if z.dtype not in (np.float32, np.float64):
            z = z.astype(np.float64)
        y = np.asarray(y_true)
        w = _EMPTY_WEIGHTS if sample_weight is None else np.asarray(sample_weight)
        if w.dtype not in (np.float32, np.float64):
            w = w.astype(np.float64)
        if out is None:
            out = (np.empty_like(z, dtype=np.float32), np.empty_like(z, dtype=np.float32))
        _fastpath.gradient_hessian(self, y, z, w, hessian_scale, out, n_threads=n_threads, offset=offset, team=team)
        return out

    def hessian_exact(self, y_true, raw_score) -> np.ndarray:
        """Exact (signed, unweighted) second derivative; negative for badly misclassified rows.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels encoded as ``0 .. K-1``.
        raw_score : array-like of shape (n_samples,) for two classes, else (n_samples, K)
            Raw scores (margins).

        Returns
        -------
        hess : ndarray of the shape of ``raw_score``
        """
        y, z = self._check_y_raw(y_true, raw_score)
        return self._hess_signed(y, z)

    def init_score(self, y_true, sample_weight=None):
        """The constant raw score that minimises the (weighted) mean loss.

        It depends only on the weighted class totals; see :meth:`init_score_from_totals`.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Labels encoded as ``0 .. K-1``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights.

        Returns
        -------
        init_score : float for two classes, else ndarray of shape (K,)
        """
        y = np.asarray(y_true)
        k = self._n_classes or next((len(c) for c in (self.class_weights_, self.class_gammas_) if c is not None), None)
        if y.ndim != 1 or not self._valid_labels(y, k):
            labels = f"0 .. {k - 1}" if k else "0 .. K-1"
            raise ValueError(f"y_true must be 1-D and contain only the encoded classes {labels}.")
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if w.shape != y.shape:
            raise ValueError(f"sample_weight has shape {w.shape}, expected {y.shape}.")
        totals = np.bincount(y.astype(np.intp), weights=w, minlength=k or 0)
        return self.init_score_from_totals(totals)

    @staticmethod
    def _valid_labels(y: np.ndarray, k: int | None) -> bool:
        if not np.issubdtype(y.dtype, np.number) or not np.all(np.isfinite(y)):
            return False
        ok = (y >= 0) & (y == np.round(y))
        if k is not None:
            ok &= y < k
        return bool(np.all(ok))

    def posterior(self, raw_score) -> np.ndarray:
        """Class posterior probabilities from raw scores, inverting the loss's minimiser.

        Parameters
        ----------
        raw_score : array-like of shape (n_samples,) for two classes, else (n_samples, K)
            Raw scores (margins) of a model trained with this loss.

        Returns
        -------
        posterior : ndarray of shape (n_samples, K)

        See Also
        --------
        focal_posterior : The same from probabilities.
        """
        z = self._check_raw(raw_score)
        if self.class_weights_ is not None and z.ndim == 2 and z.shape[1] != len(self.class_weights_):
            raise ValueError(f"raw_score has {z.shape[1]} columns but alpha has {len(self.class_weights_)} weights.")
        if z.ndim == 2:
            self._check_n_gammas(z.shape[1])
        log_p, log_1mp = self._log_proba_parts(z)
        return _posterior(log_p, log_1mp, self.class_weights_, self._gamma)

    def __call__(self, raw_score, dataset) -> tuple[np.ndarray, np.ndarray]:
        """Objective for ``lightgbm.train`` and ``xgboost.train``: ``(raw_score, dataset) -> (grad, hess)``.

        Labels and weights are read with ``dataset.get_label()`` / ``dataset.get_weight()``,
        which both ``lightgbm.Dataset`` and ``xgboost.DMatrix`` provide. Labels and scores are
        checked every round as in :meth:`gradient_hessian`; the values come from the compiled
        training path (float32, what both boosters train on; one thread, as this hook cannot
        see the booster's thread setting).
        """
        weight = dataset.get_weight()
        if weight is not None and np.size(weight) == 0:
            weight = None
        y, z = self._check_y_raw(dataset.get_label(), raw_score)
        return self._training_gradient_hessian(y, z, None if weight is None else _check_weight(weight, y))


class BinaryFocalLoss(_FocalLoss):
    r"""Binary focal loss of a raw score (margin), with its derivatives and optimal constant.

    For a label :math:`y \in \{0, 1\}`, raw score :math:`z` and :math:`m = (2y - 1) z`, let
    :math:`p_t = \sigma(m)` and :math:`q = 1 - p_t = \sigma(-m)`. The loss is

    .. math:: FL(z, y) = -\alpha_t \, q^\gamma \log p_t,

    with :math:`\alpha_t` the weight of the row's class (and :math:`\gamma` the row's class's
    gamma, where one is given per class). ``gamma=0, alpha=None`` is exactly the
    log loss. All terms are computed from :math:`\log p_t = -\mathrm{softplus}(-m)` and
    :math:`\log q = -\mathrm{softplus}(m)`, so the results stay accurate at any margin
    (``q`` is never formed as ``1 - p_t``).

    Parameters
    ----------
    alpha : float, array-like of shape (2,) or None, default=None
        Class weighting. A float in the open interval (0, 1) weights class 1 by ``alpha`` and
        class 0 by ``1 - alpha``; two positive numbers are the weights of class 0 and class 1;
        ``None`` weights both classes by 1.
    gamma : float or array-like of shape (2,), default=2.0
        Focusing parameter, finite and ``>= 0``. Larger values down-weight well-classified rows.
        Two numbers are the gammas of class 0 and of class 1: each row's loss, gradient and
        Hessian use its own class's gamma (the asymmetric focal loss; ``[4, 0]`` focuses the
        negatives and leaves the positives' log loss as it is).

    Attributes
    ----------
    class_weights_ : ndarray of shape (2,) or None
        The resolved weights of class 0 and class 1 (``None`` for no weighting).
    class_gammas_ : ndarray of shape (2,) or None
        The gammas of class 0 and class 1, or ``None`` where one gamma serves both (also when
        the two given are equal).

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
    >>> loss.posterior(margin).shape  # class probabilities, corrected for the focal distortion
    (500, 2)
    """

    _n_classes = 2

    @staticmethod
    def _check_raw(raw_score) -> np.ndarray:
        z = np.asarray(raw_score, dtype=float)
        if z.ndim != 1:
            raise ValueError(f"raw_score must be 1-D for two classes, got shape {z.shape}.")
        if not np.all(np.isfinite(z)):
            raise ValueError("raw_score must be finite.")
        return z

    def _check_y_raw(self, y_true, raw_score) -> tuple[np.ndarray, np.ndarray]:
        y = np.asarray(y_true)
        z = self._check_raw(raw_score)
        if y.ndim != 1:
            raise ValueError(f"y_true must be 1-D, got shape {y.shape}.")
        if y.shape != z.shape:
            raise ValueError(f"y_true and raw_score have different lengths: {len(y)} != {len(z)}.")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y_true must contain only 0 and 1 (the encoded classes).")
        return y.astype(float), z

    @staticmethod
    def _log_proba_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        log_p1, log_p0 = _log_sigmoid(z), _log_sigmoid(-z)
        return np.column_stack([log_p0, log_p1]), np.column_stack([log_p1, log_p0])

    def _terms(self, y: np.ndarray, z: np.ndarray):
        """Shared pieces of loss, gradient and Hessian: sign, alpha_t, log pt, pt, q, q**gamma, gamma.

        ``gamma`` is the float, or with a gamma per class each row's class's (an array). One
        ``exp`` and one ``log1p`` of ``-|m|`` give both ``log p_t = -(max(-m, 0) + log1p(e))``
        and ``log q = -(max(m, 0) + log1p(e))`` (``e = exp(-|m|)``), each without cancellation;
        labels enter as 0/1 numbers, so the sign and the class weight are affine in them.
        """
        # In place where it can be: at a few thousand rows (the training path of small fits)
        # the cost is the number of numpy calls and temporaries, not the arithmetic.
        y = np.asarray(y, dtype=np.float64)
        s = 2.0 * y
        s -= 1.0
        m = s * z
        softplus_tail = np.abs(m)
        np.negative(softplus_tail, out=softplus_tail)
        np.exp(softplus_tail, out=softplus_tail)
        np.log1p(softplus_tail, out=softplus_tail)
        log_pt = np.minimum(m, -0.0)  # -max(-m, 0), to the sign of zero
        log_pt -= softplus_tail
        log_q = np.maximum(m, 0.0)
        log_q += softplus_tail
        np.negative(log_q, out=log_q)
        pt = np.exp(log_pt)
        q = np.exp(log_q, out=softplus_tail)
        if self.class_gammas_ is None:
            g = self._gamma
            q_gamma = 1.0 if g == 0 else (q if g == 1 else (q * q if g == 2 else np.exp(g * log_q)))
        else:  # the row's class's gamma, picked (not interpolated: that would round)
            g = np.where(y > 0.5, self.class_gammas_[1], self.class_gammas_[0])
            q_gamma = np.exp(g * log_q)
        if self.class_weights_ is None:
            alpha_t = 1.0
        else:
            w0, w1 = self.class_weights_
            alpha_t = w0 + (w1 - w0) * y
        return s, alpha_t, log_pt, pt, q, q_gamma, g

    def _loss_unchecked(self, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        _, alpha_t, log_pt, _, _, q_gamma, _ = self._terms(y, z)
        return -alpha_t * q_gamma * log_pt

    def _hess_signed(self, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        _, alpha_t, log_pt, pt, q, q_gamma, g = self._terms(y, z)
        return alpha_t * pt * q_gamma * ((2.0 * g + 1.0) * q + g * log_pt * (q - g * pt))

    def _grad_hess_unchecked(self, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and safeguarded Hessian for validated arrays (the training hot path, in place)."""
        s, alpha_t, log_pt, pt, q, q_gamma, g = self._terms(y, z)
        a_qg = s * q_gamma if np.ndim(q_gamma) else s * float(q_gamma)  # s * alpha_t * q**gamma
        a_qg *= alpha_t
        # grad = s alpha_t q^g (g pt log pt - q)
        grad = pt * log_pt
        grad *= g
        grad -= q
        grad *= a_qg
        # hess = alpha_t q^g pt ((2g + 1) q + g log pt (q - g pt)); a_qg carries the sign s,
        # which the absolute value below removes
        hess = pt * -g
        hess += q
        hess *= log_pt
        hess *= g
        q *= 2.0 * g + 1.0  # q is not used again
        hess += q
        hess *= pt
        hess *= a_qg
        np.abs(hess, out=hess)
        np.maximum(hess, HESSIAN_FLOOR, out=hess)
        return grad, hess

    def init_score_from_totals(self, class_totals) -> float:
        """Optimal constant raw score from the weighted totals ``(W0, W1)`` of the two classes.

        A one-dimensional problem: every stationary point of the mean loss is bracketed on a
        grid and refined with Brent's method, and the one with the lowest loss is returned (the
        focal loss is not convex in the raw score). At ``gamma=0, alpha=None`` it is
        ``log(W1 / W0)``, the start score of the boosters' own logistic objectives.

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
            return float(np.array([w0, w1]) @ self._loss_unchecked(np.array([0.0, 1.0]), z))

        # The log-loss solution log(W1/W0) bounds the scale of the answer; the class weights
        # shift it by at most log(w1/w0), and 40 more covers the focal term's slower tails.
        weights = np.ones(2) if self.class_weights_ is None else self.class_weights_
        reach = abs(np.log(w1 / w0)) + float(np.ptp(np.log(weights))) + 40.0
        grid = np.linspace(-reach, reach, 4001)
        d = derivative(grid)
        roots = list(grid[d == 0])
        scalar = lambda z: float(derivative(z)[0])  # noqa: E731
        for i in np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0):
            roots.append(brentq(scalar, grid[i], grid[i + 1], xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=200))
        return float(min(roots, key=mean_loss))


class MulticlassFocalLoss(_FocalLoss):
    r"""Softmax focal loss of K raw scores, with gradient, diagonal Hessian and optimal constants.

    For raw scores :math:`z \in \mathbb{R}^K`, :math:`p = \mathrm{softmax}(z)` and true class
    :math:`t`, the loss is :math:`FL = -\alpha_t (1 - p_t)^\gamma \log p_t`. With
    :math:`A(p) = (1-p)^{\gamma-1} (\gamma p \log p - (1 - p))`, the gradient is
    :math:`\partial FL / \partial z_j = \alpha_t A(p_t) (\delta_{tj} - p_j)` and the diagonal of the
    Hessian is :math:`\alpha_t (A'(p_t) p_t (\delta_{tj} - p_j)^2 - A(p_t) p_j (1 - p_j))`.
    ``gamma=0, alpha=None`` is the softmax cross-entropy. Probabilities and their complements
    come from log-softmax without cancellation, and no negative power of :math:`1 - p_t` is
    formed, so all values stay finite at any margin.

    Parameters
    ----------
    alpha : array-like of shape (K,) or None, default=None
        Positive weight of each class (``None``: all 1).
    gamma : float or array-like of shape (K,), default=2.0
        Focusing parameter, finite and ``>= 0``: one for all classes, or one per class, where a
        row's loss uses the gamma of its true class (as it uses that class's weight).

    Attributes
    ----------
    class_weights_ : ndarray of shape (K,) or None
        The class weights (``None`` for no weighting).
    class_gammas_ : ndarray of shape (K,) or None
        The gamma of each class, or ``None`` where one gamma serves all (also when all those
        given are equal).

    Notes
    -----
    **Hessian safeguard.** The exact diagonal is negative for many entries (about 16% at
    ``gamma=2`` on N(0, 3) logits); as in :class:`BinaryFocalLoss`, :meth:`gradient_hessian`
    returns ``max(|h|, 1e-16)``, which is the exact value wherever that is positive (always at
    ``gamma=0``). It does not rescale ``p (1 - p)`` as the boosters' built-in softmax
    objectives do (LightGBM multiplies by ``K / (K - 1)``, XGBoost by 2); the estimators apply
    their booster's factor, so that ``focal_gamma=0`` gives the booster's own model.

    Examples
    --------
    >>> import numpy as np, lightgbm as lgb
    >>> from skfocal import MulticlassFocalLoss
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 3)); y = np.digitize(X[:, 0] + rng.normal(size=600), [-1.0, 1.0])
    >>> loss = MulticlassFocalLoss(gamma=2.0)
    >>> z0 = loss.init_score(y)  # one constant per class
    >>> train = lgb.Dataset(X, y, init_score=np.tile(z0, (len(y), 1)))
    >>> params = {"objective": loss, "num_class": 3, "verbose": -1}
    >>> booster = lgb.train(params, train, num_boost_round=20)
    >>> margin = booster.predict(X) + z0
    >>> bool(loss.loss(y, margin).mean() < loss.loss(y, np.tile(z0, (len(y), 1))).mean())
    True
    """

    @staticmethod
    def _check_raw(raw_score) -> np.ndarray:
        z = np.asarray(raw_score, dtype=float)
        if z.ndim != 2 or z.shape[1] < 2:
            raise ValueError(f"raw_score must have shape (n_samples, K) with K >= 2, got {z.shape}.")
        if not np.all(np.isfinite(z)):
            raise ValueError("raw_score must be finite.")
        return z

    def _check_y_raw(self, y_true, raw_score) -> tuple[np.ndarray, np.ndarray]:
        y = np.asarray(y_true)
        z = self._check_raw(raw_score)
        if self.class_weights_ is not None and len(self.class_weights_) != z.shape[1]:
            raise ValueError(f"raw_score has {z.shape[1]} columns but alpha has {len(self.class_weights_)} weights.")
        self._check_n_gammas(z.shape[1])
        if y.ndim != 1 or len(y) != len(z):
            raise ValueError(
                f"y_true must be 1-D with one label per row of raw_score, got shapes {y.shape}, {z.shape}."
            )
        if not self._valid_labels(y, z.shape[1]):
            raise ValueError(f"y_true must contain only the encoded classes 0 .. {z.shape[1] - 1}.")
        return y.astype(np.intp), z

    @staticmethod
    def _log_proba_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _log_softmax_parts(z)

    def _terms(self, y: np.ndarray, z: np.ndarray):
        """Row pieces: log p, p, 1 - p, alpha_t, log p_t, p_t, q = 1 - p_t, q**gamma, A(p_t) and gamma_t.

        ``gamma_t``: the float, or with a gamma per class each row's true class's.
        """
        g = self._gamma_t(y)
        rows = np.arange(len(y))
        log_p, log_1mp = _log_softmax_parts(z)
        p = np.exp(log_p)
        log_pt, log_q = log_p[rows, y], log_1mp[rows, y]
        pt, q = np.exp(log_pt), np.exp(log_q)
        q_gamma = np.exp(g * log_q)
        # A(p_t) = q**gamma * (gamma * p_t * log(p_t) / q - 1); log(p_t) / q -> -1 as q -> 0.
        ratio = np.divide(log_pt, q, out=np.full_like(q, -1.0), where=q > 0)
        a = q_gamma * (g * pt * ratio - 1.0)
        return rows, log_p, p, log_1mp, self._alpha_t(y), log_pt, pt, q, q_gamma, a, g

    def _loss_unchecked(self, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        _, _, _, _, alpha_t, log_pt, _, _, q_gamma, _, _ = self._terms(y, z)
        return -alpha_t * q_gamma * log_pt

    def _grad_hess_signed(self, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, log_p, p, log_1mp, alpha_t, log_pt, pt, q, q_gamma, a, g = self._terms(y, z)
        alpha_t = np.broadcast_to(alpha_t, q.shape)[:, None]
        # (delta_tj - p_j) / q: 1 on the true class, -p_j / q (at most 1 in size) elsewhere.
        log_q = np.log(np.maximum(q, _TINY))
        rho = -np.exp(log_p - log_q[:, None])
        rho[rows, y] = 1.0
        grad = alpha_t * (a * q)[:, None] * rho
        # A'(p_t) * q**2, the bounded form of A'(p_t) (delta_tj - p_j)**2 / rho**2
        c = g * q_gamma * (q * (log_pt + 2.0) - (g - 1.0) * pt * log_pt)
        one_m_p = np.exp(log_1mp)
        hess = alpha_t * (c[:, None] * pt[:, None] * rho**2 - a[:, None] * p * one_m_p)
        return grad, hess

    def _hess_signed(self, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        return self._grad_hess_signed(y, z)[1]

    def _grad_hess_unchecked(self, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        grad, hess = self._grad_hess_signed(y, z)
        np.abs(hess, out=hess)
        np.maximum(hess, HESSIAN_FLOOR, out=hess)
        return grad, hess

    def init_score_from_totals(self, class_totals) -> np.ndarray:
        """Optimal constant raw scores from the weighted total ``W_k`` of each class.

        The raw scores are defined up to a common shift; the answer is returned as the log of
        the optimal constant probability vector. At ``gamma=0, alpha=None`` that is
        ``log(W_k / W)``, the start of LightGBM's own multiclass objective. Found by L-BFGS on
        the K-dimensional mean loss, started from that log-loss solution.

        Parameters
        ----------
        class_totals : array-like of shape (K,)
            Summed sample weight of each class; all must be positive.

        Returns
        -------
        init_score : ndarray of shape (K,)
        """
        totals = np.asarray(class_totals, dtype=float)
        if totals.ndim != 1 or len(totals) < 2 or not np.all(totals > 0) or not np.all(np.isfinite(totals)):
            raise ValueError(f"Every class needs a positive, finite total weight; got {totals.tolist()!r}.")
        k = len(totals)
        if self.class_weights_ is not None and len(self.class_weights_) != k:
            raise ValueError(f"class_totals has {k} classes but alpha has {len(self.class_weights_)} weights.")
        self._check_n_gammas(k, "class_totals has")
        labels = np.arange(k)
        share = totals / totals.sum()

        def objective(c):
            z = np.tile(c, (k, 1))
            grad, _ = self._grad_hess_signed(labels, z)
            return float(share @ self._loss_unchecked(labels, z)), share @ grad

        start = np.log(share)
        result = minimize(objective, start, jac=True, method="L-BFGS-B", options={"gtol": 1e-13, "ftol": 1e-15})
        c = result.x
        return c - (np.max(c) + np.log(np.exp(c - np.max(c)).sum()))


class MultilabelFocalLoss:
    r"""The binary focal loss of each of ``L`` labels, on raw scores of shape ``(n_samples, L)``.

    Label :math:`j` of a row is a binary problem with its own raw score :math:`z_j`; its loss
    is :class:`BinaryFocalLoss` with that label's class weights and focusing parameter, and the
    gradient and Hessian of the sum over labels are those of each label in its own column. The
    formulas are :class:`BinaryFocalLoss`'s (one object per label, or one for all labels when
    they share ``alpha`` and ``gamma``). This is the loss XGBoost's own ``binary:logistic``
    trains for a 0/1 indicator matrix ``Y`` (``gamma=0, alpha=None``).

    Parameters
    ----------
    alpha : None, float, array-like of shape (L,) or (L, 2), default=None
        Class weighting of each label. A float in the open interval (0, 1) weights the
        positives of every label by ``alpha`` and the negatives by ``1 - alpha``; one such
        float per label; or one pair of positive weights (negatives, positives) per label.
        ``None`` weights everything by 1.
    gamma : float or array-like of shape (L,), default=2.0
        Focusing parameter, finite and ``>= 0``: one for every label, or one per label.

    Attributes
    ----------
    class_weights_ : ndarray of shape (2,) or (L, 2), or None
        The weights of (negatives, positives): shared by every label, or per label.
    n_labels_ : int or None
        The number of labels, when ``alpha`` or ``gamma`` is given per label (else any).

    Examples
    --------
    >>> import numpy as np, xgboost as xgb
    >>> from skfocal import MultilabelFocalLoss
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)); Y = (X[:, :2] + rng.normal(size=(500, 2)) > 1.0).astype(int)
    >>> loss = MultilabelFocalLoss(alpha=[0.25, 0.5], gamma=2.0)
    >>> z0 = loss.init_score(Y)  # one start score per label
    >>> dtrain = xgb.DMatrix(X, Y, base_margin=np.tile(z0, (len(Y), 1)))
    >>> booster = xgb.train({"max_depth": 3}, dtrain, num_boost_round=20, obj=loss)
    >>> margin = booster.predict(dtrain, output_margin=True)
    >>> bool(loss.loss(Y, margin).mean() < loss.loss(Y, np.tile(z0, (len(Y), 1))).mean())
    True
    >>> loss.posterior(margin).shape  # per label: the corrected probability of a positive
    (500, 2)
    """

    def __init__(self, alpha=None, gamma=2.0):
        self.alpha = alpha
        self.gamma = gamma
        self._gamma = check_label_gammas(gamma)
        sizes = {len(a) for a in (self._gamma, alpha) if np.ndim(a) >= 1 and not isinstance(a, str)}
        if len(sizes) > 1:
            raise ValueError(f"alpha and gamma are given for different numbers of labels: {sorted(sizes)}.")
        self.n_labels_ = sizes.pop() if sizes else None
        weights = check_label_weights(alpha, self.n_labels_)
        self.class_weights_ = weights
        self._per_label = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alpha={self.alpha!r}, gamma={self.gamma!r})"

    def __eq__(self, other) -> bool:
        if type(other) is not type(self) or self.n_labels_ != other.n_labels_:
            return False
        n = self.n_labels_ or 1
        return all(a == b for a, b in zip(self._label_losses(n), other._label_losses(n), strict=True))

    __hash__ = None

    # ------------------------------------------------------------ the labels' losses
    def _shared(self) -> BinaryFocalLoss | None:
        """The one binary loss of every label when they share alpha and gamma, else ``None``."""
        if "shared" not in self._per_label:
            weights, gamma = self.class_weights_, self._gamma
            same_weights = weights is None or weights.ndim == 1 or bool(np.all(weights == weights[0]))
            same_gamma = np.ndim(gamma) == 0 or bool(np.all(gamma == gamma[0]))
            shared = None
            if same_weights and same_gamma:
                row = weights if weights is None or weights.ndim == 1 else weights[0]
                shared = BinaryFocalLoss(alpha=row, gamma=float(np.ravel(gamma)[0]))
            self._per_label["shared"] = shared
        return self._per_label["shared"]

    def _label_losses(self, n_labels: int) -> tuple:
        """One :class:`BinaryFocalLoss` per label, for ``n_labels`` labels."""
        if self.n_labels_ is not None and n_labels != self.n_labels_:
            raise ValueError(f"The scores have {n_labels} labels but alpha or gamma is given for {self.n_labels_}.")
        if n_labels not in self._per_label:
            weights = np.broadcast_to(self.class_weights_, (n_labels, 2)) if self.class_weights_ is not None else None
            gammas = np.broadcast_to(self._gamma, (n_labels,))
            self._per_label[n_labels] = tuple(
                BinaryFocalLoss(alpha=None if weights is None else weights[j], gamma=float(gammas[j]))
                for j in range(n_labels)
            )
        return self._per_label[n_labels]

    def _check_y_raw(self, y_true, raw_score) -> tuple[np.ndarray, np.ndarray]:
        y, z = np.asarray(y_true), np.asarray(raw_score, dtype=float)
        if z.ndim != 2:
            raise ValueError(f"raw_score must have shape (n_samples, n_labels), got {z.shape}.")
        if y.shape != z.shape:
            raise ValueError(f"y_true must be a 0/1 indicator of the shape of raw_score {z.shape}, got {y.shape}.")
        if not np.all(np.isfinite(z)):
            raise ValueError("raw_score must be finite.")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y_true must contain only 0 and 1 (a multilabel indicator).")
        self._label_losses(z.shape[1])  # checks the number of labels
        return y.astype(float), z

    def _columns(self, method: str, y: np.ndarray, z: np.ndarray):
        """``method`` of the binary loss(es) on the ``(n, L)`` arrays: all at once when shared, else per label."""
        shared = self._shared()
        if shared is not None:
            return getattr(shared, method)(y, z)
        parts = [getattr(loss, method)(y[:, j], z[:, j]) for j, loss in enumerate(self._label_losses(z.shape[1]))]
        if isinstance(parts[0], tuple):
            return tuple(np.column_stack(p) for p in zip(*parts, strict=True))
        return np.column_stack(parts)

    # ------------------------------------------------------------------- values
    def loss(self, y_true, raw_score) -> np.ndarray:
        """Focal loss of every label of every row.

        Parameters
        ----------
        y_true : array-like of shape (n_samples, L)
            0/1 indicator of the labels.
        raw_score : array-like of shape (n_samples, L)
            Raw scores (margins), one per label.

        Returns
        -------
        loss : ndarray of shape (n_samples, L)
        """
        y, z = self._check_y_raw(y_true, raw_score)
        return self._columns("_loss_unchecked", y, z)

    def gradient_hessian(self, y_true, raw_score, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and safeguarded Hessian of each label's loss with respect to its raw score.

        Parameters
        ----------
        y_true : array-like of shape (n_samples, L)
            0/1 indicator of the labels.
        raw_score : array-like of shape (n_samples, L)
            Raw scores (margins).
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights; both outputs are multiplied by them.

        Returns
        -------
        grad, hess : ndarray of shape (n_samples, L)
            As :meth:`BinaryFocalLoss.gradient_hessian`, label by label.
        """
        y, z = self._check_y_raw(y_true, raw_score)
        grad, hess = self._columns("_grad_hess_unchecked", y, z)
        if sample_weight is not None:
            w = _check_weight(sample_weight, y[:, 0])[:, None]
            grad *= w
            hess *= w
        return grad, hess

    def hessian_exact(self, y_true, raw_score) -> np.ndarray:
        """Exact (signed, unweighted) second derivative of each label's loss.

        Parameters
        ----------
        y_true : array-like of shape (n_samples, L)
            0/1 indicator of the labels.
        raw_score : array-like of shape (n_samples, L)
            Raw scores (margins).

        Returns
        -------
        hess : ndarray of shape (n_samples, L)
        """
        y, z = self._check_y_raw(y_true, raw_score)
        return self._columns("_hess_signed", y, z)

    def init_score(self, y_true, sample_weight=None) -> np.ndarray:
        """The constant raw score of each label that minimises its (weighted) mean loss.

        Parameters
        ----------
        y_true : array-like of shape (n_samples, L)
            0/1 indicator of the labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights.

        Returns
        -------
        init_score : ndarray of shape (L,)
        """
        y = np.asarray(y_true)
        if y.ndim != 2 or not np.issubdtype(y.dtype, np.number) and y.dtype != np.bool_:
            raise ValueError(f"y_true must be a 2-D 0/1 indicator of shape (n_samples, n_labels), got {y.shape}.")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y_true must contain only 0 and 1 (a multilabel indicator).")
        w = np.ones(len(y)) if sample_weight is None else _check_weight(sample_weight, y[:, 0])
        positives = w @ y.astype(float)
        negatives = w @ (1.0 - y.astype(float))
        return self.init_score_from_totals(np.column_stack([negatives, positives]))

    def init_score_from_totals(self, class_totals) -> np.ndarray:
        """Optimal constant raw score of each label from its weighted totals ``(W0, W1)``.

        Each label's is the one-dimensional root of :meth:`BinaryFocalLoss.init_score_from_totals`
        with that label's ``alpha`` and ``gamma``.

        Parameters
        ----------
        class_totals : array-like of shape (L, 2)
            Summed sample weight of the negatives and of the positives of each label.

        Returns
        -------
        init_score : ndarray of shape (L,)
        """
        totals = np.asarray(class_totals, dtype=float)
        if totals.ndim != 2 or totals.shape[1] != 2:
            raise ValueError(f"class_totals must have shape (n_labels, 2), got {totals.shape}.")
        losses = self._label_losses(len(totals))
        return np.array([loss.init_score_from_totals(t) for loss, t in zip(losses, totals, strict=True)])

    def posterior(self, raw_score) -> np.ndarray:
        """Each label's posterior probability of a positive, inverting the loss's minimiser label by label.

        Parameters
        ----------
        raw_score : array-like of shape (n_samples, L)
            Raw scores (margins) of a model trained with this loss.

        Returns
        -------
        posterior : ndarray of shape (n_samples, L)
            See :meth:`BinaryFocalLoss.posterior`; the column of the positives of each label.
        """
        z = np.asarray(raw_score, dtype=float)
        if z.ndim != 2:
            raise ValueError(f"raw_score must have shape (n_samples, n_labels), got {z.shape}.")
        losses = self._label_losses(z.shape[1])
        return np.column_stack([loss.posterior(z[:, j])[:, 1] for j, loss in enumerate(losses)])

    # ------------------------------------------------------------- training paths
    def _label_parts(self, y, z, w):
        """``(binary loss, labels, scores, weights)`` per group of labels computed together.

        One group of all the values, flattened in C order (the weights repeated for each
        label), when the labels share ``alpha`` and ``gamma``: the binary kernels then run once
        on ``n * L`` values. Else one group per label (its column). ``w`` may be empty (no weights).
        """
        shared = self._shared()
        if shared is not None:
            return [(shared, _flat(y), _flat(z), self._repeated(w, z.shape[1]))]
        return [
            (loss, np.ascontiguousarray(y[:, j]), np.ascontiguousarray(z[:, j]), w)
            for j, loss in enumerate(self._label_losses(z.shape[1]))
        ]

    @staticmethod
    def _repeated(w: np.ndarray, n_labels: int) -> np.ndarray:
        """Row weights repeated for each label (C order), or ``w`` itself when it is empty (no weights).

        Made again in every round: it costs a few percent of the kernel's time on the same
        values, and a copy kept from round to round would stay with the fitted loss.
        """
        return w if np.size(w) == 0 else np.repeat(np.asarray(w), n_labels)

    def _training_gradient_hessian(
        self, y_true, raw_score, sample_weight=None, *, hessian_scale=1.0, out=None, n_threads=1, offset=None, team=None
    ):
        """:meth:`gradient_hessian` for the boosters' training loop: the binary training path per label group.

        As :meth:`BinaryFocalLoss._training_gradient_hessian`, on ``(n, L)`` scores; ``offset``
        is a start score per label, ``out`` a pair of float32 ``(n, L)`` arrays.
        """
        z = np.asarray(raw_score)
        if offset is not None:
            z = z + np.asarray(offset, dtype=np.float64)
        y = np.asarray(y_true).reshape(z.shape)
        w = _EMPTY_WEIGHTS if sample_weight is None else np.asarray(sample_weight)
        if out is None or not (out[0].flags.c_contiguous and out[1].flags.c_contiguous):
            out = (np.empty(z.shape, np.float32), np.empty(z.shape, np.float32))
        parts = self._label_parts(y, z, w)
        if len(parts) == 1:  # flattened: the outputs are written in place
            loss, y_flat, z_flat, w_flat = parts[0]
            loss._training_gradient_hessian(
                y_flat, z_flat, w_flat, hessian_scale=hessian_scale, out=(_flat(out[0]), _flat(out[1])),
                n_threads=n_threads, team=team,
            )  # fmt: skip
            return out
        column = (np.empty(z.shape[0], np.float32), np.empty(z.shape[0], np.float32))
        for j, (loss, y_j, z_j, w_j) in enumerate(parts):
            loss._training_gradient_hessian(
                y_j, z_j, w_j, hessian_scale=hessian_scale, out=column, n_threads=n_threads, team=team
            )
            out[0][:, j] = column[0]
            out[1][:, j] = column[1]
        return out

    def __call__(self, raw_score, dataset) -> tuple[np.ndarray, np.ndarray]:
        """Objective for ``xgboost.train``: ``(raw_score, dtrain) -> (grad, hess)``, each ``(n_samples, L)``.

        Labels (a 0/1 indicator matrix) and weights are read from the ``DMatrix`` and checked
        every round, as in :meth:`gradient_hessian`; the values come from the compiled training
        path (float32, one thread).
        """
        weight = dataset.get_weight()
        if weight is not None and np.size(weight) == 0:
            weight = None
        z = np.asarray(raw_score)
        y, z = self._check_y_raw(np.asarray(dataset.get_label()).reshape(z.shape), z)
        return self._training_gradient_hessian(y, z, None if weight is None else _check_weight(weight, y[:, 0]))


def _flat(a: np.ndarray) -> np.ndarray:
    """A C-contiguous array as 1-D, without a copy for contiguous input."""
    return np.ascontiguousarray(a).reshape(-1)
