""".dockerignore with the semantics Docker's build context transfer uses.

Reading follows moby's ``patternmatcher/ignorefile.ReadAll``: a UTF-8 BOM is dropped, lines that
start with ``#`` are comments, the rest is trimmed, ``!`` marks an exception, and each pattern is
``filepath.Clean``-ed with a leading ``/`` removed. Matching follows ``patternmatcher`` (``*`` and
``?`` stop at ``/``, ``**`` crosses directories, ``[...]`` classes, backslash escapes) as
BuildKit's context walker (``fsutil``) applies it: paths are decided from the root down with
``MatchesUsingParentResults`` (a pattern that matched a directory keeps matching below it; the
last matching pattern wins), and an excluded directory is not descended into unless an exception
could re-include something below it.

Unlike Docker, parsing never fails: a malformed pattern (``[``, a lone ``!``, a class the regex
engine rejects) is left out of matching and reported in ``DockerIgnore.errors`` with its line;
Docker would refuse to build such a context.

The Go ``path/filepath`` helpers BuildKit relies on (``Clean`` and ``Match``) live here too.
"""

import re
import warnings
from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple

# Go's unicode.IsSpace for Latin-1; strings.TrimSpace uses it.
_GO_LATIN1_SPACES = "\t\n\v\f\r \x85\xa0"
# Characters patternmatcher escapes because they mean something to regexes and nothing to Match.
_REGEX_ONLY_SPECIALS = frozenset(".+()|{}$")
# fsutil: an exception made of these (after a trailing /** or /*) is not a plain path prefix.
_PATTERN_CHARS = frozenset("*[]?^\\")


class BadPattern(ValueError):
    """A pattern Go's filepath.Match (or patternmatcher) rejects."""


# -- Go's path/filepath on a slash-separated OS ---------------------------------------------------


def go_trim_space(text: str) -> str:
    """strings.TrimSpace (Python's str.strip also strips \\x1c-\\x1f)."""
    start, end = 0, len(text)
    while start < end and _go_is_space(text[start]):
        start += 1
    while end > start and _go_is_space(text[end - 1]):
        end -= 1
    return text[start:end]


def _go_is_space(ch: str) -> bool:
    return ch in _GO_LATIN1_SPACES if ch <= "\xff" else ch.isspace()


def clean_path(path: str) -> str:
    """Go's filepath.Clean: "" -> ".", "a/../.." -> "..", "//a/./b/" -> "/a/b"."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part != "..":
            parts.append(part)
        elif parts and parts[-1] != "..":
            parts.pop()
        elif not rooted:
            parts.append("..")
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def filepath_match(pattern: str, name: str) -> bool:
    """Go's filepath.Match: ``*`` and ``?`` never match ``/``; raises BadPattern when malformed.

    Like Go, the whole pattern is validated even when an early part already fails to match.
    """
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name  # a trailing * matches the rest unless it holds a /
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star and (rest := _match_after_skipping(chunk, name, last=not pattern)) is not None:
            name = rest
            continue
        while pattern:  # validate the rest before answering "no match"
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, "")
        return False
    return not name


def _match_after_skipping(chunk: str, name: str, *, last: bool) -> str | None:
    """Let a star eat 1, 2, ... characters (never a /) before ``chunk`` matches."""
    for i, ch in enumerate(name):
        if ch == "/":
            break
        rest = _match_chunk(chunk, name[i + 1 :])
        if rest is not None and not (last and rest):
            return rest
    return None


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    """Split off leading stars and the chunk up to the next star outside a class."""
    stripped = pattern.lstrip("*")
    star = len(stripped) != len(pattern)
    in_range = False
    i = 0
    while i < len(stripped):
        ch = stripped[i]
        if ch == "\\":
            if i + 1 < len(stripped):
                i += 1
        elif ch == "[":
            in_range = True
        elif ch == "]":
            in_range = False
        elif ch == "*" and not in_range:
            break
        i += 1
    return star, stripped[:i], stripped[i:]


def _match_chunk(chunk: str, text: str) -> str | None:
    """The rest of ``text`` after ``chunk`` matched its start, or None; BadPattern if malformed.

    After a mismatch the chunk is still parsed to the end so that syntax errors surface.
    """
    failed = False
    i = 0
    while i < len(chunk):
        if not failed and not text:
            failed = True
        ch = chunk[i]
        if ch == "[":
            current = "" if failed else text[0]
            if not failed:
                text = text[1:]
            matched, i = _match_class(chunk, i + 1, current)
            if not matched:
                failed = True
            continue
        if ch == "?":
            if not failed:
                if text[0] == "/":
                    failed = True
                text = text[1:]
            i += 1
            continue
        if ch == "\\":
            i += 1
            if i >= len(chunk):
                raise BadPattern("syntax error in pattern: trailing backslash")
        if not failed:
            if chunk[i] != text[0]:
                failed = True
            text = text[1:]
        i += 1
    return None if failed else text


def _match_class(chunk: str, i: int, current: str) -> tuple[bool, int]:
    """Match ``current`` against the class starting after ``[``; return (matched, next index)."""
    negated = i < len(chunk) and chunk[i] == "^"
    if negated:
        i += 1
    matched = False
    ranges = 0
    while True:
        if i < len(chunk) and chunk[i] == "]" and ranges > 0:
            i += 1
            break
        low, i = _class_char(chunk, i)
        high = low
        if chunk[i] == "-":
            high, i = _class_char(chunk, i + 1)
        if current and low <= current <= high:
            matched = True
        ranges += 1
    return matched != negated and bool(current), i


def _class_char(chunk: str, i: int) -> tuple[str, int]:
    """Go's getEsc: one (possibly escaped) class character; something must follow it."""
    if i >= len(chunk) or chunk[i] in "-]":
        raise BadPattern("syntax error in pattern: bad character class")
    if chunk[i] == "\\":
        i += 1
        if i >= len(chunk):
            raise BadPattern("syntax error in pattern: trailing backslash in class")
    if i + 1 >= len(chunk):
        raise BadPattern("syntax error in pattern: unterminated character class")
    return chunk[i], i + 1


# -- patternmatcher -------------------------------------------------------------------------------


class _MatchType(Enum):
    EXACT = "exact"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    REGEXP = "regexp"


# Plain names for the members: looking one up on its enum is slow on Python 3.11.
_EXACT, _PREFIX, _SUFFIX = _MatchType.EXACT, _MatchType.PREFIX, _MatchType.SUFFIX


class Pattern(NamedTuple):
    """One pattern line of an ignore file."""

    line: int  # 1-based line in the ignore file
    text: str  # the line as written, trimmed
    pattern: str  # cleaned, without the leading "!"
    exception: bool  # a "!" line: re-includes what earlier lines excluded
    match_type: _MatchType = _MatchType.EXACT
    regex: re.Pattern[str] | None = None

    def matches(self, path: str) -> bool:
        """Whether the cleaned, slash-separated ``path`` itself matches (no parent logic)."""
        match_type = self.match_type
        if match_type is _EXACT:
            return path == self.pattern
        if match_type is _PREFIX:
            return path.startswith(self.pattern[:-2])
        if match_type is _SUFFIX:
            suffix = self.pattern[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        assert self.regex is not None
        return self.regex.match(path) is not None

    @property
    def literal_prefix(self) -> str:
        """fsutil's patternWithoutTrailingGlob: the pattern minus a trailing /** or /*."""
        text = self.pattern
        for glob in ("/**", "/*"):
            if text.endswith(glob):
                text = text[: -len(glob)]
        return text


class PatternError(NamedTuple):
    """A line Docker would reject (the whole build fails on it)."""

    line: int
    text: str
    message: str


def _compile(cleaned: str) -> tuple[_MatchType, re.Pattern[str] | None]:
    """patternmatcher's Pattern.compile for the / separator."""
    regex = ["^"]
    match_type = _MatchType.EXACT
    i = 0
    first = True
    while i < len(cleaned):
        ch = cleaned[i]
        i += 1
        if ch == "*" and cleaned[i : i + 1] == "*":
            i += 1
            if cleaned[i : i + 1] == "/":
                i += 1  # **/ means the same as **
            if i >= len(cleaned):
                if match_type is _MatchType.EXACT:
                    match_type = _MatchType.PREFIX
                else:
                    regex.append(".*")
                    match_type = _MatchType.REGEXP
            else:
                regex.append("(.*/)?")
                match_type = _MatchType.REGEXP
            if first:
                match_type = _MatchType.SUFFIX
        elif ch == "*":
            regex.append("[^/]*")
            match_type = _MatchType.REGEXP
        elif ch == "?":
            regex.append("[^/]")
            match_type = _MatchType.REGEXP
        elif ch in _REGEX_ONLY_SPECIALS:
            regex.append("\\" + ch)
        elif ch == "\\":
            if i < len(cleaned):
                regex.append("\\" + cleaned[i])
                i += 1
                match_type = _MatchType.REGEXP
            else:
                regex.append("\\")
        elif ch in "[]":
            regex.append(ch)
            match_type = _MatchType.REGEXP
        else:
            regex.append(ch)
        first = False
    if match_type is not _MatchType.REGEXP:
        return match_type, None
    regex.append("$")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Python's FutureWarning about nested sets
            return match_type, re.compile("".join(regex))
    except re.error as exc:
        raise BadPattern(f"syntax error in pattern: {exc}") from None


def _make_pattern(line: int, text: str, raw: str) -> Pattern:
    """patternmatcher.New for one pattern as ReadAll produced it."""
    cleaned = clean_path(go_trim_space(raw))
    exception = cleaned.startswith("!")
    if exception:
        if len(cleaned) == 1:
            raise BadPattern('illegal exclusion pattern: "!"')
        cleaned = cleaned[1:]
    filepath_match(cleaned, ".")  # syntax check, as patternmatcher does
    match_type, regex = _compile(cleaned)
    return Pattern(line, text, cleaned, exception, match_type, regex)


def _read_line(raw_line: str) -> str | None:
    """ignorefile.ReadAll for one line (BOM already removed): the pattern, or None to skip it."""
    if raw_line.startswith("#"):
        return None
    pattern = go_trim_space(raw_line)
    if not pattern:
        return None
    invert = pattern.startswith("!")
    if invert:
        pattern = go_trim_space(pattern[1:])
    if pattern:
        pattern = clean_path(pattern)
        if len(pattern) > 1 and pattern.startswith("/"):
            pattern = pattern[1:]
    return "!" + pattern if invert else pattern


class IgnoreState(NamedTuple):
    """How the ignore file treats one path, computed from its parent's state."""

    excluded: bool
    pattern: Pattern | None  # the pattern that excluded the path (None when included)
    parent_matched: tuple[bool, ...]  # per pattern: did it match this path or an ancestor
    pruned: bool = False  # an excluded directory BuildKit does not even descend into


_ROOT_STATE = IgnoreState(excluded=False, pattern=None, parent_matched=())


class DockerIgnore:
    """Parsed ignore file: ``excludes`` / ``matching_pattern`` answer for context-relative paths."""

    def __init__(self, patterns: Sequence[Pattern], errors: Sequence[PatternError] = ()) -> None:
        self.patterns = tuple(patterns)
        self.errors = tuple(errors)
        self.has_exceptions = any(p.exception for p in self.patterns)
        # fsutil only prunes excluded directories when every exception is a plain path prefix.
        self._exceptions_are_prefixes = not any(
            p.exception and _PATTERN_CHARS.intersection(p.literal_prefix) for p in self.patterns
        )

    @classmethod
    def parse(cls, text: str) -> "DockerIgnore":
        patterns: list[Pattern] = []
        errors: list[PatternError] = []
        for number, raw_line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
            line = raw_line.removesuffix("\r")
            raw = _read_line(line)
            if raw is None:
                continue
            try:
                patterns.append(_make_pattern(number, go_trim_space(line), raw))
            except BadPattern as exc:
                errors.append(PatternError(number, go_trim_space(line), str(exc)))
        return cls(patterns, errors)

    def excludes(self, rel_path: str) -> bool:
        """Whether Docker leaves ``rel_path`` (slash-separated, relative to the context) out."""
        return self.state(rel_path).excluded

    def matching_pattern(self, rel_path: str) -> Pattern | None:
        """The pattern that excludes ``rel_path`` (possibly through a parent), or None."""
        return self.state(rel_path).pattern

    def state(self, rel_path: str) -> IgnoreState:
        """The full decision for ``rel_path``, walking down from the context root."""
        cleaned = clean_path(rel_path).lstrip("/")
        if cleaned in (".", "") or cleaned.startswith("../") or cleaned == "..":
            return _ROOT_STATE  # the root itself is never excluded; outside is not our call
        state = _ROOT_STATE
        prefix = ""
        for part in cleaned.split("/"):
            prefix = f"{prefix}/{part}" if prefix else part
            if state.pruned:
                return state
            state = self.child_state(state, prefix)
        return state

    def child_state(self, parent: IgnoreState, rel_path: str) -> IgnoreState:
        """The state of ``rel_path`` (cleaned) given its parent directory's state.

        ``pruned`` is set when the path is excluded and, were it a directory, BuildKit would not
        look inside it; callers walking a tree use it to skip the subtree.
        """
        if parent.pruned:
            return parent
        inherited = parent.parent_matched
        matched = False
        deciding: Pattern | None = None
        now_matched: list[bool] = []
        for index, pattern in enumerate(self.patterns):
            match = bool(inherited) and inherited[index]
            if not match and pattern.exception == matched:
                match = pattern.matches(rel_path)
            elif not match:
                now_matched.append(False)
                continue
            now_matched.append(match)
            if match:
                matched = not pattern.exception
                deciding = pattern
        if not matched:
            return IgnoreState(False, None, tuple(now_matched))
        return IgnoreState(True, deciding, tuple(now_matched), self._prunes(rel_path))

    def _prunes(self, rel_dir: str) -> bool:
        if not self.has_exceptions:
            return True
        if not self._exceptions_are_prefixes:
            return False
        below = rel_dir + "/"
        return not any(
            (p.literal_prefix + "/").startswith(below) for p in self.patterns if p.exception
        )
