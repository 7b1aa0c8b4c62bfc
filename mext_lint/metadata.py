"""metadata.json read with positions: the parsed value plus a span for any key or value asked for.

The text is read with the C scanner of the standard ``json`` module (whose errors carry an
offset). Positions are found lazily: the members of a container are located the first time a
pointer goes through it, each member's value skipped at C speed, and remembered; so a span costs
only the containers on its pointer's path, and many spans add up to one pass over the text.
Values are addressed by RFC 6901 JSON pointers. Duplicate keys keep the last value, as Docker's Go
decoder does, and can be listed so a rule can report them.
"""

from __future__ import annotations

import bisect
import functools
import json
import json.decoder
import re
from collections.abc import Callable, Iterator
from typing import Generic, NamedTuple, TypeVar, cast

from mext_lint.dockerfile.model import SyntaxIssue
from mext_lint.gcpause import acyclic_allocations
from mext_lint.spans import Span

T = TypeVar("T")
U = TypeVar("U")

HOST_OSES = ("darwin", "windows", "linux")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_JSON_WHITESPACE = " \t\n\r"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# It matches the empty string too, so its match() never returns None.
_match_whitespace = cast(Callable[[str, int], "re.Match[str]"], _WHITESPACE.match)
# Python's json accepts these; Go's encoding/json (and so Docker Desktop) does not.
_NON_STANDARD_CONSTANTS = ("-Infinity", "Infinity", "NaN")
# Deeper documents are read (positions are found iteratively) but not checked against the
# schema: jsonschema, and the repr of a value in its messages, recurse once per level, and whether
# that fits must not depend on how much of Python's stack the caller already uses. A real
# metadata.json is a few levels deep.
MAX_NESTING = 100
# Deeper still is refused as unreadable: json's scanner recurses too, up to ~1000 levels minus the
# caller's stack, so the same file would read as JSON in one process and as too deep in another.
MAX_READ_NESTING = 500
_STRUCTURE = re.compile(r'["{}\[\]]')
_STRUCTURE_AND_CONSTANTS = re.compile(r'["{}\[\]NI]')
# For _nesting_depth: every byte but quotes and brackets is dropped, brackets become parentheses.
_AS_PARENTHESES = bytes.maketrans(b"[{]}", b"(())")
_NOT_STRUCTURE = bytes(set(range(256)) - set(b'"[]{}'))


class Located(Generic[T]):
    """A value read from metadata.json with where it was written (found when asked: most values
    are never reported)."""

    __slots__ = ("_locate", "_span", "pointer", "value")

    def __init__(self, value: T, span: Span | Callable[[str], Span], pointer: str) -> None:
        """``span`` is the span itself or a function finding the span of a pointer."""
        self.value = value
        self.pointer = pointer
        self._span = span if isinstance(span, Span) else None
        self._locate = span

    @property
    def span(self) -> Span:
        if self._span is None:
            assert not isinstance(self._locate, Span)
            self._span = self._locate(self.pointer)
        return self._span

    def with_value(self, value: U) -> Located[U]:
        """Another value standing where this one is written."""
        return Located(value, self._locate, self.pointer)

    def _fields(self) -> tuple[T, Span, str]:
        return self.value, self.span, self.pointer

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Located) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Located({self.value!r}, {self.span!r}, {self.pointer!r})"


class HostBinary:
    """One ``host.binaries[i].<os>[j].path`` string; where it is written is found when asked."""

    __slots__ = ("_index", "_item", "_locate", "_pointer", "_span", "os", "path")

    def __init__(
        self,
        os: str,
        path: str,
        span: Span | Callable[[str], Span],
        pointer: str | None,
        index: int = -1,
        item: int = -1,
    ) -> None:
        """``span`` is the span itself or a function finding the span of a pointer; a pointer
        None is ``host.binaries[index].<os>[item].path``, written out when asked."""
        self.os = os  # "darwin", "windows" or "linux"
        self.path = path
        self._pointer = pointer
        self._index = index
        self._item = item
        self._span = span if isinstance(span, Span) else None
        self._locate = span

    @property
    def pointer(self) -> str:
        """Where it is in metadata.json, e.g. "/host/binaries/0/darwin/0/path"."""
        if self._pointer is None:
            self._pointer = f"/host/binaries/{self._index}/{self.os}/{self._item}/path"
        return self._pointer

    @property
    def span(self) -> Span:
        """The path string's value span."""
        if self._span is None:
            assert not isinstance(self._locate, Span)
            self._span = self._locate(self.pointer)
        return self._span

    def _fields(self) -> tuple[str, str, Span, str]:
        return self.os, self.path, self.span, self.pointer

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HostBinary):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "HostBinary(os={!r}, path={!r}, span={!r}, pointer={!r})".format(*self._fields())


class DuplicateKey(NamedTuple):
    """A key written twice in one object; the later value wins (as in Docker's Go decoder)."""

    pointer: str
    span: Span  # the later (winning) occurrence of the key
    first_span: Span  # the first occurrence, whose value is ignored


class _Slot(NamedTuple):
    """Offsets of one value (and of its key, for an object member) in the text."""

    key_start: int  # -1 for array items and the root
    key_end: int
    start: int
    end: int


# The members of a container as the text holds them: (key, slot) in file order, key None in arrays.
_Members = list[tuple[str | None, _Slot]]
# The members a pointer can reach: by key (the last of duplicates) or by index.
_Children = dict[str, _Slot] | list[_Slot]


class _LineIndex:
    """Turns string offsets into 1-based line:column (columns in code points)."""

    def __init__(self, text: str) -> None:
        self._starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def span(self, path: str, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(path, line, column, end_line, end_column)

    def point(self, path: str, offset: int) -> Span:
        return Span.point(path, *self.position(offset))


# The members of a smaller container are read again on each visit rather than kept: that costs
# about as much as a visit anyway, and keeping the offsets of every little object of a large file
# took more memory than its parsed value.
_KEPT_CONTAINER_SIZE = 1024


class _Positions:
    """Where the values of a valid JSON text are, found container by container on demand."""

    def __init__(self, text: str, root: _Slot, root_members: _Members | None) -> None:
        self.text = text
        self.root = root
        self._children: dict[int, _Children] = {}  # by the offset of the container's bracket
        if root_members is not None:
            self._children[root.start] = _children(root_members)

    @functools.cached_property
    def lines(self) -> _LineIndex:
        return _LineIndex(self.text)

    def nearest(self, pointer: str) -> tuple[_Slot, bool]:
        """The slot of ``pointer``, or of its nearest existing ancestor (and False)."""
        slot = self.root
        for token in _pointer_tokens(pointer):
            child = self._child(slot, token)
            if child is None:
                return slot, False
            slot = child
        return slot, True

    def _child(self, slot: _Slot, token: str) -> _Slot | None:
        if self.text[slot.start] not in "{[":
            return None
        children = self._children.get(slot.start)
        if children is None:
            children = _children(_read_container(self.text, slot.start))
            if slot.end - slot.start >= _KEPT_CONTAINER_SIZE:
                self._children[slot.start] = children
        if isinstance(children, dict):
            return children.get(token)
        if _is_array_index(token) and int(token) < len(children):
            return children[int(token)]
        return None

    def duplicate_keys(self) -> Iterator[tuple[str, _Slot, _Slot]]:
        """(pointer, first, later) for each key written twice in one object, including objects
        whose own key was overridden (reads the whole text: for reports, not for lookups)."""
        pending = [(self.root, "")]
        while pending:
            slot, pointer = pending.pop()
            if self.text[slot.start] not in "{[":
                continue
            first: dict[str, _Slot] = {}
            members = _read_container(self.text, slot.start)
            for index, (key, child) in enumerate(members):
                token = str(index) if key is None else key
                pending.append((child, pointer + make_pointer(token)))
                if key is None:
                    continue
                if key in first:
                    yield pointer + make_pointer(key), first[key], child
                else:
                    first[key] = child


def _children(members: _Members) -> _Children:
    if members and members[0][0] is None:
        return [slot for _, slot in members]
    return {key: slot for key, slot in members if key is not None}


class Metadata:
    """metadata.json as read: its text, the parsed value and where each part is written.

    Read-only, like the file it stands for (and so that the cached properties stay true).
    """

    path: str
    text: str
    data: object  # the parsed value; None when the text is not valid JSON (or is `null`)
    error: SyntaxIssue | None
    _positions: _Positions | None
    depth: int  # how deeply containers nest

    def __init__(
        self,
        path: str,
        text: str,
        data: object,
        error: SyntaxIssue | None,
        positions: _Positions | None = None,
        depth: int = 0,
    ) -> None:
        self.__dict__.update(
            path=path, text=text, data=data, error=error, _positions=positions, depth=depth
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"metadata is read-only: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Metadata) and (self.path, self.text, self.data, self.error) == (
            other.path,
            other.text,
            other.data,
            other.error,
        )

    def __repr__(self) -> str:
        return f"Metadata(path={self.path!r}, error={self.error!r}, depth={self.depth})"

    def deepest_span(self) -> Span:
        """Where the most deeply nested container opens."""
        return _nesting_issue(self.text, self.path, _LineIndex(self.text)).span

    @functools.cached_property
    def duplicate_keys(self) -> tuple[DuplicateKey, ...]:
        """Keys written twice in one object, in file order of the later one."""
        positions = self._positions
        if positions is None:
            return ()
        found = sorted(positions.duplicate_keys(), key=lambda duplicate: duplicate[2].key_start)
        lines = positions.lines
        return tuple(
            DuplicateKey(
                pointer,
                lines.span(self.path, later.key_start, later.key_end),
                lines.span(self.path, first.key_start, first.key_end),
            )
            for pointer, first, later in found
        )

    # -- positions ---------------------------------------------------------------------------

    def value_span(self, pointer: str) -> Span:
        """Where the value at ``pointer`` is written.

        A pointer that does not exist falls back to its nearest existing ancestor, then to 1:1.
        """
        if self._positions is None:
            return Span.point(self.path, 1, 1)
        slot, _ = self._positions.nearest(pointer)
        return self._positions.lines.span(self.path, slot.start, slot.end)

    def key_span(self, pointer: str) -> Span:
        """Where the key of the member at ``pointer`` is written.

        An array item or the root has no key: its first character stands in. A pointer that does
        not exist falls back to its nearest existing ancestor, then to 1:1.
        """
        if self._positions is None:
            return Span.point(self.path, 1, 1)
        slot, _ = self._positions.nearest(pointer)
        lines = self._positions.lines
        if slot.key_start >= 0:
            return lines.span(self.path, slot.key_start, slot.key_end)
        return lines.point(self.path, slot.start)

    def has(self, pointer: str) -> bool:
        """Whether ``pointer`` names a value that is written in the file."""
        return self._positions is not None and self._positions.nearest(pointer)[1]

    # -- typed accessors (never raise on wrong shapes; each read once, as checks ask often) --

    @functools.cached_property
    def icon(self) -> Located[str] | None:
        return self._string("icon")

    @functools.cached_property
    def ui_title(self) -> Located[str] | None:
        return self._string("ui", "dashboard-tab", "title")

    @functools.cached_property
    def ui_root(self) -> Located[str] | None:
        return self._string("ui", "dashboard-tab", "root")

    @functools.cached_property
    def ui_src(self) -> Located[str] | None:
        return self._string("ui", "dashboard-tab", "src")

    @functools.cached_property
    def backend_socket(self) -> Located[str] | None:
        """``ui.dashboard-tab.backend.socket``, the legacy form of ``vm.exposes.socket``."""
        return self._string("ui", "dashboard-tab", "backend", "socket")

    @functools.cached_property
    def vm_image(self) -> Located[str] | None:
        return self._string("vm", "image")

    @functools.cached_property
    def composefile(self) -> Located[str] | None:
        return self._string("vm", "composefile")

    @functools.cached_property
    def exposes_socket(self) -> Located[str] | None:
        return self._string("vm", "exposes", "socket")

    @property
    def host_binaries(self) -> list[HostBinary]:
        """Every ``host.binaries[i].<os>[j].path`` string for a known OS, in file order.

        Read once and shared (every host-binary check asks, once per platform): do not modify.
        """
        return self._host_binary_listing[0]

    @property
    def host_binaries_as_schema_wants(self) -> bool:
        """Whether ``host.binaries`` is a list of objects mapping only darwin, windows and linux
        to lists of ``{"path": <a non-empty string>}``: what metadata.schema.json allows there
        (found while listing them, so the schema check need not walk them again)."""
        return self._host_binary_listing[1]

    @functools.cached_property
    def _host_binary_listing(self) -> tuple[list[HostBinary], bool]:
        binaries = _get(self.data, "host", "binaries")
        if not isinstance(binaries, list):
            return [], False
        with acyclic_allocations():
            return _host_binaries(binaries, self.value_span)

    def _string(self, *keys: str) -> Located[str] | None:
        value = _get(self.data, *keys)
        if not isinstance(value, str):
            return None
        return Located(value, self.value_span, make_pointer(*keys))


def load_metadata(text: str, path: str) -> Metadata:
    """Parse metadata.json ``text`` (already decoded); syntax errors land in ``Metadata.error``."""
    depth = _nesting_depth(text, MAX_READ_NESTING)  # meaningful once _read accepts the text
    try:
        with acyclic_allocations():
            data, positions = _read(text)
    except RecursionError:  # deeper than the stack allows (MAX_READ_NESTING or a deep caller)
        return Metadata(path, text, None, _nesting_issue(text, path, _LineIndex(text)))
    except (_Unreadable, StopIteration, ValueError):
        return Metadata(path, text, None, _read_issue(text, path))
    if depth > MAX_READ_NESTING:
        return Metadata(path, text, None, _nesting_issue(text, path, _LineIndex(text)))
    return Metadata(path, text, data, None, positions, depth)


def _read_issue(text: str, path: str) -> SyntaxIssue:
    """Why json cannot read ``text``, in plain words (too deep first, as nothing else matters)."""
    lines = _LineIndex(text)
    if _deeper_than(text, MAX_READ_NESTING):
        return _nesting_issue(text, path, lines)
    try:
        json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        offset = error.pos if text.strip() else 0  # an empty file is reported at 1:1
        return SyntaxIssue(_decode_error_message(text, error, lines), lines.point(path, offset))
    except _NonStandardConstant:
        return _constant_issue(text, path, lines)
    except RecursionError:  # a caller with a very deep stack of its own
        return _nesting_issue(text, path, lines)
    raise AssertionError("_read refused a text json.loads reads")


def image_path(path: str) -> str:
    """A path metadata.json names (host binary, icon, UI root), as the absolute path in the
    image Docker Desktop reads it from."""
    if path[:1] == "/" and path[1:2] != "/":
        return path  # already absolute, as nearly every one is: no copy of each string
    return "/" + path.lstrip("/")


def make_pointer(*tokens: str | int) -> str:
    """The RFC 6901 pointer for a path of keys and indexes: ("a/b", 0) -> "/a~1b/0"."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)


def _pointer_tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def _is_array_index(token: str) -> bool:
    return token.isascii() and token.isdigit() and (token == "0" or not token.startswith("0"))


def _host_binaries(
    binaries: list[object], locate: Callable[[str], Span]
) -> tuple[list[HostBinary], bool]:
    """The host binaries listed, and whether the list is as the schema wants."""
    found = []
    wanted = True
    for index, entry in enumerate(binaries):
        if not isinstance(entry, dict):
            wanted = False
            continue
        for os_name, items in entry.items():
            if os_name not in HOST_OSES or not isinstance(items, list):
                wanted = False
                continue
            for item_index, item in enumerate(items):
                path = item.get("path") if isinstance(item, dict) else None
                if isinstance(path, str):
                    found.append(HostBinary(os_name, path, locate, None, index, item_index))
                    if not path or len(item) != 1:
                        wanted = False
                else:
                    wanted = False
    return found, wanted


def _get(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# -- reading: json's C scanner, plus the offsets of the root's members ----------------------------


class _NonStandardConstant(ValueError):
    pass


def _reject_constant(name: str) -> object:
    raise _NonStandardConstant(name)


class _Unreadable(Exception):
    """The text breaks JSON's grammar at a container's punctuation (json.loads says how)."""


# (value, offset just past it) of the JSON value at an offset; raises StopIteration if none.
_ValueReader = Callable[[str, int], tuple[object, int]]
# json's C scanner and string reader (typeshed does not declare them).
_scan_once: _ValueReader = json.decoder.JSONDecoder(  # type: ignore[attr-defined]
    parse_constant=_reject_constant
).scan_once
_scan_string: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def _read(text: str) -> tuple[object, _Positions]:
    """The value of a JSON text, exactly as ``json.loads`` reads it, and its positions index.

    The root's members are read one by one (each value by json's C scanner), so their offsets
    come for free. Raises where json.loads would (with another error: ``_read_issue`` says which).
    """
    start = _match_whitespace(text, 0).end()
    if text[start : start + 1] in ("{", "["):
        values: list[object] = []
        members, end = _read_members(text, start, _scan_once, values)
        if text[start] == "[":
            data: object = values
        else:
            data = dict(zip((key for key, _ in members), values, strict=True))
        root_members: _Members | None = members
    else:
        data, end = _scan_once(text, start)
        root_members = None
    if _match_whitespace(text, end).end() != len(text):
        raise _Unreadable("extra data")
    return data, _Positions(text, _Slot(-1, -1, start, end), root_members)


def _read_members(
    text: str, start: int, read_value: _ValueReader, values: list[object] | None = None
) -> tuple[_Members, int]:
    """The members of the object (or items of the array) opening at ``start``, and the offset
    just past it; each value read by ``read_value`` (and appended to ``values``, if given)."""
    is_object = text[start] == "{"
    closing = "}" if is_object else "]"
    members: _Members = []
    pos = _match_whitespace(text, start + 1).end()
    if text.startswith(closing, pos):
        return members, pos + 1
    while True:
        key: str | None = None
        key_start = key_end = -1
        if is_object:
            if not text.startswith('"', pos):
                raise _Unreadable("expected a key")
            key_start = pos
            key, key_end = _scan_string(text, pos + 1, True)
            pos = _match_whitespace(text, key_end).end()
            if not text.startswith(":", pos):
                raise _Unreadable("expected ':'")
            pos = _match_whitespace(text, pos + 1).end()
        value, end = read_value(text, pos)
        if values is not None:
            values.append(value)
        members.append((key, _Slot(key_start, key_end, pos, end)))
        pos = _match_whitespace(text, end).end()
        if text.startswith(",", pos):
            pos = _match_whitespace(text, pos + 1).end()
        elif text.startswith(closing, pos):
            return members, pos + 1
        else:
            raise _Unreadable("expected ',' or a closing bracket")


def _read_container(text: str, start: int) -> _Members:
    """The members of a container of a text known to be valid, from a stack of any depth."""
    try:
        return _read_members(text, start, _scan_once)[0]
    except RecursionError:  # this caller's stack is deeper than the one that read the text
        return _read_members(text, start, _skip_value)[0]


def _skip_value(text: str, start: int) -> tuple[object, int]:
    """Read past the value at ``start`` without recursion: a container iteratively."""
    if text[start] in "{[":
        return None, _container_end(text, start)
    return _scan_once(text, start)


def _container_end(text: str, start: int) -> int:
    """The offset just past the container opening at ``start`` (iteratively: any depth)."""
    depth = 0
    for offset, char in _structure(text, len(text), start=start):
        depth += 1 if char in "{[" else -1
        if depth == 0:
            return offset + 1
    raise AssertionError("the text was read as JSON")


def _nesting_depth(text: str, limit: int) -> int:
    """How deeply containers nest in a valid JSON text (counted up to ``limit + 1``; any number
    for another text).

    All with bytes operations: a 5 MB document takes milliseconds, where walking it in Python
    took seconds.
    """
    raw = text.encode("utf-8", "surrogatepass")  # a quote or bracket is the same byte in UTF-8
    if b"\\" in raw:  # escapes, escaped backslashes first, so no quote left closes a string
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Removing two adjacent quotes keeps every bracket inside or outside its string.
    structure = raw.translate(_AS_PARENTHESES, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in structure:  # a string holding brackets: keep what is between the strings
        structure = b"".join(structure.split(b'"')[::2])
    depth = 0
    while structure and depth <= limit:  # each pass removes the innermost level
        structure = structure.replace(b"()", b"")
        depth += 1
    return depth


# -- syntax errors in plain words ---------------------------------------------------------------


def _constant_issue(text: str, path: str, lines: _LineIndex) -> SyntaxIssue:
    for offset, _ in _structure(text, len(text), include_constants=True):
        start = offset - 1 if offset > 0 and text[offset - 1] == "-" else offset
        for constant in _NON_STANDARD_CONSTANTS:
            if text.startswith(constant, start):
                message = (
                    f"{constant} is not a JSON value (Docker's JSON reader rejects it); "
                    "use a number or null"
                )
                return SyntaxIssue(message, lines.span(path, start, start + len(constant)))
    return SyntaxIssue(
        "NaN or Infinity is not a JSON value; use a number or null", lines.point(path, 0)
    )


def _deeper_than(text: str, limit: int) -> bool:
    """Whether brackets (outside strings) nest more than ``limit`` levels deep."""
    if text.count("[") + text.count("{") <= limit:  # almost every file: no scan needed
        return False
    depth = 0
    for _, char in _structure(text, len(text)):
        depth += 1 if char in "{[" else -1
        if depth > limit:
            return True
    return False


def _nesting_issue(text: str, path: str, lines: _LineIndex) -> SyntaxIssue:
    depth = deepest = 0
    deepest_offset = 0
    for offset, char in _structure(text, len(text)):
        depth += 1 if char in "{[" else -1
        if depth > deepest:
            deepest, deepest_offset = depth, offset
    message = (
        f"metadata.json is nested too deeply to read ({deepest} levels of '[' or '{{'); "
        "a real metadata.json is a few levels deep"
    )
    return SyntaxIssue(message, lines.point(path, deepest_offset))


def _structure(
    text: str, stop: int, include_constants: bool = False, start: int = 0
) -> Iterator[tuple[int, str]]:
    """Brackets outside strings from ``start`` to ``stop`` (tolerates broken text; iterative).

    With ``include_constants``, also yields the offset of every N/I outside strings.
    """
    pattern = _STRUCTURE_AND_CONSTANTS if include_constants else _STRUCTURE
    pos = start
    while True:
        match = pattern.search(text, pos, stop)
        if match is None:
            return
        if match.group() != '"':
            yield match.start(), match.group()
            pos = match.end()
            continue
        closing = _unescaped_quote(text, match.end(), stop)
        if closing < 0:
            return
        pos = closing + 1


def _unescaped_quote(text: str, pos: int, stop: int) -> int:
    while True:
        quote = text.find('"', pos, stop)
        if quote < 0 or not _escaped(text, quote):
            return quote
        pos = quote + 1


def _escaped(text: str, pos: int) -> bool:
    backslashes = 0
    while text[pos - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _open_brackets(text: str, stop: int) -> list[int]:
    """Offsets of the brackets still open at ``stop``."""
    stack: list[int] = []
    for offset, char in _structure(text, stop):
        if char in "{[":
            stack.append(offset)
        elif stack:
            stack.pop()
    return stack


def _decode_error_message(text: str, error: json.JSONDecodeError, lines: _LineIndex) -> str:
    message = _plain_decode_message(text, error.msg, error.pos, lines)
    return f"{message} (json: {error.msg})"


def _plain_decode_message(text: str, json_message: str, pos: int, lines: _LineIndex) -> str:
    char = text[pos] if pos < len(text) else ""
    found = _describe(text, pos)
    if json_message.startswith("Unexpected UTF-8 BOM"):
        return "the file starts with a byte order mark (BOM); save it as UTF-8 without BOM"
    if not text.strip():
        return "the file is empty; metadata.json must hold a JSON object"
    if char == "/":
        return "comments are not allowed in JSON; remove them"
    trailing_comma_before = _trailing_comma_before(text, json_message, pos)
    if trailing_comma_before:
        return f"trailing comma before '{trailing_comma_before}' is not allowed; remove the ','"
    if char == "'":
        return "JSON strings and keys need double quotes, not single quotes"
    if json_message.startswith("Expecting value"):
        return (
            "expected a value (a string in double quotes, a number, an object, an array, true, "
            f"false or null), found {found}"
        )
    if json_message.startswith("Expecting property name"):
        return f"expected a key in double quotes, found {found}"
    if json_message.startswith("Expecting ':'"):
        return f"expected ':' after the key, found {found}"
    if json_message.startswith("Expecting ','"):
        return _missing_separator_message(text, pos, found, lines)
    if json_message.startswith("Unterminated string"):
        return "this string is never closed; add the missing '\"'"
    if json_message.startswith("Invalid control character") and char in "\r\n":
        return "this string is not closed before the line ends; add the missing '\"'"
    if json_message.startswith("Invalid control character"):
        return f"raw control character {found} inside a string; write it as an escape (\\n, \\t)"
    if json_message.startswith("Invalid \\uXXXX"):
        return "invalid \\u escape in a string; it needs exactly four hex digits, as in \\u00e9"
    if json_message.startswith("Invalid \\escape"):
        return (
            "invalid escape in a string; JSON allows only "
            '\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX (write a backslash as \\\\)'
        )
    if json_message.startswith("Extra data"):
        return f"unexpected {found} after the JSON value ends; metadata.json must hold one object"
    return f"invalid JSON at {found}"


def _trailing_comma_before(text: str, json_message: str, pos: int) -> str:
    """The bracket a trailing comma stands before ("" when the error is not a trailing comma)."""
    if json_message.startswith("Illegal trailing comma"):  # Python >= 3.13 names it itself
        return "}" if "object" in json_message else "]"
    char = text[pos] if pos < len(text) else ""
    if char in ("}", "]") and _previous_significant(text, pos) == ",":
        return char
    return ""


def _missing_separator_message(text: str, pos: int, found: str, lines: _LineIndex) -> str:
    open_brackets = _open_brackets(text, pos)
    opening = text[open_brackets[-1]] if open_brackets else "{"
    closer = "}" if opening == "{" else "]"
    message = f"expected ',' or '{closer}' after a value, found {found}"
    if pos >= len(text) and open_brackets:
        line, column = lines.position(open_brackets[-1])
        message += f" (the '{opening}' at {line}:{column} is never closed)"
    return message


def _describe(text: str, pos: int) -> str:
    if pos >= len(text):
        return "the end of the file"
    char = text[pos]
    return f"'{char}'" if char.isprintable() else repr(char)


def _previous_significant(text: str, pos: int) -> str:
    pos -= 1
    while pos >= 0 and text[pos] in _JSON_WHITESPACE:
        pos -= 1
    return text[pos] if pos >= 0 else ""
