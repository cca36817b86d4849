"""
Focal loss against SMOTE and class weighting
============================================

The usual ways to handle an imbalanced target with a gradient-boosting model are class weights
(``is_unbalance`` / ``scale_pos_weight``) and oversampling with SMOTE from imbalanced-learn.
Focal loss is one more. This example compares them the fair way: the same booster settings,
the same stratified folds (``cross_val_score`` with one ``StratifiedKFold`` object), the same
metric, on a real data set that ships with skfocal (yeast4: 1484 proteins, 3.4% positives).
"""

# %%
# Data and the shared folds
# -------------------------
import matplotlib.pyplot as plt
import numpy as np
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from lightgbm import LGBMClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score

from skfocal import FocalLGBMClassifier
from skfocal.datasets import load_yeast4

X, y = load_yeast4(return_X_y=True)
print(f"{len(y)} rows, {y.mean():.1%} positives")
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)  # every model gets these folds

# %%
# Five ways to train the same booster
# -----------------------------------
params = {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 15, "verbose": -1, "random_state": 0, "n_jobs": 1}
models = {
    "log loss": LGBMClassifier(**params),
    "class weights": LGBMClassifier(is_unbalance=True, **params),
    "SMOTE": make_pipeline(SMOTE(random_state=0), LGBMClassifier(**params)),
    "focal, gamma=2": FocalLGBMClassifier(focal_gamma=2.0, **params),
    "focal, gamma=1, balanced": FocalLGBMClassifier(focal_gamma=1.0, focal_alpha="balanced", **params),
}
scores = {name: cross_val_score(model, X, y, cv=folds, scoring="average_precision") for name, model in models.items()}
for name, values in scores.items():
    print(f"{name:26s} average precision {values.mean():.3f} ± {values.std():.3f}")

# %%
# Fold by fold
# ------------
# Means hide how much the folds disagree. Each line is one fold; the spread between folds is
# usually larger than the differences between methods, which is the honest summary of most
# comparisons on small imbalanced data.
fig, ax = plt.subplots(figsize=(7, 4.5))
names = list(scores)
matrix = np.array([scores[name] for name in names])
for fold in range(matrix.shape[1]):
    ax.plot(names, matrix[:, fold], color="grey", alpha=0.5, marker="o")
ax.plot(names, matrix.mean(axis=1), color="black", linewidth=2.5, marker="s", label="mean over folds")
ax.set_ylabel("average precision (held-out fold)")
ax.set_title("yeast4: five ways to handle imbalance, same folds")
ax.tick_params(axis="x", rotation=20)
ax.legend()
fig.tight_layout()
plt.show()
