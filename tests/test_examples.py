"""Every plot_*.py gallery script runs and draws a figure."""

import runpy
from pathlib import Path

import matplotlib
import pytest

pytestmark = pytest.mark.slow  # documentation and examples: run on one CI leg (see .ci/run)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("plot_*.py")), ids=lambda path: path.stem)
def test_gallery_example_runs(script, monkeypatch):
    matplotlib.use("Agg")  # no display; plt.show() is then a no-op
    monkeypatch.chdir(script.parent)
    runpy.run_path(str(script), run_name="__main__")
    import matplotlib.pyplot as plt

    assert plt.get_fignums(), f"{script.name} drew no figure"
    plt.close("all")
