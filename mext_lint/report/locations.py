"""Where findings point, as machine formats need it: repo-relative URIs and UTF-16 columns.

Spans count Unicode code points; SARIF viewers (VS Code, GitHub) count UTF-16 code units, so a
column after an astral character (an emoji, say) moves right by one per such character. The
conversion reads each file once and keeps its lines.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

from mext_lint.sources import read_text
from mext_lint.spans import Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_root(start: Path | None = None) -> Path:
    """The git top-level above ``start`` (default: the current directory), else ``start``."""
    here = Path(os.path.abspath(start or Path.cwd()))
    for directory in (here, *here.parents):
        # ".git" is a directory in a clone and a file in a worktree or a submodule.
        if (directory / ".git").exists():
            return directory
    return here


def relative_path(path: str, root: Path) -> str | None:
    """``path`` relative to ``root`` with forward slashes; None when it is outside ``root``."""
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return None


def relative_uri(path: str, root: Path) -> str | None:
    """``path`` as a percent-encoded URI reference relative to ``root``; None when outside it."""
    relative = relative_path(path, root)
    if relative is None:
        return None
    # The file name's bytes, as the file system holds them (undecodable ones included).
    return quote(relative.encode("utf-8", "surrogateescape"), safe="/")


def directory_uri(directory: Path) -> str:
    """A ``file:`` URI for a directory, ending in "/" as SARIF base URIs must."""
    uri = Path(os.path.abspath(directory)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


class SourceLines:
    """The lines of the files findings point into, each file read at most once."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        """The file's lines without their line breaks; None when it cannot be read."""
        if path not in self._files:
            text = read_text(Path(path)).text
            self._files[path] = None if text is None else _LINE_BREAK.split(text)
        return self._files[path]

    def line(self, path: str, number: int) -> str | None:
        lines = self.lines(path)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def utf16_column(self, path: str, line: int, column: int) -> int:
        """Code-point ``column`` (1-based) on ``line`` as a UTF-16 code-unit column.

        Columns past the end of the line (an exclusive end at the line break) keep their
        distance from it; an unreadable file keeps code-point columns.
        """
        text = self.line(path, line)
        if text is None or column <= 1:
            return max(column, 1)
        before = text[: column - 1]
        past_end = column - 1 - len(before)
        return 1 + len(before.encode("utf-16-le")) // 2 + past_end

    def utf16_span(self, span: Span) -> Span:
        return span._replace(
            column=self.utf16_column(span.path, span.line, span.column),
            end_column=self.utf16_column(span.path, span.end_line, span.end_column),
        )
