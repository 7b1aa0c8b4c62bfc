"""MX103-MX108: every host binary, on every host that pulls each image variant."""

from __future__ import annotations

import operator
import posixpath
from collections.abc import Iterator
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, NamedTuple

from mext_lint.gcpause import acyclic_allocations
from mext_lint.metadata import HOST_OSES, HostBinary, image_path
from mext_lint.platforms import Host, Platform
from mext_lint.registry import CheckContext, check
from mext_lint.simulate.tree import Kind, Lookup, Presence
from mext_lint.spans import Problem, Related

if TYPE_CHECKING:
    from mext_lint.simulate.build import Image

WINDOWS_SUFFIXES = (".exe", ".cmd", ".bat", ".ps1", ".com")
OS_NAMES = {"darwin": "macOS", "windows": "Windows", "linux": "Linux"}
WINDOWS_ON_ARM = "windows/arm64"

# A metadata.json can list 100,000 binaries, nearly all of them fine: each check first scans the
# answers at C speed (map over these) for the one it reports on, and loops only if it is there.
_PATH = attrgetter("path")
_OS = attrgetter("os")
_PRESENCE = attrgetter("presence")
_KIND = attrgetter("kind")
_ARCH = attrgetter("arch")


def protected_hosts(ctx: CheckContext, os_name: str, platform: Platform) -> list[Host]:
    """Hosts of ``os_name`` pulling ``platform`` that MX103/MX104 protect (not Windows on Arm,
    which MX108 covers on its own)."""
    return [
        host
        for host in ctx.hosts
        if host.os == os_name and host.pulls == platform and host.key != WINDOWS_ON_ARM
    ]


def protected_users(ctx: CheckContext) -> dict[str, str]:
    """For each host OS with protected hosts pulling this variant, who they are ("macOS on
    Intel and macOS on Apple silicon")."""
    assert ctx.platform is not None
    users = {}
    for os_name in HOST_OSES:
        hosts = protected_hosts(ctx, os_name, ctx.platform)
        if hosts:
            users[os_name] = " and ".join(host.label for host in hosts)
    return users


class _BinaryLookups(NamedTuple):
    """What a variant holds at each host binary's path: the checks below all ask, for every
    binary on every variant. Checks run on finished trees, so the answers stay true for as long
    as their tree lives (they are kept in its memo); they are for the binary list they were found
    for."""

    binaries: list[HostBinary]
    found: list[Lookup]


def binary_lookups(image: Image, binaries: list[HostBinary]) -> list[Lookup]:
    """``image.has(image_path(binary.path))`` for each host binary, in order, found once per
    variant."""
    memo = image.tree.memo
    known = memo.get("host binaries")
    if isinstance(known, _BinaryLookups) and known.binaries is binaries:
        return known.found
    with acyclic_allocations():
        found = image.tree.lookup_many(map(_PATH, binaries))  # as image_path
    memo["host binaries"] = _BinaryLookups(binaries, found)
    return found


def variant_lookups(ctx: CheckContext) -> list[Lookup]:
    """What this variant holds at each host binary's path, in the order of the binaries."""
    assert ctx.ext.metadata is not None
    return binary_lookups(ctx.image, ctx.ext.metadata.host_binaries)


def other_variants(ctx: CheckContext) -> list[tuple[Platform, list[Lookup]]]:
    """What each other variant holds at each host binary's path."""
    assert ctx.ext.metadata is not None
    binaries = ctx.ext.metadata.host_binaries
    return [
        (platform, binary_lookups(image, binaries))
        for platform, image in ctx.images.items()
        if platform != ctx.platform
    ]


def tool_name(path: str) -> str:
    name = posixpath.basename(path.rstrip("/"))
    for suffix in WINDOWS_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def created_elsewhere(ctx: CheckContext, path: str) -> tuple[Related, ...]:
    """Where the other variants create ``path``: what the user compares against."""
    related: list[Related] = []
    for platform, image in ctx.images.items():
        if platform == ctx.platform:
            continue
        found = image.has(path)
        if found.presence is Presence.YES:
            related.extend(Related(o.span, f"{o.message} (on {platform})") for o in found.origins)
    return tuple(related)


def binary_created_elsewhere(
    others: list[tuple[Platform, list[Lookup]]], index: int
) -> tuple[Related, ...]:
    """``created_elsewhere`` for the host binary at ``index``, from ``other_variants``."""
    related: list[Related] = []
    for platform, lookups in others:
        found = lookups[index]
        if found.presence is Presence.YES:
            related.extend(Related(o.span, f"{o.message} (on {platform})") for o in found.origins)
    return tuple(related)


def protected_binaries(ctx: CheckContext) -> Iterator[tuple[int, HostBinary, str, Lookup]]:
    """Each host binary a protected host pulls from this variant (with its index), who that
    hurts, and what the variant holds at its path."""
    assert ctx.ext.metadata is not None
    users = protected_users(ctx)
    binaries = ctx.ext.metadata.host_binaries
    for index, (binary, found) in enumerate(zip(binaries, variant_lookups(ctx), strict=True)):
        who = users.get(binary.os)
        if who is not None:
            yield index, binary, who, found


def any_missing(ctx: CheckContext) -> bool:
    """Whether this variant provably lacks any host binary."""
    return Presence.NO in map(_PRESENCE, variant_lookups(ctx))


@check("MX103", per_platform=True, needs_dockerfile=True, needs_metadata=True)
def host_binary_missing(ctx: CheckContext) -> Iterator[Problem]:
    if not any_missing(ctx):
        return
    others = other_variants(ctx)
    for index, binary, who, found in protected_binaries(ctx):
        if found.presence is not Presence.NO:
            continue
        plural = "" if " and " in who else "s"
        yield Problem(
            binary.span,
            f'host binary "{binary.path}" is not in the {ctx.platform} image'
            f" ({who} get{plural} no {tool_name(binary.path)})",
            found.origins + binary_created_elsewhere(others, index),
        )


@check("MX104", per_platform=True, needs_dockerfile=True, needs_metadata=True)
def host_binary_wrong_arch(ctx: CheckContext) -> Iterator[Problem]:
    assert ctx.platform is not None
    if set(map(_ARCH, variant_lookups(ctx))) <= {None, ctx.platform.arch}:
        return
    for _, binary, who, found in protected_binaries(ctx):
        if found.presence is Presence.NO or found.arch in (None, ctx.platform.arch):
            continue
        related = (found.arch_origin,) if found.arch_origin is not None else ()
        yield Problem(
            binary.span,
            f'host binary "{binary.path}" in the {ctx.platform} image is built for'
            f" {found.arch}, not {ctx.platform.arch}: {who} cannot run it"
            " (derive the architecture from ${TARGETARCH})",
            related,
        )


def os_mismatch(binary: HostBinary) -> str | None:
    directory, _, name = binary.path.lower().strip("/").rpartition("/")
    windows_name = name.endswith(WINDOWS_SUFFIXES)
    if binary.os == "windows":
        if not windows_name:
            return (
                f'Windows host binary "{binary.path}" has no .exe, .cmd, .bat, .ps1 or .com'
                " suffix: Windows cannot run it"
            )
        wrong = [other for other in ("darwin", "linux") if _has_directory(directory, other)]
        if wrong:
            return (
                f'Windows host binary "{binary.path}" lives under /{wrong[0]}/: is it'
                " the right file?"
            )
        return None
    label = OS_NAMES[binary.os]
    if windows_name:
        return f'{label} host binary "{binary.path}" has a Windows suffix: is it the right file?'
    if _has_directory(directory, "windows"):
        return f'{label} host binary "{binary.path}" lives under /windows/: is it the right file?'
    return None


def _has_directory(directory: str, name: str) -> bool:
    """Whether the "/"-separated ``directory`` has a component ``name`` (a substring test first:
    this runs for every host binary, and a metadata.json can list 100,000)."""
    return name in directory and name in directory.split("/")


def os_mismatches(binaries: list[HostBinary]) -> Iterator[tuple[HostBinary, str]]:
    """Each binary MX105 reports, with ``os_mismatch``'s message."""
    for binary in binaries:
        # Nearly every binary is settled without splitting its path: its name's suffix fits its
        # OS and no other OS's name is anywhere in it.
        lowered = binary.path.lower()
        windows_name = lowered.rstrip("/").endswith(WINDOWS_SUFFIXES)
        if binary.os == "windows":
            if windows_name and "darwin" not in lowered and "linux" not in lowered:
                continue
        elif not windows_name and "windows" not in lowered:
            continue
        message = os_mismatch(binary)
        if message is not None:
            yield binary, message


@check("MX105", needs_metadata=True)
def host_binary_os_mismatch(ctx: CheckContext) -> Iterator[Problem]:
    assert ctx.ext.metadata is not None
    for binary, message in os_mismatches(ctx.ext.metadata.host_binaries):
        yield Problem(binary.span, message)


@check("MX106", needs_metadata=True)
def host_os_not_covered(ctx: CheckContext) -> Iterator[Problem]:
    metadata = ctx.ext.metadata
    assert metadata is not None
    binaries = metadata.host_binaries
    if not binaries:
        return
    named = {binary.os for binary in binaries}
    protected = {host.os for host in ctx.hosts}
    missing = [os_name for os_name in HOST_OSES if os_name not in named and os_name in protected]
    if not missing:
        return
    tools = sorted({tool_name(binary.path) for binary in binaries})
    users = " and ".join(f"{OS_NAMES[os_name]} users" for os_name in missing)
    yield Problem(
        metadata.key_span("/host/binaries"),
        f"host.binaries has no {', '.join(missing)} entry: {users} get no"
        f" {', '.join(tools)}; add one per OS (or ignore this rule if the UI handles it)",
    )


@check("MX107", per_platform=True, needs_metadata=True)
def host_binary_conflict(ctx: CheckContext) -> Iterator[Problem]:
    assert ctx.ext.metadata is not None
    binaries = ctx.ext.metadata.host_binaries
    yield from listing_clashes(binaries)
    if ctx.platform not in ctx.images:
        return
    lookups = variant_lookups(ctx)
    if Kind.DIR not in map(_KIND, lookups):
        return
    for binary, found in zip(binaries, lookups, strict=True):
        if found.presence is Presence.YES and found.kind is Kind.DIR:
            yield Problem(
                binary.span,
                f'"{binary.path}" is a directory in the image, not a binary',
                tuple(found.origins),
            )


# The last binary list's clashes: the same for every variant, so found once for all of them.
_CLASHES: tuple[list[HostBinary], list[Problem]] | None = None


def listing_clashes(binaries: list[HostBinary]) -> list[Problem]:
    """Binaries listed twice for one OS, or copied to one host under the same name."""
    global _CLASHES
    if _CLASHES is None or _CLASHES[0] is not binaries:
        clashes = [] if names_differ(binaries) else list(find_clashes(binaries))
        _CLASHES = (binaries, clashes)
    return _CLASHES[1]


def names_differ(binaries: list[HostBinary]) -> bool:
    """Whether no two binaries for one OS have the same name, so ``find_clashes`` finds nothing
    (the same path is the same name). At C speed: a listing can name 100,000."""
    stripped = map(str.rstrip, map(_PATH, binaries), repeat("/"))
    names = map(itemgetter(2), map(str.rpartition, stripped, repeat("/")))
    # No OS name starts another, so "darwin" + name is unambiguous (and strings, unlike
    # tuples, are not objects the cycle collector walks).
    return len(set(map(operator.add, map(_OS, binaries), names))) == len(binaries)


def find_clashes(binaries: list[HostBinary]) -> Iterator[Problem]:
    seen_paths: dict[str, set[str]] = {os_name: set() for os_name in HOST_OSES}
    seen_names: dict[str, dict[str, HostBinary]] = {os_name: {} for os_name in HOST_OSES}
    for binary in binaries:
        paths = seen_paths[binary.os]
        path = image_path(binary.path)
        if path in paths:
            yield Problem(binary.span, f'"{binary.path}" is listed twice for {binary.os}')
            continue
        paths.add(path)
        names = seen_names[binary.os]
        name = binary.path.rstrip("/").rpartition("/")[2]
        first = names.get(name)
        if first is not None:
            yield Problem(
                binary.span,
                f'"{binary.path}" and "{first.path}" are both copied to the {binary.os} host as'
                f' "{name}": Docker Desktop flattens host binaries by name, so one'
                " overwrites the other",
                (Related(first.span, "the other binary with that name"),),
            )
        else:
            names[name] = binary


@check("MX108", per_platform=True, needs_dockerfile=True, needs_metadata=True)
def windows_arm_gap(ctx: CheckContext) -> Iterator[Problem]:
    assert ctx.platform is not None and ctx.ext.metadata is not None
    if ctx.platform.arch != "arm64" or WINDOWS_ON_ARM not in {h.key for h in ctx.hosts}:
        return
    if not any_missing(ctx):
        return
    others = other_variants(ctx)
    binaries = ctx.ext.metadata.host_binaries
    for index, (binary, found) in enumerate(zip(binaries, variant_lookups(ctx), strict=True)):
        if binary.os != "windows" or found.presence is not Presence.NO:
            continue
        elsewhere = binary_created_elsewhere(others, index)
        if not elsewhere and any(p.arch == "amd64" for p in ctx.images):
            continue  # missing everywhere: MX103 reports it for Windows on x86_64
        yield Problem(
            binary.span,
            f'host binary "{binary.path}" is not in the {ctx.platform} image: Windows on Arm'
            f" (which pulls it) gets no {tool_name(binary.path)}; Windows on Arm runs amd64"
            " .exe files under emulation, so copy the amd64 one into the arm64 variant too",
            found.origins + elsewhere,
        )
