"""A stage that every platform builds the same way is simulated once (shared_stages.py): the
result must be what simulating each platform on its own gives."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given

from mext_lint.dockerfile.parser import parse_dockerfile
from mext_lint.platforms import Platform
from mext_lint.simulate import build
from mext_lint.simulate.build import Image, simulate, simulate_platforms
from mext_lint.simulate.context import BuildContext
from mext_lint.simulate.render import render_tree_text
from mext_lint.simulate.tree import Presence
from tests.test_fuzz import DOCKERFILES, TEMPLATE_DOCKERFILES, budget

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64")
ARMV7 = Platform("linux", "arm", "v7")
PLATFORMS = (AMD64, ARM64, ARMV7)


def _context(tmp: Path) -> BuildContext:
    for name in ("metadata.json", "docker.svg", "ui/index.html", "src/main.go", "out/a"):
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text("x\n", encoding="utf-8")
    return BuildContext(tmp)


def _described(image: Image) -> tuple[object, ...]:
    """Everything a check or `image-tree` reads of an image."""
    stages = [
        (s.index, s.name, s.base, s.parent, s.platform_flag, s.platform) for s in image.stages
    ]
    final = image.final.index if image.final is not None else None
    return (
        render_tree_text([image]),
        image.problems,
        image.copy_problems,
        stages,
        final,
        sorted(image.labels.items()),
        sorted(image.env.items()),
        image.workdir,
        image.user,
        image.cmd,
        image.entrypoint,
        image.labels_complete,
    )


def _each_alone(text: str, platforms: Sequence[Platform], context: BuildContext | None) -> None:
    dockerfile = parse_dockerfile(text, "Dockerfile")
    together = simulate_platforms(dockerfile, platforms, context=context)
    for platform in platforms:
        alone = simulate(parse_dockerfile(text, "Dockerfile"), platform, context=context)
        assert _described(together[platform]) == _described(alone), platform


@budget(150)
@given(DOCKERFILES)
def test_shared_simulation_is_each_platform_simulated_alone(text: str) -> None:
    _each_alone(text, PLATFORMS, None)


@pytest.mark.parametrize("text", TEMPLATE_DOCKERFILES)
def test_real_shaped_dockerfiles_with_a_context(text: str, tmp_path: Path) -> None:
    _each_alone(text, PLATFORMS, _context(tmp_path))


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """(platform, stage name) of each stage walked instruction by instruction."""
    seen: list[tuple[str, str]] = []
    original = build._Simulation._simulate

    def counting(self: build._Simulation, stage: build.Stage) -> build.StageState:
        seen.append((str(self.platform), stage.name or str(stage.index)))
        return original(self, stage)

    monkeypatch.setattr(build._Simulation, "_simulate", counting)
    yield seen


def _simulated(text: str) -> dict[Platform, Image]:
    dockerfile = parse_dockerfile(textwrap.dedent(text), "Dockerfile")
    return simulate_platforms(dockerfile, (AMD64, ARM64), context=None)


def test_a_build_platform_stage_is_walked_once(walked: list[tuple[str, str]]) -> None:
    images = _simulated(
        """\
        FROM --platform=$BUILDPLATFORM node:20-alpine AS ui
        WORKDIR /ui
        RUN mkdir -p build && touch build/index.html
        FROM alpine AS downloads
        ARG TARGETARCH
        RUN mkdir /out && curl -o /out/tool https://x/tool-$TARGETARCH
        FROM alpine
        COPY --from=ui /ui/build /ui
        COPY --from=downloads /out /
        """
    )
    assert walked.count(("linux/amd64", "ui")) == 1
    assert ("linux/arm64", "ui") not in walked
    assert walked.count(("linux/arm64", "downloads")) == 1  # it reads TARGETARCH
    assert ("linux/arm64", "2") in walked  # it copies from a stage that differs
    for platform, image in images.items():
        assert image.has("/ui/index.html").presence is Presence.YES
        assert image.has("/tool").presence is Presence.YES
        assert [s.platform for s in image.stages] == [None, platform, platform]


def test_a_stage_without_platform_inputs_is_shared_with_its_own_platform(
    walked: list[tuple[str, str]],
) -> None:
    images = _simulated(
        """\
        FROM alpine
        RUN apk add --no-cache curl && mkdir /linux && curl -o /linux/jq https://x/jq
        """
    )
    assert walked == [("linux/amd64", "0")]
    assert images[AMD64].tree is images[ARM64].tree
    assert images[ARM64].final is not None and images[ARM64].final.platform == ARM64
    assert images[ARM64].has("/linux/jq").presence is Presence.YES


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine\nARG TARGETARCH\nRUN mkdir /$TARGETARCH\n",
        "ARG V=$TARGETARCH\nFROM alpine\nARG V\nRUN mkdir /$V\n",
        "FROM alpine AS a-amd64\nFROM alpine AS a-arm64\nRUN mkdir /arm\nFROM a-${TARGETARCH}\n",
        "FROM alpine AS d\nARG TARGETARCH\nRUN mkdir /$TARGETARCH\n"
        "FROM alpine\nCOPY --from=d / /\n",
        "FROM alpine AS d\nARG TARGETPLATFORM\n"
        "FROM alpine\nRUN --mount=from=d,target=/m cp -r /m /x\n",
    ],
)
def test_a_stage_reading_the_platform_is_walked_per_platform(
    text: str, walked: list[tuple[str, str]]
) -> None:
    _simulated(text)
    last = str(text.count("FROM") - 1)
    assert ("linux/amd64", last) in walked and ("linux/arm64", last) in walked


def test_a_pinned_stage_is_shared_and_keeps_its_pin(walked: list[tuple[str, str]]) -> None:
    images = _simulated(
        """\
        FROM --platform=linux/amd64 golang AS build
        RUN go build -o /out/tool .
        FROM alpine
        ARG TARGETARCH
        COPY --from=build /out/tool /linux/tool
        """
    )
    assert walked.count(("linux/amd64", "build")) == 1
    assert ("linux/arm64", "build") not in walked
    for image in images.values():
        lookup = image.has("/linux/tool")
        assert lookup.presence is Presence.YES and lookup.arch == "amd64"
        assert image.stages[0].platform == AMD64


def test_problems_of_a_shared_stage_are_raised_on_every_platform() -> None:
    images = _simulated(
        """\
        FROM alpine AS build
        RUN mkdir /out
        FROM alpine
        COPY --from=build /out/missing /x
        """
    )
    for image in images.values():
        assert [p.message for p in image.problems] == [
            "COPY --from=build: /out/missing is not in stage build, so the build fails"
        ]


def test_a_cycle_is_reported_on_every_platform() -> None:
    images = _simulated("FROM alpine AS a\nCOPY --from=b / /\nFROM a AS b\n")
    for image in images.values():
        assert any("circular dependency" in p.message for p in image.problems)
