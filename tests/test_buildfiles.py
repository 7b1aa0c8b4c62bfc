from __future__ import annotations

import shlex
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.bakefile import read_bake_file
from mext_lint.buildfiles import (
    UNKNOWN,
    BuildFiles,
    load_build_files,
    normalize_platform,
    output_kind,
    repository,
)
from mext_lint.makefile import read_makefile, shell_split
from mext_lint.spans import Span

# The push target of the Makefile `docker extension init` writes, split over continuation lines.
INIT_MAKEFILE = """\
IMAGE?=acme/kubectl-extension
TAG?=latest

BUILDER=buildx-multi-arch

build-extension: ## Build service image to be deployed as a desktop extension
\tdocker build --tag=$(IMAGE):$(TAG) .

push-extension: prepare-buildx ## Build & Upload extension image to hub
\tdocker pull $(IMAGE):$(TAG) && echo "Failure: Tag already exists" || \\
\t\tdocker buildx build --push --builder=$(BUILDER) \\
\t\t--platform=linux/amd64,linux/arm64 --build-arg TAG=$(TAG) --tag=$(IMAGE):$(tag) .
"""


def test_the_init_makefile() -> None:
    local, push = read_makefile(INIT_MAKEFILE, "Makefile", "Dockerfile")
    assert local.origin == 'make target "build-extension"'
    assert (local.platforms, local.tags, local.release, local.extension) == (
        None,
        ("acme/kubectl-extension:latest",),
        False,
        True,
    )
    assert push.origin == 'make target "push-extension"' and push.release and push.extension
    assert push.platforms is not None
    assert push.platforms.values == ("linux/amd64", "linux/arm64")
    assert push.platforms.span == Span("Makefile", 12, 3, 12, 37)
    assert push.tags == ("acme/kubectl-extension:" + UNKNOWN,)  # $(tag) comes from the command line


def test_variable_flavours() -> None:
    text = (
        "A = one\nB := $(A)\nA = two\nC ?= first\nC ?= second\nD = x\nD += y\n"
        "E != date\nifeq ($(CI),true)\nF = ci\nendif\n"
        "t:\n\tDOCKER_BUILDKIT=1 docker build -t $(A)/$(B)/$(C) -t '$(D)' \\\n"
        "\t\t-t $(E) -t $(F) -t $$HOME .\n"
        "A = three\n"
    )
    (build,) = read_makefile(text, "Makefile", "Dockerfile")
    assert build.tags == ("three/one/first", "x y", UNKNOWN, UNKNOWN, "$HOME")


def test_a_recursive_variable_is_unknown() -> None:
    (build,) = read_makefile("A = $(A)x\nt:\n\tdocker build -t $(A) .\n", "Makefile", "Dockerfile")
    assert UNKNOWN in build.tags[0]


def test_other_dockerfiles_and_contexts_are_not_the_extension() -> None:
    text = (
        "t:\n"
        "\tdocker build -f Dockerfile.proxy -t a/proxy .\n"
        "\tdocker buildx build -t a/backend ./backend\n"
        "\tcd ui && docker build -t a/ui -\n"
        "\tdocker buildx build --file ./Dockerfile -t a/ext .\n"
    )
    builds = read_makefile(text, "Makefile", "Dockerfile")
    assert [b.extension for b in builds] == [False, False, False, True]
    assert BuildFiles(tuple(builds)).own_repositories() == frozenset({"a/ext"})


def test_only_build_commands_count() -> None:
    text = (
        "prepare-buildx:\n"
        "\tdocker buildx inspect x || docker buildx create --platform linux/amd64 --name=x\n"
        "push:\n\t@echo docker build --platform=linux/amd64 .\n"
        "define HELP\n\tdocker build --platform=linux/amd64 .\nendef\n"
    )
    assert read_makefile(text, "Makefile", "Dockerfile") == []


def test_release_and_local_builds() -> None:
    text = (
        "release:\n\tdocker buildx build --load --platform linux/arm64 .\n"
        "ci:\n\tdocker buildx build -o type=registry --platform linux/arm64 .\n"
        "dev: ; docker buildx build --platform=linux/arm64 .\n"
    )
    assert [b.release for b in read_makefile(text, "Makefile", "Dockerfile")] == [
        False,
        True,
        False,
    ]


def test_bake_hcl_targets() -> None:
    text = """\
# comment
variable "TAG" { default = "latest" }
target "ext" {
  tags = ["acme/ext:${TAG}", "acme/ext:latest"]
  platforms = ["linux/amd64", /* later: */ "linux/arm64"]
  args = { A = "b" }
}
target "cli" {
  dockerfile = "cli.Dockerfile"
  platforms = split(",", PLATFORMS)
  output = ["type=local,dest=out"]
}
"""
    ext, cli = read_bake_file(text, "docker-bake.hcl", "docker-bake.hcl", "Dockerfile")
    assert ext.origin == 'bake target "ext"' and ext.span == Span("docker-bake.hcl", 3, 8, 3, 13)
    assert ext.tags == ("acme/ext:" + UNKNOWN, "acme/ext:latest")
    assert ext.platforms is not None and ext.platforms.values == ("linux/amd64", "linux/arm64")
    assert (ext.release, ext.extension) == (True, True)
    assert cli.platforms is not None and not cli.platforms.known
    assert (cli.release, cli.extension) == (False, False)


def test_bake_json_targets() -> None:
    text = '{"target": {"default": {"platforms": ["linux/arm64"], "context": "."}}}'
    (build,) = read_bake_file(text, "docker-bake.json", "docker-bake.json", "Dockerfile")
    assert build.platforms is not None
    assert build.platforms.span == Span("docker-bake.json", 1, 38, 1, 53)
    assert read_bake_file("{", "docker-bake.json", "docker-bake.json", "Dockerfile") == []


def test_load_build_files(tmp_path: Path) -> None:
    assert load_build_files(tmp_path, "Dockerfile") == BuildFiles()
    (tmp_path / "Makefile").write_text("t:\n\tdocker build -t acme/ext:1 .\n")
    (tmp_path / "docker-bake.hcl").write_bytes(b"\xff\xfe")  # undecodable: skipped
    assert load_build_files(tmp_path, "Dockerfile").own_repositories() == {"acme/ext"}


def test_repository() -> None:
    assert repository("docker.io/Acme/Ext:0.1@sha256:abc") == "acme/ext"
    assert repository("library/alpine") == "alpine"
    assert repository("localhost:5000/ext:1") == "localhost:5000/ext"
    assert repository("acme/ext:" + UNKNOWN) == "acme/ext"
    assert repository(UNKNOWN + ":1") is None
    assert repository("${DESKTOP_PLUGIN_IMAGE}") is None


def test_platform_and_output_helpers() -> None:
    assert normalize_platform("linux/arm64/v8") == "linux/arm64"
    assert normalize_platform("Linux/x86_64") == "linux/amd64"
    assert normalize_platform("linux/arm/v7") == "linux/arm/v7"
    assert output_kind("type=image,name=a,push=true") == "registry"
    assert output_kind("type=docker") == "docker"
    assert output_kind("./out") == "local"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("docker build -t$(){}:=?+!\\\t\n\"'#;&|.,ab")), max_size=120
    )
)
def test_makefile_reader_never_raises(text: str) -> None:
    read_makefile(text, "Makefile", "Dockerfile")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('target "{}[]=,#/*$<-EOT\n ab')), max_size=120))
def test_bake_reader_never_raises(text: str) -> None:
    read_bake_file(text, "docker-bake.hcl", "docker-bake.hcl", "Dockerfile")


@given(st.text(alphabet=st.sampled_from(list("ab$(){}=-/:., \t\r\n\x0b\x0c'\"\\#é")), max_size=12))
def test_shell_split_is_shlex_split(text: str) -> None:
    try:
        expected: list[str] | None = shlex.split(text, posix=True)
    except ValueError:
        expected = None
    try:
        found: list[str] | None = shell_split(text)
    except ValueError:
        found = None
    assert found == expected
