"""Loaders of the real imbalanced data sets bundled with skfocal, in the style of ``sklearn.datasets``."""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "list_datasets",
    "load_abalone19",
    "load_dataset",
    "load_ecoli4",
    "load_glass",
    "load_kc1",
    "load_page_blocks0",
    "load_pc1",
    "load_satimage",
    "load_satimage_multiclass",
    "load_winequality_red_4",
    "load_yeast4",
]

_PACKAGE = "skfocal.datasets"


@dataclass(frozen=True)
class _Spec:
    """A bundled data set: its file, classes, and the facts its loader's docstring states."""

    kind: str  # "binary" or "multiclass"
    stem: str  # the file data/<stem>.csv.gz
    title: str  # the docstring's first line, after "Load the"
    target_names: tuple[str, ...]
    class_counts: tuple[int, ...]
    n_features: int
    positive: int | None = None  # for a binary view of a multiclass file: the class made positive


_SPECS: dict[str, _Spec] = {
    "ecoli4": _Spec(
        "binary", "ecoli4", "Ecoli4 data set (KEEL): Escherichia coli proteins of the outer membrane vs the rest.",
        ("other", "outer_membrane"), (316, 20), 7,
    ),
    "yeast4": _Spec(
        "binary", "yeast4", "Yeast4 data set (KEEL): yeast membrane proteins with uncleaved signal (ME2) vs the rest.",
        ("other", "ME2"), (1433, 51), 8,
    ),
    "winequality_red_4": _Spec(
        "binary", "winequality_red_4", "red wine quality data set, quality 4 vs rest (KEEL winequality-red-4).",
        ("other_quality", "quality_4"), (1546, 53), 11,
    ),
    "abalone19": _Spec(
        "binary", "abalone19", "Abalone19 data set (KEEL): abalone with 19 rings vs the rest.",
        ("other_rings", "19_rings"), (4142, 32), 10,
    ),
    "page_blocks0": _Spec(
        "binary", "page_blocks0", "Page-blocks0 data set (KEEL): non-text vs text blocks of document page layouts.",
        ("text", "non_text"), (4913, 559), 10,
    ),
    "pc1": _Spec(
        "binary", "pc1", "PC1 software defect data set (NASA MDP / PROMISE): modules with reported defects vs without.",
        ("no_defect", "defect"), (1032, 77), 21,
    ),
    "kc1": _Spec(
        "binary", "kc1", "KC1 software defect data set (NASA MDP / PROMISE): modules with reported defects vs without.",
        ("no_defect", "defect"), (1783, 326), 21,
    ),
    "satimage": _Spec(
        "binary", "satimage", "Satimage data set (UCI Statlog Landsat): damp grey soil vs the other five classes.",
        ("other", "damp_grey_soil"), (5809, 626), 36, positive=3,
    ),
    "glass": _Spec(
        "multiclass", "glass", "Glass Identification data set (UCI): six imbalanced classes of glass.",
        (
            "building_windows_float_processed",
            "building_windows_non_float_processed",
            "vehicle_windows_float_processed",
            "containers",
            "tableware",
            "headlamps",
        ),
        (70, 76, 17, 13, 9, 29), 9,
    ),
    "satimage_multiclass": _Spec(
        "multiclass", "satimage", "Satimage data set (UCI Statlog Landsat) with its six land-cover classes.",
        (
            "red_soil",
            "cotton_crop",
            "grey_soil",
            "damp_grey_soil",
            "soil_with_vegetation_stubble",
            "very_damp_grey_soil",
        ),
        (1533, 703, 1358, 626, 707, 1508), 36,
    ),
}  # fmt: skip

_KINDS = ("binary", "multiclass")


def _data_file(filename: str):
    return resources.files(_PACKAGE) / "data" / filename


def _read_csv(stem: str) -> tuple[list[str], np.ndarray]:
    """Feature names and the float64 array (target in the last column) of a bundled ``.csv.gz``."""
    with _data_file(f"{stem}.csv.gz").open("rb") as fh:
        text = gzip.decompress(fh.read()).decode("ascii")
    header, _, body = text.partition("\n")
    names = header.strip().split(",")
    values = np.loadtxt(io.StringIO(body), delimiter=",", dtype=np.float64, ndmin=2)
    if names[-1] != "target" or values.shape[1] != len(names):
        raise RuntimeError(f"The bundled file {stem}.csv.gz is malformed.")
    return names[:-1], values


def _import_pandas():
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "as_frame=True needs pandas, which is not a dependency of skfocal; install it with `pip install pandas`."
        ) from exc
    return pd


def _load(name: str, *, return_X_y: bool, as_frame: bool):
    spec = _SPECS[name]
    stem, target_names, positive = spec.stem, spec.target_names, spec.positive
    feature_names, values = _read_csv(stem)
    data = np.ascontiguousarray(values[:, :-1])
    target = values[:, -1].astype(np.int64)
    if positive is not None:
        target = (target == positive).astype(np.int64)
    frame = None
    if as_frame:
        pd = _import_pandas()
        data = pd.DataFrame(data, columns=feature_names)
        target = pd.Series(target, name="target")
        frame = pd.concat([data, target], axis=1)
    if return_X_y:
        return data, target
    descr = _data_file(f"{name}.rst").read_text(encoding="utf-8")
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=list(feature_names),
        target_names=np.array(target_names),
        DESCR=descr,
    )


def list_datasets(kind: str | None = None) -> list[str]:
    """Names of the bundled data sets.

    Parameters
    ----------
    kind : {"binary", "multiclass"} or None, default=None
        Only the data sets of this kind; all of them when None.

    Returns
    -------
    names : list of str
        The names, sorted, each usable with :func:`load_dataset` and as the suffix of a ``load_<name>`` function.

    Examples
    --------
    >>> from skfocal.datasets import list_datasets
    >>> list_datasets("multiclass")
    ['glass', 'satimage_multiclass']
    >>> "yeast4" in list_datasets("binary")
    True
    """
    if kind is not None and kind not in _KINDS:
        raise ValueError(f"kind must be None, 'binary' or 'multiclass'; got {kind!r}.")
    return sorted(name for name, spec in _SPECS.items() if kind is None or spec.kind == kind)


def load_dataset(name: str, **kwargs):
    """Load a bundled data set by name.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets` (hyphens are read as underscores, case is ignored).
    **kwargs
        Passed to the data set's loader: ``return_X_y`` and ``as_frame``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch` or tuple
        What ``load_<name>(**kwargs)`` returns.

    Raises
    ------
    ValueError
        If ``name`` is not a bundled data set; the message lists the valid names.

    Examples
    --------
    >>> from skfocal.datasets import load_dataset
    >>> X, y = load_dataset("ecoli4", return_X_y=True)
    >>> X.shape
    (336, 7)
    """
    key = str(name).strip().lower().replace("-", "_")
    if key not in _SPECS:
        raise ValueError(f"Unknown data set {name!r}; valid names are: {', '.join(list_datasets())}.")
    return _LOADERS[key](**kwargs)


_LOADER_DOC = """Load the {title}

    {rows} rows, {n_features} numeric features. Bundled with skfocal (nothing is downloaded); the
    provenance, license and citations are in the ``DESCR`` of the returned Bunch.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series and ``frame`` a DataFrame of
        both; needs pandas.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape ({rows}, {n_features}) or DataFrame
            The features, float64.
        target : ndarray of shape ({rows},) or Series
            {target_doc}
        feature_names : list of str
            The names of the {n_features} features.
        target_names : ndarray of str
            {target_names_doc}
        frame : DataFrame or None
            Features and target together when ``as_frame=True``, else None.
        DESCR : str
            Description, provenance, license and citations of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        {summary}

    Examples
    --------
    >>> import numpy as np
    >>> from skfocal.datasets import load_{name}
    >>> X, y = load_{name}(return_X_y=True)
    >>> X.shape
    ({rows}, {n_features})
    >>> np.bincount(y).tolist()
    {counts}
    """


def _make_loader(name: str, spec: _Spec):
    """The public ``load_<name>`` function of one bundled data set."""

    def loader(*, return_X_y: bool = False, as_frame: bool = False):
        return _load(name, return_X_y=return_X_y, as_frame=as_frame)

    rows = sum(spec.class_counts)
    if spec.kind == "binary":
        target_doc = f"The labels, 0/1 int64, with 1 the minority (positive) class, ``{spec.target_names[1]}``."
        target_names_doc = f"``{list(spec.target_names)!r}``: the names of classes 0 and 1."
        summary = f"Binary, {spec.class_counts[1]} positives of {rows} rows ({spec.class_counts[1] / rows:.1%})."
    else:
        k = len(spec.class_counts)
        target_doc = f"The class codes, int64 in 0..{k - 1}; ``target_names[k]`` names class k."
        target_names_doc = "The class names, in the order of the codes."
        summary = f"Multiclass, {k} classes of {min(spec.class_counts)} to {max(spec.class_counts)} rows."
    loader.__name__ = loader.__qualname__ = f"load_{name}"
    loader.__module__ = __name__
    loader.__doc__ = _LOADER_DOC.format(
        title=spec.title,
        rows=rows,
        n_features=spec.n_features,
        target_doc=target_doc,
        target_names_doc=target_names_doc,
        summary=summary,
        name=name,
        counts=list(spec.class_counts),
    )
    return loader


_LOADERS = {name: _make_loader(name, spec) for name, spec in _SPECS.items()}
load_ecoli4 = _LOADERS["ecoli4"]
load_yeast4 = _LOADERS["yeast4"]
load_winequality_red_4 = _LOADERS["winequality_red_4"]
load_abalone19 = _LOADERS["abalone19"]
load_page_blocks0 = _LOADERS["page_blocks0"]
load_pc1 = _LOADERS["pc1"]
load_kc1 = _LOADERS["kc1"]
load_satimage = _LOADERS["satimage"]
load_glass = _LOADERS["glass"]
load_satimage_multiclass = _LOADERS["satimage_multiclass"]
