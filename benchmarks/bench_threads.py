"""How many threads the focal objective should use inside a fit: the booster's, or half of them.

Inside a fit the objective runs right after one of the booster's OpenMP regions, whose threads
keep spinning for a while, so a thread of the objective shares its core with one of them. This
script fits each workload with skfocal's objective on as many threads as the booster
(``n_jobs``) and on :func:`skfocal._base.objective_threads` of them (half, at least one: what
the estimators do), alternated, and times every call of the objective inside the fits: the
median call of each fit (the first round, which allocates, left out), then the median and
range of those over the fits. The whole fit's ratio to the built-in objective is
``bench_speed.py``'s table; a call's time is the objective's own share of it, and much less
noisy on a shared machine.

Run: ``python benchmarks/bench_threads.py [--repeats 4] [--rounds 40] [--n-jobs 2]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_speed import make_data  # noqa: E402

import skfocal._base  # noqa: E402
from skfocal import FocalLGBMClassifier, FocalXGBClassifier  # noqa: E402
from skfocal._base import SklearnObjective  # noqa: E402

WORKLOADS = [(1_000_000, 2), (100_000, 3), (100_000, 10)]
ESTIMATORS = {"LightGBM": (FocalLGBMClassifier, {"verbose": -1}), "XGBoost": (FocalXGBClassifier, {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    halved = skfocal._base.objective_threads
    variants = {"all": lambda n: n, "half": halved}
    calls = []
    call = SklearnObjective.__call__

    def timed(self, *a, **kw):
        start = time.perf_counter()
        try:
            return call(self, *a, **kw)
        finally:
            calls.append(time.perf_counter() - start)

    SklearnObjective.__call__ = timed
    n_half = halved(args.n_jobs)
    print(
        f"| workload | booster | objective call on {args.n_jobs} threads (ms) | on {n_half} (ms) "
        f"| {n_half} against {args.n_jobs} | range over fits, {args.n_jobs} | range, {n_half} |"
    )
    print("|---|---|---|---|---|---|---|")
    try:
        for rows, classes in WORKLOADS:
            X, y = make_data(rows, classes)
            label = f"{rows:,} x 20, {classes} classes" if classes > 2 else f"{rows:,} x 20, binary"
            for name, (estimator, extra) in ESTIMATORS.items():
                params = {"n_estimators": args.rounds, "n_jobs": args.n_jobs, **extra}
                params["focal_alpha"] = 0.25 if classes == 2 else None
                estimator(**{**params, "n_estimators": 3}).fit(X, y)  # warm-up: caches, kernels
                medians = {"all": [], "half": []}
                for repeat in range(args.repeats):
                    for variant in ("all", "half") if repeat % 2 == 0 else ("half", "all"):
                        skfocal._base.objective_threads = variants[variant]
                        calls.clear()
                        estimator(**params).fit(X, y)
                        medians[variant].append(statistics.median(calls[1:]) * 1e3)
                skfocal._base.objective_threads = halved
                m = {k: statistics.median(v) for k, v in medians.items()}
                r = {k: f"{min(v):.2f}-{max(v):.2f}" for k, v in medians.items()}
                print(
                    f"| {label} | {name} | {m['all']:.2f} | {m['half']:.2f} | {m['half'] / m['all']:.2f}x "
                    f"| {r['all']} | {r['half']} |",
                    flush=True,
                )
    finally:
        SklearnObjective.__call__ = call
        skfocal._base.objective_threads = halved


if __name__ == "__main__":
    main()
