"""What the parser produces: instructions with exact spans, as BuildKit would read them.

The shapes mirror BuildKit's parser output (``parser.Node``) so that the differential test can
compare them one to one: ``value`` holds what BuildKit stores in ``Node.Next`` (the raw words,
quotes kept, before any variable expansion), ``flags`` the raw ``--name=value`` strings.
"""

from typing import NamedTuple

from mext_lint.spans import Span


class Word(NamedTuple):
    """One argument as BuildKit keeps it: raw text (quotes kept, continuations removed)."""

    text: str
    span: Span


class Flag(NamedTuple):
    """An instruction flag such as ``--platform=$BUILDPLATFORM`` or ``--link``."""

    raw: str  # exactly as BuildKit reports it, e.g. "--from=build"
    name: str  # "from"
    value: str | None  # None for a flag given without "=value" (e.g. --link)
    span: Span


class Heredoc(NamedTuple):
    name: str  # the delimiter word, quotes removed
    content: str  # body as BuildKit passes it on (tabs stripped for <<-), ending in "\n"
    expand: bool  # False when the delimiter was quoted: no variable expansion in the body
    strip_tabs: bool  # <<-
    fd: int | None  # 3<<EOF -> 3; None when no descriptor was written (BuildKit uses 0)
    span: Span  # from the first body line to the end of the terminator line
    first_line: int  # line of the body's first line (the body may be empty)


class Segment(NamedTuple):
    """Where a run of ``Instruction.command`` characters sits in the file.

    The command character at ``offset`` is at ``line``:``column``; the characters after it, up to
    the next segment's offset, follow on the same line.
    """

    offset: int
    line: int
    column: int


class Instruction(NamedTuple):
    keyword: str  # upper case: "RUN", "COPY", ...
    span: Span  # the whole instruction, continuations and heredoc bodies included
    keyword_span: Span
    flags: tuple[Flag, ...]
    value: tuple[Word, ...]  # BuildKit's Node.Next values (see module doc)
    json_form: bool  # exec form: ["a", "b"]
    heredocs: tuple[Heredoc, ...]
    original: str  # the instruction line(s) as written, without heredoc bodies
    # Shell-form text after the flags, as a single string, for RUN/CMD/ENTRYPOINT/SHELL-less
    # forms (continuations removed, escape chars kept as BuildKit keeps them).
    command: str
    command_span: Span
    command_segments: tuple[Segment, ...]
    # ONBUILD wraps another instruction; None otherwise.
    inner: "Instruction | None" = None

    def flag(self, name: str) -> Flag | None:
        """The last occurrence of flag ``name`` (BuildKit lets the last one win)."""
        found = None
        for flag in self.flags:
            if flag.name == name:
                found = flag
        return found


class Directive(NamedTuple):
    name: str  # "syntax", "escape", "check"
    value: str
    span: Span


class Comment(NamedTuple):
    """A comment line outside any instruction's continuation; suppressions are read from these."""

    text: str  # without the leading "#", stripped
    span: Span


class SyntaxIssue(NamedTuple):
    """Why (part of) the file could not be parsed; reported as MX001."""

    message: str
    span: Span


class Dockerfile(NamedTuple):
    path: str
    text: str
    escape: str  # "\\" or "`"
    directives: tuple[Directive, ...]
    instructions: tuple[Instruction, ...]
    comments: tuple[Comment, ...]
    errors: tuple[SyntaxIssue, ...]
