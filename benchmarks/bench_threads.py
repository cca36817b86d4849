"""Where the focal objective should run inside a fit: on the booster's OpenMP team, or on threads of its own.

Inside a fit the objective runs right after one of the booster's OpenMP regions, whose threads
keep spinning for a while. This script fits each workload with skfocal's objective run three
ways, alternated: on the booster's own OpenMP threads, all ``n_jobs`` of them (what the
estimators do: ``team``), and on Python threads of the kernels' own, as where the booster's
runtime cannot be used, on :func:`skfocal._base.objective_threads` of them (half, at least one:
what the estimators then do) and on all ``n_jobs``. It times every call of the objective inside
the fits: the median call of each fit (the first round, which allocates, left out), then the
median and range of those over the fits. The whole fit's ratio to the built-in objective is
``bench_speed.py``'s table; a call's time is the objective's own share of it, and much less
noisy on a shared machine.

Why the team, measured in whole fits (``bench_versions.py``, ``benchmarks/RESULTS.md``): on 2
cores, with the kernels on one thread of their own, 1M-row LightGBM fits took 1.05x (every pair
slower) and XGBoost's 1.03x. The argument grows with the cores: the objective's own threads
cannot take more than half the booster's (they share the cores with its spinning threads and
hand each other the GIL), so its share of a round grows with the booster's threads; on the
team it runs on all of them. A user with more cores can check it with ``--n-jobs``.

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
import skfocal._compat  # noqa: E402
from skfocal import FocalLGBMClassifier, FocalXGBClassifier  # noqa: E402

WORKLOADS = [(1_000_000, 2), (100_000, 3), (100_000, 10)]
ESTIMATORS = {"LightGBM": (FocalLGBMClassifier, {"verbose": -1}), "XGBoost": (FocalXGBClassifier, {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    halved, team = skfocal._base.objective_threads, skfocal._compat.openmp_team
    n_half = halved(args.n_jobs)
    # variant: (the booster's runtime, or none; threads of the kernels' own)
    variants = {"team": (team, halved), "own": (lambda booster: None, halved), "own, all": (lambda booster: None, int)}
    print(
        f"| workload | booster | on the booster's {args.n_jobs} threads (ms) | on {n_half} own (ms) "
        f"| on {args.n_jobs} own (ms) | team against {n_half} own | range over fits: team | {n_half} own "
        f"| {args.n_jobs} own |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
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
                    for variant in order:  # warm-up: caches, kernels, callbacks
                        skfocal._compat.openmp_team, skfocal._base.objective_threads = variants[variant]
                        estimator(**{**params, "n_estimators": 3}).fit(X, y)
                    for repeat in range(args.repeats):
                        for variant in order if repeat % 2 == 0 else order[::-1]:
                            skfocal._compat.openmp_team, skfocal._base.objective_threads = variants[variant]
                            calls.clear()
                            estimator(**params).fit(X, y)
                            medians[variant].append(statistics.median(calls[1:]) * 1e3)
                    m = {k: statistics.median(v) for k, v in medians.items()}
                    r = {k: f"{min(v):.2f}-{max(v):.2f}" for k, v in medians.items()}
                    print(
                        f"| {label} | {name} | {m['team']:.2f} | {m['own']:.2f} | {m['own, all']:.2f} "
                        f"| {m['team'] / m['own']:.2f}x | {r['team']} | {r['own']} | {r['own, all']} |",
                        flush=True,
                    )
        finally:
            skfocal._compat.openmp_team, skfocal._base.objective_threads = team, halved


if __name__ == "__main__":
    main()
