"""The README's Python examples run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)  # the quickstart saves a model file
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    printed = float(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0 < printed < 0.1  # the focal loss of a useful model on 3% positives
    assert (tmp_path / "model.txt").exists()
