"""
Several labels per row: a multilabel focal model
=================================================

When each row can carry several labels at once (tags of a document, findings of a scan), the
target is a 0/1 indicator matrix ``Y`` of shape ``(n_samples, n_labels)``. ``XGBClassifier``
trains one logistic output per label column on such a ``Y``, and ``FocalXGBClassifier`` does the
same with the binary focal loss of each label: each label gets its own start score, and may get
its own ``focal_alpha`` and ``focal_gamma``. This example fits both on a multilabel data set whose
rarer labels are imbalanced, and compares them label by label on held-out rows, by a metric that
does not depend on the loss (average precision).
"""

# %%
# A multilabel data set
# ---------------------
# ``make_multilabel_classification`` draws rows with a few labels each out of six; the labels'
# frequencies differ, from common to rare.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

from skfocal import FocalXGBClassifier, focal_loss_score

X, Y = make_multilabel_classification(
    n_samples=3000, n_features=20, n_classes=6, n_labels=1, allow_unlabeled=True, random_state=3
)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.5, random_state=0)
print("share of rows with each label:", Y.mean(axis=0).round(3))

# %%
# Log loss and focal loss, one model each
# ---------------------------------------
# The same booster settings for all; ``focal_gamma=2`` for every label, and a per-label
# ``focal_alpha`` that gives each label's positives the weight ``1 - (share of positives)``
# (a float in (0, 1) per label). ``focal_gamma`` could be given per label the same way. The
# focal models return corrected probabilities (``posterior_correction=True``, label by label),
# so their log loss can be compared with the log-loss model's.
params = {"n_estimators": 100, "max_depth": 3, "learning_rate": 0.1, "n_jobs": 1}
alpha = (1.0 - Y_train.mean(axis=0)).round(2).tolist()
models = {
    "XGBClassifier (log loss)": XGBClassifier(**params),
    "FocalXGBClassifier, gamma=2": FocalXGBClassifier(focal_gamma=2.0, posterior_correction=True, **params),
    "FocalXGBClassifier, gamma=2, alpha per label": FocalXGBClassifier(
        focal_gamma=2.0, focal_alpha=alpha, posterior_correction=True, **params
    ),
}
scores = {}
for name, model in models.items():
    model.fit(X_train, Y_train)
    proba = model.predict_proba(X_test)  # (n_samples, n_labels): each label's probability
    scores[name] = [average_precision_score(Y_test[:, j], proba[:, j]) for j in range(Y.shape[1])]
    print(
        f"{name:46s} mean average precision {np.mean(scores[name]):.4f}, "
        f"log loss per label {focal_loss_score(Y_test, proba, gamma=0.0):.4f}"
    )

# %%
# The focal model's start score is each label's own optimum, stored in the model (XGBoost's
# vector ``base_score``), and ``predict`` marks a label present where its probability exceeds 1/2.
focal = models["FocalXGBClassifier, gamma=2, alpha per label"]
print("start score per label:", focal.init_score_.round(3))
print("predict, first rows:\n", focal.predict(X_test[:3]))

# %%
# Label by label
# --------------
# Whether the focal loss helps varies from label to label and from data set to data set; on
# many tabular problems it does not beat the log loss. Compare on your own data before you choose.
labels = np.arange(Y.shape[1])
width = 0.8 / len(scores)
fig, ax = plt.subplots(figsize=(7, 3.5))
for i, (name, values) in enumerate(scores.items()):
    ax.bar(labels + (i - 1) * width, values, width, label=name)
ax.set_xticks(labels, [f"label {j}\n({Y.mean(axis=0)[j]:.0%})" for j in labels])
ax.set_ylabel("average precision (held out)")
ax.set_ylim(0, 1)
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()
