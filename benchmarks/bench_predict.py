"""Cost of one ``predict_proba`` call against the parent's, as a service that scores a few rows pays it.

For each booster, input type (numpy array, pandas frame) and batch size, three fitted models
of the same data (100 trees, 20 features, two classes) are called in turn: the parent
(``LGBMClassifier``/``XGBClassifier``), skfocal's estimator, and skfocal's with
``posterior_correction=True``. One round times a batch of calls of each, in an order that
rotates from round to round (so drifts in machine load hit all three alike); the table gives the
median time per call over the rounds and the median ratio to the parent's call of the same
round, with the lowest and highest ratio over the rounds. The pandas models are fitted on a
frame with string column names, so every call checks the names and order of the columns as
scikit-learn does.

Run: ``python benchmarks/bench_predict.py [--rounds 15] [--rows 1 100 10000]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
from lightgbm import LGBMClassifier
from sklearn.datasets import make_classification
from xgboost import XGBClassifier

from skfocal import FocalLGBMClassifier, FocalXGBClassifier

BOOSTERS = {
    "lightgbm": (LGBMClassifier, FocalLGBMClassifier, {"verbose": -1}),
    "xgboost": (XGBClassifier, FocalXGBClassifier, {}),
}


def models(booster: str, X, y, n_jobs: int) -> dict:
    parent, focal, extra = BOOSTERS[booster]
    params = {"n_estimators": 100, "n_jobs": n_jobs, "random_state": 0, **extra}
    return {
        "parent": parent(**params).fit(X, y),
        "skfocal": focal(**params).fit(X, y),
        "corrected": focal(posterior_correction=True, **params).fit(X, y),
    }


def per_call(model, X, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        model.predict_proba(X)
    return (time.perf_counter() - start) / calls


def measure(fitted: dict, X, rounds: int, budget: float = 0.05) -> dict:
    """Seconds per call of each model in every round; ``budget``: about the seconds of one batch."""
    for model in fitted.values():  # first calls (imports, caches) untimed
        model.predict_proba(X)
    calls = max(1, int(budget / max(per_call(fitted["parent"], X, 3), 1e-6)))
    names = list(fitted)
    times = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % 3 :] + names[: r % 3]:
            times[name].append(per_call(fitted[name], X, calls))
    return times


def row(booster: str, kind: str, n_rows: int, times: dict) -> str:
    parent = times["parent"]
    cells = [booster, kind, f"{n_rows:,}", f"{statistics.median(parent) * 1e6:,.0f}"]
    for name in ("skfocal", "corrected"):
        ratios = [t / p for t, p in zip(times[name], parent, strict=True)]
        cells += [
            f"{statistics.median(times[name]) * 1e6:,.0f}",
            f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})",
        ]
    return "| " + " | ".join(cells) + " |"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--rows", type=int, nargs="+", default=[1, 100, 10_000])
    parser.add_argument("--boosters", nargs="+", default=list(BOOSTERS), choices=list(BOOSTERS))
    parser.add_argument("--inputs", nargs="+", default=["numpy", "pandas"], choices=["numpy", "pandas"])
    parser.add_argument("--n-jobs", type=int, default=1, help="threads of every model (default 1, as a service)")
    args = parser.parse_args(argv)

    X, y = make_classification(n_samples=max(args.rows + [5_000]), n_features=20, weights=[0.9], random_state=0)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    print("| booster | input | rows | parent (us) | skfocal (us) | ratio (spread) | corrected (us) | ratio (spread) |")
    print("|---|---|---|---|---|---|---|---|")
    for booster in args.boosters:
        for kind in args.inputs:
            data = X if kind == "numpy" else frame
            fitted = models(booster, data[:5_000], y[:5_000], args.n_jobs)
            for n_rows in args.rows:
                times = measure(fitted, data[:n_rows], args.rounds)
                print(row(booster, kind, n_rows, times), flush=True)


if __name__ == "__main__":
    main()
