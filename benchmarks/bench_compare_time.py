"""How long ``skfocal.benchmark.compare`` takes on a synthetic table: what ``--repeats``' default rests on.

Runs every model on one repeat of 5 stratified folds in this process (``n_jobs=1``) and prints
the processor time (user, this process: every fit runs here) and the wall time. On two idle cores
with ``n_jobs=-1`` the wall time of a repeat is about half the processor time; a machine shared
with other work stretches the wall time, not the processor time.

    python benchmarks/bench_compare_time.py --rows 10000
"""

import argparse
import os
import time

from sklearn.datasets import make_classification

from skfocal.benchmark import compare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=20)
    args = parser.parse_args()
    X, y = make_classification(
        n_samples=args.rows, n_features=args.features, n_informative=8, weights=[0.95], random_state=0
    )
    cpu, wall = time.process_time(), time.perf_counter()
    result = compare(X, y, repeats=1, n_jobs=1, progress=False)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    fits = sum(r["fit_time_s"] for r in result.records)
    print(f"{args.rows} rows x {args.features} features, 5 folds x 1 repeat, {len(result.records)} model fits:")
    print(f"  processor time {cpu:.1f} s, wall {wall:.1f} s, of which inside fit() {fits:.1f} s (wall)")
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
