"""MX1xx (platforms): what the image variants are built from."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mext_lint.registry import CheckContext, check
from mext_lint.spans import Problem

PLUGIN_IMAGE = "${DESKTOP_PLUGIN_IMAGE}"
_WINDOWS_REPOSITORY = re.compile(
    r"(^|/)(windows|nanoserver|servercore|windowsservercore|windows/[a-z]+)(:|@|/|$)"
)
_WINDOWS_TAG = re.compile(r"(nanoserver|windowsservercore|servercore|ltsc20\d\d)", re.I)
_BUILD_PLATFORM = r"\$\{?BUILD(PLATFORM|OS|ARCH|VARIANT)\b"  # compiled on first use


def is_windows_image(reference: str) -> bool:
    name, _, tag = reference.lower().partition(":")
    if "@" in name:
        name = name.split("@", 1)[0]
    return bool(_WINDOWS_REPOSITORY.search(name)) or bool(_WINDOWS_TAG.search(tag))


@check("MX101", per_platform=True, needs_dockerfile=True)
def non_linux_base(ctx: CheckContext) -> Iterator[Problem]:
    for stage in ctx.image.stages:
        flag = stage.platform_flag or ""
        if stage.platform is not None and stage.platform.os != "linux":
            yield Problem(
                stage.platform_flag_span or stage.from_span,
                f"stage {stage.name or stage.index} is built for {stage.platform}: Docker"
                " Desktop extensions are Linux images (Windows containers are not supported)",
            )
        elif flag.lower().startswith("windows/"):
            yield Problem(
                stage.platform_flag_span or stage.from_span,
                f"--platform={flag} is a Windows platform: Docker Desktop extensions are"
                " Linux images",
            )
        elif stage.parent is None and stage.base and is_windows_image(stage.base):
            yield Problem(
                stage.base_span,
                f"{stage.base} is a Windows base image: Docker Desktop extensions are Linux"
                " images (use a linux base such as alpine)",
            )


@check("MX102", needs_dockerfile=True)
def pinned_final_platform(ctx: CheckContext) -> Iterator[Problem]:
    reported: set[object] = set()
    for platform, image in ctx.images.items():
        root = image.root_stage
        if root is None or root.platform_flag is None or root.platform_flag_span is None:
            continue
        flag = root.platform_flag
        if re.search(_BUILD_PLATFORM, flag):
            why = f"--platform={flag} builds the final stage for the build machine's platform"
        elif root.platform is not None and root.platform != platform:
            why = f"--platform={flag} pins the final stage to {root.platform}"
        else:
            continue
        if root.platform_flag_span in reported:
            continue
        reported.add(root.platform_flag_span)
        runs_backend = image_runs_backend(ctx)
        consequence = (
            "so every variant carries one CPU's userland and the backend fails to start on the"
            " other architecture"
            if runs_backend
            else "so every variant carries one CPU's userland"
        )
        yield Problem(
            root.platform_flag_span,
            f"{why}, {consequence}; drop --platform from the final FROM",
            severity="error" if runs_backend else "warning",
        )


def image_runs_backend(ctx: CheckContext) -> bool:
    metadata = ctx.ext.metadata
    if metadata is None:
        return False
    image = metadata.vm_image
    if image is not None and PLUGIN_IMAGE in image.value.replace(" ", ""):
        return True
    compose = ctx.ext.compose_text
    return compose is not None and "DESKTOP_PLUGIN_IMAGE" in compose


@check("MX110", per_platform=True, needs_dockerfile=True)
def platform_unbuildable(ctx: CheckContext) -> Iterator[Problem]:
    yield from ctx.image.problems
