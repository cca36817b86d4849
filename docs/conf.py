"""Sphinx configuration of the skfocal documentation.

Build from the repository root with::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Nothing here needs the network at build time (no intersphinx, no external theme icons), and
the built pages need none either (MathJax is copied into ``_static`` by sphinx-mathjax-offline).
Set ``SKFOCAL_DOCS_SKIP_GALLERY=1`` to build without running the examples.
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # examples run headless

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # document the checkout even when it is not installed

import skfocal  # noqa: E402

# -- Project information -----------------------------------------------------
project = "skfocal"
author = "The skfocal developers"
copyright = "The skfocal developers"  # noqa: A001
version = skfocal.__version__
release = skfocal.__version__

# -- General configuration ---------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax from the package instead of a CDN: formulas render without a network.
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "README.md",
    "_datasets_api.rst",
    "_benchmark_*.rst",
    "auto_examples/*.ipynb",
    "**.ipynb_checkpoints",
]
# intersphinx is deliberately not used: it downloads inventories at build time, and the
# machines that build these docs reach only package registries.
default_role = "literal"

# -- autodoc / autosummary ---------------------------------------------------
autodoc_typehints = "none"  # numpydoc docstrings carry the types
autodoc_member_order = "bysource"
autosummary_generate = ["api.rst", "_datasets_api.rst"]
autosummary_generate_overwrite = True
autosummary_imported_members = False


def _own_members(cls) -> list[str]:
    """Public methods of ``cls`` that skfocal defines (not those inherited from the boosters)."""
    names = []
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") and name != "__call__":
            continue
        if name.startswith("set_") and name.endswith("_request"):
            continue  # scikit-learn's metadata-routing setters, generated for every estimator
        if not (inspect.isfunction(member) or inspect.ismethod(member)):
            continue
        owner = next((k for k in cls.__mro__ if name in vars(k)), None)
        if owner is None or not owner.__module__.startswith("skfocal"):
            continue
        if name == "__call__" and not (member.__doc__ or "").strip():
            continue
        names.append(name)
    order = ["fit", "predict", "predict_proba", "decision_function", "__call__"]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


# Own methods of each public class, for the class template in _templates/autosummary/.
import skfocal.benchmark  # noqa: E402
import skfocal.dask  # noqa: E402

autosummary_context = {
    "skfocal_methods": {
        f"{module.__name__}.{name}": _own_members(getattr(module, name))
        for module in (skfocal, skfocal.dask, skfocal.benchmark)
        for name in module.__all__
        if inspect.isclass(getattr(module, name, None))
    }
}

# The datasets module is documented when it exists: conf.py writes the API section that
# api.rst includes (an empty file otherwise), from skfocal.datasets.__all__.
_datasets_section = ""
if (ROOT / "skfocal" / "datasets" / "__init__.py").exists():
    import skfocal.datasets as _datasets

    _names = getattr(_datasets, "__all__", None) or sorted(
        n for n, f in vars(_datasets).items() if inspect.isfunction(f) and not n.startswith("_")
    )
    _datasets_section = "\n".join(
        [
            "Datasets",
            "--------",
            "",
            (_datasets.__doc__ or "").strip().splitlines()[0] if _datasets.__doc__ else "",
            "Import them with ``from skfocal.datasets import ...``; nothing is downloaded.",
            "",
            ".. currentmodule:: skfocal.datasets",
            "",
            ".. autosummary::",
            "   :toctree: generated/",
            "   :template: autosummary/function.rst",
            "",
            *[f"   {name}" for name in _names],
            "",
            ".. currentmodule:: skfocal",
            "",
        ]
    )
_datasets_file = DOCS / "_datasets_api.rst"
if not _datasets_file.exists() or _datasets_file.read_text() != _datasets_section:
    _datasets_file.write_text(_datasets_section)

# -- benchmark tables ----------------------------------------------------------
# benchmark_results.csv is `python -m skfocal.benchmark --format csv`. conf.py turns it into a
# summary table (the overall rows, included by the focal-loss page) and one table per data set
# (the per-data-set page), each narrow enough for the page: the standard deviation goes under
# the mean in the same cell, and the best mean of each column is bold.
BENCHMARK_COLUMNS = [
    ("average_precision", "average precision ↑", max),
    ("roc_auc", "ROC AUC ↑", max),
    ("log_loss", "log loss ↓", min),
    ("brier", "Brier ↓", min),
]


def _benchmark_table(rows: list[dict], first: str, caption: str) -> list[str]:
    """A list-table of benchmark rows (dicts of CSV cells) in the docs' narrow format."""
    best = {key: pick(float(r[key].split(" ± ")[0]) for r in rows) for key, _, pick in BENCHMARK_COLUMNS}
    lines = [
        f".. list-table:: {caption}",
        "   :header-rows: 1",
        "   :class: benchmark-table",
        "",
        f"   * - {first}",
        *[f"     - {title}" for _, title, _ in BENCHMARK_COLUMNS],
        "     - fit time (s)",
    ]
    for row in rows:
        lines.append(f"   * - ``{row['model']}``")
        for key, _, _ in BENCHMARK_COLUMNS:
            mean, _, std = row[key].partition(" ± ")
            cell = f"**{mean}**" if float(mean) == best[key] else mean
            lines.append(f"     - {cell} :spread:`± {std}`" if std else f"     - {cell}")
        lines.append(f"     - {row['fit_time_s']}")
    return [*lines, ""]


def _benchmark_sections() -> tuple[str, str]:
    import csv

    with open(DOCS / "benchmark_results.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    role = [".. role:: spread", "   :class: spread", ""]
    overall = [r for r in rows if r["dataset"] == "overall"]
    n_datasets = len({r["dataset"] for r in rows}) - 1
    summary = _benchmark_table(overall, "model", f"Mean over the {n_datasets} data sets of the fold means")
    detail = list(role)
    for dataset in dict.fromkeys(r["dataset"] for r in rows if r["dataset"] != "overall"):
        detail += [dataset, "-" * len(dataset), ""]
        detail += _benchmark_table([r for r in rows if r["dataset"] == dataset], "model", "Mean ± std over folds")
    return "\n".join([*role, *summary]), "\n".join(detail)


for _name, _text in zip(("_benchmark_summary.rst", "_benchmark_per_dataset.rst"), _benchmark_sections(), strict=True):
    if not (DOCS / _name).exists() or (DOCS / _name).read_text() != _text:
        (DOCS / _name).write_text(_text)

# -- numpydoc ----------------------------------------------------------------
# The estimators subclass LGBMClassifier / XGBClassifier, whose inherited members do not
# have numpydoc docstrings: the class template lists skfocal's own methods instead.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- sphinx-gallery ----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skfocal",),
    "reference_url": {"skfocal": None},
    "backreferences_dir": "generated/backreferences",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "show_memory": False,
    # Its page loads jQuery and DataTables from CDNs; the docs load nothing from the network.
    "write_computation_times": False,
    "plot_gallery": "False" if os.environ.get("SKFOCAL_DOCS_SKIP_GALLERY") else "True",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": True,
    "binder": {},
    "jupyterlite": None,
    "recommender": {"enable": False},
}

# -- HTML output -------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skfocal {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_start": ["navbar-logo"],
    "navbar_center": ["navbar-nav"],
    "navbar_end": ["theme-switcher"],
    "navbar_persistent": ["search-button"],
    "icon_links": [],
    "show_prev_next": True,
    # The examples' pages give the page-contents column to their code, which is up to 120
    # characters wide (custom.css wraps what is still too long).
    "secondary_sidebar_items": {
        "**": ["page-toc"],
        **{f"auto_examples/{example.stem}": [] for example in (ROOT / "examples").glob("plot_*.py")},
    },
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_context = {"default_mode": "light"}
html_sidebars = {"index": [], "changelog": [], "api": []}

# -- MyST (CHANGELOG.md) -----------------------------------------------------
myst_heading_anchors = 3
