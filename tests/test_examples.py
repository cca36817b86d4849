"""The README's main command: the quickstart runs and prints one row per model."""

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_quickstart_runs(capsys):
    runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[0] == "model"
    assert len(lines) == 5  # header + four models
    for line in lines[1:]:
        ap = float(line.split()[-3])
        assert 0.3 < ap <= 1.0  # a working classifier on this data scores well above the 3% base rate
