"""Go's whitespace rules and the joined ("logical") instruction line with its map back to the file.

BuildKit joins an instruction's continuation lines into one string before parsing it. A
:class:`LogicalLine` keeps that string together with where each of its pieces came from, so any
character range of it can be turned into an exact :class:`~mext_lint.spans.Span`.
"""

import functools
import re
from bisect import bisect_right

from mext_lint.dockerfile.model import Segment
from mext_lint.spans import Span

# NamedTuple construction runs a Python-level __new__; the parser makes a few spans per
# instruction, so it builds them (and segments) from a tuple directly, which costs a third.
new_span = functools.partial(tuple.__new__, Span)
_new_segment = functools.partial(tuple.__new__, Segment)

# Go's unicode.IsSpace: Latin-1 \t \n \v \f \r space U+0085 U+00A0, then the White_Space property.
# (Python's str.isspace also counts \x1c-\x1f, which Go does not.)
_GO_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The same set as a string, for str.strip and its kin.
GO_SPACES = "".join(sorted(_GO_SPACES))
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


# A run of logical-line characters copied from one physical line: where it starts in the logical
# line, then the 1-based file line and column of its first character.
Piece = tuple[int, int, int]


class LogicalLine:
    """The joined text of one instruction and the file position of every character."""

    __slots__ = ("_end", "_one_line", "_pieces", "_starts", "path", "text")

    def __init__(self, path: str, text: str, pieces: list[Piece], end: tuple[int, int]) -> None:
        self.path = path
        self.text = text
        self._pieces = pieces
        # Where each piece starts, for the lines made of several.
        self._starts = [piece[0] for piece in pieces] if len(pieces) > 1 else []
        self._end = end  # file position just after the last character (used for empty ranges)
        # Most instructions sit on one line: then a span is plain arithmetic.
        self._one_line = pieces[0][1:] if len(pieces) == 1 else None

    def position(self, offset: int) -> tuple[int, int]:
        """File (line, column) of the character at ``offset`` (or just after the text)."""
        if offset >= len(self.text):
            if not self.text:
                return self._end
            line, column = self.position(len(self.text) - 1)
            return line, column + 1
        pieces = self._pieces
        start, line, column = (
            pieces[0] if len(pieces) == 1 else pieces[bisect_right(self._starts, offset) - 1]
        )
        return line, column + offset - start

    def span(self, start: int, end: int) -> Span:
        """Span of ``text[start:end]``; an empty range gives a zero-width span."""
        if start <= end <= len(self.text):
            if self._one_line is not None:
                line, column = self._one_line
                return new_span((self.path, line, column + start, line, column + end))
            if start < end:  # self.position of both ends, without its cases
                starts, pieces = self._starts, self._pieces
                offset, line, column = pieces[bisect_right(starts, start) - 1]
                last_offset, end_line, end_column = pieces[bisect_right(starts, end - 1) - 1]
                column += start - offset
                return new_span((self.path, line, column, end_line, end_column + end - last_offset))
        line, column = self.position(start)
        if end <= start:
            return new_span((self.path, line, column, line, column))
        end_line, end_column = self.position(end - 1)
        return new_span((self.path, line, column, end_line, end_column + 1))

    def segments(self, start: int, end: int) -> tuple[Segment, ...]:
        """Where each run of ``text[start:end]`` sits in the file (see :class:`Segment`)."""
        end = min(len(self.text), end)
        if self._one_line is not None:
            if start >= end:
                return ()
            line, column = self._one_line
            return (_new_segment((0, line, column + start)),)
        found: list[Segment] = []
        pieces = self._pieces
        piece_ends = [*self._starts[1:], len(self.text)]
        for index in range(max(bisect_right(self._starts, start) - 1, 0), len(pieces)):
            offset, line, column = pieces[index]
            if offset >= end:
                break
            run_start = max(offset, start)
            if run_start < min(piece_ends[index], end):
                found.append(_new_segment((run_start - start, line, column + run_start - offset)))
        return tuple(found)

    def sub_line(self, start: int, end: int) -> "LogicalLine":
        """``text[start:end]`` as a line of its own, for ONBUILD's trigger instruction."""
        pieces: list[Piece] = []
        for index, (offset, line, column) in enumerate(self._pieces):
            piece_end = self._starts[index + 1] if index + 1 < len(self._pieces) else len(self.text)
            if piece_end <= start or offset >= end:
                continue
            skip = max(start - offset, 0)
            pieces.append((offset + skip - start, line, column + skip))
        return LogicalLine(self.path, self.text[start:end], pieces, self.position(end))
