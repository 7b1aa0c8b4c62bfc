"""Read an image (layout, archive or registry reference) into one model per platform variant."""

from __future__ import annotations

import codecs
import posixpath
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from mext_lint.extension import FileError
from mext_lint.metadata import Metadata, image_path, load_metadata
from mext_lint.oci.blobs import ImageError, MissingBlob, Store
from mext_lint.oci.index import Manifest, Variant, load_manifest, resolve
from mext_lint.oci.layers import (
    ContentRef,
    Member,
    MergedTree,
    Want,
    normalize,
    read_contents,
    scan_layer,
)
from mext_lint.oci.model import (
    METADATA_PATH,
    ImageFile,
    ImageVariant,
    IndexInfo,
    image_span,
    metadata_location,
)
from mext_lint.platforms import Platform
from mext_lint.simulate.tree import FileTree, Kind
from mext_lint.spans import Related, Span

MAX_METADATA_BYTES = 1024 * 1024
_METADATA_WANT = Want(head=False, limit=MAX_METADATA_BYTES + 1)


class LoadedVariant(NamedTuple):
    image: ImageVariant
    metadata: tuple[Metadata | None, FileError | None]


class LoadedImage(NamedTuple):
    info: IndexInfo
    variants: dict[Platform, LoadedVariant]  # the wanted platforms the image has


def open_store(target: str, *, insecure: bool = False) -> Store:
    """A store for a layout directory, an archive file, or else a registry reference."""
    from mext_lint.sources import display_path

    path = Path(target)
    if path.is_dir():
        from mext_lint.oci.layout import LayoutStore

        return LayoutStore(path, display_path(path))
    if path.exists():
        from mext_lint.oci.archive import ArchiveStore

        return ArchiveStore(path, display_path(path))
    from mext_lint.oci.reference import parse_reference
    from mext_lint.oci.registry import RegistryStore

    try:
        reference = parse_reference(target)
    except ValueError as error:
        raise ImageError(f"{error} (no such file or directory either)") from None
    return RegistryStore(reference, target, insecure=insecure)


def load_image(store: Store, platforms: Sequence[Platform]) -> LoadedImage:
    """The variants of ``platforms`` the image has, read; the others are only listed. A layer
    that several variants share is streamed once."""
    resolved = resolve(store)
    wanted: dict[Platform, Variant] = {}
    for platform in platforms:
        variant = next((v for v in resolved.variants if v.platform == platform), None)
        if variant is not None:
            wanted[platform] = variant
    manifests: dict[Platform, Manifest] = {}
    unavailable = []
    for platform, variant in wanted.items():
        try:
            manifests[platform] = load_manifest(store, variant)
        except MissingBlob:
            unavailable.append(platform)
    found = tuple(v.platform for v in resolved.variants)
    info = IndexInfo(store.name, resolved.is_index, found, tuple(unavailable))
    uses = Counter(d for m in manifests.values() for d in {layer.digest for layer in m.layers})
    shared = LayerCache({digest for digest, count in uses.items() if count > 1})
    variants = {
        platform: load_variant(store, platform, manifest, shared)
        for platform, manifest in manifests.items()
    }
    return LoadedImage(info, variants)


class LayerCache:
    """What scanning found in the layers more than one variant uses."""

    def __init__(self, shared: set[str]) -> None:
        self.shared = shared
        self.scanned: dict[str, tuple[list[Member], dict[str, bytes]]] = {}


def load_variant(
    store: Store, platform: Platform, manifest: Manifest, cache: LayerCache | None = None
) -> LoadedVariant:
    what = f"{store.name} ({platform})"
    tree = MergedTree()
    captured: dict[ContentRef, bytes] = {}
    for index, layer in enumerate(manifest.layers):
        scanned = cache.scanned.get(layer.digest) if cache is not None else None
        if scanned is None:
            scanned = scan_layer(store, layer, index, what, _metadata_member)
            if cache is not None and layer.digest in cache.shared:
                cache.scanned[layer.digest] = scanned
        members, contents = scanned
        tree.apply(index, members)
        captured.update(((index, raw), data) for raw, data in contents.items())
    metadata = _read_metadata(store, manifest, tree, captured, what)
    files = _read_files(store, manifest, tree, metadata[0], what)
    image = ImageVariant(
        store.name,
        platform,
        file_tree(tree, manifest, store.name),
        manifest.config,
        files,
        manifest.digest,
    )
    return LoadedVariant(image, metadata)


def _metadata_member(raw: str) -> Want | None:
    return _METADATA_WANT if normalize(raw) == METADATA_PATH else None


def _read_metadata(
    store: Store,
    manifest: Manifest,
    tree: MergedTree,
    captured: dict[ContentRef, bytes],
    what: str,
) -> tuple[Metadata | None, FileError | None]:
    entry = tree.get(METADATA_PATH)
    if entry is None or entry.kind is not Kind.FILE or entry.content is None:
        return None, None  # MX305 reports it
    shown = metadata_location(store.name)
    data = captured.get(entry.content)
    if data is None:  # reached through a link: read where its bytes are
        data = read_contents(store, manifest.layers, {entry.content: _METADATA_WANT}, what).get(
            entry.content, b""
        )
    if len(data) > MAX_METADATA_BYTES:
        return None, FileError(
            Span.point(shown, 1, 1), f"{shown} is over 1 MiB; a file this large is not read"
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, FileError(
            Span.point(shown, 1, 1), f"{shown} is not UTF-8 text (byte {error.start})"
        )
    return load_metadata(text, shown), None


def _read_files(
    store: Store,
    manifest: Manifest,
    tree: MergedTree,
    metadata: Metadata | None,
    what: str,
) -> dict[str, ImageFile]:
    """The host binaries metadata.json names, with their headers (symlinks followed)."""
    if metadata is None:
        return {}
    paths = {image_path(binary.path) for binary in metadata.host_binaries}
    entries = {posixpath.normpath(p): tree.get(p) for p in paths if p.strip("/")}
    wanted = {
        entry.content: Want(head=True)
        for entry in entries.values()
        if entry is not None and entry.kind is Kind.FILE and entry.content is not None
    }
    heads = read_contents(store, manifest.layers, wanted, what) if wanted else {}
    return {
        path: ImageFile(
            entry.kind,
            entry.mode,
            entry.size,
            heads.get(entry.content) if entry.content is not None else None,
        )
        for path, entry in entries.items()
        if entry is not None
    }


def file_tree(merged: MergedTree, manifest: Manifest, name: str) -> FileTree:
    """The merged file system as the engine's FileTree: every entry YES, nothing opaque."""
    span = image_span(name)
    added = [
        Related(span, f"layer {i + 1} ({layer.short})") for i, layer in enumerate(manifest.layers)
    ]
    removed = [
        Related(span, f"removed by a whiteout in layer {i + 1} ({layer.short})")
        for i, layer in enumerate(manifest.layers)
    ]
    base = Related(span, "the image's root")
    tree = FileTree()
    for path, entry in merged.walk():
        if entry.kind is Kind.ABSENT:
            tree.remove(path, removed[entry.layer])
            continue
        origin = added[entry.layer] if entry.layer >= 0 else base
        tree.add(path, entry.kind, origin, target=entry.target, mode=f"{entry.mode:o}")
    return tree
