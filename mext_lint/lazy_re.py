"""Regular expressions compiled when first used, not when their module is imported.

Compiling a pattern costs about as much as importing a small module, and a run needs few of
the patterns the code holds (those for heredocs, shebangs, Makefiles...): a cold run of one
extension otherwise spends a tenth of its time compiling patterns it never uses.
"""

from __future__ import annotations

import re
from typing import Any, cast

_METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer")


def compile_later(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` on first use. Call its methods only: it is not a real
    ``re.Pattern`` to ``isinstance`` or to the ``re`` module's functions."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))


class _LazyPattern:
    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        compiled: re.Pattern[str] | None = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = re.compile(*self._source)
            self._compiled = compiled
            for method in _METHODS:  # found on the instance from now on: no detour
                setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)
