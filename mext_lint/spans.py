"""Source positions shared by every model: 1-based lines and columns, end column exclusive.

Columns count Unicode code points; reporters that need UTF-16 code units convert.
"""

from typing import NamedTuple


class Span(NamedTuple):
    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, path: str, line: int, column: int) -> "Span":
        return cls(path, line, column, line, column + 1)

    def contains(self, other: "Span") -> bool:
        return (
            self.path == other.path
            and (self.line, self.column) <= (other.line, other.column)
            and (other.end_line, other.end_column) <= (self.end_line, self.end_column)
        )


class Related(NamedTuple):
    """A secondary location shown with a finding, e.g. the COPY that should have made a file."""

    span: Span
    message: str


class Problem(NamedTuple):
    """What a check yields; the engine turns it into a Finding (code, severity, platforms)."""

    span: Span
    message: str
    related: tuple[Related, ...] = ()
    # A check may lower or raise its rule's default severity for one case (e.g. MX102 is an
    # error only when the image runs a backend); config overrides still win.
    severity: str | None = None
