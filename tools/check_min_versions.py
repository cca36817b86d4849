"""Check that an environment holds exactly the lowest versions ``pyproject.toml`` declares.

CI's lowest leg installs with ``uv pip install --resolution lowest-direct``; this makes sure
that what it then tests is the declared lower bound of every runtime dependency (and not, say,
a newer release that a constraint elsewhere pulled in), so the bounds stay true. Run it with
the environment's own interpreter: ``.venv-lowest/bin/python tools/check_min_versions.py``.
Exits 1, naming each dependency that differs.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import version
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def declared_minimums(text: str) -> dict[str, str]:
    """``{name: lowest version}`` of the ``dependencies`` list (``name>=X`` entries)."""
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    if block is None:
        raise SystemExit("pyproject.toml has no dependencies list")
    return dict(re.findall(r'"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9][^",;<]*)', block.group(1)))


def main() -> int:
    text = PYPROJECT.read_text(encoding="utf-8")
    python = re.search(r'^requires-python = ">=([0-9.]+)"', text, re.MULTILINE).group(1)
    wrong = []
    if f"{sys.version_info.major}.{sys.version_info.minor}" != python:
        wrong.append(f"Python {sys.version.split()[0]} (declared >= {python})")
    for name, lowest in declared_minimums(text).items():
        installed = version(name)
        if installed.split("+")[0] != lowest and not installed.startswith(lowest + ".0"):
            wrong.append(f"{name} {installed} (declared >= {lowest})")
    for line in wrong:
        print(f"not the declared lowest: {line}", file=sys.stderr)
    print("lowest versions:", ", ".join(f"{n} {version(n)}" for n in declared_minimums(text)))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
