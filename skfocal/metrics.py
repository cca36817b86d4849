"""Focal loss as a metric on predicted probabilities, and a scikit-learn scorer built from it."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.metrics import make_scorer
from sklearn.utils.validation import check_array, check_consistent_length, column_or_1d

from ._base import check_focal_gamma, resolve_class_gammas, resolve_class_weights
from ._loss import check_class_weights, check_label_gammas, check_label_weights

__all__ = ["focal_loss_score", "make_focal_loss_scorer"]


def _binary_numbers(labels: np.ndarray) -> bool:
    return len(labels) == 1 and (labels[0] in (0, 1, -1) or isinstance(labels[0], (bool, np.bool_)))


def _positive_label(y_true: np.ndarray, pos_label):
    """The positive class of 1-D binary probabilities, as ``log_loss`` reads them."""
    present = np.unique(y_true)
    if len(present) > 2:
        raise ValueError(f"1-D y_prob is for two classes; y_true has {len(present)} labels. Pass (n, K) y_prob.")
    if pos_label is not None:
        if len(present) == 2 and pos_label not in present.tolist():
            raise ValueError(f"pos_label={pos_label!r} is not one of the labels {present.tolist()!r}.")
        return pos_label
    if len(present) == 2:
        return present[1]  # the greater label, which is classes_[1] of a fitted classifier
    if _binary_numbers(present):
        return 1
    raise ValueError(
        f"y_true has the single label {present[0]!r}; pass pos_label to say whether it is the positive class."
    )


def _class_labels(y_true: np.ndarray, n_columns: int, labels, pos_label) -> np.ndarray:
    """The label of each probability column, in ``log_loss``'s (sorted) order."""
    if labels is not None:
        labels = np.unique(column_or_1d(np.asarray(labels)))
    else:
        labels = np.unique(y_true)
        if len(labels) == 1 and n_columns == 2:
            if _binary_numbers(labels):  # the other class of 0/1 (or -1/1) labels
                other = {0: 1, 1: 0, -1: 1}[int(labels[0])]
                labels = np.unique(np.array([labels[0], other], dtype=labels.dtype))
            elif pos_label is not None and pos_label != labels[0]:
                labels = np.unique(np.array([labels[0], pos_label]))
            else:
                raise ValueError(
                    f"y_true holds the single label {labels[0]!r}, so the columns of y_prob cannot be "
                    "matched to classes; pass labels=, or the positive-class probability as a 1-D array."
                )
    if len(labels) != n_columns:
        raise ValueError(
            f"y_prob has {n_columns} columns but the labels are {labels.tolist()!r}; pass labels= to give "
            "the class of each column (sorted), or pos_label= for binary probabilities."
        )
    unseen = ~np.isin(y_true, labels)
    if np.any(unseen):
        raise ValueError(f"y_true has labels not among {labels.tolist()!r}: {np.unique(y_true[unseen]).tolist()!r}.")
    return labels


def _class_weights(alpha, labels: np.ndarray, pos_label, index: np.ndarray, sample_weight) -> np.ndarray | None:
    """One weight per column (whose labels are ``labels``), for every form of ``focal_alpha``.

    A float weights the positive class of two; ``"balanced"`` is ``W / (K * W_k)`` from the
    (sample-weighted) class totals of ``y_true``, and a dict maps every label to its weight,
    as in the estimators.
    """
    if alpha is None:
        return None
    if isinstance(alpha, (str, dict)):
        totals = np.bincount(index, weights=sample_weight, minlength=len(labels)).astype(float)
        if isinstance(alpha, str) and not np.all(totals > 0):
            missing = labels[totals <= 0].tolist()
            raise ValueError(
                f"alpha='balanced' needs every class in y_true with a positive weight; {missing!r} have none."
            )
        return resolve_class_weights(alpha, labels, totals, name="alpha")
    if len(labels) == 2 and isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        weights = check_class_weights(alpha, 2)  # (1 - alpha, alpha) for (negative, positive)
        return weights[::-1] if pos_label is not None and pos_label == labels[0] else weights
    return check_class_weights(alpha, len(labels))


def _multilabel_focal_loss(y_true: np.ndarray, y_prob, gamma, alpha, sample_weight, pos_label, labels) -> float:
    """The mean over the labels of each label's binary focal loss, for a 0/1 indicator ``y_true`` of shape (n, L)."""
    if pos_label is not None or labels is not None:
        raise ValueError("pos_label and labels are for class labels; a 2-D y_true is a 0/1 multilabel indicator.")
    n_labels = y_true.shape[1]
    if not (y_true.dtype == np.bool_ or np.issubdtype(y_true.dtype, np.number)) or not np.all(
        (y_true == 0) | (y_true == 1)
    ):
        raise ValueError(
            "A 2-D y_true is a multilabel indicator and must hold only 0 and 1; for class labels pass a 1-D y_true."
        )
    y_prob = check_array(y_prob, ensure_2d=False, dtype=[np.float64, np.float32], input_name="y_prob")
    if y_prob.ndim == 1 and len(y_prob) == len(y_true):
        raise ValueError(
            f"For a multilabel y_true of shape {y_true.shape}, y_prob must hold each label's probability of a "
            f"positive, of the same shape; got one column. scikit-learn's scorers pass a single column of "
            "predict_proba for a classifier whose classes_ are [0, 1], as a multilabel XGBClassifier's are: "
            "score a multilabel model with focal_loss_score(Y, model.predict_proba(X)) instead of a scorer."
        )
    if y_prob.shape != y_true.shape:
        raise ValueError(
            f"For a multilabel y_true of shape {y_true.shape}, y_prob must hold each label's probability of a "
            f"positive in the same shape (predict_proba of a multilabel model); got shape {y_prob.shape}."
        )
    weights = check_label_weights(alpha, n_labels, "alpha")
    weights = None if weights is None else np.broadcast_to(weights, (n_labels, 2))
    gammas = np.broadcast_to(check_label_gammas(gamma, n_labels, "gamma"), (n_labels,))
    indicator = y_true.astype(np.uint8)
    per_label = [
        focal_loss_score(
            indicator[:, j],
            y_prob[:, j],
            gamma=float(gammas[j]),
            alpha=None if weights is None else weights[j],
            sample_weight=sample_weight,
            pos_label=1,
        )  # fmt: skip
        for j in range(n_labels)
    ]
    return float(np.mean(per_label))


def focal_loss_score(
    y_true, y_prob, *, gamma=2.0, alpha=None, sample_weight=None, pos_label=None, labels=None
) -> float:
    r"""Weighted mean focal loss of predicted probabilities (lower is better).

    .. math:: \frac{\sum_i w_i \, \alpha_{t,i} (1 - p_{t,i})^{\gamma_{t,i}} (-\log p_{t,i})}{\sum_i w_i}

    where :math:`p_t` is the probability given to the true class, and :math:`\gamma_t` is
    ``gamma`` or, with one gamma per class, the true class's. With ``gamma=0`` and
    ``alpha=None`` this is :func:`sklearn.metrics.log_loss`, binary or multiclass; for two
    classes it is the mean that CatBoost's ``Focal:focal_alpha=A;focal_gamma=G`` metric reports.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        True labels, or a 0/1 multilabel indicator: then the score is the mean over the labels
        of each label's binary focal loss, ``y_prob`` holds each label's probability of a
        positive (the shape of ``y_true``), ``alpha`` is ``None``, a float in (0, 1) (the
        weight of the positives of every label) or one such float per label, and ``gamma``
        may be given per label.
    y_prob : array-like of shape (n_samples,) or (n_samples, n_classes)
        Probability of the positive class (two classes), or the matrix from ``predict_proba``
        with columns in sorted label order. Probabilities are clipped to ``[eps, 1 - eps]`` as
        in ``log_loss``.
    gamma : float, array-like of shape (n_classes,) or dict, default=2.0
        Focusing parameter, finite and ``>= 0``, in every form the estimators' ``focal_gamma``
        takes: one number for all classes, one per class in sorted label order (for 1-D
        ``y_prob``: the negative class's, then the positive's), or a dict ``{label: gamma}``
        for every class; for a multilabel ``y_true``, one number or one per label.
    alpha : None, float, array-like of shape (n_classes,), "balanced" or dict, default=None
        Class weighting, in every form the estimators' ``focal_alpha`` takes. For two classes a
        float in (0, 1) weights the positive class by ``alpha`` and the other by ``1 - alpha``;
        an array-like gives one positive weight per class, in sorted label order;
        ``"balanced"`` weights class ``k`` by ``W / (K * W_k)``, from the (sample-weighted)
        totals of ``y_true``; a dict maps every label to its weight.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    pos_label : int, float, bool or str, default=None
        For two classes, the positive class. By default the greater of the two labels, which
        is ``classes_[1]`` of a fitted classifier.
    labels : array-like, default=None
        The class of each column of ``y_prob``, when ``y_true`` does not contain them all.

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
    y_true = check_array(y_true, ensure_2d=False, dtype=None, input_name="y_true")
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        return _multilabel_focal_loss(y_true, y_prob, gamma, alpha, sample_weight, pos_label, labels)
    check_focal_gamma(gamma, "gamma")
    y_true = column_or_1d(y_true)
    y_prob = check_array(y_prob, ensure_2d=False, dtype=[np.float64, np.float32], input_name="y_prob")
    eps = np.finfo(y_prob.dtype).eps  # as log_loss: clip and check sums at the input's precision
    if y_prob.ndim not in (1, 2) or (y_prob.ndim == 2 and y_prob.shape[1] < 2):
        raise ValueError(f"y_prob must have shape (n_samples,) or (n_samples, n_classes), got {y_prob.shape}.")
    if np.any((y_prob < 0) | (y_prob > 1)):
        raise ValueError("y_prob must contain probabilities in [0, 1].")
    if y_prob.ndim == 2 and not np.allclose(y_prob.sum(axis=1), 1.0, rtol=0, atol=np.sqrt(eps)):
        raise ValueError("The rows of y_prob must sum to 1.")
    check_consistent_length(y_true, y_prob, sample_weight)
    if sample_weight is not None:
        sample_weight = column_or_1d(check_array(sample_weight, ensure_2d=False, input_name="sample_weight"))
    if y_prob.ndim == 1:  # the probability of the positive class
        positive_label = _positive_label(y_true, pos_label)
        positive = y_true == positive_label
        index = positive.astype(np.intp)
        y_prob = np.column_stack([1 - y_prob, y_prob])
        by_label = [(n, v) for n, v in (("alpha", alpha), ("gamma", gamma)) if isinstance(v, (str, dict))]
        if by_label:  # the columns' labels are needed
            negative = np.unique(y_true[~positive])
            if len(negative) != 1:
                name, value = by_label[0]
                raise ValueError(
                    f"{name}={value!r} is given by label, but y_true has no label besides the positive "
                    f"one ({positive_label!r}); pass the (n, 2) y_prob with labels=."
                )
            column_labels = np.array([negative[0], positive_label], dtype=y_true.dtype)
        if isinstance(alpha, (str, dict)):
            class_weights = _class_weights(alpha, column_labels, None, index, sample_weight)
        else:
            class_weights = check_class_weights(alpha, 2)  # (negative, positive)
        if isinstance(gamma, dict):
            gamma = resolve_class_gammas(gamma, column_labels, name="gamma")
        else:
            gamma = resolve_class_gammas(gamma, np.array(["negative", "positive"]), name="gamma")  # in this order
    else:
        classes = _class_labels(y_true, y_prob.shape[1], labels, pos_label)
        if pos_label is not None and (len(classes) != 2 or pos_label not in classes.tolist()):
            raise ValueError(f"pos_label={pos_label!r} must be one of two labels {classes.tolist()!r}.")
        index = np.searchsorted(classes, y_true)
        class_weights = _class_weights(alpha, classes, pos_label, index, sample_weight)
        gamma = resolve_class_gammas(gamma, classes, name="gamma")
    rows = np.arange(len(y_true))
    prob = np.clip(y_prob, eps, 1 - eps).astype(np.float64)
    pt = prob[rows, index]
    others = prob.copy()
    others[rows, index] = 0.0
    q = others.sum(axis=1)  # 1 - p_t from the other columns rather than by subtraction
    per_row = -(q ** (gamma if np.ndim(gamma) == 0 else gamma[index])) * np.log(pt)
    if class_weights is not None:
        per_row *= class_weights[index]
    return float(np.average(per_row, weights=sample_weight))


def make_focal_loss_scorer(*, gamma=2.0, alpha=None):
    """A scikit-learn scorer of the negated :func:`focal_loss_score` of ``predict_proba`` (greater is better).

    Keep ``gamma`` and ``alpha`` fixed across a search: a scorer whose gamma followed the
    candidate's ``focal_gamma`` would always prefer the largest gamma, since a larger gamma
    scores a lower loss for the same predictions.

    Parameters
    ----------
    gamma : float, array-like of shape (n_classes,) or dict, default=2.0
        Focusing parameter of the reference loss, as in :func:`focal_loss_score` (one for all
        classes, one per class in sorted label order, or a dict ``{label: gamma}``).
    alpha : None, float, array-like of shape (n_classes,), "balanced" or dict, default=None
        Class weighting of the reference loss, as in :func:`focal_loss_score` (``"balanced"``
        from the class totals of each scored fold).

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
    check_focal_gamma(gamma, "gamma")
    if isinstance(alpha, str) and alpha != "balanced":
        raise ValueError(
            f"alpha must be None, a float in (0, 1), one weight per class, 'balanced' or a dict; got {alpha!r}."
        )
    if not isinstance(alpha, (str, dict)):
        check_class_weights(alpha, 2 if isinstance(alpha, numbers.Real) else None)
    return make_scorer(
        focal_loss_score, greater_is_better=False, response_method="predict_proba", gamma=gamma, alpha=alpha
    )
