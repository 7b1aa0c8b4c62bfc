"""The file tree: its spared paths (what a base image we cannot see into is taken not to
provide) and its path normalisation."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from mext_lint.simulate.tree import FileTree, Presence, is_spared, normalize
from mext_lint.spans import Related, Span

ORIGIN = Related(Span("Dockerfile", 1, 1, 1, 5), "base image org/base")
names = st.sampled_from(["a", "b", "darwin", "kubectl", "x.exe", ""])
paths = st.lists(names, min_size=0, max_size=4).map(lambda parts: "/" + "/".join(parts))
written = st.tuples(paths, st.sampled_from(["", "/", "//"])).map(lambda pair: pair[0] + pair[1])


def spared_by_definition(path: str, spared: frozenset[str]) -> bool:
    return any(path == s or path.startswith(s.rstrip("/") + "/") for s in spared)


@given(paths, st.frozensets(written, max_size=6))
def test_is_spared_is_the_path_or_one_of_its_directories_being_spared(
    path: str, spared: frozenset[str]
) -> None:
    assert is_spared(path, spared) == spared_by_definition(path, spared)


def test_an_unseen_base_image_spares_the_binaries_metadata_names() -> None:
    binaries = frozenset(f"/darwin/tool{i}" for i in range(50_000))
    tree = FileTree()
    tree.make_opaque("/", ORIGIN, spared=binaries | {"/ui/"})
    assert tree.lookup("/darwin/tool49999").presence is Presence.NO
    assert tree.lookup("/ui/index.html").presence is Presence.NO
    assert tree.lookup("/ui").presence is Presence.UNKNOWN  # "/ui/" spares what is below it
    assert tree.lookup("/darwin/other").presence is Presence.UNKNOWN
    found = tree.lookup_many(sorted(binaries))
    assert {lookup.presence for lookup in found} == {Presence.NO}


def _normalize_by_posixpath(path: str, cwd: str = "/") -> str:
    """normalize as first written: posixpath's join and normpath for every path."""
    joined = posixpath.join(cwd or "/", path)
    normal = posixpath.normpath("/" + joined.lstrip("/"))
    return "/" if normal in ("/", "//") else normal


_PATH_TEXT = st.text(alphabet="/.ab", max_size=12)


@given(_PATH_TEXT, _PATH_TEXT)
def test_normalize_is_posixpath_join_and_normpath(path: str, cwd: str) -> None:
    assert normalize(path, cwd) == _normalize_by_posixpath(path, cwd)
    assert normalize(path) == _normalize_by_posixpath(path)
