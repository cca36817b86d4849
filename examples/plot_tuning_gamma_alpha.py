"""
Tuning focal_gamma and focal_alpha with GridSearchCV
====================================================

``focal_gamma`` and ``focal_alpha`` are ordinary hyper-parameters of
:class:`skfocal.FocalLGBMClassifier`, so ``GridSearchCV`` tunes them like any other. The one
thing to get right is the score: a focal-loss scorer whose ``gamma`` follows the candidate's
``focal_gamma`` always picks the largest gamma, whatever the data. This example shows that trap
with numbers, then the two right ways: a gamma-free metric (average precision) and a focal-loss
scorer with one fixed reference gamma for every candidate.
"""

# %%
# An imbalanced data set
# ----------------------
# 6000 rows, about 5% positives and 1% of the labels flipped.
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, cross_val_predict

from skfocal import FocalLGBMClassifier
from skfocal.metrics import focal_loss_score, make_focal_loss_scorer

X, y = make_classification(n_samples=6000, weights=[0.95], flip_y=0.01, random_state=0)
print(f"{len(y)} rows, {y.mean():.1%} positives")

gammas = [0.0, 0.5, 1.0, 2.0, 5.0]
alphas = [None, 0.25, "balanced"]
grid = {"focal_gamma": gammas, "focal_alpha": alphas}
# On a small data set one thread per fit is fastest: the search runs two fits at a time
# (``GridSearchCV(n_jobs=2)``) rather than letting each fit's threads compete for the cores.
model = FocalLGBMClassifier(n_estimators=100, verbose=-1, n_jobs=1)


# %%
# The trap: a focal-loss scorer whose gamma follows the candidate
# ---------------------------------------------------------------
# This scorer measures each candidate with its own ``focal_gamma`` (and no class weights), which
# looks natural: "score the model with the loss it was trained for". We compute it next to the
# two right scores in one search, so that all three see the same fitted models on the same
# held-out folds.
def focal_loss_with_own_gamma(estimator, X, y):
    """Negated held-out focal loss, with the gamma of the candidate itself (do not do this)."""
    return -focal_loss_score(y, estimator.predict_proba(X), gamma=estimator.focal_gamma)


scoring = {
    "average_precision": "average_precision",
    "focal_loss_gamma_1": make_focal_loss_scorer(gamma=1.0),
    "focal_loss_own_gamma": focal_loss_with_own_gamma,
}
search = GridSearchCV(model, grid, scoring=scoring, refit="average_precision", cv=3, n_jobs=2)
search.fit(X, y)
results = search.cv_results_


def mean_score(name: str) -> np.ndarray:
    """Mean held-out score of every candidate as a (gamma, alpha) table; losses made positive again."""
    table = np.empty((len(gammas), len(alphas)))
    for gamma, alpha, score in zip(
        results["param_focal_gamma"], results["param_focal_alpha"], results[f"mean_test_{name}"], strict=True
    ):
        table[gammas.index(gamma), [repr(a) for a in alphas].index(repr(alpha))] = score
    return table if name == "average_precision" else -table


ap = mean_score("average_precision")
loss_gamma_1 = mean_score("focal_loss_gamma_1")
loss_own_gamma = mean_score("focal_loss_own_gamma")

print("\nmean held-out scores over 3 folds")
print(f"{'focal_gamma':>11s} {'focal_alpha':>11s} {'avg precision':>13s} {'FL(gamma=1)':>11s} {'FL(own gamma)':>13s}")
for i, gamma in enumerate(gammas):
    for j, alpha in enumerate(alphas):
        print(
            f"{gamma:>11g} {alpha!s:>11s} {ap[i, j]:>13.4f} {loss_gamma_1[i, j]:>11.4f} {loss_own_gamma[i, j]:>13.4f}"
        )

trap_best = search.cv_results_["params"][int(np.argmin(results["rank_test_focal_loss_own_gamma"]))]
print(f"\nthe trap picks {trap_best}: the largest gamma in the grid")
for j, alpha in enumerate(alphas):
    decreasing = bool(np.all(np.diff(loss_own_gamma[:, j]) < 0))
    print(f"  focal_alpha={alpha!s:>8s}: own-gamma loss falls with every step up in gamma: {decreasing}")

# %%
# Why: a larger gamma gives a smaller loss for the very same predictions
# ----------------------------------------------------------------------
# :math:`(1 - p_t)^\gamma \le 1` shrinks as gamma grows, for every row. Keep the predictions of a
# single model (here its 3-fold held-out predictions) fixed and only change the gamma of the
# score: the "loss" still drops. The trap measures the scorer, not the model.
fixed_proba = cross_val_predict(clone(model).set_params(focal_gamma=0.0), X, y, cv=3, method="predict_proba")
print("\nheld-out predictions of one model (focal_gamma=0), scored with different gammas:")
for gamma in gammas:
    print(f"  focal_loss_score(gamma={gamma:g}) = {focal_loss_score(y, fixed_proba, gamma=gamma):.4f}")

# %%
# The right ways
# --------------
# Select with a metric that does not depend on gamma, such as average precision, or with one
# focal loss whose gamma and alpha stay fixed for every candidate. The search above was refitted
# on average precision, so its ``best_params_`` are the first choice. On its own,
# ``GridSearchCV(model, grid, scoring=make_focal_loss_scorer(gamma=1.0), cv=3)`` fits the same
# candidates on the same folds and sets ``best_params_`` to the candidate ranked first by that
# score, which the search above has already computed; pass ``refit="focal_loss_gamma_1"`` to
# have it refitted instead.
ap_std = results["std_test_average_precision"][search.best_index_]
fixed_best = int(np.argmin(results["rank_test_focal_loss_gamma_1"]))
print(f"\nscoring='average_precision'               best_params_ = {search.best_params_}")
print(f"  mean held-out average precision {search.best_score_:.4f} (std over folds {ap_std:.4f});")
print(f"  over the whole grid it ranges {ap.min():.4f} .. {ap.max():.4f}")
print(f"scoring=make_focal_loss_scorer(gamma=1.0)  best_params_ = {results['params'][fixed_best]}")
print(f"  mean held-out focal loss (gamma=1) {-results['mean_test_focal_loss_gamma_1'][fixed_best]:.4f}")

# %%
# The grid, and what each scorer chooses
# --------------------------------------
# Left: mean held-out average precision over the grid, the cell ``GridSearchCV`` chose boxed.
# Mind the colour scale: it spans only the range printed above, so small differences look large;
# weigh them against the fold-to-fold standard deviation before trusting the choice. Right: the
# two focal-loss scores against gamma.
# The one whose gamma follows the candidate falls steadily, so it always points at the end of the
# grid whatever the models are worth; the fixed reference loss compares the candidates on one
# scale, and its choice is starred.
fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1, 1.25]})

image = ax_map.imshow(ap, cmap="viridis", aspect="auto")
for i in range(len(gammas)):
    for j in range(len(alphas)):
        color = "black" if ap[i, j] > ap.min() + 0.6 * np.ptp(ap) else "white"
        ax_map.text(j, i, f"{ap[i, j]:.3f}", ha="center", va="center", color=color)
best_i = gammas.index(search.best_params_["focal_gamma"])
best_j = [repr(a) for a in alphas].index(repr(search.best_params_["focal_alpha"]))
ax_map.add_patch(
    Rectangle(
        (best_j - 0.5, best_i - 0.5),
        1,
        1,
        fill=False,
        edgecolor="red",
        linewidth=3,
        label="chosen by average precision (best_params_)",
    )
)
ax_map.set_xticks(range(len(alphas)), [str(a) for a in alphas])
ax_map.set_yticks(range(len(gammas)), [f"{g:g}" for g in gammas])
ax_map.set_xlabel("focal_alpha")
ax_map.set_ylabel("focal_gamma")
ax_map.set_title(f"Mean held-out average precision (3-fold CV)\ncolour range {ap.min():.3f} .. {ap.max():.3f}")
ax_map.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
fig.colorbar(image, ax=ax_map, label="average precision")

colors = plt.cm.tab10(np.arange(len(alphas)))
for j, (alpha, color) in enumerate(zip(alphas, colors, strict=True)):
    ax_loss.plot(gammas, loss_own_gamma[:, j], marker="o", color=color, label=f"own gamma, focal_alpha={alpha}")
    ax_loss.plot(
        gammas, loss_gamma_1[:, j], marker="s", linestyle="--", color=color, label=f"fixed gamma=1, focal_alpha={alpha}"
    )
fixed_i = gammas.index(results["params"][fixed_best]["focal_gamma"])
fixed_j = [repr(a) for a in alphas].index(repr(results["params"][fixed_best]["focal_alpha"]))
ax_loss.plot(
    gammas[fixed_i],
    loss_gamma_1[fixed_i, fixed_j],
    marker="*",
    markersize=18,
    color="red",
    linestyle="none",
    label="chosen by the fixed gamma=1 scorer",
    zorder=3,
)
ax_loss.annotate(
    "the own-gamma scorer\nalways picks the end",
    (gammas[-1], loss_own_gamma[:, -1].min()),
    xytext=(3.0, 0.03),
    arrowprops={"arrowstyle": "->"},
)
ax_loss.set_xlabel("candidate's focal_gamma")
ax_loss.set_ylabel("mean held-out focal loss (lower looks better)")
ax_loss.set_title("Scorer's gamma following the candidate vs fixed")
ax_loss.legend(fontsize="small")
fig.tight_layout()
plt.show()
