"""skfocal: focal loss for LightGBM and XGBoost as scikit-learn estimators."""

from ._lgbm import FocalLGBMClassifier
from ._loss import BinaryFocalLoss, MulticlassFocalLoss, MultilabelFocalLoss, focal_posterior
from ._xgb import FocalXGBClassifier
from .metrics import focal_loss_score, make_focal_loss_scorer

__version__ = "0.1.0"

__all__ = [
    "BinaryFocalLoss",
    "FocalLGBMClassifier",
    "FocalXGBClassifier",
    "MulticlassFocalLoss",
    "MultilabelFocalLoss",
    "focal_posterior",
    "focal_loss_score",
    "make_focal_loss_scorer",
    "__version__",
]
