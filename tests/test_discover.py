"""Finding extension roots: the walk below a directory is held to os.walk's."""

from __future__ import annotations

import fnmatch
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.discover import SKIPPED_DIRS, find_roots

NAMES = ["a", "b", "ext", "node_modules", ".git", "vendor", "ui", "x y", "é"]
MARKERS = [
    ("metadata.json", "{}"),
    ("Dockerfile", 'FROM alpine\nLABEL com.docker.desktop.extension.api.version=">= 0.3"\n'),
    ("Dockerfile", "FROM alpine\n"),  # not an extension's
    ("Containerfile", 'LABEL com.docker.desktop.extension.api.version="1"\n'),
    ("README.md", "hello"),
]


def _reference(top: Path, patterns: tuple[str, ...]) -> set[Path]:
    """The roots as the first version found them, with os.walk."""

    def excluded(path: Path) -> bool:
        text = Path(os.path.abspath(path)).as_posix()
        return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) for p in patterns)

    found = set()
    for directory, subdirs, files in os.walk(top, followlinks=False):
        here = Path(directory)
        subdirs[:] = [d for d in subdirs if d not in SKIPPED_DIRS and not excluded(here / d)]
        if excluded(here):
            continue
        names = set(files)
        if "metadata.json" in names or any(
            name in names
            and b"com.docker.desktop.extension" in (here / name).read_bytes()[: 1024 * 1024]
            for name in ("Dockerfile", "Containerfile")
        ):
            found.add(Path(os.path.abspath(here)))
    return found


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    """(directory, file name, content) entries; a content of "->d" makes a link to ``d``."""
    directories = draw(
        st.lists(
            st.lists(st.sampled_from(NAMES), min_size=0, max_size=3).map("/".join),
            min_size=1,
            max_size=8,
        )
    )
    entries = []
    for directory in directories:
        for name, content in draw(st.lists(st.sampled_from(MARKERS), max_size=2)):
            entries.append((directory, name, content))
        if draw(st.booleans()):
            target = draw(st.sampled_from(directories))
            entries.append((directory, draw(st.sampled_from(NAMES)), "->" + target))
    return entries


def _write(top: Path, entries: list[tuple[str, str, str]]) -> None:
    for directory, name, content in entries:
        path = top / directory / name
        try:  # an entry whose directory is already a file or a link is left out
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() or path.is_symlink():
                continue
            if content.startswith("->"):
                path.symlink_to(top / content[2:], target_is_directory=True)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError:
            continue


@settings(max_examples=60, deadline=None)
@given(trees(), st.sampled_from([(), ("*/vendor",), ("ext",), ("*/a/*",)]))
def test_roots_are_those_os_walk_finds(
    entries: list[tuple[str, str, str]], patterns: tuple[str, ...]
) -> None:
    with tempfile.TemporaryDirectory() as name:
        top = Path(name)
        _write(top, entries)
        assert set(find_roots([str(top)], patterns)) == _reference(top, patterns)
