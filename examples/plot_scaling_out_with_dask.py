"""
Scaling out with Dask
=====================

The focal estimators train on a Dask cluster through LightGBM's and XGBoost's own Dask
interfaces. This example starts a small local cluster (two workers, as threads of this
process), trains :class:`~skfocal.dask.FocalDaskLGBMClassifier` on data split into four chunks,
and compares it with the local :class:`~skfocal.FocalLGBMClassifier` on the same data. On a real
cluster only the ``Client`` line changes: ``Client("tcp://scheduler:8786")``. The user guide's
:ref:`dask` page has the same as a script with worker processes.
"""

# %%
# A local cluster and data in chunks
# ----------------------------------
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score

from skfocal import FocalLGBMClassifier
from skfocal.dask import FocalDaskLGBMClassifier

# Two workers in this process (threads), so the example also runs inside the documentation
# build; a real cluster runs its workers as separate processes on other machines.
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
client = Client(cluster)

X, y = make_classification(n_samples=20_000, n_features=10, weights=[0.95], flip_y=0.01, random_state=0)
dX, dy = da.from_array(X, chunks=5_000), da.from_array(y, chunks=5_000)
print(f"{dX.numblocks[0]} chunks of {dX.chunksize[0]} rows, {y.mean():.1%} positives")

# %%
# Distributed and local training, same parameters
# ------------------------------------------------
params = {"focal_gamma": 2.0, "focal_alpha": 0.25, "n_estimators": 100, "verbose": -1}
distributed_model = FocalDaskLGBMClassifier(client=client, **params).fit(dX, dy)
local_model = FocalLGBMClassifier(**params).fit(X, y)

proba_distributed = distributed_model.predict_proba(dX).compute()[:, 1]  # computed on the workers
proba_local = local_model.predict_proba(X)[:, 1]
print(f"start score: distributed {distributed_model.init_score_:.6f}, local {local_model.init_score_:.6f}")
print(f"mean |difference| of probabilities: {np.abs(proba_distributed - proba_local).mean():.4f}")
print(
    f"average precision (training data): distributed {average_precision_score(y, proba_distributed):.4f}, "
    f"local {average_precision_score(y, proba_local):.4f}"
)

# to_local() is the distributed model in memory, to save or serve without a cluster.
in_memory = distributed_model.to_local()
print("to_local() predicts identically:", np.array_equal(in_memory.predict_proba(X)[:, 1], proba_distributed))

# %%
# Distributed against local
# -------------------------
# Data-parallel training builds its histograms per worker, so the two models can differ a
# little (in the package's tests, by less than 0.03 on average); the scatter shows how much.
fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(proba_local, proba_distributed, s=3, alpha=0.3)
ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
ax.set_xlabel("local FocalLGBMClassifier")
ax.set_ylabel("FocalDaskLGBMClassifier (2 workers)")
ax.set_title("Predicted probabilities, same data and parameters")
fig.tight_layout()
plt.show()

client.close()
cluster.close()
