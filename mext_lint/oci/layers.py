"""Layers, streamed: each tar is read once front to back (never extracted), its entries merged
into one file tree with OCI whiteouts applied (``.wh.name`` removes a lower entry,
``.wh..wh..opq`` empties a lower directory; later layers win), and only wanted files are read.
"""

from __future__ import annotations

import gzip
import importlib
import posixpath
import tarfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any, NamedTuple

from mext_lint.oci.binaries import HEAD_BYTES, bytes_needed
from mext_lint.oci.blobs import Descriptor, ImageError, Readable, Store, Verified, read_bounded
from mext_lint.simulate.tree import Kind

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
_MAX_SYMLINK_HOPS = 16
_MAGIC_BYTES = 4

ContentRef = tuple[int, str]  # (layer index, member name as stored in that layer's tar)


class Member(NamedTuple):
    path: str  # absolute, normalised
    raw: str  # the name as stored in the tar
    kind: Kind  # FILE, DIR, SYMLINK; hard links are FILE with ``link`` set
    mode: int
    size: int
    link: str | None  # symlink target, or the hard link's target path


class Entry:
    """One path of the merged file system."""

    __slots__ = ("children", "content", "kind", "layer", "mode", "size", "target")

    def __init__(
        self,
        kind: Kind,
        layer: int,
        mode: int = 0,
        size: int = 0,
        *,
        target: str | None = None,
        content: ContentRef | None = None,
    ) -> None:
        self.kind = kind  # ABSENT: removed by a whiteout in ``layer``
        self.layer = layer
        self.mode = mode
        self.size = size
        self.target = target  # symlink target
        self.content = content  # where a regular file's bytes are
        self.children: dict[str, Entry] = {}


class Want(NamedTuple):
    """What to read of a file: ``head`` (an executable's header) or up to ``limit`` bytes."""

    head: bool
    limit: int = HEAD_BYTES


class MergedTree:
    def __init__(self) -> None:
        self.root = Entry(Kind.DIR, -1, 0o755)

    def apply(self, layer: int, members: list[Member]) -> None:
        """Lay ``members`` (one layer, in tar order) over the tree."""
        for member in members:
            name = posixpath.basename(member.path)
            if name == OPAQUE:
                directory = self._get(posixpath.dirname(member.path), follow=False)
                if directory is not None and directory.kind is Kind.DIR:
                    for child in directory.children:
                        directory.children[child] = Entry(Kind.ABSENT, layer)
            elif name.startswith(WHITEOUT):
                parent = self._get(posixpath.dirname(member.path), follow=False)
                if parent is not None and parent.kind is Kind.DIR:
                    parent.children[name[len(WHITEOUT) :]] = Entry(Kind.ABSENT, layer)
        for member in members:
            if not posixpath.basename(member.path).startswith(WHITEOUT):
                self._add(layer, member)

    def _add(self, layer: int, member: Member) -> None:
        if member.path == "/":
            self.root.mode = member.mode
            return
        parent = self._ensure_dir(posixpath.dirname(member.path), layer)
        name = posixpath.basename(member.path)
        existing = parent.children.get(name)
        if member.kind is Kind.DIR:
            if existing is not None and existing.kind is Kind.DIR:
                existing.mode = member.mode
                return
            parent.children[name] = Entry(Kind.DIR, layer, member.mode)
            return
        if member.kind is Kind.SYMLINK:
            parent.children[name] = Entry(Kind.SYMLINK, layer, member.mode, target=member.link)
            return
        content: ContentRef | None = (layer, member.raw)
        size = member.size
        if member.link is not None:  # a hard link shares its target's bytes
            target = self._get(member.link, follow=False)
            content = target.content if target is not None else None
            size = target.size if target is not None else 0
        parent.children[name] = Entry(Kind.FILE, layer, member.mode, size, content=content)

    def _ensure_dir(self, path: str, layer: int) -> Entry:
        node = self.root
        for name in _parts(path):
            child = node.children.get(name)
            if child is None or child.kind is not Kind.DIR:
                child = Entry(Kind.DIR, layer, 0o755)
                node.children[name] = child
            node = child
        return node

    def get(self, path: str) -> Entry | None:
        """The entry at ``path``, symlinks followed (None when absent or a loop)."""
        return self._get(path, follow=True)

    def removed_by(self, path: str) -> int | None:
        """The layer whose whiteout removed ``path``, if one did."""
        found = self._get(path, follow=False, keep_absent=True)
        return found.layer if found is not None and found.kind is Kind.ABSENT else None

    def _get(
        self, path: str, *, follow: bool, keep_absent: bool = False, hops: int = 0
    ) -> Entry | None:
        parts = _parts(path)
        node = self.root
        walked = "/"
        for index, name in enumerate(parts):
            child = node.children.get(name)
            if child is None:
                return None
            if child.kind is Kind.ABSENT:
                return child if keep_absent and index == len(parts) - 1 else None
            last = index == len(parts) - 1
            if child.kind is Kind.SYMLINK and (follow or not last) and child.target is not None:
                if hops >= _MAX_SYMLINK_HOPS:
                    return None
                rest = "/".join(parts[index + 1 :])
                resolved = posixpath.join(walked, child.target, rest)
                return self._get(resolved, follow=follow, keep_absent=keep_absent, hops=hops + 1)
            walked = posixpath.join(walked, name)
            node = child
        return node

    def walk(self) -> Iterator[tuple[str, Entry]]:
        """Every path (tombstones included), parents before children, in name order."""
        stack = [("/", self.root)]
        while stack:
            path, node = stack.pop()
            for name in sorted(node.children, reverse=True):
                child = node.children[name]
                stack.append((posixpath.join(path, name), child))
            if path != "/":
                yield path, node


def _parts(path: str) -> list[str]:
    return [p for p in posixpath.normpath("/" + path.lstrip("/")).split("/") if p]


def normalize(name: str) -> str:
    """A member name as an absolute path ("./a/b" and "a/b" are "/a/b")."""
    return posixpath.normpath("/" + name.lstrip("/"))


# ---------------------------------------------------------------------- streaming


def scan_layer(
    store: Store,
    layer: Descriptor,
    index: int,
    what: str,
    wanted: Callable[[str], Want | None],
) -> tuple[list[Member], dict[str, bytes]]:
    """Every member of one layer, and the bytes of the members ``wanted`` (by stored name)
    tells to read."""
    members: list[Member] = []
    found: dict[str, bytes] = {}
    where = f"{what}: layer {index + 1} ({layer.short})"
    verified = Verified(store.open_blob(layer), layer, where)
    try:
        with _open_tar(verified, layer.media_type, where) as tar:
            for info in tar:
                member = _member(info)
                if member is not None:
                    members.append(member)
                want = wanted(info.name)
                if want is not None and info.isreg():
                    found[info.name] = _read(tar, info, want)
        verified.finish()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise ImageError(f"{where} is corrupt: {error}") from None
    finally:
        verified.close()
    return members, found


def _member(info: tarfile.TarInfo) -> Member | None:
    path = normalize(info.name)
    mode = info.mode & 0o7777
    if info.isdir():
        return Member(path, info.name, Kind.DIR, mode, 0, None)
    if info.issym():
        return Member(path, info.name, Kind.SYMLINK, mode, 0, info.linkname)
    if info.islnk():
        return Member(path, info.name, Kind.FILE, mode, 0, normalize(info.linkname))
    if info.isreg() or info.ischr() or info.isblk() or info.isfifo():
        return Member(path, info.name, Kind.FILE, mode, info.size, None)
    return None


def _read(tar: tarfile.TarFile, info: tarfile.TarInfo, want: Want) -> bytes:
    handle = tar.extractfile(info)
    if handle is None:
        return b""
    if not want.head:
        return read_bounded(handle, want.limit)
    data = handle.read(HEAD_BYTES)
    need = bytes_needed(data)
    if need > len(data) and len(data) == HEAD_BYTES:
        data += handle.read(need - len(data))
    return data


class _Prefixed:
    """A stream whose first bytes were read ahead to tell its compression."""

    def __init__(self, raw: Readable) -> None:
        self._raw = raw
        self.magic = raw.read(_MAGIC_BYTES)
        self._pending = self.magic

    def read(self, size: int = -1) -> bytes:
        if self._pending:
            if size < 0:
                data, self._pending = self._pending + self._raw.read(), b""
                return data
            data, self._pending = self._pending[:size], self._pending[size:]
            if len(data) < size:
                data += self._raw.read(size - len(data))
            return data
        return self._raw.read(size)

    def close(self) -> None:
        pass


def _open_tar(raw: Readable, media_type: str, where: str) -> tarfile.TarFile:
    stream = _Prefixed(raw)
    source: Any = stream
    if stream.magic[:2] == b"\x1f\x8b":
        source = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[call-overload]
    elif stream.magic == b"\x28\xb5\x2f\xfd" or "zstd" in media_type:
        source = _zstd_reader(stream, where)
    tar_stream: IO[bytes] = source
    return tarfile.open(fileobj=tar_stream, mode="r|")


def _zstd_reader(stream: _Prefixed, where: str) -> Any:
    try:
        zstandard = importlib.import_module("zstandard")
    except ImportError:
        raise ImageError(
            f"{where} is zstd-compressed; install the zstandard module to read it"
            " (pip install 'mext-lint[zstd]')"
        ) from None
    return _ZstdReader(zstandard.ZstdDecompressor().stream_reader(stream), zstandard.ZstdError)


class _ZstdReader:
    """zstandard's stream reader, its errors turned into OSError (corrupt data) for the caller."""

    def __init__(self, reader: Any, error: type[Exception]) -> None:
        self._reader = reader
        self._error = error

    def read(self, size: int = -1) -> bytes:
        try:
            data: bytes = self._reader.read(size)
        except self._error as error:
            raise OSError(f"zstd: {error}") from None
        return data


def read_contents(
    store: Store,
    layers: tuple[Descriptor, ...],
    wanted: Mapping[ContentRef, Want],
    what: str,
) -> dict[ContentRef, bytes]:
    """The ``wanted`` files' bytes, streaming only the layers that hold them."""
    by_layer: dict[int, dict[str, Want]] = {}
    for (layer, raw), want in wanted.items():
        by_layer.setdefault(layer, {})[raw] = want
    found: dict[ContentRef, bytes] = {}
    for layer, names in sorted(by_layer.items()):
        _, contents = scan_layer(store, layers[layer], layer, what, names.get)
        found.update(((layer, raw), data) for raw, data in contents.items())
    return found
