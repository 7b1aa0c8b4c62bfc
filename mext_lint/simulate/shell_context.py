"""The state a shell simulation carries and the one place its effects reach the file tree.

Certainty is a property of where we are: a command in a branch whose condition we could not
decide creates paths that are only *maybe* there (UNKNOWN, never NO). Recording mode runs a
branch that did not execute on a scratch tree, only to learn which paths it would have created.
"""

import enum
import functools
import os.path
from collections.abc import Callable, Mapping
from typing import NamedTuple

from mext_lint.simulate.shell_values import (
    PLATFORM_VARIABLES,
    UNKNOWN,
    ArchMark,
    Place,
    Value,
    Word,
    known_directory,
)
from mext_lint.simulate.tree import FileTree, Kind, Lookup, Presence, normalize
from mext_lint.spans import Related, Span

_new = tuple.__new__


class Status(enum.Enum):
    TRUE = "true"  # known to succeed
    FALSE = "false"  # known to fail
    UNKNOWN = "unknown"  # a test we cannot decide
    ASSUMED = "assumed"  # an ordinary command: assumed to succeed, but it could fail


class Condition(NamedTuple):
    """How to say in words when a test holds and when it does not."""

    holds: str
    fails: str

    def negated(self) -> "Condition":
        return Condition(self.fails, self.holds)

    def both(self, other: "Condition") -> "Condition":
        return Condition(f"{self.holds} and {other.holds}", f"{self.fails} or {other.fails}")

    def either(self, other: "Condition") -> "Condition":
        return Condition(f"{self.holds} or {other.holds}", f"{self.fails} and {other.fails}")


class Outcome(NamedTuple):
    status: Status
    condition: Condition | None = None  # set for tests, to explain skipped branches
    platform: bool = False  # the status depends on the target platform
    stdout_arch: ArchMark | None = None  # the CPU of what the command wrote to stdout


ASSUMED = Outcome(Status.ASSUMED)
TRUE = Outcome(Status.TRUE)


class Invocation(NamedTuple):
    """A simple command after expansion."""

    name: str
    args: list[Word]
    place: Span | Place  # the whole command in the Dockerfile: see ``span``
    env: dict[str, Value]  # NAME=value prefixes
    stdin_arch: ArchMark | None = None

    @property
    def span(self) -> Span:
        place = self.place
        return place.span if isinstance(place, Place) else place


class Scope:
    __slots__ = ("cwd", "positional", "variables")

    def __init__(
        self, variables: dict[str, Value], cwd: Value, positional: list[Value] | None = None
    ) -> None:
        self.variables = variables
        self.cwd = cwd
        self.positional: list[Value] = [] if positional is None else positional

    def copy(self) -> "Scope":
        return Scope(dict(self.variables), self.cwd, list(self.positional))


def merge_scopes(scopes: list[Scope]) -> Scope:
    """The scope after one of several possible paths: what they disagree on is unknown."""
    first = scopes[0]
    if len(scopes) == 1:
        return first
    names = set().union(*(s.variables for s in scopes))
    variables: dict[str, Value] = {}
    for name in names:
        values = [s.variables.get(name, UNKNOWN) for s in scopes]
        variables[name] = values[0] if all(v == values[0] for v in values) else _either(values)
    cwds = [s.cwd for s in scopes]
    cwd = cwds[0] if all(c == cwds[0] for c in cwds) else _either(cwds)
    positional = first.positional if all(s.positional == first.positional for s in scopes) else []
    return Scope(variables, cwd, positional)


def _either(values: list[Value]) -> Value:
    """One of several values: unknown, keeping the text they all start and end with."""
    starts = [v.text if v.text is not None else v.prefix for v in values]
    ends = [(v.text if v.text is not None else v.suffix)[::-1] for v in values]
    return Value(
        None,
        prefix=os.path.commonprefix(starts),  # noqa: RUF071 - a text prefix is what we want
        suffix=os.path.commonprefix(ends)[::-1],  # noqa: RUF071
        platform=any(v.platform for v in values),
    )


class ExitSignal(Exception):
    """``exit`` in a place that certainly runs: nothing after it runs."""


class LoopSignal(Exception):
    """``break`` or ``continue`` that certainly runs."""

    def __init__(self, is_break: bool) -> None:
        super().__init__("break" if is_break else "continue")
        self.is_break = is_break


class ReturnSignal(Exception):
    """``return`` from a function that certainly runs."""


@functools.lru_cache(maxsize=16)
def _values(env: tuple[tuple[str, str | None], ...]) -> dict[str, Value]:
    """The build's variables as the shell sees them. The RUNs of a stage mostly share one
    environment, and Values are immutable: each Context copies the dict, not the Values."""
    platform = PLATFORM_VARIABLES
    # tuple.__new__ makes the Values without their Python-level __new__ (every field)
    return {n: _new(Value, (v, "", "", None, n in platform, True)) for n, v in env}


class Context:
    """Where the walker is (scope, certainty, guards) and the effects it has on the tree."""

    def __init__(
        self,
        tree: FileTree,
        env: Mapping[str, str | None],
        cwd: str,
    ) -> None:
        self.tree = tree
        self.home = env.get("HOME") or "/root"
        self.scope = Scope(dict(_values(tuple(env.items()))), Value(cwd))
        self.certain = True
        self.maybe_exited = False  # an undecidable branch may have run ``exit``
        self.maybe_left_block = False  # ... or ``break``/``continue``/``return``
        self.guarded = False  # inside a branch chosen by the target platform
        self.pure_unknowns = False  # inside $(...): unknown commands only print
        self.recording: list[tuple[str, Span]] | None = None
        # While recording, ``tree`` may still be the real tree, copied at the first change:
        # most branches that do not run only set variables or fail.
        self.copy_on_change = False
        self.depth = 0
        self.pinned_arch: ArchMark | None = None  # see ShellState.pinned_arch
        # Runs a nested script (``sh -c '...'``); set by the walker.
        self.run_inline: Callable[[Word], Outcome] | None = None

    # -------------------------------------------------------------- variables

    def variable(self, name: str) -> Value:
        if name.isdigit():
            index = int(name) - 1
            if index < 0:
                return Value("sh")
            positional = self.scope.positional
            return positional[index] if index < len(positional) else Value("")
        if name == "PWD":
            return self.scope.cwd
        if name == "HOME" and name not in self.scope.variables:
            return Value(self.home)
        return self.scope.variables.get(name, UNKNOWN)

    def assign(self, name: str, value: Value) -> None:
        if self.guarded:
            value = value._replace(arch=None, platform=True)
        self.scope.variables[name] = value

    @property
    def effective_certain(self) -> bool:
        return self.certain and not self.maybe_exited and not self.maybe_left_block

    def branch(self, *, certain: bool, guarded: bool = False) -> "_Branch":
        """``with ctx.branch(...)``: inside, less certain and maybe guarded by the platform."""
        return _Branch(self, certain, guarded)

    def arch_of(self, *candidates: ArchMark | None) -> ArchMark | None:
        """The first hard-coded CPU among ``candidates``; none inside a platform branch."""
        if self.guarded:
            return None
        return next((c for c in candidates if c is not None), None)

    # -------------------------------------------------------------- paths

    def path(self, word: Word) -> str | None:
        """The absolute path ``word`` names, or None when unknown."""
        return self.join(self.scope.cwd, word.value)

    @staticmethod
    def join(base: Value, relative: Value) -> str | None:
        text = relative.text
        if text is None:
            return None
        if text.startswith("/"):
            return normalize(text)
        if base.text is None:
            return None
        return normalize(text, base.text)

    def unknown_directory(self, value: Value) -> str:
        """The deepest known directory an unknown path lies in."""
        return known_directory(value.prefix if value.text is None else value.text, self.scope.cwd)

    def lookup(self, path: str) -> Lookup:
        return self.tree.lookup(path)

    def is_dir(self, path: str) -> Presence:
        return self.tree.is_dir(path)

    # -------------------------------------------------------------- effects

    def _changing(self) -> FileTree:
        """``tree``, about to change."""
        if self.copy_on_change:
            self.tree = self.tree.clone()
            self.copy_on_change = False
        return self.tree

    def create(
        self,
        path: str,
        kind: Kind,
        span: Span,
        what: str,
        *,
        certain: bool = True,
        arch: ArchMark | None = None,
        mode: str | None = None,
        target: str | None = None,
    ) -> None:
        path = normalize(path)
        if path.startswith(_NOT_IN_IMAGE):
            return
        if self.recording is not None:
            self.recording.append((path, span))
        arch = self.arch_of(arch)
        self._changing().add(
            path,
            kind,
            Related(span, what),
            certain=certain and self.effective_certain,
            target=target,
            mode=mode,
            arch=arch.arch if arch else None,
            arch_origin=arch.origin if arch else None,
        )

    def create_somewhere(self, value: Value, span: Span, what: str) -> None:
        """Something was written at a path we do not know: its known directory is opaque."""
        self.opaque(self.unknown_directory(value), span, what)

    def copy_tree(
        self, source: str, destination: str, span: Span, what: str, *, certain: bool = True
    ) -> None:
        """Copy a known directory subtree within the image (``cp -r``, ``mv``)."""
        if self.recording is not None:
            self.recording.append((normalize(destination), span))
        tree = self._changing()
        if certain and self.effective_certain:
            tree.copy_in(tree, source, destination, Related(span, what))
        else:
            tree.add(destination, Kind.DIR, Related(span, what), certain=False)
            tree.make_opaque(destination, Related(span, what))

    def remove(self, path: str, span: Span, what: str, *, certain: bool = True) -> None:
        tree = self._changing()
        tree.remove(path, Related(span, what), certain=certain and self.effective_certain)

    def opaque(self, directories: str | tuple[str, ...], span: Span, what: str) -> None:
        """Anything may now exist below ``directories`` (one, or several for one reason)."""
        origin = Related(span, what)
        tree = self._changing()
        for directory in (directories,) if isinstance(directories, str) else directories:
            tree.make_opaque(directory, origin)

    def unknown_command(self, span: Span, what: str) -> None:
        """A command we do not understand may have written anywhere."""
        if self.pure_unknowns:
            return
        cwd = self.scope.cwd
        if cwd.text is not None:
            self.opaque(cwd.text, span, what)
        self.opaque("/", span, what)


class _Branch:
    """The context manager of ``Context.branch`` (a class: a generator-based one costs more, and
    every ``&&`` enters one)."""

    __slots__ = ("_certain", "_ctx", "_guarded", "_saved")

    def __init__(self, ctx: Context, certain: bool, guarded: bool) -> None:
        self._ctx = ctx
        self._certain = certain
        self._guarded = guarded
        self._saved = (True, False)

    def __enter__(self) -> None:
        ctx = self._ctx
        self._saved = (ctx.certain, ctx.guarded)
        ctx.certain = ctx.certain and self._certain
        ctx.guarded = ctx.guarded or self._guarded

    def __exit__(self, *exc_info: object) -> None:
        self._ctx.certain, self._ctx.guarded = self._saved


_NOT_IN_IMAGE = ("/dev/", "/proc/", "/sys/")  # kernel file systems: never in a layer
