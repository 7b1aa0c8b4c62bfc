"""The helpers the host-binary checks (MX103-MX108) share."""

from __future__ import annotations

from mext_lint.checks.host_binaries import binary_lookup, image_path
from mext_lint.platforms import Platform
from mext_lint.simulate.build import Image
from mext_lint.simulate.tree import FileTree, Kind, Presence
from mext_lint.spans import Related, Span

ORIGIN = Related(Span.point("Dockerfile", 1, 1), "created here")


def image(tree: FileTree) -> Image:
    return Image(Platform("linux", "amd64"), tree, {}, None, [], [], [])


def test_image_path_is_absolute_and_keeps_an_absolute_path_as_is() -> None:
    path = "/darwin/kubectl"
    assert image_path(path) is path
    assert image_path("darwin/kubectl") == path
    assert image_path("//darwin/kubectl") == path
    assert image_path("") == "/"


def test_binary_lookups_are_answered_once_per_tree_and_path() -> None:
    tree = FileTree()
    tree.add("/darwin/kubectl", Kind.FILE, ORIGIN)
    variant = image(tree)
    first = binary_lookup(variant)("darwin/kubectl")
    assert first == tree.lookup("/darwin/kubectl")
    assert first.presence is Presence.YES
    assert binary_lookup(variant)("darwin/kubectl") is first  # shared by the next check
    assert binary_lookup(variant)("/linux/kubectl").presence is Presence.NO


def test_binary_lookups_of_another_tree_are_its_own() -> None:
    empty = image(FileTree())
    full = FileTree()
    full.add("/darwin/kubectl", Kind.FILE, ORIGIN)
    assert binary_lookup(empty)("/darwin/kubectl").presence is Presence.NO
    assert binary_lookup(image(full))("/darwin/kubectl").presence is Presence.YES
