"""The merged file tree of layers: OCI whiteouts against a plain model of path sets."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.oci.layers import OPAQUE, WHITEOUT, Member, MergedTree
from mext_lint.simulate.tree import Kind

NAMES = st.sampled_from(["a", "b", "c"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))
MEMBERS = st.one_of(
    PATHS.map(lambda p: Member(p, p, Kind.FILE, 0o644, 1, None)),
    PATHS.map(lambda p: Member(p, p, Kind.DIR, 0o755, 0, None)),
    PATHS.map(lambda p: Member(whiteout_of(p), p, Kind.FILE, 0o644, 0, None)),
    PATHS.map(lambda p: Member(f"{p}/{OPAQUE}", p, Kind.FILE, 0o644, 0, None)),
)


def whiteout_of(path: str) -> str:
    head, name = posixpath.split(path)
    return posixpath.join(head, WHITEOUT + name)


def below(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip("/") + "/")


def model(layers: list[list[Member]]) -> dict[str, Kind]:
    """Overlay semantics on a flat path -> kind map."""
    files: dict[str, Kind] = {}
    for layer in layers:
        lower = dict(files)
        for member in layer:
            head, name = posixpath.split(member.path)
            if name == OPAQUE:
                for path in [p for p in lower if below(p, head)]:
                    files.pop(path, None)
            elif name.startswith(WHITEOUT):
                gone = posixpath.join(head, name[len(WHITEOUT) :])
                for path in [p for p in lower if p == gone or below(p, gone)]:
                    files.pop(path, None)
        for member in layer:
            if posixpath.basename(member.path).startswith(WHITEOUT):
                continue
            parts = member.path.strip("/").split("/")
            for depth in range(1, len(parts)):
                parent = "/" + "/".join(parts[:depth])
                if files.get(parent) is not Kind.DIR:
                    for path in [p for p in files if below(p, parent)]:
                        del files[path]
                    files[parent] = Kind.DIR
            if member.kind is not Kind.DIR or files.get(member.path) is not Kind.DIR:
                for path in [p for p in files if below(p, member.path)]:
                    del files[path]
                files[member.path] = member.kind
    return files


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(MEMBERS, max_size=6), min_size=1, max_size=4))
def test_merged_tree_agrees_with_the_overlay_model(layers: list[list[Member]]) -> None:
    tree = MergedTree()
    for index, layer in enumerate(layers):
        tree.apply(index, layer)
    merged = {path: entry.kind for path, entry in tree.walk() if entry.kind is not Kind.ABSENT}
    assert merged == model(layers)


def test_a_whiteout_in_a_layer_spares_that_layer_s_own_entries() -> None:
    tree = MergedTree()
    tree.apply(0, [Member("/d/x", "d/x", Kind.FILE, 0o755, 1, None)])
    tree.apply(
        1,
        [
            Member("/d/y", "d/y", Kind.FILE, 0o644, 1, None),
            Member(f"/d/{OPAQUE}", "", Kind.FILE, 0o644, 0, None),
        ],
    )
    assert tree.get("/d/x") is None and tree.removed_by("/d/x") == 1
    found = tree.get("/d/y")
    assert found is not None and found.content == (1, "d/y")
