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
import contextlib
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


class MinimalLogistic:
    """The cheapest Python objective: the logistic gradient, in place, in two float32 buffers kept from round to round.

    Trained through the parent's own custom-objective path, it shows about what any objective
    written in Python costs there (the memory and Dask workloads); about, because its trees are
    not quite the built-in's (it starts from a zero margin, and its Hessian has no floor).
    """

    def __init__(self):
        self.out = None

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.out is None or self.out[0].shape != y_pred.shape:
            self.out = (np.empty(y_pred.shape, np.float32), np.empty(y_pred.shape, np.float32))
        p, h = self.out
        np.negative(y_pred, out=p, casting="same_kind")
        with np.errstate(over="ignore"):  # exp overflows to inf for scores below -88: p is then 0
            np.exp(p, out=p)
        p += 1.0
        np.reciprocal(p, out=p)  # the sigmoid of the scores
        np.subtract(1.0, p, out=h)
        h *= p
        p -= y_true  # now the gradient
        return p, h


def make_data(rows: int, classes: int = 2):
    weights = [0.99] if classes == 2 else ([0.8, 0.15] if classes == 3 else None)
    X, y = make_classification(
        n_samples=rows, n_features=20, n_informative=10, n_classes=classes, weights=weights, random_state=0
    )
    return X.astype(np.float32), y


def make_multilabel_data(rows: int, labels: int):
    """A 0/1 indicator of ``labels`` labels (``make_multilabel_classification``, 20 count features), ``(X, Y)``."""
    from sklearn.datasets import make_multilabel_classification

    X, Y = make_multilabel_classification(
        n_samples=rows, n_features=20, n_classes=labels, n_labels=2, allow_unlabeled=True, random_state=0
    )
    return X.astype(np.float32), Y


def multilabel_fit_seconds(objective: str, X, Y, n_jobs: int, rounds: int, per_label: bool):
    """``run()`` timing one fit of ``XGBClassifier`` (``builtin``) or ``FocalXGBClassifier`` on the indicator ``Y``.

    The focal model has ``focal_gamma=2, focal_alpha=0.25`` for every label (the flattened binary
    kernel), or with ``per_label`` one gamma from 0.5 to 3 and one alpha from 0.2 to 0.6 per
    label (the kernel once per label).
    """
    labels = Y.shape[1]
    focal = (
        {"focal_gamma": np.linspace(0.5, 3.0, labels).tolist(), "focal_alpha": np.linspace(0.2, 0.6, labels).tolist()}
        if per_label
        else {"focal_gamma": GAMMA, "focal_alpha": ALPHA}
    )

    def run():
        model = build("xgb", objective, n_jobs, rounds)
        if objective == "skfocal":
            model.set_params(**focal)
        start, start_cpu = time.perf_counter(), time.process_time()
        model.fit(X, Y)
        run.cpu.append(time.process_time() - start_cpu)
        return time.perf_counter() - start

    run.cpu = []  # the CPU seconds of this process in each fit: less sensitive to other work on a loaded machine
    return run


def estimator_class(booster: str, objective: str):
    """The estimator class, imported here (the built-in one without importing skfocal)."""
    if booster == "lgbm":
        if objective == "skfocal":
            from skfocal import FocalLGBMClassifier

            return FocalLGBMClassifier
        from lightgbm import LGBMClassifier

        return LGBMClassifier
    if objective == "skfocal":
        from skfocal import FocalXGBClassifier

        return FocalXGBClassifier
    from xgboost import XGBClassifier

    return XGBClassifier


def build(booster: str, objective: str, n_jobs: int, rounds: int, classes: int = 2):
    params = {"n_estimators": rounds, "n_jobs": n_jobs, "random_state": 0}
    params.update({"verbose": -1} if booster == "lgbm" else {"max_depth": 6})
    estimator = estimator_class(booster, objective)
    if objective == "builtin":
        return estimator(**params)
    if objective == "numpy":
        return estimator(objective=numpy_reference_objective, **params)
    if objective == "minimal":
        return estimator(objective=MinimalLogistic(), **params)
    return estimator(focal_gamma=GAMMA, focal_alpha=ALPHA if classes == 2 else None, **params)


def peak_memory_mib(booster: str, objective: str, data_path: str, classes: int, n_jobs: int, rounds: int) -> tuple:
    """Peak resident memory of the process during one fit, what the fit added to the memory
    before it, and that memory before it (with the data loaded, the libraries imported and a
    fit of 20,000 rows done), in MiB, in a fresh process.

    The data is loaded from ``data_path`` and a short fit warms the imports; a thread then
    samples the resident set size (psutil) every 5 ms during the measured fit.
    """
    setup = f"b.build({booster!r}, {objective!r}, {n_jobs}, 1, {classes}).fit(X[:20000], y[:20000])"
    fit = f"b.build({booster!r}, {objective!r}, {n_jobs}, {rounds}, {classes}).fit(X, y)"
    out = subprocess.run(
        [sys.executable, "-c", measured_fit_code(data_path, setup, fit)], capture_output=True, text=True, check=True
    )
    peak, added, before = out.stdout.strip().splitlines()[-1].split()
    return float(peak), float(added), float(before)


def measured_fit_code(data_path: str, setup: str, fit: str) -> str:
    """Code for a fresh process: load ``data_path`` as ``X, y``, run ``setup`` (which warms the
    imports), then ``fit`` with the resident set sampled every 5 ms; it prints the peak, what the
    fit added and the resident set before it, in MiB. ``bench_speed`` is imported as ``b``."""
    here = os.path.dirname(os.path.abspath(__file__))
    return f"""
import sys, threading, time, gc
import numpy as np, psutil
sys.path.insert(0, {here!r})
import bench_speed as b
data = np.load({data_path!r}); X, y = data["X"], data["y"]
{setup}
gc.collect()
proc = psutil.Process(); before = proc.memory_info().rss; peak = [before]; done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], proc.memory_info().rss); time.sleep(0.005)
thread = threading.Thread(target=sample); thread.start()
{fit}
done.set(); thread.join()
print(peak[0] / 2**20, (peak[0] - before) / 2**20, before / 2**20)
"""


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


# ------------------------------------------------------------------------------ the goal table
# One row per workload and booster: skfocal's estimator against the same booster's built-in
# objective with the same tree parameters, timed in alternated pairs (the order flips from pair
# to pair, so a drift in machine load hits both alike), median of the pairs, and the spread as
# the smallest and largest ratio of one pair.
WORKLOADS = ["binary", "eval", "multiclass", "multilabel", "small", "grid", "first-fit", "memory", "dask", "costs"]
GRID_FOCAL = {"focal_gamma": [0.5, 1.0, 2.0], "focal_alpha": [None, 0.25, 0.5]}
# The built-in estimator's 9 candidates: the class weighting and the L1 penalty, which leave
# the size of the trees alone, as the focal parameters do.
GRID_BUILTIN = {"scale_pos_weight": [1.0, 3.0, 10.0], "reg_alpha": [0.0, 0.1, 1.0]}
BOOSTER_NAMES = {"lgbm": "LightGBM", "xgb": "XGBoost"}


def paired(run_builtin, run_focal, repeats: int) -> dict:
    """Alternated pairs of ``run_*()`` (each returns seconds): medians, ratio, per-pair spread."""
    builtin, focal = [], []
    for i in range(repeats):
        order = [(run_builtin, builtin), (run_focal, focal)]
        for run, record in order[::-1] if i % 2 else order:
            record.append(run())
    pair_ratios = [f / b for f, b in zip(focal, builtin, strict=True)]
    return {
        "builtin": statistics.median(builtin),
        "focal": statistics.median(focal),
        "value": statistics.median(focal) / statistics.median(builtin),
        "spread": (min(pair_ratios), max(pair_ratios)),
        "builtin_all": builtin,
        "focal_all": focal,
        "pairs": repeats,
    }


def goal_row(workload: str, booster: str, measured: dict, goal: float, unit: str = "s", kind: str = "ratio", **extra):
    row = {"workload": workload, "booster": booster, "unit": unit, "kind": kind, "goal": goal, **measured, **extra}
    if hasattr(os, "getloadavg"):  # other work on the machine, which the alternated pairs share
        row["load_average_1min"] = os.getloadavg()[0]
    row["met"] = row["value"] <= goal
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def fit_seconds(booster, objective, X, y, n_jobs, rounds, classes=2, **fit_params):
    def run():
        model = build(booster, objective, n_jobs, rounds, classes)
        start = time.perf_counter()
        model.fit(X, y, **fit_params)
        return time.perf_counter() - start

    return run


@contextlib.contextmanager
def objective_calls():
    """The seconds of every call of skfocal's objective (``SklearnObjective.__call__``) inside the block, as a list."""
    from skfocal._base import SklearnObjective

    calls, call = [], SklearnObjective.__call__

    @functools.wraps(call)  # the boosters' wrappers read the objective's signature
    def timed(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return call(self, *args, **kwargs)
        finally:
            calls.append(time.perf_counter() - start)

    SklearnObjective.__call__ = timed
    try:
        yield calls
    finally:
        SklearnObjective.__call__ = call


def floor_seconds(booster, X, y, n_jobs, rounds):
    """A fit with ``focal_gamma=0`` (the built-in's own trees), less the time spent inside the objective.

    What the Python-objective path costs the booster with no objective arithmetic at all: the
    score copies, the calls into Python, the start score, the folding of it into the model.
    """

    def run():
        model = build(booster, "skfocal", n_jobs, rounds).set_params(focal_gamma=0.0, focal_alpha=None)
        with objective_calls() as calls:
            start = time.perf_counter()
            model.fit(X, y)
            return time.perf_counter() - start - sum(calls)

    return run


def warm(booster, X, y, n_jobs, classes=2, **fit_params):
    """One short fit of each estimator: imports and the kernels' first call are not timed."""
    for objective in ("builtin", "skfocal"):
        build(booster, objective, n_jobs, 2, classes).fit(X[:20000], y[:20000], **fit_params)


def workload_fits(args, name: str) -> list:
    """The in-process workloads: ``binary``, ``eval``, ``multiclass``, ``multilabel``, ``small``."""
    rows = []
    if name in ("binary", "eval"):
        n, n_eval = args.binary_rows, (args.eval_rows if name == "eval" else 0)
        X, y = make_data(n + n_eval)
        X_fit, y_fit = X[:n], y[:n]
        for booster in args.boosters:
            fit_params = {}
            if n_eval:  # the focal metric against the built-in's default metric
                fit_params["eval_set"] = [(X[n:], y[n:])]
                if booster == "xgb":
                    fit_params["verbose"] = False
            warm(booster, X_fit, y_fit, args.n_jobs, **fit_params)
            measured = paired(
                fit_seconds(booster, "builtin", X_fit, y_fit, args.n_jobs, args.rounds, **fit_params),
                fit_seconds(booster, "skfocal", X_fit, y_fit, args.n_jobs, args.rounds, **fit_params),
                args.repeats,
            )
            goal = 1.10 if n_eval or booster == "xgb" else 1.05
            label = f"{n:,} x 20, binary" + (f", {n_eval:,}-row eval set" if n_eval else "")
            rows.append(goal_row(label, booster, measured, goal))
    elif name == "multiclass":
        for classes in args.classes:
            X, y = make_data(args.multiclass_rows, classes)
            for booster in args.boosters:
                warm(booster, X, y, args.n_jobs, classes)
                measured = paired(
                    fit_seconds(booster, "builtin", X, y, args.n_jobs, args.rounds, classes),
                    fit_seconds(booster, "skfocal", X, y, args.n_jobs, args.rounds, classes),
                    args.repeats,
                )
                rows.append(goal_row(f"{args.multiclass_rows:,} x 20, {classes} classes", booster, measured, 1.10))
    elif name == "multilabel" and "xgb" in args.boosters:  # XGBoost only: LightGBM takes one label per row
        for labels in args.labels:
            X, Y = make_multilabel_data(args.multilabel_rows, labels)
            warm("xgb", X, Y, args.n_jobs)
            for per_label in (False, True):
                builtin = multilabel_fit_seconds("builtin", X, Y, args.n_jobs, args.rounds, per_label)
                focal = multilabel_fit_seconds("skfocal", X, Y, args.n_jobs, args.rounds, per_label)
                measured = paired(builtin, focal, args.repeats)
                cpu = [f / b for f, b in zip(focal.cpu, builtin.cpu, strict=True)]
                note = (
                    f"CPU time of the process: {statistics.median(focal.cpu) / statistics.median(builtin.cpu):.2f}x "
                    f"({min(cpu):.2f}-{max(cpu):.2f}x)"
                )
                kind = "alpha and gamma per label" if per_label else "one alpha and gamma"
                label = f"{args.multilabel_rows:,} x 20, {labels} labels (multilabel), {kind}"
                rows.append(goal_row(label, "xgb", measured, 1.10, note=note))
    elif name == "small":
        X, y = make_data(args.small_rows)
        for booster in args.boosters:
            warm(booster, X, y, 1)
            measured = paired(
                fit_seconds(booster, "builtin", X, y, 1, args.rounds),
                fit_seconds(booster, "skfocal", X, y, 1, args.rounds),
                max(args.repeats, 7),
            )
            floor = paired(
                fit_seconds(booster, "builtin", X, y, 1, args.rounds),
                floor_seconds(booster, X, y, 1, args.rounds),
                max(args.repeats, 7),
            )
            note = (
                f"focal_gamma=0 less the time inside the objective (the Python-objective path alone): "
                f"{floor['value']:.2f}x ({floor['spread'][0]:.2f}-{floor['spread'][1]:.2f}x)"
            )
            goal = 1.10 if booster == "lgbm" else 1.15
            rows.append(goal_row(f"{args.small_rows:,} x 20, n_jobs=1", booster, measured, goal, note=note))
    return rows


def run_child(code: str, env=None, cwd=None) -> dict:
    """Run ``code`` in a fresh Python process; its last line of output is JSON."""
    here = os.path.dirname(os.path.abspath(__file__))
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in [full_env.get("PYTHONPATH"), here] if p)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, cwd=cwd)
    if out.returncode:
        raise RuntimeError(f"benchmark child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


GRID_CODE = """
import json, time
start = time.perf_counter()
from sklearn.model_selection import GridSearchCV
import bench_speed as b
from skfocal.datasets import load_page_blocks0
estimator = b.estimator_class({booster!r}, {objective!r})
data = load_page_blocks0()
imported = time.perf_counter()
params = {{"verbose": -1}} if {booster!r} == "lgbm" else {{}}
if {objective!r} == "builtin":  # the parent at its best setting: one thread in each of the two workers
    params["n_jobs"] = 1
grid = b.GRID_FOCAL if {objective!r} == "skfocal" else b.GRID_BUILTIN
GridSearchCV(estimator(**params), grid, cv=5, n_jobs=2).fit(data.data, data.target)
print(json.dumps({{"import": imported - start, "search": time.perf_counter() - imported}}))
"""


def workload_grid(args) -> list:
    """``GridSearchCV(cv=5, n_jobs=2)``, 9 candidates, on page_blocks0, each in a fresh process.

    The built-in estimator with ``n_jobs=1``, its best setting here (its default starts a thread per
    core in each of the two workers); skfocal's at its defaults, which follow the worker's threads.
    """
    rows = []
    for booster in args.boosters:
        imports = {"builtin": [], "skfocal": []}

        def search(objective, booster=booster, imports=imports):
            def run():
                out = run_child(GRID_CODE.format(booster=booster, objective=objective))
                imports[objective].append(out["import"])
                return out["search"]

            return run

        measured = paired(search("builtin"), search("skfocal"), args.repeats)
        note = (
            f"imports before the search: {statistics.median(imports['builtin']):.2f} s built-in, "
            f"{statistics.median(imports['skfocal']):.2f} s skfocal"
        )
        rows.append(
            goal_row("GridSearchCV(cv=5, n_jobs=2), 9 candidates, page_blocks0", booster, measured, 1.10, note=note)
        )
    return rows


FIRST_FIT_CODE = """
import json, time
import numpy as np
import bench_speed as b
data = np.load({data_path!r}); X, y = data["X"], data["y"]
start = time.perf_counter()
estimator = b.estimator_class({booster!r}, {objective!r})
imported = time.perf_counter()
b.build({booster!r}, {objective!r}, 1, {rounds}).fit(X, y)
print(json.dumps({{"import": imported - start, "fit": time.perf_counter() - imported}}))
"""


def read_only_install(root: str) -> dict:
    """A copy of skfocal in which nothing can be cached: the environment and the path for it.

    No ``__pycache__`` can be made in the package (a file stands where each would go), and
    ``NUMBA_CACHE_DIR``, the home directory and the temporary directory point below a file.
    """
    import shutil

    import skfocal

    package = os.path.join(root, "site", "skfocal")
    shutil.copytree(os.path.dirname(skfocal.__file__), package, ignore=shutil.ignore_patterns("__pycache__"))
    for folder, dirs, _ in os.walk(package):
        for name in [*dirs, None]:
            target = os.path.join(folder, name) if name else folder
            with open(os.path.join(target, "__pycache__"), "w", encoding="utf-8"):
                pass
    blocker = os.path.join(root, "not-a-directory")
    with open(blocker, "w", encoding="utf-8"):
        pass
    env = {
        "PYTHONPATH": os.path.join(root, "site"),
        "NUMBA_CACHE_DIR": os.path.join(blocker, "numba"),
        "XDG_CACHE_HOME": os.path.join(blocker, "xdg"),
        "HOME": os.path.join(blocker, "home"),
        "TMPDIR": os.path.join(root, "tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    os.makedirs(env["TMPDIR"])
    return env


def data_file(scratch: str, rows: int, classes: int = 2) -> str:
    """:func:`make_data` saved under ``scratch`` for child processes to load; its path."""
    X, y = make_data(rows, classes)
    path = os.path.join(scratch, f"data_{rows}_{classes}.npz")
    np.savez(path, X=X, y=y)
    return path


def workload_first_fit(args) -> list:
    """First fit (100 rounds, ``n_jobs=1``) of ``--small-rows`` rows in a fresh process."""
    scratch = tempfile.mkdtemp(prefix="bench_speed_first_")
    data_path = data_file(scratch, args.small_rows)
    warm_cache = {"NUMBA_CACHE_DIR": os.path.join(scratch, "numba")}
    read_only = read_only_install(os.path.join(scratch, "ro"))
    # The same read-only install with skfocal's own fallback cache directory blocked too, so
    # that nothing at all can be cached.
    nothing = {**read_only, "TMPDIR": os.path.join(scratch, "tmp-blocked")}
    os.makedirs(nothing["TMPDIR"])
    # (skfocal._kernels.fallback_cache_dir: this name in the temporary directory)
    fallback_block = os.path.join(nothing["TMPDIR"], f"skfocal-numba-cache-{os.getuid()}")
    with open(fallback_block, "w", encoding="utf-8"):
        pass
    cases = [
        ("warm cache", warm_cache, 0.10),
        ("read-only install, skfocal's fallback cache", read_only, 1.0),
        ("nothing writable", nothing, 1.0),
    ]
    rows = []
    for booster in args.boosters:
        for label, env, goal in cases:
            imports = {"builtin": [], "skfocal": []}

            def first(objective, env=env, booster=booster, imports=imports):
                code = FIRST_FIT_CODE.format(
                    data_path=data_path, booster=booster, objective=objective, rounds=args.rounds
                )

                def run():
                    out = run_child(code, env=env)
                    imports[objective].append(out["import"])
                    return out["fit"]

                return run

            first("skfocal")()  # fills the cache where one can be written
            measured = paired(first("builtin"), first("skfocal"), args.repeats)
            diffs = [f - b for f, b in zip(measured["focal_all"], measured["builtin_all"], strict=True)]
            measured.update(value=measured["focal"] - measured["builtin"], spread=(min(diffs), max(diffs)))
            note = (
                f"import of the estimator class: {statistics.median(imports['builtin']):.2f} s built-in, "
                f"{statistics.median(imports['skfocal']):.2f} s skfocal"
            )
            rows.append(
                goal_row(
                    f"first fit, {args.small_rows:,} rows, fresh process: {label}",
                    booster,
                    measured,
                    goal,
                    kind="difference",
                    note=note,
                )
            )
    return rows


def workload_memory(args) -> list:
    """Memory added by a ``--binary-rows`` fit, in fresh processes; the libraries' fixed cost apart."""
    scratch = tempfile.mkdtemp(prefix="bench_speed_memory_")
    data_path = data_file(scratch, args.binary_rows)
    rows = []
    for booster in args.boosters:
        before = {"builtin": [], "skfocal": []}

        def added(objective, booster=booster, before=before):
            def run():
                _, fit_added, rss_before = peak_memory_mib(booster, objective, data_path, 2, args.n_jobs, args.rounds)
                before[objective].append(rss_before)
                return fit_added

            return run

        before["minimal"] = []
        measured = paired(added("builtin"), added("skfocal"), args.memory_repeats)
        floor = paired(added("builtin"), added("minimal"), args.memory_repeats)["value"]
        fixed = statistics.median(before["skfocal"]) - statistics.median(before["builtin"])
        note = (
            f"resident before the fit (libraries, data, a 20,000-row fit): "
            f"{statistics.median(before['builtin']):.0f} MiB built-in, "
            f"{statistics.median(before['skfocal']):.0f} MiB skfocal ({fixed:+.0f} MiB); "
            f"the parent's own custom-objective path with the cheapest Python objective "
            f"(MinimalLogistic) adds {floor:.2f}x the built-in's (alternated pairs of their own)"
        )
        rows.append(
            goal_row(f"memory added by a {args.binary_rows:,}-row fit", booster, measured, 1.10, unit="MiB", note=note)
        )
    return rows


def _placed_evenly(client, X, y, chunks: int):
    """``X`` and ``y`` as Dask arrays of ``chunks`` row blocks, the same number of them held by each worker.

    Both boosters train each worker on the blocks it holds. Left to the scheduler, 4 blocks
    landed 3 and 1 on 2 workers in half the fits (``bench_dask_placement.py``), one worker then
    training on 1.5x its share whichever objective it used: placement, not the objective.
    """
    import dask
    import dask.array as da

    workers = sorted(client.scheduler_info()["workers"])
    size = -(-len(y) // chunks)
    blocks_X, blocks_y = [], []
    for i, start in enumerate(range(0, len(y), size)):
        worker = [workers[i * len(workers) // chunks]]
        part_X, part_y = X[start : start + size], y[start : start + size]
        future_X, future_y = client.scatter([part_X, part_y], workers=worker)
        blocks_X.append(da.from_delayed(dask.delayed(future_X), shape=part_X.shape, dtype=part_X.dtype))
        blocks_y.append(da.from_delayed(dask.delayed(future_y), shape=part_y.shape, dtype=part_y.dtype))
    return da.concatenate(blocks_X), da.concatenate(blocks_y)


def workload_dask(args) -> list:
    """Dask: ``LocalCluster`` of 2 worker processes (1 thread each), ``--dask-rows`` rows, binary."""
    from distributed import Client, LocalCluster

    rows = []
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        X, y = make_data(args.dask_rows)
        X, y = _placed_evenly(client, X, y, chunks=4)
        for booster in args.boosters:

            def dask_fit(objective, booster=booster, rounds=args.rounds):
                if booster == "lgbm":
                    from lightgbm.dask import DaskLGBMClassifier as builtin

                    from skfocal.dask import FocalDaskLGBMClassifier as focal

                    params = {"verbose": -1}
                else:
                    from xgboost.dask import DaskXGBClassifier as builtin

                    from skfocal.dask import FocalDaskXGBClassifier as focal

                    params = {"max_depth": 6}
                # The cluster's client is the default one (xgboost.dask's DaskXGBClassifier fails to
                # send an explicit client=... to its workers with distributed 2026.8).
                params.update(n_estimators=rounds, random_state=0)

                def run():
                    if objective == "builtin":
                        model = builtin(**params)
                    elif objective == "minimal":
                        model = builtin(objective=MinimalLogistic(), **params)
                    else:
                        model = focal(focal_gamma=GAMMA, focal_alpha=ALPHA, **params)
                    start = time.perf_counter()
                    model.fit(X, y)
                    return time.perf_counter() - start

                return run

            dask_fit("builtin", rounds=2)()
            dask_fit("skfocal", rounds=2)()
            measured = paired(dask_fit("builtin"), dask_fit("skfocal"), args.repeats)
            dask_fit("minimal", rounds=2)()
            floor = paired(dask_fit("builtin"), dask_fit("minimal"), args.repeats)
            note = (
                f"the parent's own custom-objective path with the cheapest Python objective (MinimalLogistic): "
                f"{floor['value']:.2f}x ({floor['spread'][0]:.2f}-{floor['spread'][1]:.2f}x)"
            )
            rows.append(
                goal_row(f"Dask, 2 workers, {args.dask_rows:,} rows, binary", booster, measured, 1.10, note=note)
            )
    return rows


COSTS_CODE = """
import json, time
start = time.perf_counter()
import numba
imported = time.perf_counter()
import numpy as np
from skfocal import _kernels
grad, hess = np.empty(16, np.float32), np.empty(16, np.float32)
loaded = time.perf_counter()
_kernels.binary_gradient_hessian(np.zeros(16), np.zeros(16), np.empty(0), 2.0, (0.75, 0.25), 1.0, grad, hess)
print(json.dumps({{"import": imported - start, "load": time.perf_counter() - loaded}}))
"""


def median_call_us(func, calls: int = 200) -> float:
    func()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def xgb_round_ms(X, y, rounds: int = 100, repeats: int = 5) -> tuple[float, float]:
    """XGBoost's own cost of a round given the gradients, against its built-in round, on one thread.

    Median seconds (in ms) of ``rounds`` rounds of ``XGBoosterUpdateOneIter`` (the built-in
    ``binary:logistic`` computes its gradient and grows the tree) and of ``XGBoosterTrainOneIter``
    given the logistic gradient of the same scores (computed in numpy, untimed), from the same
    fixed ``base_score``: only the C calls are timed, so the difference is what XGBoost itself
    charges for gradients from outside, net of the built-in's own gradient (a few microseconds
    at these sizes). The two models are checked to have the same number of tree nodes.
    """
    import ctypes

    import xgboost
    from xgboost.core import _LIB, _check_call
    from xgboost.objective import _grad_arrinf

    data = xgboost.QuantileDMatrix(X, y)
    params = {"nthread": 1, "max_depth": 6, "objective": "binary:logistic", "tree_method": "hist"}
    params["base_score"] = float(np.mean(y))  # neither loop estimates one
    labels = data.get_label()
    grad, hess = np.empty(len(y), np.float32), np.empty(len(y), np.float32)
    grad_info, hess_info = _grad_arrinf(grad, len(y)), _grad_arrinf(hess, len(y))
    builtin, given = [], []
    for _ in range(repeats):
        booster, spent = xgboost.Booster(params, [data]), 0.0
        for i in range(rounds):
            start = time.perf_counter()
            _check_call(_LIB.XGBoosterUpdateOneIter(booster.handle, ctypes.c_int(i), data.handle))
            spent += time.perf_counter() - start
        builtin.append(spent)
        nodes = len(booster.trees_to_dataframe())
        booster, spent = xgboost.Booster(params, [data]), 0.0
        for i in range(rounds):
            p = 1.0 / (1.0 + np.exp(-booster.predict(data, output_margin=True, training=True)))
            np.subtract(p, labels, out=grad)
            np.maximum(p * (1.0 - p), 1e-16, out=hess)  # XGBoost's own floor
            start = time.perf_counter()
            _check_call(_LIB.XGBoosterTrainOneIter(booster.handle, data.handle, i, grad_info, hess_info))
            spent += time.perf_counter() - start
        given.append(spent)
        if len(booster.trees_to_dataframe()) != nodes:
            raise RuntimeError("the given gradients grew other trees than the built-in objective")
    return statistics.median(builtin) * 1e3, statistics.median(given) * 1e3


def workload_costs(args) -> list[str]:
    """What small inputs would pay for machinery they do not need, at ``--small-rows`` rows."""
    import threading

    import xgboost

    from skfocal import BinaryFocalLoss, MulticlassFocalLoss, _fastpath
    from skfocal._base import weighted_mean_loss

    n = args.small_rows
    fresh = [run_child(COSTS_CODE.format(), env={"NUMBA_CACHE_DIR": tempfile.mkdtemp()}) for _ in range(2)]
    cache = tempfile.mkdtemp(prefix="bench_speed_costs_")
    run_child(COSTS_CODE.format(), env={"NUMBA_CACHE_DIR": cache})  # writes the cache
    loads = [run_child(COSTS_CODE.format(), env={"NUMBA_CACHE_DIR": cache}) for _ in range(3)]
    rng = np.random.default_rng(0)
    y, z = rng.integers(0, 2, n).astype(np.float32), rng.normal(size=n)
    loss = BinaryFocalLoss(alpha=0.25, gamma=GAMMA)
    out = (np.empty(n, np.float32), np.empty(n, np.float32))
    numpy_us = median_call_us(lambda: loss._training_gradient_hessian(y, z, out=out))
    limit = _fastpath.SMALL_BINARY
    _fastpath.SMALL_BINARY = -1
    try:
        kernel_us = median_call_us(lambda: loss._training_gradient_hessian(y, z, out=out))
    finally:
        _fastpath.SMALL_BINARY = limit

    def thread_round_trip():
        thread = threading.Thread(target=lambda: None)
        thread.start()
        thread.join()

    thread_us = median_call_us(thread_round_trip)
    X, labels = make_data(n)
    dtrain = xgboost.DMatrix(X, labels)
    booster = xgboost.train({"nthread": 1, "max_depth": 6}, dtrain, num_boost_round=10)
    predict_us = median_call_us(lambda: booster.predict(dtrain, output_margin=True, training=True))
    label_us = median_call_us(lambda: (dtrain.get_label(), dtrain.get_weight()))
    builtin_ms, given_ms = xgb_round_ms(X, labels, args.rounds)
    reload_ms = lgbm_reload_ms(X, labels, args.rounds)
    metric_rows = []
    for rows, classes in ((args.eval_rows, 2), (args.multiclass_rows, 3)):
        metric_loss = BinaryFocalLoss(alpha=0.25, gamma=GAMMA) if classes == 2 else MulticlassFocalLoss(gamma=GAMMA)
        y_eval = rng.integers(0, classes, rows).astype(np.float32)
        z_eval = rng.normal(size=rows if classes == 2 else (rows, classes))
        compiled = median_call_us(lambda: weighted_mean_loss(metric_loss, y_eval, z_eval), calls=20)  # noqa: B023
        numpy_metric = median_call_us(lambda: np.average(metric_loss.loss(y_eval, z_eval)), calls=20)  # noqa: B023
        metric_rows.append(
            f"| eval metric, {rows:,} rows x {classes} classes: compiled / numpy | "
            f"{compiled / 1000:.1f} ms / {numpy_metric / 1000:.1f} ms |"
        )
    return [
        f"| cost at {n:,} rows | measured |",
        "|---|---|",
        f"| import numba, fresh process | {statistics.median(f['import'] for f in loads):.3f} s |",
        f"| load the cached binary kernels, fresh process | {statistics.median(f['load'] for f in loads):.3f} s |",
        f"| compile them, empty cache | {statistics.median(f['load'] for f in fresh):.3f} s |",
        f"| objective call, numpy path (what {n:,} rows use) | {numpy_us:.0f} us |",
        f"| objective call, compiled kernels | {kernel_us:.0f} us |",
        f"| start and join one thread (not done below {_kernels_min_values()} values) | {thread_us:.0f} us |",
        f"| XGBoost's per-round score copy, predict(output_margin=True, training=True) | {predict_us:.0f} us |",
        f"| XGBoost's sklearn wrapper per round: get_label() + get_weight() | {label_us:.0f} us |",
        f"| XGBoost's own {args.rounds} rounds, one thread: built-in (UpdateOneIter) / given the same gradients "
        f"(TrainOneIter) | {builtin_ms:.1f} ms / {given_ms:.1f} ms ({given_ms / builtin_ms:.2f}x) |",
        f"| LightGBM's reload of the fitted model, {args.rounds} trees: model_to_string + model_from_string "
        f"| {reload_ms:.1f} ms |",
        *metric_rows,
    ]


def lgbm_reload_ms(X, y, rounds: int) -> float:
    """LightGBM's reload of a fitted model (``model_to_string`` and ``model_from_string``, median of 20), in ms.

    A ``FocalLGBMClassifier`` fit does it once, after training, to record LightGBM's own objective.
    """
    booster = build("lgbm", "skfocal", 1, rounds).fit(X, y).booster_
    return median_call_us(lambda: booster.model_from_string(booster.model_to_string()), calls=20) / 1000


def _kernels_min_values() -> str:
    from skfocal import _kernels

    return f"{_kernels.MIN_VALUES_PER_THREAD:,}"


def format_value(row: dict) -> str:
    if row["kind"] == "difference":
        return f"{row['value']:+.2f} s"
    return f"{row['value']:.2f}x"


def format_spread(row: dict) -> str:
    lo, hi = row["spread"]
    if row["kind"] == "difference":
        return f"{lo:+.2f} to {hi:+.2f} s"
    return f"{lo:.2f}-{hi:.2f}x"


def format_goal(row: dict) -> str:
    return f"<= {row['goal']:.2f} s more" if row["kind"] == "difference" else f"<= {row['goal']:.2f}x"


def goal_table(rows: list) -> list[str]:
    lines = [
        "| workload | booster | built-in | skfocal | skfocal / built-in | spread over pairs | pairs | goal | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        unit = r["unit"]
        lines.append(
            f"| {r['workload']} | {BOOSTER_NAMES[r['booster']]} | {r['builtin']:.2f} {unit} | {r['focal']:.2f} {unit} "
            f"| {format_value(r)} | {format_spread(r)} | {r['pairs']} | {format_goal(r)} "
            f"| {'yes' if r['met'] else 'no'} |"
        )
    notes = [f"- {r['workload']}, {BOOSTER_NAMES[r['booster']]}: {r['note']}" for r in rows if r.get("note")]
    return lines + ([""] + notes if notes else [])


def rst_table_head(args, columns: list) -> list:
    """The lines that open a generated reStructuredText list-table: the provenance comment and the header row."""
    header = [f"   * - {columns[0]}", *(f"     - {c}" for c in columns[1:])]
    return [
        f".. Written by benchmarks/bench_speed.py (--repeats {args.repeats} --rounds {args.rounds} "
        f"--n-jobs {args.n_jobs}); do not edit.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        *header,
    ]


def goal_rst(rows: list, args) -> str:
    """The goal table as reStructuredText (the docs' speed page includes it)."""
    lines = rst_table_head(
        args, ["workload", "booster", "skfocal / built-in (median)", "spread over pairs", "goal", "met"]
    )
    for r in rows:
        lines += [
            f"   * - {r['workload']}",
            f"     - {BOOSTER_NAMES[r['booster']]}",
            f"     - {format_value(r)}",
            f"     - {format_spread(r)}",
            f"     - {format_goal(r)}",
            f"     - {'yes' if r['met'] else 'no'}",
        ]
    return "\n".join(lines) + "\n"


def goals_main(args) -> None:
    rows, costs = [], []
    for name in args.workloads:
        if name in ("binary", "eval", "multiclass", "multilabel", "small"):
            rows += workload_fits(args, name)
        elif name == "grid":
            rows += workload_grid(args)
        elif name == "first-fit":
            rows += workload_first_fit(args)
        elif name == "memory":
            rows += workload_memory(args)
        elif name == "dask":
            rows += workload_dask(args)
        elif name == "costs":
            costs = workload_costs(args)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            f.write(goal_rst(rows, args))
    if args.json:
        print(json.dumps({"goals": rows, "costs": costs}, indent=1))
        return
    print("\n".join(goal_table(rows) + ([""] + costs if costs else [])))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workloads",
        nargs="+",
        default=WORKLOADS,
        choices=WORKLOADS,
        help="rows of the goal table to run (default: all)",
    )
    parser.add_argument("--detail", action="store_true", help="the per-objective table (numpy recipe, predict, memory)")
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 100_000], help="--detail: data sizes")
    parser.add_argument("--binary-rows", type=int, default=1_000_000)
    parser.add_argument("--eval-rows", type=int, default=200_000)
    parser.add_argument("--multiclass-rows", type=int, default=100_000, help="--detail: 0 to skip the 3-class rows")
    parser.add_argument("--classes", type=int, nargs="+", default=[3, 10])
    parser.add_argument("--multilabel-rows", type=int, default=100_000)
    parser.add_argument("--labels", type=int, nargs="+", default=[5, 20], help="labels of the multilabel workload")
    parser.add_argument("--small-rows", type=int, default=3_000)
    parser.add_argument("--dask-rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3, help="alternated pairs (at least 7 for the small fits)")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=os.cpu_count())
    parser.add_argument("--boosters", nargs="+", default=["lgbm", "xgb"])
    parser.add_argument("--no-memory", action="store_true", help="--detail: skip memory")
    parser.add_argument(
        "--memory-repeats", type=int, default=3, help="fresh processes per memory sample (median; RSS varies by MiBs)"
    )
    parser.add_argument("--no-compile", action="store_true", help="--detail: skip the first-call (compile) timings")
    parser.add_argument("--summary", help="also write the table as reStructuredText to this file (docs)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--first-call-only", action="store_true", help="only the first-call (compile and load) table")
    parser.add_argument(
        "--from-log",
        nargs="+",
        help="print the goal table (and --summary) from the rows an earlier run wrote to stderr (one JSON per line)",
    )
    args = parser.parse_args(argv)
    if args.first_call_only:
        print("\n".join(compile_table(first_calls())))
        return
    if args.from_log:
        rows = []
        for log in args.from_log:
            with open(log, encoding="utf-8") as f:
                rows += [json.loads(line) for line in f if line.startswith('{"workload"')]
        if args.summary:
            with open(args.summary, "w", encoding="utf-8") as f:
                f.write(goal_rst(rows, args))
        print("\n".join(goal_table(rows)))
        return
    if not args.detail:
        goals_main(args)
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
    lines = rst_table_head(
        args,
        [
            "booster",
            "rows x classes",
            "fit time, skfocal / built-in",
            "fit time, plain numpy / built-in",
            "peak memory during fit, skfocal / built-in",
            "memory added by fit, skfocal / built-in",
            "predict_proba / booster's own predict",
        ],
    )
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
