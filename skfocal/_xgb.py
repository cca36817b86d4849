"""FocalXGBClassifier: the XGBoost adapter.

Design: a subclass of ``xgboost.XGBClassifier``, so users keep every XGBoost parameter and habit
(``get_booster()``, ``evals_result()``, ``best_iteration``, ``early_stopping_rounds``,
``feature_importances_``, ``xgboost.plot_importance``) with their own meaning. The traps of
subclassing are handled here, in one place each:

- ``XGBClassifier.fit`` reads the objective and the eval metric from the constructor
  parameters ``objective`` and ``eval_metric``. Those stay the user's: for the duration of the
  parent's ``fit`` only, they are swapped for the focal objective and, unless the user chose a
  callable metric, the focal metric (``_focal_training``), and restored afterwards.
- XGBoost forwards every estimator parameter to the booster, so ``focal_gamma`` and
  ``focal_alpha`` are declared wrapper parameters; XGBoost's own ``gamma`` (``min_split_loss``)
  and ``alpha`` (``reg_alpha``) keep their meaning.
- XGBoost estimates no intercept for a callable objective; the start score is given as
  ``base_score`` (a probability, since the booster's objective stays ``binary:logistic``), so it
  is stored in the model and ``get_booster()`` predicts the same margins on its own.
"""

from __future__ import annotations

import contextlib

import numpy as np
import xgboost
from scipy.special import expit
from xgboost import XGBClassifier

from ._base import ESTIMATOR_DOC, FOCAL_PARAMS, FocalClassifierMixin, SklearnObjective, weighted_mean_loss

__all__ = ["FocalXGBClassifier"]

_VECTOR_BASE_SCORE = tuple(int(part) for part in xgboost.__version__.split(".")[:2]) >= (3, 1)


class _XGBFocalMetric:
    """Focal eval metric in ``XGBClassifier``'s convention: ``(y_true, y_pred, sample_weight=None) -> value``."""

    __name__ = "focal_loss"

    def __init__(self, loss):
        self.loss = loss

    def __call__(self, y_true, y_pred, sample_weight=None):
        return weighted_mean_loss(self.loss, y_true, y_pred, sample_weight)


def _is_callable_metric(metric) -> bool:
    return callable(metric) or (isinstance(metric, (list, tuple)) and any(callable(m) for m in metric))


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
            "        ``learning_rate``, ``early_stopping_rounds``, ``eval_metric``, ``n_jobs``, ...). Not\n"
            "        accepted: ``objective`` (the loss is the focal loss) and ``base_score`` (the start\n"
            "        score is fitted). A string ``eval_metric`` is computed by XGBoost on probabilities and\n"
            "        logged next to the focal loss; a callable one replaces it. More than two classes\n"
            "        need xgboost >= 3.1 (a start score per class)."
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
    )

    _DEFAULT_OBJECTIVE = "binary:logistic"

    def __init__(self, *, focal_gamma: float = 2.0, focal_alpha=None, posterior_correction: bool = False, **kwargs):
        self.focal_gamma = focal_gamma
        self.focal_alpha = focal_alpha
        self.posterior_correction = posterior_correction
        super().__init__(**kwargs)

    def _wrapper_params(self) -> set:
        # Parameters XGBoost keeps out of the booster's configuration.
        return super()._wrapper_params() | set(FOCAL_PARAMS)

    # ------------------------------------------------------------ adapter hooks
    def _check_booster_params(self) -> None:
        if self.objective != self._DEFAULT_OBJECTIVE:
            raise ValueError(
                f"{type(self).__name__} trains the focal loss; objective must stay "
                f"{self._DEFAULT_OBJECTIVE!r}, got {self.objective!r}."
            )
        if self.base_score is not None:
            raise ValueError(
                f"{type(self).__name__} fits its start score (init_score_); base_score must stay None, "
                f"got {self.base_score!r}."
            )

    def _sklearn_objective(self, loss) -> SklearnObjective:
        """The focal objective as ``XGBClassifier`` calls it; XGBoost scales its own softmax Hessian by 2."""
        extra = getattr(self, "kwargs", None) or {}  # XGBoost keeps unknown keyword parameters here
        threads = self.n_jobs if self.n_jobs is not None else extra.get("nthread")
        return SklearnObjective(loss, 2.0 if len(self._classes_value) > 2 else 1.0, n_threads=threads)

    def _base_score(self, init_score):
        """The start score as XGBoost stores it: a probability for binary:logistic, margins for multi:softprob."""
        if np.ndim(init_score) == 0:
            return float(expit(init_score))
        if not _VECTOR_BASE_SCORE:
            raise ValueError(
                f"Multiclass {type(self).__name__} needs xgboost >= 3.1 (one start score per class is "
                f"stored as a vector base_score); this is xgboost {xgboost.__version__}."
            )
        return np.asarray(init_score).tolist()

    def _training_params(self, loss, init_score) -> dict:
        """The constructor parameters XGBoost's fit must see: focal objective, metric and start score."""
        metric = self.eval_metric
        if not _is_callable_metric(metric):  # a user's callable replaces the focal metric (one only)
            user = list(metric) if isinstance(metric, (list, tuple)) else ([] if metric is None else [metric])
            metric = [*user, _XGBFocalMetric(loss)] if user else _XGBFocalMetric(loss)
        return {
            "objective": self._sklearn_objective(loss),
            "eval_metric": metric,
            "base_score": self._base_score(init_score),
        }

    @contextlib.contextmanager
    def _focal_training(self, loss, init_score):
        """Let ``XGBClassifier.fit`` see :meth:`_training_params`, then restore the user's values."""
        saved = self.objective, self.eval_metric, self.base_score
        for name, value in self._training_params(loss, init_score).items():
            setattr(self, name, value)
        try:
            yield
        finally:
            self.objective.release()
            self.objective, self.eval_metric, self.base_score = saved

    def _fit_booster(self, X, y, sample_weight, loss, init_score, fit_params) -> None:
        fit_params = dict(fit_params)
        for name in ("base_margin", "base_margin_eval_set", "xgb_model"):
            if fit_params.get(name) is not None:
                raise ValueError(
                    f"{type(self).__name__}.fit does not take {name}: the start score is fitted "
                    "(init_score_) and stored in the model."
                )
            fit_params.pop(name, None)
        eval_set = fit_params.pop("eval_set", None)
        if isinstance(eval_set, tuple):
            eval_set = [eval_set]
        if eval_set is not None:
            eval_set, eval_weights = self._validate_eval_sets(
                eval_set, fit_params.get("sample_weight_eval_set"), "sample_weight_eval_set"
            )
            if eval_weights is not None:
                fit_params["sample_weight_eval_set"] = eval_weights
        fit_params.setdefault("verbose", False)
        with self._focal_training(loss, init_score):
            XGBClassifier.fit(self, X, y, sample_weight=sample_weight, eval_set=eval_set, **fit_params)

    def _raw_margin(self, X, **predict_params) -> np.ndarray:
        if predict_params.pop("output_margin", False):
            raise TypeError("output_margin=True is not a probability or label output; use decision_function.")
        return super(XGBClassifier, self).predict(X, output_margin=True, **predict_params)
