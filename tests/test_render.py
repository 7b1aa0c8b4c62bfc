"""``mext-lint image-tree`` output: the simulated tree of each variant, as text and as JSON."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from mext_lint.dockerfile.parser import parse_dockerfile
from mext_lint.platforms import Platform
from mext_lint.simulate.build import Image, simulate
from mext_lint.simulate.context import BuildContext
from mext_lint.simulate.render import render_tree_json, render_tree_text

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64")

DOCKERFILE = """\
FROM scratch AS dl
ARG TARGETARCH
RUN mkdir -p /out/darwin && touch /out/darwin/tool
RUN if [ "$TARGETARCH" = amd64 ]; then mkdir -p /out/windows && touch /out/windows/tool.exe; fi
FROM alpine
COPY metadata.json .
COPY --from=dl /out /
ADD https://example.com/bin/linux/amd64/tool /linux/
"""


def images(tmp_path: Path, dockerfile: str = DOCKERFILE) -> list[Image]:
    (tmp_path / "metadata.json").write_text("{}", encoding="utf-8")
    parsed = parse_dockerfile(dockerfile, "ext/Dockerfile")
    context = BuildContext.load(tmp_path, "Dockerfile")
    return [simulate(parsed, p, context=context) for p in (AMD64, ARM64)]


def test_text_shows_each_variant_as_an_aligned_tree(tmp_path: Path) -> None:
    expected = textwrap.dedent("""\
        linux/amd64: final stage #1 (Dockerfile:5, from alpine)
        /                  dir     yes
        ⋯ may hold more in its system directories: base image alpine (Dockerfile:5)
        ├── darwin/        dir     yes      Dockerfile:3, Dockerfile:7
        │   └── tool       file    yes      Dockerfile:3, Dockerfile:7
        ├── linux/         dir     yes      Dockerfile:8
        │   └── tool       file    yes      Dockerfile:8  [amd64]
        ├── metadata.json  file    yes      Dockerfile:6
        └── windows/       dir     yes      Dockerfile:4, Dockerfile:7
            └── tool.exe   file    yes      Dockerfile:4, Dockerfile:7

        linux/arm64: final stage #1 (Dockerfile:5, from alpine)
        /                  dir     yes
        ⋯ may hold more in its system directories: base image alpine (Dockerfile:5)
        ├── darwin/        dir     yes      Dockerfile:3, Dockerfile:7
        │   └── tool       file    yes      Dockerfile:3, Dockerfile:7
        ├── linux/         dir     yes      Dockerfile:8
        │   └── tool       file    yes      Dockerfile:8  [amd64]
        └── metadata.json  file    yes      Dockerfile:6
        """)
    assert render_tree_text(images(tmp_path)) == expected


def test_text_marks_unknown_paths_and_why_a_directory_may_hold_more(tmp_path: Path) -> None:
    dockerfile = """\
FROM scratch
RUN if [ -f /flag ]; then mkdir -p /maybe; fi
COPY --from=ghcr.io/acme/tools:1 /bin/ /tools/
"""
    text = render_tree_text(images(tmp_path, dockerfile)[:1])
    lines = text.splitlines()
    assert lines[1].split() == ["/", "dir", "yes"]
    assert [line.split()[:4] for line in lines[2:4]] == [
        ["├──", "maybe/", "dir", "unknown"],
        ["└──", "tools/", "dir", "unknown"],
    ]
    assert lines[4] == (
        "    ⋯ may hold more: copied from image ghcr.io/acme/tools:1 by COPY --from (Dockerfile:3)"
    )


def test_text_lists_the_problems_of_a_variant(tmp_path: Path) -> None:
    dockerfile = "FROM alpine\nCOPY missing.txt /\nCOPY --from=7 /x /x\n"
    text = render_tree_text(images(tmp_path, dockerfile)[:1])
    assert "! cannot build: Dockerfile:3: COPY --from=7: invalid stage index 7" in text
    assert '! build context: Dockerfile:2: COPY missing.txt: "missing.txt" does not exist' in text


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = render_tree_text(images(tmp_path))
    assert render_tree_text(images(tmp_path)) == first
    assert json.dumps(render_tree_json(images(tmp_path))) == json.dumps(
        render_tree_json(images(tmp_path))
    )


def test_json_has_entries_origins_and_opacity(tmp_path: Path) -> None:
    amd64, arm64 = render_tree_json(images(tmp_path))
    assert json.loads(json.dumps(amd64)) == amd64  # plain JSON types only
    assert amd64["platform"] == "linux/amd64"
    assert amd64["final_stage"] == {
        "index": 1,
        "name": None,
        "base": "alpine",
        "path": "ext/Dockerfile",
        "line": 5,
        "column": 1,
    }
    assert [s["name"] for s in amd64["stages"]] == ["dl", None]
    paths = [entry["path"] for entry in amd64["entries"]]
    assert paths == [
        "/darwin",
        "/darwin/tool",
        "/linux",
        "/linux/tool",
        "/metadata.json",
        "/windows",
        "/windows/tool.exe",
    ]
    assert "/windows/tool.exe" not in [entry["path"] for entry in arm64["entries"]]
    tool = amd64["entries"][3]
    assert (tool["kind"], tool["presence"], tool["arch"]) == ("file", "yes", "amd64")
    assert [(o["line"], o["message"]) for o in tool["origins"]] == [
        (8, "downloaded from https://example.com/bin/linux/amd64/tool by ADD")
    ]
    [base] = amd64["root"]["may_hold_more"]
    assert base["message"] == "base image alpine" and "usr" in base["scope"]
    assert amd64["problems"] == [] and amd64["copy_problems"] == []
