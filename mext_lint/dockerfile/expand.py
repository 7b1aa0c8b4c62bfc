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

import functools
import re
from collections.abc import Mapping

from mext_lint.dockerfile.logical_line import GO_SPACE_CLASS, GO_WORD, is_go_space
from mext_lint.lazy_re import compile_later

# name -> value; None means "declared, value unknown" (an ARG with no default and no build arg).
Env = Mapping[str, "str | None"]

# Deeper ${a:-${b:-...}} nesting than this is rejected instead of exhausting the Python stack.
MAX_NESTING = 64

_SPECIAL_PARAMETERS = frozenset("@*#?-$!0")
_REGEX_SPECIALS = frozenset("[]{}.+()|^$")
_SPACES = compile_later(f"[{GO_SPACE_CLASS}]+")


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
    # Called for every word of every COPY, ADD, ENV... per platform: the checks are inline.
    if len(escape) != 1:
        raise _bad_escape(escape)
    if "$" not in word and "'" not in word and '"' not in word and escape not in word:
        return word  # nothing to expand or unquote
    return _Lexer(word, env, escape).expand()


def expand_words(text: str, env: Env, *, escape: str = "\\") -> list[str] | None:
    """Expand and split into words as BuildKit's ProcessWords does; None when unknown.

    Whitespace produced by an unquoted ``$`` expansion or present unquoted in ``text`` separates
    words; quoted and escaped whitespace does not. Raises ExpansionError like :func:`expand`.
    """
    if len(escape) != 1:
        raise _bad_escape(escape)
    if "$" not in text and "'" not in text and '"' not in text and escape not in text:
        return GO_WORD.findall(text)  # only whitespace to split on
    return _Lexer(text, env, escape).expand_words()


def _bad_escape(escape: str) -> ValueError:
    return ValueError(f"the escape character must be one character, got {escape!r}")


@functools.cache
def _tokens(stop: str, escape: str) -> re.Pattern[str]:
    """The tokens ``process_until`` reads whole: ordinary characters, whitespace, a quoted string
    with nothing to expand or unescape, an escaped character, a simple variable reference (see
    :func:`_references`). Anything else (other ``$`` forms and quoted strings, the stop
    character, an escape character at the end) is an ``other`` character, handled on its own."""
    specials = re.escape("$'\"" + escape + stop)
    escaped = re.escape(escape)
    return re.compile(
        f"(?P<plain>[^{specials}{GO_SPACE_CLASS}]+)"
        f"|(?P<space>[{GO_SPACE_CLASS}]+)"
        "|'(?P<single>[^']*)'"
        f'|"(?P<double>[^"${escaped}]*)"'
        f"|{escaped}(?P<escaped>.)"
        f"|{_references(escape)}"
        "|(?P<other>.)",
        re.DOTALL,
    )


@functools.cache
def _quoted_tokens(escape: str) -> re.Pattern[str]:
    """The tokens ``double_quoted`` reads whole: characters other than ``"``, ``$`` and
    ``escape``, one of those three escaped, a simple variable reference."""
    escaped = re.escape(escape)
    return re.compile(
        f'(?P<plain>[^"${escaped}]+)|{escaped}(?P<escaped>["${escaped}])|{_references(escape)}'
    )


def _references(escape: str) -> str:
    """``$NAME``, ``${NAME}`` and ``${NAME<modifier>WORD}`` with a WORD of ordinary characters and
    an ASCII NAME (a name that goes on with a non-ASCII letter is left to ``read_name``)."""
    name = "[A-Za-z_][A-Za-z0-9_]*"
    word = f"[^$'\"{re.escape(escape)}}}]*"
    return (
        rf"\$(?P<name>{name})(?!\w)"
        rf"|\$\{{(?P<braced>{name})\}}"
        rf"|(?P<modified>\$\{{(?P<modified_name>{name})"
        rf"(?P<modifier>:?[-+?]|[#%])(?P<word>{word})\}})"
    )


def _is_name_char(ch: str) -> bool:
    return ch.isalpha() or ch.isdecimal() or ch == "_"


def _end_word(out: list[str], words: list[str]) -> None:
    """Unquoted whitespace: the word being read in ``out``, if it has any text, ends."""
    word = "".join(out)
    if word:
        words.append(word)
    out.clear()


def _add_expansion(value: str, out: list[str], words: list[str]) -> None:
    """An unquoted expansion's whitespace separates words, as written whitespace does."""
    # Every Go space but " " is unprintable for Python: most values need no regex.
    if " " not in value and value.isprintable():
        out.append(value)
        return
    first, *rest = _SPACES.split(value)
    out.append(first)
    for piece in rest:
        _end_word(out, words)
        out.append(piece)


class _Lexer:
    def __init__(self, text: str, env: Env, escape: str) -> None:
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
        """BuildKit's wordsStruct: unquoted whitespace, written or expanded, separates words."""
        words: list[str] = []
        last = self.process_until("", raw_escapes=False, words=words)
        if last is None:
            return None
        if last:
            words.append(last)
        return words

    # -- BuildKit's processStopOn ---------------------------------------------------------------

    def process_until(self, stop: str, *, raw_escapes: bool, words: list[str] | None) -> str | None:
        """Process up to ``stop`` (consumed) or the end when ``stop`` is "".

        With ``words``, unquoted whitespace ends a word: the words so far go there and only the
        last one's text is returned.
        """
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.too_deep()
        text = self.text
        tokens = _tokens(stop, self.escape)
        out: list[str] = []
        known = True
        value: str | None
        while True:
            for token in tokens.finditer(text, self.pos):
                kind = token.lastgroup
                assert kind is not None
                if kind == "other":
                    self.pos = token.start()
                    break
                if kind == "space" and words is not None:
                    _end_word(out, words)
                    continue
                if kind == "name" or kind == "braced" or kind == "modified":
                    value = self.reference(token, kind)
                    if value is None:
                        known = False
                    elif words is not None:
                        _add_expansion(value, out, words)
                    else:
                        out.append(value)
                    continue
                if kind == "escaped" and raw_escapes:
                    out.append(self.escape + token[kind])
                else:
                    out.append(token[kind])
            else:
                self.pos = len(text)
                break
            ch = text[self.pos]
            if ch == stop:
                self.pos += 1
                self.depth -= 1
                return "".join(out) if known else None
            expansion = ch == "$"
            if expansion:
                value = self.dollar()
            elif ch == "'":
                value = self.single_quoted()
            elif ch == '"':
                value = self.double_quoted(raw_escapes=raw_escapes)
            else:
                self.pos += 1
                if ch == self.escape:
                    escaped = self.next()
                    if not escaped and not raw_escapes:
                        break  # an escape character at the very end is dropped
                    value = (ch if raw_escapes else "") + escaped
                elif words is not None and is_go_space(ch):
                    _end_word(out, words)
                    continue
                else:
                    value = ch
            if value is None:
                known = False
            elif expansion and words is not None:
                _add_expansion(value, out, words)
            else:
                out.append(value)
        if stop:
            raise self.error(self.missing_stop_reason(stop))
        self.depth -= 1
        return "".join(out) if known else None

    def too_deep(self) -> ExpansionError:
        return self.error(f"substitutions nested deeper than {MAX_NESTING} levels")

    @staticmethod
    def missing_stop_reason(stop: str) -> str:
        if stop == "}":
            return "missing '}'"
        return f"missing {stop!r} in ${{...}}"

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
        text = self.text
        tokens = _quoted_tokens(self.escape)
        out: list[str] = []
        known = True
        value: str | None
        while True:
            token = tokens.match(text, self.pos)
            if token is not None:
                self.pos = token.end()
                kind = token.lastgroup
                assert kind is not None
                if kind == "plain":
                    value = token[kind]
                elif kind == "escaped":
                    value = self.escape + token[kind] if raw_escapes else token[kind]
                else:
                    value = self.reference(token, kind)
            else:
                ch = self.peek()
                if ch == "":
                    raise self.error(
                        "unexpected end of statement while looking for matching double-quote"
                    )
                if ch == '"':
                    self.pos += 1
                    return "".join(out) if known else None
                if ch == "$":
                    value = self.dollar()
                else:
                    self.pos += 1
                    if ch == self.escape:
                        if raw_escapes:
                            out.append(ch)
                        following = self.peek()
                        if following == "":
                            continue  # dropped; the loop then reports the missing quote
                        # Only ", $ and the escape character itself can be escaped.
                        if following in ('"', "$", self.escape):
                            ch = self.next()
                    value = ch
            if value is None:
                known = False
            else:
                out.append(value)

    # -- BuildKit's processDollar ---------------------------------------------------------------

    def reference(self, token: re.Match[str], kind: str) -> str | None:
        """A reference :func:`_references` matched (``kind`` is its group), as :meth:`dollar`
        would expand it."""
        if kind != "modified":
            return self.lookup(token[kind])[1]
        name, modifier, word = token.group("modified_name", "modifier", "word")
        if self.depth == MAX_NESTING:  # the modifier's word would be one level deeper
            raise self.too_deep()
        if modifier in ("#", "%"):
            return self.trim(name, modifier, word)
        return self.test(name, modifier[-1], word, null_is_unset=modifier[0] == ":")

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


_TEMPLATE_REFERENCE = compile_later(r"\$(?:\{(\w+)\}|(\w+))")


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
