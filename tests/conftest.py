"""Fixtures shared by the test modules."""

import pytest


@pytest.fixture
def threads_seen(monkeypatch):
    """The threads the kernels are asked for during a test, one entry per call; the kernels take every input size."""
    from skfocal import _fastpath, _kernels

    monkeypatch.setattr(_fastpath, "SMALL_BINARY", -1)
    monkeypatch.setattr(_fastpath, "SMALL_MULTICLASS", -1)
    seen = []
    run_blocks = _kernels._run_blocks

    def own(n_rows, k, work, n_threads):
        seen.append(n_threads)
        return run_blocks(n_rows, k, work, n_threads)

    monkeypatch.setattr(_kernels, "_run_blocks", own)
    return seen
