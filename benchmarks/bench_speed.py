"""Training and prediction speed of the focal objective against the boosters' built-in objectives.

For each booster, data size and objective, ``fit`` is timed in alternated rounds within one
process (built-in, plain-numpy reference, skfocal, built-in, ...), and the median of the rounds
is reported with its ratio to the built-in objective of the same round set. Peak memory added by
one ``fit`` is sampled (psutil) in a fresh child process, so runs do not inherit each other's
allocations; the median of ``--memory-repeats`` such processes is reported, because the
resident set size of the same fit varies by several MiB from process to process.
Prediction: ``predict_proba`` on the training rows against the booster's own raw prediction
of the same fitted model (``booster_.predict(raw_score=True)``,
``get_booster().inplace_predict(predict_type="margin")``), timed in turn, median of
``--repeats`` each.

The compiled kernels' first-call time is measured in fresh processes: with an empty numba
cache (compilation) and again with the cache that run wrote (loading).

The plain-numpy reference is the published blog-post recipe, kept here for comparison: a
sigmoid-based gradient and Hessian of the focal loss without the safeguards.

Run: ``python benchmarks/bench_speed.py [--rows 1000000 100000] [--repeats 3] [--rounds 100]``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification

GAMMA, ALPHA = 2.0, 0.25


def numpy_reference_objective(y_true, y_pred, sample_weight=None):
    """The blog-post style focal objective (binary, alpha-weighted), plain numpy, no safeguards."""
    p = 1.0 / (1.0 + np.exp(-y_pred))
    y = y_true
    a = np.where(y > 0.5, ALPHA, 1 - ALPHA)
    g = GAMMA
    pt = np.where(y > 0.5, p, 1 - p)
    s = 2 * y - 1
    q = 1 - pt
    grad = s * a * q**g * (g * pt * np.log(pt) - q)
    hess = a * pt * q**g * ((2 * g + 1) * q + g * np.log(pt) * (q - g * pt))
    return grad, np.maximum(np.abs(hess), 1e-16)


def make_data(rows: int, classes: int = 2):
    weights = [0.99] if classes == 2 else [0.8, 0.15]
    X, y = make_classification(
        n_samples=rows, n_features=20, n_informative=10, n_classes=classes, weights=weights, random_state=0
    )
    return X.astype(np.float32), y


def build(booster: str, objective: str, n_jobs: int, rounds: int, classes: int = 2):
    params = {"n_estimators": rounds, "n_jobs": n_jobs, "random_state": 0}
    if booster == "lgbm":
        from lightgbm import LGBMClassifier

        from skfocal import FocalLGBMClassifier

        params["verbose"] = -1
        if objective == "builtin":
            return LGBMClassifier(**params)
        if objective == "numpy":
            return LGBMClassifier(objective=numpy_reference_objective, **params)
        return FocalLGBMClassifier(focal_gamma=GAMMA, focal_alpha=ALPHA if classes == 2 else None, **params)
    from xgboost import XGBClassifier

    from skfocal import FocalXGBClassifier

    params["max_depth"] = 6
    if objective == "builtin":
        return XGBClassifier(**params)
    if objective == "numpy":
        return XGBClassifier(objective=numpy_reference_objective, **params)
    return FocalXGBClassifier(focal_gamma=GAMMA, focal_alpha=ALPHA if classes == 2 else None, **params)


def peak_memory_mib(booster: str, objective: str, data_path: str, classes: int, n_jobs: int, rounds: int) -> tuple:
    """Peak resident memory of the process during one fit, and what the fit added to the memory
    before it (with the data loaded and the libraries imported), in MiB, in a fresh process.

    The data is loaded from ``data_path`` and a short fit warms the imports; a thread then
    samples the resident set size (psutil) every 5 ms during the measured fit.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    code = f"""
import sys, threading, time, gc
import numpy as np, psutil
sys.path.insert(0, {here!r})
import bench_speed as b
data = np.load({data_path!r}); X, y = data["X"], data["y"]
b.build({booster!r}, {objective!r}, {n_jobs}, 1, {classes}).fit(X[:2000], y[:2000])
gc.collect()
proc = psutil.Process(); before = proc.memory_info().rss; peak = [before]; done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], proc.memory_info().rss); time.sleep(0.005)
thread = threading.Thread(target=sample); thread.start()
b.build({booster!r}, {objective!r}, {n_jobs}, {rounds}, {classes}).fit(X, y)
done.set(); thread.join()
print(peak[0] / 2**20, (peak[0] - before) / 2**20)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak, added = out.stdout.strip().splitlines()[-1].split()
    return float(peak), float(added)


def median_memory_mib(*args, repeats: int) -> tuple:
    """Medians of :func:`peak_memory_mib` over ``repeats`` fresh processes."""
    samples = [peak_memory_mib(*args) for _ in range(repeats)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def time_fit(model, X, y) -> float:
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def alternated_medians(funcs, repeats: int) -> list:
    """Median seconds of each function, timed in turn ``repeats`` times (so drift hits all alike)."""
    times = [[] for _ in funcs]
    for _ in range(repeats):
        for func, record in zip(funcs, times, strict=True):
            start = time.perf_counter()
            func()
            record.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def booster_predict(booster: str, model, X):
    """The booster's own raw prediction of a fitted model, without the scikit-learn wrapper."""
    if booster == "lgbm":
        return lambda: model.booster_.predict(X, raw_score=True)
    return lambda: model.get_booster().inplace_predict(X, predict_type="margin")


def first_call_seconds(cache_dir: str) -> dict:
    """Seconds of the first training-path call in a fresh process, with the numba cache in
    ``cache_dir``, for the inputs each booster hands the objective (LightGBM: float64 scores,
    column-major for K classes; XGBoost: float32, row-major); and of importing the kernels
    (numba itself) once skfocal is imported."""
    code = """
import json, time
import numpy as np
from skfocal import BinaryFocalLoss, MulticlassFocalLoss
start = time.perf_counter()
from skfocal import _kernels
out = {"import": time.perf_counter() - start}
y = np.zeros(16, np.float32)
cases = {
    "LightGBM, 2 classes": (BinaryFocalLoss(alpha=0.25, gamma=2.0), np.zeros(16)),
    "XGBoost, 2 classes": (BinaryFocalLoss(alpha=0.25, gamma=2.0), np.zeros(16, np.float32)),
    "LightGBM, 3 classes": (MulticlassFocalLoss(gamma=2.0), np.zeros((16, 3), order="F")),
    "XGBoost, 3 classes": (MulticlassFocalLoss(gamma=2.0), np.zeros((16, 3), np.float32)),
}
for name, (loss, scores) in cases.items():
    start = time.perf_counter()
    loss._training_gradient_hessian(y, scores)
    out[name] = time.perf_counter() - start
print(json.dumps(out))
"""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def first_calls() -> dict:
    """First-call seconds with an empty numba cache (``compile``), then with the cache it wrote (``load``)."""
    cache_dir = tempfile.mkdtemp(prefix="bench_speed_numba_")
    return {"compile": first_call_seconds(cache_dir), "load": first_call_seconds(cache_dir)}


def compile_table(first: dict) -> list[str]:
    cold, warm = first["compile"], first["load"]
    cases = [name for name in cold if name != "import"]
    lines = [
        "| first call | import numba and the kernels (s) | " + " | ".join(f"{c} (s)" for c in cases) + " |",
        "|" + "---|" * (2 + len(cases)),
    ]
    for label, times in [("empty cache: compile", cold), ("cache written by the first run: load", warm)]:
        lines.append(f"| {label} | {times['import']:.2f} | " + " | ".join(f"{times[c]:.2f}" for c in cases) + " |")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=os.cpu_count())
    parser.add_argument("--boosters", nargs="+", default=["lgbm", "xgb"])
    parser.add_argument("--multiclass-rows", type=int, default=100_000, help="0 to skip the 3-class rows")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument(
        "--memory-repeats", type=int, default=3, help="fresh processes per memory sample (median; RSS varies by MiBs)"
    )
    parser.add_argument("--no-compile", action="store_true", help="skip the first-call (compile) timings")
    parser.add_argument("--summary", help="also write the ratios as a reStructuredText table to this file (docs)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--first-call-only", action="store_true", help="only the first-call (compile and load) table")
    args = parser.parse_args(argv)
    if args.first_call_only:
        print("\n".join(compile_table(first_calls())))
        return

    settings = [(rows, 2) for rows in args.rows]
    if args.multiclass_rows:
        settings.append((args.multiclass_rows, 3))
    objectives = ["builtin", "numpy", "skfocal"]
    results = []
    scratch = tempfile.mkdtemp(prefix="bench_speed_")
    for rows, classes in settings:
        X, y = make_data(rows, classes)
        data_path = os.path.join(scratch, f"data_{rows}_{classes}.npz")
        np.savez(data_path, X=X, y=y)
        for booster in args.boosters:
            times = {name: [] for name in objectives}
            fitted = {}
            for name in objectives:  # warm-up: the first call's imports and compilation are timed apart
                if not (classes > 2 and name == "numpy"):
                    build(booster, name, args.n_jobs, 2, classes).fit(X[:2000], y[:2000])
            for _ in range(args.repeats):  # alternated, so drifts in machine load hit all alike
                for name in objectives:
                    if classes > 2 and name == "numpy":
                        continue  # the reference recipe is binary only
                    model = build(booster, name, args.n_jobs, args.rounds, classes)
                    times[name].append(time_fit(model, X, y))
                    fitted[name] = model
            base = statistics.median(times["builtin"])
            base_memory = None
            for name in objectives:
                if not times[name]:
                    continue
                with warnings.catch_warnings():  # LightGBM warns that a custom objective gives raw scores
                    warnings.simplefilter("ignore")
                    predict, raw_predict = alternated_medians(
                        [functools.partial(fitted[name].predict_proba, X), booster_predict(booster, fitted[name], X)],
                        args.repeats,
                    )
                peak, memory = (
                    (None, None)
                    if args.no_memory
                    else median_memory_mib(
                        booster, name, data_path, classes, args.n_jobs, args.rounds, repeats=args.memory_repeats
                    )
                )
                base_memory = (peak, memory) if name == "builtin" else base_memory
                median = statistics.median(times[name])
                results.append(
                    {
                        "booster": booster,
                        "rows": rows,
                        "classes": classes,
                        "objective": name,
                        "fit_median_s": median,
                        "fit_times_s": times[name],
                        "ratio_to_builtin": median / base,
                        "peak_rss_mib": peak,
                        "peak_rss_ratio_to_builtin": None if peak is None else peak / base_memory[0],
                        "peak_memory_added_mib": memory,
                        "memory_added_ratio_to_builtin": None if memory is None else memory / base_memory[1],
                        "predict_proba_s": predict,
                        "booster_predict_s": raw_predict,
                    }
                )
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    first = None if args.no_compile else first_calls()
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            f.write(summary_rst(results, args))
    if args.json:
        print(json.dumps({"fits": results, "first_call_s": first}, indent=1))
        return
    columns = ["booster", "rows", "classes", "objective", "fit median (s)", "ratio to built-in"]
    columns += ["peak RSS in fit (MiB)", "added by fit (MiB)", "added, ratio", "predict_proba (s)"]
    columns += ["booster's predict (s)"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for r in results:
        memory = "- | - | -"
        if r["peak_rss_mib"] is not None:
            memory = (
                f"{r['peak_rss_mib']:.0f} | {r['peak_memory_added_mib']:.0f} | "
                f"{r['memory_added_ratio_to_builtin']:.2f}x"
            )
        print(
            f"| {r['booster']} | {r['rows']:,} | {r['classes']} | {r['objective']} | {r['fit_median_s']:.2f} "
            f"| {r['ratio_to_builtin']:.2f}x | {memory} | {r['predict_proba_s']:.3f} "
            f"| {r['booster_predict_s']:.3f} |"
        )
    if first:
        print()
        print("\n".join(compile_table(first)))


def summary_rst(results: list[dict], args) -> str:
    """The fit-time ratios of skfocal and the numpy reference, and skfocal's memory and predict ratios."""
    lines = [
        f".. Written by benchmarks/bench_speed.py (--repeats {args.repeats} --rounds {args.rounds} "
        f"--n-jobs {args.n_jobs}); do not edit.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - booster",
        "     - rows x classes",
        "     - fit time, skfocal / built-in",
        "     - fit time, plain numpy / built-in",
        "     - peak memory during fit, skfocal / built-in",
        "     - memory added by fit, skfocal / built-in",
        "     - predict_proba / booster's own predict",
    ]
    by_key = {(r["booster"], r["rows"], r["classes"], r["objective"]): r for r in results}
    for (booster, rows, classes, objective), r in by_key.items():
        if objective != "skfocal":
            continue
        numpy_ref = by_key.get((booster, rows, classes, "numpy"))
        peak, memory = r["peak_rss_ratio_to_builtin"], r["memory_added_ratio_to_builtin"]
        lines += [
            f"   * - {'LightGBM' if booster == 'lgbm' else 'XGBoost'}",
            f"     - {rows:,} x {classes}",
            f"     - {r['ratio_to_builtin']:.2f}x",
            f"     - {numpy_ref['ratio_to_builtin']:.2f}x" if numpy_ref else "     - (binary only)",
            f"     - {peak:.2f}x" if peak is not None else "     - -",
            f"     - {memory:.2f}x" if memory is not None else "     - -",
            f"     - {r['predict_proba_s'] / r['booster_predict_s']:.2f}x",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
