"""What one focusing parameter per class costs: the compiled kernels and whole fits, against one gamma.

Each comparison runs its two sides in alternated pairs on the same rows (A, B, A, B, ...), after
one warm-up call of each, and reports the median time of each side and the median, smallest
and largest of the per-pair ratios B / A.

- **Kernels**: ``skfocal._kernels.binary_gradient_hessian`` (1-D float64 scores, as LightGBM hands
  them over) and ``multiclass_gradient_hessian`` (``(n, K)`` float32 row-major, as XGBoost does), on
  ``--threads`` of their own threads. A gamma per class is compared with one gamma that takes the
  same path (``exp(gamma log q)``: 1.5 against (1.5, 0.5)), and with the default one gamma of 2
  (which squares instead) against the asymmetric default (4, 0).
- **The one-gamma path before the change** (``--baseline FILE``: a ``_kernels.py`` of an earlier
  commit, e.g. ``git show main:skfocal/_kernels.py > /tmp/kernels_main.py``): the same calls with one
  gamma on both, and whether their outputs are bit for bit the same.
- **Whole fits**: ``FocalLGBMClassifier`` and ``FocalXGBClassifier`` with ``focal_gamma=1.5`` against
  ``[1.5, 0.5]`` (``--fit-rows`` rows, ``--fit-rounds`` trees, ``n_jobs=--threads``).

Run: ``python benchmarks/bench_class_gammas.py [--rows 1000000] [--pairs 15] [--baseline FILE]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time

import numpy as np

from skfocal import _kernels


def load_kernels(path: str):
    """A ``_kernels.py`` of another commit, as a module of its own (it imports only numba and numpy)."""
    spec = importlib.util.spec_from_file_location("baseline_kernels", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # numba's cache records the module by name, to import it again
    spec.loader.exec_module(module)
    return module


def paired(run_a, run_b, pairs: int) -> dict:
    """Median seconds of each side and the per-pair ratios b / a, alternated after one warm-up call of each."""
    run_a(), run_b()
    times_a, times_b = [], []
    for _ in range(pairs):
        for run, times in ((run_a, times_a), (run_b, times_b)):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    ratios = [b / a for a, b in zip(times_a, times_b, strict=True)]
    return {
        "a": statistics.median(times_a),
        "b": statistics.median(times_b),
        "ratio": statistics.median(ratios),
        "low": min(ratios),
        "high": max(ratios),
    }


def kernel_call(module, y, z, gamma, class_weights, threads):
    kernel = module.binary_gradient_hessian if z.ndim == 1 else module.multiclass_gradient_hessian
    grad, hess = np.empty(z.shape, np.float32), np.empty(z.shape, np.float32)

    def run():
        kernel(y, z, np.empty(0, np.float32), gamma, class_weights, 1.0, grad, hess, n_threads=threads)
        return grad, hess

    return run


def kernel_data(rows: int, k: int, rng):
    if k == 2:
        y = (rng.uniform(size=rows) < 0.1).astype(np.float32)
        return y, rng.normal(scale=3.0, size=rows)
    y = rng.integers(0, k, rows).astype(np.float32)
    return y, rng.normal(scale=3.0, size=(rows, k)).astype(np.float32)


def row(name: str, a: str, b: str, m: dict, unit: float = 1e3) -> str:
    return (
        f"| {name} | {a} | {b} | {m['a'] * unit:.2f} | {m['b'] * unit:.2f} | {m['ratio']:.3f} "
        f"| {m['low']:.3f} - {m['high']:.3f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the binary kernel (K-class: rows / K)")
    parser.add_argument("--classes", type=int, default=5, help="K of the K-class kernel")
    parser.add_argument("--pairs", type=int, default=15, help="alternated pairs per comparison")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--baseline", help="a _kernels.py of an earlier commit, for its one-gamma path")
    parser.add_argument("--fit-rows", type=int, default=200_000)
    parser.add_argument("--fit-rounds", type=int, default=50)
    parser.add_argument("--fit-pairs", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    head = ["| Kernel | A | B | A (ms) | B (ms) | B / A (median) | B / A (range) |", "|---|---|---|---|---|---|---|"]
    print(f"Kernels: {args.rows} binary rows, {args.rows // args.classes} x {args.classes} K-class values per call, "
          f"{args.threads} thread(s), {args.pairs} alternated pairs")  # fmt: skip
    print()
    print("\n".join(head))
    for k in (2, args.classes):
        rows = args.rows if k == 2 else args.rows // k
        y, z = kernel_data(rows, k, rng)
        alpha = np.array([0.75, 0.25]) if k == 2 else rng.uniform(0.5, 2.0, k)
        kind = "binary" if k == 2 else f"{k}-class"
        pairs = [(1.5, [1.5, 0.5]), (2.0, [4.0, 0.0])]
        for one, per_class in pairs:
            per_class = per_class if k == 2 else [per_class[j % 2] for j in range(k)]
            m = paired(
                kernel_call(_kernels, y, z, one, alpha, args.threads),
                kernel_call(_kernels, y, z, np.asarray(per_class), alpha, args.threads),
                args.pairs,
            )
            print(row(kind, f"gamma={one}", f"gamma={per_class}", m))
        if args.baseline:
            base = load_kernels(args.baseline)
            for one in (1.5, 2.0, 0.0):
                old = kernel_call(base, y, z, one, alpha, args.threads)
                new = kernel_call(_kernels, y, z, one, alpha, args.threads)
                same = all(np.array_equal(a, b) for a, b in zip(old(), new(), strict=True))
                m = paired(old, new, args.pairs)
                print(row(kind, f"before, gamma={one}", f"now, gamma={one} (bit-identical: {same})", m))
    print()
    print(f"Whole fits: {args.fit_rows} rows x 20 features, {args.fit_rounds} trees, n_jobs={args.threads}, "
          f"{args.fit_pairs} alternated pairs")  # fmt: skip
    print()
    print("| Estimator | A | B | A (s) | B (s) | B / A (median) | B / A (range) |")
    print("|---|---|---|---|---|---|---|")
    from sklearn.datasets import make_classification

    from skfocal import FocalLGBMClassifier, FocalXGBClassifier

    X, y = make_classification(n_samples=args.fit_rows, n_features=20, weights=[0.9], random_state=0)
    common = {"n_estimators": args.fit_rounds, "n_jobs": args.threads}
    for cls, extra in ((FocalLGBMClassifier, {"verbose": -1}), (FocalXGBClassifier, {})):
        m = paired(
            lambda cls=cls, extra=extra: cls(focal_gamma=1.5, **common, **extra).fit(X, y),
            lambda cls=cls, extra=extra: cls(focal_gamma=[1.5, 0.5], **common, **extra).fit(X, y),
            args.fit_pairs,
        )
        print(row(cls.__name__, "focal_gamma=1.5", "focal_gamma=[1.5, 0.5]", m, unit=1.0))


if __name__ == "__main__":
    main()
