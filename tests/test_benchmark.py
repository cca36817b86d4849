"""python -m skfocal.benchmark: option handling, fold fairness and the summary."""

import json
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold

from skfocal import benchmark
from skfocal.benchmark import METRICS, _fold_id, available_models, run_benchmark, summarize

FAST_MODELS = ["lgbm-focal", "lgbm-logloss", "xgb-weighted", "xgb-smote"]


@pytest.fixture(scope="module")
def synthetic():
    a = make_classification(n_samples=400, n_features=6, weights=[0.9], random_state=0)
    b = make_classification(n_samples=300, n_features=5, weights=[0.85], random_state=1)
    return {"a": a, "b": b}


@pytest.fixture(scope="module")
def records(synthetic):
    return run_benchmark(
        synthetic, FAST_MODELS, folds=3, repeats=1, n_jobs=1, seed=7, progress=False, keep_predictions=True
    )


def test_every_model_sees_the_same_folds(synthetic, records):
    for name, (X, y) in synthetic.items():
        expected = [_fold_id(test) for _, test in StratifiedKFold(n_splits=3, shuffle=True, random_state=7).split(X, y)]
        for model in FAST_MODELS:
            rows = sorted((r for r in records if r["dataset"] == name and r["model"] == model), key=lambda r: r["fold"])
            assert [r["fold_id"] for r in rows] == expected
            # and the held-out labels each model was scored on are those rows
            for row, (_, test) in zip(rows, StratifiedKFold(3, shuffle=True, random_state=7).split(X, y), strict=True):
                np.testing.assert_array_equal(row["y_true"], y[test])


def test_metrics_are_those_of_the_held_out_predictions(records):
    for r in records:
        for name, (metric, _) in METRICS.items():
            assert r[name] == pytest.approx(metric(r["y_true"], r["proba"]), rel=1e-12)  # recomputed, same inputs


def test_summary_means_stds_and_ranks(records):
    summary = summarize(records)
    entry = next(e for e in summary["per_dataset"] if e["dataset"] == "a" and e["model"] == "lgbm-focal")
    values = [r["average_precision"] for r in records if r["dataset"] == "a" and r["model"] == "lgbm-focal"]
    assert entry["average_precision"] == pytest.approx((np.mean(values), np.std(values)), rel=1e-12)
    for metric, ranks in summary["ranks"].items():
        assert sum(ranks.values()) == pytest.approx(sum(range(1, len(FAST_MODELS) + 1)))  # ranks 1..4 each data set
        best = min if metric in ("log_loss", "brier") else max
        for dataset in ("a", "b"):
            rows = [e for e in summary["per_dataset"] if e["dataset"] == dataset]
            winner = best(rows, key=lambda e: e[metric][0])["model"]
            assert ranks[winner] <= 2.5  # first on this data set, at worst fourth on the other
    # lgbm-focal against lgbm-logloss, xgb-weighted and xgb-smote against xgb-logloss (not run: none)
    assert {(d["model"], d["reference"]) for d in summary["differences"]} == {("lgbm-focal", "lgbm-logloss")}
    across = [a for a in summary["across"] if a["metric"] == "average_precision"]
    assert len(across) == 1 and across[0]["n_datasets"] == 2


def test_results_do_not_depend_on_parallelism(synthetic, records):
    parallel = run_benchmark(synthetic, FAST_MODELS, folds=3, repeats=1, n_jobs=2, seed=7, progress=False)
    for one, two in zip(records, parallel, strict=True):
        assert (one["dataset"], one["model"], one["fold"]) == (two["dataset"], two["model"], two["fold"])
        assert one["average_precision"] == two["average_precision"]


def test_tuned_model_reports_its_choice(synthetic):
    rows = run_benchmark({"a": synthetic["a"]}, ["lgbm-focal-tuned"], folds=2, repeats=1, n_jobs=1, progress=False)
    for row in rows:
        assert row["best_params"]["focal_gamma"] in benchmark.TUNING_GRID["focal_gamma"]


def test_bad_arguments(synthetic):
    with pytest.raises(ValueError, match="Unknown model"):
        run_benchmark(synthetic, ["lgbm-nope"], progress=False)
    with pytest.raises(ValueError, match="folds"):
        run_benchmark(synthetic, FAST_MODELS, folds=1, progress=False)
    with pytest.raises(ValueError, match="data set"):
        run_benchmark(["no-such-data"], FAST_MODELS, progress=False)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--models", "lgbm-nope"], "Unknown model"),
        (["--datasets", "no-such-data"], "data set"),
        (["--folds", "1"], "--folds"),
        (["--format", "xml"], "invalid choice"),
        (["--n-jobs", "0"], "not a number of parallel fits"),
        (["--seed", "-1"], "not a seed"),
        (["--plot", "figure.xyz"], "cannot draw a 'xyz' file"),
        (["--output", "."], "is a folder"),
    ],
)
def test_cli_rejects_bad_options(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_help_documents_the_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--datasets", "--models", "--folds", "--n-jobs", "--seed", "--format", "--plot"):
        assert option in text
    for model in ("focal-tuned", "weighted", "smote"):
        assert model in text


def test_available_models_cover_both_boosters():
    names = available_models()
    for booster in ("lgbm", "xgb"):
        for kind in ("focal", "focal-tuned", "logloss", "weighted", "smote"):
            assert f"{booster}-{kind}" in names


def test_the_asymmetric_model_runs_only_when_named(synthetic):
    from skfocal.benchmark import ASYM_GAMMA, OPT_IN_MODELS, _model_table

    assert set(OPT_IN_MODELS) <= set(available_models())
    default = run_benchmark({"a": synthetic["a"]}, None, folds=3, repeats=1, n_jobs=1, progress=False)
    assert not any(r["model"].endswith("-focal-asym") for r in default)
    X, y = synthetic["a"]
    named = run_benchmark({"a": (X, y)}, ["lgbm-logloss", "lgbm-focal-asym"], folds=3, repeats=1, progress=False)
    assert {r["model"] for r in named} == {"lgbm-logloss", "lgbm-focal-asym"}
    est = _model_table()["xgb-focal-asym"].build(y, 0)
    # the negatives (encoded 0) focused by 4, the positives by 0, in classes_ order
    assert list(est.focal_gamma) == list(ASYM_GAMMA) == [4.0, 0.0]
    X3, y3 = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0)
    three = run_benchmark({"k3": (X3, y3)}, ["lgbm-logloss", "lgbm-focal-asym"], folds=3, repeats=1, progress=False)
    assert {r["model"] for r in three} == {"lgbm-logloss"}  # skipped: asymmetric focusing needs two classes


def test_cli_on_bundled_data(tmp_path, capsys):
    pytest.importorskip("skfocal.datasets")
    from skfocal.datasets import list_datasets

    first = list_datasets("binary")[0]
    args = ["--datasets", first, "--models", "lgbm-focal,lgbm-logloss", "--folds", "2", "--repeats", "1"]
    args += ["--n-jobs", "1"]
    assert benchmark.main([*args, "--format", "json", "--plot", str(tmp_path / "bench.png")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["model"] for r in out["records"]} == {"lgbm-focal", "lgbm-logloss"}
    assert len(out["records"]) == 4
    assert (tmp_path / "bench.png").stat().st_size > 10_000
    assert benchmark.main([*args, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "dataset,model,average_precision,roc_auc,log_loss,brier,fit_time_s"
    assert len(lines) == 1 + 2 + 2  # header, two models on one data set, two overall rows
    assert benchmark.main([*args]) == 0
    assert "| model |" in capsys.readouterr().out


def test_more_bad_arguments(synthetic):
    with pytest.raises(ValueError, match="No model"):
        run_benchmark(synthetic, [], progress=False)
    with pytest.raises(ValueError, match="No data set"):
        run_benchmark({}, FAST_MODELS, progress=False)
    with pytest.raises(ValueError, match="smallest class"):
        run_benchmark(synthetic, FAST_MODELS, folds=500, progress=False)
    X, y = synthetic["a"]
    with pytest.raises(ValueError, match="one class"):
        run_benchmark({"a": (X, np.ones_like(y))}, FAST_MODELS, progress=False)
    with pytest.raises(ValueError, match="repeats"):
        run_benchmark(synthetic, FAST_MODELS, repeats=0, progress=False)


def test_a_failing_model_names_itself(synthetic, monkeypatch):
    table = benchmark._model_table()

    def broken(y, seed):
        raise ArithmeticError("no such luck")

    table["lgbm-broken"] = benchmark._Model("lgbm-broken", broken)
    monkeypatch.setattr(benchmark, "_model_table", lambda: table)
    with pytest.raises(RuntimeError, match="lgbm-broken failed on a, repeat 0, fold 0: no such luck"):
        run_benchmark({"a": synthetic["a"]}, ["lgbm-broken"], folds=2, n_jobs=1, progress=False)


def test_smote_is_left_out_where_there_are_missing_values(synthetic):
    X, y = synthetic["a"]
    X = X.copy()
    X[0, 0] = np.nan  # SMOTE refuses NaN; the boosters accept it
    rows = run_benchmark({"a": (X, y)}, ["lgbm-focal", "lgbm-smote"], folds=2, repeats=1, n_jobs=1, progress=False)
    assert {r["model"] for r in rows} == {"lgbm-focal"}


def test_cli_checks_the_plot_path_before_running(capsys):
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(["--plot", "/no/such/folder/x.png"])
    assert exit_info.value.code == 2
    assert "cannot write" in capsys.readouterr().err


def test_cli_checks_matplotlib_before_the_first_fit(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an environment without it does on import
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    fits = []
    monkeypatch.setattr(benchmark, "run_benchmark", lambda *args, **kwargs: fits.append(args))
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(["--plot", str(tmp_path / "bench.png")])
    assert exit_info.value.code == 2
    assert fits == []  # refused before any model was fitted
    err = capsys.readouterr().err
    assert "pip install 'skfocal[examples]'" in err
    assert "pip install '.[examples]'" in err  # the form that works from a clone
    assert not (tmp_path / "bench.png").exists()
