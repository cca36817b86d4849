"""``python -m skfocal.benchmark``: does focal loss help on this data? The fair comparison, with its statistics.

Every model sees the same stratified folds of every data set (those bundled with the package,
nothing is downloaded, or the user's own: a CSV or Parquet file, a pandas or polars frame, arrays),
repeated with fresh shuffles, with the same booster settings; only the way imbalance is handled
differs:

========================  ==============================================================
``<booster>-focal``        the focal estimator with its defaults (``focal_gamma=2``),
                           posterior-corrected probabilities
``<booster>-focal-tuned``  ``focal_gamma`` x ``focal_alpha`` chosen by an inner
                           ``GridSearchCV`` on average precision (a gamma-free metric)
``<booster>-logloss``      the booster's own classifier, log loss: the reference
``<booster>-weighted``     the booster's own classifier with class weighting
                           (``is_unbalance`` / ``scale_pos_weight``; balanced class weights
                           for more than two classes)
``<booster>-smote``        the booster's own classifier after imbalanced-learn's ``SMOTE``
                           (skipped, with a note, on data with categorical columns or
                           missing values, which SMOTE cannot interpolate)
``<booster>-focal-asym``   ``focal_gamma=[4, 0]``: the negatives focused, the positives not
                           (the asymmetric loss's own default, chosen before any result;
                           two classes; run only when named in ``models``)
``catboost-focal``         CatBoost's built-in ``Focal`` loss, when catboost is installed
                           (two classes, numeric columns)
========================  ==============================================================

``<booster>`` is ``lgbm`` or ``xgb``. Metrics on each held-out fold: average precision, ROC AUC,
log loss and Brier score of ``predict_proba`` (for K > 2 classes: macro averages of the
one-vs-rest average precision and ROC AUC, the K-class log loss and the K-class Brier score),
and fit time. Each model's difference to its reference on the same folds gets an interval and a
verdict from the corrected resampled t-test (``skfocal._stats``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, make_scorer, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.utils.class_weight import compute_sample_weight

from . import _stats

__all__ = [
    "METRICS",
    "BenchmarkResult",
    "available_models",
    "compare",
    "main",
    "read_table",
    "run_benchmark",
    "summarize",
]


def _average_precision(y, proba):
    if proba.ndim == 1:
        return average_precision_score(y, proba)
    return float(np.mean([average_precision_score(y == k, proba[:, k]) for k in range(proba.shape[1])]))


def _roc_auc(y, proba):
    if proba.ndim == 1:
        return roc_auc_score(y, proba)
    return roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=np.arange(proba.shape[1]))


def _log_loss(y, proba):
    return log_loss(y, proba, labels=[0, 1] if proba.ndim == 1 else np.arange(proba.shape[1]))


def _brier(y, proba):
    if proba.ndim == 1:
        return brier_score_loss(y, proba)
    return float(np.mean(np.sum((np.eye(proba.shape[1])[y] - proba) ** 2, axis=1)))


#: name -> (function of (y_true as 0..K-1, probabilities), greater is better). The probabilities are
#: the positive class's for two classes, the (n, K) matrix for more.
METRICS: dict[str, tuple[Callable, bool]] = {
    "average_precision": (_average_precision, True),
    "roc_auc": (_roc_auc, True),
    "log_loss": (_log_loss, False),
    "brier": (_brier, False),
}
_METRIC_TITLES = {"average_precision": "average precision", "roc_auc": "ROC AUC", "log_loss": "log loss",
                  "brier": "Brier score"}  # fmt: skip
BOOSTER_PARAMS = {
    "lgbm": {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 15, "verbose": -1, "n_jobs": 1},
    # enable_categorical: XGBoost reads pandas category columns only when asked; no effect on numbers
    "xgb": {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 4, "n_jobs": 1, "enable_categorical": True},
}
TUNING_GRID = {"focal_gamma": [0.5, 1.0, 2.0], "focal_alpha": [None, "balanced"]}
INNER_FOLDS = 2
#: Default repeats of the stratified cross-validation: with 5 folds, 10 paired differences per
#: model, and a 10,000-row data set takes about 75 s of two idle cores (benchmarks/RESULTS.md).
REPEATS = 2
#: Default half-width of the region of practical equivalence, in each metric's own units.
ROPE = 0.01
CONFIDENCE = 0.95
PRIMARY_METRIC = "average_precision"


@dataclass(frozen=True)
class _Model:
    """A benchmark model: how to build it for one training fold.

    ``build(y_train, seed)`` returns the unfitted estimator; ``fit_params(y_train)``, when given,
    the keywords of its ``fit``; ``skip(data)``, when given, a sentence saying why the model does
    not run on a data set (a :class:`_Data`), or None where it does.
    """

    name: str
    build: Callable
    fit_params: Callable | None = None
    skip: Callable | None = None


def _boosters():
    from lightgbm import LGBMClassifier
    from xgboost import XGBClassifier

    from . import FocalLGBMClassifier, FocalXGBClassifier

    return {"lgbm": (LGBMClassifier, FocalLGBMClassifier), "xgb": (XGBClassifier, FocalXGBClassifier)}


def _n_classes(y) -> int:
    return int(np.max(y)) + 1


def _skip_smote(data) -> str | None:
    if data.categorical:
        return (
            f"SMOTE skipped: it interpolates numbers, and the columns {data.categorical!r} are categorical "
            "(drop them to include SMOTE)"
        )
    if data.missing:
        return "SMOTE skipped: it needs complete rows, and this data has missing values (the boosters handle them)"
    return None


#: ``<booster>-focal-asym``: focal_gamma of the negatives and of the positives, chosen before any
#: bundled result was seen: the asymmetric loss's own default (Ridnik et al., ICCV 2021).
ASYM_GAMMA = (4.0, 0.0)
#: Models run only when named in ``models`` / ``--models``.
OPT_IN_MODELS = ("lgbm-focal-asym", "xgb-focal-asym")


def _skip_asym(data):
    if data.n_classes > 2:
        return "focal-asym skipped: asymmetric focusing (a gamma for each of two classes) needs two classes"
    return None


def _model_table() -> dict[str, _Model]:
    models = {}
    for booster, (native, focal) in _boosters().items():
        params = BOOSTER_PARAMS[booster]

        def focal_default(y, seed, focal=focal, params=params):
            return focal(posterior_correction=True, random_state=seed, **params)

        def focal_tuned(y, seed, focal=focal, params=params):
            return GridSearchCV(
                focal(posterior_correction=True, random_state=seed, **params),
                TUNING_GRID,
                scoring=make_scorer(_average_precision, response_method="predict_proba"),
                cv=StratifiedKFold(n_splits=INNER_FOLDS, shuffle=True, random_state=seed),
            )

        def logloss(y, seed, native=native, params=params):
            return native(random_state=seed, **params)

        def weighted(y, seed, native=native, params=params, booster=booster):
            if _n_classes(y) > 2:  # lgbm: balanced class weights; xgb: balanced sample weights in fit
                return native(
                    random_state=seed, **params, **({"class_weight": "balanced"} if booster == "lgbm" else {})
                )
            if booster == "lgbm":
                return native(is_unbalance=True, random_state=seed, **params)
            ratio = float(np.sum(y == 0)) / max(float(np.sum(y == 1)), 1.0)
            return native(scale_pos_weight=ratio, random_state=seed, **params)

        def weighted_fit(y, booster=booster):
            if booster == "xgb" and _n_classes(y) > 2:
                return {"sample_weight": compute_sample_weight("balanced", y)}
            return {}

        def focal_asym(y, seed, focal=focal, params=params):
            # focusing on the negatives (labels encoded 0) only, the asymmetric loss's own default
            return focal(focal_gamma=list(ASYM_GAMMA), posterior_correction=True, random_state=seed, **params)

        def smote(y, seed, native=native, params=params):
            from imblearn.over_sampling import SMOTE
            from imblearn.pipeline import make_pipeline

            k = int(min(5, max(1, np.bincount(y).min() - 1)))  # SMOTE needs k + 1 rows of each class
            return make_pipeline(SMOTE(k_neighbors=k, random_state=seed), native(random_state=seed, **params))

        for model in [
            _Model(f"{booster}-focal", focal_default),
            _Model(f"{booster}-focal-tuned", focal_tuned),
            _Model(f"{booster}-logloss", logloss),
            _Model(f"{booster}-weighted", weighted, fit_params=weighted_fit),
            _Model(f"{booster}-smote", smote, skip=_skip_smote),
            _Model(f"{booster}-focal-asym", focal_asym, skip=_skip_asym),
        ]:
            models[model.name] = model
    if importlib.util.find_spec("catboost") is not None:

        def catboost_focal(y, seed):
            from catboost import CatBoostClassifier

            return CatBoostClassifier(
                loss_function="Focal:focal_alpha=0.25;focal_gamma=2.0",
                iterations=100,
                learning_rate=0.1,
                depth=4,
                random_seed=seed,
                verbose=0,
                thread_count=1,
            )

        def catboost_skip(data):
            if data.n_classes > 2 or data.categorical:
                return "catboost-focal skipped: CatBoost's Focal loss runs here on two classes and numeric columns only"
            return None

        models["catboost-focal"] = _Model("catboost-focal", catboost_focal, skip=catboost_skip)
    return models


def _fits_per_task(model: _Model) -> int:
    """How many booster fits one task of the model makes (for a progress bar whose rate is true)."""
    if model.name.endswith("-focal-tuned"):
        return INNER_FOLDS * int(np.prod([len(v) for v in TUNING_GRID.values()])) + 1
    return 1


def available_models() -> list[str]:
    """Names of the models this installation can run (``catboost-focal`` only with catboost).

    Returns
    -------
    names : list of str
    """
    return list(_model_table())


def _default_datasets() -> list[str]:
    from .datasets import list_datasets

    return list_datasets("binary")


@dataclass
class _Data:
    """A data set ready for the benchmark: features, labels coded 0..K-1, and what the report says of it."""

    name: str
    X: object  # a float ndarray, or a pandas DataFrame (numbers as float64, categories as category)
    y: np.ndarray  # int codes 0..K-1; for two classes 1 is the positive label
    labels: list  # the original label of each code
    categorical: list[str] = field(default_factory=list)
    missing: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def n_classes(self) -> int:
        return len(self.labels)

    def describe(self) -> dict:
        counts = np.bincount(self.y, minlength=self.n_classes)
        return {
            "name": self.name,
            "rows": len(self.y),
            "columns": int(self.X.shape[1]),
            "classes": {str(label): int(n) for label, n in zip(self.labels, counts, strict=True)},
            "positive": str(self.labels[1]) if self.n_classes == 2 else None,
            "categorical": list(self.categorical),
            "missing_values": bool(self.missing),
            "notes": list(self.notes),
        }


def _is_frame(X) -> bool:
    return type(X).__module__.split(".")[0] in ("pandas", "polars") and hasattr(X, "columns")


def _to_pandas(X):
    if type(X).__module__.split(".")[0] == "polars":
        return X.to_pandas()
    return X


def _missing_mask(values: np.ndarray) -> np.ndarray:
    try:
        import pandas as pd

        return np.asarray(pd.isna(values), dtype=bool)
    except ImportError:
        if values.dtype.kind == "f":
            return np.isnan(values)
        return np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in values], dtype=bool)


def _prepare_features(name: str, X) -> tuple[object, list[str], bool]:
    """Features as the boosters read them: float64 numbers, pandas categories; and what they hold."""
    if _is_frame(X):
        import pandas as pd

        X = _to_pandas(X).copy()
        X.columns = [str(c) for c in X.columns]
        if X.columns.duplicated().any():
            raise ValueError(f"Data set {name!r}: duplicated column names {list(X.columns[X.columns.duplicated()])!r}.")
        categorical = []
        for column in X.columns:
            dtype = X[column].dtype
            if isinstance(dtype, pd.CategoricalDtype):
                categorical.append(column)
            elif pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
                X[column] = X[column].astype("float64")  # nullable integers and booleans: NA -> NaN
            elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
                X[column] = X[column].astype("category")  # what LightGBM and XGBoost read natively
                categorical.append(column)
            else:
                raise TypeError(
                    f"Data set {name!r}: column {column!r} has dtype {dtype}, which the boosters cannot read; "
                    "convert it to numbers or drop it (--drop / drop=)."
                )
        missing = bool(X.isna().to_numpy().any())
        return X, categorical, missing
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Data set {name!r}: X must be two-dimensional, got shape {X.shape}.")
    if X.dtype.kind not in "biuf":
        try:
            import pandas as pd
        except ImportError:
            raise TypeError(
                f"Data set {name!r}: X holds {X.dtype} values; pass numbers, or a pandas frame (pip install pandas) "
                "whose string columns become categories."
            ) from None
        return _prepare_features(name, pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])]).infer_objects())
    X = X.astype(np.float64)
    return X, [], bool(np.isnan(X).any())


def _prepare(name: str, X, y=None, *, target=None, drop=None, pos_label=None) -> _Data:
    """Check and code one data set; every error here comes before any fit."""
    drop = [drop] if isinstance(drop, str) else list(drop or [])
    if target is not None or drop:
        if not _is_frame(X):
            raise TypeError(f"Data set {name!r}: target= and drop= name columns of a pandas or polars frame.")
        X = _to_pandas(X)
        columns = [str(c) for c in X.columns]
        absent = [c for c in [*([] if target is None else [target]), *drop] if str(c) not in columns]
        if absent:
            raise ValueError(f"Data set {name!r}: no column(s) {absent!r}; the columns are {columns!r}.")
        X = X.rename(columns=str)
        if target is not None:
            if y is not None:
                raise ValueError("Give the labels either as y or as target=, not both.")
            y = X[str(target)]
            X = X.drop(columns=[str(target)])
        X = X.drop(columns=[str(c) for c in drop if str(c) != str(target)])
    if y is None:
        raise ValueError(f"Data set {name!r}: no labels; pass y, or target= the name of the label column.")
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.ndim != 1:
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
        if y.ndim != 1:
            raise ValueError(f"Data set {name!r}: y must be one column of labels, got shape {y.shape}.")
    if len(y) != X.shape[0]:
        raise ValueError(f"Data set {name!r}: {X.shape[0]} rows of features but {len(y)} labels.")
    missing = _missing_mask(y)
    if missing.any():
        raise ValueError(
            f"Data set {name!r}: the target has {int(missing.sum())} missing value(s) (first at row "
            f"{int(np.argmax(missing))}); drop those rows or fill them."
        )
    try:
        labels, codes = np.unique(y, return_inverse=True)
    except TypeError:  # mixed types: compare them as text
        labels, codes = np.unique(y.astype(str), return_inverse=True)
    labels, codes = list(labels.tolist()), codes.ravel().astype(np.int64)
    if len(labels) < 2:
        raise ValueError(
            f"Data set {name!r}: the target has one class ({labels[0]!r}); a comparison needs two or more."
        )
    notes = []
    if pos_label is not None:
        match = [i for i, label in enumerate(labels) if label == pos_label or str(label) == str(pos_label)]
        if not match:
            raise ValueError(f"Data set {name!r}: pos_label {pos_label!r} is not a label; the labels are {labels!r}.")
        positive = match[0]
        if len(labels) > 2:
            notes.append(f"{labels[positive]!r} against the other {len(labels) - 1} classes (pos_label)")
            labels = [f"not {labels[positive]}", labels[positive]]
            codes = (codes == positive).astype(np.int64)
            positive = 1
    else:
        counts = np.bincount(codes)
        positive = int(np.argmin(counts)) if counts.min() < counts.max() else len(labels) - 1
    if len(labels) == 2 and positive == 0:
        labels, codes = labels[::-1], 1 - codes
    X, categorical, missing_x = _prepare_features(name, X)
    if len(labels) == 2 and pos_label is None:
        notes.append(f"positive label: {labels[1]!r}, the rarer class (set pos_label / --pos-label to choose)")
    return _Data(name, X, codes, labels, categorical, missing_x, notes)


def _resolve_datasets(datasets) -> dict[str, _Data]:
    if isinstance(datasets, dict):
        data = {}
        for name, value in datasets.items():
            if isinstance(value, _Data):
                data[name] = value
            else:
                X, y = value
                data[name] = _prepare(name, X, y)
    else:
        data = _load_bundled(datasets)
    if not data:
        raise ValueError("No data set selected.")
    return data


def _load_bundled(datasets) -> dict[str, _Data]:
    from .datasets import list_datasets, load_dataset

    names = _default_datasets() if datasets is None else list(datasets)
    known = list_datasets()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"Unknown data set(s) {unknown!r}; choose from {known!r}, or pass your own file with --data PATH "
            "--target COLUMN."
        )
    data = {}
    for name in names:
        X, y = load_dataset(name, return_X_y=True)
        # the binary sets' positive class is 1, the rarer one; the multiclass sets keep their classes
        data[name] = _prepare(name, X, y, pos_label=1 if name in list_datasets("binary") else None)
    return data


def read_table(path: str | os.PathLike):
    """Read a CSV or Parquet file into a pandas DataFrame, with a clear error for anything else.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` file (optionally ``.gz``, ``.bz2``, ``.zip``, ``.xz`` or ``.zst`` compressed) or
        a ``.parquet`` / ``.pq`` file. Reading needs pandas; Parquet also needs pyarrow.

    Returns
    -------
    frame : pandas.DataFrame
    """
    path = os.fspath(path)
    lower = path.lower()
    for suffix in (".gz", ".bz2", ".zip", ".xz", ".zst"):
        if lower.endswith(".csv" + suffix):
            lower = lower[: -len(suffix)]
    if lower.endswith(".csv"):
        kind = "csv"
    elif lower.endswith((".parquet", ".pq")):
        kind = "parquet"
    else:
        raise ValueError(f"{path!r} is neither a CSV file (.csv) nor a Parquet file (.parquet, .pq).")
    if not os.path.isfile(path):
        raise ValueError(f"No such file: {path!r}.")
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "Reading a data file needs pandas (and pyarrow for Parquet): pip install 'skfocal[data]', or from a "
            "checkout of the repository pip install '.[data]'"
        ) from None
    try:
        return pd.read_csv(path) if kind == "csv" else pd.read_parquet(path)
    except ImportError as exc:
        raise ImportError(f"Reading {path!r} needs pyarrow: pip install '.[data]' from a checkout ({exc})") from None
    except Exception as exc:
        raise ValueError(f"Could not read {path!r} as {kind.upper()}: {exc}") from exc


def _fold_id(test_index: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(test_index, dtype=np.int64).tobytes()).hexdigest()[:12]


def _rows(X, index):
    return X.iloc[index] if hasattr(X, "iloc") else X[index]


def _run_one(dataset, X, y, repeat, fold, train, test, model: _Model, seed: int, keep_predictions: bool) -> dict:
    try:
        estimator = model.build(y[train], seed)
        fit_params = model.fit_params(y[train]) if model.fit_params else {}
        start = time.perf_counter()
        estimator.fit(_rows(X, train), y[train], **fit_params)
        fit_time = time.perf_counter() - start
        proba = estimator.predict_proba(_rows(X, test))
    except Exception as exc:
        raise RuntimeError(f"{model.name} failed on {dataset}, repeat {repeat}, fold {fold}: {exc}") from exc
    if proba.shape[1] == 2:
        proba = proba[:, 1]
    record = {
        "dataset": dataset,
        "model": model.name,
        "repeat": repeat,
        "fold": fold,
        "fold_id": _fold_id(test),
        "n_train": len(train),
        "n_test": len(test),
        "fit_time_s": fit_time,
    }
    for name, (metric, _) in METRICS.items():
        record[name] = float(metric(y[test], proba))
    if hasattr(estimator, "best_params_"):
        record["best_params"] = {k: v for k, v in estimator.best_params_.items()}
    if keep_predictions:
        record["y_true"], record["proba"] = y[test], proba
    return record


def _check_count(value, name: str, smallest: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < smallest:
        raise ValueError(f"{name} must be an integer >= {smallest}, got {value!r}.")
    return int(value)


def _plan(datasets, models, folds, repeats) -> tuple[dict[str, _Data], list[str], dict[str, _Model], dict]:
    """Check every argument and every data set, before any fit."""
    folds = _check_count(folds, "folds", 2)
    repeats = _check_count(repeats, "repeats", 1)
    table = _model_table()
    names = [m for m in table if m not in OPT_IN_MODELS] if models is None else list(models)
    unknown = [name for name in names if name not in table]
    if unknown:
        raise ValueError(f"Unknown model(s) {unknown!r}; available: {list(table)!r}.")
    if not names:
        raise ValueError("No model selected.")
    data = _resolve_datasets(datasets)
    skipped = {}
    for name, d in data.items():
        counts = np.bincount(d.y)
        if folds > counts.min():
            raise ValueError(
                f"Data set {name!r}: its smallest class ({d.labels[int(np.argmin(counts))]!r}) has {counts.min()} "
                f"rows, fewer than folds={folds}: some test folds would hold none. Use fewer folds (--folds)."
            )
        for model in names:
            reason = table[model].skip(d) if table[model].skip else None
            if reason:
                skipped[name, model] = reason
    return data, names, table, skipped


def run_benchmark(
    datasets=None,
    models=None,
    *,
    folds: int = 5,
    repeats: int = REPEATS,
    n_jobs: int | None = -1,
    seed: int = 0,
    progress: bool = True,
    keep_predictions: bool = False,
) -> list[dict]:
    """Cross-validate every model on every data set, all on the same repeated stratified folds.

    Parameters
    ----------
    datasets : list of str, dict or None, default=None
        Names of bundled data sets (default: the binary ones), or a dict ``{name: (X, y)}`` with
        ``X`` an array or a pandas or polars frame and ``y`` labels of any type (two or more
        classes; for two, the rarer class is the positive one). Use :func:`compare` for one
        data set with a target column, columns to drop or a chosen positive label.
    models : list of str or None, default=None
        Model names from :func:`available_models` (default: all). A model that cannot run on a data
        set (SMOTE on categorical columns or missing values) is left out of it.
    folds : int, default=5
        Number of stratified folds, shuffled with ``seed``.
    repeats : int, default=2
        Number of times the cross-validation is repeated with a fresh shuffle.
    n_jobs : int or None, default=-1
        Parallel jobs over (data set, fold, model) tasks; each model itself uses one thread. The
        numbers do not depend on it.
    seed : int, default=0
        Seed of the folds and of every model.
    progress : bool, default=True
        Show a progress bar (tqdm) on stderr, counting booster fits.
    keep_predictions : bool, default=False
        Keep each fold's labels and predicted probabilities in the records (for plots).

    Returns
    -------
    records : list of dict
        One per (data set, model, repeat, fold): the metrics, ``fit_time_s``, ``n_train``,
        ``n_test``, ``fold_id`` (a hash of the fold's test rows: equal for all models on a fold)
        and, for tuned models, ``best_params``.
    """
    data, names, table, skipped = _plan(datasets, models, folds, repeats)
    return _run(data, names, table, skipped, folds, repeats, n_jobs, seed, progress, keep_predictions)


def _run(data, names, table, skipped, folds, repeats, n_jobs, seed, progress, keep_predictions) -> list[dict]:
    from joblib import Parallel, delayed
    from sklearn.model_selection import RepeatedStratifiedKFold
    from tqdm.auto import tqdm

    splits = {
        name: list(RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed).split(d.y, d.y))
        for name, d in data.items()
    }
    tasks, weights = [], []
    # Repeats outermost: after the first repeat the rate covers every data set and model, so the
    # bar's time estimate holds for the rest; each task counts as the booster fits it makes.
    for repeat in range(repeats):
        for dataset, d in data.items():
            for fold in range(folds):
                train, test = splits[dataset][repeat * folds + fold]
                for name in names:
                    if (dataset, name) in skipped:
                        continue
                    tasks.append(
                        delayed(_run_one)(
                            dataset, d.X, d.y, repeat, fold, train, test, table[name], seed, keep_predictions
                        )
                    )
                    weights.append(_fits_per_task(table[name]))
    records = []
    with tqdm(total=sum(weights), desc="benchmark", unit="fit", disable=not progress, file=sys.stderr) as bar:
        for record in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks):
            records.append(record)
            bar.update(_fits_per_task(table[record["model"]]))
    records.sort(key=lambda r: (r["dataset"], names.index(r["model"]), r["repeat"], r["fold"]))
    return records


def _rope_of(rope, metric: str) -> float:
    value = rope.get(metric, ROPE) if isinstance(rope, dict) else rope
    if not (isinstance(value, int | float) and value >= 0 and math.isfinite(value)):
        raise ValueError(f"rope must be a number >= 0 (or a dict of them per metric), got {value!r}.")
    return float(value)


def _reference_of(model: str, models: list[str], reference: str | None) -> str | None:
    if reference is not None:
        return reference if model != reference else None
    booster = model.partition("-")[0]
    own = f"{booster}-logloss"
    return own if own in models and own != model else None


def summarize(records: list[dict], *, reference: str | None = None, rope=ROPE, confidence: float = CONFIDENCE) -> dict:
    """Means per data set and model, each model's difference to its reference with a verdict, mean ranks.

    Parameters
    ----------
    records : list of dict
        The output of :func:`run_benchmark`.
    reference : str or None, default=None
        The model every other model is compared with; default: each booster's own log-loss
        classifier (``lgbm-logloss`` for the ``lgbm-*`` models, ``xgb-logloss`` for ``xgb-*``).
    rope : float or dict, default=0.01
        Half-width of the region of practical equivalence, in each metric's units (a dict gives
        one per metric, 0.01 where absent).
    confidence : float, default=0.95
        Coverage of the intervals.

    Returns
    -------
    summary : dict
        ``"per_dataset"``: rows ``{dataset, model, <metric>: (mean, std), fit_time_s: (mean, std)}``;
        ``"overall"``: rows ``{model, <metric>: mean over data sets of the fold means}``;
        ``"differences"``: rows ``{dataset, model, reference, metric, mean, low, high, t, p, df,
        p_below, p_rope, p_above, verdict, n_folds}``, the corrected resampled t-test of the
        per-fold differences model minus reference (:mod:`skfocal._stats`);
        ``"across"`` (two or more data sets): rows ``{model, reference, metric, mean, n_datasets,
        better, equivalent, worse, undecided, r_plus, r_minus, p}`` with the Wilcoxon signed-rank
        test of the per-data-set mean differences; ``"ranks"``: ``{metric: {model: mean rank}}``
        over the data sets where every model ran; ``"rope"``, ``"confidence"``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    columns = [*METRICS, "fit_time_s"]
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    models = list(dict.fromkeys(r["model"] for r in records))
    if reference is not None and reference not in models:
        raise ValueError(f"reference {reference!r} is not among the models run: {models!r}.")
    ropes = {metric: _rope_of(rope, metric) for metric in METRICS}
    by_key = {}
    for r in records:
        by_key.setdefault((r["dataset"], r["model"]), []).append(r)
    per_dataset = []
    for dataset in datasets:
        for model in models:
            rows = by_key.get((dataset, model))
            if rows:
                entry = {"dataset": dataset, "model": model}
                for column in columns:
                    values = np.array([r[column] for r in rows])
                    entry[column] = (float(values.mean()), float(values.std()))
                per_dataset.append(entry)
    overall = []
    for model in models:
        rows = [e for e in per_dataset if e["model"] == model]
        overall.append({"model": model, **{c: float(np.mean([e[c][0] for e in rows])) for c in columns}})

    differences = []
    for dataset in datasets:
        for model in models:
            ref = _reference_of(model, models, reference)
            if ref is None or (dataset, model) not in by_key or (dataset, ref) not in by_key:
                continue
            mine = {r["fold_id"]: r for r in by_key[dataset, model]}
            theirs = {r["fold_id"]: r for r in by_key[dataset, ref]}
            paired = [(mine[f], theirs[f]) for f in mine if f in theirs]
            if len(paired) < 2:
                continue
            n_train = float(np.mean([a["n_train"] for a, _ in paired]))
            n_test = float(np.mean([a["n_test"] for a, _ in paired]))
            for metric, (_, greater) in METRICS.items():
                diffs = [a[metric] - b[metric] for a, b in paired]
                result = _stats.corrected_t(diffs, n_train, n_test, rope=ropes[metric], confidence=confidence)
                result["verdict"] = _stats.verdict(result["low"], result["high"], ropes[metric], greater)
                differences.append(
                    {"dataset": dataset, "model": model, "reference": ref, "metric": metric, **result,
                     "n_folds": len(paired)}
                )  # fmt: skip

    across = []
    if len(datasets) >= 2:
        pairs = list(dict.fromkeys((d["model"], d["reference"]) for d in differences))
        for model, ref in pairs:
            for metric in METRICS:
                rows = [d for d in differences if (d["model"], d["reference"], d["metric"]) == (model, ref, metric)]
                if len(rows) < 2:
                    continue
                test = _stats.wilcoxon_signed_rank([d["mean"] for d in rows])
                counts = {v: sum(d["verdict"] == v for d in rows) for v in _stats.VERDICTS}
                across.append(
                    {"model": model, "reference": ref, "metric": metric,
                     "mean": float(np.mean([d["mean"] for d in rows])), "n_datasets": len(rows), **counts,
                     "r_plus": test["r_plus"], "r_minus": test["r_minus"], "p": test["p"]}
                )  # fmt: skip

    ranks = {}
    means = {(e["dataset"], e["model"]): e for e in per_dataset}
    complete = [d for d in datasets if all((d, m) in means for m in models)]
    if complete:
        for metric, (_, greater) in METRICS.items():
            scores = [[means[d, m][metric][0] for m in models] for d in complete]
            ranks[metric] = dict(zip(models, map(float, _stats.mean_ranks(scores, greater)), strict=True))
    return {
        "per_dataset": per_dataset,
        "overall": overall,
        "differences": differences,
        "across": across,
        "ranks": ranks,
        "ranked_datasets": complete,
        "rope": ropes,
        "confidence": confidence,
    }


_BOOSTER_NAMES = {"lgbm": "LightGBM", "xgb": "XGBoost", "catboost": "CatBoost"}


def _signed(x: float) -> str:
    return f"{x:+.4f}"


def _model_phrase(model: str) -> str:
    booster, _, family = model.partition("-")
    return {"focal": "focal loss (gamma=2)", "focal-tuned": "focal loss (tuned gamma, alpha)", "logloss": "log loss",
            "weighted": "class weighting", "smote": "SMOTE",
            "focal-asym": "asymmetric focal loss (gamma 4, 0)"}.get(family, model)  # fmt: skip


def _headlines(summary: dict, n_datasets: int) -> list[str]:
    """The answer first: focal loss with its defaults against the reference, on the primary metric."""
    diffs = [d for d in summary["differences"] if d["metric"] == PRIMARY_METRIC]
    models = list(dict.fromkeys(d["model"] for d in diffs))
    focal = [m for m in models if m.endswith(("-focal", "-focal-asym"))] or models[:1]
    confidence = f"{summary['confidence']:.0%}"
    lines = []
    for model in focal:
        booster = _BOOSTER_NAMES.get(model.partition("-")[0], model.partition("-")[0])
        rows = [d for d in diffs if d["model"] == model]
        reference = rows[0]["reference"]
        versus = "log loss" if reference == f"{model.partition('-')[0]}-logloss" else f"`{reference}`"
        what = f"{booster} with {_model_phrase(model)} vs {versus}"
        if n_datasets == 1:
            d = rows[0]
            lines.append(
                f"**On this data, {what}: {_signed(d['mean'])} {_METRIC_TITLES[PRIMARY_METRIC]}, {confidence} "
                f"interval [{_signed(d['low'])}, {_signed(d['high'])}]: {d['verdict']}.**"
            )
        else:
            a = next((a for a in summary["across"] if a["model"] == model and a["metric"] == PRIMARY_METRIC), None)
            if a is None:
                continue
            counts = ", ".join(f"{v} on {a[v]}" for v in _stats.VERDICTS)
            lines.append(
                f"**On these {a['n_datasets']} data sets, {what}, {_METRIC_TITLES[PRIMARY_METRIC]}: {counts}; "
                f"mean difference {_signed(a['mean'])}, Wilcoxon signed-rank p = {a['p']:.3f}.**"
            )
    return lines


def _method_note(summary: dict, settings: dict) -> str:
    ropes = sorted(set(summary["rope"].values()))
    rope = f"±{ropes[0]:g}" if len(ropes) == 1 else ", ".join(f"{m} ±{v:g}" for m, v in summary["rope"].items())
    n = settings["folds"] * settings["repeats"]
    repeats = f"{settings['repeats']} repeat{'s' if settings['repeats'] > 1 else ''}"
    return (
        f"Differences are model minus reference on the same {n} held-out folds ({settings['folds']} stratified folds "
        f"x {repeats}, seed {settings['seed']}). The interval is the {summary['confidence']:.0%} "
        "interval of the corrected resampled t-test (Nadeau and Bengio 2003), which is also the highest-density "
        "interval of the Bayesian correlated t-test; the verdict is *better* or *worse* when the whole interval lies "
        f"beyond the region of practical equivalence ({rope}, `--rope`) on one side, *equivalent* when it lies "
        "inside it, *undecided* otherwise."
    )


def _format_markdown(summary: dict, settings: dict, data: dict | None = None, notes: list[str] | None = None) -> str:
    out = io.StringIO()
    metrics = list(METRICS)
    arrows = {m: "↑" if METRICS[m][1] else "↓" for m in metrics}
    datasets = list(dict.fromkeys(e["dataset"] for e in summary["per_dataset"]))
    for line in _headlines(summary, len(datasets)):
        out.write(line + "\n\n")
    out.write(_method_note(summary, settings) + "\n\n")
    for name, info in (data or {}).items():
        classes = ", ".join(f"{label!r}: {n}" for label, n in info["classes"].items())
        extra = []
        if info["categorical"]:
            extra.append(f"categorical columns {', '.join(info['categorical'])}")
        if info["missing_values"]:
            extra.append("missing values (left to the boosters)")
        extra += info["notes"]
        out.write(f"- {name}: {info['rows']} rows, {info['columns']} columns, classes {{{classes}}}")
        out.write(("; " + "; ".join(extra) if extra else "") + "\n")
    for note in notes or []:
        out.write(f"- {note}\n")
    if data or notes:
        out.write("\n")

    confidence = f"{summary['confidence']:.0%}"
    many = len(datasets) > 1
    out.write(f"### Difference to the reference (mean, {confidence} interval, verdict)\n\n")
    first = "| data set | model | vs |" if many else "| model | vs |"
    out.write(first + "".join(f" {m} {arrows[m]} |" for m in metrics) + "\n")
    out.write("|" + "---|" * (len(metrics) + first.count("|") - 1) + "\n")
    cells = {(d["dataset"], d["model"], d["metric"]): d for d in summary["differences"]}
    for key in dict.fromkeys((d["dataset"], d["model"], d["reference"]) for d in summary["differences"]):
        dataset, model, reference = key
        row = [dataset, model, reference] if many else [model, reference]
        for m in metrics:
            d = cells[dataset, model, m]
            row.append(f"{_signed(d['mean'])} [{_signed(d['low'])}, {_signed(d['high'])}] {d['verdict']}")
        out.write("| " + " | ".join(row) + " |\n")

    if summary["across"]:
        n = len(datasets)
        out.write(
            f"\n### Across the {n} data sets (verdicts counted; Wilcoxon signed-rank test of the mean differences)\n\n"
        )
        out.write("| model | vs | metric | mean difference | better | equivalent | worse | undecided | Wilcoxon p |\n")
        out.write("|" + "---|" * 9 + "\n")
        for a in summary["across"]:
            out.write(
                f"| {a['model']} | {a['reference']} | {a['metric']} {arrows[a['metric']]} | {_signed(a['mean'])} | "
                + " | ".join(str(a[v]) for v in _stats.VERDICTS)
                + f" | {a['p']:.3f} |\n"
            )
    if many and summary["ranks"]:
        out.write(f"\n### Mean rank over the {len(summary['ranked_datasets'])} data sets (1 = best)\n\n")
        out.write("| model | " + " | ".join(f"{m} {arrows[m]}" for m in metrics) + " |\n")
        out.write("|" + "---|" * (len(metrics) + 1) + "\n")
        for model in summary["ranks"][metrics[0]]:
            out.write(f"| {model} | " + " | ".join(f"{summary['ranks'][m][model]:.2f}" for m in metrics) + " |\n")

    runs = f"{settings['folds']} folds x {settings['repeats']} repeat{'s' if settings['repeats'] > 1 else ''}"
    header = "| data set | model | " + " | ".join(f"{m} {arrows[m]}" for m in metrics) + " | fit time (s) |"
    out.write(f"\n### Per data set (mean ± std over {runs})\n\n{header}\n")
    out.write("|" + "---|" * (len(metrics) + 3) + "\n")
    for e in summary["per_dataset"]:
        cells_ = " | ".join(f"{e[m][0]:.4f} ± {e[m][1]:.4f}" for m in metrics)
        out.write(f"| {e['dataset']} | {e['model']} | {cells_} | {e['fit_time_s'][0]:.2f} |\n")
    if many:
        out.write("\n### Overall (mean over data sets)\n\n")
        out.write("| model | " + " | ".join(f"{m} {arrows[m]}" for m in metrics) + " | fit time (s) |\n")
        out.write("|" + "---|" * (len(metrics) + 2) + "\n")
        for e in summary["overall"]:
            cells_ = " | ".join(f"{e[m]:.4f}" for m in metrics)
            out.write(f"| {e['model']} | {cells_} | {e['fit_time_s']:.2f} |\n")
    return out.getvalue()


def _format_csv(summary: dict) -> str:
    metrics = list(METRICS)
    lines = ["dataset,model," + ",".join(metrics) + ",fit_time_s"]
    for e in summary["per_dataset"]:
        cells = ",".join(f"{e[m][0]:.4f} ± {e[m][1]:.4f}" for m in metrics)
        lines.append(f"{e['dataset']},{e['model']},{cells},{e['fit_time_s'][0]:.2f}")
    for e in summary["overall"]:
        lines.append(f"overall,{e['model']}," + ",".join(f"{e[m]:.4f}" for m in metrics) + f",{e['fit_time_s']:.2f}")
    return "\n".join(lines) + "\n"


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _format_json(result: BenchmarkResult) -> str:
    public = [{k: v for k, v in r.items() if k not in ("y_true", "proba")} for r in result.records]
    payload = {"settings": result.settings, "data": result.data, "notes": result.notes, "summary": result.summary,
               "records": public}  # fmt: skip
    return json.dumps(payload, indent=1, default=_json_default) + "\n"


def _write_atomic(path: str, write: Callable[[str], None]) -> None:
    """Write through a temporary file in the same folder, renamed at the end: no half-written file."""
    path = os.path.abspath(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".skfocal-", suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)  # mkstemp makes the file private; give it the mode open() would have
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_text_atomic(path: str, text: str) -> None:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    _write_atomic(path, write)


PLOT_INSTALL_HINT = (
    "--plot needs matplotlib: pip install 'skfocal[examples]', or from a checkout of the repository "
    "pip install '.[examples]'"
)


def _pyplot():
    """matplotlib's pyplot on the Agg backend, or an ImportError that says how to install it."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(PLOT_INSTALL_HINT) from None
    return plt


#: Verdict colours, from the Okabe-Ito palette, which stays distinct for colour-blind readers.
_VERDICT_COLOURS = {"better": "#0072B2", "equivalent": "#009E73", "worse": "#D55E00", "undecided": "#000000"}


def _plot(summary: dict, path: str) -> None:
    """Each model's difference to its reference with its interval, one panel per metric.

    The grey band is the region of practical equivalence; colours give the verdicts.
    """
    plt = _pyplot()
    from matplotlib.lines import Line2D

    diffs = summary["differences"]
    if not diffs:
        raise ValueError("Nothing to plot: no model has a reference among the models run.")
    metrics = [m for m in METRICS if any(d["metric"] == m for d in diffs)]
    rows = list(dict.fromkeys((d["dataset"], d["model"], d["reference"]) for d in diffs))
    many = len({r[0] for r in rows}) > 1
    cells = {(d["dataset"], d["model"], d["metric"]): d for d in diffs}
    labels = [f"{dataset}: {model}" if many else f"{model} vs {reference}" for dataset, model, reference in rows]
    with plt.rc_context({"font.size": 9, "axes.titlesize": 10, "legend.fontsize": 9}):
        fig, axes = plt.subplots(
            1, len(metrics), figsize=(2.4 * len(metrics) + 2.2, 1.3 + 0.24 * len(rows)), sharey=True, squeeze=False
        )
        for ax, metric in zip(axes[0], metrics, strict=True):
            rope = summary["rope"][metric]
            if rope > 0:
                ax.axvspan(-rope, rope, color="0.9", zorder=0, linewidth=0)
            ax.axvline(0, color="0.3", linewidth=0.8, zorder=1)
            for i, (dataset, model, _) in enumerate(rows):
                d = cells[dataset, model, metric]
                ax.errorbar(
                    d["mean"], i, xerr=[[d["mean"] - d["low"]], [d["high"] - d["mean"]]], fmt="o", markersize=3.5,
                    capsize=2, linewidth=1.1, color=_VERDICT_COLOURS[d["verdict"]], zorder=3,
                )  # fmt: skip
            if many:
                for i in range(1, len(rows)):
                    if rows[i][0] != rows[i - 1][0]:
                        ax.axhline(i - 0.5, color="0.75", linewidth=0.6)
            better = "higher is better" if METRICS[metric][1] else "lower is better"
            ax.set_title(f"{_METRIC_TITLES[metric]}\n({better})")
            ax.set_xlabel("model − reference")
            ax.grid(axis="x", color="0.93", zorder=0)
            ax.set_yticks(np.arange(len(rows)), labels)
            ax.set_ylim(len(rows) - 0.5, -0.5)
        handles = [Line2D([], [], color=c, marker="o", linestyle="-", markersize=4, label=v)
                   for v, c in _VERDICT_COLOURS.items()]  # fmt: skip
        fig.legend(handles=handles, loc="upper center", ncol=4, frameon=False, bbox_to_anchor=(0.5, 1.0))
        top = 1 - 0.45 / fig.get_figheight()
        fig.tight_layout(rect=(0, 0, 1, top))
        _write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=150))
        plt.close(fig)


@dataclass
class BenchmarkResult:
    """What :func:`compare` returns: every fold's numbers, the statistics, and ways to show them.

    Attributes
    ----------
    records : list of dict
        One per (data set, model, repeat, fold), as :func:`run_benchmark` returns them.
    summary : dict
        As :func:`summarize` returns it: ``summary["differences"]`` holds each model's difference
        to its reference per metric, with its interval and verdict.
    settings : dict
        Folds, repeats, seed, reference, rope and confidence of the run.
    data : dict
        Per data set: rows, columns, class counts, positive label, categorical columns, notes.
    notes : list of str
        Models left out of a data set, and why.
    """

    records: list[dict]
    summary: dict
    settings: dict
    data: dict
    notes: list[str]

    def verdicts(self, metric: str = PRIMARY_METRIC) -> dict[str, str]:
        """The verdict of each model against its reference on one metric (first data set).

        Parameters
        ----------
        metric : str, default="average_precision"
            A key of :data:`METRICS`.

        Returns
        -------
        verdicts : dict
            ``{model: "better" | "equivalent" | "worse" | "undecided"}``.
        """
        if metric not in METRICS:
            raise ValueError(f"Unknown metric {metric!r}; choose from {list(METRICS)!r}.")
        first = next(iter(self.data))
        return {
            d["model"]: d["verdict"]
            for d in self.summary["differences"]
            if d["metric"] == metric and d["dataset"] == first
        }

    def to_markdown(self) -> str:
        """The report: the answer sentence, the differences with intervals and verdicts, the means.

        Returns
        -------
        text : str
        """
        return _format_markdown(self.summary, self.settings, self.data, self.notes)

    def to_json(self) -> str:
        """Settings, data description, notes, the summary and every fold's record, as JSON.

        Returns
        -------
        text : str
        """
        return _format_json(self)

    def plot(self, path: str | os.PathLike) -> None:
        """Save a figure of each model's difference to its reference with its interval, per metric.

        Parameters
        ----------
        path : str or path-like
            Where to save it; the format follows the extension (``.png``, ``.svg``, ``.pdf``). Needs
            matplotlib (the ``examples`` extra).
        """
        _plot(self.summary, os.fspath(path))


def _benchmark(data, names, table, skipped, *, reference, rope, confidence, folds, repeats, n_jobs, seed, progress):
    records = _run(data, names, table, skipped, folds, repeats, n_jobs, seed, progress, False)
    summary = summarize(records, reference=reference, rope=rope, confidence=confidence)
    settings = {"folds": folds, "repeats": repeats, "seed": seed, "reference": reference, "rope": summary["rope"],
                "confidence": confidence, "models": names}  # fmt: skip
    grouped = {}
    for (dataset, model), reason in skipped.items():
        grouped.setdefault((dataset, reason), []).append(model)
    notes = [
        (f"{dataset}: " if len(data) > 1 else "") + f"{', '.join(models)}: {reason}"
        for (dataset, reason), models in grouped.items()
    ]
    return BenchmarkResult(records, summary, settings, {n: d.describe() for n, d in data.items()}, notes)


def _check_settings(names, reference, rope, confidence, skipped=None) -> None:
    if reference is not None and reference not in names:
        raise ValueError(f"reference {reference!r} is not among the models to run: {names!r}.")
    for (dataset, model), reason in (skipped or {}).items():
        if model == reference:
            raise ValueError(
                f"the reference {reference!r} cannot run on {dataset!r} ({reason}); name another --reference."
            )
    for metric in METRICS:
        _rope_of(rope, metric)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")


def compare(
    X,
    y=None,
    *,
    target: str | None = None,
    drop=None,
    pos_label=None,
    name: str = "data",
    models: list[str] | None = None,
    reference: str | None = None,
    folds: int = 5,
    repeats: int = REPEATS,
    rope=ROPE,
    confidence: float = CONFIDENCE,
    n_jobs: int | None = -1,
    seed: int = 0,
    progress: bool = True,
) -> BenchmarkResult:
    """Does focal loss help on this data? Every model on the same repeated folds, with verdicts.

    Focal loss (defaults and tuned), the booster's own log-loss classifier, class weighting and
    SMOTE, for LightGBM and XGBoost, on the same repeated stratified folds; each model's
    difference to the reference gets an interval and a verdict (the corrected resampled t-test).
    Every check of the input runs before the first fit.

    Parameters
    ----------
    X : pandas or polars DataFrame, or array-like of shape (n_samples, n_features)
        The features (and, with ``target``, the labels). String columns become categories, which
        both boosters split on natively; missing values stay missing, for the boosters to handle.
    y : array-like of shape (n_samples,), default=None
        The labels, of any type (strings, booleans, integers), two or more classes.
    target : str, default=None
        Instead of ``y``: the name of the label column of the frame ``X``.
    drop : str or list of str, default=None
        Columns of ``X`` to leave out (identifiers, leaks).
    pos_label : object, default=None
        For two classes, the positive class of average precision (default: the rarer class); for
        more, the class to compare against all others together (default: all K classes).
    name : str, default="data"
        The data set's name in the report.
    models : list of str, default=None
        Model names from :func:`available_models` (default: all).
    reference : str, default=None
        The model every other is compared with (default: each booster's own log-loss classifier).
    folds : int, default=5
        Stratified folds per repeat; every class needs at least this many rows.
    repeats : int, default=2
        Repeats of the cross-validation, each with a fresh shuffle.
    rope : float or dict, default=0.01
        Half-width of the region of practical equivalence in each metric's units (a dict: per metric).
    confidence : float, default=0.95
        Coverage of the intervals.
    n_jobs : int or None, default=-1
        Parallel fits (the numbers do not depend on it).
    seed : int, default=0
        Seed of the folds and of every model.
    progress : bool, default=True
        Show a progress bar with a time estimate on stderr.

    Returns
    -------
    result : BenchmarkResult
        ``result.to_markdown()`` leads with the answer; ``result.summary["differences"]`` has every
        interval; ``result.records`` every fold's numbers; ``result.plot(path)`` draws the figure.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skfocal.benchmark import compare
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> result = compare(X, y, models=["lgbm-focal", "lgbm-logloss"], repeats=1, progress=False)
    >>> result.verdicts()  # doctest: +SKIP
    {'lgbm-focal': 'undecided'}
    """
    data = {name: _prepare(name, X, y, target=target, drop=drop, pos_label=pos_label)}
    data, names, table, skipped = _plan(data, models, folds, repeats)
    _check_settings(names, reference, rope, confidence, skipped)
    return _benchmark(data, names, table, skipped, reference=reference, rope=rope, confidence=confidence,
                      folds=int(folds), repeats=int(repeats), n_jobs=n_jobs, seed=seed, progress=progress)  # fmt: skip


def _comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m skfocal.benchmark",
        description=(
            "Does focal loss help on this data? Compare focal-loss LightGBM and XGBoost with log loss,\n"
            "class weighting and SMOTE, every model on the same repeated stratified folds, on your own\n"
            "data (--data FILE --target COLUMN) or on the bundled imbalanced data sets. Each model's\n"
            "difference to the booster's own log-loss classifier gets an interval and a verdict (better,\n"
            "equivalent, worse, undecided). Prints a report on stdout and a progress bar on stderr."
        ),
        epilog=(
            "models (<booster> is lgbm or xgb):\n"
            "  <booster>-focal        focal estimator, defaults (focal_gamma=2), posterior-corrected probabilities\n"
            "  <booster>-focal-tuned  focal_gamma x focal_alpha by inner GridSearchCV on average precision\n"
            "  <booster>-logloss      the booster's own classifier (the reference)\n"
            "  <booster>-weighted     the booster's own classifier, is_unbalance / scale_pos_weight\n"
            "  <booster>-smote        the booster's own classifier after imbalanced-learn's SMOTE\n"
            "                         (skipped on categorical columns or missing values)\n"
            "  <booster>-focal-asym   focal_gamma=[4, 0]: the negatives focused, the positives not (the\n"
            "                         asymmetric loss's default; two classes; only when named in --models)\n"
            "  catboost-focal         CatBoost's Focal loss (only when catboost is installed)\n"
            "metrics: average precision, ROC AUC, log loss, Brier score of predict_proba on held-out\n"
            "folds (macro one-vs-rest averages for more than two classes), and fit time.\n"
            "statistics: the corrected resampled t-test (Nadeau and Bengio 2003) of the paired fold\n"
            "differences; across data sets, the Wilcoxon signed-rank test and mean ranks.\n"
            "example: python -m skfocal.benchmark --data churn.csv --target churned --drop customer_id"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", metavar="PATH", default=None, help="your data: a CSV or Parquet file")
    parser.add_argument("--target", metavar="COLUMN", default=None, help="the label column of --data")
    parser.add_argument("--drop", type=_comma_list, default=None, help="comma-separated columns of --data to leave out")
    parser.add_argument(
        "--pos-label",
        default=None,
        help="positive class (default: the rarer of two); with more classes: it vs the rest",
    )
    parser.add_argument(
        "--datasets",
        type=_comma_list,
        default=None,
        help="comma-separated bundled data set names (default: the binary)",
    )
    parser.add_argument(
        "--models", type=_comma_list, default=None, help="comma-separated model names (default: all available)"
    )
    parser.add_argument("--folds", type=int, default=5, help="number of stratified folds (default: 5)")
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help=f"repeats of the cross-validation (default: {REPEATS})"
    )
    parser.add_argument(
        "--reference", default=None, help="model to compare with (default: each booster's own log-loss classifier)"
    )
    parser.add_argument(
        "--rope", type=float, default=ROPE,
        help=f"half-width of the region of practical equivalence, in metric units (default: {ROPE})",
    )  # fmt: skip
    parser.add_argument("--n-jobs", type=_n_jobs, default=-1, help="parallel fits, -1 for all cores (default: -1)")
    parser.add_argument("--seed", type=_seed, default=0, help="seed of the folds and the models (default: 0)")
    parser.add_argument(
        "--format",
        choices=["markdown", "csv", "json"],
        default="markdown",
        help="markdown report; csv with 'mean ± std' text cells; json with every fold's numbers (default: markdown)",
    )
    parser.add_argument(
        "--output", "-o", metavar="PATH", default=None, help="write the report to PATH (default: stdout)"
    )
    parser.add_argument(
        "--plot", metavar="PATH", default=None, help="save a figure (needs matplotlib: the examples extra)"
    )
    parser.add_argument("--list", action="store_true", help="list the data sets and models, then exit")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _n_jobs(text: str) -> int:
    value = int(text)
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"{text} is not a number of parallel fits: give 1, 2, ... or -1 for all cores")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{text} is not a seed: give a whole number from 0 to 2**32 - 1")
    return value


def _check_writable(parser, option: str, path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        parser.error(f"{option}: cannot write to the folder {folder!r}")
    if os.path.isdir(path):
        parser.error(f"{option}: {path!r} is a folder; give a file name")
    if option == "--plot":
        try:
            from matplotlib.figure import Figure
        except ImportError:
            parser.error("--plot needs matplotlib: pip install '.[examples]'")

        formats = Figure().canvas.get_supported_filetypes()
        suffix = os.path.splitext(path)[1].lstrip(".").lower()
        if suffix not in formats:
            parser.error(f"--plot: cannot draw a {suffix or 'suffix-less'!r} file; name one of {sorted(formats)}")


def main(argv=None) -> int:
    """Command-line entry point; see ``python -m skfocal.benchmark --help``.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        from .datasets import list_datasets

        print("data sets:", ", ".join(list_datasets()))
        print("models:", ", ".join(available_models()))
        return 0
    if args.folds < 2:
        parser.error(f"--folds must be >= 2, got {args.folds}")
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")
    if args.rope < 0 or not math.isfinite(args.rope):
        parser.error(f"--rope must be a number >= 0, got {args.rope}")
    if args.data is not None and args.datasets is not None:
        parser.error("give either --data (your file) or --datasets (bundled data sets), not both")
    if args.data is not None and args.target is None:
        parser.error("--data needs --target COLUMN, the name of the label column")
    if args.data is None and (args.target or args.drop or args.pos_label is not None):
        parser.error("--target, --drop and --pos-label apply to --data PATH")
    if args.plot:  # checked before the first fit, not after all of them
        try:
            _pyplot()
        except ImportError as exc:
            parser.error(str(exc))
        _check_writable(parser, "--plot", args.plot)
    if args.output:
        _check_writable(parser, "--output", args.output)
    try:
        if args.data is not None:
            frame = read_table(args.data)
            name = os.path.splitext(os.path.basename(args.data))[0]
            datasets = {name: _prepare(name, frame, target=args.target, drop=args.drop, pos_label=args.pos_label)}
        else:
            datasets = args.datasets
        data, names, table, skipped = _plan(datasets, args.models, args.folds, args.repeats)
        _check_settings(names, args.reference, args.rope, CONFIDENCE, skipped)
        if args.plot and not any(_reference_of(name, names, args.reference) for name in names):
            raise ValueError(
                "--plot draws differences to a reference, and none of the models has one: include "
                "<booster>-logloss in --models, or name --reference"
            )
    except (ValueError, TypeError, ImportError) as exc:
        parser.error(str(exc))
    result = _benchmark(data, names, table, skipped, reference=args.reference, rope=args.rope, confidence=CONFIDENCE,
                        folds=args.folds, repeats=args.repeats, n_jobs=args.n_jobs, seed=args.seed,
                        progress=not args.quiet)  # fmt: skip
    if args.format == "markdown":
        text = result.to_markdown()
    elif args.format == "csv":
        text = _format_csv(result.summary)
    else:
        text = result.to_json()
    if args.output:  # the report first: a figure that fails to draw does not lose it
        _write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    if args.plot:
        result.plot(args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
