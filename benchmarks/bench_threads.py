"""How many threads the focal objective should take inside a fit: half the booster's, or all of them.

Inside a fit the objective runs right after one of the booster's OpenMP regions, whose threads
keep spinning for a while. This script fits each workload with skfocal's objective run two
ways, alternated: on :func:`skfocal._base.objective_threads` of the booster's ``n_jobs``
(half, at least one: what the estimators do) and on all ``n_jobs``. On a machine with more
cores, ``--n-jobs`` shows whether more threads of the objective's pay. It times every call of the objective inside
the fits: the median call of each fit (the first round, which allocates, left out), then the
median and range of those over the fits. The whole fit's ratio to the built-in objective is
``bench_speed.py``'s table; a call's time is the objective's own share of it, and much less
noisy on a shared machine.

Run: ``python benchmarks/bench_threads.py [--repeats 4] [--rounds 40] [--n-jobs 2]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_speed import make_data, objective_calls  # noqa: E402

import skfocal._base  # noqa: E402
from skfocal import FocalLGBMClassifier, FocalXGBClassifier  # noqa: E402

WORKLOADS = [(1_000_000, 2), (100_000, 3), (100_000, 10)]
ESTIMATORS = {"LightGBM": (FocalLGBMClassifier, {"verbose": -1}), "XGBoost": (FocalXGBClassifier, {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    halved = skfocal._base.objective_threads
    n_half = halved(args.n_jobs)
    variants = {"half": halved, "all": int}  # threads of the objective for the booster's n_jobs
    print(
        f"| workload | booster | on {n_half} (ms) | on {args.n_jobs} (ms) | {args.n_jobs} against {n_half} "
        f"| range over fits: {n_half} | {args.n_jobs} |"
    )
    print("|---|---|---|---|---|---|---|")
    order = list(variants)
    with objective_calls() as calls:
        try:
            for rows, classes in WORKLOADS:
                X, y = make_data(rows, classes)
                label = f"{rows:,} x 20, {classes} classes" if classes > 2 else f"{rows:,} x 20, binary"
                for name, (estimator, extra) in ESTIMATORS.items():
                    params = {"n_estimators": args.rounds, "n_jobs": args.n_jobs, **extra}
                    params["focal_alpha"] = 0.25 if classes == 2 else None
                    medians = {variant: [] for variant in variants}
                    for variant in order:  # warm-up: caches, kernels
                        skfocal._base.objective_threads = variants[variant]
                        estimator(**{**params, "n_estimators": 3}).fit(X, y)
                    for repeat in range(args.repeats):
                        for variant in order if repeat % 2 == 0 else order[::-1]:
                            skfocal._base.objective_threads = variants[variant]
                            calls.clear()
                            estimator(**params).fit(X, y)
                            medians[variant].append(statistics.median(calls[1:]) * 1e3)
                    m = {k: statistics.median(v) for k, v in medians.items()}
                    r = {k: f"{min(v):.2f}-{max(v):.2f}" for k, v in medians.items()}
                    print(
                        f"| {label} | {name} | {m['half']:.2f} | {m['all']:.2f} | {m['all'] / m['half']:.2f}x "
                        f"| {r['half']} | {r['all']} |",
                        flush=True,
                    )
        finally:
            skfocal._base.objective_threads = halved


if __name__ == "__main__":
    main()
