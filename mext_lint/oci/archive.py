"""Image archives: an OCI layout in a tar (``buildx --output type=oci``, newer ``docker save``),
or the legacy ``docker save`` format (``manifest.json``, ``<id>/layer.tar``, ``<hex>.json``).

The tar is read in place: its headers are indexed once (seeking over the data), then each blob
is read from its offset. Nothing is extracted.
"""

from __future__ import annotations

import hashlib
import posixpath
import tarfile
from pathlib import Path
from typing import IO

from mext_lint.oci.blobs import (
    MAX_DOCUMENT_BYTES,
    Descriptor,
    ImageError,
    MissingBlob,
    parse_json,
    read_bounded,
)

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
_END_MARKER = 2 * tarfile.BLOCKSIZE  # two zero blocks end every tar archive
_COMPRESSED = {b"\x1f\x8b": "gzip", b"\x28\xb5": "zstd", b"BZ": "bzip2", b"\xfd7": "xz"}


class ArchiveStore:
    def __init__(self, path: Path, name: str) -> None:
        self.name = name
        try:
            with path.open("rb") as handle:
                magic = handle.read(2)
            kind = _COMPRESSED.get(magic)
            if kind is not None:
                raise ImageError(
                    f"{name}: the archive is {kind}-compressed; decompress it first (mext-lint"
                    " reads a plain tar in place, as buildx and docker save write it)"
                )
            self._tar = tarfile.open(path, mode="r:")  # noqa: SIM115 (closed by close())
            members = self._tar.getmembers()
            if members and not _ends_cleanly(path, _end_of(members[-1])):
                self._tar.close()
                raise ImageError(f"{name}: the archive is truncated (no end-of-archive marker)")
            self._members = {_clean(info.name): info for info in members if not info.isdir()}
        except (tarfile.TarError, EOFError) as error:
            raise ImageError(f"{name}: not a readable tar archive: {error}") from None
        except OSError as error:
            raise ImageError(f"{name}: cannot read: {error.strerror or error}") from None
        self._legacy: dict[str, str] = {}  # digest -> member, for docker save layers
        self._legacy_root: dict[str, object] | None = None
        if "index.json" not in self._members:
            if "manifest.json" not in self._members:
                self._tar.close()
                raise ImageError(
                    f"{name}: neither an OCI archive (index.json) nor a docker save archive"
                    " (manifest.json)"
                )
            self._legacy_root = self._read_legacy()

    def root(self) -> tuple[str, object]:
        if self._legacy_root is not None:
            return DOCKER_MANIFEST, self._legacy_root
        data = self._member_bytes("index.json")
        return "application/vnd.oci.image.index.v1+json", parse_json(
            data, f"{self.name} index.json"
        )

    def open_blob(self, descriptor: Descriptor) -> IO[bytes]:
        algorithm, _, encoded = descriptor.digest.partition(":")
        member = self._legacy.get(descriptor.digest, f"blobs/{algorithm}/{encoded}")
        handle = self._open_member(member)
        if handle is None:
            raise MissingBlob(f"{self.name}: blob {descriptor.digest} is missing ({member})")
        return handle

    def close(self) -> None:
        self._tar.close()

    # -- members ---------------------------------------------------------------------------

    def _open_member(self, member: str) -> IO[bytes] | None:
        info = self._members.get(_clean(member))
        if info is None:
            return None
        try:
            return self._tar.extractfile(info)
        except (tarfile.TarError, KeyError) as error:
            raise ImageError(f"{self.name}: cannot read {member}: {error}") from None

    def _member_bytes(self, member: str) -> bytes:
        handle = self._open_member(member)
        if handle is None:
            raise ImageError(f"{self.name}: {member} is missing from the archive")
        try:
            data = read_bounded(handle, MAX_DOCUMENT_BYTES + 1)
        except (OSError, tarfile.TarError, EOFError) as error:
            raise ImageError(f"{self.name}: cannot read {member}: {error}") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ImageError(f"{self.name}: {member} is too large")
        return data

    # -- legacy docker save ------------------------------------------------------------------

    def _read_legacy(self) -> dict[str, object]:
        """A manifest made from manifest.json: config by its digest, layers by diff_id."""
        entries = parse_json(self._member_bytes("manifest.json"), f"{self.name} manifest.json")
        if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
            raise ImageError(f"{self.name}: manifest.json does not list an image")
        if len(entries) > 1:
            tags = [", ".join(e.get("RepoTags") or ["?"]) for e in entries if isinstance(e, dict)]
            raise ImageError(
                f"{self.name}: the archive holds {len(entries)} images ({'; '.join(tags)});"
                " save one image per archive"
            )
        entry = entries[0]
        config_name = entry.get("Config")
        layers = entry.get("Layers")
        if not isinstance(config_name, str) or not isinstance(layers, list):
            raise ImageError(f"{self.name}: manifest.json lacks Config or Layers")
        config_bytes = self._member_bytes(config_name)
        config_digest = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
        stem = posixpath.basename(config_name).removesuffix(".json")
        if len(stem) == 64 and config_digest != f"sha256:{stem}":
            raise ImageError(
                f"{self.name}: digest mismatch: {config_name} hashes to {config_digest[:19]}"
            )
        config = parse_json(config_bytes, f"{self.name} {config_name}")
        rootfs = config.get("rootfs") if isinstance(config, dict) else None
        diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
        if not isinstance(diff_ids, list) or len(diff_ids) != len(layers):
            raise ImageError(
                f"{self.name}: {config_name} lists {len(diff_ids or [])} layer digests for"
                f" {len(layers)} layers"
            )
        self._legacy[config_digest] = config_name
        descriptors: list[dict[str, object]] = []
        for layer, diff_id in zip(layers, diff_ids, strict=True):
            info = self._members.get(_clean(str(layer)))
            if info is None:
                raise ImageError(f"{self.name}: layer {layer} is missing from the archive")
            self._legacy[str(diff_id)] = str(layer)
            descriptors.append(
                {"mediaType": DOCKER_LAYER, "digest": diff_id, "size": _data_size(self, info)}
            )
        return {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST,
            "config": {
                "mediaType": DOCKER_CONFIG,
                "digest": config_digest,
                "size": len(config_bytes),
            },
            "layers": descriptors,
        }


def _data_size(store: ArchiveStore, info: tarfile.TarInfo) -> int:
    """The size of a member's data, through a symlink (docker save links repeated layers)."""
    seen = 0
    while info.issym() and seen < 16:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(info.name), info.linkname))
        found = store._members.get(_clean(target))
        if found is None:
            raise ImageError(f"{store.name}: {info.name} links to a missing {target}")
        info, seen = found, seen + 1
    return info.size


def _ends_cleanly(path: Path, end: int) -> bool:
    """Whether the two zero blocks that end a tar archive follow its last member."""
    with path.open("rb") as handle:
        handle.seek(end)
        return handle.read(_END_MARKER) == bytes(_END_MARKER)


def _end_of(info: tarfile.TarInfo) -> int:
    """Where the member's data, padded to whole blocks, ends."""
    blocks = -(-info.size // tarfile.BLOCKSIZE) if info.isreg() else 0
    return info.offset_data + blocks * tarfile.BLOCKSIZE


def _clean(name: str) -> str:
    return posixpath.normpath("/" + name).lstrip("/")
