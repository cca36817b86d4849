"""A grid search in parallel: the default ``n_jobs`` against ``n_jobs=1`` on the estimator.

``GridSearchCV(n_jobs=2)`` runs its fits in two joblib worker processes, which set
``OMP_NUM_THREADS`` to their share of the cores. ``LGBMClassifier``'s default ``n_jobs=None``
ignores that and starts one thread per physical core in every worker; skfocal's estimators
follow it. Prints a Markdown table of wall times, median over ``--repeats`` alternated runs.

    python benchmarks/bench_nested_threads.py [--repeats 3] [--rows 20000]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import lightgbm
import numpy as np
import sklearn
import xgboost
from lightgbm import LGBMClassifier
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from skfocal import FocalLGBMClassifier, FocalXGBClassifier

GRIDS = {
    "LGBMClassifier": (LGBMClassifier, {"num_leaves": [7, 15, 31], "learning_rate": [0.05, 0.1, 0.2]}),
    "FocalLGBMClassifier": (FocalLGBMClassifier, {"focal_gamma": [0.5, 1.0, 2.0], "focal_alpha": [None, 0.25, 0.5]}),
    "FocalXGBClassifier": (FocalXGBClassifier, {"focal_gamma": [0.5, 1.0, 2.0], "focal_alpha": [None, 0.25, 0.5]}),
}


def _search(name: str, n_jobs, X, y) -> float:
    estimator, grid = GRIDS[name]
    kwargs = {"n_estimators": 100}
    if estimator is not FocalXGBClassifier:
        kwargs["verbose"] = -1
    if n_jobs is not None:
        kwargs["n_jobs"] = n_jobs
    search = GridSearchCV(estimator(**kwargs), grid, cv=3, n_jobs=2, scoring="average_precision")
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    X, y = make_classification(n_samples=args.rows, n_features=20, weights=[0.95], random_state=0)
    print(
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, lightgbm {lightgbm.__version__}, "
        f"xgboost {xgboost.__version__}, scikit-learn {sklearn.__version__}; {args.rows} rows x 20, "
        f"9 candidates x 3 folds, GridSearchCV(n_jobs=2), 100 rounds, median of {args.repeats}\n"
    )
    for name in GRIDS:  # one warm-up search each (imports, JIT cache)
        _search(name, 1, X[:2000], y[:2000])
    times = {(name, n_jobs): [] for name in GRIDS for n_jobs in (None, 1)}
    for _ in range(args.repeats):
        for key in times:  # alternated, so drift on a shared machine hits every cell alike
            times[key].append(_search(*key, X, y))
    print("| estimator | default n_jobs (s) | n_jobs=1 (s) | ratio | spread (min-max, default) |")
    print("|---|---|---|---|---|")
    for name in GRIDS:
        default, one = (statistics.median(times[name, n]) for n in (None, 1))
        lo, hi = min(times[name, None]), max(times[name, None])
        print(f"| {name} | {default:.1f} | {one:.1f} | {default / one:.2f}x | {lo:.1f}-{hi:.1f} |")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
