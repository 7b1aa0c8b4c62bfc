"""The short cuts taken when reading an extension's own files and the heads of context files
(no symbolic link on the way: no path resolution) give what the full definitions give."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from mext_lint.extension import CONTEXT_HEAD_BYTES, Extension, open_extension
from mext_lint.settings import Settings
from mext_lint.simulate.context import ContextUnknown
from mext_lint.sources import Source, read_text


def _own_file_by_resolving(extension: Extension, path: Path) -> Source:
    """Extension._read_own_file as first written: always through Path.resolve."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return read_text(path)
    if real != Path(os.path.abspath(path)) and not any(
        real.is_relative_to(base.resolve()) for base in (extension.root, extension.context_root)
    ):
        return Source(None, "is a symbolic link to a file outside the extension; not read")
    return read_text(path)


def _context_head_by_resolving(extension: Extension, rel_path: str) -> bytes | None:
    """Extension._read_context_head as first written: the OS resolves the path, then checks."""
    context = extension.context
    assert context is not None
    try:
        entry = context.lookup(rel_path, follow_symlinks=True)
    except ContextUnknown:
        return None
    if entry is None or entry.excluded or entry.is_dir:
        return None
    try:
        real = (extension.context_root / entry.rel_path).resolve()
        if not real.is_relative_to(extension.context_root.resolve()):
            return None
        if not stat.S_ISREG(os.stat(real).st_mode):
            return None
        with real.open("rb") as handle:
            return handle.read(CONTEXT_HEAD_BYTES)
    except (OSError, RuntimeError):
        return None


def _plain(root: Path, outside: Path) -> None:
    (root / "Dockerfile").write_text("FROM scratch\n")
    (root / "metadata.json").write_text("{}")


def _links_inside(root: Path, outside: Path) -> None:
    (root / "real.Dockerfile").write_text("FROM alpine\n")
    (root / "Dockerfile").symlink_to("real.Dockerfile")
    (root / "sub").mkdir()
    (root / "sub" / "meta.json").write_text('{"a": 1}')
    (root / "metadata.json").symlink_to(root / "sub" / "meta.json")


def _links_outside(root: Path, outside: Path) -> None:
    (outside / "Dockerfile").write_text("FROM secret\n")
    (root / "Dockerfile").symlink_to(outside / "Dockerfile")
    (root / "metadata.json").symlink_to("../outside/Dockerfile")


def _odd_files(root: Path, outside: Path) -> None:
    (root / "Dockerfile").mkdir()
    (root / "metadata.json").symlink_to("metadata.json")  # a loop
    os.mkfifo(root / "fifo")


def _broken(root: Path, outside: Path) -> None:
    (root / "Dockerfile").symlink_to("missing")
    (root / "metadata.json").symlink_to(outside / "missing")


LAYOUTS: list[Callable[[Path, Path], None]] = [
    _plain,
    _links_inside,
    _links_outside,
    _odd_files,
    _broken,
]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and FIFOs")
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.__name__)
@pytest.mark.parametrize("linked_root", [False, True])
def test_own_files_read_as_by_resolving(
    tmp_path: Path, layout: Callable[[Path, Path], None], linked_root: bool
) -> None:
    real_root = tmp_path / "extension"
    outside = tmp_path / "outside"
    real_root.mkdir()
    outside.mkdir()
    layout(real_root, outside)
    root = real_root
    if linked_root:  # the root itself reached through a symbolic link
        root = tmp_path / "link"
        root.symlink_to(real_root)
    for settings in (Settings(), Settings(dockerfile="./Dockerfile")):
        extension = open_extension(root, settings)
        for path in (root / "Dockerfile", root / "metadata.json", root / "fifo", root / "no"):
            expected = _own_file_by_resolving(extension, path)
            assert extension._read_own_file(path) == expected, path


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and FIFOs")
@pytest.mark.parametrize("linked_root", [False, True])
def test_context_heads_read_as_by_resolving(tmp_path: Path, linked_root: bool) -> None:
    real_root = tmp_path / "extension"
    outside = tmp_path / "outside"
    (real_root / "bin" / "deep").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    (real_root / "Dockerfile").write_text("FROM scratch\n")
    (real_root / "bin" / "tool").write_bytes(b"\x7fELF" + bytes(5000))
    (real_root / "bin" / "deep" / "tool.exe").write_bytes(b"MZ")
    (real_root / "bin" / "relative").symlink_to("tool")
    (real_root / "bin" / "absolute").symlink_to("/bin/tool")  # the context's, for BuildKit
    (real_root / "bin" / "escape").symlink_to(outside / "secret")
    (real_root / "linked").symlink_to("bin/deep")
    (real_root / "ignored").write_bytes(b"ignored")
    (real_root / ".dockerignore").write_text("ignored\n")
    os.mkfifo(real_root / "bin" / "fifo")
    root = real_root
    if linked_root:
        root = tmp_path / "link"
        root.symlink_to(real_root)
    names = [
        "bin/tool",
        "/bin/tool",
        "./bin//deep/../tool",
        "bin/deep/tool.exe",
        "linked/tool.exe",
        "bin/relative",
        "bin/absolute",
        "bin/escape",
        "bin/fifo",
        "bin",
        "ignored",
        "missing",
        "../outside/secret",
        "",
    ]
    extension = open_extension(root, Settings())
    for name in names:
        assert extension._read_context_head(name) == _context_head_by_resolving(extension, name)
    assert extension._read_context_head("bin/tool") == b"\x7fELF" + bytes(CONTEXT_HEAD_BYTES - 4)


def test_a_directory_or_an_unreadable_path_is_not_read(tmp_path: Path) -> None:
    assert read_text(tmp_path) == Source(None, "is a directory, not a file")
    error = read_text(tmp_path / "missing").error
    assert error is not None and error.startswith("cannot be read: No such file")


def _compose_path_by_resolving(extension: Extension) -> Path | None:
    """Extension.compose_path as first written: always through Path.resolve."""
    metadata = extension.metadata
    located = metadata.composefile if metadata is not None else None
    if located is None or not located.value.strip():
        return None
    candidate = extension.context_root / located.value.lstrip("/")
    try:
        inside = candidate.resolve().is_relative_to(extension.context_root.resolve())
    except OSError:
        return None
    return candidate if inside and candidate.is_file() else None


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.parametrize(
    "named",
    [
        "docker-compose.yaml",
        "/docker-compose.yaml",
        "./docker-compose.yaml",
        "inside.yaml",
        "outside.yaml",
        "dangling.yaml",
        "folder.yaml",
        "sub/c.yaml",
        "sub/../docker-compose.yaml",
        "..",
        "../outside/c.yaml",
        "missing.yaml",
        " ",
    ],
)
@pytest.mark.parametrize("linked_root", [False, True])
def test_compose_path_found_as_by_resolving(tmp_path: Path, named: str, linked_root: bool) -> None:
    real_root = tmp_path / "extension"
    outside = tmp_path / "outside"
    (real_root / "sub").mkdir(parents=True)
    (real_root / "folder.yaml").mkdir()
    outside.mkdir()
    (outside / "c.yaml").write_text("services: {}\n")
    (real_root / "docker-compose.yaml").write_text("services: {}\n")
    (real_root / "sub" / "c.yaml").write_text("services: {}\n")
    (real_root / "inside.yaml").symlink_to("sub/c.yaml")
    (real_root / "outside.yaml").symlink_to(outside / "c.yaml")
    (real_root / "dangling.yaml").symlink_to("nowhere")
    metadata = {"vm": {"composefile": named}}
    (real_root / "metadata.json").write_text(json.dumps(metadata))
    root = real_root
    if linked_root:
        root = tmp_path / "link"
        root.symlink_to(real_root)
    extension = open_extension(root, Settings())
    assert extension.compose_path == _compose_path_by_resolving(extension)


@pytest.mark.parametrize("size", [0, 1, 1000, 65535, 65536, 65537, 200_000])
@pytest.mark.parametrize("limit", [1, 1001, 65536, 10 * 1024 * 1024 + 1])
@pytest.mark.parametrize("expected", [0, 1, 1001, 200_001])
def test_reading_with_os_read_gives_what_a_file_object_reads(
    tmp_path: Path, size: int, limit: int, expected: int
) -> None:
    """_read_up_to against the file object it replaces, whatever size the caller expected (a
    file may grow, or report no size, as /proc files do)."""
    from mext_lint.sources import _read_up_to

    path = tmp_path / "f"
    path.write_bytes(bytes(range(256)) * (size // 256) + bytes(size % 256))
    with path.open("rb") as handle:
        wanted = handle.read(limit)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _read_up_to(fd, limit, expected) == wanted
    finally:
        os.close(fd)


def _display_path_by_relpath(path: Path) -> str:
    """display_path as first written: always through os.path.relpath."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


@pytest.mark.parametrize("cwd", ["/", "/tmp", "/tmp/a", "/tmp/a b"])
@pytest.mark.parametrize(
    "path",
    [
        "/", "/tmp", "/tmp/", "/tmp/a", "/tmp/a/", "/tmp/ab", "/tmp/a b/c", "/tmp/a/.hidden",
        "/tmp/a/..x", "/tmp/a/../a/f", "/tmp/./a/f", "/tmp//a/f", "/tmp/a/.", "/tmp/a/..",
        "/other/x", "/tmpx/a", "relative/x", "./x", "../x", ".", "/tmp/a/é/ü.json",
    ],
)  # fmt: skip
def test_display_path_is_what_relpath_gives(
    monkeypatch: pytest.MonkeyPatch, cwd: str, path: str
) -> None:
    from mext_lint.sources import display_path

    monkeypatch.setattr(os, "getcwd", lambda: cwd)  # relpath asks os.getcwd too
    assert display_path(Path(path)) == _display_path_by_relpath(Path(path))
