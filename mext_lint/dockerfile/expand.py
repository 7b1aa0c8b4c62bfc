"""Variable expansion and quote removal with BuildKit's shell-lexer semantics.

A port of BuildKit's ``frontend/dockerfile/shell/lex.go`` (``ProcessWord`` / ``ProcessWords``)
extended with *unknown* values: an ``env`` value of ``None`` stands for a variable that is declared
(an ARG without default and no build arg) but whose value the linter cannot know. Any result that
depends on such a value is ``None``; results that do not (``${V+x}``, ``${V:-d}`` when V is known
to be non-empty, a pattern that does not match, ...) are still computed.

Malformed input (``${`` unterminated, ``${}``, an unsupported modifier, an unmatched quote, an
invalid pattern escape) and ``${V?msg}`` / ``${V:?msg}`` failures raise :class:`ExpansionError`,
just as BuildKit fails the build there. No other exception escapes for any string input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# name -> value; None means "declared, value unknown" (an ARG with no default and no build arg).
Env = Mapping[str, "str | None"]

# Deeper ${a:-${b:-...}} nesting than this is rejected instead of exhausting the Python stack.
MAX_NESTING = 64

_SPECIAL_PARAMETERS = frozenset("@*#?-$!0")
_REGEX_SPECIALS = frozenset("[]{}.+()|^$")
# Go's unicode.IsSpace for Latin-1 (Python's str.isspace also counts \x1c-\x1f).
_LATIN1_SPACES = frozenset("\t\n\v\f\r \x85\xa0")


class ExpansionError(ValueError):
    """BuildKit would fail on this word; ``reason`` says why, ``word`` is the input."""

    def __init__(self, reason: str, word: str) -> None:
        super().__init__(f"cannot expand {word!r}: {reason}")
        self.reason = reason
        self.word = word


def expand(word: str, env: Env, *, escape: str = "\\") -> str | None:
    """Expand ``word`` as BuildKit's ProcessWord does; None when it depends on an unknown value.

    Raises ExpansionError where BuildKit reports an error (malformed syntax, ``${V?msg}`` on an
    unset variable, ...). ``escape`` is the Dockerfile's escape character (backslash or backtick);
    a string of another length is a programming error (ValueError).
    """
    return _Lexer(word, env, escape).expand()


def expand_words(text: str, env: Env, *, escape: str = "\\") -> list[str] | None:
    """Expand and split into words as BuildKit's ProcessWords does; None when unknown.

    Whitespace produced by an unquoted ``$`` expansion or present unquoted in ``text`` separates
    words; quoted and escaped whitespace does not. Raises ExpansionError like :func:`expand`.
    """
    return _Lexer(text, env, escape).expand_words()


_RUNS: dict[str, re.Pattern[str]] = {}


def _run_pattern(stop: str) -> re.Pattern[str]:
    """Runs of ordinary characters, which the lexer would otherwise take one at a time: neither
    whitespace nor ``$``, a quote, an escape character or ``stop`` (cached per ``stop``)."""
    specials = re.escape("$'\"\\`" + stop)
    pattern = _RUNS[stop] = re.compile(rf"[^{specials}\s\x85\xa0]+")
    return pattern


_QUOTED_RUNS: dict[str, re.Pattern[str]] = {}


def _quoted_run_pattern(escape: str) -> re.Pattern[str]:
    """Runs inside double quotes of characters other than ``"``, ``$`` and ``escape``."""
    pattern = _QUOTED_RUNS[escape] = re.compile(r'[^"$' + re.escape(escape) + "]+")
    return pattern


def _is_space(ch: str) -> bool:
    return ch in _LATIN1_SPACES if ch <= "\xff" else ch.isspace()


def _is_name_char(ch: str) -> bool:
    return ch.isalpha() or ch.isdecimal() or ch == "_"


class _Words:
    """BuildKit's wordsStruct: splits on unquoted whitespace; None once anything is unknown."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.current: list[str] = []
        self.current_length = 0
        self.in_word = False
        self.known = True

    def add_char(self, ch: str) -> None:
        if not _is_space(ch):
            self.add_raw_char(ch)
        elif self.in_word and self.current_length:
            self.words.append("".join(self.current))
            self.current = []
            self.current_length = 0
            self.in_word = False

    def add_raw_char(self, ch: str) -> None:
        self.current.append(ch)
        self.current_length += 1
        self.in_word = True

    def add_plain(self, text: str) -> None:
        """``add_char`` for each character of ``text``, which holds no whitespace."""
        self.current.append(text)
        self.current_length += len(text)
        self.in_word = True

    def add_expansion(self, value: str | None) -> None:
        if value is None:
            self.known = False
            return
        for ch in value:
            self.add_char(ch)

    def add_quoted(self, value: str | None) -> None:
        if value is None:
            self.known = False
            return
        self.current.append(value)
        self.current_length += len(value)
        self.in_word = True

    def result(self) -> list[str] | None:
        if not self.known:
            return None
        if self.current_length:
            self.words.append("".join(self.current))
        return self.words


class _Lexer:
    def __init__(self, text: str, env: Env, escape: str) -> None:
        if len(escape) != 1:
            raise ValueError(f"the escape character must be one character, got {escape!r}")
        self.text = text
        self.env = env
        self.escape = escape
        self.pos = 0
        self.depth = 0

    # -- scanning -------------------------------------------------------------------------------

    def peek(self) -> str:
        """The next character, or "" at the end."""
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        if ch:
            self.pos += 1
        return ch

    def error(self, reason: str) -> ExpansionError:
        return ExpansionError(reason, self.text)

    # -- entry points ---------------------------------------------------------------------------

    def expand(self) -> str | None:
        return self.process_until("", raw_escapes=False, words=None)

    def expand_words(self) -> list[str] | None:
        words = _Words()
        self.process_until("", raw_escapes=False, words=words)
        return words.result()

    # -- BuildKit's processStopOn ---------------------------------------------------------------

    def process_until(self, stop: str, *, raw_escapes: bool, words: _Words | None) -> str | None:
        """Process up to ``stop`` (consumed) or the end when ``stop`` is ""."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"substitutions nested deeper than {MAX_NESTING} levels")
        out: list[str] = []
        known = True
        plain: re.Pattern[str] | None = None
        while (ch := self.peek()) != "":
            if stop and ch == stop:
                self.pos += 1
                self.depth -= 1
                return "".join(out) if known else None
            if ch == "$":
                value = self.dollar()
                if words is not None:
                    words.add_expansion(value)
            elif ch == "'":
                value = self.single_quoted()
                if words is not None:
                    words.add_quoted(value)
            elif ch == '"':
                value = self.double_quoted(raw_escapes=raw_escapes)
                if words is not None:
                    words.add_quoted(value)
            elif ch != self.escape and not _is_space(ch):
                if plain is None:
                    plain = _RUNS.get(stop) or _run_pattern(stop)
                run = plain.match(self.text, self.pos)
                value = run.group() if run else self.next()  # ordinary characters, together
                self.pos = run.end() if run else self.pos
                if words is not None:
                    words.add_plain(value)
            else:
                value = self.plain_char(raw_escapes=raw_escapes, words=words)
                if value == "":
                    break  # an escape character at the very end is dropped
            if value is None:
                known = False
            else:
                out.append(value)
        if stop:
            raise self.error(self.missing_stop_reason(stop))
        self.depth -= 1
        return "".join(out) if known else None

    @staticmethod
    def missing_stop_reason(stop: str) -> str:
        if stop == "}":
            return "missing '}'"
        return f"missing {stop!r} in ${{...}}"

    def plain_char(self, *, raw_escapes: bool, words: _Words | None) -> str:
        """One literal character, or an escape and the character it escapes."""
        ch = self.next()
        if ch != self.escape:
            if words is not None:
                words.add_char(ch)
            return ch
        prefix = ch if raw_escapes else ""
        if words is not None and raw_escapes:
            words.add_raw_char(ch)
        escaped = self.next()
        if escaped and words is not None:
            words.add_raw_char(escaped)
        return prefix + escaped

    def single_quoted(self) -> str:
        self.pos += 1
        end = self.text.find("'", self.pos)
        if end < 0:
            raise self.error("unexpected end of statement while looking for matching single-quote")
        value = self.text[self.pos : end]
        self.pos = end + 1
        return value

    def double_quoted(self, *, raw_escapes: bool) -> str | None:
        self.pos += 1
        out: list[str] = []
        known = True
        quoted = _QUOTED_RUNS.get(self.escape) or _quoted_run_pattern(self.escape)
        while True:
            ch = self.peek()
            if ch == "":
                raise self.error(
                    "unexpected end of statement while looking for matching double-quote"
                )
            if ch != '"' and ch != "$" and ch != self.escape:
                run = quoted.match(self.text, self.pos)  # ordinary characters, together
                assert run is not None
                out.append(run.group())
                self.pos = run.end()
                continue
            if ch == '"':
                self.pos += 1
                return "".join(out) if known else None
            if ch == "$":
                value = self.dollar()
                if value is None:
                    known = False
                else:
                    out.append(value)
                continue
            self.pos += 1
            if ch == self.escape:
                if raw_escapes:
                    out.append(ch)
                following = self.peek()
                if following == "":
                    continue  # dropped; the loop then reports the missing quote
                # Only ", $ and the escape character itself can be escaped; others stay as is.
                if following in ('"', "$", self.escape):
                    ch = self.next()
            out.append(ch)

    # -- BuildKit's processDollar ---------------------------------------------------------------

    def read_name(self) -> str:
        start = self.pos
        first = self.peek()
        if first == "":
            return ""
        if first.isdecimal():
            while self.peek() != "" and self.peek().isdecimal():
                self.pos += 1
            return self.text[start : self.pos]
        if first in _SPECIAL_PARAMETERS:
            self.pos += 1
            return first
        text, end = self.text, start
        while end < len(text) and _is_name_char(text[end]):
            end += 1
        self.pos = end
        return text[start:end]

    def lookup(self, name: str) -> tuple[bool, str | None]:
        """(is set, value); an unset variable expands to ""."""
        if name in self.env:
            return True, self.env[name]
        return False, ""

    def dollar(self) -> str | None:
        self.pos += 1
        if self.peek() != "{":
            name = self.read_name()
            if not name:
                return "$"
            return self.lookup(name)[1]
        self.pos += 1
        first = self.peek()
        if first == "":
            raise self.error("missing '}'")
        if first in "{}:":
            raise self.error("bad substitution")
        name = self.read_name()
        modifier = self.next()
        if modifier == "}":
            return self.lookup(name)[1]
        if modifier == "/":
            return self.substitute(name)
        null_is_unset = modifier == ":"
        if null_is_unset:
            modifier = self.next()
        if modifier == "":
            raise self.error("missing '}'")
        if modifier not in "+-?#%":
            shown = (":" if null_is_unset else "") + modifier
            raise self.error(f"unsupported modifier ({shown}) in substitution")
        word = self.process_until("}", raw_escapes=modifier in "#%", words=None)
        if modifier in "#%":
            return self.trim(name, modifier, word)
        return self.test(name, modifier, word, null_is_unset=null_is_unset)

    def test(
        self, name: str, modifier: str, word: str | None, *, null_is_unset: bool
    ) -> str | None:
        """${V-d} ${V:-d} ${V+x} ${V:+x} ${V?m} ${V:?m}."""
        is_set, value = self.lookup(name)
        # None: whether the value counts as "null" depends on what we do not know.
        is_null: bool | None = (not is_set) or (
            null_is_unset and (None if value is None else value == "")
        )
        if modifier == "-":
            if is_null is None:
                return None
            return word if is_null else value
        if modifier == "+":
            if is_null is None:
                return "" if word == "" else None
            return "" if is_null else word
        if is_null is None:
            return None
        if is_null:
            raise self.error(f"{name}: {self.required_message(word, is_set=is_set)}")
        return value

    @staticmethod
    def required_message(word: str | None, *, is_set: bool) -> str:
        if word:
            return word
        return "is not allowed to be empty" if is_set else "is not allowed to be unset"

    def trim(self, name: str, modifier: str, word: str | None) -> str | None:
        """${V#p} ${V##p} ${V%p} ${V%%p}: shortest (or longest, when doubled) prefix/suffix."""
        value = self.lookup(name)[1]
        if word is None:
            return "" if value == "" else None
        greedy = word.startswith(modifier)
        pattern = word[1:] if greedy else word
        shown = pattern
        if modifier == "%":
            # Regexes cannot find the shortest rightmost match: search the reversed value.
            pattern, value = _reverse_pattern(pattern), _reverse(value)
        regex = self.compile(pattern, shown, greedy=greedy, anchored=True)
        if value is None:
            return None
        match = regex.match(value)
        trimmed = value[match.end() :] if match else value
        return _reverse(trimmed) if modifier == "%" else trimmed

    def substitute(self, name: str) -> str | None:
        """${V/p/r} (first match) and ${V//p/r} (all matches)."""
        replace_all = self.peek() == "/"
        if replace_all:
            self.pos += 1
        pattern = self.process_until("/", raw_escapes=True, words=None)
        replacement = self.process_until("}", raw_escapes=True, words=None)
        value = self.lookup(name)[1]
        if pattern is None:
            return None
        regex = self.compile(pattern, pattern, greedy=True, anchored=False)
        if value is None:
            return None
        if replacement is None:
            return value if regex.search(value) is None else None
        if replace_all:
            return _go_replace_all(regex, value, replacement)
        match = regex.search(value)
        if match is None:
            return value
        return value[: match.start()] + replacement + value[match.end() :]

    def compile(self, pattern: str, shown: str, *, greedy: bool, anchored: bool) -> re.Pattern[str]:
        try:
            return _shell_pattern_to_regex(pattern, greedy=greedy, anchored=anchored)
        except (ValueError, re.error) as exc:
            raise self.error(f"invalid pattern ({shown}) in substitution: {exc}") from None


def _reverse(value: str | None) -> str | None:
    return None if value is None else value[::-1]


def _shell_pattern_to_regex(pattern: str, *, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """``*`` any string, ``?`` one character, backslash escapes ``*``, ``?`` and itself.

    A backslash before ``}`` or ``/`` only protected it from ending the ${...}: it is dropped.
    Bracket expressions are not supported (BuildKit matches ``[`` literally).
    """
    out = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        i += 1
        if ch == "*":
            out.append(star)
        elif ch == "?":
            out.append(".")
        elif ch == "\\":
            following = pattern[i : i + 1]
            if following in ("}", "/"):
                continue
            if following not in ("*", "?", "\\"):
                raise ValueError(f"invalid escape '\\{following}'")
            out.append("\\" + following)
            i += 1
        elif ch in _REGEX_SPECIALS:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return re.compile("".join(out))


def _reverse_pattern(pattern: str) -> str:
    """Reverse a pattern but keep each escape before the character it escapes (a\\*c -> c\\*a)."""
    pieces: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i != len(pattern) - 1:
            pieces.append(pattern[i : i + 2])
            i += 2
        else:
            pieces.append(pattern[i])
            i += 1
    return "".join(reversed(pieces))


def _go_replace_all(regex: re.Pattern[str], value: str, template: str) -> str:
    """Go's Regexp.ReplaceAllString: its rules for empty matches and ``$`` in the template."""
    out: list[str] = []
    search_from = 0
    last_end = 0
    while search_from <= len(value):
        match = regex.search(value, search_from)
        if match is None:
            break
        start, end = match.span()
        out.append(value[last_end:start])
        # An empty match right after the previous match is not a new match in Go.
        if end > last_end or start == 0:
            out.append(_go_expand_template(template, match.group(0)))
        last_end = end
        search_from = max(end, search_from + 1)
    out.append(value[last_end:])
    return "".join(out)


_TEMPLATE_REFERENCE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _go_expand_template(template: str, whole_match: str) -> str:
    """Go's Regexp.Expand for a regex without groups: ``$0`` is the match, other names are ""."""
    if "$" not in template:
        return template
    out: list[str] = []
    i = 0
    while (dollar := template.find("$", i)) >= 0:
        out.append(template[i:dollar])
        if template.startswith("$$", dollar):
            out.append("$")
            i = dollar + 2
            continue
        reference = _TEMPLATE_REFERENCE.match(template, dollar)
        if reference is None:
            out.append("$")  # Go keeps a malformed reference's "$" as text
            i = dollar + 1
            continue
        name = reference.group(1) or reference.group(2)
        out.append(whole_match if name == "0" else "")
        i = reference.end()
    out.append(template[i:])
    return "".join(out)
