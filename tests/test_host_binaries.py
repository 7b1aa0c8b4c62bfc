"""The helpers the host-binary checks (MX103-MX108) share."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from hypothesis import example, given
from hypothesis import strategies as st

from mext_lint.checks import host_binaries
from mext_lint.checks.host_binaries import (
    binary_created_elsewhere,
    created_elsewhere,
    other_variants,
    variant_lookups,
)
from mext_lint.metadata import HOST_OSES, HostBinary, Metadata, image_path, load_metadata
from mext_lint.platforms import Platform
from mext_lint.registry import CheckContext
from mext_lint.simulate.build import Image
from mext_lint.simulate.tree import FileTree, Kind, Presence
from mext_lint.spans import Related, Span

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64")
ORIGIN = Related(Span.point("Dockerfile", 1, 1), "created here")
METADATA = '{"host": {"binaries": [{"darwin": [{"path": "darwin/kubectl"}, {"path": "/l/x"}]}]}}'


def context(tree: FileTree, metadata: Metadata, *others: FileTree) -> CheckContext:
    platforms = [AMD64, ARM64, Platform("linux", "riscv64")]
    images = {
        platform: Image(platform, each, {}, None, [], [], [])
        for platform, each in zip(platforms, (tree, *others), strict=False)
    }
    extension = cast(Any, SimpleNamespace(metadata=metadata))
    return CheckContext(extension, AMD64, images, ())


def test_image_path_is_absolute_and_keeps_an_absolute_path_as_is() -> None:
    path = "/darwin/kubectl"
    assert image_path(path) is path
    assert image_path("darwin/kubectl") == path
    assert image_path("//darwin/kubectl") == path
    assert image_path("") == "/"


def test_binary_lookups_are_found_once_per_tree_for_every_binary() -> None:
    tree = FileTree()
    tree.add("/darwin/kubectl", Kind.FILE, ORIGIN)
    metadata = load_metadata(METADATA, "metadata.json")
    lookups = variant_lookups(context(tree, metadata))
    assert lookups == [tree.lookup("/darwin/kubectl"), tree.lookup("/l/x")]
    assert [found.presence for found in lookups] == [Presence.YES, Presence.NO]
    assert variant_lookups(context(tree, metadata)) is lookups  # shared by the next check


def test_binary_lookups_belong_to_their_tree_and_binary_list() -> None:
    full = FileTree()
    full.add("/darwin/kubectl", Kind.FILE, ORIGIN)
    metadata = load_metadata(METADATA, "metadata.json")
    assert variant_lookups(context(FileTree(), metadata))[0].presence is Presence.NO
    assert variant_lookups(context(full, metadata))[0].presence is Presence.YES
    other = load_metadata('{"host": {"binaries": [{"linux": [{"path": "/y"}]}]}}', "m.json")
    assert variant_lookups(context(full, other)) == [full.lookup("/y")]


def test_looking_up_many_paths_answers_as_looking_each_up() -> None:
    tree = FileTree()
    tree.make_opaque("/", ORIGIN, scope=frozenset({"usr", "etc"}), spared=frozenset({"/usr/own"}))
    tree.add("/darwin/kubectl", Kind.FILE, ORIGIN, arch="arm64", arch_origin=ORIGIN)
    tree.add("/darwin/maybe", Kind.FILE, ORIGIN, certain=False)
    tree.add("/opt/tools", Kind.DIR, ORIGIN)
    tree.add("/tools", Kind.SYMLINK, ORIGIN, target="/opt/tools")
    tree.add("/opt/tools/helm", Kind.FILE, ORIGIN)
    tree.add("/linux/gone", Kind.FILE, ORIGIN)
    tree.remove("/linux/gone", ORIGIN)
    tree.make_opaque("/var/cache", ORIGIN)
    tree.note_skipped("/windows/kubectl.exe", ORIGIN)
    paths = [
        "/darwin/kubectl",
        "darwin/kubectl",
        "/darwin/maybe",
        "/darwin/missing",
        "/tools/helm",
        "/tools/nothing",
        "/tools",
        "/linux/gone",
        "/linux/gone/below",
        "/var/cache/x/y",
        "/windows/kubectl.exe",
        "/usr/bin/tool",
        "/usr/own/tool",
        "/etc",
        "/zzz",
        "/nothing/here/a",
        "/nothing/here/b",
        "/linux/gone/x/y",
        "/",
        "",
        "/darwin/../darwin/kubectl",
        "/darwin/kubectl/",
        "/darwin/kubectl/inside",
    ]
    assert tree.lookup_many(paths) == [tree.lookup(path) for path in paths]


def test_absent_paths_that_the_same_opacities_cover_share_one_answer() -> None:
    tree = FileTree()
    tree.make_opaque("/", ORIGIN, scope=frozenset({"usr"}), spared=frozenset({"/usr/own"}))
    tree.add("/usr/bin/x", Kind.FILE, ORIGIN)
    tree.remove("/usr/bin/x", ORIGIN)
    tree.note_skipped("/opt/y", ORIGIN)
    paths = ["/usr/bin/a", "/usr/bin/b", "/usr/own", "/usr/bin/x", "/opt/y", "/usr/c"]
    paths += ["/usr/lib/a/b", "/usr/lib/a/c", "/usr/own/a", "/usr/own/b"]
    found = tree.lookup_many(paths)
    assert found == [tree.lookup(path) for path in paths]
    assert found[0] is found[1] and found[6] is found[7] and found[8] is found[9]
    assert found[4].origins == (ORIGIN,)
    unknown, no = Presence.UNKNOWN, Presence.NO
    assert [f.presence for f in found] == [unknown] * 2 + [no] * 3 + [unknown] * 3 + [no] * 2


def test_binary_created_elsewhere_says_what_created_elsewhere_says() -> None:
    here, arm, riscv = FileTree(), FileTree(), FileTree()
    arm.add("/darwin/kubectl", Kind.FILE, ORIGIN)
    riscv.add("/darwin/kubectl", Kind.FILE, Related(Span.point("Dockerfile", 2, 1), "copied"))
    riscv.add("/l/x", Kind.DIR, ORIGIN)
    ctx = context(here, load_metadata(METADATA, "metadata.json"), arm, riscv)
    others = other_variants(ctx)
    assert [platform for platform, _ in others] == [ARM64, Platform("linux", "riscv64")]
    for index, path in enumerate(["/darwin/kubectl", "/l/x"]):
        assert binary_created_elsewhere(others, index) == created_elsewhere(ctx, path)
    assert len(binary_created_elsewhere(others, 0)) == 2


def os_mismatch_by_definition(binary: HostBinary) -> str | None:
    """MX105's message as first written: every path component, lower-cased, in a set."""
    parts = [p.lower() for p in binary.path.split("/") if p]
    name = parts[-1] if parts else ""
    windows_name = name.endswith(host_binaries.WINDOWS_SUFFIXES)
    directories = set(parts[:-1])
    if binary.os == "windows":
        if not windows_name:
            return (
                f'Windows host binary "{binary.path}" has no .exe, .cmd, .bat, .ps1 or .com'
                " suffix: Windows cannot run it"
            )
        wrong = directories & {"darwin", "linux"}
        if wrong:
            return (
                f'Windows host binary "{binary.path}" lives under /{sorted(wrong)[0]}/: is it'
                " the right file?"
            )
        return None
    label = host_binaries.OS_NAMES[binary.os]
    if windows_name:
        return f'{label} host binary "{binary.path}" has a Windows suffix: is it the right file?'
    if "windows" in directories:
        return f'{label} host binary "{binary.path}" lives under /windows/: is it the right file?'
    return None


@given(
    st.sampled_from(HOST_OSES),
    st.lists(
        st.sampled_from(["", "Darwin", "linux", "WINDOWS", "bin", "windowsx", "k.exe", "k.PS1"]),
        max_size=5,
    ),
)
@example("windows", ["linux", "k.exe"])
@example("windows", ["Darwin", "k.PS1"])
@example("linux", ["windowsx", "k"])
@example("darwin", ["k.exe", ""])
def test_os_mismatch_is_the_definition(os_name: str, parts: list[str]) -> None:
    for path in ("/".join(parts), "/" + "/".join(parts), "/".join(parts) + "/"):
        binary = HostBinary(os_name, path, Span("metadata.json", 1, 1, 1, 2), "/host")
        expected = os_mismatch_by_definition(binary)
        assert host_binaries.os_mismatch(binary) == expected
        reported = list(host_binaries.os_mismatches([binary]))
        assert reported == ([(binary, expected)] if expected is not None else [])


@given(
    st.lists(
        st.tuples(
            st.sampled_from(HOST_OSES),
            st.lists(st.sampled_from(["", "a", "A", "b", "k.exe"]), max_size=3),
            st.sampled_from(["", "/", "//"]),
            st.sampled_from(["", "/"]),
        ),
        max_size=5,
    )
)
def test_names_differ_exactly_when_no_clash_is_found(
    listed: list[tuple[str, list[str], str, str]],
) -> None:
    span = Span("metadata.json", 1, 1, 1, 2)
    binaries = [
        HostBinary(os_name, lead + "/".join(parts) + trail, span, "/host")
        for os_name, parts, lead, trail in listed
    ]
    assert host_binaries.names_differ(binaries) == (not list(host_binaries.find_clashes(binaries)))
