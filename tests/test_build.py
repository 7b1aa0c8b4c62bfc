"""The build simulator on the shapes real extensions use, for linux/amd64 and linux/arm64."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from mext_lint.dockerfile.parser import parse_dockerfile
from mext_lint.platforms import Platform
from mext_lint.simulate.build import UNKNOWN_WORKDIR, Image, simulate
from mext_lint.simulate.context import BuildContext
from mext_lint.simulate.tree import Kind, Presence

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64")
BOTH = pytest.mark.parametrize("platform", [AMD64, ARM64], ids=str)

YES, NO, UNKNOWN = Presence.YES, Presence.NO, Presence.UNKNOWN


def build(
    dockerfile: str,
    platform: Platform = AMD64,
    *,
    context: Path | None = None,
    files: Mapping[str, str] = {},
    build_args: Mapping[str, str] | None = None,
    extension_paths: frozenset[str] = frozenset(),
    target: str | None = None,
) -> Image:
    """Simulate ``dockerfile``; ``files`` make up the build context in ``context``."""
    if context is not None:
        for name, content in files.items():
            path = context / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    parsed = parse_dockerfile(textwrap.dedent(dockerfile).lstrip(), "Dockerfile")
    return simulate(
        parsed,
        platform,
        context=BuildContext.load(context, "Dockerfile") if context is not None else None,
        build_args=build_args,
        extension_paths=extension_paths,
        target=target,
    )


def presence(image: Image, path: str) -> Presence:
    return image.has(path).presence


def messages(image: Image) -> list[str]:
    return [problem.message for problem in image.problems]


# ---------------------------------------------------------------------- Docker's kubectl example

KUBECTL = r"""
    FROM alpine AS dl
    WORKDIR /tmp
    RUN apk add --no-cache curl tar
    ARG TARGETARCH
    RUN <<EOT ash
        mkdir -p /out/darwin
        curl -fSsLo /out/darwin/kubectl "https://dl.k8s.io/release/$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/darwin/${TARGETARCH}/kubectl"
        chmod a+x /out/darwin/kubectl
    EOT
    RUN <<EOT ash
        if [ "amd64" = "$TARGETARCH" ]; then
            mkdir -p /out/windows
            curl -fSsLo /out/windows/kubectl.exe "https://dl.k8s.io/release/$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/windows/amd64/kubectl.exe"
        fi
    EOT

    FROM alpine
    LABEL org.opencontainers.image.title="kubectl"
    COPY --from=dl /out /
    """


@BOTH
def test_kubectl_example_ships_darwin_kubectl_on_both(platform: Platform) -> None:
    image = build(KUBECTL, platform)
    found = image.has("/darwin/kubectl")
    assert (found.presence, found.kind) == (YES, Kind.FILE)
    lines = {origin.span.line for origin in found.origins}
    assert {7, 19} <= lines  # the curl in the heredoc, then the COPY --from
    assert image.problems == [] and image.copy_problems == []


def test_kubectl_example_windows_exe_on_amd64_only() -> None:
    assert presence(build(KUBECTL, AMD64), "/windows/kubectl.exe") is YES
    missing = build(KUBECTL, ARM64).has("/windows/kubectl.exe")
    assert missing.presence is NO
    assert [origin.span.line for origin in missing.origins] == [13]
    assert "amd64" in missing.origins[0].message


@BOTH
def test_forgotten_arg_targetarch_is_empty_in_run(platform: Platform) -> None:
    """Without ``ARG TARGETARCH`` the variable is empty in RUN: no Windows binary anywhere."""
    image = build(KUBECTL.replace("    ARG TARGETARCH\n", ""), platform)
    assert presence(image, "/windows/kubectl.exe") is NO
    assert presence(image, "/darwin/kubectl") is YES


@BOTH
def test_kubectl_example_stages_and_final(platform: Platform) -> None:
    image = build(KUBECTL, platform)
    assert [(s.index, s.name, s.base) for s in image.stages] == [
        (0, "dl", "alpine"),
        (1, None, "alpine"),
    ]
    assert image.final == image.stages[-1]
    assert image.final.platform == platform
    assert image.labels["org.opencontainers.image.title"].value == "kubectl"


# ---------------------------------------------------------------------- stages chosen by TARGETARCH

DOWNLOADERS = """
    FROM alpine AS downloader-amd64
    RUN wget -O /kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl
    FROM downloader-${TARGETARCH} AS downloader
    FROM alpine
    COPY --from=downloader /kubectl /linux/kubectl
    """


def test_per_arch_downloader_stage_resolves_on_amd64() -> None:
    image = build(DOWNLOADERS, AMD64)
    assert image.problems == []
    assert presence(image, "/linux/kubectl") is YES
    assert [s.name for s in image.stages] == ["downloader-amd64", "downloader", None]
    assert image.stages[1].parent == 0


def test_missing_per_arch_stage_is_a_problem_on_arm64_only() -> None:
    image = build(DOWNLOADERS, ARM64)
    [problem] = image.problems  # reported once, not again at the COPY --from that follows
    assert problem.span.line == 3
    assert '"downloader-arm64"' in problem.message and "linux/arm64" in problem.message
    assert [related.span.line for related in problem.related] == [1]
    assert presence(image, "/linux/kubectl") is UNKNOWN


def test_copy_from_a_stage_template_resolves_per_platform() -> None:
    dockerfile = """
        FROM alpine AS bin-amd64
        RUN touch /tool
        FROM alpine AS bin-arm64
        RUN touch /tool
        FROM scratch
        COPY --from=bin-${TARGETARCH} /tool /darwin/tool
        """
    for platform in (AMD64, ARM64):
        image = build(dockerfile, platform)
        assert image.problems == []
        assert presence(image, "/darwin/tool") is YES
        assert [s.name for s in image.stages] == [f"bin-{platform.arch}", None]


def test_copy_from_a_stage_template_missing_one_arch() -> None:
    dockerfile = """
        FROM alpine AS bin-amd64
        RUN touch /tool
        FROM scratch
        COPY --from=bin-${TARGETARCH} /tool /darwin/tool
        """
    assert build(dockerfile, AMD64).problems == []
    image = build(dockerfile, ARM64)
    assert len(image.problems) == 1 and '"bin-arm64"' in image.problems[0].message
    assert presence(image, "/darwin/tool") is UNKNOWN


def test_from_a_later_stage_built_from_a_template_is_a_problem() -> None:
    dockerfile = """
        FROM tools-${TARGETARCH} AS final
        FROM alpine AS tools-amd64
        """
    image = build(dockerfile, AMD64, target="final")
    assert len(image.problems) == 1 and "defined after" in image.problems[0].message


def test_from_an_unknown_arg_is_an_unknown_base_without_a_problem() -> None:
    image = build("""
        ARG BASE
        FROM ${BASE}
        """)
    assert image.problems == []
    assert image.final is not None and image.final.base is None
    assert presence(image, "/darwin/kubectl") is UNKNOWN


def test_unknown_tag_of_an_official_image_keeps_the_official_scope() -> None:
    image = build("""
        ARG VERSION
        FROM alpine:${VERSION}
        """)
    assert presence(image, "/usr/bin/curl") is UNKNOWN
    assert presence(image, "/darwin/kubectl") is NO


# ---------------------------------------------------------------------- Go cross-compilation

GO_BUILD = """
    FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
    ARG TARGETARCH
    WORKDIR /src
    COPY . .
    RUN GOOS=darwin GOARCH=$TARGETARCH go build -o /out/darwin/tool ./cmd/tool
    RUN GOOS=windows GOARCH=$TARGETARCH go build -o /out/windows/tool.exe ./cmd/tool
    FROM alpine
    COPY --from=build /out/ /
    """


@BOTH
def test_go_cross_compilation_in_a_build_platform_stage(platform: Platform, tmp_path: Path) -> None:
    files = {"go.mod": "module tool\n", "cmd/tool/main.go": "package main\n"}
    image = build(GO_BUILD, platform, context=tmp_path, files=files)
    assert presence(image, "/darwin/tool") is YES
    assert presence(image, "/windows/tool.exe") is YES
    build_stage = image.stages[0]
    assert build_stage.platform_flag == "$BUILDPLATFORM"
    assert build_stage.platform is None  # the build machine: unknown
    assert build_stage.platform_flag_span is not None and build_stage.platform_flag_span.line == 1
    assert image.final is not None and image.final.platform == platform
    assert image.problems == [] and image.copy_problems == []


def test_constant_platform_pin_is_recorded() -> None:
    image = build(
        """
        FROM --platform=linux/amd64 alpine AS x86
        FROM x86
        """,
        ARM64,
    )
    assert [s.platform for s in image.stages] == [AMD64, AMD64]
    assert image.stages[1].parent == 0


def test_bad_platform_flag_is_a_problem() -> None:
    image = build("FROM --platform=linux alpine\n")
    assert len(image.problems) == 1 and "not a platform" in image.problems[0].message


# ---------------------------------------------------------------------- host binaries from stages


@BOTH
def test_copy_host_binaries_from_a_scratch_stage(platform: Platform, tmp_path: Path) -> None:
    dockerfile = """
        FROM scratch AS bin
        COPY host-binaries/ /host-binaries/
        FROM alpine
        COPY --from=bin /host-binaries/ /
        """
    files = {"host-binaries/darwin/tool": "x", "host-binaries/windows/tool.exe": "x"}
    image = build(dockerfile, platform, context=tmp_path, files=files)
    found = image.has("/darwin/tool")
    assert (found.presence, found.kind) == (YES, Kind.FILE)
    assert sorted(origin.span.line for origin in found.origins) == [2, 4]
    assert presence(image, "/windows/tool.exe") is YES
    assert presence(image, "/host-binaries") is NO


def test_copy_from_a_missing_stage_path_is_a_problem() -> None:
    image = build("""
        FROM alpine AS build
        RUN mkdir -p /out && touch /out/tool
        FROM scratch
        COPY --from=build /out/tool-typo /darwin/tool
        """)
    assert len(image.problems) == 1
    assert "/out/tool-typo is not in stage build" in image.problems[0].message


def test_copy_from_a_stage_with_a_wildcard() -> None:
    image = build("""
        FROM scratch AS build
        RUN mkdir -p /out && touch /out/a.exe /out/b.exe /out/c.txt
        FROM scratch
        COPY --from=build /out/*.exe /windows/
        """)
    assert presence(image, "/windows/a.exe") is YES
    assert presence(image, "/windows/b.exe") is YES
    assert presence(image, "/windows/c.txt") is NO
    assert image.problems == []


def test_copy_from_a_stage_wildcard_matching_nothing_copies_nothing() -> None:
    """BuildKit allows empty wildcards (AllowEmptyWildcard): not a build failure."""
    image = build("""
        FROM scratch AS build
        COPY --from=alpine /x /out/a.exe
        FROM scratch AS empty
        RUN mkdir -p /out
        FROM scratch
        COPY --from=empty /out/*.exe /windows/
        COPY --from=build /out/*.exe /windows/
        """)
    assert image.problems == []
    assert presence(image, "/windows/a.exe") is UNKNOWN


def test_copy_from_an_image_makes_the_destination_unknown() -> None:
    image = build("""
        FROM scratch
        COPY --from=alpine/helm:3.14 /usr/bin/helm /darwin/helm
        """)
    assert presence(image, "/darwin/helm") is UNKNOWN
    assert image.problems == []
    assert [s.index for s in image.stages] == [0]


def test_copy_from_an_index_out_of_range_is_a_problem() -> None:
    image = build("""
        FROM alpine
        COPY --from=3 /x /x
        """)
    assert ["invalid stage index 3" in m for m in messages(image)] == [True]


def test_circular_copy_from_is_a_problem_and_does_not_loop() -> None:
    image = build("""
        FROM alpine AS a
        COPY --from=b /x /x
        FROM alpine AS b
        COPY --from=a /y /y
        """)
    assert len(image.problems) == 1 and "circular dependency" in image.problems[0].message
    assert presence(image, "/y") is UNKNOWN


def test_from_names_only_earlier_stages() -> None:
    """``FROM a AS b`` / ``FROM b AS a``: the first FROM names the image "a", not a cycle."""
    image = build("""
        FROM a AS b
        FROM b AS a
        """)
    assert image.problems == []
    assert [(s.name, s.base, s.parent) for s in image.stages] == [("b", "a", None), ("a", "b", 0)]


# ---------------------------------------------------------------------- relative paths and WORKDIR


@BOTH
def test_relative_copy_follows_workdir(platform: Platform, tmp_path: Path) -> None:
    dockerfile = """
        FROM alpine
        WORKDIR /opt/ext
        COPY host/tool darwin/tool
        WORKDIR ../other
        COPY host/tool ./
        """
    image = build(dockerfile, platform, context=tmp_path, files={"host/tool": "x"})
    assert image.has("/opt/ext/darwin/tool").kind is Kind.FILE
    assert presence(image, "/opt/other/tool") is YES
    assert presence(image, "/darwin/tool") is NO
    assert image.workdir == "/opt/other"


def test_relative_copy_in_scratch(tmp_path: Path) -> None:
    image = build("FROM scratch\nCOPY host/tool darwin/tool\n", context=tmp_path,
                  files={"host/tool": "x"})  # fmt: skip
    assert presence(image, "/darwin/tool") is YES
    assert presence(image, "/etc/passwd") is NO  # scratch is empty


@BOTH
def test_multi_stage_node_ui_build(platform: Platform, tmp_path: Path) -> None:
    dockerfile = """
        FROM --platform=$BUILDPLATFORM node:20-alpine AS client-builder
        WORKDIR /ui
        COPY ui/package.json ui/package-lock.json ./
        RUN npm ci
        COPY ui /ui
        RUN npm run build
        FROM alpine
        COPY --from=client-builder /ui/build ui
        COPY metadata.json .
        """
    files = {
        "ui/package.json": "{}",
        "ui/package-lock.json": "{}",
        "ui/src/index.tsx": "",
        "metadata.json": "{}",
    }
    image = build(dockerfile, platform, context=tmp_path, files=files)
    assert presence(image, "/ui/index.html") is UNKNOWN  # npm built it: unknown, never NO
    assert presence(image, "/metadata.json") is YES
    assert presence(image, "/windows/tool.exe") is NO
    assert image.problems == [] and image.copy_problems == []


# ---------------------------------------------------------------------- labels

LABELS = r"""
    FROM alpine AS base
    LABEL org.opencontainers.image.title="Title" \
          org.opencontainers.image.vendor="Old vendor"
    FROM base
    LABEL org.opencontainers.image.vendor="Vendor Inc" \
          com.docker.extension.screenshots="[{\"alt\": \"x\", \"url\": \"https://example.com/a.png\"}]"
    LABEL com.docker.extension.categories=utility-tools
    """


@BOTH
def test_labels_split_over_instructions_and_inherited_through_stages(platform: Platform) -> None:
    image = build(LABELS, platform)
    labels = {key: label.value for key, label in image.labels.items()}
    assert labels == {
        "org.opencontainers.image.title": "Title",
        "org.opencontainers.image.vendor": "Vendor Inc",
        "com.docker.extension.screenshots": ('[{"alt": "x", "url": "https://example.com/a.png"}]'),
        "com.docker.extension.categories": "utility-tools",
    }
    screenshots = image.labels["com.docker.extension.screenshots"]
    assert json.loads(screenshots.value or "")[0]["url"] == "https://example.com/a.png"
    assert (screenshots.span.line, screenshots.span.column) == (6, 7)
    assert screenshots.instruction.line == 5
    assert image.labels["org.opencontainers.image.title"].span.line == 2  # inherited


LABELS_FROM_ARGS = """
    ARG API_VERSION=0.3.4
    FROM alpine
    ARG API_VERSION
    ARG VENDOR
    ARG TITLE="My extension"
    LABEL com.docker.desktop.extension.api.version=">= ${API_VERSION}" \\
          org.opencontainers.image.vendor="$VENDOR" \\
          org.opencontainers.image.title="${TITLE}"
    """


@BOTH
def test_labels_from_args_with_and_without_defaults(platform: Platform) -> None:
    labels = build(LABELS_FROM_ARGS, platform).labels
    assert labels["com.docker.desktop.extension.api.version"].value == ">= 0.3.4"
    assert labels["org.opencontainers.image.vendor"].value is None  # unknown, not ""
    assert labels["org.opencontainers.image.title"].value == "My extension"


@BOTH
def test_build_args_override_defaults(platform: Platform) -> None:
    overrides = {"API_VERSION": "0.3.5", "VENDOR": "Acme", "TITLE": "Other"}
    labels = build(LABELS_FROM_ARGS, platform, build_args=overrides).labels
    assert labels["com.docker.desktop.extension.api.version"].value == ">= 0.3.5"
    assert labels["org.opencontainers.image.vendor"].value == "Acme"
    assert labels["org.opencontainers.image.title"].value == "Other"


# ---------------------------------------------------------------------- ARG scoping

SCOPING = """
    ARG ALPINE=3.19
    ARG CHANNEL=stable
    FROM alpine:${ALPINE} AS first
    LABEL seen="${ALPINE}" channel="${CHANNEL}" arch="${TARGETARCH}"
    FROM alpine:${ALPINE}
    ARG CHANNEL
    LABEL channel="${CHANNEL}" arch="${TARGETARCH}"
    ARG TARGETARCH
    LABEL arch_declared="${TARGETARCH}"
    """


@BOTH
def test_global_args_are_visible_in_from_only_unless_redeclared(platform: Platform) -> None:
    first = build(SCOPING, platform, target="first")
    assert first.final is not None and first.final.base == "alpine:3.19"
    assert {k: v.value for k, v in first.labels.items()} == {"seen": "", "channel": "", "arch": ""}
    final = build(SCOPING, platform)
    assert [s.index for s in final.stages] == [1]  # "first" is not needed by the final stage
    values = {k: v.value for k, v in final.labels.items()}
    assert values == {"channel": "stable", "arch": "", "arch_declared": platform.arch}


def test_build_arg_overrides_a_global_arg_in_from() -> None:
    image = build(SCOPING, build_args={"ALPINE": "3.20"})
    assert image.final is not None and image.final.base == "alpine:3.20"


@BOTH
def test_env_persists_through_from_stage_but_args_do_not(platform: Platform) -> None:
    image = build(
        """
        FROM alpine AS a
        ARG X=1
        ENV Y=2 Z=$X
        FROM a
        LABEL x="$X" y="$Y" z="$Z"
        """,
        platform,
    )
    assert {k: v.value for k, v in image.labels.items()} == {"x": "", "y": "2", "z": "1"}
    assert image.env == {"Y": "2", "Z": "1"}


def test_env_overrides_arg_of_the_same_name() -> None:
    image = build("""
        FROM alpine
        ARG V=arg
        ENV V=env
        LABEL v=$V
        """)
    assert image.labels["v"].value == "env"


def test_an_expansion_error_is_a_problem_not_a_crash() -> None:
    image = build("""
        FROM alpine
        LABEL v=${MISSING:?required}
        """)
    assert image.labels["v"].value is None
    assert len(image.problems) == 1 and "required" in image.problems[0].message


# ---------------------------------------------------------------------- unknown WORKDIR of a base


@BOTH
def test_binaries_fetched_into_a_base_images_unknown_workdir(platform: Platform) -> None:
    image = build(
        """
        FROM ghcr.io/acme/tools:1 AS fetch
        RUN curl -fsSLo kubectl https://dl.k8s.io/release/v1.30.0/bin/darwin/amd64/kubectl
        FROM alpine
        COPY --from=fetch kubectl /darwin/kubectl
        """,
        platform,
        extension_paths=frozenset({"/darwin/kubectl", "/kubectl"}),
    )
    assert image.problems == []
    assert presence(image, "/darwin/kubectl") is UNKNOWN  # the WORKDIR may or may not be "/"


@BOTH
def test_relative_writes_in_a_third_party_base_stay_unknown_at_the_root(platform: Platform) -> None:
    image = build(
        """
        FROM ghcr.io/acme/tool-bundle:1.4
        RUN mkdir -p darwin && curl -fsSLo darwin/tool https://example.com/tool-darwin
        """,
        platform,
    )
    assert presence(image, f"{UNKNOWN_WORKDIR}/darwin/tool") is YES
    assert presence(image, "/darwin/tool") is UNKNOWN
    assert presence(image, "/windows/tool.exe") is NO  # an extension path no base ships
    assert presence(image, "/usr/local/bin/tool") is UNKNOWN


def test_workdir_from_an_unknown_arg(tmp_path: Path) -> None:
    dockerfile = """
        FROM scratch
        ARG DIR
        WORKDIR $DIR
        COPY tool .
        """
    image = build(dockerfile, context=tmp_path, files={"tool": ""})
    assert image.workdir == UNKNOWN_WORKDIR
    assert presence(image, "/tool") is UNKNOWN  # $DIR may be "/"
    assert presence(image, "/other") is NO


def test_official_image_workdir_is_root_and_golang_is_go() -> None:
    assert build("FROM alpine\n").workdir == "/"
    image = build("FROM golang:1.22\nRUN go build -o tool .\n")
    assert image.workdir == "/go" and presence(image, "/go/tool") is YES


# ---------------------------------------------------------------------- the build context


@BOTH
def test_copy_sources_missing_or_ignored(platform: Platform, tmp_path: Path) -> None:
    dockerfile = """
        FROM alpine
        COPY metadata.json docker.svg ./
        COPY missing.txt /
        """
    files = {"metadata.json": "{}", "docker.svg": "<svg/>", ".dockerignore": "# assets\n*.svg\n"}
    image = build(dockerfile, platform, context=tmp_path, files=files)
    ignored, missing = image.copy_problems
    assert ignored.span.line == 2 and "docker.svg" in ignored.message
    assert '.dockerignore line 2 ("*.svg")' in ignored.message
    [related] = ignored.related
    assert related.span.path.endswith(".dockerignore") and related.span.line == 2
    assert missing.span.line == 3 and "missing.txt" in missing.message
    assert presence(image, "/metadata.json") is YES
    assert presence(image, "/docker.svg") is NO
    assert image.has("/docker.svg").origins[0].span.line == 2  # the COPY that would have
    assert image.problems == []


def test_wildcard_without_match_is_a_copy_problem(tmp_path: Path) -> None:
    image = build("FROM alpine\nCOPY *.png /\n", context=tmp_path, files={"a.txt": ""})
    [problem] = image.copy_problems
    assert "nothing in the build context matches, so it copies nothing" in problem.message


def test_copy_a_directory_copies_its_contents(tmp_path: Path) -> None:
    files = {"ui/index.html": "", "ui/assets/app.js": "", ".dockerignore": "ui/*.map\n"}
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "app.js.map").write_text("")
    image = build("FROM alpine\nCOPY ui ui\n", context=tmp_path, files=files)
    assert image.has("/ui").kind is Kind.DIR
    assert presence(image, "/ui/index.html") is YES
    assert presence(image, "/ui/assets/app.js") is YES
    assert presence(image, "/ui/app.js.map") is NO
    assert presence(image, "/index.html") is NO


def test_copy_flags_parents_chmod_exclude(tmp_path: Path) -> None:
    files = {"bin/darwin/tool": "", "bin/windows/tool.exe": "", "bin/darwin/tool.debug": ""}
    dockerfile = """
        FROM scratch
        COPY --parents --chmod=755 bin/darwin/tool /
        COPY --exclude=*.debug bin/darwin/ /mac/
        """
    image = build(dockerfile, context=tmp_path, files=files)
    assert presence(image, "/bin/darwin/tool") is YES
    assert presence(image, "/mac/tool") is YES
    assert presence(image, "/mac/tool.debug") is NO


def test_several_sources_go_into_the_destination_directory(tmp_path: Path) -> None:
    files = {"a": "", "b": ""}
    image = build("FROM scratch\nCOPY a b /dest/\n", context=tmp_path, files=files)
    assert presence(image, "/dest/a") is YES and presence(image, "/dest/b") is YES


def test_file_copied_into_an_existing_directory(tmp_path: Path) -> None:
    image = build("FROM scratch\nWORKDIR /darwin\nCOPY tool /darwin\n", context=tmp_path,
                  files={"tool": ""})  # fmt: skip
    assert image.has("/darwin/tool").kind is Kind.FILE


def test_without_a_context_copies_are_unknown() -> None:
    image = build("FROM scratch\nCOPY metadata.json /\n")
    assert presence(image, "/metadata.json") is UNKNOWN
    assert image.copy_problems == []


def test_heredoc_copy_creates_the_file() -> None:
    image = build("""
        FROM scratch
        COPY <<EOF /metadata.json
        {"icon": "docker.svg"}
        EOF
        """)
    found = image.has("/metadata.json")
    assert (found.presence, found.kind) == (YES, Kind.FILE)


# ---------------------------------------------------------------------- ADD


def test_add_url_into_a_directory_uses_the_url_basename() -> None:
    image = build("""
        FROM scratch
        ADD https://dl.k8s.io/release/v1.30.0/bin/darwin/arm64/kubectl /darwin/
        ADD https://example.com/tool.exe /windows/tool.exe
        """)
    kubectl = image.has("/darwin/kubectl")
    assert kubectl.presence is YES and kubectl.arch == "arm64"
    assert presence(image, "/windows/tool.exe") is YES


def test_add_git_and_local_archives_are_unknown(tmp_path: Path) -> None:
    (tmp_path / "tools.tar.gz").write_bytes(b"")
    dockerfile = """
        FROM scratch
        ADD https://github.com/acme/tool.git /src
        ADD tools.tar.gz /opt/tools/
        """
    image = build(dockerfile, context=tmp_path)
    assert presence(image, "/src/main.go") is UNKNOWN
    assert presence(image, "/opt/tools/tool") is UNKNOWN
    assert presence(image, "/opt/tools.tar.gz") is NO


# ---------------------------------------------------------------------- RUN


def test_run_exec_form_and_shell_form() -> None:
    image = build("""
        FROM alpine
        RUN ["mkdir", "-p", "/darwin"]
        RUN touch /darwin/tool
        """)
    assert presence(image, "/darwin") is YES
    assert presence(image, "/darwin/tool") is YES


def test_run_origins_point_into_the_dockerfile() -> None:
    image = build("""
        FROM scratch
        RUN mkdir -p /a \\
         && touch /a/b
        RUN <<EOT
        mkdir -p /c
            touch /c/d
        EOT
        """)
    [touch] = image.has("/a/b").origins
    assert (touch.span.line, touch.span.column) == (3, 5)
    [heredoc] = image.has("/c/d").origins
    assert (heredoc.span.line, heredoc.span.column) == (6, 5)


def test_run_through_a_non_posix_shell_is_opaque() -> None:
    image = build("""
        FROM alpine
        SHELL ["pwsh", "-Command"]
        RUN New-Item -Path /darwin/tool
        """)
    assert presence(image, "/darwin/tool") is UNKNOWN


def test_heredoc_run_by_python_is_opaque() -> None:
    image = build("""
        FROM alpine
        RUN <<EOF python3
        open("/darwin/tool", "w")
        EOF
        RUN <<EOF
        #!/usr/bin/env python3
        open("/linux/tool", "w")
        EOF
        """)
    assert presence(image, "/darwin/tool") is UNKNOWN
    assert presence(image, "/linux/tool") is UNKNOWN


def test_heredoc_fed_to_cat_goes_to_the_shell() -> None:
    image = build("""
        FROM alpine
        RUN cat <<EOF > /metadata.json
        {}
        EOF
        """)
    assert presence(image, "/metadata.json") is YES
    assert presence(image, "/darwin/tool") is NO


@pytest.mark.sources_only
def test_an_analyser_crash_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    import mext_lint.simulate.run as run

    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(run, "run_script", explode)
    image = build("FROM alpine\nRUN touch /darwin/tool\n")
    found = image.has("/darwin/tool")
    assert found.presence is UNKNOWN and "boom" in found.origins[0].message


def test_bind_mount_from_a_stage_is_readable_and_gone_afterwards() -> None:
    image = build("""
        FROM alpine AS build
        RUN mkdir -p /out && touch /out/tool
        FROM alpine
        RUN --mount=type=bind,from=build,source=/out,target=/in mkdir -p /darwin && cp /in/tool /darwin/tool
        RUN --mount=type=cache,target=/cache touch /cache/junk
        """)  # noqa: E501
    assert presence(image, "/darwin/tool") is YES
    assert presence(image, "/in") is NO
    assert presence(image, "/cache/junk") is NO
    assert [s.name for s in image.stages] == ["build", None]


# ---------------------------------------------------------------------- image config and edges


def test_cmd_and_entrypoint_are_inherited_and_entrypoint_resets_inherited_cmd() -> None:
    image = build("""
        FROM alpine AS base
        CMD ["/service"]
        FROM base AS keeps
        FROM base
        ENTRYPOINT ["/entry"]
        """)
    assert image.cmd is None
    assert image.entrypoint is not None and image.entrypoint.span.line == 5
    kept = build('FROM alpine AS base\nCMD ["/service"]\nFROM base\nUSER 1000\n')
    assert kept.cmd is not None and kept.cmd.span.line == 2 and kept.user == "1000"


def test_unknown_target_is_a_problem() -> None:
    image = build("FROM alpine AS a\nFROM alpine AS b\n", target="nope")
    assert messages(image) == ['target stage "nope" could not be found']
    assert image.final is not None and image.final.name == "b"


def test_dockerfile_without_from() -> None:
    image = build("ARG X=1\n")
    assert image.final is None and image.stages == []
    assert presence(image, "/metadata.json") is UNKNOWN
    assert image.problems == []  # the parser reports the missing FROM (MX001)


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM\n",
        "FROM alpine\nCOPY\n",
        "FROM alpine\nRUN <<EOT\necho hi\n",
        "FROM alpine\nLABEL\n",
        "FROM alpine\nWORKDIR\nENV\nARG\nUSER\n",
        "FROM alpine AS a\nFROM a AS a\nCOPY --from=a / /\n",
        "FROM alpine\nCOPY --from= x y\nRUN --mount=type=bind x\n",
        "FROM alpine\nADD\nADD x\nCOPY <<EOF\n",
    ],
)
def test_broken_dockerfiles_never_raise(dockerfile: str) -> None:
    for platform in (AMD64, ARM64):
        build(dockerfile, platform)
