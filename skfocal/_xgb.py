"""FocalXGBClassifier: the XGBoost adapter.

Design: a subclass of ``xgboost.XGBClassifier``, so users keep every XGBoost parameter and habit
(``get_booster()``, ``evals_result()``, ``best_iteration``, ``early_stopping_rounds``,
``feature_importances_``, ``xgboost.plot_importance``, ``save_model``/``load_model``) with their
own meaning. The adapter translates the mixin's :class:`~skfocal._base.FitPlan` into XGBoost's
arguments; the traps, one place each:

- ``XGBClassifier.fit`` reads the objective, the eval metric, the start score and early stopping
  from the estimator's attributes. Those stay the user's: for the duration of the parent's
  ``fit`` only, the parent sees the plan's objective and metric (``_training_attributes``).
- XGBoost forwards every estimator parameter to the booster, so ``focal_gamma`` and
  ``focal_alpha`` are declared wrapper parameters; XGBoost's own ``gamma`` (``min_split_loss``)
  and ``alpha`` (``reg_alpha``) keep their meaning.
- XGBoost estimates no intercept for a callable objective; the start score is given as
  ``base_score`` (a probability, since the booster's objective stays ``binary:logistic``), so it
  is stored in the model and ``get_booster()`` predicts the same margins on its own.
- ``scale_pos_weight`` weights the positive class inside XGBoost's own ``binary:logistic``; here
  it is a class weight of the focal loss (and, as in XGBoost's intercept, of the start score).
- XGBoost evaluates its string metrics first and a callable metric last, and early-stops on the
  last one. The focal metric is the callable one, so early stopping watches the user's last
  metric when there is one, as in the parent (``_training_attributes``, ``_watching``).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import numbers

import numpy as np
import xgboost
from scipy.sparse import issparse
from xgboost import XGBClassifier
from xgboost.callback import EarlyStopping, EvaluationMonitor

from ._base import (
    ESTIMATOR_DOC,
    FOCAL_PARAMS,
    FitPlan,
    FocalClassifierMixin,
    LinkedMetric,
    Refuse,
    Translate,
    _is_dataframe,
    as_positive_float,
    parent_signature,
    with_signature,
)
from ._compat import LeanRounds, parent_sees
from ._loss import BinaryFocalLoss, MulticlassFocalLoss, MultilabelFocalLoss

__all__ = ["FocalXGBClassifier"]

_REFUSED_FIT = ("base_margin", "base_margin_eval_set", "xgb_model")
_PARENT_FIT_PARAMETERS = tuple(inspect.signature(XGBClassifier.fit).parameters)[1:]
#: The booster attribute under which save_model stores what skfocal needs to predict.
_STATE_ATTR = "skfocal"


def _as_base_score(name: str, value) -> float:
    number = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if not (number and 0 < value < 1):
        raise ValueError(
            f"{name} is the start probability of binary:logistic and must lie in (0, 1), got {value!r}; "
            "leave it unset to start from the focal loss's optimal constant."
        )
    return float(value)


#: XGBoost's tree updaters take no split whose gain (loss change) is below this (its ``kRtEps``).
_XGB_MIN_GAIN = 1e-6


def _is_inf(value) -> bool:
    return isinstance(value, numbers.Real) and bool(np.isinf(value))


def _json_value(value):
    """numpy scalars and arrays as JSON's numbers and lists (GridSearchCV hands over numpy values)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} cannot be stored in a model file.")


@contextlib.contextmanager
def _watching(callbacks, metric_name):
    """The user's ``EarlyStopping`` callbacks that name no metric watch ``metric_name`` during the fit.

    They are the user's own objects (XGBoost keeps their history from fit to fit, and so must
    skfocal), so their ``metric_name`` is set for the fit and restored after it.
    """
    chosen = [] if metric_name is None else [
        cb for cb in callbacks or [] if isinstance(cb, EarlyStopping) and cb.metric_name is None
    ]  # fmt: skip
    for cb in chosen:
        cb.metric_name = metric_name
    try:
        yield
    finally:
        for cb in chosen:
            cb.metric_name = None


class FocalXGBClassifier(FocalClassifierMixin, XGBClassifier):
    __doc__ = ESTIMATOR_DOC.format(
        booster="XGBoost",
        name="FocalXGBClassifier",
        parent="xgboost.XGBClassifier",
        parent_name="XGBClassifier",
        param_note=" (XGBoost's ``gamma`` is still\n    ``min_split_loss`` and ``alpha`` still L1 regularisation)",
        start_note="stored in the model as ``base_score``",
        kwargs_doc=(
            "Any parameter of ``xgboost.XGBClassifier`` (``n_estimators``, ``max_depth``,\n"
            "        ``learning_rate``, ``early_stopping_rounds``, ``eval_metric``, ``n_jobs``, ...), with\n"
            "        its meaning there. ``scale_pos_weight`` weights the positive class's focal loss as it\n"
            "        weights XGBoost's log loss (times ``focal_alpha``); ``base_score`` (two classes)\n"
            "        fixes the start probability instead of fitting it. ``objective`` is refused (the\n"
            "        loss is the focal loss). String metrics are computed by XGBoost on the sigmoid\n"
            "        (softmax) of the margin and logged before the focal loss; early stopping watches\n"
            "        the last of them, as in ``XGBClassifier``. A callable ``eval_metric`` gets those\n"
            "        probabilities too, and replaces the focal loss."
        ),
        init_note=(
            "It is part of the booster (as ``base_score``): ``get_booster().predict(...,\n"
            "        output_margin=True)`` equals ``decision_function(X)``."
        ),
        parent_attributes="``get_booster()``, ``evals_result()``, ``best_iteration``, ``feature_importances_``, ...",
        other="FocalLGBMClassifier",
        other_booster="LightGBM",
        train="xgboost.train",
        example_kwargs="",
        multilabel_note=(
            "As ``XGBClassifier``, it trains a multilabel 0/1 indicator ``y`` of shape\n"
            "    ``(n_samples, n_labels)``: the binary focal loss of each label, with ``focal_alpha`` (a\n"
            "    float in (0, 1), one per label, or ``'balanced'``) and ``focal_gamma`` (one, or one per\n"
            "    label) per label, a start score per label, and ``predict_proba`` of shape\n"
            "    ``(n_samples, n_labels)`` (see the user guide's section on multilabel targets). There a\n"
            "    list ``focal_gamma`` is one gamma per label, for its negatives and positives alike: with\n"
            "    two labels, ``[4.0, 0.0]`` focuses label 0 by 4 and label 1 not at all."
        ),
    )

    _OPENMP_BOOSTER = "xgboost"
    _REFUSED_FIT = _REFUSED_FIT
    _START_IS_KEPT = "and stored in the model"
    _BOOSTER_PARAMS = {
        "objective": Refuse(
            "the loss is the focal loss; set focal_gamma and focal_alpha instead.", default="binary:logistic"
        ),
        "base_score": Translate(convert=_as_base_score),
        "scale_pos_weight": Translate(default=1.0, convert=as_positive_float),
    }
    _SCORES_START = True  # base_score is in XGBoost's scores
    _MULTILABEL = True  # as XGBClassifier: a 0/1 indicator y trains binary:logistic on every column

    def __init__(self, *, focal_gamma=2.0, focal_alpha=None, posterior_correction: bool = False, **kwargs):
        self.focal_gamma = focal_gamma
        self.focal_alpha = focal_alpha
        self.posterior_correction = posterior_correction
        super().__init__(**kwargs)

    __init__ = with_signature(__init__, parent_signature(__init__, XGBClassifier.__init__, xgboost.XGBModel.__init__))
    fit = with_signature(
        FocalClassifierMixin.fit, parent_signature(FocalClassifierMixin.fit, XGBClassifier.fit, drop=_REFUSED_FIT)
    )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True  # as XGBClassifier
        return tags

    def _wrapper_params(self) -> set:
        # Parameters XGBoost keeps out of the booster's configuration.
        return super()._wrapper_params() | set(FOCAL_PARAMS)

    def get_xgb_params(self) -> dict:
        """The booster's parameters; for K classes the objective is the booster's ``multi:softprob``.

        ``set_params`` on a fitted model sends these to the booster, so they must describe it.

        Returns
        -------
        params : dict
        """
        params = super().get_xgb_params()
        if params.get("objective") == "binary:logistic" and getattr(self, "n_classes_", 2) > 2:
            params["objective"] = "multi:softprob"
        return params

    # ------------------------------------------------------------ adapter hooks
    @staticmethod
    def _hessian_scale(n_classes: int) -> float:
        return 2.0 if n_classes > 2 else 1.0  # XGBoost scales its own softmax Hessian by 2

    def _user_n_jobs(self):
        extra = getattr(self, "kwargs", None) or {}  # XGBoost keeps unknown keyword parameters here
        return self.n_jobs if self.n_jobs is not None else extra.get("nthread")

    def _class_weighting(self, classes, class_totals, class_counts, params: dict):
        if "scale_pos_weight" not in params:
            return None, None
        if len(classes) > 2:
            raise ValueError(
                f"scale_pos_weight weights the positive class of a binary model; with {len(classes)} "
                "classes give per-class weights as focal_alpha (or sample_weight)."
            )
        weights = np.array([1.0, params["scale_pos_weight"]])
        return weights, weights  # XGBoost's intercept estimate weighs the positive class too

    def _start_score(self, loss, class_totals, params: dict):
        multilabel = np.ndim(class_totals) == 2
        if "base_score" in params:  # a fixed start probability
            if len(class_totals) > 2 and not multilabel:
                raise ValueError(
                    f"base_score with {len(class_totals)} classes is not supported; leave it unset to start "
                    "from the focal loss's optimal constants."
                )
            p = params["base_score"]
            margin = float(np.log(p) - np.log1p(-p))
            return np.full(len(class_totals), margin) if multilabel else margin  # every label's start
        if "scale_pos_weight" in params:
            # XGBoost's own intercept under scale_pos_weight is one Newton step from 0 on the
            # weighted loss (its exact weighted mean applies to row weights only), per label for
            # a multilabel y; the same rule here, so that focal_gamma=0 is XGBoost's own model.
            totals = np.atleast_2d(class_totals)  # (labels, 2): negatives, positives
            labels = np.repeat(np.array([[0], [1]]), len(totals), axis=1)  # (2, labels)
            y = labels if multilabel else labels[:, 0]
            grad, hess = (np.reshape(g, labels.shape) for g in loss.gradient_hessian(y, np.zeros(y.shape)))
            step = -np.einsum("lk,kl->l", totals, grad) / np.einsum("lk,kl->l", totals, hess)
            return step if multilabel else float(step[0])
        return super()._start_score(loss, class_totals, params)

    def _base_score(self, init_score, multilabel: bool = False):
        """The start score as XGBoost stores it: a probability for binary:logistic, margins for multi:softprob.

        A vector base_score (XGBoost >= 3.1) holds one margin per class for multi:softprob, and
        one probability per label for binary:logistic on a multilabel y.
        """
        if np.ndim(init_score) == 0:
            return float(1.0 / (1.0 + np.exp(-init_score)))
        if multilabel:
            return (1.0 / (1.0 + np.exp(-np.asarray(init_score, dtype=float)))).tolist()
        return np.asarray(init_score).tolist()

    @staticmethod
    def _translated_params() -> list:
        """The booster parameters the plan translates: the booster must not see them again."""
        return ["scale_pos_weight", "base_score"]

    def _training_attributes(self, plan: FitPlan, verbose=True):
        """What ``XGBClassifier.fit`` must read instead of the user's attributes: objective, metric, start, stopping.

        Returns ``(attributes, stop_on, verbose)``: the attributes; the metric early stopping
        must watch when it is not the last one logged (the focal loss is logged after the
        user's string metrics), else ``None``; the ``verbose`` to give the parent's ``fit``.
        ``xgboost.train`` turns ``early_stopping_rounds`` into a callback that watches the last
        metric, after its printer of the metrics (which then prints the round it stops at
        too). So the rounds become a callback on ``stop_on`` here, with the printer put before
        it, as there.
        """
        metric, strings = self.eval_metric, []
        if metric is None:
            metric = plan.metric
        elif callable(metric):  # replaces the focal metric (XGBoost takes one callable); sees probabilities
            metric = LinkedMetric(metric, plan.multilabel)
        else:
            items = [metric] if isinstance(metric, str) else list(metric)
            strings = [m for m in items if isinstance(m, str)]
            callables = [LinkedMetric(m, plan.multilabel) for m in items if callable(m)]
            metric = [*strings, *(callables or [plan.metric])]
        callbacks = list(self.callbacks or [])
        rounds = self.early_stopping_rounds
        # XGBoost early-stops on the last metric, which would be the appended focal loss: stop
        # on the user's last one, as the parent does, also in the user's own callbacks.
        stop_on = strings[-1] if strings and metric[-1] is plan.metric else None
        if stop_on is not None and rounds:
            if verbose:
                callbacks.append(EvaluationMonitor(period=1 if verbose is True else verbose))
                verbose = False
            callbacks.append(EarlyStopping(rounds=rounds, metric_name=stop_on))
            rounds = None
        extra = dict(getattr(self, "kwargs", None) or {})
        if not strings:  # no XGBoost metric was asked for: none of its defaults either
            extra["disable_default_eval_metric"] = True
        attributes = {
            "objective": plan.objective,
            "eval_metric": metric,
            "base_score": self._base_score(plan.init_score, plan.multilabel),
            "scale_pos_weight": None,  # part of the loss's class weights
            "early_stopping_rounds": rounds,
            "callbacks": callbacks or None,
            "kwargs": extra,
        }
        return attributes, stop_on, verbose

    def _fit_booster(self, X, plan: FitPlan, fit_params) -> None:
        fit_params = dict(fit_params)
        unknown = sorted(set(fit_params) - set(_PARENT_FIT_PARAMETERS))
        if unknown:  # whichever way it trains, the parent's message
            raise TypeError(f"{type(self).__name__}.fit() got an unexpected keyword argument {unknown[0]!r}")
        eval_set = fit_params.pop("eval_set", None)
        if isinstance(eval_set, tuple):
            eval_set = [eval_set]
        if eval_set is not None:
            eval_set, eval_weights = self._validate_eval_sets(
                eval_set, fit_params.get("sample_weight_eval_set"), "sample_weight_eval_set", plan
            )
            if eval_weights is not None:
                fit_params["sample_weight_eval_set"] = eval_weights
        # The parent trains; LeanRounds (the first callback) makes its rounds call the objective
        # directly, without the parent's per-round reads of the labels and copies of the scores.
        lean = LeanRounds(plan.objective)
        try:
            attributes, stop_on, fit_params["verbose"] = self._training_attributes(
                plan, fit_params.get("verbose", True)
            )
            attributes["callbacks"] = [lean, *(attributes["callbacks"] or [])]
            with parent_sees(self, **attributes), _watching(self.callbacks, stop_on):
                XGBClassifier.fit(self, X, plan.y, sample_weight=plan.sample_weight, eval_set=eval_set, **fit_params)
        finally:
            lean.restore()
            plan.objective.release()

    def _split_limits(self) -> tuple[str, float, float, float]:
        params = self.get_xgb_params()

        def chosen(names, default: float) -> float:
            return float(next((params[a] for a in names if params.get(a) is not None), default))

        min_gain = chosen(("gamma", "min_split_loss"), 0.0) + _XGB_MIN_GAIN
        return "min_child_weight", chosen(("min_child_weight",), 1.0), min_gain, chosen(("reg_lambda", "lambda"), 1.0)

    def _accepts_inf(self, training: bool) -> bool:
        # XGBoost predicts on infinite values, but trains on them only as its missing value.
        return not training or _is_inf(self.missing)

    def _validate_X(self, X, *, reset: bool, training: bool | None = None):
        X = super()._validate_X(X, reset=reset, training=training)
        if (reset if training is None else training) and _is_inf(self.missing) and not _is_dataframe(X):
            other = -self.missing
            if np.any((X.data if issparse(X) else X) == other):
                raise ValueError(
                    f"X contains {other}, which XGBoost cannot train on while missing={self.missing}: "
                    f"replace it, or use missing=np.nan and NaN for missing values."
                )
        return X

    def _raw_margin(self, X, **predict_params) -> np.ndarray:
        if predict_params.pop("output_margin", False):
            raise TypeError("output_margin=True is not a probability or label output; use decision_function.")
        return super(XGBClassifier, self).predict(X, output_margin=True, **predict_params)

    # ------------------------------------------------------------ model files
    def save_model(self, fname) -> None:
        """Save the model (XGBoost's JSON or UBJSON) with what skfocal needs to predict as before.

        The file is an ordinary XGBoost model: ``xgboost.Booster(model_file=fname).predict``
        gives the sigmoid (softmax) of the margin, the start score included. The classes, the
        loss, the start score and the focal parameters are stored in it too, so
        :meth:`load_model` restores a ``FocalXGBClassifier`` that predicts exactly as this one.

        Parameters
        ----------
        fname : str or os.PathLike
            Output file; ``.json`` or ``.ubj``.
        """
        booster = self.get_booster()
        if "init_score_" not in self.__dict__:
            raise ValueError(f"This {type(self).__name__} is not fitted by skfocal; fit it before saving.")
        booster.set_attr(**{_STATE_ATTR: json.dumps(self._model_state(), default=_json_value)})
        try:
            super().save_model(fname)
        finally:
            booster.set_attr(**{_STATE_ATTR: None})

    def load_model(self, fname) -> None:
        """Load a model saved by :meth:`save_model`: classes, loss, start score and focal parameters included.

        Parameters
        ----------
        fname : str, os.PathLike, bytearray
            A model file written by :meth:`save_model`.
        """
        user = {name: getattr(self, name) for name in ("objective", "base_score", "booster")}
        super().load_model(fname)
        booster = self.get_booster()
        state = booster.attr(_STATE_ATTR)
        booster.set_attr(**{_STATE_ATTR: None})
        self.__dict__.update(user)  # XGBoost's load_model sets these from the file; they stay the user's
        if state is None:
            raise ValueError(
                f"{fname!r} was not saved by {type(self).__name__}.save_model: it has no classes, loss "
                "or start score. Load it with xgboost.XGBClassifier().load_model or xgboost.Booster."
            )
        self._restore_model_state(json.loads(state))

    def _model_state(self) -> dict:
        classes = np.asarray(self.classes_)

        def per_class(value):  # a focal parameter as JSON: a dict by the classes' order (labels need not be str)
            if isinstance(value, dict):
                return {"per_class": [value[c] for c in classes.tolist()]}
            if value is not None and not isinstance(value, (str, float, int)):
                return np.asarray(value, dtype=float).tolist()
            return value

        weights = self.loss_.class_weights_
        multilabel = isinstance(self.loss_, MultilabelFocalLoss)
        state = {
            "classes": classes.tolist(),
            "classes_dtype": classes.dtype.str,
            "multilabel": multilabel,
            "init_score": np.asarray(self.init_score_).tolist(),
            "gamma": np.asarray(self.loss_._gamma, dtype=float).tolist(),  # a float, or one per class or label
            "class_weights": None if weights is None else np.asarray(weights).tolist(),
            "focal_gamma": per_class(self.focal_gamma),
            "focal_alpha": per_class(self.focal_alpha),
            "posterior_correction": bool(self.posterior_correction),
            "n_features_in": int(self.n_features_in_),
        }
        if "_feature_names_in_value" in self.__dict__:
            state["feature_names_in"] = [str(name) for name in self.feature_names_in_]
        return state

    def _restore_model_state(self, state: dict) -> None:
        classes = np.asarray(state["classes"], dtype=np.dtype(state["classes_dtype"]))
        gamma, alpha = state["focal_gamma"], state["focal_alpha"]
        if isinstance(gamma, dict):
            gamma = dict(zip(classes.tolist(), gamma["per_class"], strict=True))
        if isinstance(alpha, dict):
            alpha = dict(zip(classes.tolist(), alpha["per_class"], strict=True))
        self.focal_gamma, self.focal_alpha = gamma, alpha
        self.posterior_correction = state["posterior_correction"]
        if state.get("multilabel"):
            loss_class = MultilabelFocalLoss
        else:
            loss_class = BinaryFocalLoss if len(classes) == 2 else MulticlassFocalLoss
        self._classes_value = classes
        self.loss_ = loss_class(alpha=state["class_weights"], gamma=state["gamma"])
        init_score = state["init_score"]
        self.init_score_ = float(init_score) if np.ndim(init_score) == 0 else np.asarray(init_score, dtype=float)
        self.n_features_in_ = state["n_features_in"]
        del self.feature_names_in_
        if "feature_names_in" in state:
            self.feature_names_in_ = np.asarray(state["feature_names_in"], dtype=object)
