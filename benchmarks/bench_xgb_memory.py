"""Where the memory a 1M-row FocalXGBClassifier fit adds over XGBoost's built-in objective goes.

``bench_speed.py --workloads memory`` finds the focal fit adding about 1.16x what the built-in
objective's fit adds, against a goal of 1.10x. This script takes the difference apart. Each
variant is one fit in a fresh process; what it adds is the peak resident set during the fit
less the resident set before it (sampled every 5 ms, as in ``bench_speed.py``):

- ``built-in``: ``xgboost.XGBClassifier``;
- ``skfocal``: ``FocalXGBClassifier``;
- ``no objective work``: ``FocalXGBClassifier`` whose objective computes the gradients of the
  first round and hands XGBoost the same two arrays in every round after: no work, and the
  arrays any Python objective must hand over (float32 gradient and Hessian, 4 bytes a row
  each), with XGBoost's copy of the scores it hands out (4 bytes a row) and the labels skfocal
  reads once (a float32 copy from the DMatrix, 4 bytes a row) still held;
- ``no objective work, byte labels``: the same with the labels held as one byte a row.

Each runs under glibc's default allocator and under ``MALLOC_MMAP_THRESHOLD_=131072`` (a fixed
threshold: every large array is a mapping of its own, returned when freed, so what is held
shows at its size rather than through the reuse of freed heap). "over built-in" is the
difference to the built-in fit; "arrays held", the arrays named above added up: what a Python
objective needs held through XGBoost's API however little it does, and the labels.

Run: ``python benchmarks/bench_xgb_memory.py [--rows 1000000] [--rounds 100] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_speed  # noqa: E402

VARIANTS = {
    "built-in": ("builtin", ""),
    "skfocal": ("skfocal", ""),
    "no objective work": ("skfocal", "frozen"),
    "no objective work, byte labels": ("skfocal", "frozen bytes"),
}

#: What a variant changes in the child process before its fits.
CHANGES = """
import skfocal._base, skfocal._compat

if "frozen" in {change!r}:
    compute = skfocal._base.SklearnObjective.__call__

    def frozen(self, y_true, y_pred, sample_weight=None):
        # The first round's gradients, handed over again in every round after.
        if getattr(self, "_frozen", None) is None or self._frozen[0].shape != y_pred.shape:
            self._frozen = compute(self, y_true, y_pred, sample_weight)  # labels as given: no copy
        return self._frozen

    skfocal._base.SklearnObjective.__call__ = frozen
if "bytes" in {change!r}:
    read = skfocal._compat._Rounds._read

    def byte_labels(self, *args, **kwargs):
        read(self, *args, **kwargs)
        self.labels = self.labels.astype(np.uint8)

    skfocal._compat._Rounds._read = byte_labels
b.build("xgb", {objective!r}, {n_jobs}, 1).fit(X[:20000], y[:20000])  # the large-input path
"""


def added_mib(variant: str, data_path: str, args, fixed_threshold: bool) -> float:
    objective, change = VARIANTS[variant]
    setup = CHANGES.format(change=change, objective=objective, n_jobs=args.n_jobs)
    fit = f"b.build('xgb', {objective!r}, {args.n_jobs}, {args.rounds}).fit(X, y)"
    code = bench_speed.measured_fit_code(data_path, setup, fit)
    env = dict(os.environ)
    env.pop("MALLOC_MMAP_THRESHOLD_", None)
    if fixed_threshold:
        env["MALLOC_MMAP_THRESHOLD_"] = "131072"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return float(out.stdout.strip().splitlines()[-1].split()[1])  # what the fit added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=-1)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="bench_xgb_memory_")
    data_path = bench_speed.data_file(scratch, args.rows)
    row_mib = args.rows * 4 / 2**20  # one float32 a row
    needed = {"skfocal": 4 * row_mib, "no objective work": 4 * row_mib}
    needed["no objective work, byte labels"] = 3 * row_mib + row_mib / 4
    print(f"{args.rows:,} rows x 20, binary, {args.rounds} rounds, n_jobs={args.n_jobs}; ", end="")
    print(f"median of {args.repeats} fresh processes")
    print("(held arrays: gradient + Hessian 2 x 4 B, XGBoost's copy of the scores 4 B, labels 4 B or 1 B, a row)\n")
    print("| allocator | variant | MiB added | x built-in | over built-in | arrays held |")
    print("|---|---|---|---|---|---|")
    for fixed in (False, True):
        allocator = "MALLOC_MMAP_THRESHOLD_=131072" if fixed else "glibc default"
        samples = {v: [] for v in VARIANTS}
        for _ in range(args.repeats):  # the variants in turn, so that drift hits all alike
            for variant in VARIANTS:
                samples[variant].append(added_mib(variant, data_path, args, fixed))
        base = statistics.median(samples["built-in"])
        for variant, values in samples.items():
            value = statistics.median(values)
            spread = f" ({min(values):.1f}-{max(values):.1f})" if len(values) > 1 else ""
            held = f"{needed[variant]:.1f} MiB" if variant in needed else ""
            ratio, over = value / base, value - base
            print(
                f"| {allocator} | {variant} | {value:.1f}{spread} | {ratio:.3f} | {over:+.1f} MiB | {held} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
