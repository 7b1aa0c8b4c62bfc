"""How the extension's image is built and published, read from its Makefile and bake file.

``docker extension init`` writes a Makefile whose ``push-extension`` target runs
``docker buildx build --push --platform=linux/amd64,linux/arm64 --tag=$(IMAGE):$(TAG) .``; other
extensions publish with ``docker buildx bake`` and a ``docker-bake.hcl``/``.json``. Both are read
into the same record: one :class:`ImageBuild` per build command or bake target. Values that depend
on something a static reader cannot know (an undefined make variable, ``$(shell ...)``, an HCL
expression) are kept as ``UNKNOWN`` marks, so that rules only ever act on what is written.
"""

import bisect
import os
import re
from pathlib import Path
from typing import NamedTuple

from mext_lint.lazy_re import compile_later
from mext_lint.sources import display_path, read_text
from mext_lint.spans import Span

UNKNOWN = "\x00"  # stands for a part of a value that cannot be known statically
MAKEFILE_NAMES = ("GNUmakefile", "makefile", "Makefile")  # the order GNU make looks in
BAKE_FILE_NAMES = ("docker-bake.hcl", "docker-bake.json")
# Outputs that stay on the build machine: such a build is a local build, never a release.
LOCAL_OUTPUTS = frozenset({"docker", "local", "tar", "oci", "cacheonly"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_REPOSITORY = compile_later(
    r"^(?:[a-z0-9.-]+(?::\d+)?/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*$"
)
_DEFAULT_REGISTRY_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


class PlatformsValue(NamedTuple):
    """The platforms one build asks for, and where they are written."""

    values: tuple[str, ...]  # as written, one platform each (may hold UNKNOWN)
    span: Span

    @property
    def known(self) -> bool:
        return all(UNKNOWN not in value for value in self.values)


class ImageBuild(NamedTuple):
    """One ``docker build``/``docker buildx build`` command, or one bake target."""

    origin: str  # e.g. 'make target "push-extension"' or 'bake target "default"'
    span: Span  # the command, or the target's label
    platforms: PlatformsValue | None  # None when no platform is asked for
    tags: tuple[str, ...]  # image references (may hold UNKNOWN)
    release: bool  # pushes to a registry (or runs in a target named for it), not a local build
    extension: bool  # builds the extension's Dockerfile from the extension root


class BuildFiles(NamedTuple):
    builds: tuple[ImageBuild, ...] = ()

    def own_repositories(self) -> frozenset[str]:
        """The image repositories the extension is built as (``docker/vm-service-extension``)."""
        found = (repository(tag) for build in self.extension_builds() for tag in build.tags)
        return frozenset(name for name in found if name is not None)

    def extension_builds(self) -> list[ImageBuild]:
        return [build for build in self.builds if build.extension]

    def build_of(self, reference: str) -> ImageBuild | None:
        """The first build that tags an image of ``reference``'s repository."""
        wanted = repository(reference)
        if wanted is None:
            return None
        return next(
            (b for b in self.extension_builds() for t in b.tags if repository(t) == wanted), None
        )


class LineIndex:
    """1-based line:column spans for offsets of one file's text."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self._starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        return Span(self.path, *self.position(start), *self.position(max(end, start + 1)))


def load_build_files(root: Path, dockerfile_name: str) -> BuildFiles:
    """Read the Makefile and bake file in ``root``; missing or unreadable files add nothing."""
    builds: list[ImageBuild] = []
    directory = os.fspath(root)

    def present(name: str) -> bool:  # on strings: a Path per candidate costs more than the stat
        return os.path.isfile(os.path.join(directory, name))

    makefile = next((root / n for n in MAKEFILE_NAMES if present(n)), None)
    if makefile is not None:
        text = read_text(makefile).text
        if text is not None:
            from mext_lint.makefile import read_makefile  # imported when there is one to read

            builds.extend(read_makefile(text, display_path(makefile), dockerfile_name))
    for name in BAKE_FILE_NAMES:
        if not present(name):
            continue
        path = root / name
        text = read_text(path).text
        if text is not None:
            from mext_lint.bakefile import read_bake_file

            builds.extend(read_bake_file(text, display_path(path), name, dockerfile_name))
    return BuildFiles(tuple(builds))


def repository(reference: str) -> str | None:
    """``docker.io/user/ext:0.1`` -> ``user/ext``; None when it is not a known, valid name."""
    name = reference.strip().lower().split("@", 1)[0]
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        name = name[:colon]
    for prefix in _DEFAULT_REGISTRY_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if name.startswith("library/"):
        name = name[len("library/") :]
    return name if _REPOSITORY.match(name) else None


def normalize_platform(value: str) -> str:
    """containerd's spelling: ``linux/arm64/v8`` and ``linux/aarch64`` are ``linux/arm64``."""
    parts = value.strip().lower().split("/")
    if len(parts) >= 2:
        arch = {"aarch64": "arm64", "x86_64": "amd64", "x86-64": "amd64"}.get(parts[1], parts[1])
        if arch == "arm64" and parts[2:] in ([], ["v8"]):
            return f"{parts[0]}/arm64"
        if arch == "amd64" and parts[2:] == []:
            return f"{parts[0]}/amd64"
        return "/".join([parts[0], arch, *parts[2:]])
    return value.strip().lower()


def output_kind(value: str) -> str | None:
    """The ``type`` of a ``--output``/``output`` value: ``type=registry`` -> "registry";
    ``type=image,push=true`` counts as "registry"; a bare path is a local export."""
    fields: dict[str, str] = {}
    for part in value.split(","):
        key, _, setting = part.partition("=")
        fields[key.strip().lower()] = setting.strip()
    kind = fields.get("type")
    if kind is None:
        return "local" if value.strip() and "=" not in value else None
    if kind == "image" and fields.get("push", "").lower() == "true":
        return "registry"
    return kind.strip().lower()
