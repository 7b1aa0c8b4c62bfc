"""The checks BuildKit's instruction parser makes (``instructions/parse.go`` and ``bflag.go``).

The line parser accepts any flags and any number of words; ``instructions.Parse`` then rejects
unknown or malformed flags, missing arguments, bad stage names and the like, and the build fails.
:func:`instruction_error` returns the first such message for one instruction, worded like BuildKit
(lower-case flag errors with the ``--`` prefix, as since BuildKit 0.17).
"""

import re
from collections.abc import Mapping, Sequence
from enum import Enum

from mext_lint.dockerfile.heredoc_words import parse_heredoc_word
from mext_lint.dockerfile.line_parsers import go_quote
from mext_lint.lazy_re import compile_later


class FlagType(Enum):
    BOOL = "bool"
    STRING = "string"
    STRINGS = "strings"  # repeatable


_B, _S, _M = FlagType.BOOL, FlagType.STRING, FlagType.STRINGS
_HEALTHCHECK_FLAGS = {
    name: _S for name in ("interval", "timeout", "start-period", "start-interval", "retries")
}
# Flags each instruction declares before calling BFlags.Parse. `--exclude`, `--parents` (COPY),
# `--security` and `--device` (RUN) need the labs syntax on older frontends; they are accepted
# here so that a file valid under some frontend is never reported as broken.
FLAGS: Mapping[str, Mapping[str, FlagType]] = {
    "ADD": {
        "chown": _S,
        "chmod": _S,
        "link": _B,
        "keep-git-dir": _B,
        "checksum": _S,
        "unpack": _B,
        "exclude": _M,
    },
    "COPY": {"chown": _S, "chmod": _S, "from": _S, "link": _B, "parents": _B, "exclude": _M},
    "FROM": {"platform": _S},
    "RUN": {"mount": _M, "network": _S, "security": _S, "device": _M},
    "HEALTHCHECK": _HEALTHCHECK_FLAGS,
}
INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    }
)  # fmt: skip
_STAGE_NAME = re.compile(r"[a-z][a-z0-9\-_.]*")
_DURATION_PART = compile_later(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")
_DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_MILLISECOND = 1_000_000
_INT32 = range(-(2**31), 2**31)


def suggestion(value: str, options: Sequence[str]) -> str | None:
    """BuildKit's ``suggest.WrapError`` (case-insensitive): the first option less than 3 edits
    away (nearest first), in the case ``value`` was written in; None on an exact match."""
    wanted = value.lower()
    match: str | None = None
    nearest = 3
    for option in options:
        lowered = option.lower()
        if lowered == wanted:
            return None
        distance = _edit_distance(wanted, lowered)
        if distance < nearest:
            match, nearest = lowered, distance
    if match is None or value == value.lower():
        return match
    return match.upper() if value == value.upper() else match


def _edit_distance(left: str, right: str) -> int:
    if abs(len(left) - len(right)) > 2 or max(len(left), len(right)) > 64:
        return 3  # farther than any suggestion we would make; keeps this cheap
    previous = list(range(len(right) + 1))
    for row, left_char in enumerate(left, 1):
        current = [row]
        for column, right_char in enumerate(right, 1):
            cost = 0 if left_char == right_char else 1
            current.append(min(previous[column] + 1, current[-1] + 1, previous[column - 1] + cost))
        previous = current
    return previous[-1]


class Rejection:
    """Why BuildKit rejects an instruction, and which of its flags is at fault (if one is)."""

    __slots__ = ("flag", "message")

    def __init__(self, message: str, flag: int | None = None) -> None:
        self.message = message
        self.flag = flag  # index in the instruction's flags


def flags_error(raw_flags: Sequence[str], declared: Mapping[str, FlagType]) -> Rejection | None:
    """``BFlags.Parse``: unknown, duplicated or ill-valued flags (the first one, as BuildKit)."""
    used: set[str] = set()
    for index, raw in enumerate(raw_flags):
        if raw == "--":
            return None
        message = _flag_message(raw, declared, used)
        if message is not None:
            return Rejection(message, index)
    return None


def _flag_message(raw: str, declared: Mapping[str, FlagType], used: set[str]) -> str | None:
    if not raw.startswith("--"):
        return f"arg should start with -- : {raw}"
    flag_name, has_value, value = raw.partition("=")
    name = flag_name[2:]
    kind = declared.get(name)
    if kind is None:
        match = suggestion(name.lower(), list(declared))
        hint = f" (did you mean --{match}?)" if match else ""
        return f"unknown flag: {flag_name}{hint}"
    if name in used and kind is not FlagType.STRINGS:
        return f"duplicate flag specified: {flag_name}"
    used.add(name)
    if kind is not FlagType.BOOL:
        return None if has_value else f"missing a value on flag: {flag_name}"
    if has_value and not value:
        return f"missing a value on flag: {flag_name}"
    if value.lower() not in ("", "true", "false"):
        return f"expecting boolean value for flag {flag_name}, not: {value}"
    return None


def _at_least_one(keyword: str) -> Rejection:
    return Rejection(f"{keyword} requires at least one argument")


def _exactly_one(keyword: str) -> Rejection:
    return Rejection(f"{keyword} requires exactly one argument")


def _no_destination(keyword: str) -> Rejection:
    return Rejection(
        f"{keyword} requires at least two arguments, but only one was provided. "
        "Destination could not be determined"
    )


def _key_values_error(keyword: str, args: Sequence[str]) -> Rejection | None:
    if not args:
        return _at_least_one(keyword)
    if any(not key for key in args[::2]):
        return Rejection(f"{keyword} names can not be blank")
    return None


def _stage_name_error(args: Sequence[str]) -> Rejection | None:
    if len(args) == 3 and args[1].lower() == "as":
        if _STAGE_NAME.fullmatch(args[2].lower()) is None:
            return Rejection(
                f"invalid name for build stage: {go_quote(args[2])}, "
                "name can't start with a number or contain symbols"
            )
        return None
    if len(args) != 1:
        return Rejection("FROM requires either one or three arguments")
    return None


def _copy_error(keyword: str, flags: Sequence[str], args: Sequence[str]) -> Rejection | None:
    if len(args) < 2:
        return _no_destination(keyword)
    error = flags_error(flags, FLAGS[keyword])
    if error is None and "<<" in args[-1] and parse_heredoc_word(args[-1]) is not None:
        return Rejection(f"{keyword} cannot accept a heredoc as a destination")
    return error


def go_duration(text: str) -> int | str:
    """Go's ``time.ParseDuration``: nanoseconds, or BuildKit's error message."""
    invalid = f"time: invalid duration {go_quote(text)}"
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0
    if not body:
        return invalid
    total = 0.0
    position = 0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        assert match is not None  # the pattern also matches the empty string
        number, unit = match.groups()
        if number in ("", "."):
            return invalid
        if not unit:
            return f"time: missing unit in duration {go_quote(text)}"
        if unit not in _DURATION_UNITS:
            return f"time: unknown unit {go_quote(unit)} in duration {go_quote(text)}"
        total += float(number) * _DURATION_UNITS[unit]
        position = match.end()
    return int(-total if text.startswith("-") else total)


def _healthcheck_values_error(flags: Sequence[str]) -> Rejection | None:
    for index, flag in enumerate(flags):
        name, _, value = flag[2:].partition("=")
        message = _healthcheck_value_message(name, value)
        if message is not None:
            return Rejection(message, index)
    return None


def _healthcheck_value_message(name: str, value: str) -> str | None:
    if not value:
        return None
    if name == "retries":
        if re.fullmatch(r"[+-]?[0-9]+", value, re.ASCII) is None:
            return f"strconv.ParseInt: parsing {go_quote(value)}: invalid syntax"
        if len(value) > 12 or int(value) not in _INT32:
            return f"strconv.ParseInt: parsing {go_quote(value)}: value out of range"
        return f"--retries cannot be negative ({int(value)})" if int(value) < 0 else None
    nanoseconds = go_duration(value)
    if isinstance(nanoseconds, str):
        return nanoseconds
    if nanoseconds != 0 and nanoseconds < _MILLISECOND:
        return f"Interval {go_quote(name)} cannot be less than 1ms"
    return None


def _healthcheck_error(
    flags: Sequence[str], args: Sequence[str], json_form: bool
) -> Rejection | None:
    if not args:
        return _at_least_one("HEALTHCHECK")
    kind = args[0].upper()
    if kind == "NONE":
        # BuildKit declares (and so checks) the flags only for CMD.
        return Rejection("HEALTHCHECK NONE takes no arguments") if len(args) > 1 else None
    error = flags_error(flags, _HEALTHCHECK_FLAGS)
    if error is not None:
        return error
    if kind != "CMD":
        return Rejection(f"Unknown type {go_quote(kind)} in HEALTHCHECK (try CMD)")
    if len(args) == 1:
        return Rejection("Missing command after HEALTHCHECK CMD")
    return _healthcheck_values_error(flags)


def _onbuild_error(flags: Sequence[str], args: Sequence[str]) -> Rejection | None:
    if not args:
        return _at_least_one("ONBUILD")
    error = flags_error(flags, {})
    if error is not None:
        return error
    trigger = args[0].strip().upper()
    if trigger == "ONBUILD":
        return Rejection("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
    if trigger in ("MAINTAINER", "FROM"):
        return Rejection(f"{trigger} isn't allowed as an ONBUILD trigger")
    return None


def _volume_error(flags: Sequence[str], args: Sequence[str]) -> Rejection | None:
    if not args:
        return _at_least_one("VOLUME")
    error = flags_error(flags, {})
    if error is None and any(not volume.strip() for volume in args):
        return Rejection("VOLUME specified can not be an empty string")
    return error


def _shell_error(flags: Sequence[str], args: Sequence[str], json_form: bool) -> Rejection | None:
    error = flags_error(flags, {})
    if error is not None:
        return error
    if not args:
        return _at_least_one("SHELL")
    if not json_form:
        return Rejection("SHELL requires the arguments to be in JSON form")
    return None


def instruction_error(
    keyword: str, flags: Sequence[str], args: Sequence[str], json_form: bool
) -> Rejection | None:
    """Why BuildKit's instruction parser rejects this instruction, or None.

    ``args`` are BuildKit's ``nodeArgs``: the Node.Next values, and for ONBUILD the trigger
    keyword followed by its values.
    """
    if keyword in ("ENV", "LABEL"):
        return flags_error(flags, {}) or _key_values_error(keyword, args)
    if keyword in ("ADD", "COPY"):
        return _copy_error(keyword, flags, args)
    if keyword == "FROM":
        return _stage_name_error(args) or flags_error(flags, FLAGS["FROM"])
    if keyword in ("MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL"):
        if len(args) != 1:
            return _exactly_one(keyword)
        # STOPSIGNAL never parses its flags, so BuildKit ignores any it is given.
        return None if keyword == "STOPSIGNAL" else flags_error(flags, {})
    if keyword in ("EXPOSE", "ARG"):
        if not args:
            return _at_least_one(keyword)
        error = flags_error(flags, {})
        if error is None and keyword == "ARG" and any(arg.startswith("=") for arg in args):
            return Rejection("ARG names can not be blank")
        return error
    if keyword == "HEALTHCHECK":
        return _healthcheck_error(flags, args, json_form)
    if keyword == "ONBUILD":
        return _onbuild_error(flags, args)
    if keyword == "VOLUME":
        return _volume_error(flags, args)
    if keyword == "SHELL":
        return _shell_error(flags, args, json_form)
    # RUN, CMD, ENTRYPOINT
    return flags_error(flags, FLAGS.get(keyword, {})) if flags else None
