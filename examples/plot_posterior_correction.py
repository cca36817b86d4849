"""
Probabilities from a focal-loss model, raw and corrected
=========================================================

A model trained with the focal loss does not predict class probabilities: the loss pushes its
output towards 1/2, so the sigmoid of the margin is too high for the rare class and too low for
confident rows. The distortion can be inverted in closed form (Charoenphakdee et al., CVPR
2021), which ``posterior_correction=True`` does. This example draws a reliability diagram of a
log-loss model, a raw focal model and the corrected focal model on data whose true class
probabilities are known.
"""

# %%
# Data with known probabilities
# -----------------------------
# Four features, a non-linear log-odds, about 16% positives; the true probability of every row
# is known, so the models can be compared with the best possible log loss.
import matplotlib.pyplot as plt
import numpy as np
from lightgbm import LGBMClassifier
from scipy.special import expit
from sklearn.calibration import calibration_curve
from sklearn.metrics import log_loss

from skfocal import FocalLGBMClassifier

rng = np.random.default_rng(0)
X = rng.normal(size=(30_000, 4))
p_true = expit(1.5 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] * X[:, 3] - 2.0)
y = (rng.uniform(size=len(p_true)) < p_true).astype(int)
X_train, y_train, X_test, y_test = X[:20_000], y[:20_000], X[20_000:], y[20_000:]

# %%
# Three models on the same trees' budget
# --------------------------------------
params = {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15, "verbose": -1}
models = {
    "log loss (LGBMClassifier)": LGBMClassifier(**params),
    "focal, raw sigmoid": FocalLGBMClassifier(focal_gamma=2.0, focal_alpha=0.25, **params),
    "focal, posterior_correction=True": FocalLGBMClassifier(
        focal_gamma=2.0, focal_alpha=0.25, posterior_correction=True, **params
    ),
}
probabilities = {name: model.fit(X_train, y_train).predict_proba(X_test)[:, 1] for name, model in models.items()}

print(f"{'model':34s} held-out log loss")
print(f"{'true probabilities':34s} {log_loss(y_test, p_true[20_000:]):.4f}")
for name, prob in probabilities.items():
    print(f"{name:34s} {log_loss(y_test, prob):.4f}")

# %%
# Reliability diagram
# -------------------
# Each point is a bin of rows with similar predicted probability: its mean prediction against
# the observed rate of positives. A calibrated model lies on the diagonal.
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
for name, prob in probabilities.items():
    observed, predicted = calibration_curve(y_test, prob, n_bins=12, strategy="quantile")
    ax.plot(predicted, observed, marker="o", label=name)
ax.set_xlabel("mean predicted probability")
ax.set_ylabel("observed rate of positives")
ax.set_title("Focal loss distorts probabilities; the correction undoes it")
ax.legend(loc="upper left", fontsize="small")
fig.tight_layout()
plt.show()
