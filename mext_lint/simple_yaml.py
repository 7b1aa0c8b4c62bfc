"""A reader for the plain block YAML most compose files are, without importing ruamel.yaml.

It accepts mappings and sequences written in block style, one-line flow sequences, and scalars
that can only be strings (plain, or double-quoted without escapes), and gives what ruamel.yaml's
round-trip loader gives for them: dicts and lists that carry the same 0-based ``lc`` positions
and ``fa`` flow style, so that ``compose._Reader`` cannot tell the two apart. Anything else
(numbers, booleans, nulls, anchors, tags, block scalars, comments in odd places, tabs, escapes,
duplicate keys...) raises :class:`NotSimple`, and the caller reads the text with ruamel.yaml:
this reader is a shortcut, never a second opinion. Importing ruamel.yaml costs more than linting
an extension; reading a small compose file with it, about as much as its Dockerfile.
"""

import re

# Printable ASCII without the characters that start YAML features this reader leaves alone.
_UNSUPPORTED = re.compile(r"[^\x20-\x7e\n]|[&*!|>'\\%@`?]|^(---|\.\.\.)|\t", re.M)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# Plain scalars that ruamel.yaml could read as something other than a string, or as more.
_NOT_PLAIN_STRING = re.compile(
    r"[-?:,\[\]{}#\"+.0-9~]|(?i:true|false|null|yes|no|on|off|y|n|inf|nan)$"
)


class NotSimple(Exception):
    """The text uses YAML this reader does not read: read it with ruamel.yaml."""


class Positions:
    """What ruamel.yaml's ``lc`` attribute answers for a collection."""

    __slots__ = ("col", "items", "keys", "line", "values")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col
        self.keys: dict[str, tuple[int, int]] = {}
        self.values: dict[str, tuple[int, int]] = {}
        self.items: list[tuple[int, int]] = []

    def key(self, key: str) -> tuple[int, int]:
        return self.keys[key]

    def value(self, key: str) -> tuple[int, int]:
        return self.values[key]

    def item(self, index: int) -> tuple[int, int]:
        return self.items[index]


class Style:
    """What ruamel.yaml's ``fa`` attribute answers."""

    __slots__ = ("flow",)

    def __init__(self, flow: bool) -> None:
        self.flow = flow

    def flow_style(self) -> bool:
        return self.flow


class Mapping(dict[str, object]):
    __slots__ = ("fa", "lc")

    def __init__(self, lc: Positions) -> None:
        super().__init__()
        self.lc = lc
        self.fa = Style(False)


class Sequence(list[object]):
    __slots__ = ("fa", "lc")

    def __init__(self, lc: Positions, flow: bool) -> None:
        super().__init__()
        self.lc = lc
        self.fa = Style(flow)


class _Line:
    __slots__ = ("indent", "number", "text")

    def __init__(self, number: int, indent: int, text: str) -> None:
        self.number = number  # 0-based
        self.indent = indent
        self.text = text  # without indentation and trailing comment or blanks


def load(text: str) -> Mapping:
    """The top-level mapping of ``text``; raises NotSimple for anything else."""
    if "\r" in text or _UNSUPPORTED.search(text):
        raise NotSimple
    lines = [line for number, raw in enumerate(text.split("\n")) if (line := _line(number, raw))]
    if not lines or lines[0].indent != 0 or lines[0].text.startswith("- "):
        raise NotSimple
    data, end = _mapping(lines, 0, 0)
    if end != len(lines):
        raise NotSimple
    return data


def _line(number: int, raw: str) -> _Line | None:
    stripped = raw.lstrip(" ")
    if not stripped or stripped.startswith("#"):
        return None
    indent = len(raw) - len(stripped)
    comment = stripped.find(" #")
    if comment >= 0:
        stripped = stripped[:comment]
    return _Line(number, indent, stripped.rstrip(" "))


def _block(lines: list[_Line], index: int, indent: int) -> tuple[object, int]:
    if lines[index].text.startswith("- "):
        return _sequence(lines, index, indent)
    return _mapping(lines, index, indent)


def _mapping(lines: list[_Line], index: int, indent: int) -> tuple[Mapping, int]:
    first = lines[index]
    mapping = Mapping(Positions(first.number, first.indent))
    while index < len(lines) and lines[index].indent == indent:
        line = lines[index]
        key, colon, rest = line.text.partition(":")
        if not colon or not _KEY.fullmatch(key) or key in mapping or rest[:1] not in ("", " "):
            raise NotSimple
        mapping.lc.keys[key] = (line.number, indent)
        rest = rest.strip(" ")
        index += 1
        if rest:
            column = indent + line.text.index(rest, len(key) + 1)
            mapping[key] = _scalar_or_flow(rest, line.number, column)
            mapping.lc.values[key] = (line.number, column)
            continue
        if index == len(lines):
            raise NotSimple  # a null value
        below = lines[index]
        nested = below.indent > indent or (below.indent == indent and below.text.startswith("- "))
        if not nested:
            raise NotSimple
        mapping.lc.values[key] = (below.number, below.indent)
        mapping[key], index = _block(lines, index, below.indent)
    if index < len(lines) and lines[index].indent > indent:
        raise NotSimple
    return mapping, index


def _sequence(lines: list[_Line], index: int, indent: int) -> tuple[Sequence, int]:
    first = lines[index]
    sequence = Sequence(Positions(first.number, first.indent), flow=False)
    while index < len(lines) and lines[index].indent == indent and lines[index].text[:2] == "- ":
        line = lines[index]
        item = line.text[2:].lstrip(" ")
        column = indent + len(line.text) - len(item)
        if ": " in item or item.endswith(":") or item.startswith("- "):
            raise NotSimple  # a mapping or sequence in the item
        sequence.append(_scalar_or_flow(item, line.number, column))
        sequence.lc.items.append((line.number, column))
        index += 1
    if index < len(lines) and lines[index].indent > indent:
        raise NotSimple
    return sequence, index


def _scalar_or_flow(text: str, line: int, column: int) -> object:
    if text.startswith("["):
        return _flow_sequence(text, line, column)
    return _scalar(text, flow=False)


def _flow_sequence(text: str, line: int, column: int) -> Sequence:
    if not text.endswith("]") or text.count("[") != 1 or text.count("]") != 1:
        raise NotSimple
    sequence = Sequence(Positions(line, column), flow=True)
    inner = text[1:-1]
    if not inner.strip(" "):
        raise NotSimple  # ruamel.yaml gives "[]" no flow style
    offset = 1
    for part in inner.split(","):
        item = part.strip(" ")
        if not item:
            raise NotSimple
        sequence.append(_scalar(item, flow=True))
        sequence.lc.items.append((line, column + offset + part.index(item)))
        offset += len(part) + 1
    return sequence


def _scalar(text: str, *, flow: bool) -> str:
    if text.startswith('"'):
        if len(text) < 2 or not text.endswith('"') or '"' in text[1:-1]:
            raise NotSimple
        return text[1:-1]
    if _NOT_PLAIN_STRING.match(text) or ": " in text or text.endswith(":") or " #" in text:
        raise NotSimple
    if flow and ("{" in text or "}" in text):
        raise NotSimple
    return text
