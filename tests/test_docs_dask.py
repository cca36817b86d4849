"""The Dask page's script runs as a script, and the Dask estimators stay quiet where the user set nothing."""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")

import dask.array as da  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from skfocal.dask import FocalDaskLGBMClassifier  # noqa: E402

pytestmark = pytest.mark.slow  # documentation and examples: run on one CI leg (see .ci/run)

DASK_PAGE = Path(__file__).resolve().parent.parent / "docs" / "user_guide" / "dask.rst"

# LightGBM's network setup, printed by each worker before it reads any parameter (verbose=-1
# cannot reach it); every other LightGBM line must be gone.
NETWORK_SETUP = re.compile(
    r"Finding random open ports for workers|\[LightGBM\] \[(Info|Warning)\] "
    r"(Trying to bind port|Binding port|Listening|Connected to rank|Local rank|Connecting to rank \d+ failed)"
)


def _python_blocks(rst: str) -> list[str]:
    """The code of every ``.. code-block:: python`` directive, dedented."""
    blocks = []
    for match in re.finditer(r"^\.\. code-block:: python\n\n((?:   .*\n|\n)+)", rst, re.M):
        blocks.append("\n".join(line[3:] for line in match.group(1).splitlines()).strip() + "\n")
    return blocks


def test_the_dask_page_script_runs_as_a_script(tmp_path):
    scripts = [block for block in _python_blocks(DASK_PAGE.read_text()) if '__name__ == "__main__"' in block]
    assert len(scripts) == 1
    path = tmp_path / "train_on_dask.py"
    path.write_text(scripts[0])
    done = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        # Two worker processes each import numba, LightGBM and XGBoost: seconds on an idle
        # machine, a minute or more on a loaded 2-core one.
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for stream in (done.stdout, done.stderr):
        # The two workers write to the same terminal, so their lines can run into each other.
        for fragment in re.split(r"(?=\[LightGBM\])", stream):
            message = fragment.split("\n", 1)[0]
            if message.startswith("[LightGBM]") and message.split("]", 2)[-1].strip():
                assert NETWORK_SETUP.match(message), message
    # distributed's notice when another cluster on the machine already holds the dashboard's
    # port is about the machine, not about the script.
    stderr = re.sub(r"\S*UserWarning: Port \d+ is already in use\.(?:\n.*){3}", "", done.stderr)
    for noise in ("Warning:", "Traceback", "n_jobs will be ignored", "deprecated", "Nanny failed"):
        assert noise not in stderr, stderr[-3000:]
    printed = dict(re.findall(r"^(mean P\(class 1\)|average precision of the validation rows|in memory): (.*)$",
                              done.stdout, re.M))  # fmt: skip
    assert 0 < float(printed["mean P(class 1)"]) < 1
    # 5% positives: a model that learned something ranks them well above that base rate
    assert 0.3 < float(printed["average precision of the validation rows"]) <= 1
    assert printed["in memory"] == "FocalLGBMClassifier"


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            yield client


def _chunked(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2_000, 4))
    y = (X[:, 0] + rng.normal(size=2_000) > 1.5).astype(int)
    return da.from_array(X, chunks=500), da.from_array(y, chunks=500)


def _warning_messages(fit) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return [str(w.message) for w in caught]


def test_dask_fit_with_eval_set_warns_about_nothing_the_user_did(client):
    X, y = _chunked()
    model = FocalDaskLGBMClassifier(client=client, n_estimators=5, verbose=-1)
    messages = _warning_messages(lambda: model.fit(X, y, eval_set=[(X, y)]))
    assert not [m for m in messages if "n_jobs" in m or "eval_set" in m or "deprecated" in m], messages
    assert len(model.evals_result_["valid_0"]["focal_loss"]) == 5  # the eval set still reached training


def test_dask_fit_still_says_when_a_set_n_jobs_is_ignored(client):
    X, y = _chunked()
    model = FocalDaskLGBMClassifier(client=client, n_estimators=5, verbose=-1, n_jobs=3)
    messages = _warning_messages(lambda: model.fit(X, y))
    assert any("n_jobs will be ignored" in m for m in messages)  # the workers' threads decide


def test_the_import_error_says_how_to_install_from_a_checkout():
    # A fresh interpreter in which `distributed` cannot be imported, as without the dask extra.
    code = "import sys; sys.modules['distributed'] = None; import skfocal.dask"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "pip install 'skfocal[dask]'" in done.stderr
    assert "pip install '.[dask]'" in done.stderr  # the form that works from a clone
