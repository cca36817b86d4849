"""
Serving a focal model with ONNX Runtime, posterior correction included
=======================================================================

A model is trained to be served, often where Python and skfocal are not installed. This
example trains a :class:`~skfocal.FocalLGBMClassifier` with ``posterior_correction=True``
inside a pipeline, converts it to ONNX with the converters that ``import skfocal.onnx``
registers, and serves the file with onnxruntime alone. The served probabilities are the
estimator's ``predict_proba``, correction included, down to probabilities far below 1e-3;
an export without the correction would serve the focal model's distorted sigmoid instead.
"""

# %%
# Train
# -----
# Imbalanced data (about 5% positives), a scaler and a focal model with the correction on.
import matplotlib.pyplot as plt
import numpy as np
from skl2onnx import to_onnx
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skfocal.onnx  # noqa: F401  (registers the ONNX converters of both estimators)
from skfocal import FocalLGBMClassifier

X, y = make_classification(n_samples=20_000, n_features=12, n_informative=6, weights=[0.95], random_state=0)
X = X.astype(np.float32)  # ONNX tree ensembles compare in float32
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

params = {"focal_gamma": 2.0, "focal_alpha": 0.25, "n_estimators": 200, "learning_rate": 0.05, "verbose": -1}
corrected = make_pipeline(StandardScaler(), FocalLGBMClassifier(posterior_correction=True, **params))
corrected.fit(X_train, y_train)
raw = make_pipeline(StandardScaler(), FocalLGBMClassifier(**params)).fit(X_train, y_train)

# %%
# Export
# ------
# ``to_onnx`` needs one row of the input to know its type and width. ``zipmap=False`` gives a
# probability matrix instead of one dictionary per row. The serialized model is what a service
# loads; it would usually be written to a file, ``Path("focal.onnx").write_bytes(...)``.
exported = {}
for name, model in {"corrected": corrected, "raw": raw}.items():
    onx = to_onnx(model, X_train[:1], options={"zipmap": False})
    exported[name] = onx.SerializeToString()
print("outputs:", [output.name for output in onx.graph.output])
print(f"size of the corrected model: {len(exported['corrected']) / 1024:.0f} KiB")

# %%
# Serve
# -----
# The serving side needs onnxruntime and numpy only.
import onnxruntime  # noqa: E402


def serve(model, rows):
    """Load a serialized ONNX model (bytes or a file name) and predict ``rows``."""
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    label, proba = session.run(None, {session.get_inputs()[0].name: rows})
    return label, proba


label, served = serve(exported["corrected"], X_test)
_, served_raw = serve(exported["raw"], X_test)
expected = corrected.predict_proba(X_test)
print(f"max |served - predict_proba|: {np.abs(served - expected).max():.1e}")
print(f"labels equal to predict:      {np.mean(label == corrected.predict(X_test)):.0%}")
print(f"mean P(class 1): served {served[:, 1].mean():.4f}, uncorrected export {served_raw[:, 1].mean():.4f}, "
      f"observed rate {y_test.mean():.4f}")  # fmt: skip

# %%
# What was served
# ---------------
# Left: the served probability of class 1 against the estimator's, on log axes, so that the
# agreement is visible for the small probabilities too. Right: what the correction changes,
# the corrected export against the uncorrected one on the same rows.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5))
left.loglog(expected[:, 1], served[:, 1], ".", markersize=3, alpha=0.5)
lims = [expected[:, 1].min() / 2, 1]
left.plot(lims, lims, color="grey", linestyle=":", linewidth=1)
left.set(
    xlabel="estimator predict_proba, P(class 1)",
    ylabel="onnxruntime, P(class 1)",
    title="ONNX export with posterior_correction=True",
)
right.loglog(served_raw[:, 1], served[:, 1], ".", markersize=3, alpha=0.5, color="C1")
right.plot(lims, lims, color="grey", linestyle=":", linewidth=1)
right.set(
    xlabel="uncorrected export (sigmoid of the margin)",
    ylabel="corrected export",
    title="What the correction changes",
)
fig.tight_layout()
plt.show()
