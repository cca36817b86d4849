"""Whole fits of two versions of skfocal, side by side: what a mechanism saves, as code with and without it.

Each version (a source tree, for example a ``git worktree`` of another commit) is imported in a
process of its own, kept for the whole run; the two are asked for one fit each in turn
(alternated pairs, the order swapped every pair), on the same data and with the estimators of
``bench_speed.build``. Only ``fit`` is timed, after a warm-up fit, so imports and numba's first
call count in neither. ``--setup-a``/``--setup-b`` run Python in a version's process before
its fits (to switch a mechanism off in place).

Run: ``python benchmarks/bench_versions.py --a OLD_TREE --b . --workloads lgbm-small xgb-small``
(prints a Markdown table: the median fit of each, b / a, and the spread of the pair ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

#: name: (booster, rows, classes, n_jobs)
WORKLOADS = {
    "lgbm-binary": ("lgbm", 1_000_000, 2, None),
    "xgb-binary": ("xgb", 1_000_000, 2, None),
    "lgbm-3-classes": ("lgbm", 100_000, 3, None),
    "xgb-3-classes": ("xgb", 100_000, 3, None),
    "lgbm-small": ("lgbm", 3_000, 2, 1),
    "xgb-small": ("xgb", 3_000, 2, 1),
}

CHILD = """
import json, sys, time
sys.path.insert(0, {here!r})
setup = {setup!r}
if setup:
    exec(setup)
import skfocal
from bench_speed import build, make_data
booster, rows, classes, n_jobs, rounds = {workload!r}
X, y = make_data(rows, classes)
build(booster, "skfocal", n_jobs, 2, classes).fit(X[:20000], y[:20000])  # warm-up: imports, compiled kernels
print(json.dumps({{"skfocal": skfocal.__file__}}), flush=True)
for line in sys.stdin:
    model = build(booster, "skfocal", n_jobs, rounds, classes)
    start = time.perf_counter()
    model.fit(X, y)
    print(json.dumps({{"seconds": time.perf_counter() - start}}), flush=True)
"""


def start(tree: str, setup: str, workload: tuple) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.path.abspath(tree)}
    code = CHILD.format(here=HERE, setup=setup or "", workload=workload)
    child = subprocess.Popen(  # run in the tree: python -c puts the working directory first on sys.path
        [sys.executable, "-c", code], env=env, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    where = json.loads(child.stdout.readline())["skfocal"]
    if not where.startswith(os.path.abspath(tree)):
        raise RuntimeError(f"{tree}: the child imported skfocal from {where}")
    return child


def fit(child: subprocess.Popen) -> float:
    child.stdin.write("fit\n")
    child.stdin.flush()
    return json.loads(child.stdout.readline())["seconds"]


def compare(args, name: str) -> str:
    booster, rows, classes, n_jobs = WORKLOADS[name]
    workload = (booster, rows, classes, n_jobs or args.n_jobs, args.rounds)
    children = {"a": start(args.a, args.setup_a, workload), "b": start(args.b, args.setup_b, workload)}
    times = {"a": [], "b": []}
    try:
        for i in range(args.pairs):
            for side in "ab" if i % 2 == 0 else "ba":
                times[side].append(fit(children[side]))
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait()
    ratios = [b / a for a, b in zip(times["a"], times["b"], strict=True)]
    a, b = statistics.median(times["a"]), statistics.median(times["b"])
    return (
        f"| {name} | {workload[3]} | {a:.3f} s | {b:.3f} s | {b / a:.2f}x | {min(ratios):.2f}-{max(ratios):.2f}x "
        f"| {args.pairs} |"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="source tree of version a (the one holding skfocal/)")
    parser.add_argument("--b", required=True, help="source tree of version b")
    parser.add_argument("--setup-a", default="", help="Python run in a's process before its fits")
    parser.add_argument("--setup-b", default="", help="Python run in b's process before its fits")
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=list(WORKLOADS))
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=os.cpu_count(), help="threads of the large workloads")
    args = parser.parse_args(argv)
    print("| workload | n_jobs | a | b | b / a | spread over pairs | pairs |")
    print("|---|---|---|---|---|---|---|")
    for name in args.workloads:
        print(compare(args, name), flush=True)


if __name__ == "__main__":
    main()
