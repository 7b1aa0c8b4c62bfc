"""Reading user files safely: bounded size, decoded text, one clear problem when unreadable."""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import NamedTuple

MAX_FILE_BYTES = 10 * 1024 * 1024


class Source(NamedTuple):
    text: str | None  # None when the file could not be read or decoded
    error: str | None  # why, in plain words


def display_path(path: Path) -> str:
    """The path as findings show it: relative to the current directory when below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return Path(relative).as_posix() if not relative.startswith("..") else path.as_posix()


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Source:
    """Read a UTF-8 text file (a UTF-8 BOM is dropped); never raises."""
    try:
        if path.is_dir():
            return Source(None, "is a directory, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            return Source(
                None,
                f"is {size // (1024 * 1024)} MiB; files over "
                f"{max_bytes // (1024 * 1024)} MiB are not read",
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return Source(None, f"cannot be read: {error.strerror or error}")
    return decode(data)


def decode(data: bytes) -> Source:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Source(None, "is UTF-16 encoded; save it as UTF-8")
    if b"\x00" in data:
        return Source(None, "contains NUL bytes (a binary file?)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Source(None, f"is not valid UTF-8 (byte {error.start})")
    return Source(text, None)
