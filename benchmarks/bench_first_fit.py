"""The first large fit in a new process: with an empty numba cache (a new install, a container, CI) and a warm one.

A fit above the small-input limit (:mod:`skfocal._fastpath`) runs the compiled kernels, which
numba compiles on first use and caches. Each pair of runs here starts two fresh processes that
import skfocal and fit the same data once (``--rows`` rows, 100 rounds, ``n_jobs=1``): the first
with an empty ``NUMBA_CACHE_DIR`` (it compiles, and writes the cache), the second with the cache
the first wrote (it loads). Python's bytecode is written and used, as in an installed package.
The table gives, per booster and number of classes, the median
seconds of each first fit over ``--pairs`` pairs, and the median, lowest and highest difference
cold minus warm; the booster's built-in objective in a fresh process is timed alongside for scale.

Run: ``python benchmarks/bench_first_fit.py [--pairs 3] [--rows 50000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CODE = """
import json, time
import numpy as np
from sklearn.datasets import make_classification
X, y = make_classification(n_samples={rows}, n_features=20, n_informative=6, n_classes={classes}, random_state=0)
if {builtin}:
    from {module} import {parent} as Estimator
else:
    from skfocal import {focal} as Estimator
start = time.perf_counter()
Estimator(n_estimators=100, n_jobs=1{extra}).fit(X, y)
print(json.dumps({{"fit": time.perf_counter() - start}}))
"""

BOOSTERS = {
    "lightgbm": dict(module="lightgbm", parent="LGBMClassifier", focal="FocalLGBMClassifier", extra=", verbose=-1"),
    "xgboost": dict(module="xgboost", parent="XGBClassifier", focal="FocalXGBClassifier", extra=""),
}


def first_fit(booster: str, classes: int, rows: int, cache_dir: str, builtin: bool = False) -> float:
    code = CODE.format(rows=rows, classes=classes, builtin=builtin, **BOOSTERS[booster])
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on users' machines: modules load from their bytecode
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])["fit"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--classes", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--boosters", nargs="+", default=list(BOOSTERS), choices=list(BOOSTERS))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_first_fit_") as cache_dir:
        first_fit(args.boosters[0], 2, 1_000, cache_dir)  # writes the bytecode of every module a fit imports
    print(f"First fit of {args.rows:,} rows, 100 rounds, n_jobs=1, each in a fresh process (seconds)\n")
    print("| booster | classes | built-in | empty cache | warm cache | empty - warm (spread) |")
    print("|---|---|---|---|---|---|")
    for booster in args.boosters:
        for classes in args.classes:
            cold, warm, builtin = [], [], []
            for _ in range(args.pairs):
                with tempfile.TemporaryDirectory(prefix="bench_first_fit_") as cache_dir:
                    builtin.append(first_fit(booster, classes, args.rows, cache_dir, builtin=True))
                    cold.append(first_fit(booster, classes, args.rows, cache_dir))
                    warm.append(first_fit(booster, classes, args.rows, cache_dir))
            diffs = [c - w for c, w in zip(cold, warm, strict=True)]
            medians = [statistics.median(v) for v in (builtin, cold, warm, diffs)]
            cells = [booster, str(classes), *(f"{m:.2f}" for m in medians[:3])]
            cells.append(f"{medians[3]:.2f} ({min(diffs):.2f} to {max(diffs):.2f})")
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
