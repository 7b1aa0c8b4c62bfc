"""Values of the shell simulation: expanded words, architecture literals and glob patterns.

A value is either known text or unknown; an unknown value still remembers the text known
before and after the unknown part, so that ``/out/$(uname -m)/tool`` can make ``/out`` opaque
and ``https://host/$V/kubectl`` still names its download ``kubectl``.
"""

import re
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from mext_lint.spans import Related, Span

# Stands for an unknown part inside literal text (the outer shell of ``RUN <<EOT sh`` leaves
# one where it substituted a value we do not know). A private-use character: never in scripts.
UNKNOWN_MARK = "\ue000"

# The variables whose values differ per target platform; BuildKit sets them from --platform.
PLATFORM_VARIABLES = frozenset(
    {
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
    }
)

_ARCH_ALIASES = {
    "amd64": "amd64",
    "x86_64": "amd64",
    "x86-64": "amd64",
    "x64": "amd64",
    "arm64": "arm64",
    "aarch64": "arm64",
}
# A CPU name as a delimited token: "kubectl_linux_amd64.tar.gz", "darwin-arm64", "/amd64/".
# (The leading lookahead lets the regex engine skip to an "a" or "x" before trying the rest.)
_ARCH_TOKEN = re.compile(
    r"(?=[ax])(?<![A-Za-z0-9])(amd64|x86_64|x86-64|x64|arm64|aarch64)(?![A-Za-z0-9])"
)


class ArchMark(NamedTuple):
    """A CPU architecture written literally in the script."""

    arch: str  # "amd64" or "arm64"
    origin: Related


class Value(NamedTuple):
    text: str | None  # None when any part is unknown
    prefix: str = ""  # when unknown: the text known before the first unknown part
    suffix: str = ""  # when unknown: the text known after the last unknown part
    arch: ArchMark | None = None  # a hard-coded CPU name somewhere in the value
    platform: bool = False  # derived from a platform variable (or chosen by a platform test)
    is_set: bool = True  # False only for a variable the script unset

    @property
    def known(self) -> bool:
        return self.text is not None


UNKNOWN = Value(None)
UNSET = Value("", is_set=False)


def known(text: str, *, platform: bool = False) -> Value:
    return Value(text, platform=platform)


class SpanMaker(Protocol):
    def span_between(self, start_byte: int, end_byte: int) -> Span: ...


class Place:
    """Where a word was written, as a :class:`Span` made when first asked for: the span of
    most words is never shown, and finding a line and column is a large part of expanding."""

    __slots__ = ("_end", "_maker", "_span", "_start")

    def __init__(self, maker: SpanMaker, start_byte: int, end_byte: int) -> None:
        self._maker = maker
        self._start = start_byte
        self._end = end_byte
        self._span: Span | None = None

    @property
    def span(self) -> Span:
        span = self._span
        if span is None:  # a command's span is asked for by each of its effects
            span = self._span = self._maker.span_between(self._start, self._end)
        return span

    def __eq__(self, other: object) -> bool:  # as the spans would compare, in a Word
        if isinstance(other, Place):
            return self.span == other.span
        return self.span == other

    def __hash__(self) -> int:
        return hash(self.span)

    def __repr__(self) -> str:
        return repr(self.span)


class Word(NamedTuple):
    """One field of a command line after expansion."""

    value: Value
    place: Span | Place  # where it was written: see ``span``
    # The word as a glob: active glob characters raw, every other special character escaped
    # with a backslash. None when the text is unknown.
    glob: str | None = None
    has_glob: bool = False  # contains an unquoted *, ? or [...]
    variable: str | None = None  # the word is exactly one "$NAME" expansion
    certain: bool = True  # False for bash-only brace expansion results
    from_glob: bool = False  # produced by pathname expansion against the tree
    offset: int = -1  # where the word starts in the parsed script, when it comes from there

    @property
    def span(self) -> Span:
        place = self.place
        return place.span if isinstance(place, Place) else place

    @property
    def text(self) -> str | None:
        return self.value.text

    @property
    def arch(self) -> ArchMark | None:
        return self.value.arch


def literal_word(text: str, span: Span, *, arch: ArchMark | None = None) -> Word:
    return Word(Value(text, arch=arch), span, glob=escape_glob(text))


def find_arch_literals(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, arch) of every CPU-name token in ``text``."""
    if "64" not in text:  # in every CPU name: most words have none
        return
    for match in _ARCH_TOKEN.finditer(text):
        yield match.start(), match.end(), _ARCH_ALIASES[match.group(1)]


def mentions_arch(text: str | None) -> bool:
    return text is not None and _ARCH_TOKEN.search(text) is not None


def normalize_arch(text: str | None) -> str | None:
    if text is None:
        return None
    return _ARCH_ALIASES.get(text.strip().lower())


# ------------------------------------------------------------------------------- globs

_GLOB_SPECIAL = re.compile(r"[*?\[\]\\]")
_GLOB_ACTIVE = re.compile(r"[*?\[\\]")  # a lone "]" matches itself


def escape_glob(text: str) -> str:
    """``text`` as a glob matching only itself: a backslash before each of ``*?[]\\``."""
    if _GLOB_SPECIAL.search(text) is None:
        return text
    return _GLOB_SPECIAL.sub(r"\\\g<0>", text)


def unescape_glob(glob: str) -> str:
    if "\\" not in glob:
        return glob
    return re.sub(r"\\(.)", r"\1", glob)


def is_literal_glob(glob: str) -> bool:
    """Whether the pattern matches only itself (every special character escaped)."""
    index = 0
    while index < len(glob):
        if glob[index] == "\\":
            index += 2
            continue
        if glob[index] in "*?[":
            return False
        index += 1
    return True


def glob_regex(glob: str, *, pathname: bool) -> re.Pattern[str]:
    """The regex of a shell pattern; with ``pathname`` wildcards stop at "/"."""
    any_char = "[^/]" if pathname else "."
    out: list[str] = []
    index = 0
    while index < len(glob):
        char = glob[index]
        if char == "\\" and index + 1 < len(glob):
            out.append(re.escape(glob[index + 1]))
            index += 2
            continue
        if char == "*":
            out.append(any_char + "*")
        elif char == "?":
            out.append(any_char)
        elif char == "[":
            end, klass = _bracket(glob, index, pathname=pathname)
            if end < 0:
                out.append(re.escape(char))
            else:
                out.append(klass)
                index = end
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out), re.DOTALL)


# POSIX character classes in the C locale, as regex class bodies.
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "\\x21-\\x7e",
    "lower": "a-z",
    "print": "\\x20-\\x7e",
    "punct": "!-/:-@\\[-`{-~",
    "space": " \\t\\n\\v\\f\\r",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}


def _bracket(glob: str, start: int, *, pathname: bool) -> tuple[int, str]:
    """(index of the closing "]", regex) for the bracket expression at ``start``; (-1, "") when
    it never closes (the "[" is then an ordinary character).

    Characters, ranges, ``[:class:]``, ``[=c=]`` and ``[.c.]`` as bash matches them in the C
    locale: a range whose end sorts before its start, or an unknown class, matches nothing.
    With ``pathname`` it never matches "/"."""
    index = start + 1
    negate = index < len(glob) and glob[index] in "!^"
    if negate:
        index += 1
    parts: list[str] = []
    previous: str | None = None  # the last single character, which a "-" may start a range at
    first = True
    while index < len(glob):
        char = glob[index]
        if char == "]" and not first:
            body = "".join(parts)
            if negate:
                return index, f"[^{body}/]" if pathname else f"[^{body}]" if body else "."
            return index, f"[{body}]" if body else "(?!)"
        first = False
        if char == "[" and index + 1 < len(glob) and glob[index + 1] in ":=.":
            kind = glob[index + 1]
            close = glob.find(kind + "]", index + 2)
            if close >= 0:
                name = glob[index + 2 : close]
                if kind == ":":
                    parts.append(_POSIX_CLASSES.get(name, ""))
                elif len(name) == 1:
                    parts.append(re.escape(name))
                previous = None
                index = close + 2
                continue
        if char == "\\" and index + 1 < len(glob):
            index += 1
            char = glob[index]
        if (
            char == "-"
            and previous is not None
            and index + 1 < len(glob)
            and glob[index + 1] != "]"  # "-]" is a "-"
        ):
            end_index = index + 1
            end = glob[end_index]
            if end == "\\" and end_index + 1 < len(glob):
                end_index += 1
                end = glob[end_index]
            parts.pop()  # the range replaces its start
            if previous <= end:
                parts.append(f"{re.escape(previous)}-{re.escape(end)}")
            previous = None
            index = end_index + 1
            continue
        parts.append(re.escape(char))
        previous = char
        index += 1
    return -1, ""


def glob_match(glob: str, text: str, *, pathname: bool = False) -> bool:
    if _GLOB_ACTIVE.search(glob) is None:  # no wildcard, bracket or escape: only itself
        return glob == text
    return glob_regex(glob, pathname=pathname).fullmatch(text) is not None


def strip_pattern(text: str, glob: str, operator: str) -> str:
    """``${V#p}``, ``${V##p}``, ``${V%p}``, ``${V%%p}`` on known text."""
    pattern = glob_regex(glob, pathname=False)
    cuts = range(len(text) + 1)
    if operator in ("#", "##"):
        order = reversed(cuts) if operator == "##" else cuts
        for cut in order:
            if pattern.fullmatch(text[:cut]):
                return text[cut:]
        return text
    order = cuts if operator == "%%" else reversed(cuts)
    for cut in order:
        if pattern.fullmatch(text[cut:]):
            return text[:cut]
    return text


def replace_pattern(text: str, glob: str, replacement: str, operator: str) -> str:
    """``${V/p/r}``, ``${V//p/r}``, ``${V/#p/r}``, ``${V/%p/r}`` on known text (longest match)."""
    pattern = glob_regex(glob, pathname=False)
    if operator == "/#":
        for cut in range(len(text), -1, -1):
            if pattern.fullmatch(text[:cut]):
                return replacement + text[cut:]
        return text
    if operator == "/%":
        for cut in range(len(text) + 1):
            if pattern.fullmatch(text[cut:]):
                return text[:cut] + replacement
        return text
    out: list[str] = []
    index = 0
    replaced = False
    while index <= len(text):
        match = None
        if not (replaced and operator == "/"):
            for end in range(len(text), index, -1):
                if pattern.fullmatch(text[index:end]):
                    match = end
                    break
        if match is None:
            if index < len(text):
                out.append(text[index])
            index += 1
            continue
        out.append(replacement)
        index = match
        replaced = True
    return "".join(out)


# ------------------------------------------------------------------------------- paths


def url_basename(url: str) -> str:
    """The last path segment of a URL (what ``curl -O`` and wget name the download)."""
    path = url.split("://", 1)[-1]
    path = path.split("#", 1)[0].split("?", 1)[0]
    if "/" not in path:
        return ""
    return path.rsplit("/", 1)[1]


def known_directory(prefix: str, cwd: Value) -> str:
    """The deepest directory certainly containing a path that starts with ``prefix``."""
    if not prefix.startswith("/"):
        if cwd.text is None:
            return known_directory(cwd.prefix, Value("/"))
        prefix = cwd.text.rstrip("/") + "/" + prefix
    return prefix.rsplit("/", 1)[0] or "/"
