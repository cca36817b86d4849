"""The "Deploying a model" page's code runs, block after block, as a reader would run it."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # documentation and examples: run on one CI leg (see .ci/run)

for module in ("skl2onnx", "onnxmltools", "onnxruntime", "treelite", "shap", "joblib"):
    pytest.importorskip(module, reason=f"the deploying page uses {module} (the test extra installs it)")

PAGE = Path(__file__).resolve().parent.parent / "docs" / "user_guide" / "deploying.rst"


def _python_blocks(rst: str) -> list[str]:
    """The code of every ``.. code-block:: python`` directive, dedented."""
    blocks = []
    for match in re.finditer(r"^\.\. code-block:: python\n\n((?:   .*\n|\n)+)", rst, re.M):
        blocks.append("\n".join(line[3:] for line in match.group(1).splitlines()).strip() + "\n")
    return blocks


def test_the_page_has_a_block_per_path():
    code = "\n".join(_python_blocks(PAGE.read_text()))
    for needle in ("pickle.loads", "joblib.dump", "save_model", "to_onnx", "treelite.frontend", "TreeExplainer"):
        assert needle in code


def test_the_pages_code_runs_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the blocks write model files to the working directory
    namespace = {"__name__": "deploying_page"}
    for number, block in enumerate(_python_blocks(PAGE.read_text()), start=1):
        exec(compile(block, f"{PAGE.name}, block {number}", "exec"), namespace)  # noqa: S102
    for name in ("focal_lgbm.txt", "focal_xgb.json", "focal_pipeline.onnx"):
        assert (tmp_path / name).exists()
