"""Real imbalanced data sets bundled with skfocal, with loaders in the style of ``sklearn.datasets``."""

from ._base import (
    list_datasets,
    load_abalone19,
    load_dataset,
    load_ecoli4,
    load_glass,
    load_kc1,
    load_page_blocks0,
    load_pc1,
    load_satimage,
    load_satimage_multiclass,
    load_winequality_red_4,
    load_yeast4,
)

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
