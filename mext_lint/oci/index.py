"""From an image's top document to its platform variants and their manifests."""

from __future__ import annotations

from typing import NamedTuple

from mext_lint.oci.blobs import (
    INDEX_TYPES,
    Descriptor,
    ImageError,
    Store,
    parse_descriptor,
    read_document,
)
from mext_lint.platforms import Platform

_MAX_NESTING = 4
ATTESTATION = "attestation-manifest"
REF_NAME = "org.opencontainers.image.ref.name"


class Manifest(NamedTuple):
    digest: str | None  # None for a manifest made up from a docker save archive
    config: dict[str, object]
    config_digest: str
    layers: tuple[Descriptor, ...]


class Variant(NamedTuple):
    platform: Platform
    descriptor: Descriptor | None  # None when the top document is this variant's manifest
    manifest: Manifest | None  # loaded already (single-platform images)


class Resolved(NamedTuple):
    is_index: bool  # False: a single-platform image, not a multi-platform index
    variants: tuple[Variant, ...]


def normalize(platform: Platform) -> Platform:
    """containerd's normalisation: ``linux/arm64/v8`` is ``linux/arm64``, x86_64 is amd64."""
    arch, variant = platform.arch, platform.variant
    if arch in ("arm64", "aarch64"):
        return Platform(platform.os, "arm64", "" if variant in ("", "v8") else variant)
    if arch in ("x86_64", "x86-64"):
        return Platform(platform.os, "amd64", variant)
    return platform


def platform_of(data: object) -> Platform | None:
    """The platform of a descriptor's ``platform`` or an image config (os, architecture)."""
    if not isinstance(data, dict):
        return None
    os_name, arch = data.get("os"), data.get("architecture")
    variant = data.get("variant") or ""
    if not isinstance(os_name, str) or not isinstance(arch, str) or not os_name or not arch:
        return None
    return normalize(Platform(os_name.lower(), arch.lower(), str(variant).lower()))


def resolve(store: Store) -> Resolved:
    media_type, document = store.root()
    where = store.name
    for _ in range(_MAX_NESTING):
        if not _is_index(media_type, document):
            manifest = parse_manifest(store, document, None)
            platform = platform_of(manifest.config) or Platform("unknown", "unknown")
            return Resolved(False, (Variant(platform, None, manifest),))
        assert isinstance(document, dict)
        entries = document.get("manifests")
        if not isinstance(entries, list):
            raise ImageError(f"{where}: the index has no manifests list")
        images = [
            d
            for d in (parse_descriptor(e, f"{where} index") for e in entries)
            if (d.annotations or {}).get("vnd.docker.reference.type") != ATTESTATION
        ]
        placed = [(d, platform_of(d.platform)) for d in images if d.platform is not None]
        variants = [Variant(p, d, None) for d, p in placed if p is not None and p.os != "unknown"]
        if variants:
            return Resolved(True, tuple(variants))
        if len(images) != 1:
            names = sorted((d.annotations or {}).get(REF_NAME, d.short) for d in images)
            raise ImageError(
                f"{where}: the index lists {len(images)} images and no platforms"
                + (f" ({', '.join(names)}); keep one image per layout" if names else "")
            )
        media_type = images[0].media_type
        document = read_document(store, images[0], f"{where}: {images[0].short}")
    raise ImageError(f"{where}: indexes nested too deep")


def load_manifest(store: Store, variant: Variant) -> Manifest:
    if variant.manifest is not None:
        return variant.manifest
    assert variant.descriptor is not None
    what = f"{store.name} ({variant.platform} manifest)"
    document = read_document(store, variant.descriptor, what)
    return parse_manifest(store, document, variant.descriptor.digest)


def parse_manifest(store: Store, document: object, digest: str | None) -> Manifest:
    where = f"{store.name}: manifest {digest[:19] if digest else ''}".rstrip()
    if not isinstance(document, dict):
        raise ImageError(f"{where} is not a JSON object")
    if document.get("schemaVersion") == 1:
        raise ImageError(f"{where}: schema 1 manifests are not supported (push it again)")
    layers = document.get("layers")
    if not isinstance(layers, list) or "config" not in document:
        raise ImageError(f"{where} is neither an image index nor an image manifest")
    config_descriptor = parse_descriptor(document["config"], f"{where} config")
    config = read_document(store, config_descriptor, f"{where} config")
    if not isinstance(config, dict):
        raise ImageError(f"{where}: the image config is not a JSON object")
    return Manifest(
        digest,
        config,
        config_descriptor.digest,
        tuple(parse_descriptor(layer, f"{where} layer") for layer in layers),
    )


def _is_index(media_type: str, document: object) -> bool:
    if not isinstance(document, dict):
        return False
    if media_type in INDEX_TYPES or document.get("mediaType") in INDEX_TYPES:
        return True
    return "manifests" in document and "layers" not in document
