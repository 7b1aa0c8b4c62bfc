"""BuildKit's line parsers (``parser/line_parsers.go`` and ``split_command.go``), with offsets.

Each function takes the joined instruction line and a ``[start, end)`` range of it and returns what
BuildKit would put in ``Node.Next`` as ``RawWord`` tuples, each with its offsets in the line so
the caller can give it an exact span. Nothing here raises: a parse failure is a message in
:attr:`ParsedArgs.error`, worded as BuildKit words it.
"""

import functools
import json
import re

from mext_lint.dockerfile.logical_line import (
    GO_SPACE_CLASS,
    GO_SPACES,
    GO_WORD,
    TOKEN,
    TOKEN_SPACES,
    go_trim_left,
    go_trim_right,
    is_go_space,
)
from mext_lint.lazy_re import compile_later

NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only"

# Bytes Go's unicode.IsSpace accepts when split_command.go casts a single byte to a rune.
_SPACE_BYTES = frozenset(b"\t\n\v\f\r \x85\xa0")
_LONE_SURROGATE = re.compile(f"[{chr(0xD800)}-{chr(0xDFFF)}]")  # mypyc refuses surrogate literals
_JSON_SPACES = " \t\n\r"


# A value as BuildKit would store it, then its [start, end) offsets in the joined line. A plain
# tuple: the parser makes several per instruction and only unpacks them.
RawWord = tuple[str, int, int]


class ParsedArgs:
    """What a line parser returns: the values, whether they came from JSON, or why it failed."""

    __slots__ = ("error", "json_form", "values")

    def __init__(
        self, values: list[RawWord], json_form: bool = False, error: str | None = None
    ) -> None:
        self.values = values
        self.json_form = json_form
        self.error = error


# ``splitCommand``: the keyword, the builder flags, then where the remaining argument text starts
# and ends.
CommandParts = tuple[RawWord, list[RawWord], int, int]


def go_quote(text: str) -> str:
    """An approximation of Go's ``%q`` (exact for printable ASCII)."""
    return json.dumps(text, ensure_ascii=False)


_KEYWORD = re.compile("([^\t\v\f\r ]*)[\t\v\f\r ]*")  # and the spaces after it


def split_command(line: str) -> CommandParts:
    """``splitCommand``: keyword up to the first ``[\\t\\v\\f\\r ]``, then flags, then arguments."""
    start = len(line) - len(line.lstrip(GO_SPACES))
    end = max(len(line.rstrip(GO_SPACES)), start)
    found = _KEYWORD.match(line, start, end)
    assert found is not None  # the pattern also matches the empty string
    keyword = (found.group(1), start, found.end(1))
    index = found.end()
    if index == end:
        return keyword, [], end, end
    flags: list[RawWord] = []
    if line.startswith("--", index, end):
        index, flags = extract_builder_flags(line, index, end)
    index = go_trim_left(line, index, end)
    return keyword, flags, index, go_trim_right(line, index, end)


def _byte_units(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """(byte, character offset) pairs: split_command.go walks the UTF-8 bytes, not the runes."""
    region = line[start:end]
    if region.isascii():
        return list(zip(region.encode("ascii"), range(start, end), strict=True))
    units: list[tuple[int, int]] = []
    for offset in range(start, end):
        char = line[offset]
        if char < "\x80":
            units.append((ord(char), offset))
        else:
            units.extend((byte, offset) for byte in char.encode("utf-8", "surrogatepass"))
    return units


class _FlagWord:
    """The flag being read: its bytes (each later shown as one Latin-1 character, as Go does)."""

    def __init__(self, first_unit: int) -> None:
        self.data = bytearray()
        self.first_unit = first_unit
        self.blank_ok = False

    def is_terminator(self) -> bool:
        return bytes(self.data) == b"--"


def extract_builder_flags(line: str, start: int, end: int) -> tuple[int, list[RawWord]]:
    """``extractBuilderFlags``: leading ``--name[=value]`` words; returns where the args start.

    Quotes are removed and ``\\`` escapes the next byte (always backslash, whatever the escape
    directive says). BuildKit reads bytes here, so a non-ASCII flag value comes out as Latin-1
    mojibake (``--chown=josé`` gives ``--chown=josÃ©``), exactly like BuildKit reports it.
    """
    if not line.startswith("--", start, end):
        return start, []  # the common case: no flags at all
    simple = _simple_flags(line, start, end)
    return simple if simple is not None else _byte_flags(line, start, end)


def _byte_flags(line: str, start: int, end: int) -> tuple[int, list[RawWord]]:
    """``extract_builder_flags`` byte by byte, as BuildKit reads them."""
    units = _byte_units(line, start, end)
    count = len(units)
    flags: list[RawWord] = []
    word: _FlagWord | None = None
    quote = 0
    in_quote = False

    def finish(word: _FlagWord, last_unit: int) -> None:
        if word.blank_ok or word.data:
            first = units[word.first_unit][1]
            flags.append((word.data.decode("latin-1"), first, units[last_unit][1] + 1))

    pos = 0
    while pos <= count:
        if word is None:
            if pos == count:
                break
            byte = units[pos][0]
            if byte in _SPACE_BYTES:
                pos += 1
                continue
            if byte != 0x2D or pos + 1 == count or units[pos + 1][0] != 0x2D:
                return units[pos][1], flags
            word = _FlagWord(pos)
        if pos == count:
            if not word.is_terminator():
                finish(word, count - 1)
            break
        byte = units[pos][0]
        if in_quote:
            if byte == quote:
                in_quote = False
                pos += 1
                continue
        else:
            if byte in _SPACE_BYTES:
                if word.is_terminator():
                    return units[pos][1], flags
                finish(word, pos - 1)
                word = None
                pos += 1
                continue
            if byte in (0x22, 0x27):
                quote = byte
                word.blank_ok = True
                in_quote = True
                pos += 1
                continue
        if byte == 0x5C:
            if pos + 1 == count:
                in_quote = False
                pos += 1
                continue
            pos += 1
            byte = units[pos][0]
        word.data.append(byte)
        pos += 1
    return end, flags


# A flag without quotes, backslashes or non-ASCII characters, which all need the byte loop.
_SIMPLE_FLAG = re.compile("--[\x00-\x08\x0e-\x1f!#-&(-\\[\\]-\x7f]*")
_ASCII_SPACES = frozenset("\t\n\v\f\r ")


def _simple_flags(line: str, start: int, end: int) -> tuple[int, list[RawWord]] | None:
    """``extract_builder_flags`` for flags of plain ASCII characters, or None for other flags."""
    flags: list[RawWord] = []
    pos = start
    while True:
        match = _SIMPLE_FLAG.match(line, pos, end)
        if match is None:
            return pos, flags  # a word that is not a flag: the arguments start here
        after = match.end()
        if after < end and line[after] not in _ASCII_SPACES:
            return None
        if after - pos == 2:
            return after, flags  # "--" ends the flags
        flags.append((match.group(), pos, after))
        pos = after
        while pos < end and line[pos] in _ASCII_SPACES:
            pos += 1
        if pos == end:
            return end, flags


def parse_words(line: str, start: int, end: int, escape: str) -> list[RawWord]:
    """``parseWords``: whitespace-separated words, quotes and escapes kept as written."""
    region = line[start:end]
    if "'" not in region and '"' not in region and escape not in region:
        return [(m.group(), m.start(), m.end()) for m in GO_WORD.finditer(line, start, end)]
    # Words keep every character as written, unless a quote is left open or the text ends with
    # the escape character: that quote or escape comes out alone, and the loop below decides.
    words = [
        (m.group(), m.start(), m.end()) for m in _quoted_words(escape).finditer(line, start, end)
    ]
    if not any(text in ("'", '"', escape) for text, _, _ in words):
        return words
    return _scan_words(line, start, end, escape)


def _scan_words(line: str, start: int, end: int, escape: str) -> list[RawWord]:
    """``parse_words`` character by character, as BuildKit reads them."""
    words: list[RawWord] = []
    chars: list[str] = []
    word_start = start
    in_word = in_quote = blank_ok = False
    quote = ""
    pos = start
    while pos <= end:
        if not in_word and not in_quote:
            if pos == end:
                break
            if is_go_space(line[pos]):
                pos += 1
                continue
            in_word, word_start = True, pos
        if pos == end:
            if blank_ok or chars:
                words.append(("".join(chars), word_start, pos))
            break
        char = line[pos]
        if in_quote and char != quote and char != escape:
            stop = _next_of(line, pos, end, quote, escape if quote != "'" else "")
            chars.append(line[pos:stop])  # quoted characters up to the quote or an escape
            pos = stop
            continue
        if in_quote:
            if char == quote:
                in_quote, in_word = False, True
            if char == escape and quote != "'":
                if pos + 1 == end:
                    in_quote, in_word = False, True
                    pos += 1
                    continue
                chars.append(char)
                pos += 1
                char = line[pos]
            chars.append(char)
            pos += 1
            continue
        if is_go_space(char):
            if blank_ok or chars:
                words.append(("".join(chars), word_start, pos))
            chars, blank_ok, in_word = [], False, False
            pos += 1
            continue
        if char != escape and (run := _PLAIN_RUN.match(line, pos, end)) is not None:
            chars.append(run.group())  # ordinary characters up to a space, quote or escape
            pos = run.end()
            continue
        if char in "'\"":
            quote, blank_ok, in_quote, in_word = char, True, True, False
        if char == escape:
            if pos + 1 == end:
                pos += 1
                continue
            chars.append(char)
            pos += 1
            char = line[pos]
        chars.append(char)
        pos += 1
    return words


@functools.cache
def _quoted_words(escape: str) -> re.Pattern[str]:
    """Words with closed quotes and complete escapes, or a lone quote or escape character."""
    escaped = re.escape(escape)
    word = (
        f"(?:[^{GO_SPACE_CLASS}'\"{escaped}]|{escaped}."
        f"|'[^']*+'|\"(?:[^\"{escaped}]|{escaped}.)*+\")++"
    )
    return re.compile(f"{word}|['\"{escaped}]", re.DOTALL)


# Characters that are neither a Go space, a quote nor an escape character (either one).
_PLAIN_RUN = compile_later(
    "[^\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000'\"\\\\`]+"
)


def _next_of(line: str, pos: int, end: int, first: str, second: str) -> int:
    """The index of the next ``first`` or (when given) ``second`` in ``line[pos:end]``, or end."""
    found = line.find(first, pos, end)
    stop = end if found < 0 else found
    if second:
        other = line.find(second, pos, stop)
        if other >= 0:
            stop = other
    return stop


def parse_name_val(line: str, start: int, end: int, keyword: str, escape: str) -> ParsedArgs:
    """``parseNameVal`` (ENV, LABEL): ``key value`` (old form) or ``k=v k2=v2``; as pairs.

    BuildKit 0.14+ adds a third node per pair holding the separator ("=" or ""); it only feeds a
    style lint, so the model keeps (key, value) pairs, as older BuildKit did.
    """
    words = parse_words(line, start, end, escape)
    if not words:
        return ParsedArgs([])
    if "=" not in words[0][0]:
        key_end = start
        while key_end < end and line[key_end] not in TOKEN_SPACES:
            key_end += 1
        if key_end == end:
            return ParsedArgs([], error=f"{keyword} must have two arguments")
        value_start = key_end
        while line[value_start] in TOKEN_SPACES:
            value_start += 1
        name = (line[start:key_end], start, key_end)
        return ParsedArgs([name, (line[value_start:end], value_start, end)])
    values: list[RawWord] = []
    for text, word_start, word_end in words:
        if "=" not in text:
            return ParsedArgs(
                [],
                error=f"Syntax error - can't find = in {go_quote(text)}. "
                "Must be of the form: name=value",
            )
        key, value = text.split("=", 1)
        equals = word_start + len(key)
        values.append((key, word_start, equals))
        values.append((value, equals + 1, max(word_end, equals + 1)))
    return ParsedArgs(values)


def parse_name_or_name_val(line: str, start: int, end: int, escape: str) -> ParsedArgs:
    """``parseNameOrNameVal`` (ARG): the words as written."""
    return ParsedArgs(parse_words(line, start, end, escape))


def parse_strings_whitespace_delimited(line: str, start: int, end: int) -> ParsedArgs:
    """``parseStringsWhitespaceDelimited`` (FROM, EXPOSE): split on ``[\t\v\f\r ]+``."""
    if start == end:
        return ParsedArgs([])
    values = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(line, start, end)]
    # regexp.Split also yields the empty strings before a leading / after a trailing separator.
    if line[start] in TOKEN_SPACES:
        values.insert(0, ("", start, start))
    if line[end - 1] in TOKEN_SPACES:
        values.append(("", end, end))
    return ParsedArgs(values)


def parse_string(line: str, start: int, end: int) -> ParsedArgs:
    """``parseString`` (USER, WORKDIR, MAINTAINER, STOPSIGNAL): the whole text as one value."""
    if start == end:
        return ParsedArgs([])
    return ParsedArgs([(line[start:end], start, end)])


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # Go's encoding/json has no NaN/Infinity


def _string_literals(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """Offsets of the string literals of a JSON array already known to hold only strings."""
    literals: list[tuple[int, int]] = []
    pos = line.index("[", start, end) + 1
    while pos < end:
        char = line[pos]
        if char == '"':
            close = pos + 1
            while line[close] != '"':
                close += 2 if line[close] == "\\" else 1
            literals.append((pos, close + 1))
            pos = close + 1
        elif char == "]":
            break
        else:
            pos += 1
    return literals


def parse_json(line: str, start: int, end: int) -> ParsedArgs | None:
    """``parseJSON``: a JSON array of strings, or None when the text is not a JSON array."""
    start = go_trim_left(line, start, end)
    if not line.startswith("[", start, end):
        return None
    try:
        data = json.loads(line[start:end], parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, list):
        return None
    if not all(isinstance(item, str) for item in data):
        return ParsedArgs([], error=NOT_STRING_ARRAY)
    literals = _string_literals(line, start, end)
    values = [
        (_LONE_SURROGATE.sub("\ufffd", text), first, last)
        for text, (first, last) in zip(data, literals, strict=True)
    ]
    return ParsedArgs(values, json_form=True)


def parse_maybe_json(line: str, start: int, end: int) -> ParsedArgs:
    """``parseMaybeJSON`` (RUN, CMD, ENTRYPOINT, SHELL): JSON array, else the text as one value."""
    if start == end:
        return ParsedArgs([])
    parsed = parse_json(line, start, end)
    if parsed is not None:
        return parsed
    return ParsedArgs([(line[start:end], start, end)])


def parse_maybe_json_to_list(line: str, start: int, end: int) -> ParsedArgs:
    """``parseMaybeJSONToList`` (COPY, ADD, VOLUME): JSON array, else whitespace-split words."""
    parsed = parse_json(line, start, end)
    if parsed is not None:
        return parsed
    return parse_strings_whitespace_delimited(line, start, end)


def parse_health_config(line: str, start: int, end: int) -> ParsedArgs:
    """``parseHealthConfig``: the type word (CMD/NONE), then ``parseMaybeJSON`` of the rest.

    BuildKit finds the separator byte by byte; a separator hidden inside a multi-byte character
    (U+0085/U+00A0 continuation bytes) is not reproduced.
    """
    separator = start
    while separator < end and line[separator] not in " \t\n\v\f\r":
        separator += 1
    if separator == start:
        return ParsedArgs([])
    command_start = separator
    while command_start < end and line[command_start] in " \t\n\v\f\r":
        command_start += 1
    command = parse_maybe_json(line, command_start, end)
    if command.error is not None:
        return command
    kind = (line[start:separator], start, separator)
    return ParsedArgs([kind, *command.values], json_form=command.json_form)
