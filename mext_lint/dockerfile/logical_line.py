"""Go's whitespace rules and the joined ("logical") instruction line with its map back to the file.

BuildKit joins an instruction's continuation lines into one string before parsing it. A
:class:`LogicalLine` keeps that string together with where each of its pieces came from, so any
character range of it can be turned into an exact :class:`~mext_lint.spans.Span`.
"""

import re
from bisect import bisect_right
from typing import NamedTuple

from mext_lint.dockerfile.model import Segment
from mext_lint.spans import Span

# Go's unicode.IsSpace: Latin-1 \t \n \v \f \r space U+0085 U+00A0, then the White_Space property.
# (Python's str.isspace also counts \x1c-\x1f, which Go does not.)
_GO_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The same set as a regular expression character class body.
GO_SPACE_CLASS = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# A run of characters that are not spaces for Go's unicode.IsSpace.
GO_WORD = re.compile(f"[^{GO_SPACE_CLASS}]+")
# BuildKit's reWhitespace, `[\t\v\f\r ]+`, which splits FROM/EXPOSE/COPY words and the keyword.
TOKEN_SPACES = frozenset("\t\v\f\r ")
TOKEN = re.compile(r"[^\t\v\f\r ]+")


def is_go_space(ch: str) -> bool:
    return ch in _GO_SPACES


def go_trim_left(text: str, start: int = 0, end: int | None = None) -> int:
    """Index of the first non-space character of ``text[start:end]`` (``end`` if none)."""
    stop = len(text) if end is None else end
    while start < stop and text[start] in _GO_SPACES:
        start += 1
    return start


def go_trim_right(text: str, start: int = 0, end: int | None = None) -> int:
    """Index after the last non-space character of ``text[start:end]`` (``start`` if none)."""
    stop = len(text) if end is None else end
    while stop > start and text[stop - 1] in _GO_SPACES:
        stop -= 1
    return stop


class Piece(NamedTuple):
    """A run of logical-line characters copied from one physical line."""

    offset: int  # where the run starts in the logical line
    line: int  # 1-based file line
    column: int  # 1-based column of the run's first character


class LogicalLine:
    """The joined text of one instruction and the file position of every character."""

    def __init__(self, path: str, text: str, pieces: list[Piece], end: tuple[int, int]) -> None:
        self.path = path
        self.text = text
        self._pieces = pieces
        self._starts = [piece.offset for piece in pieces]
        self._end = end  # file position just after the last character (used for empty ranges)
        # Most instructions sit on one line: then a span is plain arithmetic.
        self._one_line = (pieces[0].line, pieces[0].column) if len(pieces) == 1 else None

    def position(self, offset: int) -> tuple[int, int]:
        """File (line, column) of the character at ``offset`` (or just after the text)."""
        if offset >= len(self.text):
            if not self.text:
                return self._end
            line, column = self.position(len(self.text) - 1)
            return line, column + 1
        pieces = self._pieces
        piece = pieces[0] if len(pieces) == 1 else pieces[bisect_right(self._starts, offset) - 1]
        return piece.line, piece.column + offset - piece.offset

    def span(self, start: int, end: int) -> Span:
        """Span of ``text[start:end]``; an empty range gives a zero-width span."""
        if self._one_line is not None and start < end <= len(self.text):
            line, column = self._one_line
            return Span(self.path, line, column + start, line, column + end)
        line, column = self.position(start)
        if end <= start:
            return Span(self.path, line, column, line, column)
        end_line, end_column = self.position(end - 1)
        return Span(self.path, line, column, end_line, end_column + 1)

    def segments(self, start: int, end: int) -> tuple[Segment, ...]:
        """Where each run of ``text[start:end]`` sits in the file (see :class:`Segment`)."""
        if self._one_line is not None:
            if start >= min(len(self.text), end):
                return ()
            line, column = self._one_line
            return (Segment(0, line, column + start),)
        found: list[Segment] = []
        first = max(bisect_right(self._starts, start) - 1, 0)
        for index in range(first, len(self._pieces)):
            piece = self._pieces[index]
            if piece.offset >= end:
                break
            piece_end = self._starts[index + 1] if index + 1 < len(self._pieces) else len(self.text)
            run_start = max(piece.offset, start)
            if run_start >= min(piece_end, end):
                continue
            column = piece.column + run_start - piece.offset
            found.append(Segment(run_start - start, piece.line, column))
        return tuple(found)

    def sub_line(self, start: int, end: int) -> "LogicalLine":
        """``text[start:end]`` as a line of its own, for ONBUILD's trigger instruction."""
        pieces: list[Piece] = []
        for index, piece in enumerate(self._pieces):
            piece_end = self._starts[index + 1] if index + 1 < len(self._pieces) else len(self.text)
            if piece_end <= start or piece.offset >= end:
                continue
            skip = max(start - piece.offset, 0)
            pieces.append(Piece(piece.offset + skip - start, piece.line, piece.column + skip))
        return LogicalLine(self.path, self.text[start:end], pieces, self.position(end))
