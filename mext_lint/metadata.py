"""metadata.json read with positions: the parsed value plus a span for every key and value.

The text is checked with the standard ``json`` module (whose errors carry an offset); once it is
known to be valid, a linear, iterative scanner walks it again to record where each value and key
sits, addressed by RFC 6901 JSON pointers. Duplicate keys keep the last value, as Docker's Go
decoder does, and are recorded so a rule can report them.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

from mext_lint.dockerfile.model import SyntaxIssue
from mext_lint.spans import Span

T = TypeVar("T")

HOST_OSES = ("darwin", "windows", "linux")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_JSON_WHITESPACE = " \t\n\r"
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# Python's json accepts these; Go's encoding/json (and so Docker Desktop) does not.
_NON_STANDARD_CONSTANTS = ("-Infinity", "Infinity", "NaN")
_LITERALS = ("true", "false", "null", *_NON_STANDARD_CONSTANTS)
# Deeper documents are read (positions are found iteratively) but not checked against the
# schema: jsonschema, and the repr of a value in its messages, recurse once per level, and whether
# that fits must not depend on how much of Python's stack the caller already uses. A real
# metadata.json is a few levels deep.
MAX_NESTING = 100
# Deeper still is not even given to json.loads, which recurses too: up to ~1000 levels minus the
# caller's stack, so the same file read as JSON in one process and as too deep in another.
MAX_READ_NESTING = 500
_STRUCTURE = re.compile(r'["{}\[\]]')
_STRUCTURE_AND_CONSTANTS = re.compile(r'["{}\[\]NI]')


@dataclass(frozen=True)
class Located(Generic[T]):
    """A value read from metadata.json with where it was written."""

    value: T
    span: Span
    pointer: str


class HostBinary(NamedTuple):
    """One ``host.binaries[i].<os>[j].path`` string."""

    os: str  # "darwin", "windows" or "linux"
    path: str
    span: Span  # the path string's value span
    pointer: str  # e.g. "/host/binaries/0/darwin/0/path"


class DuplicateKey(NamedTuple):
    """A key written twice in one object; the later value wins (as in Docker's Go decoder)."""

    pointer: str
    span: Span  # the later (winning) occurrence of the key
    first_span: Span  # the first occurrence, whose value is ignored


class _Node:
    """Offsets of one JSON value (and its key, for object members) in the text."""

    __slots__ = ("children", "end", "key_end", "key_start", "start", "token")

    def __init__(self, token: str, key_start: int = -1, key_end: int = -1) -> None:
        self.token = token  # the pointer token naming this value in its parent
        self.key_start = key_start
        self.key_end = key_end
        self.start = -1
        self.end = -1
        self.children: dict[str, _Node] | list[_Node] | None = None

    def child(self, token: str) -> _Node | None:
        if isinstance(self.children, dict):
            return self.children.get(token)
        if isinstance(self.children, list) and _is_array_index(token):
            index = int(token)
            return self.children[index] if index < len(self.children) else None
        return None


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


@dataclass(frozen=True)
class Metadata:
    path: str
    text: str
    data: object  # the parsed value; None when the text is not valid JSON (or is `null`)
    error: SyntaxIssue | None
    duplicate_keys: tuple[DuplicateKey, ...] = ()
    _root: _Node | None = field(default=None, repr=False, compare=False)
    _lines: _LineIndex | None = field(default=None, repr=False, compare=False)
    depth: int = field(default=0, compare=False)  # how deeply containers nest

    def deepest_span(self) -> Span:
        """Where the most deeply nested container opens."""
        return _nesting_issue(self.text, self.path, self._lines or _LineIndex(self.text)).span

    # -- positions ---------------------------------------------------------------------------

    def value_span(self, pointer: str) -> Span:
        """Where the value at ``pointer`` is written.

        A pointer that does not exist falls back to its nearest existing ancestor, then to 1:1.
        """
        node = self._nearest_node(pointer)
        if node is None or self._lines is None:
            return Span.point(self.path, 1, 1)
        return self._lines.span(self.path, node.start, node.end)

    def key_span(self, pointer: str) -> Span:
        """Where the key of the member at ``pointer`` is written.

        An array item or the root has no key: its first character stands in. A pointer that does
        not exist falls back to its nearest existing ancestor, then to 1:1.
        """
        node = self._nearest_node(pointer)
        if node is None or self._lines is None:
            return Span.point(self.path, 1, 1)
        if node.key_start >= 0:
            return self._lines.span(self.path, node.key_start, node.key_end)
        return self._lines.point(self.path, node.start)

    def has(self, pointer: str) -> bool:
        """Whether ``pointer`` names a value that is written in the file."""
        node = self._root
        for token in _pointer_tokens(pointer):
            if node is None:
                return False
            node = node.child(token)
        return node is not None

    def _nearest_node(self, pointer: str) -> _Node | None:
        node = self._root
        if node is None:
            return None
        for token in _pointer_tokens(pointer):
            child = node.child(token)
            if child is None:
                break
            node = child
        return node

    # -- typed accessors (never raise on wrong shapes) ---------------------------------------

    @property
    def icon(self) -> Located[str] | None:
        return self._string("icon")

    @property
    def ui_title(self) -> Located[str] | None:
        return self._string("ui", "dashboard-tab", "title")

    @property
    def ui_root(self) -> Located[str] | None:
        return self._string("ui", "dashboard-tab", "root")

    @property
    def ui_src(self) -> Located[str] | None:
        return self._string("ui", "dashboard-tab", "src")

    @property
    def backend_socket(self) -> Located[str] | None:
        """``ui.dashboard-tab.backend.socket``, the legacy form of ``vm.exposes.socket``."""
        return self._string("ui", "dashboard-tab", "backend", "socket")

    @property
    def vm_image(self) -> Located[str] | None:
        return self._string("vm", "image")

    @property
    def composefile(self) -> Located[str] | None:
        return self._string("vm", "composefile")

    @property
    def exposes_socket(self) -> Located[str] | None:
        return self._string("vm", "exposes", "socket")

    @functools.cached_property
    def host_binaries(self) -> list[HostBinary]:
        """Every ``host.binaries[i].<os>[j].path`` string for a known OS, in file order.

        Read once and shared (every host-binary check asks, once per platform): do not modify.
        """
        binaries = _get(self.data, "host", "binaries")
        if not isinstance(binaries, list):
            return []
        found = []
        for index, entry in enumerate(binaries):
            if not isinstance(entry, dict):
                continue
            for os_name, items in entry.items():
                if os_name not in HOST_OSES or not isinstance(items, list):
                    continue
                for item_index, item in enumerate(items):
                    path = item.get("path") if isinstance(item, dict) else None
                    if isinstance(path, str):
                        pointer = f"/host/binaries/{index}/{os_name}/{item_index}/path"
                        found.append(HostBinary(os_name, path, self.value_span(pointer), pointer))
        return found

    def _string(self, *keys: str) -> Located[str] | None:
        value = _get(self.data, *keys)
        if not isinstance(value, str):
            return None
        pointer = make_pointer(*keys)
        return Located(value, self.value_span(pointer), pointer)


def load_metadata(text: str, path: str) -> Metadata:
    """Parse metadata.json ``text`` (already decoded); syntax errors land in ``Metadata.error``."""
    lines = _LineIndex(text)
    if _deeper_than(text, MAX_READ_NESTING):
        return Metadata(path, text, None, _nesting_issue(text, path, lines))
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        offset = error.pos if text.strip() else 0  # an empty file is reported at 1:1
        issue = SyntaxIssue(_decode_error_message(text, error, lines), lines.point(path, offset))
        return Metadata(path, text, None, issue)
    except _NonStandardConstant:
        return Metadata(path, text, None, _constant_issue(text, path, lines))
    except RecursionError:  # a caller with a very deep stack of its own
        return Metadata(path, text, None, _nesting_issue(text, path, lines))
    root, duplicates, depth = _scan(text)
    duplicate_keys = tuple(
        DuplicateKey(
            pointer,
            lines.span(path, later.key_start, later.key_end),
            lines.span(path, first.key_start, first.key_end),
        )
        for pointer, first, later in duplicates
    )
    return Metadata(path, text, data, None, duplicate_keys, root, lines, depth)


def make_pointer(*tokens: str | int) -> str:
    """The RFC 6901 pointer for a path of keys and indexes: ("a/b", 0) -> "/a~1b/0"."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)


def _pointer_tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def _is_array_index(token: str) -> bool:
    return token.isascii() and token.isdigit() and (token == "0" or not token.startswith("0"))


def _get(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# -- the position scanner (runs only on text json.loads accepted) --------------------------------


def _scan(text: str) -> tuple[_Node, list[tuple[str, _Node, _Node]], int]:
    """Record the offsets of every value and key, iteratively (no recursion, any depth).

    Returns the root node, for each duplicate key (pointer, first node, later node), and how
    deeply containers nest.
    """
    duplicates: list[tuple[str, _Node, _Node]] = []
    depth = 0
    root = _Node("")
    node = root
    open_containers: list[_Node] = []
    pos = _skip_whitespace(text, 0)
    while True:
        node.start = pos
        if text[pos] in "{[":
            node.children = {} if text[pos] == "{" else []
            pos = _skip_whitespace(text, pos + 1)
            if text[pos] not in "}]":
                open_containers.append(node)
                depth = max(depth, len(open_containers))
                node, pos = _start_member(text, pos, open_containers, duplicates)
                continue
            pos += 1  # an empty object or array
        else:
            pos = _scalar_end(text, pos)
        node.end = pos
        # Close every container that ends here; stop at the next sibling, if any.
        while open_containers:
            pos = _skip_whitespace(text, pos)
            if text[pos] == ",":
                pos = _skip_whitespace(text, pos + 1)
                node, pos = _start_member(text, pos, open_containers, duplicates)
                break
            pos += 1
            open_containers.pop().end = pos
        else:
            return root, duplicates, depth


def _start_member(
    text: str,
    pos: int,
    open_containers: list[_Node],
    duplicates: list[tuple[str, _Node, _Node]],
) -> tuple[_Node, int]:
    """Add a node for the next item of the innermost container; return it and its value's offset."""
    parent = open_containers[-1]
    if isinstance(parent.children, list):
        child = _Node(str(len(parent.children)))
        parent.children.append(child)
        return child, pos
    assert isinstance(parent.children, dict)
    key_end = _string_end(text, pos)
    key = json.loads(text[pos:key_end])
    child = _Node(key, pos, key_end)
    earlier = parent.children.get(key)
    if earlier is not None:
        pointer = make_pointer(*(n.token for n in open_containers[1:]), key)
        duplicates.append((pointer, earlier, child))
    parent.children[key] = child
    pos = _skip_whitespace(text, key_end)  # now at ':'
    return child, _skip_whitespace(text, pos + 1)


def _skip_whitespace(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _JSON_WHITESPACE:
        pos += 1
    return pos


def _scalar_end(text: str, pos: int) -> int:
    if text[pos] == '"':
        return _string_end(text, pos)
    for literal in _LITERALS:
        if text.startswith(literal, pos):
            return pos + len(literal)
    number = _NUMBER.match(text, pos)
    assert number is not None, "the text was accepted by json.loads"
    return number.end()


def _string_end(text: str, pos: int) -> int:
    """The offset just past the string literal whose opening quote is at ``pos``."""
    quote = text.index('"', pos + 1)
    while _escaped(text, quote):
        quote = text.index('"', quote + 1)
    return quote + 1


def _escaped(text: str, pos: int) -> bool:
    backslashes = 0
    while text[pos - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


# -- syntax errors in plain words ---------------------------------------------------------------


class _NonStandardConstant(ValueError):
    pass


def _reject_constant(name: str) -> object:
    raise _NonStandardConstant(name)


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


def _structure(text: str, stop: int, include_constants: bool = False) -> Iterator[tuple[int, str]]:
    """Brackets outside strings before ``stop`` (tolerates broken text; iterative).

    With ``include_constants``, also yields the offset of every N/I outside strings.
    """
    pattern = _STRUCTURE_AND_CONSTANTS if include_constants else _STRUCTURE
    pos = 0
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
