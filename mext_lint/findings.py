"""Findings: problems stamped with their rule, severity and the platforms they apply to."""

from __future__ import annotations

from typing import NamedTuple

from mext_lint.spans import Related, Span

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


class Finding(NamedTuple):
    code: str
    name: str
    severity: str
    span: Span
    message: str
    related: tuple[Related, ...]
    platforms: tuple[str, ...]  # empty when the finding holds for every target platform

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.column, self.code, self.message)
