"""The build context on disk, as BuildKit would see it, read without surprises.

Paths are slash-separated and relative to the context root; a leading ``/`` or ``./`` is ignored.
A path whose ``..`` climbs above the root is *outside*: it is never looked up on disk
(``is_outside`` says so; queries answer "nothing"). Entries excluded by the ignore file are
reported with the pattern that excluded them by ``lookup`` and left out by ``match``/``walk``.

Symlinks are never followed out of the root. ``lookup`` reports a symlink as a symlink. A symlink
in the *middle* of a path is resolved the way BuildKit resolves COPY sources: inside the context,
an absolute target restarting at the root and ``..`` stopping there. Walks do not descend into
symlinks, so loops cannot trap them; a loop met while resolving a path is reported as unknown.

Every query lists only the directories it needs; listings are cached for the process (and checked
against the directory's mtime once per context: a context is one snapshot), so the same directory
is not read twice; a walk run to its end is replayed by the next walk of the same directory. A walk
or wildcard match examines at most ``MAX_ENTRIES`` entries and reports ``truncated``; directories
that cannot be read are reported in ``unreadable``. Callers treat both as "unknown", never as
"absent".
"""

import enum
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from mext_lint.simulate.dockerignore import (
    DockerIgnore,
    IgnoreState,
    Pattern,
    PatternError,
    clean_path,
    filepath_match,
)

MAX_ENTRIES = 100_000
MAX_DEPTH = 256  # deeper directories are not walked (reported as truncated)
MAX_SYMLINK_HOPS = 40  # Linux gives up after 40 as well (ELOOP)
MAX_IGNORE_FILE_BYTES = 1 << 20
_WILDCARD_CHARS = frozenset("*?[")


class ContextUnknown(Exception):
    """The question cannot be answered from disk (unreadable directory, symlink loop, cap)."""


class ContextEntry(NamedTuple):
    """One file, directory or symlink of the build context."""

    rel_path: str  # as asked for (normalized), relative to the context root
    is_dir: bool
    is_symlink: bool
    excluded_by: Pattern | None  # the ignore-file pattern that leaves it out of the context
    link_target: str | None = None  # the symlink's text, never resolved

    @property
    def excluded(self) -> bool:
        return self.excluded_by is not None


class EntryList(list[ContextEntry]):
    """Entries of one query, with what it could not see."""

    def __init__(self) -> None:
        super().__init__()
        self.truncated = False  # MAX_ENTRIES reached: more may exist
        self.unreadable: list[str] = []  # directories that could not be listed

    @property
    def complete(self) -> bool:
        return not self.truncated and not self.unreadable


class _Kind(enum.Enum):
    DIR = "dir"
    FILE = "file"
    SYMLINK = "symlink"
    OTHER = "other"  # sockets, fifos, devices: sent by Docker, never read by us


# The members as plain names: on Python 3.11 looking one up on its enum (``_Kind.DIR``) costs
# about 900 instructions (type's slow attribute path, as EnumType defines __getattr__).
_DIR, _FILE, _SYMLINK, _OTHER = _Kind.DIR, _Kind.FILE, _Kind.SYMLINK, _Kind.OTHER


class _Listing(NamedTuple):
    kinds: dict[str, _Kind]
    names: tuple[str, ...]  # sorted, like filepath.Walk
    truncated: bool


_LISTING_CACHE: dict[str, tuple[tuple[int, int, int], _Listing]] = {}


def _list_directory(abs_dir: str) -> _Listing:
    """Names and kinds of ``abs_dir``'s entries (not following symlinks); raises OSError."""
    info = os.stat(abs_dir)
    signature = (info.st_dev, info.st_ino, info.st_mtime_ns)
    cached = _LISTING_CACHE.get(abs_dir)
    if cached is not None and cached[0] == signature:
        return cached[1]
    kinds: dict[str, _Kind] = {}
    truncated = False
    with os.scandir(abs_dir) as entries:
        for entry in entries:
            if len(kinds) >= MAX_ENTRIES:
                truncated = True
                break
            kinds[entry.name] = _entry_kind(entry)
    listing = _Listing(kinds, tuple(sorted(kinds)), truncated)
    _LISTING_CACHE[abs_dir] = (signature, listing)
    return listing


def _entry_kind(entry: os.DirEntry[str]) -> _Kind:
    """From the type the listing gave (no ``lstat``, unless the file system gives none)."""
    try:
        if entry.is_symlink():
            return _SYMLINK
        if entry.is_dir(follow_symlinks=False):
            return _DIR
        return _FILE if entry.is_file(follow_symlinks=False) else _OTHER
    except OSError:
        return _OTHER


def normalize(rel_path: str) -> str | None:
    """The cleaned context-relative path ("" for the root), or None when it climbs outside.

    A leading "/" is the context root, so "/../x" is "x" (as Go cleans it) while "../x" is outside.
    """
    if (
        rel_path[:1] != "."
        and rel_path[-1:] != "/"
        and "//" not in rel_path
        and "/." not in rel_path
    ):
        return rel_path.lstrip("/")  # no "", "." or ".." component: clean_path keeps it as it is
    cleaned = clean_path(rel_path).lstrip("/")
    if cleaned == ".." or cleaned.startswith("../"):
        return None
    return "" if cleaned == "." else cleaned


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def _has_wildcard(component: str) -> bool:
    """BuildKit's containsWildcards: *, ? or [ not preceded by a backslash."""
    i = 0
    while i < len(component):
        if component[i] == "\\":
            i += 2
            continue
        if component[i] in _WILDCARD_CHARS:
            return True
        i += 1
    return False


class _Resolved(NamedTuple):
    real_path: str  # where the entry really is, relative to the root, symlinks resolved
    kind: _Kind


class BuildContext:
    """The directory sent to the builder, filtered by its ignore file."""

    def __init__(
        self,
        root: Path,
        dockerignore: DockerIgnore | None = None,
        *,
        dockerignore_path: Path | None = None,
    ) -> None:
        self.root = root
        self.dockerignore = dockerignore or DockerIgnore(())
        self.dockerignore_path = dockerignore_path
        self._abs_root = os.path.realpath(root)
        self._states: dict[str, IgnoreState] = {}
        # This context's listings by real directory: a context is read as one snapshot, each
        # directory listed (or its cached listing checked against the disk) once.
        self._listings: dict[str, _Listing] = {}
        self._walks: dict[str, _WalkRecord] = {}  # by the directory as asked for

    @classmethod
    def load(cls, root: Path, dockerfile_name: str | Path | None = None) -> "BuildContext":
        """Read the ignore file BuildKit would use: ``<Dockerfile>.dockerignore`` next to the
        Dockerfile when it exists, else ``<root>/.dockerignore``.

        ``dockerfile_name`` is relative to ``root`` unless absolute. An unreadable ignore file
        yields no patterns and one error (line 0) in ``dockerignore.errors``.
        """
        candidates = []
        if dockerfile_name is not None:
            dockerfile = Path(dockerfile_name)
            if not dockerfile.is_absolute():
                dockerfile = root / dockerfile
            candidates.append(dockerfile.with_name(dockerfile.name + ".dockerignore"))
        candidates.append(root / ".dockerignore")
        for candidate in candidates:
            if os.path.isfile(candidate):
                return cls(root, _read_ignore_file(candidate), dockerignore_path=candidate)
        return cls(root)

    # -- public queries -------------------------------------------------------------------------

    def is_outside(self, rel_path: str) -> bool:
        """Whether ``rel_path`` climbs above the context root (it is then never looked up)."""
        return normalize(rel_path) is None

    def lookup(self, rel_path: str, *, follow_symlinks: bool = False) -> ContextEntry | None:
        """The entry at ``rel_path`` (excluded or not), or None when it does not exist or lies
        outside the context. A final symlink is reported as such unless ``follow_symlinks``
        (COPY copies what a source symlink points to, resolved inside the context).

        Raises ContextUnknown when a directory on the way cannot be read or symlinks loop.
        """
        path = normalize(rel_path)
        if path is None:
            return None
        if path == "":
            return ContextEntry("", True, False, None)
        resolved = self._resolve(path, follow_final=follow_symlinks)
        if resolved is None:
            return None
        return self._entry(path, resolved)

    def disk_path(self, rel_path: str) -> str | None:
        """The absolute path of ``rel_path`` on disk when no symbolic link is on its way (the
        operating system then opens what the context holds there); None when one is, or when it
        is outside or absent. Raises ContextUnknown as ``lookup`` does."""
        path = normalize(rel_path)
        if not path:
            return None
        resolved = self._resolve(path, follow_final=True)
        if resolved is None or resolved.real_path != path:
            return None
        return self._abs(path)

    def match(self, pattern: str) -> EntryList:
        """COPY/ADD source semantics: the entries a source (maybe with wildcards) selects.

        Without wildcards that is the entry itself; with them, BuildKit splits the path at the
        first component holding ``*``, ``?`` or ``[`` and matches the rest with Go's
        filepath.Match against paths below that directory. Excluded entries are left out.
        """
        found = EntryList()
        path = normalize(pattern)
        if path is None:
            return found
        components = path.split("/") if path else []
        split = next((i for i, c in enumerate(components) if _has_wildcard(c)), None)
        if split is None:
            self._add_existing(found, path)
            return found
        base = "/".join(components[:split])
        try:
            base_resolved = self._resolve(base, follow_final=True) if base else None
        except ContextUnknown:
            found.unreadable.append(base)
            return found
        if base and (base_resolved is None or base_resolved.kind is not _DIR):
            return found
        real_base = base_resolved.real_path if base_resolved else ""
        self._match_below(found, base, real_base, components[split:])
        return found

    def walk(self, rel_dir: str) -> "Walk":
        """Everything below ``rel_dir`` that Docker sends (not excluded), depth first, sorted.

        Paths are reported under ``rel_dir`` as asked even when it is a symlink to a directory
        (followed inside the context, as COPY does). Symlinks below it are reported, not entered.
        """
        return Walk(self, rel_dir)

    def symlinks_under(self, rel_dir: str) -> "Walk":
        """The symlinks that ``walk(rel_dir)`` would report."""
        return Walk(self, rel_dir, keep=lambda entry: entry.is_symlink)

    # -- ignore file ----------------------------------------------------------------------------

    def ignore_state(self, real_path: str) -> IgnoreState:
        """The ignore decision for a real (symlink-free) path, memoized per directory chain."""
        cached = self._states.get(real_path)
        if cached is not None:
            return cached
        missing = [real_path]  # this path and its ancestors not decided yet, deepest first
        while (parent := missing[-1].rpartition("/")[0]) and parent not in self._states:
            missing.append(parent)
        state = self._states[parent] if parent else None
        for path in reversed(missing):
            if state is None:
                state = self.dockerignore.state(path)
            else:
                state = self.dockerignore.child_state(state, path)
            self._states[path] = state
        assert state is not None
        return state

    def _excluded_by(self, real_path: str, kind: _Kind) -> Pattern | None:
        """The pattern hiding ``real_path``; None if sent, also when an excluded directory is
        sent only because an exception re-includes something below it."""
        state = self.ignore_state(real_path)
        if not state.excluded:
            return None
        if kind is _DIR and not state.pruned and self._sends_something_below(real_path):
            return None
        return state.pattern

    def _sends_something_below(self, real_dir: str) -> bool:
        walk = Walk(self, real_dir)
        for _ in walk:
            return True
        if not walk.complete:
            raise ContextUnknown(f"{real_dir}: too large or unreadable to tell what is sent")
        return False

    # -- disk access ----------------------------------------------------------------------------

    def _abs(self, real_path: str) -> str:
        if not real_path:
            return self._abs_root
        return os.path.join(self._abs_root, real_path)  # real paths are clean: no "", ".", ".."

    def _listing(self, real_dir: str) -> _Listing:
        """The listing of a real directory; raises ContextUnknown when it cannot be read."""
        listing = self._listings.get(real_dir)
        if listing is not None:
            return listing
        try:
            listing = _list_directory(self._abs(real_dir))
        except OSError as exc:
            raise ContextUnknown(f"{real_dir or '.'}: cannot list ({exc.strerror})") from None
        self._listings[real_dir] = listing
        return listing

    def _link_target(self, real_path: str) -> str:
        try:
            return os.readlink(self._abs(real_path))
        except OSError as exc:
            raise ContextUnknown(f"{real_path}: cannot read link ({exc.strerror})") from None

    def _resolve(self, path: str, *, follow_final: bool) -> _Resolved | None:
        """Find ``path`` on disk, resolving symlinks inside the root; None when absent."""
        pending = path.split("/")
        pending.reverse()  # a stack: the next component is last
        real: list[str] = []
        kind = _DIR
        hops = 0
        while pending:
            name = pending.pop()
            if name in ("", "."):
                continue
            if name == "..":
                if real:  # BuildKit stops at the context root
                    real.pop()
                kind = _DIR
                continue
            if kind is not _DIR:
                return None  # a component below a file
            parent = "/".join(real)
            listing = self._listing(parent)
            found = listing.kinds.get(name)
            if found is None:
                if listing.truncated:
                    raise ContextUnknown(f"{parent or '.'}: more than {MAX_ENTRIES} entries")
                return None
            if found is _SYMLINK and (pending or follow_final):
                hops += 1
                if hops > MAX_SYMLINK_HOPS:
                    raise ContextUnknown(f"{path}: too many levels of symbolic links")
                target = self._link_target(_join(parent, name))
                if target.startswith("/"):
                    real.clear()
                pending.extend(reversed(target.split("/")))
                kind = _DIR
                continue
            real.append(name)
            kind = found
        return _Resolved("/".join(real), kind)

    def _entry(self, path: str, resolved: _Resolved) -> ContextEntry:
        kind, real_path = resolved.kind, resolved.real_path
        is_symlink = kind is _SYMLINK
        excluded_by = self._excluded_by(real_path, kind)
        link_target = self._link_target(real_path) if is_symlink else None
        return ContextEntry(path, kind is _DIR, is_symlink, excluded_by, link_target)

    def _add_existing(self, found: EntryList, path: str) -> None:
        if path == "":
            found.append(ContextEntry("", True, False, None))
            return
        try:
            resolved = self._resolve(path, follow_final=False)
            entry = self._entry(path, resolved) if resolved else None
        except ContextUnknown:
            found.unreadable.append(path)
            return
        if entry is not None and not entry.excluded:
            found.append(entry)

    def _match_below(
        self, found: EntryList, base: str, real_base: str, components: list[str]
    ) -> None:
        """Expand ``components`` level by level below ``base``; ``*`` never crosses a ``/``."""
        level = [(base, real_base)]
        examined = 0
        for depth, component in enumerate(components):
            last = depth == len(components) - 1
            next_level: list[tuple[str, str]] = []
            for logical_dir, real_dir in level:
                try:
                    listing = self._listing(real_dir)
                except ContextUnknown:
                    found.unreadable.append(logical_dir or ".")
                    continue
                found.truncated |= listing.truncated
                for name in listing.names:
                    examined += 1
                    if examined > MAX_ENTRIES:
                        found.truncated = True
                        return
                    if not _component_matches(component, name):
                        continue
                    kind = listing.kinds[name]
                    logical, real = _join(logical_dir, name), _join(real_dir, name)
                    if last:
                        self._add_match(found, logical, _Resolved(real, kind))
                    elif kind is _DIR:
                        next_level.append((logical, real))
            level = next_level

    def _add_match(self, found: EntryList, logical: str, resolved: _Resolved) -> None:
        try:
            entry = self._entry(logical, resolved)
        except ContextUnknown:
            found.unreadable.append(logical)
            return
        if not entry.excluded:
            found.append(entry)


def _component_matches(pattern: str, name: str) -> bool:
    try:
        return filepath_match(pattern, name)
    except ValueError:
        return False  # BuildKit ignores filepath.Match's error here: nothing matches


class _WalkRecord(NamedTuple):
    """A walk that ran to its end, replayed by the next walk of the same directory."""

    entries: list[ContextEntry]
    truncated: bool
    unreadable: list[str]


class Walk(Iterator[ContextEntry]):
    """A lazy walk below one directory; ``truncated``/``unreadable`` fill in as it goes."""

    def __init__(
        self,
        context: BuildContext,
        rel_dir: str,
        *,
        keep: Callable[[ContextEntry], bool] | None = None,
    ) -> None:
        self.truncated = False
        self.unreadable: list[str] = []
        self._context = context
        self._keep = keep
        self._examined = 0
        self._rel_dir = rel_dir
        self._replayed = context._walks.get(rel_dir)
        self._seen: list[ContextEntry] = []  # what the walk found so far, unless replayed
        if self._replayed is not None:
            self._entries: Iterator[ContextEntry] = iter(self._replayed.entries)
        else:
            self._entries = self._generate(rel_dir)

    @property
    def complete(self) -> bool:
        """True once the walk ran to its end without missing anything."""
        return not self.truncated and not self.unreadable

    def __iter__(self) -> "Walk":
        return self

    def __next__(self) -> ContextEntry:
        keep = self._keep
        for entry in self._entries:
            if self._replayed is None:
                self._seen.append(entry)
            if keep is None or keep(entry):
                return entry
        replayed = self._replayed
        if replayed is None:
            replayed = _WalkRecord(self._seen, self.truncated, list(self.unreadable))
            self._replayed = replayed
            self._context._walks[self._rel_dir] = replayed
        else:
            self.truncated, self.unreadable = replayed.truncated, list(replayed.unreadable)
        raise StopIteration

    def _generate(self, rel_dir: str) -> Iterator[ContextEntry]:
        path = normalize(rel_dir)
        if path is None:
            return
        real = ""
        if path:
            try:
                resolved = self._context._resolve(path, follow_final=True)
            except ContextUnknown:
                self.unreadable.append(path)
                return
            if resolved is None or resolved.kind is not _DIR:
                return
            real = resolved.real_path
            if self._context.ignore_state(real).pruned:
                return  # nothing below an excluded directory BuildKit skips is sent
        yield from self._below(path, real, depth=0)

    def _below(self, logical_dir: str, real_dir: str, *, depth: int) -> Iterator[ContextEntry]:
        """Sent entries below a directory; an excluded directory is reported just before its
        first sent descendant (as fsutil does), or not at all."""
        if depth >= MAX_DEPTH:
            self.truncated = True
            return
        context = self._context
        try:
            listing = context._listing(real_dir)
        except ContextUnknown:
            self.unreadable.append(logical_dir or ".")
            return
        self.truncated |= listing.truncated
        for name in listing.names:
            self._examined += 1
            if self._examined > MAX_ENTRIES:
                self.truncated = True
                return
            kind = listing.kinds[name]
            logical, real = _join(logical_dir, name), _join(real_dir, name)
            state = context.ignore_state(real)
            if state.excluded and (kind is not _DIR or state.pruned):
                continue
            is_symlink = kind is _SYMLINK
            link_target = self._link_target(real) if is_symlink else None
            entry = ContextEntry(logical, kind is _DIR, is_symlink, None, link_target)
            if kind is not _DIR:
                yield entry
            elif not state.excluded:
                yield entry
                yield from self._below(logical, real, depth=depth + 1)
            else:
                below = self._below(logical, real, depth=depth + 1)
                first = next(below, None)
                if first is not None:
                    yield entry
                    yield first
                    yield from below

    def _link_target(self, real_path: str) -> str | None:
        try:
            return self._context._link_target(real_path)
        except ContextUnknown:
            return None


def _read_ignore_file(path: Path) -> DockerIgnore:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_IGNORE_FILE_BYTES + 1)
    except OSError as exc:
        return DockerIgnore((), [PatternError(0, "", f"cannot read {path.name}: {exc.strerror}")])
    errors: list[PatternError] = []
    if len(data) > MAX_IGNORE_FILE_BYTES:
        data = data[:MAX_IGNORE_FILE_BYTES]
        message = f"{path.name} is larger than {MAX_IGNORE_FILE_BYTES} bytes: the rest is ignored"
        errors.append(PatternError(0, "", message))
    # surrogateescape keeps non-UTF-8 bytes comparable with os.scandir's names
    parsed = DockerIgnore.parse(data.decode("utf-8", errors="surrogateescape"))
    return DockerIgnore(parsed.patterns, [*errors, *parsed.errors])
