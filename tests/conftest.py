"""Fixtures shared by the test modules."""

import pytest


@pytest.fixture
def threads_seen(monkeypatch):
    """What the kernels are asked for during a test: per call, ``("team", n_threads)`` when it runs
    on a booster's OpenMP threads, ``("own", n_threads)`` on threads of the kernels' own; the
    kernels take every input size."""
    from skfocal import _fastpath, _kernels

    monkeypatch.setattr(_fastpath, "SMALL_BINARY", -1)
    monkeypatch.setattr(_fastpath, "SMALL_MULTICLASS", -1)
    seen = []
    run_blocks, on_team = _kernels._run_blocks, _kernels._on_team

    def own(n_rows, k, work, n_threads):
        seen.append(("own", n_threads))
        return run_blocks(n_rows, k, work, n_threads)

    def team(team, callback, n_threads, *args):
        seen.append(("team", n_threads))
        return on_team(team, callback, n_threads, *args)

    monkeypatch.setattr(_kernels, "_run_blocks", own)
    monkeypatch.setattr(_kernels, "_on_team", team)
    return seen


@pytest.fixture
def no_team(monkeypatch):
    """As on a platform whose OpenMP runtime the kernels cannot run on: they use threads of their own."""
    from skfocal import _compat

    monkeypatch.setattr(_compat, "openmp_team", lambda booster: None)
