"""The tri-state file tree of one simulated image (or stage).

``lookup(path)`` answers YES (an instruction provably created it), NO (nothing in this lineage can
have created it) or UNKNOWN (an opaque step could have), each with the origins that explain it.
Checks fire on NO only.

Opacity is how "could have" is modelled: an opaque directory may hold entries nobody told us
about. A base image makes the root opaque (with a scope: stock images only hold their usual
system directories, and no image holds the extension's own paths); an unknown RUN command makes
the directories it may write to opaque. Every change carries a sequence number so that a later
removal hides an earlier opacity and a later opacity hides an earlier removal.
"""

from __future__ import annotations

import enum
import functools
import posixpath
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from mext_lint.spans import Related

Origin = Related  # the span of an instruction (or shell command) and what it did there


class Presence(enum.Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Kind(enum.Enum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    ABSENT = "absent"  # a tombstone: removed after it may have existed


class Lookup(NamedTuple):
    presence: Presence
    kind: Kind | None  # None when absent or unknown
    origins: tuple[Origin, ...]
    # The CPU a literal in the producer hard-codes (a URL with "amd64", GOARCH=arm64, a stage
    # pinned to linux/amd64), normalised to amd64/arm64; None when derived or unknown.
    arch: str | None = None
    arch_origin: Origin | None = None


class Opacity(NamedTuple):
    """Entries nobody listed may exist below the directory holding this."""

    origin: Origin
    seq: int
    # First path components (below "/") this opacity covers; None covers everything.
    scope: frozenset[str] | None = None
    # Absolute paths whose subtrees are known not to come from this source.
    spared: frozenset[str] = frozenset()

    def covers(self, path: str) -> bool:
        if self.scope is not None and path.lstrip("/").partition("/")[0] not in self.scope:
            return False
        return not self.spared or not is_spared(path, self.spared)


def is_spared(path: str, spared: frozenset[str]) -> bool:
    """Whether ``path`` is one of ``spared`` or below one of them (written with or without a
    trailing "/"). Looks up each directory of ``path``, never walks ``spared``: a metadata.json
    can name 100,000 host binaries, all spared, and each is looked up."""
    if path in spared:
        return True
    directories = _directory_forms(spared)
    if "" in directories and path.startswith("/"):  # "/" spares everything
        return True
    end = path.find("/", 1)
    while end != -1:
        if path[:end] in directories:
            return True
        end = path.find("/", end + 1)
    return False


@functools.lru_cache(maxsize=4)
def _directory_forms(spared: frozenset[str]) -> frozenset[str]:
    return frozenset(s.rstrip("/") for s in spared)


class Node:
    __slots__ = (
        "arch",
        "arch_origin",
        "certain",
        "children",
        "kind",
        "mode",
        "opacities",
        "origins",
        "seq",
        "target",
    )

    def __init__(
        self,
        kind: Kind,
        seq: int,
        certain: bool = True,
        origins: list[Origin] | None = None,
        children: dict[str, Node] | None = None,
        opacities: list[Opacity] | None = None,
        *,
        target: str | None = None,
        mode: str | None = None,
        arch: str | None = None,
        arch_origin: Origin | None = None,
    ) -> None:
        self.kind = kind
        self.seq = seq
        self.certain = certain
        self.origins: list[Origin] = [] if origins is None else origins
        self.children: dict[str, Node] = {} if children is None else children
        self.opacities: list[Opacity] = [] if opacities is None else opacities
        self.target = target  # symlink target
        self.mode = mode  # --chmod / install -m, when known
        self.arch = arch  # see Lookup.arch
        self.arch_origin = arch_origin

    def clone(self) -> Node:
        children = self.children
        return Node(
            self.kind,
            self.seq,
            self.certain,
            self.origins[:],
            {name: child.clone() for name, child in children.items()} if children else {},
            self.opacities[:],
            target=self.target,
            mode=self.mode,
            arch=self.arch,
            arch_origin=self.arch_origin,
        )


_new_tuple = tuple.__new__


def dir_presence(found: Lookup) -> Presence:
    """Whether what ``found`` found is a directory: YES, NO or UNKNOWN."""
    if found.presence is _NO:
        return _NO
    if found.kind is _DIR:
        return found.presence
    if found.kind is _FILE:
        return _NO
    return _UNKNOWN


class Entry(NamedTuple):
    """One path of the tree as ``image-tree`` shows it."""

    path: str
    kind: Kind
    presence: Presence  # YES or UNKNOWN (created under an undecidable condition)
    origins: tuple[Origin, ...]
    opaque: tuple[Origin, ...]  # why more may exist below this directory


def normalize(path: str, cwd: str = "/") -> str:
    """An absolute, lexically normalised POSIX path ("" components and ".." resolved)."""
    if path[:1] == "/":
        if path[-1:] != "/" and "//" not in path and "/." not in path:
            return path  # already normal: the usual case, without posixpath's work
        joined = path
    else:
        joined = f"{cwd}/{path}" if cwd[:1] == "/" else f"/{cwd}/{path}"
    if "//" not in joined and "/." not in joined:  # normal but for a trailing "/"
        return joined.rstrip("/") or "/"
    normal = posixpath.normpath("/" + joined.lstrip("/"))
    return "/" if normal in ("/", "//") else normal


def _parts(path: str) -> list[str]:
    normal = normalize(path)  # "/" or "/a/b": no empty component but the leading one
    return normal[1:].split("/") if normal != "/" else []


_MAX_SYMLINK_HOPS = 16
# The members as plain names: on Python 3.11 looking one up on its enum (``Kind.DIR``) takes
# type's slow attribute path, as EnumType defines __getattr__; the tree's hot loops use them.
_DIR, _FILE, _SYMLINK, _ABSENT = Kind.DIR, Kind.FILE, Kind.SYMLINK, Kind.ABSENT
_YES, _NO, _UNKNOWN = Presence.YES, Presence.NO, Presence.UNKNOWN


class _Directory(NamedTuple):
    """A directory as ``FileTree.lookup_many`` found it."""

    node: Node | None  # None when nothing is there: the walk stopped at a missing component
    tombstone: Node | None  # the removal the walk stopped at, if any
    certain: bool  # whether every directory on the way is certain
    opacities: list[Opacity]  # the opacities of the directories on the way
    # Those that may cover one entry of the directory and not another; any other covers all of
    # them or none (its scope is about the first component, which they share below the root).
    varying: list[tuple[int, Opacity]]
    # The answer for an absent entry, by the indexes of the varying opacities that cover it.
    absent: dict[tuple[int, ...], Lookup]


class FileTree:
    def __init__(self) -> None:
        self._seq = 0
        self.root = Node(_DIR, 0)
        # path -> origins of steps that would have created it but did not (on this platform)
        self._skipped: dict[str, list[Origin]] = {}
        # What readers of the finished tree work out from it and share (the checks' lookups of
        # every host binary on it): it dies with the tree, and a clone starts without it.
        self.memo: dict[str, object] = {}

    # ----------------------------------------------------------------- queries

    def lookup(self, path: str) -> Lookup:
        return self._lookup(normalize(path), 0)

    def _lookup(self, path: str, hops: int) -> Lookup:
        node = self.root
        certain = True
        applicable = node.opacities  # copied before it is extended
        parts = path[1:].split("/") if path != "/" else []  # normalised: "/" or "/a/b"
        for index, name in enumerate(parts):
            if node.kind is _SYMLINK:
                break
            child = node.children.get(name)
            if child is None or child.kind is _ABSENT:
                return self._absent(path, child, applicable)
            if child.kind is _SYMLINK and index < len(parts) - 1:
                if hops >= _MAX_SYMLINK_HOPS or child.target is None:
                    return Lookup(_UNKNOWN, None, tuple(child.origins))
                base = "/" + "/".join(parts[:index])
                rest = "/".join(parts[index + 1 :])
                return self._lookup(normalize(posixpath.join(child.target, rest), base), hops + 1)
            certain = certain and child.certain
            if child.opacities:
                applicable = [*applicable, *child.opacities]
            node = child
        presence = _YES if certain else _UNKNOWN
        return Lookup(presence, node.kind, tuple(node.origins), node.arch, node.arch_origin)

    def lookup_many(self, paths: Iterable[str]) -> list[Lookup]:
        """``lookup`` of each path, in order; paths in one directory share the walk to it, and
        those absent from it that the same opacities cover share one answer."""
        found: list[Lookup] = []
        directories: dict[str, _Directory | None] = {}
        for path in paths:
            normal = normalize(path)
            directory, _, name = normal.rpartition("/")
            if directory not in directories:
                directories[directory] = self._plain_directory(directory)
            walked = directories[directory]
            if walked is None or not name:
                found.append(self._lookup(normal, 0))
                continue
            child = walked.node.children.get(name) if walked.node is not None else None
            if child is None:
                found.append(self._absent_entry(normal, walked))
            elif child.kind is _ABSENT:
                found.append(self._absent(normal, child, walked.opacities))
            else:
                presence = _YES if walked.certain and child.certain else _UNKNOWN
                origins = tuple(child.origins)
                found.append(Lookup(presence, child.kind, origins, child.arch, child.arch_origin))
        return found

    def _plain_directory(self, directory: str) -> _Directory | None:
        """The directory at ``directory`` ("" for the root) as ``_lookup`` walks to it; None when
        a symbolic link is on the way."""
        node: Node | None = self.root
        tombstone = None
        certain = True
        applicable = self.root.opacities
        for name in directory[1:].split("/") if directory else []:
            assert node is not None
            child = node.children.get(name)
            if child is None or child.kind is _ABSENT:
                node, tombstone = None, child
                break
            if child.kind is _SYMLINK:
                return None
            certain = certain and child.certain
            if child.opacities:
                applicable = [*applicable, *child.opacities]
            node = child
        varying = [(i, o) for i, o in enumerate(applicable) if o.spared or not directory]
        return _Directory(node, tombstone, certain, applicable, varying, {})

    def _absent_entry(self, path: str, directory: _Directory) -> Lookup:
        """``_absent`` for a path with no entry in ``directory``, shared by such paths."""
        if path in self._skipped:
            return self._absent(path, directory.tombstone, directory.opacities)
        varying = directory.varying  # usually empty: no generator to build then
        covering = tuple(i for i, o in varying if o.covers(path)) if varying else ()
        answer = directory.absent.get(covering)
        if answer is None:
            answer = self._absent(path, directory.tombstone, directory.opacities)
            directory.absent[covering] = answer
        return answer

    def _absent(self, path: str, tombstone: Node | None, applicable: list[Opacity]) -> Lookup:
        """Nothing (or a removal) is recorded at ``path``: unknown if an opacity newer than the
        removal covers it, otherwise provably not there."""
        floor = tombstone.seq if tombstone is not None else -1
        opaque = [o.origin for o in applicable if o.seq > floor and o.covers(path)]
        if opaque:
            return Lookup(_UNKNOWN, None, tuple(opaque))
        origins = list(self._skipped.get(path, ()))
        if tombstone is not None:
            origins.extend(tombstone.origins)
        return Lookup(_NO, None, tuple(origins))

    def is_dir(self, path: str) -> Presence:
        return dir_presence(self.lookup(path))

    def children(self, path: str) -> dict[str, Lookup]:
        """The known entries directly below ``path`` (an opaque directory may hold more)."""
        node = self._node(normalize(path))
        if node is None:
            return {}
        base = normalize(path).rstrip("/")
        return {
            name: self.lookup(f"{base}/{name}")
            for name, child in sorted(node.children.items())
            if child.kind is not _ABSENT
        }

    def is_opaque(self, path: str) -> bool:
        """Whether entries nobody listed may exist directly below ``path``."""
        path = normalize(path)
        node = self.root
        applicable = list(node.opacities)
        for name in _parts(path):
            child = node.children.get(name)
            if child is None or child.kind is _ABSENT:
                return True
            applicable.extend(child.opacities)
            node = child
        probe = path.rstrip("/") + "/\x00"
        return any(o.covers(probe) for o in applicable)

    def skipped(self, path: str) -> tuple[Origin, ...]:
        return tuple(self._skipped.get(normalize(path), ()))

    def entries(self) -> Iterator[Entry]:
        """Every known path, depth first in name order."""

        def walk(node: Node, path: str, certain: bool) -> Iterator[Entry]:
            for name, child in sorted(node.children.items()):
                if child.kind is _ABSENT:
                    continue
                child_path = f"{path.rstrip('/')}/{name}"
                child_certain = certain and child.certain
                presence = _YES if child_certain else _UNKNOWN
                opaque = tuple(o.origin for o in child.opacities)
                yield Entry(child_path, child.kind, presence, tuple(child.origins), opaque)
                yield from walk(child, child_path, child_certain)

        yield from walk(self.root, "/", True)

    # ----------------------------------------------------------------- changes

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add(
        self,
        path: str,
        kind: Kind,
        origin: Origin,
        *,
        certain: bool = True,
        target: str | None = None,
        mode: str | None = None,
        arch: str | None = None,
        arch_origin: Origin | None = None,
    ) -> None:
        """Create ``path`` (and its missing parents as directories), like ``mkdir -p`` + write."""
        path = normalize(path)
        if path == "/":
            return
        directories = path[1:].split("/")  # normal: no empty component
        name = directories.pop()
        parent = self._ensure_parts(directories, origin, certain)
        existing = parent.children.get(name)
        self._seq += 1
        if existing is not None:
            if existing.kind is _DIR and kind is _DIR:
                existing.certain = existing.certain or certain
                existing.origins.append(origin)
                return
            if existing.kind is not _ABSENT and not certain:
                # An uncertain write over something that exists leaves something there.
                existing.origins.append(origin)
                return
        node = Node(kind, self._seq, certain, [origin])
        node.target = target
        node.mode = mode
        node.arch = arch
        node.arch_origin = arch_origin
        parent.children[name] = node

    def _ensure_dir(self, path: str, origin: Origin, certain: bool) -> Node:
        return self._ensure_parts(_parts(path), origin, certain)

    def _ensure_parts(self, parts: list[str], origin: Origin, certain: bool) -> Node:
        node = self.root
        for name in parts:
            child = node.children.get(name)
            if child is None or child.kind is _ABSENT:
                self._seq += 1
                child = Node(_DIR, self._seq, certain, [origin])
                node.children[name] = child
            elif child.kind is not _DIR:
                # A symlinked directory or a file (the build would fail): written through, it
                # becomes a real directory, which keeps the simulation simple and going.
                child.kind = _DIR
            elif certain and not child.certain:
                child.certain = True
            node = child
        return node

    def remove(self, path: str, origin: Origin, *, certain: bool = True) -> None:
        """``rm -rf path``: gone for sure (certain) or maybe gone."""
        path = normalize(path)
        node = self._node(posixpath.dirname(path))
        name = posixpath.basename(path)
        if node is None or not name:
            if certain and node is None:
                return
            return
        existing = node.children.get(name)
        if not certain:
            if existing is not None and existing.kind is not _ABSENT:
                existing.certain = False
                existing.origins.append(origin)
            return
        node.children[name] = Node(_ABSENT, self.next_seq(), True, [origin])

    def make_opaque(
        self,
        directory: str,
        origin: Origin,
        *,
        scope: frozenset[str] | None = None,
        spared: frozenset[str] = frozenset(),
    ) -> None:
        """Entries nobody listed may now exist anywhere below ``directory``."""
        directory = normalize(directory)
        node = (
            self._ensure_parts(directory[1:].split("/"), origin, False)
            if directory != "/"
            else self.root
        )
        self._seq += 1
        # tuple.__new__ as NamedTuple._make does: without the generated __new__'s Python frame
        node.opacities.append(_new_tuple(Opacity, (origin, self._seq, scope, spared)))

    def note_skipped(self, path: str, origin: Origin) -> None:
        """Record a step that would have created ``path`` but did not on this platform."""
        self._skipped.setdefault(normalize(path), []).append(origin)

    def copy_in(self, source: FileTree, src: str, dst: str, origin: Origin) -> Lookup:
        """Copy ``src`` of another tree (a stage) to ``dst`` here, as ``COPY --from`` does.

        A directory's contents are copied into ``dst``; a file becomes ``dst``. Opacity that
        covers the source travels with it, so an unknown source stays unknown here.
        """
        src = normalize(src)
        dst = normalize(dst)
        found = source.lookup(src)
        if found.presence is _NO:
            return found
        node = source._node(src)
        if node is None or found.kind is None:
            # Exists only through opacity: whatever lands at dst is unknown.
            self.make_opaque(dst, origin)
            return found
        inherited = [o for o in source._ancestor_opacities(src) if o.covers(src)]
        copied = node.clone()
        copied.opacities = [
            *(Opacity(o.origin, self.next_seq()) for o in inherited),
            *(Opacity(o.origin, self.next_seq()) for o in copied.opacities),
        ]
        self._restamp(copied, origin)
        self._copy_skipped(source, src, dst)
        certain = found.presence is _YES
        if dst == "/":
            if copied.kind is _DIR:
                self._merge_into(self.root, copied)
            return found
        parent = self._ensure_dir(posixpath.dirname(dst), origin, certain)
        name = posixpath.basename(dst)
        existing = parent.children.get(name)
        copied.certain = certain and copied.certain
        if existing is not None and existing.kind is _DIR and copied.kind is _DIR:
            self._merge_into(existing, copied)
        else:
            parent.children[name] = copied
        return found

    def _copy_skipped(self, source: FileTree, src: str, dst: str) -> None:
        """Notes on what ``src`` would have held carry over to where it is copied."""
        below = src.rstrip("/") + "/"
        # A copy (a list): ``mv a a/b`` copies within one tree, whose notes this adds to.
        for path, origins in list(source._skipped.items()):
            if path == src or path.startswith(below):
                target = normalize(path[len(src) :].lstrip("/"), dst)
                self._skipped.setdefault(target, []).extend(origins)

    def _merge_into(self, target: Node, incoming: Node) -> None:
        target.opacities.extend(incoming.opacities)
        for name, child in incoming.children.items():
            existing = target.children.get(name)
            if existing is not None and existing.kind is _DIR and child.kind is _DIR:
                existing.origins.extend(child.origins)
                self._merge_into(existing, child)
            else:
                target.children[name] = child

    def _restamp(self, node: Node, origin: Origin) -> None:
        node.seq = self.next_seq()
        node.origins = [*node.origins, origin]
        for child in node.children.values():
            self._restamp(child, origin)

    def _node(self, path: str) -> Node | None:
        node = self.root
        for name in _parts(path):
            child = node.children.get(name)
            if child is None or child.kind is _ABSENT:
                return None
            node = child
        return node

    def _ancestor_opacities(self, path: str) -> list[Opacity]:
        node = self.root
        found = list(node.opacities)
        for name in _parts(path)[:-1]:
            child = node.children.get(name)
            if child is None:
                break
            found.extend(child.opacities)
            node = child
        return found

    def clone(self) -> FileTree:
        copy = FileTree()
        copy._seq = self._seq
        copy.root = self.root.clone()
        copy._skipped = {k: list(v) for k, v in self._skipped.items()}
        return copy
