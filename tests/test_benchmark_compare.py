"""The comparison on a user's own data: files, frames, labels of any type, categories, K classes, bad input."""

import json
import math
import os

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score
from sklearn.preprocessing import label_binarize

from skfocal import _stats, benchmark
from skfocal.benchmark import compare, run_benchmark

pd = pytest.importorskip("pandas")

MODELS = ["lgbm-focal", "lgbm-logloss", "xgb-focal", "xgb-logloss", "xgb-smote"]
RUN = {"folds": 3, "repeats": 2, "n_jobs": 1, "seed": 3}
CLI_RUN = ["--folds", "3", "--repeats", "2", "--n-jobs", "1", "--seed", "3", "--quiet"]


def _frame(n=900, seed=0):
    """String labels "yes"/"no" (about 20% yes), a string column that decides most of the label, missing values."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["east", "west", "north", "south"], n)
    x1 = rng.normal(size=n)
    score = np.where(region == "east", 1.5, -1.5) + 0.5 * x1 + rng.normal(scale=0.7, size=n)
    frame = pd.DataFrame({
        "customer_id": np.arange(n),
        "region": region,
        "x1": x1,
        "x2": rng.normal(size=n),
        "label": np.where(score > 0.4, "yes", "no"),
    })  # fmt: skip
    frame.loc[::9, "x1"] = np.nan
    return frame


@pytest.fixture(scope="module")
def frame():
    return _frame()


@pytest.fixture(scope="module")
def result(frame):
    return compare(frame, target="label", drop="customer_id", models=MODELS, progress=False, **RUN)


def _metrics(records):
    return [(r["model"], r["repeat"], r["fold"], *(r[m] for m in benchmark.METRICS)) for r in records]


def test_api_on_a_frame_with_string_labels_categories_and_missing_values(frame, result):
    info = result.data["data"]
    assert info["positive"] == "yes"  # the rarer class by default
    assert info["classes"] == {"no": int((frame.label == "no").sum()), "yes": int((frame.label == "yes").sum())}
    assert info["categorical"] == ["region"] and info["missing_values"] is True
    assert info["columns"] == 3  # customer_id dropped, label taken out
    # SMOTE cannot interpolate a category: left out, and the report says so
    assert {r["model"] for r in result.records} == set(MODELS) - {"xgb-smote"}
    assert any("xgb-smote" in note and "categorical" in note for note in result.notes)
    assert len(result.records) == 4 * 3 * 2  # four models, three folds, two repeats
    # The boosters split on the category: "east" decides most labels (a quarter of the rows, about 25%
    # positives), so average precision is far above the positive rate, which a blind model would get.
    # (LightGBM needs about 100 rows per category to split on one: hence 900 rows.)
    for model in ("lgbm-focal", "lgbm-logloss", "xgb-focal", "xgb-logloss"):
        assert np.mean([r["average_precision"] for r in result.records if r["model"] == model]) > 0.7


def test_differences_are_those_of_the_paired_folds(result):
    rows = [d for d in result.summary["differences"] if d["model"] == "lgbm-focal"]
    assert {d["reference"] for d in rows} == {"lgbm-logloss"}
    for d in rows:
        mine = {(r["repeat"], r["fold"]): r for r in result.records if r["model"] == "lgbm-focal"}
        ref = {(r["repeat"], r["fold"]): r for r in result.records if r["model"] == "lgbm-logloss"}
        diffs = [mine[k][d["metric"]] - ref[k][d["metric"]] for k in sorted(mine)]
        n_train = np.mean([r["n_train"] for r in mine.values()])
        n_test = np.mean([r["n_test"] for r in mine.values()])
        # the textbook formula, written out again: mean / sqrt((1/J + n_test/n_train) var)
        t = np.mean(diffs) / math.sqrt((1 / 6 + n_test / n_train) * np.var(diffs, ddof=1))
        assert d["t"] == pytest.approx(t, rel=1e-9)  # the same float operations in another order
        assert d["n_folds"] == 6 and d["verdict"] in _stats.VERDICTS


def test_the_report_leads_with_the_answer(result):
    text = result.to_markdown()
    first = text.splitlines()[0]
    d = next(
        d for d in result.summary["differences"] if d["model"] == "lgbm-focal" and d["metric"] == "average_precision"
    )
    expected = (
        f"**On this data, LightGBM with focal loss (gamma=2) vs log loss: {d['mean']:+.4f} average precision, "
        f"95% interval [{d['low']:+.4f}, {d['high']:+.4f}]: {d['verdict']}.**"
    )
    assert first == expected
    assert "XGBoost with focal loss (gamma=2) vs log loss" in text
    assert "corrected resampled t-test" in text and "region" in text
    assert result.verdicts() == {
        d["model"]: d["verdict"] for d in result.summary["differences"] if d["metric"] == "average_precision"
    }


def test_cli_on_a_csv_file_gives_the_api_numbers(frame, result, tmp_path):
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "report.json"
    argv = ["--data", str(path), "--target", "label", "--drop", "customer_id", "--models", ",".join(MODELS)]
    assert benchmark.main([*argv, *CLI_RUN, "--format", "json", "--output", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["data"]["customers"]["positive"] == "yes"
    assert len(report["records"]) == 24  # every fold's numbers
    assert _metrics(report["records"]) == _metrics(result.records)  # CSV round trip, same folds, same seeds
    assert [f.name for f in tmp_path.iterdir() if f.name.startswith(".skfocal-")] == []  # no temporary left
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would have made it, not private


def test_cli_on_a_parquet_file(frame, result, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    path = tmp_path / "customers.parquet"
    frame.to_parquet(path)
    argv = ["--data", str(path), "--target", "label", "--drop", "customer_id", "--models", ",".join(MODELS)]
    assert benchmark.main([*argv, *CLI_RUN]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == result.to_markdown().splitlines()[0]
    assert "xgb-smote: SMOTE skipped" in text


def test_polars_frame_gives_the_pandas_numbers(frame, result):
    pl = pytest.importorskip("polars")
    got = compare(pl.from_pandas(frame), target="label", drop=["customer_id"], models=MODELS, progress=False, **RUN)
    assert _metrics(got.records) == _metrics(result.records)


def test_labels_of_any_type_and_a_chosen_positive_label(frame):
    X = frame.drop(columns=["label", "customer_id"])
    boolean = compare(X, frame.label.eq("yes"), models=["lgbm-focal", "lgbm-logloss"], progress=False, **RUN)
    assert boolean.data["data"]["positive"] == "True"
    chosen = compare(
        X, frame.label, pos_label="no", models=["lgbm-focal", "lgbm-logloss"], progress=False, **RUN
    )  # the common class as positive: average precision of "no"
    assert chosen.data["data"]["positive"] == "no"
    strings = compare(X, frame.label, models=["lgbm-focal", "lgbm-logloss"], progress=False, **RUN)
    # same folds (stratified on the same classes), the same models: the positive class's AP differs
    assert _metrics(boolean.records) == _metrics(strings.records)
    assert [r["average_precision"] for r in chosen.records] != [r["average_precision"] for r in strings.records]


def test_three_classes(frame):
    y = np.where(frame.region == "east", "c", np.where(frame.x2 > 0.3, "b", "a"))
    X = frame[["region", "x1", "x2"]]
    data = benchmark._prepare("k3", X, y)
    models = ["lgbm-focal", "lgbm-logloss", "lgbm-weighted", "xgb-focal", "xgb-weighted", "xgb-logloss"]
    records = run_benchmark({"k3": data}, models, folds=3, repeats=1, n_jobs=1, progress=False, keep_predictions=True)
    assert data.n_classes == 3
    for r in records:
        assert r["proba"].shape == (r["n_test"], 3)
        np.testing.assert_allclose(r["proba"].sum(axis=1), 1, rtol=1e-6)  # float32 boosters' rounding
        # the K-class metrics, recomputed through other sklearn paths
        onehot = label_binarize(r["y_true"], classes=[0, 1, 2])
        assert r["average_precision"] == pytest.approx(average_precision_score(onehot, r["proba"], average="macro"))
        assert r["roc_auc"] == pytest.approx(roc_auc_score(onehot, r["proba"], average="macro"))
        assert r["log_loss"] == pytest.approx(log_loss(r["y_true"], r["proba"]))
        assert r["brier"] == pytest.approx(np.mean(np.sum((onehot - r["proba"]) ** 2, axis=1)))
        assert r["average_precision"] > 0.5  # three classes, each far from chance (1/3 on average)
    summary = benchmark.summarize(records)
    assert {d["reference"] for d in summary["differences"]} == {"lgbm-logloss", "xgb-logloss"}


def test_same_seed_same_numbers_any_n_jobs(frame, result):
    again = compare(frame, target="label", drop="customer_id", models=MODELS, progress=False, **{**RUN, "n_jobs": 2})
    assert _metrics(again.records) == _metrics(result.records)
    assert again.summary["differences"] == result.summary["differences"]


def test_plot_draws_differences(result, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "differences.png"
    result.plot(path)
    assert path.stat().st_size > 10_000
    assert [p.name for p in tmp_path.iterdir()] == ["differences.png"]


@pytest.fixture
def no_fit(monkeypatch):
    """Fail the test if any model is fitted: bad input must be refused before the first fit."""

    def refuse(*args, **kwargs):
        raise AssertionError("a model was fitted before the input was checked")

    monkeypatch.setattr(benchmark, "_run", refuse)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": "nope"}, r"no column\(s\) \['nope'\]"),
        ({"drop": ["nope"]}, r"no column\(s\) \['nope'\]"),
        ({"one_class": True}, "one class"),
        ({"missing_label": True}, "missing value"),
        ({"folds": 200}, "fewer than folds=200"),
        ({"repeats": 0}, "repeats must be an integer >= 1"),
        ({"reference": "lgbm-nope"}, "reference 'lgbm-nope'"),
        ({"rope": -1.0}, "rope must be a number >= 0"),
        ({"date": True}, "convert it to numbers or drop it"),
    ],
)
def test_api_refuses_bad_input_before_any_fit(frame, no_fit, change, message):
    frame = frame.copy()
    kwargs = {"target": "label", "drop": "customer_id", "models": ["lgbm-focal", "lgbm-logloss"], "progress": False}
    if change.pop("one_class", False):
        frame["label"] = "no"
    if change.pop("missing_label", False):
        frame.loc[5, "label"] = None
    if change.pop("date", False):
        frame["when"] = pd.Timestamp("2026-01-01")
    kwargs.update(change)
    with pytest.raises((ValueError, TypeError), match=message):
        compare(frame, **kwargs)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "{tmp}/absent.csv", "--target", "label"], "No such file"),
        (["--data", "{tmp}/data.xlsx", "--target", "label"], "neither a CSV file"),
        (["--data", "{csv}", "--target", "nope"], "no column(s) ['nope']"),
        (["--data", "{csv}", "--target", "label", "--drop", "nope"], "no column(s) ['nope']"),
        (["--data", "{csv}"], "--data needs --target"),
        (["--data", "{csv}", "--target", "label", "--repeats", "0"], "--repeats must be >= 1"),
        (["--data", "{csv}", "--target", "label", "--folds", "500"], "fewer than folds=500"),
        (["--data", "{csv}", "--target", "label", "--pos-label", "maybe"], "pos_label 'maybe' is not a label"),
        (["--data", "{csv}", "--target", "label", "--rope", "-0.1"], "--rope must be"),
        (["--data", "{csv}", "--target", "label", "--datasets", "ecoli4"], "not both"),
        (["--target", "label"], "apply to --data"),
        (["--data", "{one}", "--target", "label"], "one class"),
        (["--data", "{gap}", "--target", "label"], "missing value"),
        (["--data", "{csv}", "--target", "label", "--output", "/no/such/folder/r.md"], "cannot write"),
    ],
)
def test_cli_refuses_bad_input_before_any_fit(frame, tmp_path, no_fit, capsys, argv, message):
    csv = tmp_path / "data.csv"
    frame.to_csv(csv, index=False)
    frame.assign(label="no").to_csv(tmp_path / "one.csv", index=False)
    frame.assign(label=frame.label.where(frame.index != 3)).to_csv(tmp_path / "gap.csv", index=False)
    (tmp_path / "data.xlsx").write_bytes(b"not a spreadsheet")
    paths = {"tmp": tmp_path, "csv": csv, "one": tmp_path / "one.csv", "gap": tmp_path / "gap.csv"}
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main([a.format(**paths) for a in argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_an_interrupted_run_leaves_no_output_file(frame, tmp_path, monkeypatch):
    csv = tmp_path / "data.csv"
    frame.to_csv(csv, index=False)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(benchmark, "_run", interrupted)
    out, plot = tmp_path / "report.md", tmp_path / "report.png"
    with pytest.raises(KeyboardInterrupt):
        benchmark.main(["--data", str(csv), "--target", "label", "--output", str(out), "--plot", str(plot), "--quiet"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_a_write_that_fails_leaves_neither_the_file_nor_a_temporary(tmp_path):
    target = tmp_path / "report.json"

    def half_then_fail(tmp):
        with open(tmp, "w") as f:
            f.write('{"records": [')
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        benchmark._write_atomic(str(target), half_then_fail)
    assert os.listdir(tmp_path) == []


def test_progress_counts_every_fit(frame, monkeypatch):
    totals = []

    class Bar:
        def __init__(self, total, disable, **kwargs):
            totals.append([total, 0])

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            totals[-1][1] += n

    import tqdm.auto

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    X, y = frame[["x1", "x2"]], frame.label
    run_benchmark({"d": (X, y)}, ["lgbm-focal-tuned", "lgbm-logloss"], folds=2, repeats=2, n_jobs=1, progress=False)
    grid = np.prod([len(v) for v in benchmark.TUNING_GRID.values()])
    per_fold = benchmark.INNER_FOLDS * grid + 1 + 1  # the inner search and its refit, and the log-loss fit
    assert totals == [[per_fold * 2 * 2, per_fold * 2 * 2]]


def test_bundled_multiclass_sets_load_with_their_classes(capsys):
    data = benchmark._load_bundled(["glass", "ecoli4"])
    assert data["glass"].n_classes == 6 and data["glass"].describe()["positive"] is None
    assert data["ecoli4"].labels == [0, 1]  # the binary sets keep 1, the rarer class, as positive
    assert benchmark.main(["--list"]) == 0
    assert "satimage_multiclass" in capsys.readouterr().out


def test_a_reference_that_cannot_run_is_refused_before_any_fit(monkeypatch):
    import pandas as pd

    from skfocal import benchmark

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=300), "c": pd.Categorical(rng.choice(["x", "y"], 300))})
    y = (rng.random(300) < 0.2).astype(int)
    monkeypatch.setattr(benchmark, "_run", lambda *a, **k: pytest.fail("fitted"))
    with pytest.raises(ValueError, match="reference 'lgbm-smote' cannot run on 'data'"):
        benchmark.compare(frame, y, models=["lgbm-focal", "lgbm-smote"], reference="lgbm-smote", progress=False)


def test_read_table_reads_csv_and_parquet_and_refuses_other_files(frame, tmp_path):
    from skfocal.benchmark import read_table

    frame.to_csv(tmp_path / "data.csv", index=False)
    pd.testing.assert_frame_equal(read_table(tmp_path / "data.csv"), pd.read_csv(tmp_path / "data.csv"))
    pytest.importorskip("pyarrow")
    frame.to_parquet(tmp_path / "data.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "data.parquet"), pd.read_parquet(tmp_path / "data.parquet"))
    (tmp_path / "data.xlsx").write_bytes(b"not a spreadsheet")
    with pytest.raises(ValueError, match="neither a CSV file"):
        read_table(tmp_path / "data.xlsx")
