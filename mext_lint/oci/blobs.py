"""Blobs as the stores hand them out: descriptors, verified streams, bounded JSON documents."""

from __future__ import annotations

import hashlib
import json
import re
from typing import NamedTuple, Protocol

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024  # manifests, indexes and configs are read whole
_READ_CHUNK = 64 * 1024
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")

INDEX_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
MANIFEST_TYPES = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }
)


class ImageError(Exception):
    """The image cannot be read: missing, corrupt, unreachable. One line, exit code 2."""


class MissingBlob(ImageError):
    """The store does not hold a blob the image refers to."""


class Descriptor(NamedTuple):
    media_type: str
    digest: str
    size: int | None  # None when the format does not say (a docker save layer)
    platform: dict[str, object] | None = None
    annotations: dict[str, str] | None = None

    @property
    def short(self) -> str:
        return self.digest[:19]


def parse_descriptor(data: object, where: str) -> Descriptor:
    """A descriptor from a manifest or index, checked."""
    if not isinstance(data, dict):
        raise ImageError(f"{where}: a descriptor is not a JSON object")
    digest = data.get("digest")
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        shown = digest if isinstance(digest, str) else type(digest).__name__
        raise ImageError(f"{where}: unsupported or malformed digest {shown!r} (want sha256:...)")
    size = data.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ImageError(f"{where}: descriptor {digest[:19]} has no valid size")
    media_type = data.get("mediaType")
    platform = data.get("platform")
    annotations = data.get("annotations")
    return Descriptor(
        media_type if isinstance(media_type, str) else "",
        digest,
        size,
        platform if isinstance(platform, dict) else None,
        {str(k): str(v) for k, v in annotations.items()} if isinstance(annotations, dict) else None,
    )


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class Store(Protocol):
    """Where an image's blobs come from."""

    name: str  # how findings name the image: the path or reference as given

    def root(self) -> tuple[str, object]:
        """The top document (an index or a manifest): its media type and parsed JSON."""
        ...

    def open_blob(self, descriptor: Descriptor) -> Readable:
        """The blob's bytes; wrap in ``Verified`` to check them."""
        ...

    def close(self) -> None: ...


class Verified:
    """Reads a blob and checks its size and sha256 once the end is reached (``finish``)."""

    def __init__(self, raw: Readable, descriptor: Descriptor, what: str) -> None:
        self._raw = raw
        self._descriptor = descriptor
        self._what = what
        self._hash = hashlib.sha256()
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._raw.read(size)
        except OSError as error:
            raise ImageError(f"{self._what}: cannot read: {error}") from None
        self._hash.update(data)
        self._read += len(data)
        expected = self._descriptor.size
        if expected is not None and self._read > expected:
            raise ImageError(
                f"{self._what}: blob {self._descriptor.short} is larger than the {expected}"
                " bytes its descriptor declares"
            )
        return data

    def finish(self) -> None:
        """Read what is left and check the digest; raise ImageError on a mismatch."""
        while self.read(_READ_CHUNK):
            pass
        expected = self._descriptor.size
        if expected is not None and self._read != expected:
            raise ImageError(
                f"{self._what}: blob {self._descriptor.short} has {self._read} bytes, its"
                f" descriptor declares {expected} (truncated?)"
            )
        actual = "sha256:" + self._hash.hexdigest()
        if actual != self._descriptor.digest:
            raise ImageError(
                f"{self._what}: digest mismatch: blob {self._descriptor.short} hashes to"
                f" {actual[:19]} (corrupt or tampered)"
            )

    def close(self) -> None:
        self._raw.close()


def read_bounded(source: Readable, limit: int) -> bytes:
    """Up to ``limit`` bytes, read in chunks (a large read would reserve ``limit`` at once)."""
    parts: list[bytes] = []
    total = 0
    while total < limit:
        data = source.read(min(_READ_CHUNK, limit - total))
        if not data:
            break
        parts.append(data)
        total += len(data)
    return b"".join(parts)


def read_document(store: Store, descriptor: Descriptor, what: str) -> object:
    """A JSON blob (manifest, index, config), verified and parsed."""
    if descriptor.size is not None and descriptor.size > MAX_DOCUMENT_BYTES:
        raise ImageError(f"{what}: {descriptor.short} is {descriptor.size} bytes, too large")
    reader = Verified(store.open_blob(descriptor), descriptor, what)
    try:
        data = read_bounded(reader, MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ImageError(f"{what}: {descriptor.short} is too large for a JSON document")
        reader.finish()
    finally:
        reader.close()
    return parse_json(data, f"{what} {descriptor.short}")


def parse_json(data: bytes, what: str) -> object:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ImageError(f"{what} is not valid JSON: {error}") from None
