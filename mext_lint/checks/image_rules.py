"""MX601-MX604: a built image, read from its layout, archive or registry (``mext-lint image``).

Each check reads the real image's models (oci/model.py) and is silent for source linting.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from mext_lint import labels
from mext_lint.checks.image_files import strip_query
from mext_lint.metadata import HostBinary, image_path
from mext_lint.platforms import Host, Platform
from mext_lint.registry import CheckContext, check
from mext_lint.simulate.tree import Kind, Presence
from mext_lint.spans import Problem, Related, Span

if TYPE_CHECKING:
    from mext_lint.oci.model import ImageExtension, ImageVariant
    from mext_lint.simulate.build import Image

WINDOWS_SCRIPTS = (".cmd", ".bat", ".ps1")
EXPECTED_FORMAT = {"darwin": "mach-o", "windows": "pe", "linux": "elf"}
FORMAT_WORDS = {"mach-o": "a Mach-O (macOS)", "pe": "a PE (Windows)", "elf": "an ELF (Linux)"}
# The CPUs each host runs, beyond its own: Windows runs x86 everywhere and, on Arm, x64 too
# (emulation; ARM64EC is Arm-only). macOS needs the slice of its own CPU: Rosetta is optional.
RUNS = {
    "windows/amd64": frozenset({"amd64", "386"}),
    "windows/arm64": frozenset({"arm64", "arm64ec", "amd64", "386"}),
}
EXTENSION_LABELS = (*labels.REQUIRED, labels.ADDITIONAL_URLS, labels.ACCOUNT_INFO)


def real_image(ctx: CheckContext) -> ImageVariant | None:
    """The variant of a real image this check runs on; None when linting a source."""
    image = ctx.images.get(ctx.platform) if ctx.platform is not None else None
    return cast("ImageVariant", image) if image is not None and image.built_image else None


def image_ext(ctx: CheckContext) -> ImageExtension | None:
    return cast("ImageExtension", ctx.ext) if ctx.ext.built_image else None


def hosts_of(ctx: CheckContext, os_name: str, platform: Platform) -> list[Host]:
    """Every host of ``os_name`` that pulls ``platform`` (Windows on Arm included)."""
    return [host for host in ctx.hosts if host.os == os_name and host.pulls == platform]


def who(hosts: list[Host]) -> str:
    return " and ".join(host.label for host in hosts)


# -- MX601 ---------------------------------------------------------------------------------------


@check("MX601")
def missing_image_platform(ctx: CheckContext) -> Iterator[Problem]:
    ext = image_ext(ctx)
    if ext is None or ext.info is None:
        return
    info = ext.info
    offered = ", ".join(str(p) for p in info.platforms) or "no platform"
    for platform in ext.settings.platforms:
        if platform in info.platforms and platform not in info.unavailable:
            continue
        pulling = [h for h in ctx.hosts if h.pulls == platform]
        users = f": {who(pulling)} cannot install it" if pulling else ""
        if platform in info.unavailable:
            yield Problem(
                Span.point(info.name, 1, 1),
                f"the image index lists {platform}, but {info.name} does not hold its manifest"
                " (a docker save of the platforms pulled locally, or an incomplete push); lint"
                " the complete image",
            )
            continue
        if info.is_index:
            what = f"the image index has no {platform} variant (it holds {offered}){users}"
        else:
            what = (
                f"the image is a single-platform image ({offered}), not a multi-platform index"
                f" with {platform}{users}"
            )
        yield Problem(
            Span.point(info.name, 1, 1),
            f"{what}; build and push with --platform="
            + ",".join(str(p) for p in ext.settings.platforms),
        )


# -- MX602 ---------------------------------------------------------------------------------------


@check("MX602", per_platform=True, needs_metadata=True)
def host_binary_format(ctx: CheckContext) -> Iterator[Problem]:
    image = real_image(ctx)
    if image is None or ctx.ext.metadata is None or ctx.platform is None:
        return
    from mext_lint.oci.binaries import identify

    for binary in ctx.ext.metadata.host_binaries:
        hosts = hosts_of(ctx, binary.os, ctx.platform)
        path = posixpath.normpath(image_path(binary.path))
        found = image.files.get(path)
        if hosts and found is None and image.has(path).kind is Kind.SYMLINK:
            yield Problem(
                binary.span,
                f'host binary "{binary.path}" in the {ctx.platform} image is a symbolic link to'
                f" a file the image lacks: {who(hosts)} get nothing to run",
            )
        if not hosts or found is None or found.head is None:
            continue
        if binary.os == "windows" and binary.path.lower().endswith(WINDOWS_SCRIPTS):
            continue
        executable = identify(found.head)
        reason = format_problem(binary, executable.format, set(executable.archs), hosts)
        if reason is not None:
            yield Problem(
                binary.span,
                f'host binary "{binary.path}" in the {ctx.platform} image is'
                f" {executable.describe()}: {reason}",
            )


def format_problem(
    binary: HostBinary, found_format: str, archs: set[str], hosts: list[Host]
) -> str | None:
    """Why ``hosts`` cannot run a file of ``found_format`` for ``archs``; None when they can."""
    if found_format == "script":
        if binary.os != "windows":
            return None
        return f"{who(hosts)} cannot run a #! script; ship an .exe (or a .cmd, .bat or .ps1)"
    wanted = EXPECTED_FORMAT[binary.os]
    if found_format != wanted:
        return f"{who(hosts)} need {FORMAT_WORDS[wanted]} binary"
    failing = [host for host in hosts if not archs & RUNS.get(host.key, frozenset({host.arch}))]
    if not failing:
        return None
    if binary.os == "darwin":
        return (
            f'{who(failing)} cannot run it ("Bad CPU type in executable"); copy the'
            " ${TARGETARCH} build, or a universal binary"
        )
    return f"{who(failing)} cannot run it; copy the build for ${{TARGETARCH}}"


# -- MX603 ---------------------------------------------------------------------------------------


@check("MX603", per_platform=True, needs_metadata=True)
def host_binary_not_executable(ctx: CheckContext) -> Iterator[Problem]:
    image = real_image(ctx)
    if image is None or ctx.ext.metadata is None or ctx.platform is None:
        return
    for binary in ctx.ext.metadata.host_binaries:
        if binary.os == "windows":
            continue
        hosts = hosts_of(ctx, binary.os, ctx.platform)
        found = image.files.get(posixpath.normpath(image_path(binary.path)))
        if not hosts or found is None or found.head is None or found.mode & 0o111:
            continue
        yield Problem(
            binary.span,
            f'host binary "{binary.path}" in the {ctx.platform} image has mode'
            f" {found.mode:04o}, no execute bit: {who(hosts)} cannot run it once copied; use"
            " COPY --chmod=755 or chmod +x in the Dockerfile",
        )


# -- MX604 ---------------------------------------------------------------------------------------

BUG_NOTE = "; this is a mext-lint bug: please report it with the Dockerfile"


@check("MX604", per_platform=True)
def simulation_mismatch(ctx: CheckContext) -> Iterator[Problem]:
    image, ext = real_image(ctx), image_ext(ctx)
    if image is None or ext is None or ctx.platform is None:
        return
    simulated = ext.simulated.get(ctx.platform)
    if simulated is None or simulated.final is None:
        return
    for path in compared_paths(ctx):
        yield from _path_mismatch(path, simulated, image)
    yield from _label_mismatch(simulated, image)


def compared_paths(ctx: CheckContext) -> list[str]:
    """/metadata.json and every path the image's metadata.json points to."""
    paths = ["/metadata.json"]
    metadata = ctx.ext.metadata
    if metadata is None:
        return paths
    for located in (metadata.icon, metadata.composefile, metadata.ui_root):
        if located is not None and located.value.strip():
            paths.append(image_path(located.value))
    src = metadata.ui_src
    if src is not None and strip_query(src.value).strip():
        base = metadata.ui_root.value if metadata.ui_root is not None else "/"
        paths.append(posixpath.join(image_path(base), strip_query(src.value).lstrip("/")))
    paths.extend(image_path(binary.path) for binary in metadata.host_binaries)
    return list(dict.fromkeys(posixpath.normpath(p) for p in paths))


def _path_mismatch(path: str, simulated: Image, image: ImageVariant) -> Iterator[Problem]:
    said = simulated.has(path)
    real = image.has(path).presence
    if said.presence is Presence.YES and real is Presence.NO:
        claim, truth = "is in the image", "the image lacks it"
    elif said.presence is Presence.NO and real is Presence.YES:
        claim, truth = "is never created", "the image has it"
    else:
        yield from _arch_mismatch(path, said.arch, said.arch_origin, image)
        return
    origins = list(said.origins)
    span = origins[0].span if origins else _fallback(simulated)
    yield Problem(
        span,
        f'simulation mismatch: the simulator says "{path}" {claim}, but {truth}{BUG_NOTE}',
        tuple(origins[1:]),
    )


def _arch_mismatch(
    path: str,
    said: str | None,
    origin: Related | None,
    image: ImageVariant,
) -> Iterator[Problem]:
    found = image.files.get(path)
    if said is None or found is None or found.head is None:
        return
    from mext_lint.oci.binaries import identify

    archs = identify(found.head).archs
    if len(archs) == 1 and archs[0] != said:
        yield Problem(
            origin.span if origin is not None else _fallback_span(image),
            f'simulation mismatch: the simulator says "{path}" is built'
            f" for {said}, but the image's file is for {archs[0]}{BUG_NOTE}",
        )


def _label_mismatch(simulated: Image, image: ImageVariant) -> Iterator[Problem]:
    for key in EXTENSION_LABELS:
        said, real = simulated.labels.get(key), image.labels.get(key)
        if said is not None and said.value is not None and real is None:
            truth = "the image has no such label"
        elif said is not None and said.value is not None and real is not None:
            if said.value == real.value:
                continue
            truth = f'the image has "{real.value}"'
        elif said is None and real is not None and simulated.labels_complete:
            yield Problem(
                _fallback(simulated),
                f'simulation mismatch: the simulator says label "{key}"'
                f' is not set, but the image has "{real.value}"{BUG_NOTE}',
            )
            continue
        else:
            continue
        assert said is not None
        yield Problem(
            said.span,
            f'simulation mismatch: the simulator says label "{key}" is'
            f' "{said.value}", but {truth}{BUG_NOTE}',
        )


def _fallback(simulated: Image) -> Span:
    assert simulated.final is not None
    return simulated.final.from_span


def _fallback_span(image: ImageVariant) -> Span:
    return Span.point(image.name, 1, 1)
