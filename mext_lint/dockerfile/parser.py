"""Parse a Dockerfile exactly as BuildKit's ``frontend/dockerfile/parser`` reads it.

:func:`parse_dockerfile` follows ``parser.Parse`` line for line: parser directives at the top, line
continuations with the escape character (skipping blank and comment lines inside them), heredoc
bodies read after the line that opens them, then each joined line split into keyword, builder flags
and the values of BuildKit's per-instruction line parser. On top of that it runs the checks of
BuildKit's instruction parser (unknown instructions and flags, missing arguments, ...), so that
``Dockerfile.errors`` holds every reason the build would fail at parse time.

Unlike BuildKit it never stops at the first problem and never raises: each problem becomes a
:class:`SyntaxIssue` and parsing goes on with the next line. Instructions with a known keyword are
kept even when invalid; unknown ones are only reported.
"""

import functools
import itertools
import re

from mext_lint.dockerfile.heredoc_words import HeredocWord, ShellWord, heredocs_in_line, shell_words
from mext_lint.dockerfile.instruction_rules import INSTRUCTIONS, instruction_error, suggestion
from mext_lint.dockerfile.line_parsers import (
    ParsedArgs,
    parse_health_config,
    parse_maybe_json,
    parse_maybe_json_to_list,
    parse_name_or_name_val,
    parse_name_val,
    parse_string,
    parse_strings_whitespace_delimited,
    split_command,
)
from mext_lint.dockerfile.logical_line import (
    GO_SPACE_CLASS,
    GO_SPACES,
    LogicalLine,
    Piece,
    go_trim_left,
    go_trim_right,
    new_span,
)
from mext_lint.dockerfile.model import (
    Comment,
    Directive,
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    SyntaxIssue,
    Word,
)
from mext_lint.lazy_re import compile_later
from mext_lint.spans import Span

__all__ = ["parse_dockerfile"]

# bufio.Scanner's limit: a line (without its newline) may hold at most 65535 bytes.
MAX_LINE_BYTES = 65535
_DIRECTIVE_NAMES = frozenset({"syntax", "escape", "check"})
_DIRECTIVE_SPACES = "\t\n\f\r "  # Go regexp's \s
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_SHELL_COMMANDS = frozenset({"RUN", "CMD", "ENTRYPOINT"})
_SPACED_HEREDOC_OPERATOR = compile_later(r"\d*<<-?", re.ASCII)
# BuildKit reads a statement made only of continuation lines as an instruction named "".
_EMPTY_INSTRUCTION = "unknown instruction: (empty: only line continuations)"
_LEADING_TABS = compile_later(r"^\t+", re.MULTILINE)
_BLANK_OR_COMMENT = re.compile(f"[{GO_SPACE_CLASS}]*(?:#|$)")
# The records made for every instruction, built from a tuple (see logical_line.new_span).
_new_word = functools.partial(tuple.__new__, Word)
_new_flag = functools.partial(tuple.__new__, Flag)
_new_instruction = functools.partial(tuple.__new__, Instruction)
_new_comment = functools.partial(tuple.__new__, Comment)


def parse_dockerfile(text: str, path: str) -> Dockerfile:
    """Parse ``text`` (already decoded, BOM removed) into the model; ``path`` only goes in spans."""
    return _Parser(text, path).parse()


# An instruction read from its joined line, then what only the instruction checks need: the
# keyword as written (BuildKit keeps its case in messages), the line parser's error and
# BuildKit's nodeArgs.
_Read = tuple[Instruction, str, str | None, list[str]]


def _with_heredocs(
    instruction: Instruction, heredocs: tuple[Heredoc, ...], end: tuple[int, int]
) -> Instruction:
    """The instruction (and ONBUILD's trigger) with its heredoc bodies, its span up to their end."""
    inner = instruction.inner
    span = instruction.span
    fields = list(instruction)  # Instruction._replace would cost four times as much
    fields[1] = new_span((span.path, span.line, span.column, *end))
    fields[6] = heredocs
    fields[11] = None if inner is None else _with_heredocs(inner, heredocs, end)
    return _new_instruction(fields)


class _SpacedHeredoc:
    """A `<< EOF` BuildKit did not read as a heredoc: the lines after it become instructions."""

    __slots__ = ("delimiter", "line", "operator", "reported")

    def __init__(self, operator: str, delimiter: str, line: int) -> None:
        self.operator = operator
        self.delimiter = delimiter
        self.line = line
        self.reported = False  # the unknown instruction it causes has been explained


def _parse_args(keyword: str, line: str, start: int, end: int, escape: str) -> ParsedArgs:
    """BuildKit's dispatch table: the line parser each instruction uses."""
    if keyword in ("add", "copy", "volume"):
        return parse_maybe_json_to_list(line, start, end)
    if keyword in ("cmd", "entrypoint", "run", "shell"):
        return parse_maybe_json(line, start, end)
    if keyword in ("env", "label"):
        return parse_name_val(line, start, end, keyword.upper(), escape)
    if keyword == "arg":
        return parse_name_or_name_val(line, start, end, escape)
    if keyword in ("expose", "from"):
        return parse_strings_whitespace_delimited(line, start, end)
    if keyword == "healthcheck":
        return parse_health_config(line, start, end)
    if keyword in ("maintainer", "stopsignal", "user", "workdir"):
        return parse_string(line, start, end)
    # parseIgnore (unknown instructions; ONBUILD is handled apart): one empty node, as BuildKit.
    return ParsedArgs([("", start, start)])


def _utf8_length(line: str) -> int:
    try:
        return len(line.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return len(line.encode("utf-8", "surrogatepass"))


def _directive_value(rest: str) -> str | None:
    """The value part of ``^#\\s*name\\s*=\\s*(.+?)\\s*$`` after the "=", as RE2 would take it."""
    start = 0
    while start < len(rest) and rest[start] in _DIRECTIVE_SPACES:
        start += 1
    value = rest[start:].rstrip(_DIRECTIVE_SPACES)
    if value:
        return value
    return rest[-1] if rest else None  # all spaces: `.+?` still takes the last one


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.lines = text.split("\n")
        if self.lines[-1] == "":
            self.lines.pop()  # the scanner yields no empty token after a final newline
        # The lines without a CRLF's "\r" (heredoc bodies keep it: they are sliced from the text).
        self.trimmed = [line.rstrip("\r") for line in self.lines] if "\r" in text else self.lines
        self.offsets: list[int] | None = None  # where each line starts, once a heredoc needs it
        self.limit = len(self.lines)
        self.index = 0
        self.escape = "\\"
        self.directives_done = False
        self.directives: list[Directive] = []
        self.instructions: list[Instruction] = []
        self.comments: list[Comment] = []
        self.errors: list[SyntaxIssue] = []
        self.node_count = 0
        self.seen_from = False
        self.spaced_heredoc: _SpacedHeredoc | None = None

    # -- the line loop (parser.Parse) ------------------------------------------------------------

    def parse(self) -> Dockerfile:
        self.check_line_lengths()
        while self.index < self.limit:
            self.read_statement()
        self.check_whole_file()
        self.errors.sort(key=lambda issue: (issue.span.line, issue.span.column))
        return Dockerfile(
            self.path,
            self.text,
            self.escape,
            tuple(self.directives),
            tuple(self.instructions),
            tuple(self.comments),
            tuple(self.errors),
        )

    def check_line_lengths(self) -> None:
        if max(map(len, self.lines), default=0) * 4 <= MAX_LINE_BYTES:
            return  # no line is long enough to need measuring
        for index, line in enumerate(self.lines):
            # 4 bytes per code point at most: only long lines need to be measured.
            if len(line) * 4 > MAX_LINE_BYTES and _utf8_length(line) > MAX_LINE_BYTES:
                message = f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}"
                self.error(message, Span(self.path, index + 1, 1, index + 1, len(line) + 1))
                self.limit = index  # BuildKit's scanner stops reading here
                return

    def line_offsets(self) -> list[int]:
        """Where each line starts in the text, then where a line after the last would start."""
        if self.offsets is None:
            self.offsets = [0, *itertools.accumulate(len(line) + 1 for line in self.lines)]
        return self.offsets

    def read_statement(self) -> None:
        index = self.index
        content = self.trimmed[index]
        bom = 1 if index == 0 and content.startswith("\ufeff") else 0
        body = (content[1:] if bom else content).lstrip(GO_SPACES)
        lead = len(content) - len(body)
        self.index += 1
        is_directive = not self.directives_done and self.read_directive(body, index + 1, lead)
        if body.startswith("#"):
            if not is_directive:
                self.add_comment(body, index + 1, lead)
            return
        if body.rstrip(" \t").endswith(self.escape):
            first, ended = self.trim_continuation(body)
        else:
            first, ended = body, True  # most statements: one line
        if ended and not first:
            return
        pieces: list[Piece] = [(0, index + 1, lead + 1)] if first else []
        parts = [first]
        length = len(first)
        last = index
        lines, limit = self.trimmed, self.limit
        while not ended and self.index < limit:
            last = self.index
            self.index += 1
            line = lines[last]
            if _BLANK_OR_COMMENT.match(line):
                continue  # blank and comment lines inside a continuation are skipped
            piece, ended = self.trim_continuation(line)
            if piece:
                pieces.append((length, last + 1, 1))
                parts.append(piece)
                length += len(piece)
        end = (last + 1, len(self.trimmed[last]) + 1)
        logical = LogicalLine(self.path, "".join(parts), pieces, end)
        self.add_statement(logical, index + 1, lead + 1, last)

    def trim_continuation(self, line: str) -> tuple[str, bool]:
        """(text without the continuation escape, whether the statement ends on this line)."""
        stripped = line.rstrip(" \t")
        escape = self.escape
        if stripped.endswith(escape) and (len(stripped) == 1 or stripped[-2] != escape):
            return stripped[:-1], False
        return line, True

    # -- directives and comments -----------------------------------------------------------------

    def read_directive(self, body: str, line: int, lead: int) -> bool:
        """BuildKit's DirectiveParser.ParseLine: only lines before anything else count (the
        caller asks only until ``directives_done``)."""
        if not body.startswith("#"):
            self.directives_done = True
            return False
        rest = body[go_trim_left(body, 1) :]
        name_end = 0
        while name_end < len(rest) and (
            rest[name_end].isascii()
            and (rest[name_end].isalpha() or (name_end and rest[name_end].isdigit()))
        ):
            name_end += 1
        equals = name_end
        while equals < len(rest) and rest[equals] in _DIRECTIVE_SPACES:
            equals += 1
        value = _directive_value(rest[equals + 1 :]) if rest.startswith("=", equals) else None
        name = rest[:name_end].lower()
        if not name_end or value is None or name not in _DIRECTIVE_NAMES:
            self.directives_done = True
            return False
        span = Span(self.path, line, lead + 1, line, lead + len(body) + 1)
        if any(directive.name == name for directive in self.directives):
            self.error(f"only one {name} parser directive can be used", span)
            return True
        if name == "escape":
            if value not in ("\\", "`"):
                self.error(f"invalid escape token '{value}' does not match ` or \\", span)
                return True
            self.escape = value
        self.directives.append(Directive(name, value, span))
        return True

    def add_comment(self, body: str, line: int, lead: int) -> None:
        start = go_trim_left(body, 1)
        text = body[start : go_trim_right(body, start)]
        span = new_span((self.path, line, lead + 1, line, lead + len(body) + 1))
        self.comments.append(_new_comment((text, span)))

    # -- instructions --------------------------------------------------------------------------

    def add_statement(
        self, logical: LogicalLine, start_line: int, start_column: int, last: int
    ) -> None:
        self.node_count += 1
        end = (last + 1, len(self.trimmed[last]) + 1)
        instruction, written, parse_error, node_args = self.build(
            logical, (start_line, start_column), end, nested=False
        )
        if instruction.keyword in INSTRUCTIONS:
            self.instructions.append(instruction)
            self.check_instruction(instruction, parse_error, node_args)
        else:
            self.report_unknown(written, instruction, start_line)
        if self.spaced_heredoc is not None:
            self.end_spaced_heredoc(instruction, logical, start_line)

    def build(
        self,
        logical: LogicalLine,
        start: tuple[int, int] | None,
        end: tuple[int, int],
        *,
        nested: bool,
    ) -> _Read:
        """``newNodeFromLine``: keyword, flags and values of one joined line, as an instruction
        spanning from ``start`` (from its keyword when None) to ``end``, or to the end of the
        heredoc bodies it reads from the lines after it."""
        line = logical.text
        (keyword_text, keyword_start, keyword_end), flags, args_start, args_end = split_command(
            line
        )
        keyword = keyword_text.upper()
        inner: _Read | None = None
        if keyword == "ONBUILD":
            parsed = ParsedArgs([])
            if args_start < args_end and not nested:  # ONBUILD ONBUILD is an error: stop there
                trigger_line = logical.sub_line(args_start, args_end)
                inner = self.build(trigger_line, None, end, nested=True)
        else:
            parsed = _parse_args(keyword.lower(), line, args_start, args_end, self.escape)
        span = logical.span
        keyword_span = span(keyword_start, keyword_end)
        if keyword in _SHELL_COMMANDS and not parsed.json_form and args_start < args_end:
            command = (
                line[args_start:args_end],
                span(args_start, args_end),
                logical.segments(args_start, args_end),
            )
        else:  # no shell command: an empty span just after the keyword
            command = ("", span(keyword_end, keyword_end), ())
        value = tuple([_new_word((text, span(first, last))) for text, first, last in parsed.values])
        if inner is None:
            trigger = None
            node_args = [word.text for word in value]
            parse_error = parsed.error
            heredoc_form = keyword in _HEREDOC_KEYWORDS and not parsed.json_form
        else:
            trigger, trigger_written, parse_error, trigger_args = inner
            node_args = [trigger_written, *trigger_args]
            heredoc_form = trigger.keyword in _HEREDOC_KEYWORDS and not trigger.json_form
        if start is None:
            start = keyword_span.line, keyword_span.column
        heredocs: tuple[Heredoc, ...] = ()
        if heredoc_form and parse_error is None and not nested and "<<" in line:
            # canContainHeredoc: the bodies follow on the next lines; the span goes to their end.
            heredocs = self.read_line_heredocs(logical, start[0])
            if heredocs:
                end = (self.index, len(self.trimmed[self.index - 1]) + 1)
                if trigger is not None:
                    trigger = _with_heredocs(trigger, heredocs, end)
        instruction = _new_instruction(
            (
                keyword,
                new_span((self.path, *start, *end)),
                keyword_span,
                tuple([_flag(text, span(first, last)) for text, first, last in flags])
                if flags
                else (),
                value,
                parsed.json_form,
                heredocs,
                line,
                *command,
                trigger,
            )
        )
        return instruction, keyword_text, parse_error, node_args

    def read_line_heredocs(self, logical: LogicalLine, line: int) -> tuple[Heredoc, ...]:
        """The heredocs of an instruction that can have some, which starts on ``line``."""
        words, shell = heredocs_in_line(logical.text)
        if not words:
            self.note_spaced_heredoc(shell, line)
            return ()
        return self.read_heredocs(words, logical)

    def read_heredocs(self, words: list[HeredocWord], logical: LogicalLine) -> tuple[Heredoc, ...]:
        """Read each heredoc's body, in order, from the lines after the instruction."""
        heredocs: list[Heredoc] = []
        for word in words:
            heredoc, terminated = self.read_heredoc(word)
            heredocs.append(heredoc)
            if not terminated:
                self.error("unterminated heredoc", logical.span(word.start, word.end))
                break
        return tuple(heredocs)

    def read_heredoc(self, word: HeredocWord) -> tuple[Heredoc, bool]:
        """One body, up to the line equal to the delimiter (leading tabs ignored for ``<<-``)."""
        first = self.index
        terminator = self.find_terminator(word.name, word.strip_tabs)
        end = self.limit if terminator is None else terminator  # the body is lines [first, end)
        self.index = self.limit if terminator is None else terminator + 1
        offsets = self.line_offsets()
        content = self.text[offsets[first] : offsets[end]]
        if word.strip_tabs:
            content = _LEADING_TABS.sub("", content)
        last = self.index  # 1-based number of the last line read
        if last == first:  # nothing left to read: an empty span just after the instruction
            span = new_span((self.path, first + 1, 1, first + 1, 1))
        else:
            span = new_span((self.path, first + 1, 1, last, len(self.trimmed[last - 1]) + 1))
        heredoc = Heredoc(
            word.name, content, word.expand, word.strip_tabs, word.fd, span, first + 1
        )
        return heredoc, terminator is not None

    def find_terminator(self, name: str, strip_tabs: bool) -> int | None:
        """The index of the first line from ``self.index`` on that ends a heredoc: ``name`` once
        a CRLF's "\r" (and for ``<<-`` leading tabs) are removed. A name never ends with "\r"
        (nor, for ``<<-``, starts with a tab) that such a line could equal."""
        lines, first, limit = self.trimmed, self.index, self.limit
        if not strip_tabs:
            try:
                return lines.index(name, first, limit)
            except ValueError:
                return None
        for index in range(first, limit):
            if lines[index].lstrip("\t") == name:
                return index
        return None

    # -- problems --------------------------------------------------------------------------------

    def error(self, message: str, span: Span) -> None:
        self.errors.append(SyntaxIssue(message, span))

    def note_spaced_heredoc(self, words: list[ShellWord], line: int) -> None:
        """Remember `<< EOF` written with a space, to explain the errors its body causes."""
        for (operator, _, _), (following, _, _) in itertools.pairwise(words):
            if _SPACED_HEREDOC_OPERATOR.fullmatch(operator):
                unquoted = shell_words(following, raw_quotes=False, raw_escapes=False)
                delimiter = unquoted[0][0] if unquoted else following
                self.spaced_heredoc = _SpacedHeredoc(operator, delimiter, line)
                return

    def end_spaced_heredoc(self, instruction: Instruction, logical: LogicalLine, line: int) -> None:
        """The would-be body ends at its delimiter line, or at the next real instruction."""
        hint = self.spaced_heredoc
        if hint is None or hint.line == line:  # (None: the caller has checked)
            return
        if instruction.keyword in INSTRUCTIONS or logical.text.strip() == hint.delimiter:
            self.spaced_heredoc = None

    def report_unknown(self, written: str, instruction: Instruction, line: int) -> None:
        """An unknown instruction; after `<< EOF` only the first one, with the real cause."""
        message = f"unknown instruction: {written}" if written else _EMPTY_INSTRUCTION
        hint = self.spaced_heredoc
        if hint is None:
            match = suggestion(written, sorted(INSTRUCTIONS))
            if match:
                message += f" (did you mean {match}?)"
        elif hint.reported:
            return  # the same mistake: one error for the whole would-be heredoc body
        else:
            spaced = f"{hint.operator} {hint.delimiter}"
            message += (
                f" (line {line} follows `{spaced}` on line {hint.line}: BuildKit does not read "
                f"`{spaced}` with a space as a heredoc; write `{hint.operator}{hint.delimiter}`)"
            )
            hint.reported = True
        self.error(message, instruction.keyword_span)

    def check_instruction(
        self, instruction: Instruction, parse_error: str | None, node_args: list[str]
    ) -> None:
        """The instruction parser's checks, then "no build stage" for a command before any FROM."""
        if parse_error is not None:
            self.error(parse_error, instruction.keyword_span)
            return
        raw_flags = [flag.raw for flag in instruction.flags] if instruction.flags else []
        rejection = instruction_error(
            instruction.keyword, raw_flags, node_args, instruction.json_form
        )
        if rejection is not None:
            at_fault = instruction.keyword_span
            if rejection.flag is not None:
                at_fault = instruction.flags[rejection.flag].span
            self.error(rejection.message, at_fault)
        if instruction.keyword == "FROM":
            self.seen_from = True
        elif instruction.keyword != "ARG" and not self.seen_from and rejection is None:
            self.error("no build stage in current context", instruction.keyword_span)

    def check_whole_file(self) -> None:
        if self.node_count == 0:
            self.error("file with no instructions", Span.point(self.path, 1, 1))
        elif self.instructions and not self.seen_from:
            first = self.instructions[0].keyword_span
            self.error("dockerfile contains no stages to build", first)


def _flag(raw: str, span: Span) -> Flag:
    name, has_value, value = raw[2:].partition("=")
    return _new_flag((raw, name, value if has_value else None, span))
