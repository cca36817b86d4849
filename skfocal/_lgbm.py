"""FocalLGBMClassifier: the LightGBM adapter.

Design: a subclass of ``lightgbm.LGBMClassifier``, so users keep every LightGBM parameter and
habit (``booster_``, ``evals_result_``, ``best_iteration_``, ``feature_importances_``, callbacks,
``lightgbm.plot_importance``) with their own meaning. The adapter translates the mixin's
:class:`~skfocal._base.FitPlan` into LightGBM's arguments; the traps, one place each:

- the objective is not a constructor parameter to mutate: it is injected where LightGBM turns
  parameters into booster parameters (``_process_params``), which also keeps the focal
  parameters and the translated booster parameters (``_BOOSTER_PARAMS``) away from the booster
  and drops LightGBM's default ``binary_logloss`` metric (which LightGBM would compute on raw
  margins as if they were probabilities);
- ``class_weight``, ``scale_pos_weight`` and ``is_unbalance`` weight each class's loss in
  LightGBM's own binary objective; here they are class weights of the focal loss, so LightGBM
  is trained without them. As in LightGBM, ``class_weight`` is part of the start score (LightGBM
  applies it as row weights) while ``scale_pos_weight`` and ``is_unbalance`` are not (LightGBM's
  ``boost_from_average`` ignores its objective's label weights);
- LightGBM neither stores ``init_score`` in the model nor adds it at predict time, so the
  start score is added to every leaf of the first tree after training (``_fold_init_score``);
  ``booster_`` then predicts the same margins on its own, also after a save and load. During
  training the objective adds the start score to LightGBM's scores (``SklearnObjective.offset``)
  rather than LightGBM getting an ``(n, K)`` ``init_score`` array, which it would copy: two
  float64 arrays the size of the scores saved. Eval sets get ``eval_init_score`` (their labels
  are re-encoded arrays, so LightGBM never evaluates one on the training scores);
- with a callable objective LightGBM fails, printing a ``[Fatal]`` line, on data in which no
  feature can be split on (constant columns, very few rows); its built-in objective grows a
  constant tree there. Data where that is possible is checked beforehand
  (``_has_usable_feature``), and that case is trained with the built-in objective and gets
  the focal start score folded in.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
from lightgbm import Dataset, LGBMClassifier
from lightgbm.basic import LightGBMError
from scipy.sparse import issparse
from scipy.special import logit
from sklearn.base import BaseEstimator

from ._base import (
    ESTIMATOR_DOC,
    FOCAL_PARAMS,
    FitPlan,
    FocalClassifierMixin,
    LinkedMetric,
    Refuse,
    Translate,
    _is_dataframe,
    _times,
    as_bool,
    as_positive_float,
    parent_signature,
    resolve_class_weights,
    start_scores,
    with_signature,
)
from ._compat import (
    LGBM_FIT_ATTRIBUTES,
    lgbm_other_params,
    lightgbm_aliases,
    lightgbm_default_threads,
    num_samples,
    parent_sees,
    use_lgbm_objective,
)
from ._export import record_lgbm_objective

__all__ = ["FocalLGBMClassifier"]

#: LGBMClassifier's own parameters (``min_child_weight``, ``reg_lambda``, ...): a LightGBM alias set
#: through ``**kwargs`` is the one the user chose.
_CONSTRUCTOR_NAMES = frozenset(inspect.signature(LGBMClassifier.__init__).parameters)

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
#: A tree's index and number of leaves in LightGBM's model string.
_TREE_LEAVES = re.compile(r"^Tree=(\d+)\nnum_leaves=(\d+)$", re.MULTILINE)
_HAS_EVAL_XY = "eval_X" in inspect.signature(LGBMClassifier.fit).parameters
#: Rows of the first look for a column that varies (a strided sample; all rows only if no
#: column varies in it).
_SCAN_SAMPLE = 4096
#: fit arguments of LGBMClassifier that are refused (the start score is fitted and folded in).
_REFUSED_FIT = ("init_score", "eval_init_score", "init_model")


def _metric_names(metric) -> list:
    if metric is None:
        return []
    return [m for m in (metric if isinstance(metric, (list, tuple)) else [metric]) if isinstance(m, str)]


def _check_metric_names(where: str, metric):
    bad = [m for m in _metric_names(metric) if m in _PROBABILITY_METRICS]
    if bad:
        raise ValueError(
            f"{where}={bad!r}: LightGBM computes these metrics on the raw margins of a custom "
            "objective as if they were probabilities, which gives wrong numbers. The default "
            "eval metric is the focal loss; margin-based metrics such as 'auc' or "
            "'average_precision', or a callable eval_metric, are fine."
        )
    return metric


def _check_boosting(name: str, value):
    if str(value).lower() in ("rf", "random_forest"):  # LightGBM lowercases it
        raise ValueError(
            f"LightGBM's random forest mode ({name}={value!r}) takes neither a start score nor a "
            "custom objective; use boosting_type='gbdt' (optionally with subsample) or 'dart'."
        )
    return value


def _some_column_varies(X):
    """Whether any column of a numpy array or pandas frame takes two values (NaN included); None for other input.

    Sparse matrices, pyarrow tables and polars frames are not scanned (None): for them, data
    without a usable feature is caught by LightGBM's error, which prints a [Fatal] line.
    """
    if isinstance(X, np.ndarray):
        frame = None
    elif hasattr(X, "iloc"):
        frame = X
    else:
        return None
    step = max(1, num_samples(X) // _SCAN_SAMPLE)
    for rows in (slice(None, None, step), slice(None)) if step > 1 else (slice(None),):
        part = frame.iloc[rows] if frame is not None else X[rows]
        if frame is not None:
            if bool((part.nunique(dropna=False) > 1).any()):
                return True
            continue
        first = part[:1]
        differs = (part != first) & ~(np.isnan(part) & np.isnan(first))
        if bool(differs.any()):
            return True
    return False


def _refuse_dictionary_columns(X, where: str) -> None:
    """LightGBM aborts the process on pyarrow dictionary and polars categorical columns: refuse them first."""
    schema = None if hasattr(X, "iloc") else getattr(X, "schema", None)  # pandas reads its categoricals
    if schema is None:
        return
    types = schema.types if hasattr(schema, "types") else list(schema.values())  # pyarrow, polars
    bad = [str(t) for t in types if str(t).startswith(("dictionary", "Categorical", "Enum"))]
    if bad:
        raise ValueError(
            f"{where} has categorical (dictionary) columns ({bad[0]}), which LightGBM cannot read from "
            "pyarrow or polars; convert it to pandas (categorical columns work there) or encode them as integers."
        )


class _LGBMFocalMetric:
    """The focal metric in ``LGBMClassifier``'s convention: ``(y_true, y_pred, weight) -> (name, value, False)``.

    ``y_pred`` is the raw margin under the focal objective, and a probability under LightGBM's
    built-in one (the fallback for data without a usable feature).
    """

    def __init__(self, metric, on_probabilities: bool = False):
        self.metric = metric
        self.on_probabilities = on_probabilities

    def __call__(self, y_true, y_pred, weight):
        margin = y_pred
        if self.on_probabilities:  # back to margins (up to a per-row shift, for softmax)
            margin = logit(y_pred) if np.ndim(y_pred) == 1 else np.log(y_pred)
        return self.metric.__name__, self.metric(y_true, margin, weight), False


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
            "        ``num_leaves``, ``n_jobs``, ``random_state``, ...) or LightGBM parameter, with its\n"
            "        meaning there. ``class_weight``, ``scale_pos_weight`` and ``is_unbalance`` weight\n"
            "        the classes' focal loss as they weight LightGBM's binary log loss (times\n"
            "        ``focal_alpha``); ``boost_from_average=False`` starts from 0. Refused, with a\n"
            "        pointer to what to use: ``objective`` and its aliases, ``alpha`` and ``gamma``\n"
            "        (use ``focal_alpha``, ``focal_gamma``), ``sigmoid``, ``boosting_type='rf'``,\n"
            "        ``linear_tree`` and the metrics LightGBM would compute on raw margins as if they\n"
            "        were probabilities."
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
        multilabel_note=(
            "As ``LGBMClassifier``, it takes one label per row; for a multilabel indicator\n"
            "    ``y``, wrap it in ``sklearn.multioutput.MultiOutputClassifier``."
        ),
    )

    _OPENMP_BOOSTER = "lightgbm"
    _REFUSED_FIT = _REFUSED_FIT
    _START_IS_KEPT = "and folded into the model"
    _BOOSTER_PARAMS = {
        "objective": Refuse("the loss is the focal loss; set focal_gamma and focal_alpha instead."),
        "alpha": Refuse(
            "LightGBM's alpha belongs to its Huber and quantile objectives; the focal loss's class "
            "weight is focal_alpha."
        ),
        "gamma": Refuse("LightGBM has no gamma; the focal loss's focusing parameter is focal_gamma."),
        "sigmoid": Refuse("the focal loss's link is the plain sigmoid (sigmoid=1.0).", default=1.0),
        "linear_tree": Refuse(
            "the start score cannot be folded into linear leaves; use the default trees.", default=False
        ),
        "pos_bagging_fraction": Refuse(
            "LightGBM's balanced bagging needs its built-in binary objective; weight the classes with "
            "focal_alpha or class_weight, or subsample rows with bagging_fraction.",
            default=1.0,
        ),
        "neg_bagging_fraction": Refuse(
            "LightGBM's balanced bagging needs its built-in binary objective; weight the classes with "
            "focal_alpha or class_weight, or subsample rows with bagging_fraction.",
            default=1.0,
        ),
        "boosting": Translate(default="gbdt", convert=_check_boosting),
        "metric": Translate(convert=_check_metric_names),
        "class_weight": Translate(),
        "scale_pos_weight": Translate(default=1.0, convert=as_positive_float),
        "is_unbalance": Translate(default=False, convert=as_bool),
        "boost_from_average": Translate(default=True, convert=as_bool),
    }

    def __init__(self, *, focal_gamma=2.0, focal_alpha=None, posterior_correction: bool = False, **kwargs):
        self.focal_gamma = focal_gamma
        self.focal_alpha = focal_alpha
        self.posterior_correction = posterior_correction
        super().__init__(**kwargs)

    __init__ = with_signature(__init__, parent_signature(__init__, LGBMClassifier.__init__))
    fit = with_signature(
        FocalClassifierMixin.fit, parent_signature(FocalClassifierMixin.fit, LGBMClassifier.fit, drop=_REFUSED_FIT)
    )

    def get_params(self, deep: bool = True) -> dict:
        """Get the parameters of this estimator: the focal ones and every one of ``LGBMClassifier``.

        The estimator's signature names each parameter of the parent, so scikit-learn's own
        ``get_params`` finds them all (LightGBM's walks the parent classes again, about 0.1 ms
        a call, and a fit asks several times); LightGBM parameters given as keywords are added,
        as the parent adds them.

        Parameters
        ----------
        deep : bool, default=True
            As in scikit-learn: also the parameters of contained estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = BaseEstimator.get_params(self, deep=deep)
        params.update(lgbm_other_params(self))
        return params

    # ------------------------------------------------------------ adapter hooks
    @staticmethod
    def _aliases(name: str) -> tuple[str, ...]:
        return lightgbm_aliases(name)

    @staticmethod
    def _hessian_scale(n_classes: int) -> float:
        # LightGBM scales its own softmax Hessian by K / (K - 1).
        return n_classes / (n_classes - 1) if n_classes > 2 else 1.0

    def _user_n_jobs(self):
        params = self.get_params(deep=False)
        return next((params[a] for a in lightgbm_aliases("num_threads") if params.get(a) is not None), None)

    def _default_n_threads(self) -> int:
        return lightgbm_default_threads()

    def _class_weighting(self, classes, class_totals, class_counts, params: dict):
        # class_weight enters LightGBM as row weights, so its start score sees it ("balanced"
        # by row counts, as scikit-learn's compute_sample_weight, whatever the sample weights);
        # scale_pos_weight and is_unbalance are label weights of LightGBM's binary objective,
        # which its boost_from_average ignores.
        in_start = None
        if "class_weight" in params:
            in_start = resolve_class_weights(
                params["class_weight"], classes, class_counts.astype(float), name="class_weight", sklearn_dict=True
            )
        label = self._label_weights(classes, class_counts, params)
        return (in_start if label is None else _times(in_start, label)), in_start

    @staticmethod
    def _label_weights(classes, counts, params: dict):
        """LightGBM's binary label weights ``(w0, w1)`` from ``is_unbalance`` and ``scale_pos_weight``, or None."""
        unbalance, scale = params.get("is_unbalance", False), params.get("scale_pos_weight", 1.0)
        if not unbalance and scale == 1.0:
            return None
        names = [n for n, v in (("is_unbalance", unbalance), ("scale_pos_weight", scale != 1.0)) if v]
        if len(classes) > 2:
            raise ValueError(
                f"{' and '.join(names)} weight the positive class of a binary model; with {len(classes)} "
                "classes give per-class weights as class_weight or focal_alpha."
            )
        if unbalance and scale != 1.0:  # LightGBM's own binary objective refuses this too
            raise ValueError("Cannot set is_unbalance and scale_pos_weight at the same time; use one of them.")
        weights = np.array([1.0, scale])
        if unbalance:  # as LightGBM: the rarer class (by row count) gets count(other) / count(rarer)
            n0, n1 = (float(c) for c in counts)
            weights = np.array([1.0, n0 / n1]) if n1 < n0 else np.array([n1 / n0, 1.0])
        return weights

    def _start_score(self, loss, class_totals, params: dict):
        if params.get("boost_from_average", True) is False:  # LightGBM then starts from 0
            return 0.0 if len(class_totals) == 2 else np.zeros(len(class_totals))
        return super()._start_score(loss, class_totals, params)

    def _fit_booster(self, X, plan: FitPlan, fit_params) -> None:
        fit_params = dict(fit_params)
        _refuse_dictionary_columns(X, "X")
        eval_set = _pop_eval_pairs(fit_params)
        if fit_params.get("eval_class_weight") is not None:
            fit_params["eval_class_weight"] = [
                self._encoded_class_weight(w, plan.classes) for w in fit_params["eval_class_weight"]
            ]
        if eval_set:
            eval_set, eval_weights = self._validate_eval_sets(
                eval_set, fit_params.get("eval_sample_weight"), "eval_sample_weight", plan
            )
            if eval_weights is not None:
                fit_params["eval_sample_weight"] = eval_weights
            fit_params["eval_init_score"] = [
                start_scores(plan.init_score, num_samples(X_eval)) for X_eval, _ in eval_set
            ]
            if _HAS_EVAL_XY:  # LightGBM >= 4.7 deprecates eval_set in favour of eval_X, eval_y
                fit_params["eval_X"] = tuple(X_eval for X_eval, _ in eval_set)
                fit_params["eval_y"] = tuple(y_eval for _, y_eval in eval_set)
                eval_set = None
        user_metric = fit_params.pop("eval_metric", None)

        callbacks = fit_params.pop("callbacks", None)

        def train(objective) -> None:
            metrics = self._eval_metrics(user_metric, plan, on_probabilities=objective is None)
            # The built-in objective (no usable feature) needs the start score as init_score;
            # the focal objective adds it to LightGBM's scores itself.
            init_score = None if objective is not None else start_scores(plan.init_score, len(plan.y))
            # The class weights are part of the loss: LightGBM must not apply class_weight again.
            with parent_sees(self, _fit_plan=plan, _fit_objective=objective, **LGBM_FIT_ATTRIBUTES):
                LGBMClassifier.fit(
                    self, X, plan.y, sample_weight=plan.sample_weight, init_score=init_score,
                    eval_set=eval_set or None, eval_metric=metrics, callbacks=callbacks, **fit_params,
                )  # fmt: skip

        if not self._has_usable_feature(X, plan, fit_params):
            train(None)
        else:
            try:
                train(plan.objective)
            except LightGBMError as exc:
                if _NO_FEATURES_ERROR not in str(exc):
                    raise
                train(None)
        self._fold_init_score(plan.init_score)

    def _eval_metrics(self, eval_metric, plan: FitPlan, on_probabilities: bool = False) -> list:
        """The eval metrics of a fit, as ``LGBMClassifier.fit(eval_metric=...)`` takes them.

        The user's ``eval_metric`` (checked; callables get probabilities, as under LightGBM's own
        objective) and the focal loss in the place of LightGBM's default metric, which it takes
        whenever LightGBM would log that default: not when the ``metric`` parameter is set,
        which replaces it. Under the built-in objective (``on_probabilities``, data without a
        usable feature) LightGBM hands the metrics probabilities itself.
        """
        _check_metric_names("eval_metric", eval_metric)
        metrics = eval_metric if isinstance(eval_metric, (list, tuple)) else [eval_metric]
        metrics = [m for m in metrics if m is not None]
        if not on_probabilities:
            metrics = [LinkedMetric(m) if callable(m) else m for m in metrics]
        if not self._names_metric():
            metrics.append(_LGBMFocalMetric(plan.metric, on_probabilities))
        return metrics

    def _names_metric(self) -> bool:
        """Whether the user's parameters name LightGBM's ``metric`` (or an alias of it)."""
        params = self.get_params(deep=False)  # one call: each builds the signature again
        return any(alias in params for alias in lightgbm_aliases("metric"))

    @staticmethod
    def _encoded_class_weight(weight, classes: np.ndarray):
        """An ``eval_class_weight`` entry keyed by the encoded labels LightGBM is trained on."""
        if not isinstance(weight, dict):
            return weight  # None or "balanced"
        labels = classes.tolist()
        unknown = [k for k in weight if k not in labels]
        if unknown:
            raise ValueError(f"eval_class_weight has labels not seen in fit: {unknown!r}; classes are {labels!r}.")
        return {labels.index(k): v for k, v in weight.items()}

    @staticmethod
    def _translated_params() -> list:
        """Every alias of the booster parameters the plan translates: the booster must not see them again."""
        names = ("class_weight", "scale_pos_weight", "is_unbalance", "boost_from_average")
        return [alias for name in names for alias in lightgbm_aliases(name)]

    def _has_usable_feature(self, X, plan: FitPlan, fit_params: dict) -> bool:
        """Whether LightGBM will find a feature to split on, asked of LightGBM itself where in doubt.

        Data with fewer than ``4 * min_data_in_leaf`` rows, or an array or pandas frame in which
        no column varies, is binned once by LightGBM here (silently) and the bins are counted;
        anything else is taken to have a usable feature (a second binning of every fit cost
        10-15% of a fit of 10,000 rows; the scan for a varying column looks at a sample of rows
        first, and at all of them only if no column varies there).
        """
        params = self.get_params(deep=False)
        min_leaf = next((params[a] for a in lightgbm_aliases("min_data_in_leaf") if params.get(a) is not None), 20)
        if num_samples(X) >= 4 * min_leaf and (_some_column_varies(X) is not False):
            return True
        with parent_sees(self, _fit_plan=plan, _fit_objective=None):
            params = self._process_params("fit")
        # Binning parameters only: no objective, metric or number of classes for a bare data set.
        params = {k: v for k, v in params.items() if k not in ("objective", "metric", "num_class") and not callable(v)}
        for alias in lightgbm_aliases("verbosity"):
            params.pop(alias, None)
        params["verbosity"] = -1
        dataset = Dataset(
            X, label=plan.y, weight=plan.sample_weight, params=params,
            categorical_feature=fit_params.get("categorical_feature", "auto"),
            feature_name=fit_params.get("feature_name", "auto"),
        ).construct()  # fmt: skip
        return any(dataset.feature_num_bin(i) > 0 for i in range(dataset.num_feature()))

    def _fold_init_score(self, init_score) -> None:
        """Add the start score to every leaf of the first iteration's trees (one per class for K > 2).

        Then the booster records itself as LightGBM's own binary (``sigmoid:1``) or multiclass
        model (``skfocal._export``), so that a saved model gives ``predict_proba`` (uncorrected)
        in any reader of LightGBM models, not raw margins.
        """
        booster = self.booster_
        first_trees = _TREE_LEAVES.findall(booster.model_to_string(num_iteration=1))
        for (tree, n_leaves), start in zip(first_trees, np.atleast_1d(init_score), strict=True):
            for leaf in range(int(n_leaves)):
                booster.set_leaf_output(int(tree), leaf, booster.get_leaf_output(int(tree), leaf) + start)
        record_lgbm_objective(booster)

    def _process_params(self, stage: str) -> dict:
        # LightGBM's hook from constructor parameters to booster parameters (see module docstring).
        plan = self.__dict__.get("_fit_plan") if stage == "fit" else None
        if plan is not None:
            use_lgbm_objective(self, self.__dict__["_fit_objective"])
        params = super()._process_params(stage)
        for name in FOCAL_PARAMS:
            params.pop(name, None)
        if plan is None:
            return params
        for alias in [*self._translated_params(), *lightgbm_aliases("num_threads")]:
            params.pop(alias, None)  # translated into the plan
        params["num_threads"] = plan.n_threads
        # LightGBM's log level is one per thread, set by the last data set or booster that names it:
        # after the silent check of _has_usable_feature, the fit must name the user's level
        # (LightGBM's default, 1, if unset).
        if not any(alias in params for alias in lightgbm_aliases("verbosity")):
            params["verbosity"] = 1
        if not self._names_metric():
            params["metric"] = None
        return params

    def _split_limits(self) -> tuple[str, float, float, float]:
        params = self.get_params(deep=False)

        def chosen(name: str, default: float) -> tuple[str, float]:
            # an alias the user set wins over the constructor's own name, as in LightGBM
            aliases = lightgbm_aliases(name)
            names = sorted(aliases, key=lambda a: a in _CONSTRUCTOR_NAMES)
            return next(((a, params[a]) for a in names if params.get(a) is not None), (name, default))

        hessian = chosen("min_sum_hessian_in_leaf", 1e-3)
        min_gain = chosen("min_gain_to_split", 0.0)[1] + 1e-15  # LightGBM's kEpsilon
        return hessian[0], float(hessian[1]), float(min_gain), float(chosen("lambda_l2", 0.0)[1])

    def _accepts_inf(self, training: bool) -> bool:
        return True  # LightGBM bins infinite values like any other

    def _prediction_input(self, X):
        # LightGBM's own predict checks arrays and sparse matrices with scikit-learn's
        # validate_data (feature count and names, dtype, NaN and infinity allowed), but not data
        # frames, whose feature names and order are checked here; sparse formats other than
        # CSR/CSC become CSR here, where LightGBM would warn that it converts them.
        if _is_dataframe(X) or (issparse(X) and X.format not in ("csr", "csc")):
            return super()._prediction_input(X)
        return X

    def _raw_margin(self, X, **predict_params) -> np.ndarray:
        for name in ("raw_score", "pred_leaf", "pred_contrib"):
            if predict_params.get(name):
                raise TypeError(
                    f"{name}=True is not a probability or label output; use decision_function for "
                    f"margins, or booster_.predict(X, {name}=True)."
                )
            predict_params.pop(name, None)
        return super(LGBMClassifier, self).predict(X, raw_score=True, **predict_params)
