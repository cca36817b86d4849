"""FocalLGBMClassifier: the LightGBM adapter.

Design: a subclass of ``lightgbm.LGBMClassifier``, so users keep every LightGBM parameter and
habit (``booster_``, ``evals_result_``, ``best_iteration_``, ``feature_importances_``, callbacks,
``lightgbm.plot_importance``) with their own meaning. The traps of subclassing are handled
here, in one place each:

- the objective is not a constructor parameter to mutate: it is injected where LightGBM turns
  parameters into booster parameters (``_process_params``), which also keeps ``focal_gamma``
  and ``focal_alpha`` away from the booster and drops LightGBM's default ``binary_logloss``
  metric (which LightGBM would compute on raw margins as if they were probabilities);
- LightGBM neither stores ``init_score`` in the model nor adds it at predict time, so the
  start score is added to every leaf of the first tree after training (``_fold_init_score``);
  ``booster_`` then predicts the same margins on its own, also after a save and load. During
  training the objective adds the start score to LightGBM's scores (``SklearnObjective.offset``)
  rather than LightGBM getting an ``(n, K)`` ``init_score`` array, which it would copy: two
  float64 arrays the size of the scores saved. Eval sets get ``eval_init_score`` (their labels
  are re-encoded arrays, so LightGBM never evaluates one on the training scores);
- with a callable objective LightGBM fails on data in which no feature can be split on
  (constant columns, very few rows); its built-in objective grows a constant tree there, so
  that case is trained with the built-in objective and gets the focal start score folded in.
"""

from __future__ import annotations

import inspect

import numpy as np
from lightgbm import LGBMClassifier
from lightgbm.basic import LightGBMError
from scipy.special import logit
from sklearn.utils.validation import _num_samples

from ._base import (
    ESTIMATOR_DOC,
    FOCAL_PARAMS,
    FocalClassifierMixin,
    SklearnObjective,
    resolve_class_weights,
    start_scores,
    weighted_mean_loss,
)
from ._export import record_lgbm_objective

__all__ = ["FocalLGBMClassifier"]

_METRIC_ALIASES = ("metric", "metrics", "metric_types")
_OBJECTIVE_ALIASES = ("objective", "objective_type", "app", "application", "loss")
# LightGBM computes these on the raw margins of a custom objective as if they were probabilities.
_PROBABILITY_METRICS = {
    "binary_logloss",
    "binary",
    "logloss",
    "binary_error",
    "error",
    "cross_entropy",
    "xentropy",
    "cross_entropy_lambda",
    "xentlambda",
    "kullback_leibler",
    "kldiv",
    "multi_logloss",
    "multiclass",
    "softmax",
    "multiclassova",
    "multiclass_ova",
    "ova",
    "ovr",
    "multi_error",
}
_NO_FEATURES_ERROR = "num_features()) > (0)"
_HAS_EVAL_XY = "eval_X" in inspect.signature(LGBMClassifier.fit).parameters


class _LGBMFocalMetric:
    """Focal eval metric in ``LGBMClassifier``'s convention.

    ``(y_true, y_pred, weight) -> (name, value, higher_is_better)``. ``y_pred`` is the raw margin
    under the focal objective, and a probability under LightGBM's built-in one (the fallback
    for data without a usable feature).
    """

    def __init__(self, loss, on_probabilities: bool = False):
        self.loss = loss
        self.on_probabilities = on_probabilities

    def __call__(self, y_true, y_pred, weight):
        margin = y_pred
        if self.on_probabilities:  # back to margins (up to a per-row shift, for softmax)
            margin = logit(y_pred) if np.ndim(y_pred) == 1 else np.log(y_pred)
        return "focal_loss", weighted_mean_loss(self.loss, y_true, margin, weight), False


def _pop_eval_pairs(fit_params: dict) -> list:
    """Eval sets as a list of ``(X, y)``, from ``eval_set`` or LightGBM 4.7's ``eval_X``/``eval_y``."""
    eval_set = fit_params.pop("eval_set", None)
    eval_X, eval_y = fit_params.pop("eval_X", None), fit_params.pop("eval_y", None)
    if eval_X is not None or eval_y is not None:
        if eval_set is not None or eval_X is None or eval_y is None:
            raise ValueError("Give eval sets either as eval_set or as both eval_X and eval_y.")
        if not isinstance(eval_X, tuple):
            eval_X, eval_y = (eval_X,), (eval_y,)
        if len(eval_X) != len(eval_y):
            raise ValueError(f"eval_X has {len(eval_X)} data sets but eval_y has {len(eval_y)}.")
        return list(zip(eval_X, eval_y, strict=False))
    if isinstance(eval_set, tuple):
        eval_set = [eval_set]
    return list(eval_set or [])


def _metric_names(metric) -> list:
    if metric is None:
        return []
    return [m for m in (metric if isinstance(metric, (list, tuple)) else [metric]) if isinstance(m, str)]


class FocalLGBMClassifier(FocalClassifierMixin, LGBMClassifier):
    __doc__ = ESTIMATOR_DOC.format(
        booster="LightGBM",
        name="FocalLGBMClassifier",
        parent="lightgbm.LGBMClassifier",
        parent_name="LGBMClassifier",
        param_note="",
        start_note="which is added to the first trees' leaves",
        kwargs_doc=(
            "Any parameter of ``lightgbm.LGBMClassifier`` (``n_estimators``, ``learning_rate``,\n"
            "        ``num_leaves``, ``n_jobs``, ``random_state``, ...) or LightGBM parameter. ``objective``\n"
            "        and its aliases are refused (the loss is the focal loss), and so are\n"
            "        ``boosting_type='rf'`` and ``linear_tree``, which cannot take a start score.\n"
            "        ``class_weight`` (dict or ``'balanced'``) weights each class's loss exactly as\n"
            "        ``focal_alpha`` does; when both are given the weights multiply."
        ),
        init_note=(
            "It is part of ``booster_``: ``booster_.predict(X, raw_score=True)`` equals\n"
            "        ``decision_function(X)``."
        ),
        parent_attributes="``booster_``, ``evals_result_``, ``best_iteration_``, ``feature_importances_``, ...",
        other="FocalXGBClassifier",
        other_booster="XGBoost",
        train="lightgbm.train",
        example_kwargs=", verbose=-1",
    )

    def __init__(self, *, focal_gamma: float = 2.0, focal_alpha=None, posterior_correction: bool = False, **kwargs):
        self.focal_gamma = focal_gamma
        self.focal_alpha = focal_alpha
        self.posterior_correction = posterior_correction
        super().__init__(**kwargs)

    # ------------------------------------------------------------ adapter hooks
    def _check_booster_params(self) -> None:
        params = self.get_params()
        for alias in _OBJECTIVE_ALIASES:
            if params.get(alias) is not None:
                raise ValueError(
                    f"{type(self).__name__} trains the focal loss; {alias} must stay unset, got {params[alias]!r}."
                )
        if any(params.get(alias) for alias in ("linear_tree", "linear_trees")):
            raise ValueError("linear_tree=True is not supported: the start score cannot be folded into linear leaves.")
        if any(params.get(alias) in ("rf", "random_forest") for alias in ("boosting_type", "boosting", "boost")):
            raise ValueError(
                "LightGBM's random forest mode (boosting_type='rf') takes neither a start score nor a "
                "custom objective; use boosting_type='gbdt' (optionally with subsample) or 'dart'."
            )
        for alias in _METRIC_ALIASES:
            self._check_metric_names(params.get(alias), alias)

    @staticmethod
    def _check_metric_names(metric, where: str) -> None:
        bad = [m for m in _metric_names(metric) if m in _PROBABILITY_METRICS]
        if bad:
            raise ValueError(
                f"{where}={bad!r}: LightGBM computes these metrics on the raw margins of a custom "
                "objective as if they were probabilities, which gives wrong numbers. The default "
                "eval metric is the focal loss; margin-based metrics such as 'auc' or "
                "'average_precision', or a callable eval_metric, are fine."
            )

    def _pop_user_metrics(self, fit_params: dict) -> list:
        """The user's ``eval_metric`` as a list, checked; the focal metric is added by the caller."""
        user_metric = fit_params.pop("eval_metric", None)
        self._check_metric_names(user_metric, "eval_metric")
        metrics = list(user_metric) if isinstance(user_metric, (list, tuple)) else [user_metric]
        return [m for m in metrics if m is not None]

    def _booster_class_weights(self, classes, class_totals):
        # LightGBM's class_weight multiplies the loss of each class exactly as focal_alpha
        # does, so it joins the loss's class weights (and so the start score and the metric).
        if self.class_weight is None:
            return None
        return resolve_class_weights(self.class_weight, classes, class_totals, name="class_weight", sklearn_dict=True)

    def _fit_booster(self, X, y, sample_weight, loss, init_score, fit_params) -> None:
        fit_params = dict(fit_params)
        for name in ("init_score", "eval_init_score", "init_model"):
            if fit_params.get(name) is not None:
                raise ValueError(
                    f"{type(self).__name__}.fit does not take {name}: the start score is fitted "
                    "(init_score_) and folded into the model."
                )
            fit_params.pop(name, None)
        eval_set = _pop_eval_pairs(fit_params)
        if eval_set:
            eval_set, eval_weights = self._validate_eval_sets(
                eval_set, fit_params.get("eval_sample_weight"), "eval_sample_weight"
            )
            if eval_weights is not None:
                fit_params["eval_sample_weight"] = eval_weights
            fit_params["eval_init_score"] = [start_scores(init_score, _num_samples(X_eval)) for X_eval, _ in eval_set]
            if _HAS_EVAL_XY:  # LightGBM >= 4.7 deprecates eval_set in favour of eval_X, eval_y
                fit_params["eval_X"] = tuple(X_eval for X_eval, _ in eval_set)
                fit_params["eval_y"] = tuple(y_eval for _, y_eval in eval_set)
                eval_set = None
        user_metrics = self._pop_user_metrics(fit_params)

        def train(objective, metrics) -> None:
            # class_weight is already part of the loss (_booster_class_weights); LightGBM must
            # not apply it a second time, so it is hidden from the parent's fit.
            self._focal_objective = objective
            train_init_score = None
            if objective is None:  # the built-in objective needs the start score as init_score
                train_init_score = start_scores(init_score, len(y))
            else:  # the focal objective adds it to LightGBM's scores itself
                objective.offset = init_score
            class_weight, self.class_weight, self._class_weight = self.class_weight, None, None
            try:
                LGBMClassifier.fit(
                    self, X, y, sample_weight=sample_weight, init_score=train_init_score,
                    eval_set=eval_set or None, eval_metric=metrics, **fit_params,
                )  # fmt: skip
            finally:
                self.class_weight = class_weight

        try:
            train(self._sklearn_objective(loss), user_metrics + [_LGBMFocalMetric(loss)])
        except LightGBMError as exc:
            if _NO_FEATURES_ERROR not in str(exc):
                raise
            # No feature can be split on: the model is a constant. LightGBM's built-in
            # objective grows that constant tree; its eval metrics see probabilities.
            train(None, user_metrics + [_LGBMFocalMetric(loss, on_probabilities=True)])
        self._fold_init_score(init_score)

    def _sklearn_objective(self, loss) -> SklearnObjective:
        """The focal objective as ``LGBMClassifier`` calls it (LightGBM scales its softmax Hessian by K / (K - 1))."""
        n_classes = len(self._classes_value)
        return SklearnObjective(loss, n_classes / (n_classes - 1) if n_classes > 2 else 1.0)

    def _fold_init_score(self, init_score) -> None:
        """Add the start score to every leaf of the first iteration's trees (one per class for K > 2).

        Then the booster records itself as LightGBM's own binary (``sigmoid:1``) or multiclass
        model (``skfocal._export``), so that a saved model gives ``predict_proba`` (uncorrected)
        in any reader of LightGBM models, not raw margins.
        """
        booster = self.booster_
        first_trees = booster.dump_model(num_iteration=1)["tree_info"]
        for tree, start in zip(first_trees, np.atleast_1d(init_score), strict=True):
            for leaf in range(tree["num_leaves"]):
                booster.set_leaf_output(
                    tree["tree_index"], leaf, booster.get_leaf_output(tree["tree_index"], leaf) + start
                )
        record_lgbm_objective(booster)

    def _process_params(self, stage: str) -> dict:
        # LightGBM's hook from constructor parameters to booster parameters (see module docstring).
        if stage == "fit":
            self._objective = getattr(self, "_focal_objective", None)
        params = super()._process_params(stage)
        objective = getattr(params.get("objective"), "func", None)  # LightGBM's wrapper of a callable
        if stage == "fit" and isinstance(objective, SklearnObjective):
            objective.n_threads = params["num_threads"]  # n_jobs, or an alias of it, as LightGBM resolved it
        for name in FOCAL_PARAMS:
            params.pop(name, None)
        user_set_metric = any(alias in self.get_params() for alias in _METRIC_ALIASES)
        if stage == "fit" and not user_set_metric:
            params["metric"] = None
        return params

    def _raw_margin(self, X, **predict_params) -> np.ndarray:
        for name in ("raw_score", "pred_leaf", "pred_contrib"):
            if predict_params.get(name):
                raise TypeError(
                    f"{name}=True is not a probability or label output; use decision_function for "
                    f"margins, or booster_.predict(X, {name}=True)."
                )
            predict_params.pop(name, None)
        return super(LGBMClassifier, self).predict(X, raw_score=True, **predict_params)
