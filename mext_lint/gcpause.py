"""How mext-lint has Python's cycle collector work: less often than its default, which suits
programs that keep cycles of objects, not a linter building many small acyclic ones."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def acyclic_allocations() -> Iterator[None]:
    """Pause the cycle collector while building many objects that form no cycles.

    In a growing heap each of its full collections walks everything built so far, again and
    again: a third of the time of reading a 5 MB metadata.json went there.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# A collection of the youngest objects after this many new ones (Python's default is 700):
# a lint builds many short-lived tuples and nodes, nearly none in cycles.
LINT_THRESHOLD = 20_000


@contextlib.contextmanager
def lint_collector() -> Iterator[None]:
    """Collect less often for the length of a lint run (about 4% of its instructions went to
    collections that found nothing), as before afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(LINT_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
