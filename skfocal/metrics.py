"""Focal loss as a metric on predicted probabilities, and a scikit-learn scorer built from it."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import make_scorer
from sklearn.utils.validation import check_array, check_consistent_length, column_or_1d

from ._loss import check_binary_alpha, check_gamma

__all__ = ["focal_loss_score", "make_focal_loss_scorer"]


def _positive_label(y_true: np.ndarray, pos_label):
    """The positive label and its column in a ``predict_proba`` matrix, as ``log_loss`` reads them."""
    labels = np.unique(y_true)
    if len(labels) > 2:
        raise ValueError(f"focal_loss_score is binary for now; y_true has {len(labels)} labels.")
    binary_numbers = len(labels) == 1 and (labels[0] in (0, 1, -1) or isinstance(labels[0], (bool, np.bool_)))
    if pos_label is None:
        if len(labels) == 2:
            pos_label = labels[1]  # the greater label, which is classes_[1] of a fitted classifier
        elif binary_numbers:
            pos_label = 1
        else:
            raise ValueError(
                f"y_true has the single label {labels[0]!r}; pass pos_label to say whether it is the positive class."
            )
    if len(labels) == 2:
        if pos_label not in labels.tolist():
            raise ValueError(f"pos_label={pos_label!r} is not one of the labels {labels.tolist()!r}.")
        column = labels.tolist().index(pos_label)
    else:  # one label present: the column order is only known for 0/1 (or -1/1) labels
        column = 1 if pos_label == 1 else (0 if binary_numbers else None)
    return pos_label, column


def focal_loss_score(y_true, y_prob, *, gamma: float = 2.0, alpha=None, sample_weight=None, pos_label=None) -> float:
    r"""Weighted mean binary focal loss of predicted probabilities (lower is better).

    .. math:: \frac{\sum_i w_i \, \alpha_{t,i} (1 - p_{t,i})^\gamma (-\log p_{t,i})}{\sum_i w_i}

    where :math:`p_t` is the probability given to the true class. With ``gamma=0`` and
    ``alpha=None`` this is :func:`sklearn.metrics.log_loss`; it is the mean that CatBoost's
    ``Focal:focal_alpha=A;focal_gamma=G`` metric reports.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels, two classes.
    y_prob : array-like of shape (n_samples,) or (n_samples, 2)
        Probability of the positive class, or the matrix from ``predict_proba`` (columns in
        sorted label order). Probabilities are clipped to ``[eps, 1 - eps]`` as in ``log_loss``.
    gamma : float, default=2.0
        Focusing parameter, finite and ``>= 0``.
    alpha : float, array-like of shape (2,) or None, default=None
        Class weighting: a float in (0, 1) weights the positive class by ``alpha`` and the
        other by ``1 - alpha``; two numbers are the weights of the negative and positive class.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    pos_label : int, float, bool or str, default=None
        The positive class. By default the greater of the two labels in ``y_true``, which is
        ``classes_[1]`` of a fitted classifier.

    Returns
    -------
    loss : float

    Examples
    --------
    The paper's example: at ``p_t = 0.9``, ``gamma=2`` keeps 1/100 of the cross-entropy.

    >>> from skfocal.metrics import focal_loss_score
    >>> ratio = focal_loss_score([1, 0], [0.9, 0.1], gamma=2.0) / focal_loss_score([1, 0], [0.9, 0.1], gamma=0.0)
    >>> round(ratio, 12)
    0.01
    """
    gamma = check_gamma(gamma)
    class_weights = check_binary_alpha(alpha)
    y_true = column_or_1d(check_array(y_true, ensure_2d=False, dtype=None, input_name="y_true"))
    y_prob = check_array(y_prob, ensure_2d=False, dtype=[np.float64, np.float32], input_name="y_prob")
    eps = np.finfo(y_prob.dtype).eps  # as log_loss: clip and check sums at the input's precision
    two_columns = y_prob.ndim == 2
    if y_prob.ndim not in (1, 2) or (two_columns and y_prob.shape[1] != 2):
        raise ValueError(f"y_prob must have shape (n_samples,) or (n_samples, 2), got {y_prob.shape}.")
    if two_columns and not np.allclose(y_prob.sum(axis=1), 1.0, rtol=0, atol=np.sqrt(eps)):
        raise ValueError("The rows of y_prob must sum to 1.")
    if np.any((y_prob < 0) | (y_prob > 1)):
        raise ValueError("y_prob must contain probabilities in [0, 1].")
    check_consistent_length(y_true, y_prob, sample_weight)
    pos_label, column = _positive_label(y_true, pos_label)
    if two_columns:
        if column is None:
            raise ValueError(
                "y_true holds one label, so the columns of a (n_samples, 2) y_prob cannot be matched to "
                "labels; pass the positive-class probability as a 1-D array."
            )
        y_prob = y_prob[:, column]
    positive = y_true == pos_label
    p = np.clip(y_prob, eps, 1 - eps).astype(np.float64)
    pt = np.where(positive, p, 1 - p)
    q = np.where(positive, 1 - p, p)  # 1 - pt, taken from the input rather than by subtraction
    per_row = -(q**gamma) * np.log(pt)
    if class_weights is not None:
        per_row *= np.where(positive, class_weights[1], class_weights[0])
    if sample_weight is not None:
        sample_weight = column_or_1d(check_array(sample_weight, ensure_2d=False, input_name="sample_weight"))
    return float(np.average(per_row, weights=sample_weight))


def make_focal_loss_scorer(*, gamma: float = 2.0, alpha=None):
    """A scikit-learn scorer of the negated :func:`focal_loss_score` of ``predict_proba`` (greater is better).

    Keep ``gamma`` and ``alpha`` fixed across a search: a scorer whose gamma followed the
    candidate's ``focal_gamma`` would always prefer the largest gamma, since a larger gamma
    scores a lower loss for the same predictions.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter of the reference loss.
    alpha : float, array-like of shape (2,) or None, default=None
        Class weighting of the reference loss, as in :func:`focal_loss_score`.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None)``, for ``GridSearchCV(scoring=...)``,
        ``cross_val_score`` and pipelines.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skfocal import FocalLGBMClassifier
    >>> from skfocal.metrics import make_focal_loss_scorer
    >>> search = GridSearchCV(
    ...     FocalLGBMClassifier(verbose=-1),
    ...     {"focal_gamma": [0.5, 1.0, 2.0]},
    ...     scoring=make_focal_loss_scorer(gamma=1.0),
    ... )
    """
    gamma = check_gamma(gamma)
    check_binary_alpha(alpha)
    return make_scorer(
        focal_loss_score, greater_is_better=False, response_method="predict_proba", gamma=gamma, alpha=alpha
    )
