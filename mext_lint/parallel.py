"""Lint many extensions on every CPU, with worker processes forked from this one.

A run over a few extensions stays in this process: starting workers and sending findings back
costs more than it saves. From ``MIN_PARALLEL`` extensions on (and with more than one CPU, on
Linux, where ``fork`` is safe and cheap), the first extension is linted here, which imports and
warms everything the workers then inherit, and the rest are shared out in small chunks. Findings
come back in the order of the extensions, so the output is the same as a sequential run's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from mext_lint.findings import Finding
from mext_lint.settings import Settings

MIN_PARALLEL = 16  # extensions; fewer are linted in this process
MAX_CHUNK = 8  # extensions a worker takes at a time

Job = tuple[Path, Settings]
_JOBS: Sequence[Job] = ()  # what the forked workers read (set just before they start)


def available_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def worker_count(jobs: int, requested: int = 0) -> int:
    """How many worker processes lint ``jobs`` extensions; 1 means this process alone.

    ``requested`` is ``--jobs``: 0 for one per CPU (when worth it), 1 for no workers."""
    if not sys.platform.startswith("linux"):
        return 1
    if requested == 0:
        if jobs < MIN_PARALLEL:
            return 1
        requested = available_cpus()
    return max(1, min(requested, jobs - 1))


def lint_roots(jobs: Sequence[Job], requested: int = 0) -> Iterator[list[Finding]]:
    """The findings of each extension, in order."""
    workers = worker_count(len(jobs), requested)
    if workers <= 1:
        for root, settings in jobs:
            yield lint_root(root, settings)
        return
    import gc
    import multiprocessing

    global _JOBS
    yield lint_root(*jobs[0])  # imports and caches everything before the workers fork
    # What is alive now (modules, the catalog, caches) lives as long as the run: the collector
    # need not walk it, nor touch (and so copy) the pages the workers share with this process.
    gc.freeze()
    _JOBS = jobs
    chunk = max(1, min(MAX_CHUNK, (len(jobs) - 1) // (workers * 4)))
    context = multiprocessing.get_context("fork")
    try:
        with context.Pool(workers, initializer=_start_worker) as pool:
            yield from pool.imap(_lint_job, range(1, len(jobs)), chunk)
    finally:
        _JOBS = ()
        gc.unfreeze()


def lint_root(root: Path, settings: Settings) -> list[Finding]:
    from mext_lint.engine import lint_extension
    from mext_lint.extension import open_extension

    return lint_extension(open_extension(root, settings), settings)


def _lint_job(index: int) -> list[Finding]:
    return lint_root(*_JOBS[index])


def _start_worker() -> None:
    """Ctrl-C is the parent's to handle (it stops the pool); texts a worker reads never reach
    the report, so it does not keep them."""
    import signal

    from mext_lint.sources import forget

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forget()
