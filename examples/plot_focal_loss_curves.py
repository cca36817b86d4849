"""
The focal loss against the probability of the true class
========================================================

The focal loss of Lin et al. (2017) multiplies the cross-entropy of a row by
:math:`(1 - p_t)^\\gamma`, where :math:`p_t` is the probability the model gives to the row's true
class. Rows the model already gets right (``p_t`` near 1) then contribute almost nothing, and
training concentrates on the hard ones. This example redraws Figure 1 of the paper with the
loss that skfocal trains with, shows how strongly well-classified rows are down-weighted, and
how the gradient a booster sees changes with ``gamma``.
"""

# %%
# The loss of one row, from its margin
# ------------------------------------
# :class:`skfocal.BinaryFocalLoss` works on raw scores (margins, log-odds), as a booster does. A
# row of class 1 whose predicted probability is ``p_t`` has the margin ``logit(p_t)``, so the
# curve of the paper is ``BinaryFocalLoss(gamma=g).loss(ones, logit(p_t))``. With ``gamma=0``
# this is the cross-entropy (log loss).
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import logit

from skfocal import BinaryFocalLoss

gammas = [0.0, 0.5, 1.0, 2.0, 5.0]
p_t = np.linspace(0.001, 0.999, 999)
ones = np.ones_like(p_t)
margin = logit(p_t)

curves = {g: BinaryFocalLoss(gamma=g).loss(ones, margin) for g in gammas}
gradients = {g: BinaryFocalLoss(gamma=g).gradient_hessian(ones, margin)[0] for g in gammas}


def label(g: float) -> str:
    return "γ = 0 (cross-entropy)" if g == 0 else f"γ = {g:g}"


# %%
# How much of the cross-entropy is left
# -------------------------------------
# The paper's example: at ``p_t = 0.9`` a focal loss with ``gamma=2`` keeps 1/100 of the
# cross-entropy, and at ``p_t = 0.968`` about 1/1000. The ratio FL / CE is
# :math:`(1 - p_t)^\gamma`; the table computes it from the losses themselves.
checkpoints = np.array([0.5, 0.9, 0.968, 0.99])
cross_entropy = BinaryFocalLoss(gamma=0.0).loss(np.ones(len(checkpoints)), logit(checkpoints))

print("focal loss / cross-entropy at p_t =")
print(f"{'gamma':>6s}" + "".join(f"{p:>12g}" for p in checkpoints))
for g in gammas[1:]:
    ratio = BinaryFocalLoss(gamma=g).loss(np.ones(len(checkpoints)), logit(checkpoints)) / cross_entropy
    print(f"{g:>6g}" + "".join(f"{r:>12.3g}" for r in ratio))
ratio_09, ratio_0968 = BinaryFocalLoss(gamma=2.0).loss(np.ones(2), logit([0.9, 0.968])) / BinaryFocalLoss(
    gamma=0.0
).loss(np.ones(2), logit([0.9, 0.968]))
print(f"gamma=2: p_t=0.9 keeps 1/{1 / ratio_09:.0f} of the cross-entropy, p_t=0.968 keeps 1/{1 / ratio_0968:.0f}")

# %%
# Figure 1 of the paper, the ratio, and the gradient
# --------------------------------------------------
# Left: the loss itself; every curve starts at the cross-entropy for badly misclassified rows
# and drops towards 0 much faster as ``p_t`` grows. Middle: the ratio FL / CE on a log scale,
# with the paper's two checkpoints. Right: the size of the gradient with respect to the margin,
# which is what a booster fits its trees to: with ``gamma > 0`` easy rows push much less (at
# ``gamma=5`` even rows near ``p_t = 0.5`` do), while badly misclassified rows (``p_t`` below
# about 0.2) push slightly harder than with the cross-entropy.
colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(gammas)))
fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))

ax = axes[0]
for g, color in zip(gammas, colors, strict=True):
    ax.plot(p_t, curves[g], color=color, linewidth=2, label=label(g))
ax.axvspan(0.6, 1.0, color="grey", alpha=0.12, label="well-classified rows")
ax.set_xlim(0, 1)
ax.set_ylim(0, 5)
ax.set_xlabel("probability of the true class $p_t$")
ax.set_ylabel("loss")
ax.set_title("Focal loss, $-(1 - p_t)^\\gamma \\log p_t$")
ax.legend(fontsize="small")

ax = axes[1]
for g, color in zip(gammas[1:], colors[1:], strict=True):
    ax.plot(p_t, curves[g] / curves[0.0], color=color, linewidth=2, label=label(g))
for p, ratio in [(0.9, ratio_09), (0.968, ratio_0968)]:
    ax.plot(p, ratio, marker="o", color="black", zorder=3)
    ax.annotate(
        f"γ = 2, $p_t$ = {p:g}: 1/{1 / ratio:.0f}",
        (p, ratio),
        xytext=(-150, -4),
        textcoords="offset points",
        fontsize=9,
    )
ax.set_yscale("log")
ax.set_xlim(0, 1)
ax.set_ylim(1e-6, 2)
ax.set_xlabel("probability of the true class $p_t$")
ax.set_ylabel("focal loss / cross-entropy (log scale)")
ax.set_title("Share of the cross-entropy that is kept")
ax.legend(fontsize="small", loc="lower left")

ax = axes[2]
for g, color in zip(gammas, colors, strict=True):
    ax.plot(p_t, np.abs(gradients[g]), color=color, linewidth=2, label=label(g))
ax.set_xlim(0, 1)
ax.set_ylim(bottom=0)
ax.set_xlabel("probability of the true class $p_t$")
ax.set_ylabel("|d loss / d margin|")
ax.set_title("Gradient a booster fits its trees to")
ax.legend(fontsize="small")

fig.tight_layout()
plt.show()
