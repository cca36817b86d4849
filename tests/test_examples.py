"""The examples run: the README's quickstart, and every plot_*.py gallery script."""

import runpy
from pathlib import Path

import matplotlib
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_quickstart_runs(capsys):
    runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[0] == "model"
    assert len(lines) == 5  # header + four models
    for line in lines[1:]:
        ap = float(line.split()[-3])
        assert 0.3 < ap <= 1.0  # a working classifier on this data scores well above the 3% base rate


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("plot_*.py")), ids=lambda path: path.stem)
def test_gallery_example_runs(script, monkeypatch):
    matplotlib.use("Agg")  # no display; plt.show() is then a no-op
    monkeypatch.chdir(script.parent)
    runpy.run_path(str(script), run_name="__main__")
    import matplotlib.pyplot as plt

    assert plt.get_fignums(), f"{script.name} drew no figure"
    plt.close("all")
