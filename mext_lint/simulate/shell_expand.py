"""Shell word expansion on tree-sitter-bash nodes: parameters, quotes, tilde, braces, fields.

Every character of an expanded word remembers where it came from: a character written in the
script has its offset in the source, a character that came out of a variable has none. That is
how an architecture literal typed in a URL is told apart from one that ``$TARGETARCH`` supplied.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mext_lint.simulate.shell_values import (
    UNKNOWN,
    UNKNOWN_MARK,
    ArchMark,
    Place,
    Value,
    Word,
    escape_glob,
    find_arch_literals,
    replace_pattern,
    strip_pattern,
)
from mext_lint.spans import Related, Span

if TYPE_CHECKING:
    from tree_sitter import Node

    from mext_lint.simulate.shell_context import Context

Locate = Callable[[int], "tuple[int, int]"]
_new = tuple.__new__


class Source:
    """The script text tree-sitter parsed, and how its offsets map back to the Dockerfile."""

    def __init__(
        self,
        text: str,
        locate: Locate,
        path: str,
        *,
        offset_map: Sequence[int] | None = None,
        substituted: Sequence[bool] | None = None,
        fixed_span: Span | None = None,
    ) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self.locate = locate
        self.path = path
        self._offset_map = offset_map  # offset in ``text`` -> offset in the original text
        self._substituted = substituted  # True where the outer shell put a variable's value
        self._fixed_span = fixed_span
        self._byte_to_char: list[int] | None = None
        self._spans: dict[tuple[int, int], Span] = {}  # (start, end) -> span, computed once
        if len(self.data) != len(text):
            table: list[int] = []
            for index, char in enumerate(text):
                table.extend([index] * len(char.encode("utf-8")))
            table.append(len(text))
            self._byte_to_char = table

    @property
    def fixed(self) -> bool:
        """Every position is the same span (exec-form RUN)."""
        return self._fixed_span is not None

    def char(self, byte: int) -> int:
        if self._byte_to_char is None:
            return byte
        return self._byte_to_char[min(byte, len(self._byte_to_char) - 1)]

    def node_text(self, node: Node) -> str:
        return self.text_between(node.start_byte, node.end_byte)

    def text_between(self, start_byte: int, end_byte: int) -> str:
        if self._byte_to_char is None:  # ASCII: bytes are characters
            return self.text[start_byte:end_byte]
        return self.data[start_byte:end_byte].decode("utf-8", "replace")

    def written_in_script(self, offsets: Sequence[int]) -> bool:
        """Whether every one of ``offsets`` (none negative) is a character typed in the script,
        not one the outer shell substituted."""
        substituted = self._substituted
        if substituted is None:
            return True
        size = len(substituted)
        return not any(substituted[o] for o in offsets if o < size)

    def span(self, node: Node) -> Span:
        return self.span_between(node.start_byte, node.end_byte)

    def span_between(self, start_byte: int, end_byte: int) -> Span:
        return self.span_chars(self.char(start_byte), self.char(end_byte))

    def place(self, node: Node) -> Span | Place:
        """The span of ``node``, made when asked for."""
        return self.place_between(node.start_byte, node.end_byte)

    def place_between(self, start_byte: int, end_byte: int) -> Span | Place:
        if self._fixed_span is not None:
            return self._fixed_span
        return Place(self, start_byte, end_byte)

    def span_chars(self, start: int, end: int) -> Span:
        if self._fixed_span is not None:
            return self._fixed_span
        span = self._spans.get((start, end))
        if span is None:
            line, column = self.position(start)
            if end <= start:
                span = Span(self.path, line, column, line, column + 1)
            else:
                end_line, end_column = self.position(end - 1)
                span = Span(self.path, line, column, end_line, end_column + 1)
            self._spans[start, end] = span
        return span

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) in the Dockerfile of an offset in ``text``."""
        if self._offset_map is not None and self._offset_map:
            offset = self._offset_map[max(0, min(offset, len(self._offset_map) - 1))]
        try:
            return self.locate(offset)
        except Exception:  # a locate that cannot map this offset: fall back to its start
            return self.locate(0)


# Characters of a field under construction. A None char is an unknown gap.
class _Field:
    __slots__ = (
        "active",
        "chars",
        "contents",
        "marks",
        "origins",
        "platform",
        "quoted",
        "variables",
    )

    def __init__(self) -> None:
        self.chars: list[str | None] = []
        self.origins: list[int] = []  # source offset, -1 when not typed
        self.active: list[bool] = []  # unquoted literal: glob/brace/tilde live
        self.marks: list[ArchMark] = []  # CPU names carried by variables
        self.variables: list[str] = []
        self.contents = 0  # literal runs and expansions: 1 with one variable = exactly "$NAME"
        self.platform = False
        self.quoted = False  # a quoted part keeps an empty field alive

    def add_literal(self, text: str, origins: Sequence[int], active: bool) -> None:
        self.contents += 1 if text else 0
        if UNKNOWN_MARK not in text:
            self.chars.extend(text)
            self.origins.extend(origins)
            self.active.extend([active] * len(text))
            return
        for char, origin in zip(text, origins, strict=True):
            if char == UNKNOWN_MARK:
                self.chars.append(None)
                self.origins.append(-1)
                self.active.append(False)
                continue
            self.chars.append(char)
            self.origins.append(origin)
            self.active.append(active)

    def add_each(self, text: str, origins: Sequence[int], active: bool) -> None:
        """``add_literal`` for each character of ``text`` in turn (each counts as content)."""
        contents = self.contents + len(text)
        self.add_literal(text, origins, active)
        self.contents = contents

    def add_value(self, value: Value) -> None:
        contents = self.contents
        if value.text is None:
            self.add_literal(value.prefix, [-1] * len(value.prefix), False)
            self.chars.append(None)
            self.origins.append(-1)
            self.active.append(False)
            self.add_literal(value.suffix, [-1] * len(value.suffix), False)
        else:
            self.add_literal(value.text, [-1] * len(value.text), False)
        self.contents = contents + 1
        if value.arch is not None:
            self.marks.append(value.arch)
        self.platform = self.platform or value.platform

    def empty(self) -> bool:
        return not self.chars and not self.quoted


_NOT_PLAIN = re.compile(r"[\\*?\[{\ue000]")  # escape, glob, brace, unknown mark
_DOUBLE_QUOTE_ESCAPE = re.compile(r'\\[$`"\\\n]')  # a backslash that escapes in "..."
_ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "e": "\x1b"}
_WORD_NODES = {"word", "number", "extglob_pattern", "regex", "variable_name", "test_operator"}
_MAX_BRACE_WORDS = 64


class Expander:
    """Turns word nodes into :class:`Word` values in the current scope of ``ctx``."""

    def __init__(self, source: Source, ctx: Context, substitute: Callable[[Node], Value]) -> None:
        self.source = source
        self.ctx = ctx
        self.substitute = substitute

    # ------------------------------------------------------------------ entry points

    def words(self, node: Node) -> list[Word]:
        """The fields one argument node expands to (field splitting and braces included)."""
        plain = self._plain(node)
        if plain is not None:
            return [plain]
        fields = [_Field()]
        self._expand(node, fields, quoted=False)
        place = self.source.place(node)
        offset = self.source.char(node.start_byte)
        out: list[Word] = []
        for f in fields:
            if f.empty():
                continue
            out.extend(self._finish(f, place, offset=offset))
        return out

    def word(self, node: Node) -> Word:
        """One word without field splitting (assignment values, case subjects, redirects)."""
        plain = self._plain(node)
        if plain is not None:  # as _plain made it, but not where a command line has it
            return Word(plain.value, plain.place, plain.glob)
        fields = [_Field()]
        self._expand(node, fields, quoted=False, split=False)
        return self._finish(_joined(fields), self.source.place(node), braces=False)[0]

    def value(self, node: Node) -> Value:
        return self.word(node).value

    def glob(self, node: Node) -> str | None:
        """``node`` as a pattern (case items, ``[[ == ]]``): quoted characters are literal."""
        plain = self._plain(node)
        if plain is not None:
            return plain.glob
        fields = [_Field()]
        self._expand(node, fields, quoted=False, split=False)
        return self._finish(_joined(fields), self.source.place(node), braces=False)[0].glob

    def _plain(self, node: Node) -> Word | None:
        """The word of a node that expands to itself, as ``_finish`` would make it, made more
        directly: a word node (or a command name of one) without an escape, glob, brace,
        leading tilde or unknown part. Most words are."""
        kind = node.type
        if kind == "command_name":
            if node.child_count != 1:
                return None
            kind = node.children[0].type
        if kind != "word":
            return None
        source = self.source
        start, end = node.start_byte, node.end_byte  # the word node's too
        if source._byte_to_char is None:  # ASCII: bytes are characters
            text = source.text[start:end]
            offset = start
        else:
            text = source.text_between(start, end)
            offset = source.char(start)
        if not text or _NOT_PLAIN.search(text) or text[0] == "~":  # or a tilde to expand
            return None
        arch = self._literal_arch(range(offset, offset + len(text)), text) if "64" in text else None
        glob = escape_glob(text) if "]" in text else text  # the other glob characters are not
        fixed = source._fixed_span
        place = Place(source, start, end) if fixed is None else fixed
        # tuple.__new__ makes the NamedTuples without their Python-level __new__ (every field)
        value = _new(Value, (text, "", "", arch, False, True))
        return _new(Word, (value, place, glob, False, None, True, False, offset))

    # ------------------------------------------------------------------ node walk

    def _expand(
        self, node: Node, fields: list[_Field], *, quoted: bool, split: bool = True
    ) -> None:
        kind = node.type
        current = fields[-1]
        if kind in _WORD_NODES:
            self._literal(node, current, quoted=quoted)
        elif kind == "string" or kind == "translated_string":
            current.quoted = True
            for child in node.named_children:
                if child.type == "string_content":
                    self._double_quoted(child, fields[-1])
                else:
                    self._expand(child, fields, quoted=True, split=False)
        elif kind == "raw_string":
            current.quoted = True
            start = self.source.char(node.start_byte) + 1
            text = self.source.node_text(node)[1:-1]
            current.add_literal(text, range(start, start + len(text)), False)
        elif kind == "ansi_c_string":
            current.quoted = True
            self._ansi_c(node, current)
        elif kind in ("concatenation", "command_name"):
            for child in node.children:
                self._expand(child, fields, quoted=quoted, split=split)
        elif kind in ("simple_expansion", "expansion"):
            name, value = self._parameter(node)
            if name is not None:
                current.variables.append(name)
            self._add_expansion(value, fields, split=split and not quoted)
        elif kind == "command_substitution":
            self._add_expansion(self.substitute(node), fields, split=split and not quoted)
        elif not node.is_named and kind in ("{", "}", ","):
            self._literal(node, current, quoted=quoted)
        else:
            # arithmetic, process substitution, arrays...: a value we do not compute
            self._add_expansion(UNKNOWN, fields, split=False)

    def _literal(self, node: Node, target: _Field, *, quoted: bool) -> None:
        text = self.source.node_text(node)
        start = self.source.char(node.start_byte)
        if quoted or "\\" not in text:
            target.add_literal(text, range(start, start + len(text)), not quoted)
            return
        index = 0
        while index < len(text):
            backslash = text.find("\\", index, len(text) - 1)  # one that escapes something
            stop = backslash if backslash >= 0 else len(text)
            if stop > index:
                target.add_each(text[index:stop], range(start + index, start + stop), True)
                index = stop
                continue
            if text[index + 1] != "\n":
                target.add_literal(text[index + 1], [start + index + 1], False)
            index += 2

    def _double_quoted(self, node: Node, target: _Field) -> None:
        text = self.source.node_text(node)
        start = self.source.char(node.start_byte)
        if "\\" not in text:  # nothing escaped: the text as it is
            target.add_each(text, range(start, start + len(text)), False)
            return
        index = 0
        while index < len(text):
            escape = _DOUBLE_QUOTE_ESCAPE.search(text, index)
            stop = escape.start() if escape is not None else len(text)
            if stop > index:
                target.add_each(text[index:stop], range(start + index, start + stop), False)
                index = stop
                continue
            if text[index + 1] != "\n":
                target.add_literal(text[index + 1], [start + index + 1], False)
            index += 2

    def _ansi_c(self, node: Node, target: _Field) -> None:
        text = self.source.node_text(node)[2:-1]
        start = self.source.char(node.start_byte) + 2
        index = 0
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text):
                target.add_literal(_ANSI_ESCAPES.get(text[index + 1], text[index + 1]), [-1], False)
                index += 2
                continue
            target.add_literal(char, [start + index], False)
            index += 1

    def _add_expansion(self, value: Value, fields: list[_Field], *, split: bool) -> None:
        target = fields[-1]
        text = value.text
        if not split or text is None or (" " not in text and "\t" not in text and "\n" not in text):
            target.add_value(value)
            return
        parts = text.split()
        leading = text[:1].isspace()
        trailing = text[-1:].isspace()
        for index, part in enumerate(parts):
            if index > 0 or (leading and not fields[-1].empty()):
                fields.append(_Field())
            fields[-1].add_value(value._replace(text=part))
        if trailing and parts:
            fields.append(_Field())

    # ------------------------------------------------------------------ parameters

    def _parameter(self, node: Node) -> tuple[str | None, Value]:
        """(variable name, value) of ``$V`` / ``${V...}``."""
        children = [c for c in node.children if c.type not in ("$", "${", "}")]
        if not children:
            return None, Value("$")
        prefix_op = None
        if not children[0].is_named and children[0].type in ("#", "!"):
            prefix_op = children[0].type
            children = children[1:]
        if not children:
            return None, UNKNOWN
        name_node = children[0]
        if name_node.type not in ("variable_name", "special_variable_name"):
            return None, UNKNOWN
        name = self.source.node_text(name_node)
        value = self._special(name) if name_node.type == "special_variable_name" else None
        if value is None:
            value = self.ctx.variable(name)
        rest = children[1:]
        if prefix_op == "#" and not rest:
            return None, Value(str(len(value.text))) if value.text is not None else UNKNOWN
        if prefix_op is not None:
            return None, UNKNOWN
        if not rest:
            return name, value
        return None, self._operator(name, value, rest)

    def _special(self, name: str) -> Value | None:
        positional = self.ctx.scope.positional
        if name == "#":
            return Value(str(len(positional)))
        if name in ("@", "*"):
            if all(v.text is not None for v in positional):
                return Value(" ".join(v.text or "" for v in positional))
            return UNKNOWN
        if name == "0":
            return Value("sh")
        return UNKNOWN  # $? $$ $! $-

    def _operator(self, name: str, value: Value, rest: list[Node]) -> Value:
        operator = rest[0].type if not rest[0].is_named else ""
        groups: list[list[Node]] = [[]]
        for child in rest[1:]:
            if not child.is_named and child.type in ("/", ":"):
                groups.append([])
            else:
                groups[-1].append(child)
        if operator in (":-", "-", ":=", "=", ":+", "+", ":?", "?"):
            return self._default(name, value, operator, groups[0])
        if operator in ("#", "##", "%", "%%"):
            pattern = self._operand_glob(groups[0])
            if value.text is None or pattern is None:
                return value._replace(text=None, prefix="", suffix="")
            return value._replace(text=strip_pattern(value.text, pattern, operator))
        if operator in ("/", "//", "/#", "/%"):
            pattern = self._operand_glob(groups[0])
            replacement = self._operand_value(groups[1]) if len(groups) > 1 else Value("")
            if value.text is None or pattern is None or replacement.text is None:
                return value._replace(text=None, prefix="", suffix="")
            text = replace_pattern(value.text, pattern, replacement.text, operator)
            return value._replace(text=text)
        if operator in ("^^", ",,", "^", ","):
            if value.text is None:
                return value
            upper = operator.startswith("^")
            if len(operator) == 2:
                return value._replace(text=value.text.upper() if upper else value.text.lower())
            head = value.text[:1].upper() if upper else value.text[:1].lower()
            return value._replace(text=head + value.text[1:])
        if operator == ":":
            return self._substring(value, groups)
        return value._replace(text=None, prefix="", suffix="")

    def _default(self, name: str, value: Value, operator: str, operand: list[Node]) -> Value:
        if value.text is None and value.is_set:
            return value
        use_colon = operator.startswith(":")
        empty = not value.is_set or (use_colon and value.text == "")
        kind = operator.lstrip(":")
        if kind == "+":
            return Value("") if empty else self._operand_value(operand)
        if not empty:
            return value
        if kind == "?":
            return UNKNOWN  # the shell stops with an error; the build fails
        replacement = self._operand_value(operand)
        if kind == "=":
            self.ctx.assign(name, replacement)
        return replacement

    def _substring(self, value: Value, groups: list[list[Node]]) -> Value:
        numbers: list[int] = []
        for group in groups:
            text = self._operand_value(group).text
            try:
                numbers.append(int((text or "").strip()))
            except ValueError:
                return UNKNOWN
        if value.text is None or not numbers:
            return UNKNOWN
        start = numbers[0]
        end = None if len(numbers) < 2 else start + numbers[1] if numbers[1] >= 0 else numbers[1]
        return value._replace(text=value.text[start:end])

    def _operand(self, nodes: list[Node]) -> _Field:
        fields = [_Field()]
        for child in nodes:
            self._expand(child, fields, quoted=False, split=False)
        return _joined(fields)

    def _operand_value(self, nodes: list[Node]) -> Value:
        if not nodes:
            return Value("")
        place = self.source.place(nodes[0])
        return self._finish(self._operand(nodes), place, braces=False)[0].value

    def _operand_glob(self, nodes: list[Node]) -> str | None:
        if not nodes:
            return ""
        place = self.source.place(nodes[0])
        return self._finish(self._operand(nodes), place, braces=False)[0].glob

    # ------------------------------------------------------------------ assembling

    def _finish(
        self, f: _Field, place: Span | Place, *, braces: bool = True, offset: int = -1
    ) -> list[Word]:
        self._tilde(f)
        if not braces or "{" not in f.chars:  # most words: no brace to expand
            return [self._to_word(f, place, certain=True, offset=offset)]
        variants = _brace_expand(f)
        uncertain = len(variants) > 1
        return [self._to_word(v, place, certain=not uncertain, offset=offset) for v in variants]

    def _tilde(self, f: _Field) -> None:
        if not f.chars or f.chars[0] != "~" or not f.active[0]:
            return
        if len(f.chars) > 1 and f.chars[1] != "/":
            return
        home = self.ctx.variable("HOME")
        replacement = _Field()
        replacement.add_value(home)
        f.chars[0:1] = replacement.chars
        f.origins[0:1] = replacement.origins
        f.active[0:1] = replacement.active

    def _to_word(self, f: _Field, place: Span | Place, *, certain: bool, offset: int = -1) -> Word:
        chars = f.chars
        if None in chars:
            gaps = [i for i, c in enumerate(chars) if c is None]
            typed = self._literal_arch(f.origins, "".join("\0" if c is None else c for c in chars))
            arch = typed if typed is not None else f.marks[0] if f.marks else None
            prefix = "".join(c for c in chars[: gaps[0]] if c is not None)
            suffix = "".join(c for c in chars[gaps[-1] + 1 :] if c is not None)
            value = Value(None, prefix, suffix, arch, f.platform)
            return Word(value, place, variable=_single(f), certain=certain, offset=offset)
        text = "".join(chars)  # type: ignore[arg-type]  # no None in it
        arch = self._literal_arch(f.origins, text)
        if arch is None and f.marks:
            arch = f.marks[0]
        value = _new(Value, (text, "", "", arch, f.platform, True))
        if "*" not in text and "?" not in text and "[" not in text:
            glob = escape_glob(text)
            return _new(Word, (value, place, glob, False, _single(f), certain, False, offset))
        glob_parts: list[str] = []
        has_glob = False
        for char, active in zip(text, f.active, strict=True):
            if active and char in "*?[]":
                glob_parts.append(char)
                has_glob = has_glob or char != "]"
            else:
                glob_parts.append(escape_glob(char))
        glob = "".join(glob_parts)
        return Word(value, place, glob, has_glob, _single(f), certain, offset=offset)

    def _literal_arch(self, origins: Sequence[int], text: str) -> ArchMark | None:
        """The first CPU name typed in the script (not supplied by a variable or the outer
        shell) in a field's ``text`` (NUL for each unknown gap), whose characters come from
        ``origins``."""
        if "64" not in text:  # in every CPU name: most words have none
            return None
        for start, end, arch in find_arch_literals(text):
            typed = origins[start:end]
            if min(typed) < 0 or not self.source.written_in_script(typed):
                continue
            span = self.source.span_chars(typed[0], typed[-1] + 1)
            return ArchMark(arch, Related(span, f"hard-coded {arch}"))
        return None


def _single(f: _Field) -> str | None:
    return f.variables[0] if f.contents == 1 and len(f.variables) == 1 else None


def _joined(fields: list[_Field]) -> _Field:
    if len(fields) == 1:
        return fields[0]
    out = _Field()
    for index, f in enumerate(fields):
        if index:
            out.add_literal(" ", [-1], False)
        out.chars.extend(f.chars)
        out.origins.extend(f.origins)
        out.active.extend(f.active)
        out.marks.extend(f.marks)
        out.variables.extend(f.variables)
        out.platform = out.platform or f.platform
        out.quoted = out.quoted or f.quoted
        out.contents += f.contents
    return out


def _brace_expand(f: _Field) -> list[_Field]:
    """bash's ``{a,b}`` (the first group, then recursively); a POSIX sh keeps it literal."""
    opening = _find_brace_group(f)
    if opening is None:
        return [f]
    start, commas, end = opening
    results: list[_Field] = []
    bounds = [start, *commas, end]
    for left, right in itertools.pairwise(bounds):
        variant = _Field()
        variant.chars = f.chars[:start] + f.chars[left + 1 : right] + f.chars[end + 1 :]
        variant.origins = f.origins[:start] + f.origins[left + 1 : right] + f.origins[end + 1 :]
        variant.active = f.active[:start] + f.active[left + 1 : right] + f.active[end + 1 :]
        variant.marks = list(f.marks)
        variant.variables = list(f.variables)
        variant.contents, variant.platform, variant.quoted = f.contents, f.platform, f.quoted
        results.extend(_brace_expand(variant))
        if len(results) > _MAX_BRACE_WORDS:
            return [f]
    return results


def _find_brace_group(f: _Field) -> tuple[int, list[int], int] | None:
    if "{" not in f.chars:
        return None
    for start, char in enumerate(f.chars):
        if char != "{" or not f.active[start]:
            continue
        depth = 0
        commas: list[int] = []
        for index in range(start + 1, len(f.chars)):
            if not f.active[index]:
                continue
            if f.chars[index] == "{":
                depth += 1
            elif f.chars[index] == "}":
                if depth == 0:
                    if commas:
                        return start, commas, index
                    break
                depth -= 1
            elif f.chars[index] == "," and depth == 0:
                commas.append(index)
    return None
