"""Variable expansion and quote removal with BuildKit's shell-lexer semantics (to be written)."""

from __future__ import annotations

from collections.abc import Mapping

# name -> value; None means "declared, value unknown" (an ARG with no default and no build arg).
Env = Mapping[str, "str | None"]


def expand(word: str, env: Env, *, escape: str = "\\") -> str | None:
    """Expand ``word`` as BuildKit's ProcessWord does; None when it depends on an unknown value."""
    raise NotImplementedError


def expand_words(text: str, env: Env, *, escape: str = "\\") -> list[str] | None:
    """Expand and split into words as BuildKit's ProcessWords does; None when unknown."""
    raise NotImplementedError
