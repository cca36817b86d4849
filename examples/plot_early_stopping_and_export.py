"""
Early stopping, and serving the exported booster
================================================

Both focal estimators keep their booster's habits: an eval set is scored with the focal loss at
every round, early stopping watches that score, and the fitted model is a plain LightGBM or
XGBoost booster. This example stops training early, plots the logged validation loss, saves
the native models, loads them back without skfocal and checks that they predict exactly what
the estimators predict: the focal loss's start score is folded into the model, so there is no
offset to add when serving. Last, it recovers class probabilities from the served output with
:func:`skfocal.focal_posterior`.
"""

# %%
# Data: train, validation (for early stopping) and test
# -----------------------------------------------------
import tempfile
from pathlib import Path

import lightgbm
import matplotlib.pyplot as plt
import numpy as np
import xgboost
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from skfocal import FocalLGBMClassifier, FocalXGBClassifier, focal_posterior

X, y = make_classification(
    n_samples=12_000, n_features=20, n_informative=6, weights=[0.95], flip_y=0.01, random_state=0
)
X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=0)
print(f"train {len(y_train)}, validation {len(y_val)}, test {len(y_test)} rows; {y.mean():.1%} positives")

# %%
# Early stopping on the focal loss of the validation set
# ------------------------------------------------------
# Up to 1000 rounds; training stops once the validation focal loss has not improved for 20
# rounds. LightGBM takes its ``early_stopping`` callback, XGBoost its ``early_stopping_rounds``
# parameter, exactly as with their own classifiers. Both use the default ``focal_gamma=2``;
# ``focal_alpha=0.25`` weights the rare class as in the focal-loss paper.
focal = {"focal_gamma": 2.0, "focal_alpha": 0.25}
lgbm = FocalLGBMClassifier(n_estimators=1000, learning_rate=0.1, verbose=-1, n_jobs=1, **focal)
lgbm.fit(X_train, y_train, eval_set=[(X_val, y_val)], callbacks=[lightgbm.early_stopping(20, verbose=False)])

xgbm = FocalXGBClassifier(n_estimators=1000, learning_rate=0.1, early_stopping_rounds=20, n_jobs=1, **focal)
xgbm.fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)

curves = {
    "FocalLGBMClassifier": (lgbm.evals_result_["valid_0"]["focal_loss"], lgbm.best_iteration_),
    # XGBoost counts rounds from 0, LightGBM from 1; store the number of trees kept for both.
    "FocalXGBClassifier": (xgbm.evals_result()["validation_0"]["focal_loss"], xgbm.best_iteration + 1),
}
for name, (curve, n_best) in curves.items():
    print(
        f"{name:20s} stopped after {len(curve)} rounds, best at round {n_best}: "
        f"validation focal loss {curve[n_best - 1]:.5f}"
    )

# %%
# The logged validation loss
# --------------------------
# The logged value is the focal loss (``gamma=2, alpha=0.25``) of the validation set after each
# round; the dashed line is the round early stopping kept. The two boosters grow different
# trees (leaf-wise against depth-wise), so their curves differ in speed, not in kind.
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, (curve, n_best)), color in zip(curves.items(), ["tab:green", "tab:blue"], strict=True):
    rounds = np.arange(1, len(curve) + 1)
    ax.plot(rounds, curve, color=color, label=name)
    ax.axvline(n_best, color=color, linestyle="--", linewidth=1)
    ax.plot(n_best, curve[n_best - 1], marker="o", color=color, linestyle="none", label=f"  kept: {n_best} rounds")
ax.set_xlabel("boosting round")
ax.set_ylabel("validation focal loss (γ=2, α=0.25)")
ax.set_title("Early stopping on the focal loss of an eval set")
ax.legend()
fig.tight_layout()

# %%
# Save the native models and serve them without skfocal
# -----------------------------------------------------
# ``booster_`` and ``get_booster()`` are the boosters themselves. Saved and loaded back with
# LightGBM's and XGBoost's own classes, they give raw margins; the sigmoid of those margins is
# the estimator's ``predict_proba``, with no start score to add, although the models start far
# from 0 (``init_score_``, printed below). Only the best rounds are used. XGBoost computes
# margins in float32, so its agreement is to float32 precision.
with tempfile.TemporaryDirectory() as tmp:
    lgbm_path, xgb_path = Path(tmp) / "focal_lgbm.txt", Path(tmp) / "focal_xgb.json"
    lgbm.booster_.save_model(lgbm_path)
    xgbm.get_booster().save_model(xgb_path)

    served_lgbm = lightgbm.Booster(model_file=lgbm_path)
    served_xgb = xgboost.Booster(model_file=xgb_path)
    served = {
        "FocalLGBMClassifier": expit(served_lgbm.predict(X_test, raw_score=True, num_iteration=lgbm.best_iteration_)),
        "FocalXGBClassifier": expit(
            served_xgb.predict(
                xgboost.DMatrix(X_test), output_margin=True, iteration_range=(0, xgbm.best_iteration + 1)
            )
        ),
    }

estimators = {"FocalLGBMClassifier": lgbm, "FocalXGBClassifier": xgbm}
print("\nstart scores folded into the saved models (margin before the first tree):")
for name, estimator in estimators.items():
    print(f"  {name:20s} init_score_ = {estimator.init_score_:.4f}")
print("\nserved booster vs estimator, max |expit(margin) - predict_proba[:, 1]| on the test set:")
for name, estimator in estimators.items():
    difference = np.max(np.abs(served[name] - estimator.predict_proba(X_test)[:, 1]))
    print(f"  {name:20s} {difference:.2e}")

# %%
# Class probabilities from the served output
# ------------------------------------------
# The sigmoid of a focal-trained margin is pulled towards 1/2, so it is not a class
# probability. ``focal_posterior`` inverts that in closed form from the served probabilities,
# given the ``gamma`` and ``alpha`` the model was trained with. It gives what the estimator
# returns with ``posterior_correction=True`` (a flag that changes prediction only, so the
# refitted models below grow the same trees).
print("\nfocal_posterior(served, gamma=2, alpha=0.25) vs posterior_correction=True, max abs difference:")
corrected = {}
for name, estimator in estimators.items():
    corrected_estimator = clone(estimator).set_params(posterior_correction=True)
    fit_params = {"eval_set": [(X_val, y_val)]}
    if name == "FocalLGBMClassifier":
        fit_params["callbacks"] = [lightgbm.early_stopping(20, verbose=False)]
    else:
        fit_params["verbose"] = False
    corrected_estimator.fit(X_train, y_train, **fit_params)
    corrected[name] = focal_posterior(served[name], gamma=2.0, alpha=0.25)[:, 1]
    difference = np.max(np.abs(corrected[name] - corrected_estimator.predict_proba(X_test)[:, 1]))
    print(f"  {name:20s} {difference:.2e}")

# %%
# The correction, drawn
# ---------------------
# Each test row: its served probability (sigmoid of the margin) against the corrected class
# probability. The focal loss squeezes the served probabilities towards the middle; the
# correction spreads them out again over (0, 1). It is monotone, so rankings (ROC AUC, average
# precision) do not change.
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="no correction")
for (name, prob), marker, color in zip(served.items(), ["o", "x"], ["tab:green", "tab:blue"], strict=True):
    ax.scatter(prob, corrected[name], s=12, marker=marker, color=color, alpha=0.6, label=name)
ax.set_xlabel("served probability, expit(raw margin)")
ax.set_ylabel("focal_posterior(served, gamma=2, alpha=0.25)")
ax.set_title("From the served booster to class probabilities")
ax.legend(loc="upper left", fontsize="small")
fig.tight_layout()
plt.show()
