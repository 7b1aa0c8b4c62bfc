"""Splitting a Dockerfile into stages, asked again for the same Dockerfile."""

from __future__ import annotations

from mext_lint.dockerfile.parser import parse_dockerfile
from mext_lint.simulate.stages import split_stages
from mext_lint.simulate.tree import FileTree, Opacity
from mext_lint.spans import Related, Span

TEXT = "ARG V=1\nFROM alpine AS base\nRUN true\nFROM base\nCOPY a b\n"


def test_a_dockerfile_split_again_gives_the_same_split() -> None:
    first = parse_dockerfile(TEXT, "Dockerfile")
    split = split_stages(first)
    again = split_stages(first)  # the same split, not a new one (a compiled tuple is re-boxed)
    assert all(a is b for a, b in zip(again[1], split[1], strict=True))
    preamble, stages = split
    assert [i.keyword for i in preamble] == ["ARG"]
    assert [(s.index, s.name, len(s.body)) for s in stages] == [(0, "base", 1), (1, None, 1)]
    other = parse_dockerfile(TEXT.replace("AS base", "AS other"), "Dockerfile")
    assert [s.name for s in split_stages(other)[1]] == ["other", None]
    again = split_stages(first)  # split anew after another Dockerfile
    assert again is not split
    assert again[0] == preamble
    assert [(s.index, s.name, s.instruction, s.body) for s in again[1]] == [
        (s.index, s.name, s.instruction, s.body) for s in stages
    ]


def test_opacities_are_opacities() -> None:
    origin = Related(Span("Dockerfile", 1, 1, 1, 2), "RUN")
    tree = FileTree()
    tree.make_opaque("/usr", origin, scope=frozenset({"usr"}))
    tree.make_opaque("/", origin)
    opacity = tree.root.children["usr"].opacities[0]
    assert type(opacity) is Opacity
    assert opacity == Opacity(origin, 2, frozenset({"usr"}))
    assert (opacity.origin, opacity.seq, opacity.scope, opacity.spared) == (
        origin,
        2,
        frozenset({"usr"}),
        frozenset(),
    )
    assert tree.root.opacities == [Opacity(origin, 3)]
