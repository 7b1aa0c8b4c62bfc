"""``test``, ``[ ]`` and ``[[ ]]`` evaluated on expanded words, with three-valued logic.

A test is decided only when every value it reads is known; file tests (``-f``, ``-d``...) are
never decided, because the image may hold files the simulation does not know about.
"""

import re
from typing import NamedTuple

from mext_lint.simulate.shell_context import Condition
from mext_lint.simulate.shell_values import Word, glob_match, mentions_arch


class Decision(NamedTuple):
    value: bool | None
    condition: Condition
    platform: bool  # reads a platform variable or compares with a CPU name


_STRING_UNARY = {"-z", "-n"}
_FILE_UNARY = {"-" + letter for letter in "abcdefghkprstuwxGLNOSRv"}
_BINARY = {"=", "==", "!=", "<", ">", "=~", "-eq", "-ne", "-lt", "-le", "-gt", "-ge"}
_FILE_BINARY = {"-nt", "-ot", "-ef"}
_AND = {"-a", "&&"}
_OR = {"-o", "||"}


def evaluate_test(tokens: list[Word], *, extended: bool) -> Decision:
    """Evaluate the arguments of ``test``/``[`` (or the inside of ``[[ ]]`` when extended)."""
    if not tokens:
        return Decision(False, Condition("`[ ]`", "not `[ ]`"), False)
    parser = _Parser(tokens, extended)
    try:
        decision = parser.or_expression()
    except IndexError:
        return _undecided(tokens)
    if parser.index != len(tokens):
        return _undecided(tokens)
    return decision


def _undecided(tokens: list[Word]) -> Decision:
    text = " ".join(_show(t) for t in tokens)
    platform = any(t.value.platform or mentions_arch(t.text) for t in tokens)
    return Decision(None, Condition(f"`{text}` holds", f"`{text}` fails"), platform)


def _show(word: Word) -> str:
    if word.variable is not None:
        return f"${word.variable}"
    return word.text if word.text is not None else "…"


class _Parser:
    def __init__(self, tokens: list[Word], extended: bool) -> None:
        self.tokens = tokens
        self.extended = extended
        self.index = 0

    def _peek(self, ahead: int = 0) -> str | None:
        position = self.index + ahead
        return self.tokens[position].text if position < len(self.tokens) else None

    def _take(self) -> Word:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def or_expression(self) -> Decision:
        left = self.and_expression()
        while self._peek() in _OR:
            self.index += 1
            right = self.and_expression()
            left = Decision(
                _or(left.value, right.value),
                left.condition.either(right.condition),
                left.platform or right.platform,
            )
        return left

    def and_expression(self) -> Decision:
        left = self.not_expression()
        while self._peek() in _AND:
            self.index += 1
            right = self.not_expression()
            left = Decision(
                _and(left.value, right.value),
                left.condition.both(right.condition),
                left.platform or right.platform,
            )
        return left

    def not_expression(self) -> Decision:
        remaining = len(self.tokens) - self.index
        if self._peek() == "!" and remaining > 1:
            self.index += 1
            inner = self.not_expression()
            value = None if inner.value is None else not inner.value
            return Decision(value, inner.condition.negated(), inner.platform)
        return self.primary()

    def primary(self) -> Decision:
        remaining = len(self.tokens) - self.index
        head = self._peek()
        if head == "(" and remaining > 2:
            self.index += 1
            inner = self.or_expression()
            if self._peek() == ")":
                self.index += 1
            return inner
        if remaining >= 3 and self._peek(1) in _BINARY | _FILE_BINARY:
            return self._binary(self._take(), self._take().text or "", self._take())
        if remaining >= 2 and head in _STRING_UNARY | _FILE_UNARY:
            return self._unary(self._take().text or "", self._take())
        return self._string(self._take())

    def _string(self, word: Word) -> Decision:
        value = None if word.text is None else word.text != ""
        return Decision(value, _describe_unary("-n", word), _platform(word))

    def _unary(self, operator: str, word: Word) -> Decision:
        if operator in _STRING_UNARY:
            value = None if word.text is None else (word.text == "") == (operator == "-z")
            return Decision(value, _describe_unary(operator, word), _platform(word))
        text = f"{operator} {_show(word)}"
        return Decision(None, Condition(f"`{text}` holds", f"`{text}` fails"), _platform(word))

    def _binary(self, left: Word, operator: str, right: Word) -> Decision:
        platform = _platform(left) or _platform(right)
        condition = _describe_binary(left, operator, right)
        if operator in _FILE_BINARY or left.text is None:
            return Decision(None, condition, platform)
        if operator in ("=", "==", "!="):
            if self.extended and right.has_glob and right.glob is not None:
                equal: bool | None = glob_match(right.glob, left.text)
            else:
                equal = None if right.text is None else left.text == right.text
            if equal is None:
                return Decision(None, condition, platform)
            return Decision(equal == (operator != "!="), condition, platform)
        if right.text is None:
            return Decision(None, condition, platform)
        return Decision(_compare(left.text, operator, right.text), condition, platform)


def _compare(left: str, operator: str, right: str) -> bool | None:
    if operator == "<":
        return left < right
    if operator == ">":
        return left > right
    if operator == "=~":
        try:
            return re.search(right, left) is not None
        except re.error:
            return None
    try:
        a, b = int(left.strip()), int(right.strip())
    except ValueError:
        return None
    return {
        "-eq": a == b,
        "-ne": a != b,
        "-lt": a < b,
        "-le": a <= b,
        "-gt": a > b,
        "-ge": a >= b,
    }[operator]


def _platform(word: Word) -> bool:
    return word.value.platform or mentions_arch(word.text)


def _describe_unary(operator: str, word: Word) -> Condition:
    name = word.variable or _show(word)
    if operator == "-z":
        return Condition(f"{name} is empty", f"{name} is not empty")
    return Condition(f"{name} is not empty", f"{name} is empty")


def _describe_binary(left: Word, operator: str, right: Word) -> Condition:
    if operator in ("=", "==", "!=") and (left.variable or right.variable):
        name, other = (left, right) if left.variable else (right, left)
        shown = f"{name.variable}={_show(other)}"
        negated = f"{name.variable}!={_show(other)}"
        return Condition(negated, shown) if operator == "!=" else Condition(shown, negated)
    text = f"{_show(left)} {operator} {_show(right)}"
    return Condition(f"`{text}` holds", f"`{text}` fails")


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False
