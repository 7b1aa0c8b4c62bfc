"""Which words of an instruction line open a heredoc, decided as BuildKit decides it.

BuildKit (``parser.go``: ``heredocsFromLine`` / ``ParseHeredoc``) splits the whole joined line with
its shell lexer (``shell/lex.go`` with ``RawQuotes``, ``RawEscapes``, ``SkipUnsetEnv`` and an empty
environment, escape always ``\\``) and matches every word against ``^(\\d*)<<(-?)([^<]*)$``. So
``<< EOF`` (two words) is not a heredoc, and a line the lexer rejects (an unmatched quote such as
``don't``, a bad ``${...}``) has no heredoc at all. This module ports that lexer mode, keeping each
word's offsets in the line.
"""

import functools
import re

from mext_lint.dockerfile.logical_line import GO_SPACE_CLASS, GO_WORD, is_go_space
from mext_lint.lazy_re import compile_later

HEREDOC_WORD = re.compile(r"(\d*)<<(-?)([^<]*)", re.ASCII)
# A `${a:-${b:-...}}` nested deeper than this is treated as a lexer error (BuildKit has no limit).
MAX_NESTING = 64
_SPECIAL_PARAMETERS = frozenset("@*#?-$!")
_UINT64_MAX = 2**64 - 1
_PLAIN = compile_later(r"[^'\"$\\]*")  # nothing the lexer treats specially but whitespace
# A quoted string with nothing to expand or unescape, which the lexer reads whole.
_QUOTED = compile_later(r"'[^']*'|\"[^\"$\\]*\"")


@functools.cache
def _plain_run(stop: str) -> re.Pattern[str]:
    """Characters the lexer adds to the current word one by one, read together."""
    return re.compile(f"[^'\"$\\\\{re.escape(stop)}{GO_SPACE_CLASS}]+")


class LexError(Exception):
    """The line is not valid for BuildKit's shell lexer (so it yields no words)."""


# A word of the lexer's output, then its [start, end) offsets in the line.
ShellWord = tuple[str, int, int]


class HeredocWord:
    __slots__ = ("end", "expand", "fd", "name", "start", "strip_tabs")

    def __init__(
        self, name: str, expand: bool, strip_tabs: bool, fd: int | None, start: int, end: int
    ) -> None:
        self.name = name
        self.expand = expand
        self.strip_tabs = strip_tabs
        self.fd = fd
        self.start = start  # offsets of the `<<NAME` word in the line
        self.end = end


class _Words:
    """``wordsStruct``; the buffer is shared by nested scans, as in BuildKit (see ``reset``)."""

    def __init__(self, lexer: "_Lexer") -> None:
        self.lexer = lexer
        self.words: list[ShellWord] = []
        self.in_word = False

    def add_char(self, char: str, offset: int) -> None:
        if not is_go_space(char):
            self.add_raw(char, offset)
        elif self.in_word and self.lexer.buffer_size:
            self.flush()

    def add_raw(self, text: str, offset: int) -> None:
        lexer = self.lexer
        if not lexer.buffer_size:
            lexer.buffer_start = offset
        lexer.buffer.append(text)
        lexer.buffer_size += len(text)
        lexer.buffer_end = lexer.pos
        self.in_word = True

    def flush(self) -> None:
        """``getWords``: close the current word, if it has any text."""
        lexer = self.lexer
        if lexer.buffer_size:
            text = "".join(lexer.buffer)
            self.words.append((text, lexer.buffer_start, lexer.buffer_end))
            lexer.clear_buffer()
            self.in_word = False


class _Lexer:
    def __init__(self, source: str, *, raw_quotes: bool) -> None:
        self.source = source
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = False
        self.buffer: list[str] = []
        self.buffer_size = 0
        self.buffer_start = 0
        self.buffer_end = 0
        self.depth = 0

    def clear_buffer(self) -> None:
        self.buffer.clear()
        self.buffer_size = 0

    def peek(self) -> str:
        return self.source[self.pos] if self.pos < len(self.source) else ""

    def next(self) -> str:
        char = self.peek()
        if char:
            self.pos += 1
        return char

    def scan(self, stop: str, raw_escapes: bool) -> tuple[str, list[ShellWord]]:
        """``processStopOn``; ``stop == ""`` means the end of the line."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise LexError("nesting too deep")
        saved_raw_escapes, self.raw_escapes = self.raw_escapes, raw_escapes
        # BuildKit resets the shared words buffer here, dropping the enclosing partial word.
        self.clear_buffer()
        words = _Words(self)
        result: list[str] = []
        plain = _plain_run(stop)
        try:
            while self.pos < len(self.source):
                char = self.peek()
                if stop and char == stop:
                    self.pos += 1
                    words.flush()
                    return "".join(result), words.words
                run = plain.match(self.source, self.pos)
                if run is None:
                    self.scan_one(char, result, words)
                    continue
                self.pos = run.end()  # ordinary characters, together
                words.add_raw(run.group(), run.start())
                result.append(run.group())
            if stop:
                raise LexError(f"unexpected end of statement while looking for matching {stop}")
            words.flush()
            return "".join(result), words.words
        finally:
            self.raw_escapes = saved_raw_escapes
            self.depth -= 1

    def scan_one(self, char: str, result: list[str], words: _Words) -> None:
        start = self.pos
        if char == "$":
            text = self.dollar()
            result.append(text)
            for expanded in text:  # BuildKit splits an unquoted expansion on whitespace
                words.add_char(expanded, start)
            return
        if char in "'\"":
            quoted = _QUOTED.match(self.source, start)
            if quoted is None:
                text = self.single_quoted() if char == "'" else self.double_quoted()
            else:
                self.pos = quoted.end()
                text = quoted.group() if self.raw_quotes else quoted.group()[1:-1]
            result.append(text)
            words.add_raw(text, start)
            return
        self.pos += 1
        if char == "\\":
            if self.raw_escapes:
                words.add_raw(char, start)
                result.append(char)
            char = self.next()
            if not char:
                return
            words.add_raw(char, start)
        else:
            words.add_char(char, start)
        result.append(char)

    def single_quoted(self) -> str:
        quote = self.next()
        result = [quote] if self.raw_quotes else []
        while True:
            char = self.next()
            if not char:
                raise LexError(
                    "unexpected end of statement while looking for matching single-quote"
                )
            if char == "'":
                if self.raw_quotes:
                    result.append(char)
                return "".join(result)
            result.append(char)

    def double_quoted(self) -> str:
        quote = self.next()
        result = [quote] if self.raw_quotes else []
        while True:
            char = self.peek()
            if not char:
                raise LexError(
                    "unexpected end of statement while looking for matching double-quote"
                )
            if char == '"':
                self.pos += 1
                if self.raw_quotes:
                    result.append(char)
                return "".join(result)
            if char == "$":
                result.append(self.dollar())
                continue
            self.pos += 1
            if char == "\\":
                if self.raw_escapes:
                    result.append(char)
                following = self.peek()
                if not following:
                    continue
                if following in '"$\\':
                    char = self.next()
            result.append(char)

    def dollar(self) -> str:
        """``processDollar`` with no variable set and ``SkipUnsetEnv``: text kept as written."""
        self.pos += 1
        if self.peek() != "{":
            name = self.name()
            return "$" + name if name else "$"
        self.pos += 1
        if not self.peek():
            raise LexError("syntax error: missing '}'")
        if self.peek() in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self.name()
        modifier = self.next()
        if modifier == "}":
            return "${" + name + "}"
        if modifier == "/":
            return self.replacement(name)
        if modifier == ":":
            operator = self.next()
            if operator in "#%":
                raise LexError(f"unsupported modifier (:{operator}) in substitution")
            word = self.modifier_word(raw_escapes=False)
            return "${" + name + ":" + (operator or "\ufffd") + word + "}"
        if modifier and modifier in "+-?#%":
            word = self.modifier_word(raw_escapes=modifier in "#%")
            return "${" + name + modifier + word + "}"
        raise LexError(f"unsupported modifier ({modifier}) in substitution")

    def modifier_word(self, *, raw_escapes: bool) -> str:
        word, _ = self.scan("}", raw_escapes)
        return word

    def replacement(self, name: str) -> str:
        if self.peek() == "/":
            self.pos += 1  # `${v//p/r}` is kept as `${v/p/r}`, as BuildKit prints it
        pattern, _ = self.scan("/", True)
        replacement, _ = self.scan("}", True)
        return "${" + name + "/" + pattern + "/" + replacement + "}"

    def name(self) -> str:
        """``processName``: digits, one special parameter, or letters/digits/underscores."""
        start = self.pos
        first = self.peek()
        if first.isdecimal():
            while self.peek().isdecimal():
                self.pos += 1
            return self.source[start : self.pos]
        if first in _SPECIAL_PARAMETERS and first:
            self.pos += 1
            return first
        while self.peek() and (
            self.peek().isalpha() or self.peek().isdecimal() or self.peek() == "_"
        ):
            self.pos += 1
        return self.source[start : self.pos]


def shell_words(line: str, *, raw_quotes: bool, raw_escapes: bool) -> list[ShellWord] | None:
    """``Lex.ProcessWords`` on ``line`` with an empty environment; None when it fails."""
    if _PLAIN.fullmatch(line):
        return _split_plain(line)
    lexer = _Lexer(line, raw_quotes=raw_quotes)
    try:
        _, words = lexer.scan("", raw_escapes)
    except LexError:
        return None
    return words


def _split_plain(line: str) -> list[ShellWord]:
    """Without quotes, escapes or ``$`` the lexer only splits on whitespace."""
    return [(match.group(), match.start(), match.end()) for match in GO_WORD.finditer(line)]


def parse_heredoc_word(word: str) -> tuple[str, bool, bool, int | None] | None:
    """``ParseHeredoc``: (name, expand, strip_tabs, fd) when ``word`` opens a heredoc."""
    match = HEREDOC_WORD.fullmatch(word)
    if match is None or not match.group(3):
        return None
    digits, chomp, rest = match.groups()
    if _PLAIN.fullmatch(rest) and GO_WORD.fullmatch(rest):
        return rest, True, chomp == "-", _descriptor(digits)  # what both lexer passes give
    words = shell_words(rest, raw_quotes=False, raw_escapes=False)
    if words is None or len(words) != 1:
        return None
    raw_words = shell_words(rest, raw_quotes=True, raw_escapes=False)
    if raw_words is None or len(raw_words) != 1:
        return None
    name, raw_name = words[0][0], raw_words[0][0]
    expand = _quote_count(name) == _quote_count(raw_name)
    return name, expand, chomp == "-", _descriptor(digits)


def _descriptor(digits: str) -> int | None:
    """Go's ``strconv.ParseUint`` as BuildKit calls it: saturates at the uint64 maximum."""
    if not digits:
        return None
    digits = digits.lstrip("0") or "0"
    if len(digits) > 20:
        return _UINT64_MAX
    return min(int(digits), _UINT64_MAX)


def _quote_count(text: str) -> int:
    return text.count("'") + text.count('"')


def heredocs_in_line(line: str) -> tuple[list[HeredocWord], list[ShellWord]]:
    """``heredocsFromLine``: the heredocs a line opens, in order, and the lexer's words."""
    words = shell_words(line, raw_quotes=True, raw_escapes=True) or []
    found: list[HeredocWord] = []
    for text, start, end in words:
        if "<<" not in text:
            continue
        parsed = parse_heredoc_word(text)
        if parsed is not None:
            found.append(HeredocWord(*parsed, start, end))
    return found, words
