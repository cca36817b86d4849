"""Quickstart: focal-loss LightGBM and XGBoost next to their log-loss selves on imbalanced data.

Run with ``python examples/quickstart.py``; it prints a small table of held-out metrics.
"""

from lightgbm import LGBMClassifier
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, log_loss
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

from skfocal import FocalLGBMClassifier, FocalXGBClassifier, focal_loss_score

X, y = make_classification(
    n_samples=20_000, n_features=20, n_informative=6, weights=[0.97], flip_y=0.01, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, test_size=0.3, random_state=0)

models = {
    "LGBMClassifier (log loss)": LGBMClassifier(n_estimators=200, learning_rate=0.05, verbose=-1),
    "FocalLGBMClassifier": FocalLGBMClassifier(
        focal_gamma=2.0, focal_alpha=0.25, n_estimators=200, learning_rate=0.05, verbose=-1
    ),
    "XGBClassifier (log loss)": XGBClassifier(n_estimators=200, learning_rate=0.05, max_depth=4),
    "FocalXGBClassifier": FocalXGBClassifier(
        focal_gamma=2.0, focal_alpha=0.25, n_estimators=200, learning_rate=0.05, max_depth=4
    ),
}

print(f"{'model':28s} {'avg precision':>13s} {'log loss':>9s} {'focal loss':>10s}")
for name, model in models.items():
    proba = model.fit(X_train, y_train).predict_proba(X_test)
    ap = average_precision_score(y_test, proba[:, 1])
    ll = log_loss(y_test, proba)
    fl = focal_loss_score(y_test, proba, gamma=2.0)
    print(f"{name:28s} {ap:13.4f} {ll:9.4f} {fl:10.4f}")
