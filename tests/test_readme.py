"""The README's Python examples run as written, and its commands name things that exist."""

import re
import shlex
import subprocess
import sys
from importlib.metadata import metadata
from importlib.util import find_spec
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # documentation and examples: run on one CI leg (see .ci/run)

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXTRAS = set(metadata("skfocal").get_all("Provides-Extra"))  # from pyproject.toml, as installed


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), re.S)


def test_readme_python_blocks_run(tmp_path, monkeypatch, capsys):
    blocks = _blocks("python")
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)  # the quickstart saves a model file
    namespace = {}
    printed = []
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
        printed.append(capsys.readouterr().out.strip().splitlines())
    quickstart = next(lines for block, lines in zip(blocks, printed, strict=True) if "FocalLGBMClassifier(" in block)
    score, logged = float(quickstart[0]), float(quickstart[1])
    assert 0 < score < 0.1  # the focal loss of a useful model on 3% positives
    # What the comment says: the score of predict_proba is the eval set's last recorded value. Both are
    # the same mean of float64 losses of the same margins; predict_proba's sigmoid and the score's
    # logit round trip only adds rounding of order 1e-12 (the rarest rows sit at margins near 10).
    assert score == pytest.approx(logged, rel=1e-9)
    assert f"{score:.4f}".startswith("0.0169")  # the value the comment shows
    rounds = len(namespace["xclf"].evals_result_["validation_0"]["focal_loss"])
    assert rounds == int(quickstart[-1]) + 20 + 1 < 500  # what the comment says: 20 rounds past the best
    logged_rounds = [line for line in quickstart[2:-1] if "validation_0-focal_loss:" in line]
    assert len(logged_rounds) == rounds  # "logs the focal loss per round": XGBoost's own per-round log
    assert (tmp_path / "model.txt").exists()
    datasets = next(lines for block, lines in zip(blocks, printed, strict=True) if "load_dataset(" in block)
    assert len(eval(datasets[0])) == 10  # "Ten real imbalanced data sets"
    assert datasets[1] == "(1484, 8) 3.4% positives"  # the comment in the block


def test_docs_front_page_python_blocks_run(tmp_path, monkeypatch, capsys):
    """The docs' front page repeats the quickstart and the data-set lines; they run too."""
    rst = (ROOT / "docs" / "index.rst").read_text()
    blocks = [
        "\n".join(line[3:] for line in match.group(1).splitlines())
        for match in re.finditer(r"^\.\. code-block:: python\n\n((?:   .*\n|\n)+)", rst, re.M)
    ]
    assert len(blocks) == 2
    monkeypatch.chdir(tmp_path)
    readme_quickstart = next(b for b in _blocks("python") if "FocalLGBMClassifier(" in b)
    assert blocks[0].strip() == readme_quickstart.strip()  # the same code, the same comments
    for block in blocks:
        exec(compile(block, "docs/index.rst", "exec"), {})
    score, logged = (float(line) for line in capsys.readouterr().out.splitlines()[:2])
    assert score == pytest.approx(logged, rel=1e-9)  # as in the README's quickstart


def test_readme_counts_the_data_sets_right():
    from skfocal.datasets import list_datasets

    text = README.read_text()
    assert (len(list_datasets("binary")), len(list_datasets("multiclass"))) == (8, 2)
    assert "Ten real imbalanced data sets" in text and "Eight are binary" in text
    for mention in re.findall(r"\beight(?: \w+)*? data sets", text, re.I):
        assert "binary" in mention  # eight of the ten


def test_readme_install_hints_name_existing_extras():
    text = README.read_text()
    named = set(re.findall(r"pip install -?e? ?['\"]\.\[(\w+)\]['\"]", text))
    named |= set(re.findall(r"pip install 'skfocal\[(\w+)\]'", text))
    assert {"dask", "examples", "test"} <= named
    assert named <= EXTRAS
    for extra in re.findall(r"pip install 'skfocal\[(\w+)\]'", text):
        assert f"pip install '.[{extra}]'" in text  # every PyPI-style hint also in the form that works from a clone


def test_readme_commands_run_from_the_checkout():
    commands = [line for block in _blocks("bash") for line in block.strip().splitlines()]
    assert len(commands) == 2  # the two set-up commands
    for command in commands:
        steps = [step.strip() for step in command.split("&&")]
        assert steps[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"]
        pip = shlex.split(steps[2])
        assert pip[:2] == ["pip", "install"]
        target = pip[-1]
        assert target.startswith(".")
        assert (ROOT / "pyproject.toml").exists()  # "." is this checkout
        for extra in re.findall(r"\[(\w+)\]", target):
            assert extra in EXTRAS
        run = shlex.split(steps[3])
        assert run[:2] == ["python", "-m"]
        assert find_spec(run[2]) is not None
        if run[2] == "skfocal.benchmark":
            # The full run takes minutes; --list runs the same entry point and loads every data set.
            out = subprocess.run(
                [sys.executable, "-m", run[2], *run[3:], "--list"],
                capture_output=True,
                text=True,
                timeout=120,  # importing numba, LightGBM and XGBoost on a loaded machine
                check=True,
            ).stdout
            assert "lgbm-focal" in out and "yeast4" in out


def test_readme_benchmark_tables_are_those_of_the_docs():
    """The README's overall rows and the docs' CSV come from the same run of the benchmark."""
    text = README.read_text()
    overall = text.split("#### Overall (mean over data sets)")[1].split("####")[0]
    readme_rows = {
        cells[0]: cells[1:]
        for cells in (
            [c.strip() for c in line.strip("|").split("|")] for line in overall.splitlines() if line.startswith("| ")
        )
        if cells[0] != "model"
    }
    csv_rows = {
        line.split(",")[1]: line.split(",")[2:]
        for line in (ROOT / "docs" / "benchmark_results.csv").read_text().splitlines()
        if line.startswith("overall,")
    }
    assert len(readme_rows) == 10
    metrics_only = {model: cells[:4] for model, cells in readme_rows.items()}  # fit times vary run to run
    assert metrics_only == {model: cells[:4] for model, cells in csv_rows.items()}


def test_readme_states_the_lower_bounds_pyproject_declares():
    # The install section's supported releases are the bounds CI's lowest leg installs and checks.
    pyproject = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.M | re.S).group(1)
    declared = dict(re.findall(r'"([A-Za-z0-9_.-]+)>=([0-9][^",]*)"', block))
    stated = re.search(r"Supported releases, (.*?)\(`pyproject.toml`", README.read_text(), re.S).group(1)
    stated = " ".join(stated.split())
    python = re.search(r'requires-python = ">=([0-9.]+)"', pyproject).group(1)
    assert f"Python {python} and newer" in stated
    names = {"numpy": "numpy", "scipy": "scipy", "scikit-learn": "scikit-learn", "lightgbm": "LightGBM",
             "xgboost": "XGBoost", "numba": "numba", "imbalanced-learn": "imbalanced-learn"}  # fmt: skip
    for name, shown in names.items():
        assert f"{shown} {declared[name]}" in stated, (name, declared[name])


def test_readme_own_data_command_parses_and_its_example_exists():
    from skfocal.benchmark import _parser

    (command,) = [line for block in _blocks("sh") for line in block.strip().splitlines() if "--data" in line]
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "skfocal.benchmark"]
    args = _parser().parse_args(argv[3:])  # every option exists; argparse exits on an unknown one
    assert (args.data, args.target, args.drop) == ("customers.csv", "churned", ["customer_id"])
    assert (ROOT / "benchmarks" / "compare_example.py").exists()  # the script that writes customers.csv
    # the output shown is the one the docs include, from that command
    shown = (ROOT / "docs" / "_static" / "compare_customers.txt").read_text().split("### Per data set")[0].strip()
    assert shown in README.read_text()
