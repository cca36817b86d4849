"""Where the time of one boosting round goes: built-in objective against skfocal's focal objective.

``bench_speed.py`` compares whole fits; this script splits a round. Each estimator is fitted
with a callback that stamps the end of every round, and the pieces of the custom-objective
path are timed by wrapping them for the duration of the fit:

- ``objective``: skfocal's gradient and Hessian (``SklearnObjective.__call__``);
- ``score copy``: the booster handing its current raw scores to Python (LightGBM's
  ``Booster.__inner_predict``; for XGBoost ``Booster.predict(training=True)`` in its own rounds,
  XGBoost's C API in skfocal's (``_compat.LeanRounds``), which is not timed apart);
- ``label copy``: XGBoost's scikit-learn wrapper reads ``DMatrix.get_label()`` every round
  (skfocal's rounds read it once);
- ``booster``: the rest of the round (tree growing, and taking the gradients back in);
- ``objective alone``: the same objective call outside a fit, on scores of the same shape and
  dtype (median of 20 calls), for comparison with its cost inside the round; also on one
  thread (``objective alone, 1 thread``).

Reported are medians over the rounds (the first round, which builds caches, is skipped).
With ``focal_gamma=0`` the focal model is the booster's own logistic model (same trees), so
``booster`` minus the built-in round is what a Python objective costs the booster itself;
with ``focal_gamma=2`` the trees differ, and so may their cost. The last column, for
``focal_gamma=0`` only, is the round less the objective, as a ratio to the built-in round:
what any objective written in Python would cost with this booster even if it took no time.

Run: ``python benchmarks/bench_round.py [--rows 1000000] [--rounds 40]``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import sys
import time
from collections import defaultdict

import lightgbm
import numpy as np
import xgboost

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_speed import make_data  # noqa: E402

from skfocal import (  # noqa: E402
    FocalLGBMClassifier,
    FocalXGBClassifier,  # noqa: E402
)
from skfocal._base import SklearnObjective  # noqa: E402


class Timers:
    """Accumulated seconds per named piece within the current round, and finished rounds."""

    def __init__(self):
        self.current = defaultdict(float)
        self.rounds = []
        self.last = None

    @contextlib.contextmanager
    def wrap(self, owner, attribute: str, name: str):
        original = getattr(owner, attribute)

        @functools.wraps(original)  # the boosters read the objective's signature
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[name] += time.perf_counter() - start

        setattr(owner, attribute, timed)
        try:
            yield
        finally:
            setattr(owner, attribute, original)

    def end_round(self) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self.rounds.append({"round": now - self.last, **self.current})
        self.current = defaultdict(float)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.current = defaultdict(float)

    def medians(self) -> dict:
        rounds = self.rounds[1:]  # the first round builds the booster's caches
        names = {name for r in rounds for name in r}
        return {name: statistics.median(r.get(name, 0.0) for r in rounds) for name in names}


class _XGBRoundCallback(xgboost.callback.TrainingCallback):
    def __init__(self, timers):
        self.timers = timers

    def before_training(self, model):
        self.timers.start()
        return model

    def after_iteration(self, model, epoch, evals_log):
        self.timers.end_round()
        return False


def fit_timed(booster: str, objective: str, X, y, rounds: int, n_jobs: int, gamma: float, classes: int) -> dict:
    timers = Timers()
    params = {"n_estimators": rounds, "n_jobs": n_jobs, "random_state": 0}
    alpha = 0.25 if classes == 2 and gamma > 0 else None
    with contextlib.ExitStack() as stack:
        stack.enter_context(timers.wrap(SklearnObjective, "__call__", "objective"))
        if booster == "lgbm":
            stack.enter_context(timers.wrap(lightgbm.Booster, "_Booster__inner_predict", "score copy"))
            params["verbose"] = -1
            if objective == "builtin":
                model = lightgbm.LGBMClassifier(**params)
            else:
                model = FocalLGBMClassifier(focal_gamma=gamma, focal_alpha=alpha, **params)
            timers.start()
            model.fit(X, y, callbacks=[lambda env: timers.end_round()])
        else:
            stack.enter_context(timers.wrap(xgboost.Booster, "predict", "score copy"))
            stack.enter_context(timers.wrap(xgboost.DMatrix, "get_label", "label copy"))
            params.update(max_depth=6, callbacks=[_XGBRoundCallback(timers)])
            if objective == "builtin":
                model = xgboost.XGBClassifier(**params)
            else:
                model = FocalXGBClassifier(focal_gamma=gamma, focal_alpha=alpha, **params)
            model.fit(X, y)
    medians = timers.medians()
    medians["booster"] = medians["round"] - sum(v for k, v in medians.items() if k != "round")
    if objective != "builtin":
        medians["objective alone"] = objective_alone(booster, model, y, n_jobs)
        medians["objective alone, 1 thread"] = objective_alone(booster, model, y, 1)
    return medians


def objective_alone(booster: str, model, y, n_jobs: int, calls: int = 20) -> float:
    """Median seconds of one objective call outside a fit, with the scores the booster would hand it."""
    k = len(model.classes_)
    objective = model._make_objective(model.loss_, k, n_jobs, offset=None)
    rng = np.random.default_rng(0)
    shape = len(y) if k == 2 else (len(y), k)
    # LightGBM: float64 scores, column-major for K classes; XGBoost: float32, row-major
    scores = rng.normal(size=shape)
    scores = np.asfortranarray(scores) if booster == "lgbm" else scores.astype(np.float32)
    labels = np.asarray(y, dtype=np.float32)
    objective(labels, scores)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        objective(labels, scores)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--multiclass-rows", type=int, default=100_000, help="0 to skip the 3-class rows")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--n-jobs", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)

    pieces = ["objective", "score copy", "label copy", "booster", "objective alone", "objective alone, 1 thread"]
    print(
        "| booster | rows | classes | objective | round (ms) | "
        + " | ".join(f"{p} (ms)" for p in pieces)
        + " | round less objective, ratio to built-in |"
    )
    print("|" + "---|" * (6 + len(pieces)))
    settings = [(args.rows, 2)] + ([(args.multiclass_rows, 3)] if args.multiclass_rows else [])
    for rows, classes in settings:
        X, y = make_data(rows, classes)
        for booster in ("lgbm", "xgb"):
            for objective, gamma in [("builtin", None), ("skfocal gamma=0", 0.0), ("skfocal gamma=2", 2.0)]:
                kind = "builtin" if gamma is None else "skfocal"
                fit_timed(booster, kind, X[:2000], y[:2000], 2, args.n_jobs, gamma or 0.0, classes)  # warm-up
                m = fit_timed(booster, kind, X, y, args.rounds, args.n_jobs, gamma or 0.0, classes)
                cells = [f"{1e3 * m[p]:.1f}" if p in m else "-" for p in pieces]
                if kind == "builtin":
                    builtin_round = m["round"]
                    cells = ["-", "-", "-", f"{1e3 * m['round']:.1f}", "-", "-"]
                floor = (m["round"] - m["objective"]) / builtin_round if gamma == 0.0 else None
                cells.append("-" if floor is None else f"{floor:.2f}x")
                print(
                    f"| {booster} | {rows:,} | {classes} | {objective} | {1e3 * m['round']:.1f} | "
                    + " | ".join(cells)
                    + " |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
