"""The compose file ``vm.composefile`` names, read with a line:column for every value rules use.

ruamel.yaml (imported on first use) parses the text in round-trip mode, which keeps the 0-based
line and column of every key, value and sequence item; they become 1-based spans here. The plain
block YAML most compose files are is read by ``simple_yaml`` instead, which gives the same. Nothing
raises: a YAML error becomes a syntax issue at its position, and a shape Docker Compose rejects
(a top level or ``services`` that is not a mapping, a service that is not a mapping) becomes an
issue at the offending node, after which reading goes on with what is usable.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from mext_lint.dockerfile.model import SyntaxIssue
from mext_lint.spans import Span

# The line breaks ruamel.yaml counts lines by (YAML 1.2: NEL, U+2028 and U+2029 are not).
_LINE_BREAK = re.compile("\r\n|[\r\n]")
# Deeper values than this are cut (a compose value that matters is a few levels deep, and a
# recursive alias would otherwise never end).
_MAX_DEPTH = 32
# Flow collections ('[', '{') nested deeper than this are not given to ruamel.yaml: its scanner
# slows down with every level (10,000 '[' took 7 s) and its composer recurses, so whether a file
# reads at all would depend on the caller's stack.
_MAX_FLOW_DEPTH = 100
_FLOW_SYNTAX = re.compile(r"""[\[\]{}"'#]""")


class Node(NamedTuple):
    """A compose value as plain Python data (str, int, bool, None, list, dict) and its place."""

    value: object
    span: Span


class Service(NamedTuple):
    name: str
    span: Span  # the service's key under `services`
    image: Node | None
    build: Node | None  # spans the `build` key
    ports: tuple[Node, ...]  # each `ports` item
    volumes: tuple[Node, ...]  # each `volumes` item
    command: Node | None
    entrypoint: Node | None
    extends: Node | None = None  # the service takes its settings (maybe its image) from another


class Compose(NamedTuple):
    path: str
    services: tuple[Service, ...]
    services_span: Span | None  # the `services` key; None when there is none
    issues: tuple[SyntaxIssue, ...]  # the file is not YAML, or not shaped like a compose file
    includes: bool = False  # a top-level `include:` brings services from other files


def load_compose(text: str, path: str) -> Compose:
    """Read compose ``text`` (already decoded) shown as ``path``; never raises."""
    from ruamel.yaml.error import YAMLError

    reader = _Reader(text, path)
    if _flow_deeper_than(text, _MAX_FLOW_DEPTH):
        message = f"the compose file nests '[' or '{{' more than {_MAX_FLOW_DEPTH} levels deep"
        return Compose(path, (), None, (SyntaxIssue(message, reader.point(0, 0)),))
    try:
        data = _parse(text)
    except YAMLError as error:
        return Compose(path, (), None, (reader.yaml_issue(error),))
    except RecursionError:
        issue = SyntaxIssue("the compose file is nested too deeply to read", reader.point(0, 0))
        return Compose(path, (), None, (issue,))
    except Exception as error:  # _parse runs ruamel.yaml only: this is ruamel failing
        # ruamel.yaml raises more than YAMLError on YAML no compose file uses: a mapping as a
        # key inside a mapping (TypeError: unhashable type), a tag on a value it does not fit
        # (`!!int x`: ValueError), `- -_` read as an integer (IndexError).
        message = f"the compose file cannot be read as YAML ({type(error).__name__}: {error})"
        return Compose(path, (), None, (SyntaxIssue(message, reader.point(0, 0)),))
    return reader.compose(data)


def unreadable_compose(path: str, reason: str) -> Compose:
    """The compose file that could not be read or decoded (``reason`` in plain words)."""
    return Compose(path, (), None, (SyntaxIssue(f"{path} {reason}", Span.point(path, 1, 1)),))


def command_text(node: Node | None) -> str:
    """A `command`/`entrypoint` value as one string (the exec form joined by spaces)."""
    if node is None:
        return ""
    if isinstance(node.value, list):
        return " ".join(str(item) for item in node.value)
    return str(node.value) if node.value is not None else ""


def _flow_deeper_than(text: str, limit: int) -> bool:
    """Whether '[' and '{' nest more than ``limit`` deep outside quoted scalars and comments.

    A quote counts only where a quoted scalar can start (so the "'" of "don't" does not), and a
    stray closer never goes below zero: when in doubt it counts less, never more.
    """
    if text.count("[") + text.count("{") <= limit:  # almost every file: no scan needed
        return False
    depth = pos = 0
    while (match := _FLOW_SYNTAX.search(text, pos)) is not None:
        char, start, pos = match.group(), match.start(), match.end()
        before = text[start - 1] if start else "\n"
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "#":
            if before in " \t\r\n":
                pos = text.find("\n", pos) % (len(text) + 1)  # a comment: to the line's end
        elif before in " \t\r\n[{,:-?":  # a quoted scalar starts here
            pos = _quoted_end(text, pos, char)
    return False


def _quoted_end(text: str, pos: int, quote: str) -> int:
    """The offset after the quoted scalar whose opening ``quote`` ends at ``pos``."""
    while True:
        end = text.find(quote, pos)
        if end < 0:
            return len(text)
        if quote == '"' and _escaped(text, end):
            pos = end + 1
        elif quote == "'" and text.startswith("''", end):
            pos = end + 2
        else:
            return end + 1


def _escaped(text: str, end: int) -> bool:
    backslashes = len(text[:end]) - len(text[:end].rstrip("\\"))
    return backslashes % 2 == 1


def _parse(text: str) -> object:
    from mext_lint import simple_yaml

    try:
        return simple_yaml.load(text)
    except simple_yaml.NotSimple:
        return _parse_with_ruamel(text)


def _parse_with_ruamel(text: str) -> object:
    import warnings

    from ruamel.yaml import YAML

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. ReusedAnchorWarning: legal YAML, not our concern
        return YAML(typ="rt", pure=True).load(text)


class _Reader:
    """Turns ruamel's round-trip data into the compose model, with spans from its lc data."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.lines = _LINE_BREAK.split(text)
        self.issues: list[SyntaxIssue] = []

    # -- the model ----------------------------------------------------------------------------

    def compose(self, data: object) -> Compose:
        if not isinstance(data, Mapping):
            what = "empty" if data is None else f"a {_kind(data)}"
            message = f"the compose file is {what}; it must be a mapping with a `services` key"
            return Compose(self.path, (), None, (SyntaxIssue(message, self.point(0, 0)),))
        includes = "include" in data
        if "services" not in data:
            return Compose(self.path, (), None, (), includes)
        services_span = self.key_span(data, "services")
        services = data["services"]
        if services is None:
            return Compose(self.path, (), services_span, (), includes)
        if not isinstance(services, Mapping):
            self.issue(
                f"`services` is a {_kind(services)}; it must map service names to services",
                self.value_span(data, "services"),
            )
            return Compose(self.path, (), services_span, tuple(self.issues), includes)
        found = tuple(self.services(services))
        return Compose(self.path, found, services_span, tuple(self.issues), includes)

    def services(self, services: Mapping[Any, Any]) -> Iterator[Service]:
        for name, body in services.items():
            key_span = self.key_span(services, name)
            if not isinstance(body, Mapping):
                self.issue(
                    f'service "{name}" is a {_kind(body)}; it must be a mapping with an `image`',
                    self.value_span(services, name) if body is not None else key_span,
                )
                continue
            yield Service(
                name=str(name),
                span=key_span,
                image=self.value(body, "image"),
                build=Node(_plain(body["build"]), self.key_span(body, "build"))
                if "build" in body
                else None,
                ports=self.items(body, "ports"),
                volumes=self.items(body, "volumes"),
                command=self.value(body, "command"),
                entrypoint=self.value(body, "entrypoint"),
                extends=self.value(body, "extends"),
            )

    def value(self, mapping: Mapping[Any, Any], key: str) -> Node | None:
        if key not in mapping:
            return None
        return Node(_plain(mapping[key]), self.value_span(mapping, key))

    def items(self, mapping: Mapping[Any, Any], key: str) -> tuple[Node, ...]:
        sequence = mapping.get(key)
        if not isinstance(sequence, Sequence) or isinstance(sequence, str):
            return ()
        flow = _is_flow(sequence)
        return tuple(
            Node(_plain(item), self.span_at(sequence, "item", index, item, flow))
            for index, item in enumerate(sequence)
        )

    def issue(self, message: str, span: Span) -> None:
        self.issues.append(SyntaxIssue(message, span))

    # -- positions -----------------------------------------------------------------------------

    def key_span(self, mapping: Mapping[Any, Any], key: object) -> Span:
        position = _position(mapping, "key", key)
        if position is not None and self.line(position[0]).startswith(str(key), position[1]):
            line, column = position
            return Span(self.path, line + 1, column + 1, line + 1, column + 1 + len(str(key)))
        return self.span_at(mapping, "key", key, key, flow=True)

    def value_span(self, mapping: Mapping[Any, Any], key: object) -> Span:
        return self.span_at(mapping, "value", key, mapping[key], _is_flow(mapping))

    def span_at(self, parent: object, kind: str, key: object, value: object, flow: bool) -> Span:
        """The span of the scalar ``value`` written as ``parent``'s key, value or item ``key``
        (a collection gets its first character; a merged key, the start of ``parent``)."""
        position = _position(parent, kind, key)
        if position is None:
            return self.point(*_start(parent))
        line, column = position
        if isinstance(value, (Mapping, list)):
            return self.point(line, column)
        end = _scalar_end(self.line(line), column, flow)
        return Span(self.path, line + 1, column + 1, line + 1, max(end, column + 1) + 1)

    def point(self, line: int, column: int) -> Span:
        return Span.point(self.path, line + 1, column + 1)

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def yaml_issue(self, error: Exception) -> SyntaxIssue:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = getattr(mark, "line", 0) if mark is not None else 0
        column = getattr(mark, "column", 0) if mark is not None else 0
        return SyntaxIssue(_yaml_message(error), self.point(line, column))


def _position(node: object, kind: str, key: object) -> tuple[int, int] | None:
    """ruamel's 0-based (line, column) of a key, value or item; None for keys that come from a
    merge (``<<: *defaults``), which have no position of their own."""
    lc = getattr(node, "lc", None)
    try:
        line, column = getattr(lc, kind)(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return int(line), int(column)


def _start(node: object) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    return int(getattr(lc, "line", 0) or 0), int(getattr(lc, "col", 0) or 0)


def _is_flow(node: object) -> bool:
    fa = getattr(node, "fa", None)
    return bool(fa is not None and fa.flow_style())


def _scalar_end(text: str, column: int, flow: bool) -> int:
    """Where the scalar starting at ``column`` ends on its line (exclusive, 0-based)."""
    if column >= len(text):
        return column
    quote = text[column]
    if quote in "\"'":
        index = column + 1
        while index < len(text):
            if quote == '"' and text[index] == "\\":
                index += 2
                continue
            if text[index] == quote:
                if quote == "'" and text[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                return index + 1
            index += 1
        return len(text)
    stop = len(text)
    comment = text.find(" #", column)
    if comment >= 0:
        stop = comment
    if flow:
        for terminator in (",", "]", "}"):
            found = text.find(terminator, column, stop)
            if found >= 0:
                stop = found
    return column + len(text[column:stop].rstrip())


def _plain(value: object, depth: int = 0) -> object:
    """ruamel's round-trip types as plain dicts, lists and scalars."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return str(value)


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null value"
    return "string" if isinstance(value, str) else "scalar"


def _yaml_message(error: Exception) -> str:
    problem = str(getattr(error, "problem", "") or "").strip()
    context = str(getattr(error, "context", "") or "").strip()
    duplicate = re.match(r'found duplicate key "(.*)" with value', problem)
    if duplicate:
        return (
            f'key "{duplicate.group(1)}" is written twice in one mapping; Docker Compose rejects'
            " duplicate keys"
        )
    if not problem:
        return f"the compose file is not valid YAML: {str(error).splitlines()[0]}"
    detail = f" ({context})" if context else ""
    return f"the compose file is not valid YAML: {problem}{detail}"
