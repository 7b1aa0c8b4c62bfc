"""The engine's models for a real image: an ``Image`` per variant and an ``Extension`` whose
metadata.json comes from that variant.

Locations: a label's finding points at the image (its path or reference as given) at 1:1 and
names the label; a finding in metadata.json points into ``<image>!/metadata.json``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from mext_lint.extension import Extension, FileError
from mext_lint.platforms import Platform
from mext_lint.settings import Settings
from mext_lint.simulate.build import Image
from mext_lint.simulate.state import LabelValue, StageInfo
from mext_lint.simulate.tree import FileTree, Kind
from mext_lint.spans import Span

if TYPE_CHECKING:
    from mext_lint.buildfiles import BuildFiles
    from mext_lint.compose import Compose
    from mext_lint.dockerfile.model import Dockerfile
    from mext_lint.metadata import Metadata
    from mext_lint.simulate.context import BuildContext

METADATA_PATH = "/metadata.json"


def image_span(name: str) -> Span:
    """Where findings about the image itself (labels, platforms) point."""
    return Span.point(name, 1, 1)


def metadata_location(name: str) -> str:
    """The path findings in the image's metadata.json carry."""
    return f"{name}!{METADATA_PATH}"


class ImageFile(NamedTuple):
    """A host binary metadata.json names, as the variant holds it (symlinks followed)."""

    kind: Kind
    mode: int
    size: int
    head: bytes | None  # an executable's header (see oci.binaries); None when not read


class IndexInfo(NamedTuple):
    """What the image offers: every variant of the index (MX601)."""

    name: str
    is_index: bool
    platforms: tuple[Platform, ...]
    # Listed in the index, but the store lacks their manifest (docker save of one platform).
    unavailable: tuple[Platform, ...] = ()


class ImageVariant(Image):
    """One platform variant of a real image: everything in ``tree`` is YES, nothing is opaque."""

    built_image: ClassVar[bool] = True

    def __init__(
        self,
        name: str,
        platform: Platform,
        tree: FileTree,
        config: Mapping[str, object],
        files: dict[str, ImageFile],
        manifest_digest: str | None,
    ) -> None:
        final = final_stage(name, platform)
        labels = labels_of(config, name)
        env = env_of(config)
        super().__init__(
            platform, tree, labels, final, [final], [], [], env=env, workdir=workdir_of(config)
        )
        self.name = name
        self.manifest_digest = manifest_digest
        self.files = files

    @property
    def labels_complete(self) -> bool:
        return True  # the config holds every label, the base image's included


class ImageExtension(Extension):
    """An extension read from one variant of an image, not from a source directory."""

    built_image: ClassVar[bool] = True

    def __init__(
        self,
        root: Path,
        settings: Settings,
        info: IndexInfo,
        metadata_read: tuple[Metadata | None, FileError | None],
    ) -> None:
        super().__init__(root, None, None, root, settings)
        self.info = info
        self.metadata_read = metadata_read
        # With --source: the source extension's simulated variants (MX604).
        self.simulated: Mapping[Platform, Image] = {}

    @functools.cached_property
    def dockerfile_source(self) -> tuple[Dockerfile | None, FileError | None]:
        return None, None

    @functools.cached_property
    def metadata_source(self) -> tuple[Metadata | None, FileError | None]:
        return self.metadata_read

    @functools.cached_property
    def compose_path(self) -> Path | None:
        return None

    @functools.cached_property
    def compose(self) -> Compose | None:
        return None

    @functools.cached_property
    def build_files(self) -> BuildFiles:
        from mext_lint.buildfiles import BuildFiles

        return BuildFiles()

    @functools.cached_property
    def context(self) -> BuildContext | None:
        return None


def image_extension(
    info: IndexInfo,
    metadata: tuple[Metadata | None, FileError | None],
    settings: Settings,
    root: Path,
) -> ImageExtension:
    """``root``: where configuration is looked up (the --source directory or the current one)."""
    return ImageExtension(root, settings, info, metadata)


def labels_of(config: Mapping[str, object], name: str) -> dict[str, LabelValue]:
    """The image config's labels, each located at the image."""
    inner = config.get("config")
    raw = inner.get("Labels") if isinstance(inner, dict) else None
    span = image_span(name)
    if not isinstance(raw, dict):
        return {}
    return {
        str(k): LabelValue(str(k), "" if v is None else str(v), span, span) for k, v in raw.items()
    }


def env_of(config: Mapping[str, object]) -> dict[str, str | None]:
    inner = config.get("config")
    items = inner.get("Env") if isinstance(inner, dict) else None
    env: dict[str, str | None] = {}
    for item in items if isinstance(items, list) else ():
        key, _, value = str(item).partition("=")
        env[key] = value
    return env


def workdir_of(config: Mapping[str, object]) -> str:
    inner = config.get("config")
    workdir = inner.get("WorkingDir") if isinstance(inner, dict) else None
    return workdir if isinstance(workdir, str) and workdir else "/"


def final_stage(name: str, platform: Platform) -> StageInfo:
    """The image stands for its own final stage: findings about it point at the image."""
    span = image_span(name)
    return StageInfo(0, None, span, name, span, None, None, None, platform)
