"""What both focal estimators share: validation, labels, class weights, start score, link, tags.

The estimators are subclasses of ``lightgbm.LGBMClassifier`` and ``xgboost.XGBClassifier``
(see the module docstrings of ``_lgbm`` and ``_xgb`` for why), with :class:`FocalClassifierMixin`
first in the method resolution order. The mixin owns the flow of ``fit`` and of prediction and
knows nothing of the loss formulas. One fit is decided up front, in a :class:`FitPlan` (classes,
encoded labels, row weights, class weights, loss, start score, threads, objective, metric),
and a booster adapter only translates that plan into its booster's arguments:

``_BOOSTER_PARAMS``
    the adapter's table of booster parameters that touch the loss, the start score, the metric
    or the class balance: each is translated (:class:`Translate`) or refused (:class:`Refuse`,
    whose message names what to use instead), aliases resolved with the booster's own machinery
    (``_booster_param_values``);
``_class_weighting(classes, class_totals, class_counts, params)``
    the class weights that the translated booster parameters put on the loss, and those of
    them that the parent's own start score sees;
``_fit_booster(X, plan, fit_params)``
    train on ``plan.y`` (encoded labels ``0 .. K-1``) with ``plan.objective``, the start
    score and the focal eval metric, and fold the start score into the native model;
``_raw_margin(X, **predict_params)``
    the raw margin of the native model (start score included).

``skfocal.dask`` reuses all of it but ``_fit_booster``, with Dask reductions for the class
totals (``_plan_fit`` turns them into the plan either way).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import numbers
import os
import warnings
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.utils import assert_all_finite
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from . import _compat
from ._compat import check_sample_weight, openmp_threads
from ._loss import (
    BinaryFocalLoss,
    MulticlassFocalLoss,
    MultilabelFocalLoss,
    check_class_gammas,
    check_class_weights,
    check_gamma,
    check_label_gammas,
    check_label_weights,
    softmax_rows,
)

FOCAL_PARAMS = ("focal_gamma", "focal_alpha", "posterior_correction")

ESTIMATOR_DOC = """{booster} classifier trained with the focal loss.

    A drop-in ``{parent}``: every parameter of ``{parent_name}`` is accepted with the same
    meaning and default{param_note}, and the fitted estimator has the same attributes. The
    objective is the focal loss (:class:`skfocal.BinaryFocalLoss`, or
    :class:`skfocal.MulticlassFocalLoss` for more than two classes), boosting starts from its
    optimal constant, {start_note}, ``predict_proba`` is the sigmoid (softmax) of the margin or,
    on request, the corrected class posterior, and the default eval metric is the focal loss of
    each eval set. {multilabel_note}

    Parameters
    ----------
    focal_gamma : float, array-like or dict, default=2.0
        Focusing parameter, finite and ``>= 0``. ``0`` with ``focal_alpha=None`` is the log
        loss, and the model is then the one ``{parent_name}`` fits. One gamma per class (an
        array-like in the order of ``classes_``, or a dict ``{{label: gamma}}`` for every class)
        focuses each row's loss by its own class's gamma: for two classes ``[g0, g1]`` is the
        asymmetric focal loss (``[4.0, 0.0]`` focuses the easy negatives and leaves the
        positives' log loss as it is).
    focal_alpha : None, float, array-like, "balanced" or dict, default=None
        Class weighting in the loss. ``None``: none. A float in the open interval (0, 1), for
        two classes: the weight of ``classes_[1]``, with ``1 - focal_alpha`` for ``classes_[0]``.
        An array-like: one positive weight per class, in the order of ``classes_``.
        ``"balanced"``: ``W / (K * W_k)`` for class ``k`` (``W_k`` its summed sample weight,
        ``W`` the total, ``K`` the number of classes). A dict: ``{{label: weight}}`` for every class.
    posterior_correction : bool, default=False
        If True, ``predict_proba`` inverts the focal loss's distortion of the probabilities in
        closed form (:func:`skfocal.focal_posterior`) and returns the estimated class
        posterior; ``predict`` follows it. If False, the sigmoid (softmax) of the margin.
    **kwargs : dict
        {kwargs_doc}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    n_classes_ : int
        Number of classes.
    init_score_ : float or ndarray of shape (n_classes,) or (n_labels,)
        The start score: the constant margin (one per class for more than two classes, one per
        label for a multilabel ``y``) that minimises the weighted training focal loss. {init_note}
    loss_ : BinaryFocalLoss, MulticlassFocalLoss or MultilabelFocalLoss
        The loss the model was trained with (class weights resolved).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Feature names seen during fit, when ``X`` had string column names.

    See Also
    --------
    {other} : The same for {other_booster}.
    BinaryFocalLoss, MulticlassFocalLoss : The losses, for the native ``{train}``.

    Notes
    -----
    Every other fitted attribute of ``{parent_name}`` ({parent_attributes}) is available as usual.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skfocal import {name}
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> clf = {name}(focal_gamma=2.0, focal_alpha=0.25, n_estimators=20{example_kwargs})
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    """
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_ALPHA_KINDS = "None, a float in (0, 1) (two classes), one weight per class, 'balanced' or a dict {label: weight}"


def _stacklevel_outside_skfocal() -> int:
    """The ``stacklevel`` for a warning raised by the caller that points at the first frame outside skfocal."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = inspect.currentframe().f_back, 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    return level


def _is_dataframe(X) -> bool:
    """True for pandas and polars data frames and pyarrow tables, which go to the booster untouched.

    Both boosters read their dtypes and categorical (dictionary) columns themselves, and
    scikit-learn reads the column names of all three.
    """
    return hasattr(X, "columns") and (hasattr(X, "dtypes") or hasattr(X, "schema")) and getattr(X, "ndim", 2) == 2


def resolve_class_weights(
    alpha, classes: np.ndarray, class_totals: np.ndarray, *, name: str = "focal_alpha", sklearn_dict: bool = False
) -> np.ndarray | None:
    """Turn a class-weighting parameter into one weight per class of ``classes`` (or ``None``).

    Parameters
    ----------
    alpha : None, float, array-like, "balanced" or dict
        ``None``: no weighting. A float ``a`` in (0, 1), for two classes: ``classes[1]`` gets
        ``a`` and ``classes[0]`` gets ``1 - a``. An array-like: one positive weight per class,
        in the order of ``classes``. ``"balanced"``: ``W / (K * W_k)`` for class ``k`` with
        ``W_k`` its summed sample weight, ``W`` the total and ``K`` the number of classes (the
        formula of scikit-learn's ``compute_class_weight``, with sample weights). A dict maps
        class labels to positive weights.
    classes : ndarray of shape (n_classes,)
        The sorted class labels.
    class_totals : ndarray of shape (n_classes,)
        Summed sample weight per class.
    name : str, default="focal_alpha"
        The parameter's name, for error messages.
    sklearn_dict : bool, default=False
        Read a dict as scikit-learn's ``class_weight`` does (a class left out weighs 1, and no
        float form) rather than requiring a weight for every class.

    Returns
    -------
    weights : ndarray of shape (n_classes,) or None
    """
    if alpha is None:
        return None
    labels = classes.tolist()
    if isinstance(alpha, str):
        if alpha != "balanced":
            kinds = "None, 'balanced' or a dict" if sklearn_dict else "None, a float in (0, 1), 'balanced' or a dict"
            raise ValueError(f"{name} must be {kinds}; got {alpha!r}.")
        return class_totals.sum() / (len(classes) * class_totals)
    if isinstance(alpha, dict):
        unknown = [k for k in alpha if k not in set(labels)]
        if unknown:
            raise ValueError(f"{name} has weights for labels not in the data: {unknown!r}; classes are {labels!r}.")
        missing = [c for c in labels if c not in alpha]
        if missing and not sklearn_dict:
            raise ValueError(f"{name} has no weight for class(es) {missing!r}; give one for each of {labels!r}.")
        weights = np.array([alpha.get(c, 1.0) for c in labels], dtype=float)
        if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            raise ValueError(
                f"{name} weights must be finite and > 0, got {dict(zip(labels, weights.tolist(), strict=False))!r}."
            )
        return weights
    if sklearn_dict or isinstance(alpha, (bytes, bool)):
        kinds = "None, 'balanced' or a dict {label: weight}" if sklearn_dict else _ALPHA_KINDS
        raise TypeError(f"{name} must be {kinds}; got {alpha!r} of type {type(alpha).__name__}.")
    if isinstance(alpha, numbers.Real) and len(classes) > 2:
        raise TypeError(
            f"{name} as a single number is for two classes only; with {len(classes)} classes give one "
            "weight per class (array-like or dict) or 'balanced'."
        )
    try:
        return check_class_weights(alpha, len(classes), name)
    except TypeError:
        raise TypeError(f"{name} must be {_ALPHA_KINDS}; got {alpha!r} of type {type(alpha).__name__}.") from None


def check_focal_gamma(gamma, name: str = "focal_gamma") -> None:
    """Check the form of a focusing parameter before the classes are known (:func:`resolve_class_gammas`)."""
    if isinstance(gamma, dict):
        for label, value in gamma.items():
            check_gamma(value, f"{name}[{label!r}]")
    else:
        check_class_gammas(gamma, None, name)


def _length(value) -> int | None:
    """The length of a 1-D sequence of numbers; ``None`` for anything else."""
    if isinstance(value, (str, bytes, dict, numbers.Real)):
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return len(array) if array.ndim == 1 else None


def resolve_class_gammas(gamma, classes: np.ndarray, *, name: str = "focal_gamma") -> float | np.ndarray:
    """Turn a focusing parameter into one gamma for all classes (a float) or one per class of ``classes``.

    Parameters
    ----------
    gamma : float, array-like or dict
        A number: one gamma for every class. An array-like: one per class, in the order of
        ``classes``. A dict: ``{label: gamma}`` for every class. Each finite and ``>= 0``.
    classes : ndarray of shape (n_classes,)
        The sorted class labels.
    name : str, default="focal_gamma"
        The parameter's name, for error messages.

    Returns
    -------
    gamma : float or ndarray of shape (n_classes,)
        A float where all classes have the same gamma (:func:`skfocal._loss.check_class_gammas`).
    """
    labels = classes.tolist()
    if isinstance(gamma, dict):
        unknown = [k for k in gamma if k not in set(labels)]
        if unknown:
            raise ValueError(f"{name} has gammas for labels not in the data: {unknown!r}; classes are {labels!r}.")
        missing = [c for c in labels if c not in gamma]
        if missing:
            raise ValueError(f"{name} has no gamma for class(es) {missing!r}; give one for each of {labels!r}.")
        gamma = [gamma[c] for c in labels]
    elif _length(gamma) not in (None, len(labels)):
        raise ValueError(
            f"{name} has {len(gamma)} values but there are {len(labels)} classes {labels!r}; give one gamma "
            "per class in this order, a dict {label: gamma}, or one number for all."
        )
    return check_class_gammas(gamma, len(labels), name)


def resolve_multilabel_focal_params(alpha, gamma, class_totals: np.ndarray):
    """``focal_alpha`` and ``focal_gamma`` of a multilabel fit: ``(class weights, gamma)`` per label.

    ``alpha``: ``None``; a float in (0, 1), the weight of the positives of every label (``1 -
    alpha`` of the negatives); one such float per label; or ``"balanced"``, ``W / (2 W_k)`` for
    the negatives and the positives of each label (``W_k`` their summed sample weight, ``W`` the
    total). ``gamma``: one number for every label, or one per label. ``class_totals`` has shape
    ``(n_labels, 2)``. Returns weights of shape ``(n_labels, 2)`` (or ``None``) and ``gamma`` as a
    float or an ndarray of shape ``(n_labels,)``.
    """
    n_labels = len(class_totals)
    if isinstance(alpha, str) and alpha == "balanced":
        weights = class_totals.sum(axis=1, keepdims=True) / (2.0 * class_totals)
    elif isinstance(alpha, (dict, str)):
        raise TypeError(
            f"focal_alpha for a multilabel y must be None, a float in (0, 1), one float in (0, 1) per label "
            f"({n_labels}) or 'balanced'; got {alpha!r}."
        )
    else:
        weights = check_label_weights(alpha, n_labels, "focal_alpha")
        if weights is not None and weights.ndim == 1:
            weights = np.tile(weights, (n_labels, 1))
    if isinstance(gamma, dict):
        raise TypeError(f"focal_gamma for a multilabel y must be one number or one number per label, got {gamma!r}.")
    return weights, check_label_gammas(gamma, n_labels, "focal_gamma")


@dataclasses.dataclass(frozen=True, eq=False)
class FitPlan:
    """One fit, decided before the booster is called; the adapters only translate it.

    Attributes
    ----------
    classes : ndarray of shape (n_classes,)
        The sorted class labels.
    y : ndarray (or Dask array) of shape (n_samples,) or (n_samples, n_labels)
        The labels encoded as ``0 .. K-1``, or a multilabel 0/1 indicator: what the booster trains on.
    sample_weight : ndarray (or Dask array) of shape (n_samples,) or None
        The checked row weights.
    class_totals : ndarray of shape (n_classes,) or (n_labels, 2)
        Summed row weight per class (per label, of its negatives and positives).
    loss : BinaryFocalLoss, MulticlassFocalLoss or MultilabelFocalLoss
        The loss, with every class weight resolved (``focal_alpha`` times those of translated
        booster parameters).
    init_score : float or ndarray of shape (n_classes,) or (n_labels,)
        The start score.
    n_threads : int
        Threads for the objective (and for the booster, where the adapter passes them on).
    objective : SklearnObjective
        The callable objective in the boosters' scikit-learn convention.
    metric : FocalMetric
        The focal eval metric on raw scores.
    """

    classes: np.ndarray
    y: Any
    sample_weight: Any
    class_totals: np.ndarray
    loss: Any
    init_score: Any
    n_threads: int
    objective: Any
    metric: Any

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.classes)

    @property
    def multilabel(self) -> bool:
        """Whether ``y`` is a multilabel indicator (one binary problem per column)."""
        return np.ndim(self.class_totals) == 2


class FocalMetric:
    """The focal eval metric: the (weighted) mean focal loss of raw scores, ``(y, raw, sample_weight) -> float``.

    XGBoost's scikit-learn wrapper calls it as it is (it logs it under ``__name__``); the
    LightGBM adapter wraps it in LightGBM's convention. Large eval sets are computed on the
    booster's ``n_threads`` threads (:func:`kernel_threads`).
    """

    __name__ = "focal_loss"

    def __init__(self, loss, n_threads: int = 1, booster: str | None = None):
        self.loss = loss
        self.n_threads = n_threads
        self.booster = booster

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.loss!r})"

    def __call__(self, y_true, raw_score, sample_weight=None) -> float:
        return weighted_mean_loss(self.loss, y_true, raw_score, sample_weight, self._threads(), self.booster)

    def _threads(self) -> int:
        return self.n_threads


class LinkedMetric:
    """A user's eval metric, handed the sigmoid (softmax) of the margin as the parent's would be.

    Under a callable objective both boosters give eval metrics raw margins; under their
    built-in logistic objectives, the probabilities. This wrapper restores what the parent's
    user gets. It keeps the metric's name and signature: LightGBM chooses how to call a metric
    by its number of parameters, and XGBoost logs it under ``__name__``.
    """

    def __init__(self, metric, multilabel: bool = False):
        self.metric = metric
        self.multilabel = multilabel  # (n, L) scores are one margin per label: the sigmoid of each
        self.__name__ = getattr(metric, "__name__", type(metric).__name__)
        self.__signature__ = inspect.signature(metric)

    def __call__(self, y_true, raw_score, *args, **kwargs):
        raw_score = np.asarray(raw_score)
        proba = expit(raw_score) if raw_score.ndim == 1 or self.multilabel else softmax_rows(raw_score)
        return self.metric(y_true, proba, *args, **kwargs)


class Translate:
    """An entry of a booster-parameter table: the adapter translates the parameter into the focal fit.

    ``default`` is the booster's default value (a parameter at its default counts as unset);
    ``convert(name, value)``, if given, returns the value in the type the adapter reads (a
    bool, a float) or raises for values that cannot be translated.
    """

    def __init__(self, default=None, convert=None):
        self.default = default
        self._convert = convert

    def is_default(self, value) -> bool:
        return value is None or (self.default is not None and _same(value, self.default))

    def check(self, estimator: str, name: str, value):
        """The value as the adapter reads it; raises for one that cannot be translated."""
        return value if self._convert is None else self._convert(name, value)


def as_bool(name: str, value) -> bool:
    """A boolean booster parameter as the boosters read it: a bool, or the strings "true"/"false"."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"{name} must be True or False, got {value!r}.")


def as_positive_float(name: str, value) -> float:
    """A positive, finite number (a weight), or a ValueError naming the parameter."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not (np.isfinite(value) and value > 0)
    ):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return float(value)


class Refuse(Translate):
    """An entry of a booster-parameter table: setting the parameter is an error, ``message`` says what to use."""

    def __init__(self, message: str, default=None):
        super().__init__(default)
        self.message = message

    def check(self, estimator: str, name: str, value):
        raise ValueError(f"{estimator} does not take {name}={value!r}: {self.message}")


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays and the like
        return False


def _times(a, b, class_totals=None):
    """The product of two optional per-class weight vectors (for labels, ``(n_labels, 2)`` arrays)."""
    if a is None:
        a, b = b, None
    if a is not None and np.ndim(class_totals) == 2:  # multilabel: one pair of weights per label
        a = np.broadcast_to(a, class_totals.shape)
    return a if b is None else a * b


def refuse_fit_args(estimator: str, fit_params: dict, names, where: str) -> None:
    """Raise for the booster's own start-score arguments of ``fit`` in ``fit_params``; drop them if None."""
    for name in names:
        if fit_params.get(name) is not None:
            raise ValueError(f"{estimator}.fit does not take {name}: the start score is fitted (init_score_) {where}.")
        fit_params.pop(name, None)


def parent_signature(own, *parents, drop=()) -> inspect.Signature:
    """The signature of ``own`` with the keyword parameters of ``parents`` added after its own.

    The estimators take every parameter of their parent: written into the signature, scikit-
    learn sees them as parameters with the parent's defaults (so ``repr`` shows only what was
    set) and metadata routing offers every fit parameter of the parent. ``drop`` names the
    parent's parameters that are refused.
    """
    mine = list(inspect.signature(own).parameters.values())
    head = [p for p in mine if p.kind is not p.VAR_KEYWORD]
    seen = {p.name for p in head} | set(drop) | {"self"}
    added = []
    for parent in parents:
        for p in inspect.signature(parent).parameters.values():
            if p.name in seen or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                continue
            seen.add(p.name)
            added.append(p.replace(kind=p.KEYWORD_ONLY, annotation=p.empty))
    tail = [p for p in mine if p.kind is p.VAR_KEYWORD]
    return inspect.Signature([*head, *added, *tail])


def with_signature(function, signature: inspect.Signature):
    """A thin wrapper of ``function`` that reports ``signature`` (for a class body: one per estimator)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    wrapper.__signature__ = signature
    return wrapper


class FocalClassifierMixin:
    """The scikit-learn side shared by :class:`FocalLGBMClassifier` and :class:`FocalXGBClassifier`."""

    #: The adapter's booster parameters that touch the loss, start score, metric or class
    #: balance: ``{name: Translate(...) or Refuse(...)}``, names as the booster spells them.
    _BOOSTER_PARAMS: dict = {}
    #: The booster's own start-score arguments of ``fit``, refused (:func:`refuse_fit_args`),
    #: and where the fitted start score is kept instead, for the message.
    _REFUSED_FIT: tuple = ()
    _START_IS_KEPT = ""
    #: Whether the adapter trains a multilabel 0/1 indicator ``y`` of shape (n_samples, n_labels)
    #: (the binary focal loss per label, in one model); else a 2-D ``y`` is refused.
    _MULTILABEL = False

    # ------------------------------------------------------------- fitted shape
    # Both parents derive these from the native model; scikit-learn's validate_data needs to
    # set and delete them, so they are plain storage here, owned by the validation below.
    @property
    def n_features_in_(self) -> int:
        """Number of features seen during :meth:`fit`."""
        try:
            return self.__dict__["_n_features_in_value"]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} is not fitted yet: it has no n_features_in_.") from None

    @n_features_in_.setter
    def n_features_in_(self, value: int) -> None:
        self.__dict__["_n_features_in_value"] = value

    @property
    def feature_names_in_(self) -> np.ndarray:
        """Names of features seen during :meth:`fit`; defined only when ``X`` had string column names."""
        try:
            return self.__dict__["_feature_names_in_value"]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__} has no feature_names_in_ (fitted without feature names)."
            ) from None

    @feature_names_in_.setter
    def feature_names_in_(self, value) -> None:
        self.__dict__["_feature_names_in_value"] = value

    @feature_names_in_.deleter
    def feature_names_in_(self) -> None:
        self.__dict__.pop("_feature_names_in_value", None)

    @property
    def classes_(self) -> np.ndarray:
        """The class labels, sorted, as seen during :meth:`fit`."""
        if "init_score_" in self.__dict__:
            return self._classes_value
        # Not fitted, or inside the parent's fit, which trains on the encoded labels 0..K-1.
        return super().classes_

    # ---------------------------------------------------------------- validation
    def _validate_X(self, X, *, reset: bool, training: bool | None = None):
        """Check ``X`` and record (``reset=True``) or compare its number and names of features.

        Data frames are passed on untouched, so the boosters keep their dtypes and categorical
        columns; everything else becomes a float array or a CSR/CSC matrix, NaN allowed, and
        infinity where the parent takes it (:meth:`_accepts_inf`; ``training``: for a fit's
        data or eval sets, by default when ``reset``).
        """
        training = reset if training is None else training
        if _is_dataframe(X):
            validate_data(self, X, reset=reset, skip_check_array=True)
            n_min = 2 if reset else 1
            if len(X) < n_min:
                raise ValueError(f"Found a data frame with {len(X)} sample(s) while a minimum of {n_min} is required.")
            return X
        accepts_inf = self._accepts_inf(training)
        if not reset and self._is_checked_array(X):
            # What validate_data would find, without its conversions: a float matrix of the
            # fitted width, from a fit without feature names (else it warns about the names).
            if not accepts_inf:
                assert_all_finite(X, allow_nan=True, input_name="X")
            return X
        return validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=["csr", "csc"],
            dtype="numeric",
            ensure_all_finite=False if accepts_inf else "allow-nan",
            ensure_min_samples=2 if reset else 1,
        )

    def _is_checked_array(self, X) -> bool:
        """Whether ``X`` is a 2-D float array of the fitted width, and the fit saw no feature names."""
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in _FLOAT_DTYPES
            and X.shape[0] > 0
            and X.shape[1] == self.__dict__.get("_n_features_in_value")
            and "_feature_names_in_value" not in self.__dict__
        )

    def _accepts_inf(self, training: bool) -> bool:
        """Whether the parent takes infinite values in ``X`` (in a fit's data if ``training``)."""
        return False

    def _validate_y(self, y) -> tuple[np.ndarray, np.ndarray]:
        """Check ``y`` and return ``(classes, encoded)``; a 2-D ``y`` is a multilabel indicator."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = check_array(y, ensure_2d=False, dtype=None, ensure_all_finite=True, allow_nd=True, input_name="y")
        if y.ndim > 2 or (y.ndim == 2 and y.shape[1] > 1):
            return self._validate_multilabel_y(y)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        classes = np.unique(y)  # hash-based where numpy can; the inverse by bisection is faster than by sorting
        encoded = _compact(np.searchsorted(classes, y), len(classes))
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of 2 classes, "
                f"but the data contains only one class: {classes[0]!r}."
            )
        return classes, encoded

    def _validate_multilabel_y(self, y: np.ndarray, n_labels: int | None = None, name: str = "y"):
        """Check a 2-D ``y``, a 0/1 indicator of the labels of each row; return ``(classes, encoded)``.

        ``n_labels``: the labels seen in ``fit``, for eval sets (whose columns may be constant).
        """
        estimator = type(self).__name__
        if y.ndim != 2:
            raise ValueError(
                f"{name} must be 1-D (one class label per row) or 2-D (a 0/1 multilabel indicator of shape "
                f"(n_samples, n_labels)); got {y.ndim} dimensions, shape {y.shape}."
            )
        if not self._MULTILABEL:
            raise ValueError(
                f"{estimator} takes one class label per row, y of shape (n_samples,); got a 2-D y of shape "
                f"{y.shape}. For a multilabel indicator, train one model per label with "
                f"sklearn.multioutput.MultiOutputClassifier({estimator}()) (or a ClassifierChain)."
            )
        if n_labels is not None and y.shape[1] != n_labels:
            raise ValueError(f"{name} has {y.shape[1]} label columns; the model was fitted on {n_labels}.")
        if y.dtype == np.bool_:
            classes = np.array([False, True])
        else:
            numeric = np.issubdtype(y.dtype, np.number)
            if not numeric or not np.all((y == 0) | (y == 1)):
                found = np.unique(y)
                raise ValueError(
                    f"A 2-D {name} is a multilabel indicator and must hold only 0 and 1 (or False and True); it "
                    f"holds {found[:10].tolist()!r}. For several multiclass outputs use "
                    f"sklearn.multioutput.MultiOutputClassifier({estimator}())."
                )
            classes = np.array([0, 1], dtype=y.dtype)
        encoded = np.ascontiguousarray(y, dtype=np.uint8)
        if n_labels is None:
            positives = encoded.sum(axis=0, dtype=np.int64)
            constant = np.flatnonzero((positives == 0) | (positives == len(encoded)))
            if len(constant):
                raise ValueError(
                    f"Label column(s) {constant.tolist()!r} of {name} hold a single value (all 0 or all 1); each "
                    "label needs rows of both values to be learnt. Drop those columns (their prediction is "
                    "constant)."
                )
        return classes, encoded

    def _encode_labels(self, y, classes: np.ndarray, name: str = "y") -> np.ndarray:
        """Encode labels of an eval set with the classes seen in ``fit``."""
        y = column_or_1d(check_array(y, ensure_2d=False, dtype=None, input_name=name))
        try:
            idx = np.searchsorted(classes, y).clip(0, len(classes) - 1)
        except TypeError:  # labels of another type than the classes cannot be among them
            raise ValueError(f"{name} contains labels not seen in fit (classes are {classes.tolist()!r}).") from None
        unseen = classes[idx] != y
        if np.any(unseen):
            raise ValueError(f"{name} contains labels not seen in fit: {np.unique(y[unseen]).tolist()!r}.")
        return _compact(idx, len(classes))

    def _encode_eval_labels(self, y, plan: FitPlan) -> np.ndarray:
        """The labels of an eval set, encoded as in ``plan`` (a multilabel indicator of its labels, or classes)."""
        if not plan.multilabel:
            return self._encode_labels(y, plan.classes, "eval_set labels")
        y = check_array(y, ensure_2d=False, dtype=None, allow_nd=True, input_name="eval_set labels")
        if y.ndim != 2:
            raise ValueError(
                f"eval_set labels must be a 0/1 indicator of shape (n_samples, {len(plan.class_totals)}) like y, "
                f"got shape {y.shape}."
            )
        return self._validate_multilabel_y(y, len(plan.class_totals), "eval_set labels")[1]

    def _validate_eval_sets(self, eval_set, eval_weights, weights_name: str, plan: FitPlan):
        """Check eval sets like the training data; returns ``(pairs, weights)`` with labels encoded."""
        pairs = [
            (self._validate_X(X_eval, reset=False, training=True), self._encode_eval_labels(y_eval, plan))
            for X_eval, y_eval in eval_set
        ]
        if eval_weights is None:
            return pairs, None
        if len(eval_weights) != len(pairs):
            raise ValueError(f"{weights_name} has {len(eval_weights)} entries for {len(pairs)} eval sets.")
        checked = []
        for (X_eval, _), w in zip(pairs, eval_weights, strict=True):
            if w is not None:
                w = check_sample_weight(w, X_eval, dtype=np.float64, ensure_non_negative=True)
                if not w.sum() > 0:
                    raise ValueError(f"{weights_name}: the weights of an eval set are all zero.")
            checked.append(w)
        return pairs, checked

    # ----------------------------------------------------------------------- fit
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the booster with the focal objective, its optimal start score and focal eval metric.

        A fit that raises (bad input, an exception in a callback, ``KeyboardInterrupt``) leaves
        the estimator as it was before the call, as the boosters' own estimators do: a model
        fitted earlier still predicts, and an estimator never fitted stays unfitted.

        Parameters
        ----------
        X : array-like, sparse matrix or data frame of shape (n_samples, n_features)
            Training data. NaN marks a missing value. Data frames (pandas, polars, pyarrow) go
            to the booster as they are, so categorical columns work as in the booster's own
            estimator.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels of any type; or, for an estimator that trains multilabel targets, a
            0/1 indicator of each row's labels (every column with both values).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights, used by the objective, the start score and the metric.
        **fit_params : dict
            Any other keyword argument of the booster estimator's ``fit`` (eval sets and their
            weights, callbacks, categorical features, ...). Eval-set labels are given as in
            ``y``. The booster's own start-score arguments are not accepted: the start score is
            fitted and folded into the model.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        # A fit that raises (bad input, a callback, Ctrl-C) leaves the estimator as it was, as the
        # parents do: the model fitted before, if any, still predicts; else it is not fitted.
        before = dict(self.__dict__)  # a shallow copy: a fit replaces attributes, it does not change them
        try:
            self.__dict__.pop("init_score_", None)  # the parent's fit sees an unfitted estimator
            params = self._check_parameters()
            refuse_fit_args(type(self).__name__, fit_params, self._REFUSED_FIT, self._START_IS_KEPT)
            X, classes, y_enc, sample_weight, class_totals, class_counts = self._fit_targets(X, y, sample_weight)
            plan = self._plan_fit(classes, y_enc, sample_weight, class_totals, class_counts, params)
            self._fit_booster(X, plan, fit_params)
            self._set_fitted(plan)
        except BaseException:
            object.__setattr__(self, "__dict__", before)  # in one step: a second Ctrl-C cannot split it
            raise
        return self

    def _fit_targets(self, X, y, sample_weight):
        """The checked data of a fit: ``(X, classes, encoded labels, sample_weight, class totals, class counts)``.

        Summed row weights (``class_totals``) and rows (``class_counts``) per class; the Dask
        estimators compute them on the cluster.
        """
        X = self._validate_X(X, reset=True)
        classes, y_enc = self._validate_y(y)
        check_consistent_length(X, y_enc)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
            if not sample_weight.sum() > 0:
                raise ValueError("sample_weight is zero for every sample; at least one must be positive.")
        if y_enc.ndim == 2:
            class_totals, class_counts = _label_totals(y_enc, sample_weight)
            return X, classes, y_enc, sample_weight, class_totals, class_counts
        class_counts = np.bincount(y_enc, minlength=len(classes))
        # Without weights the totals are the counts (exactly: no array of ones, which this
        # frame would hold for the whole fit)
        class_totals = (
            class_counts.astype(np.float64)
            if sample_weight is None
            else np.bincount(y_enc, weights=sample_weight, minlength=len(classes))
        )
        return X, classes, y_enc, sample_weight, class_totals, class_counts

    def _check_parameters(self) -> dict:
        """Reject bad constructor parameters before any data work; returns the booster parameters set.

        The returned dict maps each entry of the adapter's ``_BOOSTER_PARAMS`` table that the
        user set (under any alias) to its value; refused entries have raised by then.
        """
        check_focal_gamma(self.focal_gamma)
        if not isinstance(self.posterior_correction, (bool, np.bool_)):
            raise TypeError(f"posterior_correction must be True or False, got {self.posterior_correction!r}.")
        params = self.get_params(deep=False)
        found = {}
        for name, rule in self._BOOSTER_PARAMS.items():
            for alias in self._aliases(name):
                if alias in params and not rule.is_default(params[alias]):
                    found[name] = rule.check(type(self).__name__, alias, params[alias])
                    break
        return found

    @staticmethod
    def _aliases(name: str) -> tuple[str, ...]:
        """A booster parameter's name and its aliases (the adapters ask their booster)."""
        return (name,)

    def _plan_fit(self, classes, y, sample_weight, class_totals, class_counts, params: dict) -> FitPlan:
        """Everything one fit needs, decided before the booster is called.

        Shared by the local and the Dask estimators, which count the class totals in their own
        way: summed weights (``class_totals``) and rows (``class_counts``) per class. ``params``
        are the booster parameters of the adapter's table that the user set.
        """
        if np.ndim(class_totals) == 2:  # a multilabel indicator: the binary loss per label
            empty = np.flatnonzero(np.any(class_totals <= 0, axis=1))
            if len(empty):
                raise ValueError(
                    f"sample_weight is zero for every positive or every negative sample of label(s) "
                    f"{empty.tolist()!r}; each label needs a positive total weight of both values."
                )
            alpha, gamma = resolve_multilabel_focal_params(self.focal_alpha, self.focal_gamma, class_totals)
            loss_class = MultilabelFocalLoss
        else:
            empty = classes[class_totals <= 0]
            if len(empty):
                raise ValueError(
                    f"sample_weight is zero for every sample of class {empty.tolist()!r}; "
                    "each class needs a positive total weight."
                )
            gamma = resolve_class_gammas(self.focal_gamma, classes)
            alpha = resolve_class_weights(self.focal_alpha, classes, class_totals)
            loss_class = BinaryFocalLoss if len(classes) == 2 else MulticlassFocalLoss
        in_loss, in_start = self._class_weighting(classes, class_totals, class_counts, params)
        loss = loss_class(alpha=_times(alpha, in_loss, class_totals), gamma=gamma)
        start_loss = (
            loss if in_start is in_loss else loss_class(alpha=_times(alpha, in_start, class_totals), gamma=gamma)
        )
        init_score = self._start_score(start_loss, class_totals, params)
        self._warn_if_constant(loss, init_score, class_totals, len(classes))
        n_threads = self._n_threads()
        objective = self._make_objective(loss, len(classes), n_threads, None if self._SCORES_START else init_score)
        return FitPlan(
            classes=classes,
            y=y,
            sample_weight=sample_weight,
            class_totals=class_totals,
            loss=loss,
            init_score=init_score,
            n_threads=n_threads,
            objective=objective,
            metric=self._make_metric(loss, n_threads),
        )

    def _warn_if_constant(self, loss, init_score, class_totals, n_classes: int) -> None:
        """Warn where the booster cannot make a single split: the model would predict one probability.

        At the start score every row of a class has the same gradient and Hessian, so the totals
        the first trees see are sums over classes. Extreme settings (``focal_alpha`` near 0 or 1,
        a large ``focal_gamma``, tiny class or sample weights) make them so small that no child
        reaches the booster's minimum Hessian, or no split gains what the booster requires; then
        no later round differs either.
        """
        # One row per class (of each label); columns: the outputs, one tree each (K > 2, labels)
        multilabel = isinstance(loss, MultilabelFocalLoss)
        if multilabel:
            n_labels = len(class_totals)
            labels = np.repeat([[0.0], [1.0]], n_labels, axis=1)
            grad, hess = loss._columns("_grad_hess_unchecked", labels, np.tile(init_score, (2, 1)))
            weights = class_totals.T
        elif n_classes == 2:
            grad, hess = loss._grad_hess_unchecked(np.array([0.0, 1.0]), np.full(2, float(init_score)))
            weights = class_totals
        else:
            labels = np.arange(n_classes)
            grad, hess = loss._grad_hess_unchecked(labels, np.tile(init_score, (n_classes, 1)))
            weights = class_totals[:, None]
        g, h = weights * grad, weights * hess * self._hessian_scale(n_classes)
        hess_total = h.sum(axis=0)
        # The best split's gain G_L^2/H_L + G_R^2/H_R - G^2/H: the rows of a class share g/h, and
        # G^2/H is subadditive, so no split gains more than the partition by class.
        gain_bound = np.sum(np.square(g) / h, axis=0) - np.square(g.sum(axis=0)) / hess_total
        name, least, min_gain, reg_lambda = self._split_limits()
        if reg_lambda > 0:  # each child's G^2 / (H + lambda) is also at most G^2 / lambda
            gain_bound = np.minimum(gain_bound, np.square(np.abs(g).sum(axis=0)) / reg_lambda)
        hess_total, gain_bound = np.atleast_1d(hess_total, gain_bound)  # one entry per output
        splits = (hess_total >= 2 * least) & (gain_bound > min_gain)
        # The K outputs of a softmax move together; the labels of a multilabel fit each alone.
        stuck = np.flatnonzero(~splits) if multilabel else (np.arange(splits.size) if not splits.any() else [])
        if not len(stuck):
            return
        booster = type(self).__name__
        if np.any(gain_bound[stuck] > min_gain):
            advice = f"Lower {name} (now {least:g}) to {np.max(hess_total[stuck]) / 100:.1g} or less"
        else:
            advice = f"{booster}'s booster makes no split that gains less than {min_gain:g}, whatever {name} is"
        what = f"for label(s) {stuck.tolist()} " if multilabel else ""
        warnings.warn(
            f"With focal_alpha={self.focal_alpha!r}, focal_gamma={self.focal_gamma!r} and this fit's class and "
            f"sample weights, the focal loss's Hessians at the start score {what}sum to "
            f"{np.max(hess_total[stuck]):.3g}: {booster} can make no split, and the model would predict the same "
            f"probability {what}for every row. {advice}; or choose a less extreme focal_alpha, focal_gamma or weights.",
            UserWarning,
            stacklevel=_stacklevel_outside_skfocal(),
        )

    def _split_limits(self) -> tuple[str, float, float, float]:
        """The booster's limits on a split: ``(minimum child Hessian's name, its value, minimum gain, L2 penalty)``."""
        return "min_child_weight", 0.0, 0.0, 0.0

    def _class_weighting(self, classes, class_totals, class_counts, params: dict):
        """Class weights from booster parameters: ``(on the loss, in the start score)``; none by default."""
        return None, None

    def _start_score(self, loss, class_totals, params: dict):
        """The start score: by default the constant that minimises ``loss`` (adapters follow their parent's rule)."""
        return loss.init_score_from_totals(class_totals)

    @staticmethod
    def _hessian_scale(n_classes: int) -> float:
        """The factor on the K-class Hessian of the booster's own softmax objective (1 for two classes)."""
        return 1.0

    #: Whether the scores the booster hands the objective include the start score (XGBoost's
    #: ``base_score``); if not, the objective adds it (``SklearnObjective.offset``).
    _SCORES_START = False

    #: The booster whose OpenMP threads the objective and the metric run on (``_compat.openmp_team``).
    _OPENMP_BOOSTER = None

    def _make_metric(self, loss, n_threads: int) -> FocalMetric:
        return FocalMetric(loss, n_threads, self._OPENMP_BOOSTER)

    def _make_objective(self, loss, n_classes: int, n_threads: int, offset) -> SklearnObjective:
        return SklearnObjective(
            loss, self._hessian_scale(n_classes), n_threads=n_threads, offset=offset, booster=self._OPENMP_BOOSTER
        )

    def _n_threads(self) -> int:
        """Threads for the objective: ``n_jobs`` (or an alias) as the booster reads it.

        Left unset (``None``), it is the number of OpenMP threads this process may use, which
        follows ``OMP_NUM_THREADS``: a fit inside a joblib worker (``GridSearchCV(n_jobs=k)``,
        ``cross_val_score(n_jobs=k)``) then uses the worker's share of the cores, not all of them.
        """
        n_jobs = self._user_n_jobs()
        if n_jobs is None:
            return self._default_n_threads()
        return openmp_threads() if n_jobs == 0 else resolve_n_threads(n_jobs)  # 0: OpenMP's default, as both boosters

    def _user_n_jobs(self):
        return self.n_jobs

    def _default_n_threads(self) -> int:
        return openmp_threads()

    def _set_fitted(self, plan: FitPlan) -> None:
        self._classes_value = plan.classes
        self.loss_ = plan.loss
        self.init_score_ = plan.init_score

    # ---------------------------------------------------------------- prediction
    def _prediction_input(self, X):
        """``X`` checked for prediction, once: adapters whose parent checks some inputs itself skip those."""
        return self._validate_X(X, reset=False)

    def decision_function(self, X, **predict_params) -> np.ndarray:
        """Raw margins, start score included: log-odds of ``classes_[1]``, or one score per class.

        Parameters
        ----------
        X : array-like, sparse matrix or data frame of shape (n_samples, n_features)
            Input data.
        **predict_params : dict
            Keyword arguments of the booster estimator's prediction (for example
            ``num_iteration`` for LightGBM, ``iteration_range`` for XGBoost).

        Returns
        -------
        margin : ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes) or (n_samples, n_labels)
        """
        check_is_fitted(self, "init_score_")
        return np.asarray(self._raw_margin(self._prediction_input(X), **predict_params), dtype=float)

    def predict_proba(self, X, **predict_params) -> np.ndarray:
        """Class probabilities: sigmoid (softmax for K classes) of the margin, or the posterior.

        With ``posterior_correction=True`` the focal loss's distortion is inverted in closed form
        (:func:`skfocal.focal_posterior`), which estimates the class posterior; otherwise this is
        the link of the margin, as in the boosters' own classifiers.

        Parameters
        ----------
        X : array-like, sparse matrix or data frame of shape (n_samples, n_features)
            Input data.
        **predict_params : dict
            As in :meth:`decision_function`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; for a multilabel model, (n_samples, n_labels):
            each label's probability of a positive.
        """
        margin = self.decision_function(X, **predict_params)
        if self.posterior_correction:
            return self.loss_.posterior(margin)
        if margin.ndim == 1:
            return np.column_stack([expit(-margin), expit(margin)])
        if isinstance(self.loss_, MultilabelFocalLoss):  # one probability per label, as XGBClassifier's
            return expit(margin)
        return softmax_rows(margin)

    def predict(self, X, **predict_params) -> np.ndarray:
        """Predicted class labels: the class of highest :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like, sparse matrix or data frame of shape (n_samples, n_features)
            Input data.
        **predict_params : dict
            As in :meth:`decision_function`.

        Returns
        -------
        labels : ndarray of shape (n_samples,), or (n_samples, n_labels) for a multilabel model
        """
        proba = self.predict_proba(X, **predict_params)
        if isinstance(self.loss_, MultilabelFocalLoss):  # each label present where its probability exceeds 1/2
            return self.classes_[(proba > 0.5).astype(np.intp)]
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.no_validation = False
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        tags.target_tags.required = True
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = False
        return tags


def _label_totals(indicator: np.ndarray, sample_weight) -> tuple[np.ndarray, np.ndarray]:
    """``(totals, counts)`` of a multilabel 0/1 indicator: each of shape (n_labels, 2), (negatives, positives)."""
    positives = indicator.sum(axis=0, dtype=np.int64)
    counts = np.column_stack([len(indicator) - positives, positives])
    if sample_weight is None:
        return counts.astype(np.float64), counts
    weighted = sample_weight @ indicator  # float64: the weights' dtype
    return np.column_stack([sample_weight @ (1 - indicator), weighted]).astype(np.float64), counts


def _compact(encoded: np.ndarray, n_classes: int) -> np.ndarray:
    """Encoded labels in the smallest unsigned dtype that holds them (uint8 up to 256 classes).

    Both boosters keep their own float32 copy of the labels, and the kernels take any integer
    dtype; the estimator's copy, held for the whole fit, is then an eighth of an int64 one.
    """
    return encoded.astype(np.min_scalar_type(max(n_classes - 1, 0)), copy=False)


class SklearnObjective:
    """The focal objective in the calling convention of the boosters' scikit-learn wrappers.

    ``LGBMClassifier`` calls ``objective(y_true, y_pred, weight)`` (``FocalLGBMClassifier``
    through a leaner proxy of its own, the same call) and ``XGBClassifier`` calls
    ``objective(y_true, y_pred, sample_weight=...)``; both get ``(grad, hess)``. A module-level
    class rather than a closure, so fitted estimators pickle.

    ``hessian_scale`` multiplies the Hessian the way the booster scales its own softmax
    Hessian for K classes (LightGBM by ``K / (K - 1)``, XGBoost by 2), so a learning rate means
    the same with the focal objective, and ``focal_gamma=0`` is the booster's own model.
    ``offset``, a start score (a number, or ``(K,)``), is added to the booster's scores before
    the gradient is taken: a booster that starts from zero then trains as if it had been given
    the start score row by row, without an ``(n, K)`` array of it.

    Every round runs the loss's compiled training path on the booster's own ``n_threads``
    OpenMP threads, through the OpenMP runtime of ``booster`` (``"lightgbm"``, ``"xgboost"``:
    :func:`skfocal._compat.openmp_team`); where that runtime cannot be used, on half as many
    threads of the kernels' own (:func:`objective_threads`). It writes
    float32 (what both boosters train on) into two buffers kept from round to round; the
    booster consumes them before it asks for the next round. They are never pickled or
    deep-copied. XGBoost trains with this object, and :meth:`release` drops the buffers after
    training; ``lightgbm.train`` trains with a deep copy of its parameters, objective
    included, and drops that copy, buffers and all, when training ends.
    """

    def __init__(self, loss, hessian_scale: float = 1.0, n_threads: int | None = None, offset=None, booster=None):
        self.loss = loss
        self.hessian_scale = hessian_scale
        self.n_threads = n_threads
        self.offset = offset
        self.booster = booster
        self._out = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.loss!r}, hessian_scale={self.hessian_scale!r})"

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_out": None}

    def release(self) -> None:
        """Drop the gradient buffers (called when training ends)."""
        self._out = None

    def _buffers(self, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # The layout of the scores (LightGBM's K-class scores are column-major, which is also
        # the layout it wants the gradients in), float32.
        order = "F" if y_pred.ndim == 2 and y_pred.flags.f_contiguous and not y_pred.flags.c_contiguous else "C"
        if self._out is None or self._out[0].shape != y_pred.shape or self._out[2] != order:
            self._out = (np.empty(y_pred.shape, np.float32, order), np.empty(y_pred.shape, np.float32, order), order)
        return self._out[:2]

    def __call__(self, y_true, y_pred, sample_weight=None):
        # Labels and weights were checked in fit; this runs every boosting round.
        y_pred = np.asarray(y_pred)
        threads, team = kernel_threads(self._threads(), self.booster)
        return self.loss._training_gradient_hessian(
            y_true, y_pred, sample_weight, hessian_scale=self.hessian_scale,
            out=self._buffers(y_pred), n_threads=threads, offset=self.offset, team=team,
        )  # fmt: skip

    def _threads(self) -> int:
        return resolve_n_threads(self.n_threads)


def kernel_threads(booster_threads: int, booster: str | None):
    """``(threads, team)`` for a kernel called in a boosting round of ``booster``.

    With the booster's OpenMP runtime (``team``, :func:`skfocal._compat.openmp_team`), all the
    booster's threads (:func:`skfocal._compat.team_threads`: XGBoost caps ``nthread`` at the
    processors), the same team: they are the booster's own, awake right after its last parallel region.
    Without it, :func:`objective_threads` threads of the kernels' own, and ``team`` is ``None``.
    """
    team = _compat.openmp_team(booster)  # looked up on the module: tests and benchmarks replace it
    threads = _compat.team_threads(booster, booster_threads)  # what the booster really runs on
    return (threads, team) if team is not None else (objective_threads(threads), None)


def objective_threads(booster_threads: int) -> int:
    """Threads of the kernels' own for a call in a boosting round: half the booster's, at least one.

    The objective runs right after one of the booster's OpenMP regions, whose threads keep
    spinning on their cores for a while (libgomp's default): a thread of the objective gets
    about half a core, and the threads hand the GIL to each other block by block. On two cores
    one thread was as fast as two or faster in every workload of ``benchmarks/bench_threads.py``
    (``benchmarks/RESULTS.md``).
    """
    return max(1, int(booster_threads) // 2)


def resolve_n_threads(n_jobs) -> int:
    """Threads for ``n_jobs`` as scikit-learn and both boosters read it: ``None``/0 all CPUs, -1 all, -2 all but one."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    if n_jobs is None or n_jobs == 0:
        return cpus
    n_jobs = int(n_jobs)
    return max(cpus + 1 + n_jobs, 1) if n_jobs < 0 else n_jobs


def start_scores(init_score, n_rows: int) -> np.ndarray:
    """The start score repeated for every row: shape (n,) for two classes, (n, K) for K classes."""
    if np.ndim(init_score) == 0:
        return np.full(n_rows, float(init_score))
    return np.tile(np.asarray(init_score, dtype=float), (n_rows, 1))


def weighted_mean_loss(loss, y_true, raw_score, sample_weight=None, n_threads=1, booster=None) -> float:
    """The eval metric of both adapters: the (weighted) mean focal loss of raw scores.

    Computed every round for every eval set, so by the compiled kernels for large ones
    (:func:`skfocal._fastpath.mean_loss`), on the threads :func:`kernel_threads` gives for the
    booster's ``n_threads``; the labels were encoded and checked in ``fit``. A
    result that is not finite is recomputed by the checked numpy reference, which names the
    bad input (non-finite scores, a zero sum of weights).
    """
    from ._fastpath import mean_loss

    if sample_weight is not None and np.size(sample_weight) == 0:
        sample_weight = None
    if isinstance(loss, MultilabelFocalLoss):  # the mean over the labels, each label group as a binary loss
        z = np.asarray(raw_score)
        w = np.empty(0) if sample_weight is None else np.asarray(sample_weight)
        parts = loss._label_parts(np.asarray(y_true).reshape(z.shape), z, w)
        return float(np.mean([weighted_mean_loss(*part, n_threads, booster) for part in parts]))
    z = np.asarray(raw_score)
    if z.dtype not in (np.float32, np.float64):
        z = z.astype(np.float64)
    threads, team = kernel_threads(n_threads, booster)
    value = mean_loss(loss, np.asarray(y_true), z, sample_weight, n_threads=threads, team=team)
    if np.isfinite(value):
        return value
    return float(np.average(loss.loss(y_true, raw_score), weights=sample_weight))
