"""The documentation renders its formulas without a network: MathJax ships with the build."""

import re
import runpy
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # documentation and examples: run on one CI leg (see .ci/run)

DOCS = Path(__file__).resolve().parent.parent / "docs"
BUILT = DOCS / "_build" / "html"
REMOTE = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)


def _mathjax_scripts(html: str) -> list[str]:
    return re.findall(r"""<script\b[^>]*\bsrc=["']([^"']*(?:mathjax|tex-[a-z-]+)\.js[^"']*)["']""", html, re.I)


def test_conf_uses_the_packaged_mathjax():
    conf = runpy.run_path(str(DOCS / "conf.py"))
    assert "sphinx.ext.mathjax" in conf["extensions"]
    assert "sphinx-mathjax-offline" in conf["extensions"]
    assert "://" not in conf.get("mathjax_path", "")  # no CDN set by hand either


def test_a_page_with_math_loads_mathjax_from_its_own_static_folder(tmp_path):
    sphinx_cmd = pytest.importorskip("sphinx.cmd.build")
    extensions = [e for e in runpy.run_path(str(DOCS / "conf.py"))["extensions"] if "math" in e]
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(f"extensions = {extensions!r}\n")
    (source / "index.rst").write_text("Math\n====\n\n.. math::\n\n   \\mathrm{FL} = -(1 - p_t)^\\gamma \\log p_t\n")
    out = tmp_path / "html"
    assert sphinx_cmd.build_main(["-q", "-W", "-b", "html", str(source), str(out)]) == 0
    html = (out / "index.html").read_text()
    scripts = _mathjax_scripts(html)
    assert scripts, "no MathJax script on a page with a formula"
    for src in scripts:
        assert "://" not in src and not src.startswith("//"), src
        assert (out / src.split("?")[0]).is_file(), src  # shipped with the build
    assert not REMOTE.findall(html)
    # MathJax's fonts come from the same folder, not from a CDN.
    assert list((out / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))


def test_the_built_docs_load_nothing_from_the_network():
    """Checks the real build when there is a fresh one (CI builds the docs before the tests)."""
    index = BUILT / "index.html"
    if not index.exists() or index.stat().st_mtime < (DOCS / "conf.py").stat().st_mtime:
        pytest.skip("no docs build newer than docs/conf.py")
    pages = list(BUILT.rglob("*.html"))
    with_math = 0
    for page in pages:
        html = page.read_text(encoding="utf-8", errors="replace")
        assert not REMOTE.findall(html), page
        if 'class="math' in html:
            with_math += 1
            scripts = _mathjax_scripts(html)
            assert scripts and all("://" not in s for s in scripts), page
    assert with_math >= 1  # the focal-loss page has formulas
