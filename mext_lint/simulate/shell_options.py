"""GNU-style option parsing for simulated commands: clusters (``-fSsLo FILE``), ``--long=value``."""

from collections.abc import Collection
from typing import NamedTuple

from mext_lint.simulate.shell_values import Value, Word, escape_glob


class Options(NamedTuple):
    # ("o", value) for short options, ("--output", value) for long ones; value None for flags
    flags: list[tuple[str, Word | None]]
    operands: list[Word]

    def has(self, *names: str) -> bool:
        return any(name in names for name, _ in self.flags)

    def last(self, *names: str) -> Word | None:
        found = None
        for name, value in self.flags:
            if name in names:
                found = value
        return found

    def all(self, *names: str) -> list[Word]:
        return [value for name, value in self.flags if name in names and value is not None]


def parse_options(
    args: list[Word],
    *,
    short_values: str = "",
    long_values: Collection[str] = (),
    permute: bool = True,
) -> Options:
    """Split ``args`` into options and operands.

    ``short_values`` lists the short options that take a value, ``long_values`` the long ones
    (with their dashes). Without ``permute`` the first operand ends the options (POSIX).
    """
    flags: list[tuple[str, Word | None]] = []
    operands: list[Word] = []
    index = 0
    only_operands = False
    while index < len(args):
        word = args[index]
        index += 1
        known = word.value.text
        text = known if known is not None else word.value.prefix
        if (
            only_operands
            or not text.startswith("-")
            or text == "-"
            or (known is None and (not text.startswith("--") or "=" not in text))
        ):
            operands.append(word)
            if not permute:
                only_operands = True
            continue
        if text == "--":
            only_operands = True
            continue
        if text.startswith("--"):
            name, has_value, _ = text.partition("=")
            if has_value:
                flags.append((name, tail_word(word, len(name) + 1)))
            elif name in long_values and index < len(args):
                flags.append((name, args[index]))
                index += 1
            else:
                flags.append((name, None))
            continue
        for position in range(1, len(text)):
            letter = text[position]
            if letter not in short_values:
                flags.append((letter, None))
                continue
            if position + 1 < len(text):
                flags.append((letter, tail_word(word, position + 1)))
            elif index < len(args):
                flags.append((letter, args[index]))
                index += 1
            else:
                flags.append((letter, None))
            break
    return Options(flags, operands)


def tail_word(word: Word, start: int) -> Word:
    """The part of ``word`` after its first ``start`` characters (an attached option value)."""
    value = word.value
    if value.text is not None:
        text = value.text[start:]
        return word._replace(value=value._replace(text=text), glob=escape_glob(text))
    prefix = value.prefix[start:]
    return word._replace(value=Value(None, prefix, value.suffix, value.arch, value.platform))
