"""From the paths a user (or pre-commit) passes to the extension roots to lint."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from mext_lint.extension import DOCKERFILE_NAMES, METADATA_NAME
from mext_lint.sources import read_head

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".idea",
        ".vscode",
        "vendor",
        "dist",
    }
)
EXTENSION_LABEL_HINT = b"com.docker.desktop.extension"
_LABEL_SNIFF_BYTES = 1024 * 1024


class DiscoveryError(Exception):
    """A path given on the command line does not exist."""


def find_roots(paths: Iterable[str], exclude: Iterable[str] = ()) -> list[Path]:
    """Extension roots below or around ``paths``, deduplicated, in a stable order."""
    patterns = tuple(exclude)
    roots: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            raise DiscoveryError(f"{raw}: no such file or directory")
        if path.is_dir():
            roots.update(_roots_below(path, patterns))
        else:
            root = _root_of_file(path)
            if root is not None and not _excluded(root, patterns):
                roots.add(root)
    return sorted(roots, key=lambda root: root.as_posix())


def _roots_below(top: Path, patterns: tuple[str, ...]) -> Iterator[Path]:
    """What ``os.walk(top)`` would visit (symbolic links to directories are not entered,
    unreadable directories are passed over), with plain strings: a tree of 1,000 extensions
    has thousands of directories, and this runs before any of them is linted."""
    pending = [os.path.abspath(top)]
    while pending:
        directory = pending.pop()
        files, subdirs = _entries(directory)
        subdirs = [d for d in subdirs if d not in SKIPPED_DIRS]
        if patterns:
            here = Path(directory)
            subdirs = [d for d in subdirs if not _excluded(here / d, patterns)]
        pending.extend(os.path.join(directory, d) for d in subdirs)
        if patterns and _excluded(Path(directory), patterns):
            continue
        if METADATA_NAME in files or any(
            name in files and _looks_like_extension_dockerfile(Path(directory, name))
            for name in DOCKERFILE_NAMES
        ):
            yield Path(directory)


def _entries(directory: str) -> tuple[set[str], list[str]]:
    """The names of ``directory``'s files and of the subdirectories to walk into."""
    files: set[str] = set()
    subdirs: list[str] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    walked = entry.is_dir() and not entry.is_symlink()
                    is_file = not entry.is_dir()
                except OSError:
                    walked, is_file = False, True
                if walked:
                    subdirs.append(entry.name)
                elif is_file:
                    files.add(entry.name)
    except OSError:
        pass
    return files, subdirs


def _root_of_file(path: Path) -> Path | None:
    """The root a single file belongs to: pre-commit passes files, not directories."""
    directory = path.parent
    if (directory / METADATA_NAME).is_file():
        return _normal(directory)
    if path.name in DOCKERFILE_NAMES or path.name.endswith(".Dockerfile"):
        return _normal(directory) if _looks_like_extension_dockerfile(path) else None
    # A compose file or an asset: the nearest enclosing directory holding metadata.json.
    for ancestor in _normal(directory).parents:
        if (ancestor / METADATA_NAME).is_file():
            return _normal(ancestor)
    return None


def _looks_like_extension_dockerfile(path: Path | str) -> bool:
    head = read_head(path, _LABEL_SNIFF_BYTES)  # None for a FIFO: opening one would block
    return head is not None and EXTENSION_LABEL_HINT in head


def _excluded(path: Path, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return False
    text = _normal(path).as_posix()
    return any(
        fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(path.name, pattern)
        for pattern in patterns
    )


def _normal(path: Path) -> Path:
    return Path(os.path.abspath(path))
