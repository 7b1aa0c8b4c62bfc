"""Image references as Docker reads them: ``[registry/]repository[:tag][@digest]``."""

from __future__ import annotations

import re
from typing import NamedTuple

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class Reference(NamedTuple):
    registry: str  # host[:port] as written; docker.io for Docker Hub
    repository: str  # library/alpine for a Docker Hub official image
    tag: str | None
    digest: str | None

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def manifest_ref(self) -> str:
        """What to ask the registry for: the digest when given, else the tag."""
        return self.digest or self.tag or "latest"


def parse_reference(text: str) -> Reference:
    """Parse ``text``; raise ValueError with the reason when it is not a reference."""
    rest, _, digest = text.partition("@")
    if digest and not _DIGEST.match(digest):
        raise ValueError(f"{text!r}: the digest must be sha256:<64 hex digits>")
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, remainder
    else:
        registry, path = DOCKER_HUB, rest
    tag = None
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, _, tag = path.rpartition(":")
        if not _TAG.match(tag):
            raise ValueError(f"{text!r}: {tag!r} is not a valid tag")
    components = path.split("/")
    if not path or not all(_COMPONENT.match(c) for c in components):
        raise ValueError(f"{text!r} is neither a file nor an image reference")
    if registry == DOCKER_HUB and len(components) == 1:
        path = f"library/{path}"
    return Reference(registry, path, tag if tag or digest else "latest", digest or None)
