"""Findings: problems stamped with their rule, severity and the platforms they apply to."""

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

    def sort_key(
        self,
    ) -> tuple[str, int, int, str, str, int, int, str, tuple[str, ...], tuple[Related, ...]]:
        """Position, code and message first; the rest only breaks ties, so the order never
        depends on the order checks happened to yield findings in."""
        span = self.span
        return (
            span.path,
            span.line,
            span.column,
            self.code,
            self.message,
            span.end_line,
            span.end_column,
            self.severity,
            self.platforms,
            self.related,
        )
