"""Reading user files safely: bounded size, decoded text, one clear problem when unreadable."""

import codecs
import contextlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

MAX_FILE_BYTES = 10 * 1024 * 1024
# Non-blocking: opening a FIFO must not wait for a writer (nothing is read from one).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


# A path relpath would change beyond making it relative: an empty, "." or ".." component.
_NOT_NORMAL = re.compile(r"//|/\.\.?(?:/|$)|./$")


class Source(NamedTuple):
    text: str | None  # None when the file could not be read or decoded
    error: str | None  # why, in plain words


def display_path(path: Path) -> str:
    """The path as findings show it: relative to the current directory when below it."""
    text = os.fspath(path)
    if os.sep == "/" and text[:1] == "/" and not _NOT_NORMAL.search(text):
        # An absolute normal path: what relpath would give, by comparing strings.
        cwd = os.getcwd()
        if text == cwd:
            return "."
        prefix = cwd if cwd == "/" else cwd + "/"
        relative = text[len(prefix) :] if text.startswith(prefix) else ".."
        return text if relative.startswith("..") else relative  # as below, "..x" included
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path.as_posix()
    if relative.startswith(".."):
        return path.as_posix()
    return relative if os.sep == "/" else Path(relative).as_posix()  # relpath's is normal


_remembered: dict[tuple[str, int], Source] | None = None  # while remembering() is active


@contextlib.contextmanager
def remembering(active: bool = True) -> Iterator[None]:
    """While active, ``read_text`` reads each file once and gives the same text when asked
    again: for one run whose report reads the files its findings point into (SARIF), so that
    the report sees what was linted and nothing is read twice."""
    global _remembered
    saved = _remembered
    if active:
        _remembered = {}
    try:
        yield
    finally:
        _remembered = saved


def forget() -> None:
    """Stop remembering texts (a worker process: its texts never reach the report)."""
    global _remembered
    _remembered = None


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Source:
    """Read a UTF-8 text file (a UTF-8 BOM is dropped); never raises.

    Only regular files are read (opened non-blocking and checked through the open descriptor, so
    a FIFO or a device never blocks the run), and never more than ``max_bytes`` (+1 to notice a
    file that grew after its size was checked).
    """
    if _remembered is None:
        return _read_text(path, max_bytes)
    key = (os.path.abspath(path), max_bytes)
    source = _remembered.get(key)
    if source is None:
        source = _remembered[key] = _read_text(path, max_bytes)
    return source


def _read_text(path: Path, max_bytes: int) -> Source:
    try:
        try:
            fd = os.open(path, _READ_FLAGS)
        except OSError:
            if os.path.isdir(path):  # unreadable, or on Windows, where directories do not open
                return Source(None, "is a directory, not a file")
            raise
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                return Source(None, "is a directory, not a file")
            if not stat.S_ISREG(info.st_mode):
                return Source(None, "is not a regular file (a FIFO, socket or device?)")
            if info.st_size > max_bytes:
                return Source(None, _too_large(info.st_size, max_bytes))
            data = _read_up_to(fd, max_bytes + 1, info.st_size + 1)
        finally:
            os.close(fd)
    except OSError as error:
        return Source(None, f"cannot be read: {error.strerror or error}")
    if len(data) > max_bytes:  # it grew while we looked
        return Source(None, _too_large(len(data), max_bytes))
    return decode(data)


def read_head(path: Path | str, size: int) -> bytes | None:
    """The first ``size`` bytes of a regular file; None when it is not one or cannot be read
    (a FIFO or a device is never opened for reading: it could block or never end)."""
    try:
        fd = os.open(path, _READ_FLAGS)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return _read_up_to(fd, size, size)
        finally:
            os.close(fd)
    except OSError:
        return None


def _read_up_to(fd: int, limit: int, expected: int) -> bytes:
    """At most ``limit`` bytes from ``fd``, up to its end; ``expected`` is how many it likely
    has. Plain ``os.read`` calls: a file object costs more than the read, and a buffer of
    ``limit`` bytes (10 MiB) would be allocated for every small file."""
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = os.read(fd, min(max(expected - total, 65536), limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(size: int, max_bytes: int) -> str:
    return (
        f"is {size // (1024 * 1024)} MiB; files over {max_bytes // (1024 * 1024)} MiB are not read"
    )


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
