"""Disk space that ``pip install .`` (or ``pip install '.[EXTRA]'``) takes, from an installed environment.

Walks the requirements of the installed ``skfocal`` distribution (and of each dependency, with
their environment markers evaluated here) and adds up the files each distribution's ``RECORD``
lists. Run it in an environment where skfocal and the extras are installed::

    python tools/install_size.py            # what `pip install .` installs
    python tools/install_size.py dask       # what `pip install '.[dask]'` installs

It prints the total and the largest distributions and files, in MiB (2**20 bytes) and GB
(10**9 bytes). pip, setuptools and the Python interpreter itself are not counted; files
compiled after installation (``__pycache__``) are counted when they exist on disk.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def _requirements(dist: metadata.Distribution, extras: set[str]) -> list[str]:
    """Names of the distributions that ``dist`` (with ``extras``) requires in this environment."""
    names = []
    for text in dist.requires or []:
        requirement = Requirement(text)
        if requirement.marker is not None:
            if not any(requirement.marker.evaluate({"extra": extra}) for extra in extras | {""}):
                continue
        names.append((requirement.name, set(requirement.extras)))
    return names


def closure(root: str = "skfocal", extras: tuple[str, ...] = ()) -> dict[str, metadata.Distribution]:
    """Every installed distribution that ``pip install root[extras]`` pulls in, ``root`` included.

    Parameters
    ----------
    root : str, default="skfocal"
        The distribution to start from.
    extras : tuple of str, default=()
        Its extras to include.

    Returns
    -------
    distributions : dict
        Canonical name -> installed distribution.
    """
    found: dict[str, metadata.Distribution] = {}
    todo = [(root, set(extras))]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        name, wanted = todo.pop()
        key = (canonicalize_name(name), frozenset(wanted))
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(name)
        found[key[0]] = dist
        todo.extend(_requirements(dist, wanted))
    return found


def file_sizes(dist: metadata.Distribution) -> dict[Path, int]:
    """Size in bytes of every file of ``dist`` that exists on disk.

    Parameters
    ----------
    dist : importlib.metadata.Distribution
        An installed distribution.

    Returns
    -------
    sizes : dict
        Absolute path -> size in bytes.
    """
    sizes = {}
    for item in dist.files or []:
        path = Path(dist.locate_file(item)).resolve()
        if path.is_file():
            sizes[path] = path.stat().st_size
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Print the install size of skfocal with the extras named in ``argv``.

    Parameters
    ----------
    argv : list of str, default=None
        Extras (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0.
    """
    extras = tuple(sys.argv[1:] if argv is None else argv)
    per_dist = {name: file_sizes(dist) for name, dist in closure("skfocal", extras).items()}
    total = sum(sum(sizes.values()) for sizes in per_dist.values())
    label = "pip install ." if not extras else f"pip install '.[{','.join(extras)}]'"
    print(f"{label}: {len(per_dist)} distributions, {total / 2**20:.0f} MiB ({total / 1e9:.2f} GB)")
    print("\nlargest distributions:")
    for name, sizes in sorted(per_dist.items(), key=lambda kv: -sum(kv[1].values()))[:8]:
        size = sum(sizes.values())
        print(f"  {name:24s} {size / 2**20:7.0f} MiB  {size / total:6.1%}")
    print("\nlargest files:")
    files = [(size, path) for sizes in per_dist.values() for path, size in sizes.items()]
    for size, path in sorted(files, reverse=True)[:5]:
        print(f"  {size / 2**20:7.0f} MiB  {size / total:6.1%}  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
