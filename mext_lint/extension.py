"""An extension root and the models read from it (each file read and parsed once)."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from mext_lint.settings import Settings
from mext_lint.sources import Source, display_path, read_head, read_text
from mext_lint.spans import Span

if TYPE_CHECKING:
    from mext_lint.buildfiles import BuildFiles
    from mext_lint.compose import Compose
    from mext_lint.dockerfile.model import Dockerfile
    from mext_lint.metadata import Metadata
    from mext_lint.simulate.context import BuildContext

METADATA_NAME = "metadata.json"
DOCKERFILE_NAMES = ("Dockerfile", "Containerfile")
CONTEXT_HEAD_BYTES = 4096  # enough to tell an image file's format by its content


class FileError(NamedTuple):
    """A file that exists but could not be read or decoded."""

    span: Span
    message: str


class Extension:
    # True for an extension read from a built image (mext_lint/oci): lets checks tell without
    # importing the image code on every source lint.
    built_image: ClassVar[bool] = False

    def __init__(
        self,
        root: Path,
        dockerfile_path: Path | None,
        metadata_path: Path | None,
        context_root: Path,
        settings: Settings,
    ) -> None:
        self.root = root
        self.dockerfile_path = dockerfile_path  # None when the root has no Dockerfile
        self.metadata_path = metadata_path  # None when there is no metadata.json beside it
        self.context_root = context_root
        self.settings = settings

    @property
    def display_root(self) -> str:
        return display_path(self.root)

    @functools.cached_property
    def dockerfile_source(self) -> tuple[Dockerfile | None, FileError | None]:
        if self.dockerfile_path is None:
            return None, None
        from mext_lint.dockerfile.parser import parse_dockerfile

        shown = display_path(self.dockerfile_path)
        source = self._read_own_file(self.dockerfile_path)
        if source.text is None:
            return None, FileError(Span.point(shown, 1, 1), f"{shown} {source.error}")
        return parse_dockerfile(source.text, shown), None

    @property
    def dockerfile(self) -> Dockerfile | None:
        return self.dockerfile_source[0]

    @functools.cached_property
    def metadata_source(self) -> tuple[Metadata | None, FileError | None]:
        if self.metadata_path is None:
            return None, None
        from mext_lint.metadata import load_metadata

        shown = display_path(self.metadata_path)
        source = self._read_own_file(self.metadata_path)
        if source.text is None:
            return None, FileError(Span.point(shown, 1, 1), f"{shown} {source.error}")
        return load_metadata(source.text, shown), None

    @property
    def metadata(self) -> Metadata | None:
        return self.metadata_source[0]

    def _read_own_file(self, path: Path) -> Source:
        """Read the Dockerfile or metadata.json, unless a symlink leads out of the extension.

        Such a link is not followed: the file it names could be anything on this machine (its
        text would end up in findings), and Docker copies metadata.json through the build
        context, where a link is resolved inside the context and leads nowhere.
        """
        if path.parent == self.root and not os.path.islink(path):
            return read_text(path)  # then it resolves to the root's own real path and the name
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop: reading it reports it
            return read_text(path)
        if real != Path(os.path.abspath(path)) and not any(
            real.is_relative_to(base.resolve()) for base in (self.root, self.context_root)
        ):
            return Source(None, "is a symbolic link to a file outside the extension; not read")
        return read_text(path)

    @functools.cached_property
    def compose_path(self) -> Path | None:
        """The compose file metadata.json names, on disk in the build context."""
        metadata = self.metadata
        located = metadata.composefile if metadata is not None else None
        if located is None or not located.value.strip():
            return None
        candidate = self.context_root / located.value.lstrip("/")
        if candidate.parent == self.context_root and candidate.name != "..":
            # Not a symbolic link, it resolves to the context root's real path and the name.
            inside = not os.path.islink(candidate)
        else:
            inside = False
        try:
            inside = inside or candidate.resolve().is_relative_to(self.context_root.resolve())
        except OSError:
            return None
        return candidate if inside and os.path.isfile(candidate) else None

    @functools.cached_property
    def compose_text(self) -> str | None:
        path = self.compose_path
        return read_text(path).text if path is not None else None

    @functools.cached_property
    def compose(self) -> Compose | None:
        """The compose file vm.composefile names, read from the build context; None without one."""
        path = self.compose_path
        if path is None:
            return None
        from mext_lint.compose import load_compose, unreadable_compose

        shown = display_path(path)
        text = self.compose_text
        if text is None:
            return unreadable_compose(shown, read_text(path).error or "cannot be read")
        return load_compose(text, shown)

    @functools.cached_property
    def build_files(self) -> BuildFiles:
        """The image builds the extension's Makefile and docker-bake file run."""
        from mext_lint.buildfiles import load_build_files

        name = self.dockerfile_path.name if self.dockerfile_path else DOCKERFILE_NAMES[0]
        return load_build_files(self.root, name)

    def context_file_head(self, rel_path: str) -> bytes | None:
        """The first CONTEXT_HEAD_BYTES of the regular file the build context sends at
        ``rel_path`` (symlinks followed inside the context); None when none is sent or it cannot
        be read."""
        if rel_path not in self._context_heads:
            self._context_heads[rel_path] = self._read_context_head(rel_path)
        return self._context_heads[rel_path]

    @functools.cached_property
    def _context_heads(self) -> dict[str, bytes | None]:
        return {}

    def _read_context_head(self, rel_path: str) -> bytes | None:
        from mext_lint.simulate.context import ContextUnknown

        context = self.context
        if context is None:
            return None
        try:
            entry = context.lookup(rel_path, follow_symlinks=True)
        except ContextUnknown:
            return None
        if entry is None or entry.excluded or entry.is_dir:
            return None
        try:
            real: Path | str | None = context.disk_path(entry.rel_path)
        except ContextUnknown:
            real = None
        try:
            if real is None:  # a symlink on the way: the OS resolves it, maybe out of the context
                real = (self.context_root / entry.rel_path).resolve()
                if not real.is_relative_to(self.context_root.resolve()):
                    return None
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop on older Pythons
            return None
        return read_head(real, CONTEXT_HEAD_BYTES)  # None for a FIFO or a device: not opened

    @functools.cached_property
    def context(self) -> BuildContext | None:
        from mext_lint.simulate.context import BuildContext

        if not os.path.isdir(self.context_root):
            return None
        name = self.dockerfile_path.name if self.dockerfile_path else None
        return BuildContext.load(self.context_root, dockerfile_name=name)


def _present(path: Path) -> bool:
    """Whether ``path`` is there, a broken or looping symlink included (reading it then says
    why it cannot be read, rather than the file being reported missing)."""
    return path.exists() or path.is_symlink()


def find_dockerfile(root: Path, settings: Settings) -> Path | None:
    if settings.dockerfile:
        configured = root / settings.dockerfile
        return configured if _present(configured) else None
    for name in DOCKERFILE_NAMES:
        candidate = root / name
        if _present(candidate):
            return candidate
    return None


def open_extension(root: Path, settings: Settings) -> Extension:
    metadata = root / METADATA_NAME
    context = root / settings.context if settings.context else root
    return Extension(
        root=root,
        dockerfile_path=find_dockerfile(root, settings),
        metadata_path=metadata if _present(metadata) else None,
        context_root=context,
        settings=settings,
    )
