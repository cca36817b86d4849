"""The focal estimators on Dask clusters: ``FocalDaskLGBMClassifier`` and ``FocalDaskXGBClassifier``.

Install with ``pip install 'skfocal[dask]'`` (from a checkout of the repository:
``pip install '.[dask]'``).

Design: each is the local estimator (:class:`skfocal.FocalLGBMClassifier`,
:class:`skfocal.FocalXGBClassifier`) with the same parameters, the same fitted state and the same
native model, plus a ``client``. Only the work that touches the data is distributed:

- the classes, the weight checks and the weighted class totals are Dask reductions (the data is
  never collected on the client); the start score follows from the totals in O(1), as locally;
- training runs in ``lightgbm.dask.DaskLGBMClassifier`` / ``xgboost.dask.DaskXGBClassifier``
  with the focal objective: a module-level, picklable object that reaches the workers by
  reference, not a closure;
- the start score is folded into the trained model exactly as locally, so :meth:`to_local`
  hands back the local estimator, which predicts identically;
- ``predict``, ``predict_proba`` and ``decision_function`` map the local model over the blocks
  or partitions of a Dask array or data frame and return Dask collections.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

try:
    import dask
    import dask.array as da
    import dask.dataframe as dd
    import distributed
    import lightgbm.dask as lgb_dask
    import xgboost.dask as xgb_dask
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "skfocal.dask needs dask and distributed; install them with `pip install 'skfocal[dask]'`, "
        "or from a checkout of the repository with `pip install '.[dask]'`."
    ) from exc

from ._base import (
    FOCAL_PARAMS,
    FocalMetric,
    SklearnObjective,
    parent_signature,
    resolve_n_threads,
    start_scores,
    with_signature,
)
from ._compat import LGBM_OTHER_PARAMS, copy_lgbm_fitted, set_xgb_booster
from ._lgbm import _HAS_EVAL_XY, FocalLGBMClassifier, _pop_eval_pairs
from ._xgb import FocalXGBClassifier, _watching

__all__ = ["FocalDaskLGBMClassifier", "FocalDaskXGBClassifier"]


def _encode_block(block: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return np.searchsorted(classes, block).astype(np.int64)


def _start_block(block: np.ndarray, init_score) -> np.ndarray:
    """The start score for every row of a block of labels."""
    return start_scores(init_score, len(block))


def _predict_block(block, estimator, method: str, kwargs: dict):
    return getattr(estimator, method)(block, **kwargs)


def _as_array(collection, name: str):
    """A Dask array view of a Dask array, series or single-column frame."""
    if isinstance(collection, da.Array):
        return collection
    if isinstance(collection, (dd.Series, dd.DataFrame)):
        return collection.to_dask_array(lengths=True)
    raise TypeError(f"{name} must be a Dask array or Dask series, got {type(collection).__name__}.")


_DASK_DOC = """:class:`skfocal.{local}` trained on a Dask cluster (``{engine}``).

    Same parameters, fitted attributes and native model as the local estimator; ``fit`` and the
    predictions take Dask arrays or data frames, and :meth:`to_local` returns the fitted local
    estimator.

    Parameters
    ----------
    client : distributed.Client or None, default=None
        The Dask client; ``None`` uses the default client.
    focal_gamma : float, array-like or dict, default=2.0
        As in :class:`skfocal.{local}`: one gamma, one per class, or ``{{label: gamma}}``.
    focal_alpha : None, float, array-like, "balanced" or dict, default=None
        As in :class:`skfocal.{local}`.
    posterior_correction : bool, default=False
        As in :class:`skfocal.{local}`.
    **kwargs : dict
        Any parameter of ``{engine}``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    init_score_ : float or ndarray of shape (n_classes,)
        The start score, from the weighted class totals (a Dask reduction); {init_note}.
    loss_ : BinaryFocalLoss or MulticlassFocalLoss
        The loss the model was trained with.
    {extra_attribute}
    Examples
    --------
    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> client = Client(LocalCluster(n_workers=2))  # doctest: +SKIP
    >>> model = {name}(client=client).fit(dask_X, dask_y)  # doctest: +SKIP
    >>> model.predict_proba(dask_X).compute()  # doctest: +SKIP
    """


def _worker_threads(default) -> int:
    """The threads of the Dask worker this runs on; ``default()`` outside a worker."""
    try:
        return max(1, int(distributed.get_worker().state.nthreads))
    except ValueError:  # not on a worker
        return default()


class _WorkerObjective(SklearnObjective):
    """The focal objective on a Dask worker: as many threads as the worker has.

    The boosters' Dask training sets each worker's booster to the worker's thread count; the
    objective follows it (all CPUs when it is called outside a worker).
    """

    def _threads(self) -> int:
        return _worker_threads(super()._threads)


class _WorkerMetric(FocalMetric):
    """The focal eval metric on a Dask worker: as many threads as the worker has, as the objective."""

    def _threads(self) -> int:
        return _worker_threads(lambda: resolve_n_threads(None))


class _DaskFocalMixin:
    """The Dask side shared by both estimators: checks, reductions, mapped predictions, to_local."""

    _local_class: type

    def _make_metric(self, loss, n_threads: int) -> FocalMetric:
        return _WorkerMetric(loss, booster=self._OPENMP_BOOSTER)

    def _make_objective(self, loss, n_classes: int, n_threads: int, offset) -> SklearnObjective:
        return _WorkerObjective(loss, self._hessian_scale(n_classes), offset=offset, booster=self._OPENMP_BOOSTER)

    def __init__(self, *, client=None, focal_gamma=2.0, focal_alpha=None, posterior_correction=False, **kwargs):
        self.client = client
        super().__init__(
            focal_gamma=focal_gamma, focal_alpha=focal_alpha, posterior_correction=posterior_correction, **kwargs
        )

    _MULTILABEL = False  # one label per row (``_dask_targets``)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags

    # ------------------------------------------------------------------- data
    def _check_X(self, X):
        if not isinstance(X, (da.Array, dd.DataFrame)):
            raise TypeError(
                f"{type(self).__name__} needs X as a Dask array or Dask data frame, got {type(X).__name__}; "
                f"for data in memory use {self._local_class.__name__}."
            )
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got {X.ndim} dimension(s).")
        if isinstance(X, da.Array) and len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})  # the boosters partition by rows only
        return X

    def _row_chunks(self, X) -> tuple:
        return X.chunks[0] if isinstance(X, da.Array) else X.to_dask_array(lengths=True).chunks[0]

    def _dask_targets(self, X, y, sample_weight):
        """Classes, encoded labels, weighted class totals and class counts, computed on the cluster."""
        y = _as_array(y, "y")
        if y.ndim == 2 and y.shape[1] > 1:
            local = self._local_class
            instead = f", or fit {local.__name__} on data in memory" if local._MULTILABEL else ""
            raise ValueError(
                f"{type(self).__name__} takes one class label per row, y of shape (n_samples,); a multilabel "
                f"indicator y of shape {y.shape} is not supported. Train one model per label column{instead}."
            )
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D, got {y.ndim} dimensions.")
        rows = self._row_chunks(X)
        if y.chunks[0] != rows:
            raise ValueError(
                f"X and y must be split into the same row chunks (partitions); got {rows} and {y.chunks[0]}."
            )
        checks = {"classes": da.unique(y)}
        if np.issubdtype(y.dtype, np.floating):
            checks["y_nan"] = da.isnan(y).any()
        if sample_weight is not None:
            sample_weight = _as_array(sample_weight, "sample_weight").astype(np.float64)
            if sample_weight.ndim != 1:
                raise ValueError(f"sample_weight must be 1-D, got {sample_weight.ndim} dimensions.")
            if sample_weight.chunks[0] != rows:
                raise ValueError("sample_weight must be split into the same row chunks as X.")
            checks["w_bad"] = (~da.isfinite(sample_weight) | (sample_weight < 0)).any()
            checks["w_total"] = sample_weight.sum()
        found = dict(zip(checks, dask.compute(*checks.values()), strict=True))
        if found.get("y_nan"):
            raise ValueError("Input y contains NaN.")
        classes = np.asarray(found["classes"])
        check_classification_targets(classes)
        if len(classes) < 2:
            raise ValueError(f"{type(self).__name__} needs samples of 2 classes, but y has only one class.")
        if found.get("w_bad"):
            raise ValueError("sample_weight must be finite and non-negative.")
        if sample_weight is not None and not found["w_total"] > 0:
            raise ValueError("sample_weight is zero for every sample; at least one must be positive.")
        y_enc = y.map_blocks(_encode_block, classes, dtype=np.int64)
        k = len(classes)
        totals, counts = dask.compute(
            da.bincount(y_enc, weights=sample_weight, minlength=k), da.bincount(y_enc, minlength=k)
        )
        return classes, y_enc, np.asarray(totals, dtype=float), np.asarray(counts), sample_weight

    def _encode_eval(self, eval_set, plan):
        """Eval sets with encoded labels, and each one's start scores, as Dask collections."""
        classes, init_score = plan.classes, plan.init_score
        pairs, starts = [], []
        if isinstance(eval_set, tuple):
            eval_set = [eval_set]
        for X_eval, y_eval in eval_set:
            X_eval = self._check_X(X_eval)
            if X_eval.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"eval_set X has {X_eval.shape[1]} features, but {type(self).__name__} is fitted on "
                    f"{self.n_features_in_} features."
                )
            y_eval = _as_array(y_eval, "eval_set labels")
            if y_eval.ndim != 1 or y_eval.chunks[0] != self._row_chunks(X_eval):
                raise ValueError("eval_set X and labels must be split into the same row chunks (partitions).")
            known = da.isin(y_eval, classes).all().compute()
            if not known:
                raise ValueError("eval_set labels contain labels not seen in fit.")
            y_enc = y_eval.map_blocks(_encode_block, classes, dtype=np.int64)
            pairs.append((X_eval, y_enc))
            starts.append(self._start_scores(y_enc, init_score))
        return pairs, starts

    @staticmethod
    def _start_scores(y_enc, init_score):
        if np.ndim(init_score) == 0:
            return y_enc.map_blocks(_start_block, init_score, dtype=np.float64)
        k = len(init_score)
        return y_enc.map_blocks(_start_block, init_score, dtype=np.float64, new_axis=1, chunks=(y_enc.chunks[0], (k,)))

    def _record_features(self, X) -> None:
        self.n_features_in_ = X.shape[1]
        del self.feature_names_in_
        if isinstance(X, dd.DataFrame) and all(isinstance(c, str) for c in X.columns):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)

    # -------------------------------------------------------------------- fit
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit on Dask collections: reductions for the start score, the booster's Dask training.

        Parameters
        ----------
        X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
            Training data, split into row chunks (partitions) spread over the workers.
        y : dask.array.Array or dask.dataframe.Series of shape (n_samples,)
            Class labels, in the same row chunks as ``X``.
        sample_weight : dask.array.Array or dask.dataframe.Series, default=None
            Non-negative row weights, in the same row chunks as ``X``.
        **fit_params : dict
            ``eval_set`` (a list of ``(X, y)`` Dask pairs) and the other keyword arguments of the
            booster's Dask ``fit``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return super().fit(X, y, sample_weight=sample_weight, **fit_params)

    def _fit_targets(self, X, y, sample_weight):
        X = self._check_X(X)
        classes, y_enc, class_totals, class_counts, sample_weight = self._dask_targets(X, y, sample_weight)
        self._record_features(X)
        return X, classes, y_enc, sample_weight, class_totals, class_counts

    def _booster_params(self) -> dict:
        """The booster estimator's parameters: all but the focal ones, the client and those the plan translated."""
        excluded = {*FOCAL_PARAMS, "client", *self._translated_params()}
        return {k: v for k, v in self.get_params().items() if k not in excluded}

    # ------------------------------------------------------------- prediction
    def _map_local(self, X, method: str, **predict_params):
        check_is_fitted(self, "init_score_")
        X = self._check_X(X)
        local = self.to_local()
        n_classes = len(self.classes_)
        two_d = method == "predict_proba" or (method == "decision_function" and n_classes > 2)
        dtype = self.classes_.dtype if method == "predict" else np.float64
        if isinstance(X, dd.DataFrame):  # partition by partition, keeping dtypes and categories
            parts = X.to_delayed()
            lengths = X.map_partitions(len).compute()
            blocks = [
                da.from_delayed(
                    dask.delayed(_predict_block)(part, local, method, predict_params),
                    shape=(n, n_classes) if two_d else (n,),
                    dtype=dtype,
                )
                for part, n in zip(parts, lengths, strict=True)
            ]
            return da.concatenate(blocks)
        X = X.rechunk({1: -1})
        if two_d:
            return X.map_blocks(
                _predict_block, local, method, predict_params, dtype=dtype, chunks=(X.chunks[0], (n_classes,))
            )
        return X.map_blocks(_predict_block, local, method, predict_params, dtype=dtype, drop_axis=1)

    def decision_function(self, X, **predict_params):
        """Raw margins as a Dask array (start score included); see the local estimator.

        Parameters
        ----------
        X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
            Input data.
        **predict_params : dict
            As in the local estimator's ``decision_function``.

        Returns
        -------
        margin : dask.array.Array of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._map_local(X, "decision_function", **predict_params)

    def predict_proba(self, X, **predict_params):
        """Class probabilities as a Dask array; see the local estimator's ``predict_proba``.

        Parameters
        ----------
        X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
            Input data.
        **predict_params : dict
            As in the local estimator's ``decision_function``.

        Returns
        -------
        proba : dask.array.Array of shape (n_samples, n_classes)
        """
        return self._map_local(X, "predict_proba", **predict_params)

    def predict(self, X, **predict_params):
        """Predicted class labels as a Dask array; see the local estimator's ``predict``.

        Parameters
        ----------
        X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
            Input data.
        **predict_params : dict
            As in the local estimator's ``decision_function``.

        Returns
        -------
        labels : dask.array.Array of shape (n_samples,)
        """
        return self._map_local(X, "predict", **predict_params)

    def to_local(self):
        """The fitted local estimator (same parameters but ``client``, same native model).

        Returns
        -------
        estimator : FocalLGBMClassifier or FocalXGBClassifier
            Predicts identically on in-memory data.
        """
        check_is_fitted(self, "init_score_")
        params = {k: v for k, v in self.get_params().items() if k != "client"}
        local = self._local_class(**params)
        skip = {*params, "client", LGBM_OTHER_PARAMS}
        local.__dict__.update({k: v for k, v in self.__dict__.items() if k not in skip})
        return local

    def __getstate__(self):
        state = self.__dict__.copy()
        state["client"] = None  # a Client is tied to this process; the model is not
        if isinstance(state.get(LGBM_OTHER_PARAMS), dict):
            state[LGBM_OTHER_PARAMS] = {k: v for k, v in state[LGBM_OTHER_PARAMS].items() if k != "client"}
        return state


class FocalDaskLGBMClassifier(_DaskFocalMixin, FocalLGBMClassifier):
    __doc__ = _DASK_DOC.format(
        name="FocalDaskLGBMClassifier",
        local="FocalLGBMClassifier",
        engine="lightgbm.dask.DaskLGBMClassifier",
        init_note="part of ``booster_``",
        extra_attribute="booster_ : lightgbm.Booster\n        The native model.\n    ",
    )

    _local_class = FocalLGBMClassifier
    __init__ = with_signature(
        _DaskFocalMixin.__init__, parent_signature(_DaskFocalMixin.__init__, FocalLGBMClassifier.__init__)
    )
    _SCORES_START = True  # lightgbm.dask gets the start scores as a Dask init_score array

    def _fit_booster(self, X, plan, fit_params) -> None:
        fit_params = dict(fit_params)
        params = self._booster_params()
        if not any(alias in params for alias in ("metric", "metrics", "metric_types")):
            params["metric"] = "None"  # LightGBM's default would read raw margins as probabilities
        model = lgb_dask.DaskLGBMClassifier(client=self.client, **params)
        model.set_params(objective=plan.objective)
        eval_set = _pop_eval_pairs(fit_params)
        metrics = self._eval_metrics(fit_params.pop("eval_metric", None), plan)
        if eval_set:
            eval_set, fit_params["eval_init_score"] = self._encode_eval(eval_set, plan)
            if _HAS_EVAL_XY:  # LightGBM >= 4.7 deprecates eval_set in favour of eval_X, eval_y
                fit_params["eval_X"] = tuple(X_eval for X_eval, _ in eval_set)
                fit_params["eval_y"] = tuple(y_eval for _, y_eval in eval_set)
            else:
                fit_params["eval_set"] = eval_set
        with warnings.catch_warnings():
            if self.n_jobs is None:  # lightgbm.dask warns about its own default n_jobs=None too
                warnings.filterwarnings("ignore", "Parameter n_jobs will be ignored", UserWarning)
            model.fit(
                X, plan.y, sample_weight=plan.sample_weight, init_score=self._start_scores(plan.y, plan.init_score),
                eval_metric=metrics, **fit_params,
            )  # fmt: skip
        # Take over the fitted state of the booster's model: its fitted attributes, not its parameters
        # (the cluster's addresses and ports among them).
        copy_lgbm_fitted(model, self)
        self._fold_init_score(plan.init_score)


class FocalDaskXGBClassifier(_DaskFocalMixin, FocalXGBClassifier):
    __doc__ = _DASK_DOC.format(
        name="FocalDaskXGBClassifier",
        local="FocalXGBClassifier",
        engine="xgboost.dask.DaskXGBClassifier",
        init_note="stored in the booster as ``base_score``",
        extra_attribute="",
    )

    _local_class = FocalXGBClassifier
    __init__ = with_signature(
        _DaskFocalMixin.__init__, parent_signature(_DaskFocalMixin.__init__, FocalXGBClassifier.__init__)
    )

    def _wrapper_params(self) -> set:
        return super()._wrapper_params() | {"client"}

    def _fit_booster(self, X, plan, fit_params) -> None:
        fit_params = dict(fit_params)
        model = xgb_dask.DaskXGBClassifier(**self._booster_params())
        model.client = self.client
        attributes, stop_on, fit_params["verbose"] = self._training_attributes(plan, fit_params.get("verbose", True))
        model.set_params(**attributes.pop("kwargs"), **attributes)
        eval_set = fit_params.pop("eval_set", None)
        if eval_set:
            fit_params["eval_set"], _ = self._encode_eval(eval_set, plan)
        with _watching(self.callbacks, stop_on):  # the callbacks travel to the workers set
            model.fit(X, plan.y, sample_weight=plan.sample_weight, **fit_params)
        set_xgb_booster(self, model.get_booster())
        self.n_classes_ = plan.n_classes
        if hasattr(model, "evals_result_"):
            self.evals_result_ = model.evals_result_
