"""Where the Dask boosters' training data lands: blocks left to the scheduler against placed ones.

``lightgbm.dask`` trains each worker on the blocks it holds. This script fits
``lightgbm.dask.DaskLGBMClassifier`` (5 rounds) on a ``LocalCluster`` of 2 workers, on 4 row
blocks made with ``dask.array.from_array`` (placed by the scheduler) and on the same blocks
placed evenly by ``bench_speed._placed_evenly`` (what ``bench_speed.py``'s Dask rows use),
and prints, for every fit, the rows each worker trained on and the fit's time.

Run: ``python benchmarks/bench_dask_placement.py [--rows 400000] [--fits 4]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_speed import _placed_evenly, make_data  # noqa: E402


def _counting(train_part):
    """``lightgbm.dask._train_part`` that records, on its worker, how many rows it trains on."""

    def counted(*args, **kwargs):
        import distributed

        parts = kwargs["list_of_parts"] if "list_of_parts" in kwargs else args[2]
        distributed.get_worker().__dict__["rows_trained"] = sum(len(part["data"]) for part in parts)
        return train_part(*args, **kwargs)

    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--fits", type=int, default=4)
    args = parser.parse_args()
    import dask.array as da
    import lightgbm.dask as lgb_dask
    from distributed import Client, LocalCluster

    lgb_dask._train_part = _counting(lgb_dask._train_part)  # this script's own process only
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        X, y = make_data(args.rows)
        chunk = -(-args.rows // 4)
        arrays = {
            "from_array (scheduler)": (da.from_array(X, chunks=(chunk, X.shape[1])), da.from_array(y, chunks=chunk)),
            "placed evenly": _placed_evenly(client, X, y, chunks=4),
        }
        print("| blocks | fit | rows per worker | fit time (s) |")
        print("|---|---|---|---|")
        for name, (X_dask, y_dask) in arrays.items():
            for fit in range(1, args.fits + 1):
                client.run(lambda dask_worker: dask_worker.__dict__.pop("rows_trained", None))
                start = time.perf_counter()
                lgb_dask.DaskLGBMClassifier(n_estimators=5, verbose=-1).fit(X_dask, y_dask)
                seconds = time.perf_counter() - start
                rows = client.run(lambda dask_worker: dask_worker.__dict__.get("rows_trained", 0))
                counts = " / ".join(f"{n:,}" for n in sorted(rows.values()))
                print(f"| {name} | {fit} | {counts} | {seconds:.2f} |", flush=True)


if __name__ == "__main__":
    main()
