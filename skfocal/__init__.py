"""skfocal: focal loss for LightGBM and XGBoost as scikit-learn estimators."""

from ._lgbm import FocalLGBMClassifier
from ._loss import BinaryFocalLoss
from ._xgb import FocalXGBClassifier

__version__ = "0.1.0"

__all__ = ["BinaryFocalLoss", "FocalLGBMClassifier", "FocalXGBClassifier", "__version__"]
