"""Which Hessian safeguard to hand the booster: a side-by-side measurement.

The exact focal-loss Hessian is negative for badly misclassified rows. This script trains
LightGBM (native API, same data, folds and parameters) with three choices of Hessian and
prints the held-out mean focal loss (the training objective; lower is better), average
precision and log loss of the sigmoid of the margin, averaged over data sets and folds:

- ``abs``: ``max(|h|, 1e-16)``, what skfocal uses;
- ``clip``: ``max(h, 1e-16)``, a positive floor only;
- ``exact``: the signed Hessian, unguarded (what the published recipes do).

Run: ``python benchmarks/bench_hessian_guard.py`` (about 3 minutes on 2 cores).
"""

import itertools

import lightgbm as lgb
import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, log_loss
from sklearn.model_selection import StratifiedKFold

from skfocal import BinaryFocalLoss
from skfocal._loss import HESSIAN_FLOOR


class GuardedLoss(BinaryFocalLoss):
    """BinaryFocalLoss with a chosen Hessian safeguard (for this comparison only)."""

    def __init__(self, guard, alpha=None, gamma=2.0):
        super().__init__(alpha=alpha, gamma=gamma)
        self.guard = guard

    def __call__(self, raw_score, dataset):
        y = dataset.get_label()
        grad, _ = self.gradient_hessian(y, raw_score)
        hess = self.hessian_exact(y, raw_score)
        if self.guard == "abs":
            hess = np.maximum(np.abs(hess), HESSIAN_FLOOR)
        elif self.guard == "clip":
            hess = np.maximum(hess, HESSIAN_FLOOR)
        return grad, hess


DATASETS = {
    f"synthetic pos={w:.0%} noise={f:.0%}": dict(weights=[1 - w], flip_y=f)
    for w, f in [(0.05, 0.01), (0.02, 0.03), (0.05, 0.2)]
}
# LightGBM's defaults, and small leaves, where a few badly misclassified rows can dominate a leaf.
TREES = {"default leaves": {}, "small leaves": {"min_child_samples": 2, "min_child_weight": 1e-5}}
GUARDS = ["abs", "clip", "exact"]
SETTINGS = [(2.0, 0.25), (2.0, None), (5.0, None)]


def main():
    rows = {}
    for tree in TREES:
        for gamma, alpha in SETTINGS:
            for guard in GUARDS:
                rows[(tree, gamma, alpha, guard)] = []
    for spec in DATASETS.values():
        X, y = make_classification(n_samples=10_000, n_features=20, n_informative=8, random_state=0, **spec)
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
        for train, test in folds.split(X, y):
            for (tree, tree_params), (gamma, alpha), guard in itertools.product(TREES.items(), SETTINGS, GUARDS):
                loss = GuardedLoss(guard, alpha=alpha, gamma=gamma)
                z0 = loss.init_score(y[train])
                data = lgb.Dataset(X[train], y[train], init_score=np.full(len(train), z0))
                params = {"objective": loss, "verbose": -1, "learning_rate": 0.1, "num_threads": 2, **tree_params}
                booster = lgb.train(params, data, num_boost_round=200)
                margin = booster.predict(X[test], raw_score=True) + z0
                finite = np.all(np.isfinite(margin))
                margin = np.clip(np.nan_to_num(margin, nan=0.0), -50, 50)
                p = 1 / (1 + np.exp(-margin))
                rows[(tree, gamma, alpha, guard)].append(
                    (
                        loss.loss(y[test], margin).mean(),
                        average_precision_score(y[test], margin),
                        log_loss(y[test], p),
                        finite,
                    )
                )
    print("| trees | gamma | alpha | Hessian | focal loss (held out) | average precision | log loss | finite runs |")
    print("|---|---|---|---|---|---|---|---|")
    for (tree, gamma, alpha, guard), results in rows.items():
        r = np.array(results, dtype=float)
        print(
            f"| {tree} | {gamma:g} | {alpha} | {guard} | {r[:, 0].mean():.5f} | {r[:, 1].mean():.4f} "
            f"| {r[:, 2].mean():.4f} | {int(r[:, 3].sum())}/{len(r)} |"
        )
    print(f"\nMeans over {len(DATASETS)} data sets x 3 folds; 200 rounds, learning rate 0.1.")


if __name__ == "__main__":
    main()
