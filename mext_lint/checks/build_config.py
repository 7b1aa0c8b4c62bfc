"""MX402-MX403: how the image is built: the platforms it is published for, what the UI copies."""

import posixpath
from collections.abc import Iterator
from typing import NamedTuple
from weakref import WeakKeyDictionary

from mext_lint.buildfiles import ImageBuild, normalize_platform
from mext_lint.dockerfile.model import Instruction, Word
from mext_lint.registry import CheckContext, check
from mext_lint.simulate.context import BuildContext, ContextEntry, ContextUnknown
from mext_lint.simulate.tree import normalize
from mext_lint.spans import Problem

REQUIRED_PLATFORMS = ("linux/amd64", "linux/arm64")


# -- MX402 ---------------------------------------------------------------------------------------


@check("MX402")
def build_platforms(ctx: CheckContext) -> Iterator[Problem]:
    for build in ctx.ext.build_files.extension_builds():
        missing = missing_platforms(build)
        if missing and build.platforms is not None:
            asked = ",".join(build.platforms.values)
            yield Problem(
                build.platforms.span,
                f"{build.origin} publishes the extension for {asked} only, without"
                f" {' and '.join(missing)}: Docker Desktop cannot install it on"
                f" {_who(missing)}; build with --platform=linux/amd64,linux/arm64",
            )


def missing_platforms(build: ImageBuild) -> list[str]:
    """The required platforms a release build of the extension image leaves out."""
    asked = build.platforms
    if not build.release or asked is None or not asked.known or not asked.values:
        return []
    platforms = {normalize_platform(value) for value in asked.values}
    if not all(platform.startswith("linux/") for platform in platforms):
        return []  # not an image Docker Desktop pulls (host binaries, say)
    return [platform for platform in REQUIRED_PLATFORMS if platform not in platforms]


def _who(missing: list[str]) -> str:
    hosts = {
        "linux/amd64": "Intel Macs, Windows or Linux",
        "linux/arm64": "Apple silicon Macs or Windows on Arm",
    }
    return " nor on ".join(hosts[platform] for platform in missing)


# -- MX403 ---------------------------------------------------------------------------------------


class _Copy(NamedTuple):
    source: Word
    destination: str  # absolute, in the image
    parents: bool  # --parents: the source path is kept below the destination


@check("MX403", per_platform=True, needs_dockerfile=True, needs_metadata=True)
def ui_symlinks(ctx: CheckContext) -> Iterator[Problem]:
    metadata = ctx.ext.metadata
    context = ctx.ext.context
    root = metadata.ui_root if metadata is not None else None
    if context is None or root is None or not root.value.strip():
        return
    ui_root = normalize("/" + root.value.strip().lstrip("/"))
    known = _UNSAFE_COPIES.setdefault(context, {})
    for copy in context_copies(ctx):
        key = (copy.source.text, copy.destination, copy.parents, ui_root)
        if key not in known:
            known[key] = _unsafe_copy(context, copy, ui_root)
        message = known[key]
        if message is not None:
            yield Problem(copy.source.span, message)


# What each copy puts in the UI folder depends on the build context only, not on the variant:
# found once per extension for all of them.
_UNSAFE_COPIES: WeakKeyDictionary[BuildContext, dict[tuple[str, str, bool, str], str | None]] = (
    WeakKeyDictionary()
)


def _unsafe_copy(context: BuildContext, copy: _Copy, ui_root: str) -> str | None:
    """What is wrong with the first symlink or node_modules ``copy`` puts in the UI folder."""
    for entry in _sources(context, copy.source.text):
        below = _part_in_ui(copy, entry, ui_root)
        if below is None:
            continue
        found = _first_unsafe(context, below)
        if found is not None:
            return _unsafe_message(found, ui_root)
    return None


def context_copies(ctx: CheckContext) -> Iterator[_Copy]:
    """COPY/ADD from the build context in the final stage and the stages it is built FROM, each
    source with its destination; words with variables and unknown WORKDIRs are left out."""
    from mext_lint.simulate.stages import split_stages

    image = ctx.image
    dockerfile = ctx.ext.dockerfile
    if image.final is None or dockerfile is None:
        return
    _, stages = split_stages(dockerfile)
    infos = {info.index: info for info in image.stages}
    lineage: list[int] = []
    index: int | None = image.final.index
    while index is not None and index in infos and index < len(stages):
        lineage.append(index)
        index = infos[index].parent
    if not lineage:
        return
    workdir = _base_workdir(infos[lineage[-1]].base)
    for stage_index in reversed(lineage):
        for instruction in stages[stage_index].body:
            workdir = _workdir_after(instruction, workdir)
            yield from _copies(instruction, workdir)


def _base_workdir(base: str | None) -> str | None:
    """The WORKDIR a base image starts with, when it is known (scratch, Docker Official Images)."""
    from mext_lint.simulate.build import official_workdir
    from mext_lint.simulate.stages import RefKind, image_ref

    if base is None:
        return None
    kind = image_ref(base).kind
    if kind is RefKind.SCRATCH:
        return "/"
    return official_workdir(base) if kind is RefKind.OFFICIAL_IMAGE else None


def _workdir_after(instruction: Instruction, workdir: str | None) -> str | None:
    if instruction.keyword != "WORKDIR":
        return workdir
    path = " ".join(word.text for word in instruction.value)
    if "$" in path or not path:
        return None
    if path.startswith("/"):
        return normalize(path)
    return normalize(path, workdir) if workdir is not None else None


def _copies(instruction: Instruction, workdir: str | None) -> Iterator[_Copy]:
    if instruction.keyword not in ("COPY", "ADD") or len(instruction.value) < 2:
        return
    if instruction.flag("from") is not None or instruction.heredocs:
        return
    if instruction.flag("exclude") is not None:
        return  # COPY --exclude may leave the links out: not judged
    target = instruction.value[-1].text
    if "$" in target or (not target.startswith("/") and workdir is None):
        return
    destination = normalize(target, workdir or "/")
    parents_flag = instruction.flag("parents")
    parents = parents_flag is not None and (parents_flag.value or "true").lower() != "false"
    for word in instruction.value[:-1]:
        if "$" in word.text or word.text.startswith("<<") or "://" in word.text:
            continue
        yield _Copy(word, destination, parents)


def _sources(context: BuildContext, pattern: str) -> list[ContextEntry]:
    try:
        return [entry for entry in context.match(pattern) if _is_directory(context, entry)]
    except ContextUnknown:
        return []


def _is_directory(context: BuildContext, entry: ContextEntry) -> bool:
    if entry.is_dir:
        return True
    if not entry.is_symlink:
        return False
    try:
        followed = context.lookup(entry.rel_path, follow_symlinks=True)
    except ContextUnknown:
        return False
    return followed is not None and followed.is_dir


def _part_in_ui(copy: _Copy, entry: ContextEntry, ui_root: str) -> str | None:
    """The context directory whose tree lands in the UI folder through this copy, if any."""
    lands_at = copy.destination
    if copy.parents:
        lands_at = normalize(entry.rel_path, copy.destination)
    if lands_at == ui_root or lands_at.startswith(ui_root.rstrip("/") + "/"):
        return entry.rel_path
    if ui_root.startswith(lands_at.rstrip("/") + "/"):
        below = posixpath.relpath(ui_root, lands_at)
        return posixpath.join(entry.rel_path, below) if entry.rel_path else below
    return None


def _first_unsafe(context: BuildContext, directory: str) -> ContextEntry | None:
    """The first symlink or node_modules folder Docker would send below ``directory``."""
    for entry in context.walk(directory):
        if entry.is_symlink or (
            entry.is_dir and posixpath.basename(entry.rel_path) == "node_modules"
        ):
            return entry
    return None


def _unsafe_message(entry: ContextEntry, ui_root: str) -> str:
    if entry.is_symlink:
        return (
            f'this copies the symbolic link "{entry.rel_path}" (-> {entry.link_target}) into the'
            f" UI folder {ui_root}: installing the extension fails on Windows; copy real files"
            " or leave it out with .dockerignore"
        )
    return (
        f'this copies "{entry.rel_path}" into the UI folder {ui_root}: node_modules is large'
        " and holds symbolic links, which fail the install on Windows; copy the built UI only"
        " and add node_modules to .dockerignore"
    )
