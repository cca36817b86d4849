"""skfocal.dask on a two-process LocalCluster: the distributed model against the local one."""

import pickle

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from skfocal.dask import FocalDaskLGBMClassifier, FocalDaskXGBClassifier  # noqa: E402

N_ROWS, CHUNK = 8000, 2000  # four chunks, spread over the two workers


@pytest.fixture(scope="module")
def client():
    # Processes, loopback only, no dashboard; closed at the end of the module.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
        distributed.Client(cluster, timeout="60s") as client,
    ):
        client.wait_for_workers(2, timeout=60)
        yield client


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_ROWS, 5))
    binary = (X[:, 0] + X[:, 1] ** 2 + rng.normal(size=N_ROWS) > 2.5).astype(int)
    three = np.digitize(X[:, 0] + 0.5 * X[:, 2] + rng.normal(size=N_ROWS), [-1.2, 0.8])
    return X, {"binary": binary, "three-classes": three}


@pytest.fixture
def dask_case(case):
    """``(Dask estimator, local estimator, params)`` for the booster of the ``case``: 40 trees."""
    params = {k: v for k, v in case.params.items() if k != "n_jobs"}  # the workers' threads
    return case.dask_class(), case.focal, {**params, "n_estimators": 40}


@pytest.mark.parametrize("target", ["binary", "three-classes"])
def test_distributed_model_matches_the_local_one(client, data, dask_case, target):
    dask_class, local_class, params = dask_case
    X, targets = data
    y = targets[target]
    dX, dy = da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    model = dask_class(client=client, focal_gamma=2.0, **params).fit(dX, dy)
    local = local_class(focal_gamma=2.0, **params).fit(X, y)
    # The start score comes from the same weighted class totals, by a Dask reduction.
    np.testing.assert_allclose(model.init_score_, local.init_score_, rtol=0, atol=1e-12)
    proba = model.predict_proba(dX)
    assert isinstance(proba, da.Array)
    proba = proba.compute()
    # The bounds: data-parallel training bins and splits on per-worker histograms.
    assert np.abs(proba - local.predict_proba(X)).mean() < 0.03
    if target == "binary":
        gap = average_precision_score(y, proba[:, 1]) - average_precision_score(y, local.predict_proba(X)[:, 1])
        assert abs(gap) < 0.03
    # to_local() is the same model, in memory.
    np.testing.assert_array_equal(model.to_local().predict_proba(X), proba)
    np.testing.assert_array_equal(model.predict(dX).compute(), model.to_local().predict(X))
    margin = model.decision_function(dX).compute()
    np.testing.assert_array_equal(margin, model.to_local().decision_function(X))


@pytest.mark.parametrize("gamma", [[4.0, 0.0], {0: 4.0, 1: 0.0}], ids=["list", "dict"])
def test_a_gamma_per_class_trains_as_the_local_model(client, data, dask_case, gamma):
    dask_class, local_class, params = dask_case
    X, targets = data
    y = targets["binary"]
    dX, dy = da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    model = dask_class(client=client, focal_gamma=gamma, posterior_correction=True, **params).fit(dX, dy)
    local = local_class(focal_gamma=gamma, posterior_correction=True, **params).fit(X, y)
    np.testing.assert_array_equal(model.loss_.class_gammas_, [4.0, 0.0])
    np.testing.assert_allclose(model.init_score_, local.init_score_, rtol=0, atol=1e-12)
    proba = model.predict_proba(dX).compute()
    # The bound of test_distributed_model_matches_the_local_one: per-worker histograms.
    assert np.abs(proba - local.predict_proba(X)).mean() < 0.03
    np.testing.assert_array_equal(model.to_local().predict_proba(X), proba)
    with pytest.raises(ValueError, match="3 values but there are 2 classes"):
        dask_class(client=client, focal_gamma=[1.0, 2.0, 3.0], **params).fit(dX, dy)


def test_start_score_is_folded_into_the_native_model(client, data):
    X, targets = data
    y = targets["binary"]
    model = FocalDaskLGBMClassifier(client=client, n_estimators=10, verbose=-1).fit(
        da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    )
    assert abs(model.init_score_) > 0.5
    np.testing.assert_allclose(model.booster_.predict(X, raw_score=True), model.to_local().decision_function(X))
    xmodel = FocalDaskXGBClassifier(client=client, n_estimators=10).fit(
        da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    )
    import xgboost as xgb

    margin = xmodel.get_booster().predict(xgb.DMatrix(X), output_margin=True)
    np.testing.assert_allclose(margin, xmodel.to_local().decision_function(X), rtol=0, atol=1e-6)  # float32


def test_pickle_round_trip_and_data_frames(client, data, dask_case):
    dask_class, _, params = dask_case
    X, targets = data
    y = targets["binary"]
    frame = dd.from_array(X, chunksize=CHUNK, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = dd.from_array(y, chunksize=CHUNK)
    model = dask_class(client=client, posterior_correction=True, **params).fit(frame, labels)
    assert list(model.feature_names_in_) == list(frame.columns)
    restored = pickle.loads(pickle.dumps(model))
    assert restored.client is None
    expected = model.to_local().predict_proba(frame.compute())
    np.testing.assert_array_equal(restored.to_local().predict_proba(frame.compute()), expected)
    np.testing.assert_array_equal(model.predict_proba(frame).compute(), expected)


def test_eval_set_logs_the_focal_loss(client, data, dask_case):
    dask_class, _, params = dask_case
    X, targets = data
    y = targets["binary"]
    dX, dy = da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    model = dask_class(client=client, **params).fit(dX, dy, eval_set=[(dX, dy)])
    logged = model.evals_result_ if isinstance(model, FocalDaskLGBMClassifier) else model.evals_result()
    series = next(iter(logged.values()))["focal_loss"]
    assert len(series) == params["n_estimators"]
    assert series[-1] < series[0]


def _mean_prediction(y_true, y_pred):
    return "mean_pred", float(np.mean(y_pred)), False


def test_a_callable_lightgbm_metric_sees_probabilities_as_locally(client, data):
    # As under LightGBM's own objective (and the local estimator), not the raw margins.
    X, targets = data
    y = targets["binary"]
    dX, dy = da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    params = {"n_estimators": 40, "verbose": -1}
    model = FocalDaskLGBMClassifier(client=client, **params).fit(
        dX, dy, eval_set=[(dX, dy)], eval_metric=_mean_prediction
    )
    logged = next(iter(model.evals_result_.values()))["mean_pred"][-1]
    local = model.to_local()
    mean_margin, mean_proba = local.decision_function(X).mean(), local.predict_proba(X)[:, 1].mean()
    # lightgbm.dask records the metric of one worker's part of the eval set (half the rows
    # here), so it is the mean probability of those rows: within 0.01 of the whole set's on
    # this data, and far from the mean margin (below -1) that an unlinked metric would log.
    assert abs(logged - mean_proba) < 0.01 < abs(logged - mean_margin)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda X, y: (X, da.from_array(y, chunks=CHUNK)), TypeError, "Dask array"),
        (lambda X, y: (da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=3000)), ValueError, "row chunks"),
        (lambda X, y: (da.from_array(X, chunks=CHUNK), da.zeros(len(y), chunks=CHUNK)), ValueError, "one class"),
        (
            lambda X, y: (da.from_array(X, chunks=CHUNK), da.from_array(np.where(y == 1, np.nan, 0.0), chunks=CHUNK)),
            ValueError,
            "NaN",
        ),
    ],
    ids=["numpy-X", "misaligned", "single-class", "nan-y"],
)
def test_bad_input(client, data, make, error, match):
    X, targets = data
    dX, dy = make(X, targets["binary"])
    with pytest.raises(error, match=match):
        FocalDaskLGBMClassifier(client=client, n_estimators=5, verbose=-1).fit(dX, dy)


def test_bad_weights_and_parameters(client, data):
    X, targets = data
    dX, dy = da.from_array(X, chunks=CHUNK), da.from_array(targets["binary"], chunks=CHUNK)
    with pytest.raises(ValueError, match="non-negative"):
        FocalDaskXGBClassifier(client=client).fit(dX, dy, sample_weight=-da.ones(N_ROWS, chunks=CHUNK))
    with pytest.raises(ValueError, match="focal_gamma"):
        FocalDaskXGBClassifier(client=client, focal_gamma=-1.0).fit(dX, dy)
    with pytest.raises(ValueError, match="zero"):
        FocalDaskLGBMClassifier(client=client).fit(dX, dy, sample_weight=da.zeros(N_ROWS, chunks=CHUNK))


def test_eval_set_and_chunking_checks(client, data):
    X, targets = data
    y = targets["binary"]
    dX, dy = da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    model = FocalDaskLGBMClassifier(client=client, n_estimators=5, verbose=-1)
    with pytest.raises(ValueError, match="features"):
        model.fit(dX, dy, eval_set=[(dX[:, :3], dy)])
    with pytest.raises(ValueError, match="row chunks"):
        model.fit(dX, dy, eval_set=[(dX, da.from_array(y[:6000], chunks=CHUNK))])
    with pytest.raises(ValueError, match="1-D"):
        model.fit(dX, dy, sample_weight=da.ones((N_ROWS, 2), chunks=(CHUNK, 2)))
    # X split along its columns too is rechunked by rows, as the boosters need
    by_columns = da.from_array(X, chunks=(CHUNK, 2))
    fitted = FocalDaskXGBClassifier(client=client, n_estimators=5).fit(by_columns, dy, eval_set=(dX, dy))
    np.testing.assert_array_equal(fitted.predict(by_columns).compute(), fitted.to_local().predict(X))


def test_objective_threads_follow_the_worker(client, dask_case):
    # The boosters' Dask training gives each worker's booster the worker's thread count; the
    # focal objective follows it there (threads_per_worker=1 here), and uses all CPUs elsewhere.
    from skfocal import BinaryFocalLoss
    from skfocal._base import resolve_n_threads
    from skfocal.dask import _WorkerObjective

    estimator = dask_case[0]()
    objective = estimator._make_objective(BinaryFocalLoss(), 2, n_threads=2, offset=None)
    assert isinstance(objective, _WorkerObjective)
    assert client.submit(objective._threads, pure=False).result() == 1
    assert objective._threads() == resolve_n_threads(None)
    # and so does the eval metric, whatever the threads of the process that built the plan
    metric = estimator._make_metric(BinaryFocalLoss(), n_threads=16)
    assert metric.booster == objective.booster == estimator._OPENMP_BOOSTER
    assert client.submit(metric._threads, pure=False).result() == 1
    assert metric._threads() == resolve_n_threads(None)


def test_to_local_carries_no_cluster_settings_and_refits_locally(client, data):
    # The Dask booster's own parameters (the workers' addresses and ports) stay on the cluster:
    # the local copy holds the fitted model and the user's parameters, and refits in memory.
    X, targets = data
    y = targets["binary"]
    model = FocalDaskLGBMClassifier(client=client, n_estimators=5, verbose=-1).fit(
        da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    )
    local = model.to_local()
    cluster_settings = {"machines", "local_listen_port", "num_machines", "client"}
    assert not cluster_settings & set(local.get_params())
    assert not cluster_settings & set(local.__dict__.get("_other_params", {}))
    assert local.booster_.num_trees() == 5
    refitted = local.fit(X, y)
    assert refitted.booster_.num_trees() == 5 and refitted.predict_proba(X).shape == (len(y), 2)
