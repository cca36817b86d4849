"""``python -m skfocal.benchmark``: focal loss against log loss, class weighting and SMOTE, fold by fold.

Every model sees the same stratified folds of every data set (bundled with the package, nothing
is downloaded), with the same booster settings; only the way imbalance is handled differs:

========================  ==============================================================
``<booster>-focal``        the focal estimator with its defaults (``focal_gamma=2``),
                           posterior-corrected probabilities
``<booster>-focal-tuned``  ``focal_gamma`` x ``focal_alpha`` chosen by an inner
                           ``GridSearchCV`` on average precision (a gamma-free metric)
``<booster>-logloss``      the booster's own classifier, log loss
``<booster>-weighted``     the booster's own classifier with class weighting
                           (``is_unbalance`` / ``scale_pos_weight``)
``<booster>-smote``        the booster's own classifier after imbalanced-learn's ``SMOTE``
``catboost-focal``         CatBoost's built-in ``Focal`` loss, when catboost is installed
========================  ==============================================================

``<booster>`` is ``lgbm`` or ``xgb``. Metrics on each held-out fold: average precision, ROC AUC,
log loss and Brier score of ``predict_proba``, and fit time.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold

__all__ = ["METRICS", "available_models", "main", "run_benchmark", "summarize"]

#: name -> (function of (y_true, positive-class probability), greater is better)
METRICS: dict[str, tuple[Callable, bool]] = {
    "average_precision": (average_precision_score, True),
    "roc_auc": (roc_auc_score, True),
    "log_loss": (lambda y, p: log_loss(y, p, labels=[0, 1]), False),
    "brier": (brier_score_loss, False),
}
BOOSTER_PARAMS = {
    "lgbm": {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 15, "verbose": -1, "n_jobs": 1},
    "xgb": {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 4, "n_jobs": 1},
}
TUNING_GRID = {"focal_gamma": [0.5, 1.0, 2.0], "focal_alpha": [None, "balanced"]}
INNER_FOLDS = 2


@dataclass(frozen=True)
class _Model:
    """A benchmark model: how to build it for one training fold."""

    name: str
    build: Callable  # (y_train, seed) -> unfitted estimator


def _boosters():
    from lightgbm import LGBMClassifier
    from xgboost import XGBClassifier

    from . import FocalLGBMClassifier, FocalXGBClassifier

    return {"lgbm": (LGBMClassifier, FocalLGBMClassifier), "xgb": (XGBClassifier, FocalXGBClassifier)}


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
                scoring="average_precision",
                cv=StratifiedKFold(n_splits=INNER_FOLDS, shuffle=True, random_state=seed),
            )

        def logloss(y, seed, native=native, params=params):
            return native(random_state=seed, **params)

        def weighted(y, seed, native=native, params=params, booster=booster):
            if booster == "lgbm":
                return native(is_unbalance=True, random_state=seed, **params)
            ratio = float(np.sum(y == 0)) / max(float(np.sum(y == 1)), 1.0)
            return native(scale_pos_weight=ratio, random_state=seed, **params)

        def smote(y, seed, native=native, params=params):
            from imblearn.over_sampling import SMOTE
            from imblearn.pipeline import make_pipeline

            k = int(min(5, max(1, np.sum(y == 1) - 1)))  # SMOTE needs k + 1 minority rows
            return make_pipeline(SMOTE(k_neighbors=k, random_state=seed), native(random_state=seed, **params))

        for suffix, build in [
            ("focal", focal_default),
            ("focal-tuned", focal_tuned),
            ("logloss", logloss),
            ("weighted", weighted),
            ("smote", smote),
        ]:
            models[f"{booster}-{suffix}"] = _Model(f"{booster}-{suffix}", build)
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

        models["catboost-focal"] = _Model("catboost-focal", catboost_focal)
    return models


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


def _resolve_datasets(datasets) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    if isinstance(datasets, dict):
        data = {name: (np.asarray(X), np.asarray(y)) for name, (X, y) in datasets.items()}
        for name, (_, y) in data.items():
            if set(np.unique(y).tolist()) != {0, 1}:
                raise ValueError(f"Data set {name!r}: labels must be 0 and 1, got {np.unique(y).tolist()!r}.")
    else:
        data = _load_bundled(datasets)
    if not data:
        raise ValueError("No data set selected.")
    return data


def _load_bundled(datasets) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from .datasets import list_datasets, load_dataset

    names = _default_datasets() if datasets is None else list(datasets)
    binary = list_datasets("binary")
    unknown = [name for name in names if name not in binary]
    if unknown:
        raise ValueError(f"Unknown or non-binary data set(s) {unknown!r}; choose from {binary!r}.")
    return {name: load_dataset(name, return_X_y=True) for name in names}


def _fold_id(test_index: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(test_index, dtype=np.int64).tobytes()).hexdigest()[:12]


def _run_one(dataset, X, y, fold, train, test, model: _Model, seed: int, keep_predictions: bool) -> dict:
    try:
        estimator = model.build(y[train], seed)
        start = time.perf_counter()
        estimator.fit(X[train], y[train])
        fit_time = time.perf_counter() - start
        proba = estimator.predict_proba(X[test])[:, 1]
    except Exception as exc:
        raise RuntimeError(f"{model.name} failed on {dataset}, fold {fold}: {exc}") from exc
    record = {"dataset": dataset, "model": model.name, "fold": fold, "fold_id": _fold_id(test), "fit_time_s": fit_time}
    for name, (metric, _) in METRICS.items():
        record[name] = float(metric(y[test], proba))
    if hasattr(estimator, "best_params_"):
        record["best_params"] = {k: v for k, v in estimator.best_params_.items()}
    if keep_predictions:
        record["y_true"], record["proba"] = y[test], proba
    return record


def run_benchmark(
    datasets=None,
    models=None,
    *,
    folds: int = 5,
    n_jobs: int | None = -1,
    seed: int = 0,
    progress: bool = True,
    keep_predictions: bool = False,
) -> list[dict]:
    """Cross-validate every model on every data set, all on the same stratified folds.

    Parameters
    ----------
    datasets : list of str, dict or None, default=None
        Names of bundled binary data sets (default: all of them), or a dict
        ``{name: (X, y)}`` with 0/1 labels.
    models : list of str or None, default=None
        Model names from :func:`available_models` (default: all).
    folds : int, default=5
        Number of stratified folds, shuffled with ``seed``.
    n_jobs : int or None, default=-1
        Parallel jobs over (data set, fold, model) tasks; each model itself uses one thread.
    seed : int, default=0
        Seed of the folds and of every model.
    progress : bool, default=True
        Show a progress bar (tqdm) on stderr.
    keep_predictions : bool, default=False
        Keep each fold's labels and predicted probabilities in the records (for plots).

    Returns
    -------
    records : list of dict
        One per (data set, model, fold): the metrics, ``fit_time_s``, ``fold_id`` (a hash of
        the fold's test rows: equal for all models on a fold) and, for tuned models,
        ``best_params``.
    """
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    if int(folds) != folds or folds < 2:
        raise ValueError(f"folds must be an integer >= 2, got {folds!r}.")
    table = _model_table()
    names = list(table) if models is None else list(models)
    unknown = [name for name in names if name not in table]
    if unknown:
        raise ValueError(f"Unknown model(s) {unknown!r}; available: {list(table)!r}.")
    if not names:
        raise ValueError("No model selected.")
    data = _resolve_datasets(datasets)
    for name, (_, y) in data.items():
        smallest = int(np.bincount(y.astype(int)).min())
        if folds > smallest:
            raise ValueError(
                f"folds={folds} exceeds the {smallest} rows of the smallest class of {name!r}: some test "
                "folds would hold no positive."
            )
    tasks = []
    for dataset, (X, y) in data.items():
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for fold, (train, test) in enumerate(splitter.split(X, y)):
            for name in names:
                tasks.append(delayed(_run_one)(dataset, X, y, fold, train, test, table[name], seed, keep_predictions))
    records = []
    with tqdm(total=len(tasks), desc="benchmark", unit="fit", disable=not progress, file=sys.stderr) as bar:
        for record in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks):
            records.append(record)
            bar.update()
    records.sort(key=lambda r: (r["dataset"], names.index(r["model"]), r["fold"]))
    return records


def summarize(records: list[dict]) -> dict:
    """Means and standard deviations per data set and model, overall means, and win counts.

    Parameters
    ----------
    records : list of dict
        The output of :func:`run_benchmark`.

    Returns
    -------
    summary : dict
        ``"per_dataset"``: rows ``{dataset, model, <metric>: (mean, std), fit_time_s: (mean, std)}``;
        ``"overall"``: rows ``{model, <metric>: mean over data sets of the fold means}``;
        ``"wins"``: ``{metric: {model: number of data sets where it is best}}``.
    """
    columns = [*METRICS, "fit_time_s"]
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    models = list(dict.fromkeys(r["model"] for r in records))
    per_dataset = []
    for dataset in datasets:
        for model in models:
            rows = [r for r in records if r["dataset"] == dataset and r["model"] == model]
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
    wins = {metric: dict.fromkeys(models, 0) for metric in METRICS}
    for metric, (_, greater_is_better) in METRICS.items():
        for dataset in datasets:
            rows = [e for e in per_dataset if e["dataset"] == dataset]
            pick = max if greater_is_better else min
            best = pick(rows, key=lambda e: e[metric][0])
            wins[metric][best["model"]] += 1
    return {"per_dataset": per_dataset, "overall": overall, "wins": wins}


def _format_markdown(summary: dict, folds: int) -> str:
    out = io.StringIO()
    metrics = list(METRICS)
    arrows = {m: "↑" if METRICS[m][1] else "↓" for m in metrics}
    header = "| data set | model | " + " | ".join(f"{m} {arrows[m]}" for m in metrics) + " | fit time (s) |"
    out.write(f"### Per data set (mean ± std over {folds} folds)\n\n{header}\n")
    out.write("|" + "---|" * (len(metrics) + 3) + "\n")
    for e in summary["per_dataset"]:
        cells = " | ".join(f"{e[m][0]:.4f} ± {e[m][1]:.4f}" for m in metrics)
        out.write(f"| {e['dataset']} | {e['model']} | {cells} | {e['fit_time_s'][0]:.2f} |\n")
    out.write("\n### Overall (mean over data sets)\n\n")
    out.write("| model | " + " | ".join(f"{m} {arrows[m]}" for m in metrics) + " | fit time (s) |\n")
    out.write("|" + "---|" * (len(metrics) + 2) + "\n")
    for e in summary["overall"]:
        cells = " | ".join(f"{e[m]:.4f}" for m in metrics)
        out.write(f"| {e['model']} | {cells} | {e['fit_time_s']:.2f} |\n")
    out.write("\n### Wins (data sets where the model has the best mean)\n\n")
    out.write("| model | " + " | ".join(metrics) + " |\n")
    out.write("|" + "---|" * (len(metrics) + 1) + "\n")
    for model in (e["model"] for e in summary["overall"]):
        out.write(f"| {model} | " + " | ".join(str(summary["wins"][m][model]) for m in metrics) + " |\n")
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


#: How each way of handling imbalance is drawn: (label, short label, colour, marker, filled, line style).
#: Colours from the Okabe-Ito palette, which stays distinct for colour-blind readers.
_FAMILIES = {
    "logloss": ("log loss (the booster's own)", "log loss", "#000000", "|", True, "-"),
    "focal": ("focal loss, defaults", "focal", "#D55E00", "o", True, "-"),
    "focal-tuned": ("focal loss, tuned", "focal tuned", "#D55E00", "o", False, "--"),
    "weighted": ("class weighting", "weighting", "#0072B2", "^", True, "-"),
    "smote": ("SMOTE", "SMOTE", "#009E73", "D", True, "-"),
}
_BOOSTER_NAMES = {"lgbm": "LightGBM", "xgb": "XGBoost", "catboost": "CatBoost"}


def _split_name(model: str) -> tuple[str, str]:
    """``"lgbm-focal-tuned"`` -> ``("lgbm", "focal-tuned")``."""
    booster, _, family = model.partition("-")
    return booster, family


def _family_style(family: str) -> tuple:
    return _FAMILIES.get(family, (family, family, "0.5", "s", True, ":"))


def _plot(records: list[dict], summary: dict, path: str) -> None:
    """Average precision per data set against the log-loss booster, and precision-recall curves.

    One column per booster; colours and markers tell the ways of handling imbalance apart. The
    grey band is the log-loss booster's standard deviation over folds: a difference inside it is
    within the spread between folds.
    """
    plt = _pyplot()
    from matplotlib.lines import Line2D
    from sklearn.metrics import precision_recall_curve

    per = {(e["dataset"], e["model"]): e for e in summary["per_dataset"]}
    datasets = list(dict.fromkeys(e["dataset"] for e in summary["per_dataset"]))
    models = [e["model"] for e in summary["overall"]]
    boosters = list(dict.fromkeys(_split_name(m)[0] for m in models))
    style = {m: _family_style(_split_name(m)[1]) for m in models}
    # The precision-recall panels show the data set on which the models differ most.
    spread = {d: np.ptp([per[d, m]["average_precision"][0] for m in models if (d, m) in per]) for d in datasets}
    shown = max(spread, key=spread.get)

    rows = ["mean over data sets", *datasets]  # top to bottom
    # Sized for a documentation column (about 7 inches at 100 pixels per inch): text stays readable.
    with plt.rc_context({"font.size": 10, "axes.titlesize": 11, "legend.fontsize": 10}):
        fig, axes = plt.subplots(
            2, len(boosters), figsize=(3.5 * len(boosters), 8.6), squeeze=False, height_ratios=[5, 3]
        )
        for column, booster in enumerate(boosters):
            dots, curves = axes[0, column], axes[1, column]
            if column:
                dots.sharex(axes[0, 0])  # the same scale for every booster
            own = [m for m in models if _split_name(m)[0] == booster]
            baseline = f"{booster}-logloss" if f"{booster}-logloss" in own else None

            def reference(dataset, baseline=baseline):
                return per[dataset, baseline]["average_precision"][0] if baseline else 0.0

            others = [m for m in own if m != baseline]
            for i, model in enumerate(others):
                _, _, colour, marker, filled, _ = style[model]
                offset = (i - (len(others) - 1) / 2) * 0.14
                values = [per[d, model]["average_precision"][0] - reference(d) for d in datasets]
                xs = [float(np.mean(values)), *values]
                dots.scatter(
                    xs, np.arange(len(rows)) + offset, marker=marker, s=30, zorder=3, linewidths=1.2,
                    color=colour if filled else "white", edgecolors=colour,
                )  # fmt: skip
            if baseline:
                stds = [per[d, baseline]["average_precision"][1] for d in datasets]
                band = [float(np.mean(stds)), *stds]
                for y, half in enumerate(band):
                    dots.fill_betweenx([y - 0.4, y + 0.4], -half, half, color="0.88", zorder=1, linewidth=0)
                dots.axvline(0, color="black", linewidth=1.2, zorder=2)
                dots.set_xlabel("Δ average precision")
            else:
                dots.set_xlabel("average precision")
            dots.axhline(0.5, color="0.6", linewidth=0.8)
            dots.set_yticks(np.arange(len(rows)), rows if column == 0 else [""] * len(rows))
            dots.set_ylim(len(rows) - 0.5, -0.5)
            dots.grid(axis="x", color="0.92", zorder=0)
            dots.set_title(_BOOSTER_NAMES.get(booster, booster), fontweight="bold")

            for model in own:
                _, _, colour, _, _, linestyle = style[model]
                fold_rows = [r for r in records if r["dataset"] == shown and r["model"] == model]
                precision, recall, _ = precision_recall_curve(
                    np.concatenate([r["y_true"] for r in fold_rows]), np.concatenate([r["proba"] for r in fold_rows])
                )
                curves.plot(recall, precision, color=colour, linestyle=linestyle, linewidth=1.3)
            curves.set_xlabel("recall")
            curves.set_ylabel("precision" if column == 0 else "")
            curves.set_title(f"precision-recall, {shown}", fontsize=10)
            curves.set_xlim(0, 1)
            curves.set_ylim(0, 1.02)
            curves.grid(color="0.92")

        present = {_split_name(m)[1] for m in models}
        families = [f for f in _FAMILIES if f in present] + sorted(present - set(_FAMILIES))
        handles, wins = [], []
        for family in families:
            label, short, colour, marker, filled, linestyle = _family_style(family)
            handle = Line2D([], [], color=colour, linestyle=linestyle, marker=marker, markersize=6, linewidth=1.3)
            handle.set(markerfacecolor=colour if filled else "white", markeredgecolor=colour, label=label)
            handles.append(handle)
            won = sum(n for m, n in summary["wins"]["average_precision"].items() if _split_name(m)[1] == family)
            wins.append(f"{short} {won}")
        fig.legend(handles=handles, loc="upper center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 1.0))
        top = 0.95 - 0.027 * ((len(families) + 2) // 3)
        fig.text(
            0.5, top, f"data sets won on average precision (of {len(datasets)}): {', '.join(wins)}\n"
            "Δ: minus the log-loss booster's average precision; grey: its std over folds",
            ha="center", va="bottom", color="0.25", fontsize=9.5,
        )  # fmt: skip
        fig.tight_layout(rect=(0, 0, 1, top - 0.005))
        fig.savefig(path, dpi=200)
        plt.close(fig)


def _comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m skfocal.benchmark",
        description=(
            "Compare focal-loss LightGBM and XGBoost with log loss, class weighting and SMOTE on the "
            "bundled imbalanced data sets, every model on the same stratified folds. Prints a table on "
            "stdout and a progress bar on stderr."
        ),
        epilog=(
            "models (<booster> is lgbm or xgb):\n"
            "  <booster>-focal        focal estimator, defaults (focal_gamma=2), posterior-corrected probabilities\n"
            "  <booster>-focal-tuned  focal_gamma x focal_alpha by inner GridSearchCV on average precision\n"
            "  <booster>-logloss      the booster's own classifier\n"
            "  <booster>-weighted     the booster's own classifier, is_unbalance / scale_pos_weight\n"
            "  <booster>-smote        the booster's own classifier after imbalanced-learn's SMOTE\n"
            "  catboost-focal         CatBoost's Focal loss (only when catboost is installed)\n"
            "metrics: average precision, ROC AUC, log loss, Brier score of predict_proba on held-out\n"
            "folds, and fit time; mean and standard deviation over folds."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--datasets", type=_comma_list, default=None, help="comma-separated data set names (default: all binary)"
    )
    parser.add_argument(
        "--models", type=_comma_list, default=None, help="comma-separated model names (default: all available)"
    )
    parser.add_argument("--folds", type=int, default=5, help="number of stratified folds (default: 5)")
    parser.add_argument("--n-jobs", type=int, default=-1, help="parallel fits, -1 for all cores (default: -1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds and the models (default: 0)")
    parser.add_argument(
        "--format",
        choices=["markdown", "csv", "json"],
        default="markdown",
        help="markdown tables; csv with 'mean ± std' text cells; json with every number (default: markdown)",
    )
    parser.add_argument(
        "--plot", metavar="PATH", default=None, help="save a figure (needs matplotlib: the examples extra)"
    )
    parser.add_argument("--list", action="store_true", help="list the data sets and models, then exit")
    return parser


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
        print("data sets:", ", ".join(_default_datasets()))
        print("models:", ", ".join(available_models()))
        return 0
    if args.folds < 2:
        parser.error(f"--folds must be >= 2, got {args.folds}")
    if args.plot:  # checked before the first fit, not after all of them
        try:
            _pyplot()
        except ImportError as exc:
            parser.error(str(exc))
        folder = os.path.dirname(os.path.abspath(args.plot))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            parser.error(f"--plot: cannot write to the folder {folder!r}")
    try:
        records = run_benchmark(
            args.datasets,
            args.models,
            folds=args.folds,
            n_jobs=args.n_jobs,
            seed=args.seed,
            keep_predictions=args.plot is not None,
        )
    except ValueError as exc:
        parser.error(str(exc))
    summary = summarize(records)
    if args.format == "markdown":
        sys.stdout.write(_format_markdown(summary, args.folds))
    elif args.format == "csv":
        sys.stdout.write(_format_csv(summary))
    else:
        public = [{k: v for k, v in r.items() if k not in ("y_true", "proba")} for r in records]
        json.dump({"records": public, "summary": summary}, sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
    if args.plot:
        _plot(records, summary, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
