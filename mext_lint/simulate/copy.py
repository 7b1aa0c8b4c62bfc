"""COPY and ADD: from the build context, a stage, an image, a heredoc, a URL or a git repository.

BuildKit's rules: sources are expanded with the stage's ARGs and ENV; the destination is
relative to WORKDIR; a directory source copies its *contents*; a file source lands *in* the
destination when the destination ends in "/" or is an existing directory, else *as* the
destination; ``--parents`` keeps each source's path (below a ``/./`` pivot when there is one);
``COPY --from`` sources are relative to the root of the stage or image they come from.
ADD also downloads URLs, clones git repositories and unpacks local tar archives.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, NamedTuple

from mext_lint.dockerfile.heredoc_words import parse_heredoc_word
from mext_lint.dockerfile.model import Word
from mext_lint.simulate.shell_values import find_arch_literals
from mext_lint.simulate.stages import VARIABLE_REFERENCE, Ref, RefKind
from mext_lint.simulate.state import StageState, Step
from mext_lint.simulate.tree import (
    FileTree,
    Kind,
    Lookup,
    Origin,
    Presence,
    dir_presence,
    normalize,
)
from mext_lint.spans import Problem, Related, Span

if TYPE_CHECKING:
    from mext_lint.simulate.context import ContextEntry

# Only ADD needs these: compiled by re on first use, not at every import.
_URL = r"(?i)^[a-z][a-z0-9+.-]*://"
_GIT = r"(?i)^(git@[^:]+:|git://|[a-z+]+://[^#]*\.git(#.*)?$)"
_ARCHIVE = r"(?i)\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tar\.lz4)$"
_WILDCARD = re.compile(r"[*?\[]")


class Destination(NamedTuple):
    path: str  # absolute
    into: bool  # sources go into this directory (trailing "/" or several sources)


class Flags(NamedTuple):
    mode: str | None  # --chmod
    parents: bool  # --parents
    excludes: tuple[str, ...]  # --exclude


def apply_copy(step: Step) -> None:
    _copy(step, is_add=False)


def apply_add(step: Step) -> None:
    _copy(step, is_add=True)


def _copy(step: Step, *, is_add: bool) -> None:
    words = step.instruction.value
    if len(words) < 2:
        return
    destination = _destination(step, words[-1], several=len(words) > 2)
    if destination is None:
        return
    flags = _flags(step)
    keyword = step.instruction.keyword
    from_flag = step.instruction.flag("from") if not is_add else None
    if from_flag is not None and from_flag.value:
        ref = step.build.resolver.source(from_flag.value, from_flag.span, f"{keyword} --from")
        for word in words[:-1]:
            _copy_from(step, ref, word, destination, flags)
        return
    for word in words[:-1]:
        _copy_word(step, word, destination, flags, is_add=is_add)


def _destination(step: Step, word: Word, *, several: bool) -> Destination | None:
    expanded = step.expand(word.text, word.span)
    state = step.stage
    if expanded is None:
        origin = step.origin(
            f"{step.instruction.keyword} to a destination that depends on an unknown build arg"
        )
        state.tree.make_opaque("/", origin)
        return None
    into = expanded.endswith("/") or several
    return Destination(normalize(expanded, state.workdir), into)


def _flags(step: Step) -> Flags:
    chmod = step.instruction.flag("chmod")
    parents = step.instruction.flag("parents")
    excludes = tuple(
        flag.value for flag in step.instruction.flags if flag.name == "exclude" and flag.value
    )
    parents_on = parents is not None and (parents.value or "true").lower() != "false"
    return Flags(chmod.value if chmod is not None else None, parents_on, excludes)


def _copy_word(
    step: Step, word: Word, destination: Destination, flags: Flags, *, is_add: bool
) -> None:
    heredoc = parse_heredoc_word(word.text)
    if heredoc is not None:
        _copy_heredoc(step, heredoc[0], word, destination, flags)
        return
    source = step.expand(word.text, word.span)
    if source is None:
        origin = step.origin("copied from a source that depends on an unknown build arg")
        step.stage.tree.make_opaque(destination.path, origin)
        return
    if is_add and re.match(_GIT, source):
        step.stage.tree.make_opaque(destination.path, step.origin(f"cloned from {source} by ADD"))
        return
    if is_add and re.match(_URL, source):
        _add_url(step, source, word, destination, flags)
        return
    _copy_context(step, source, word, destination, flags, is_add=is_add)


# ---------------------------------------------------------------------- targets


class Target(NamedTuple):
    path: str
    certain: bool


def file_target(tree: FileTree, destination: Destination, name: str) -> Target | None:
    """Where a file called ``name`` lands: into the destination when it is a directory, else as
    the destination. None when that depends on what a base image holds there."""
    into = Target(posixpath.join(destination.path, name), True)
    if destination.into:
        return into
    found = tree.lookup(destination.path)
    is_dir = dir_presence(found)
    if is_dir is Presence.YES:
        return into
    if is_dir is Presence.NO:
        return Target(destination.path, True)
    if found.kind is Kind.DIR:  # a directory that may not have been created
        return into._replace(certain=False)
    if posixpath.basename(destination.path) == name:
        return Target(destination.path, True)  # COPY host/tool bin/tool names the file
    return None


def add_file(
    step: Step,
    destination: Destination,
    name: str,
    origin: Origin,
    *,
    mode: str | None = None,
    arch: str | None = None,
) -> None:
    """Write one file; where it lands is maybe ``destination`` itself when we cannot tell."""
    target = file_target(step.stage.tree, destination, name) or Target(destination.path, False)
    arch_origin = origin if arch is not None else None
    step.stage.tree.add(
        target.path,
        Kind.FILE,
        origin,
        certain=target.certain,
        mode=mode,
        arch=arch,
        arch_origin=arch_origin,
    )


def _copy_heredoc(
    step: Step, name: str, word: Word, destination: Destination, flags: Flags
) -> None:
    keyword = step.instruction.keyword
    origin = step.origin(f"written from the heredoc {name} by {keyword}", word.span)
    add_file(step, destination, name, origin, mode=flags.mode)


def _add_url(step: Step, url: str, word: Word, destination: Destination, flags: Flags) -> None:
    name = posixpath.basename(url.split("?", 1)[0].split("#", 1)[0].rstrip("/")) or "index.html"
    origin = step.origin(f"downloaded from {url} by ADD", word.span)
    add_file(step, destination, name, origin, mode=flags.mode, arch=literal_arch(word.text))


def literal_arch(raw: str) -> str | None:
    """The CPU written literally in ``raw`` (not produced by a variable), if exactly one."""
    literal = VARIABLE_REFERENCE.sub(" ", raw)
    found = {arch for _, _, arch in find_arch_literals(literal)}
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------------- from a stage or image


def _copy_from(step: Step, ref: Ref, word: Word, destination: Destination, flags: Flags) -> None:
    tree = step.stage.tree
    source = step.expand(word.text, word.span)
    if ref.kind is RefKind.SCRATCH:
        return
    state = step.source_state(ref, word.span) if ref.kind is RefKind.STAGE else None
    if ref.kind is RefKind.STAGE and state is None:
        # A stage that depends on itself: BuildKit refuses the whole build (reported once).
        tree.make_opaque("/", step.origin(f"copied from stage {ref.name}, which is cyclic"))
        return
    if source is None or state is None:
        if state is not None:
            what = f"stage {ref.name}"
        else:
            what = f"image {ref.name}" if ref.name else "an unknown stage or image"
        origin = step.origin(f"copied from {what} by COPY --from", word.span)
        tree.make_opaque(destination.path, origin)
        return
    path = normalize(source, "/")
    origin = step.origin(f"copied from {path} in stage {ref.name} by COPY --from", word.span)
    if _WILDCARD.search(source):
        _copy_stage_glob(step, state, path, destination, flags, origin)
        return
    found = state.tree.lookup(path)
    if found.presence is Presence.NO:
        _missing_in_stage(step, ref, path, word, found)
        return
    _copy_stage_path(step, state.tree, path, found, destination, flags, origin)


def _copy_stage_path(
    step: Step,
    source: FileTree,
    path: str,
    found: Lookup,
    destination: Destination,
    flags: Flags,
    origin: Origin,
) -> None:
    tree = step.stage.tree
    if flags.parents:
        relative = path.lstrip("/")
        tree.copy_in(source, path, posixpath.join(destination.path, relative), origin)
    elif found.kind is Kind.DIR:
        tree.copy_in(source, path, destination.path, origin)
    elif found.kind is None:
        tree.make_opaque(destination.path, origin)
    else:
        target = file_target(tree, destination, posixpath.basename(path))
        if target is None or not target.certain:
            tree.make_opaque(destination.path, origin)
        else:
            tree.copy_in(source, path, target.path, origin)


def _copy_stage_glob(
    step: Step,
    state: StageState,
    pattern: str,
    destination: Destination,
    flags: Flags,
    origin: Origin,
) -> None:
    tree = step.stage.tree
    matches, uncertain = glob_tree(state.tree, pattern)
    if uncertain:
        tree.make_opaque(destination.path, origin)
    several = Destination(destination.path, True) if len(matches) > 1 else destination
    for path, found in matches:
        _copy_stage_path(step, state.tree, path, found, several, flags, origin)


def glob_tree(tree: FileTree, pattern: str) -> tuple[list[tuple[str, Lookup]], bool]:
    """The known paths of ``tree`` matching ``pattern`` (Go filepath.Match per component), and
    whether a directory the wildcards search may hold more entries than the tree knows."""
    from mext_lint.simulate.dockerignore import filepath_match

    frontier = ["/"]
    uncertain = False
    for part in (p for p in pattern.split("/") if p):
        following: list[str] = []
        for directory in frontier:
            if not _WILDCARD.search(part):
                candidate = posixpath.join(directory, part)
                if tree.lookup(candidate).presence is not Presence.NO:
                    following.append(candidate)
                continue
            uncertain = uncertain or tree.is_opaque(directory)
            following.extend(
                posixpath.join(directory, name)
                for name in tree.children(directory)
                if filepath_match(part, name)
            )
        frontier = following
    return [(path, tree.lookup(path)) for path in frontier], uncertain


def _missing_in_stage(step: Step, ref: Ref, path: str, word: Word, found: Lookup) -> None:
    related = tuple(Related(o.span, f"would have created it: {o.message}") for o in found.origins)
    step.fail(
        f"COPY --from={ref.name}: {path} is not in stage {ref.name}, so the build fails",
        word.span,
        *related,
    )


# ---------------------------------------------------------------------- from the build context


def _copy_context(
    step: Step, source: str, word: Word, destination: Destination, flags: Flags, *, is_add: bool
) -> None:
    from mext_lint.simulate.context import ContextUnknown

    context = step.build.context
    tree = step.stage.tree
    keyword = step.instruction.keyword
    origin = step.origin(f"copied from {source} in the build context by {keyword}", word.span)
    if context is None or context.is_outside(source):
        tree.make_opaque(destination.path, origin)
        return
    try:
        if _WILDCARD.search(source):
            entries, complete = _context_matches(step, source, flags)
        else:
            entry = context.lookup(source, follow_symlinks=True)
            if entry is None or entry.excluded_by is not None:
                _context_missing(step, source, word, destination, entry)
                return
            entries, complete = [entry], True
    except ContextUnknown:
        tree.make_opaque(destination.path, origin)
        return
    if not complete:
        tree.make_opaque(destination.path, origin)
    elif not entries:
        # BuildKit allows an empty wildcard: the build goes on, having copied nothing.
        message = f"{keyword} {source}: nothing in the build context matches, so it copies nothing"
        _report_copy(step, word, message)
        return
    into = Destination(destination.path, True) if len(entries) > 1 else destination
    for entry in entries:
        if is_add and not entry.is_dir and re.search(_ARCHIVE, entry.rel_path):
            unpacked = step.origin(f"unpacked from {entry.rel_path} by ADD", word.span)
            tree.make_opaque(destination.path, unpacked)
        else:
            _copy_entry(step, entry, word, into, flags, origin)


def _context_matches(step: Step, source: str, flags: Flags) -> tuple[list[ContextEntry], bool]:
    context = step.build.context
    assert context is not None
    found = context.match(source)
    kept = [
        entry
        for entry in found
        if not any(_excluded(p, posixpath.basename(entry.rel_path)) for p in flags.excludes)
    ]
    return kept, found.complete


def _excluded(pattern: str, rel_path: str) -> bool:
    """``COPY --exclude``: a pattern matching the path (relative to the source) or a parent."""
    from mext_lint.simulate.dockerignore import filepath_match

    parts = rel_path.split("/")
    try:
        return any(
            filepath_match(pattern.strip("/"), "/".join(parts[:n]))
            for n in range(1, len(parts) + 1)
        )
    except ValueError:
        return False


def _copy_entry(
    step: Step,
    entry: ContextEntry,
    word: Word,
    destination: Destination,
    flags: Flags,
    origin: Origin,
) -> None:
    """One file or directory of the build context, as COPY writes it."""
    tree = step.stage.tree
    if flags.parents:
        kept = entry.rel_path.split("/./", 1)[-1] if "/./" in word.text else entry.rel_path
        parent = posixpath.join(destination.path, posixpath.dirname(kept))
        destination = Destination(parent, True)
    if not entry.is_dir:
        name = posixpath.basename(entry.rel_path)
        add_file(step, destination, name, origin, mode=flags.mode, arch=literal_arch(word.text))
        return
    target = destination.path
    if flags.parents:
        target = posixpath.join(target, posixpath.basename(entry.rel_path))
    tree.add(target, Kind.DIR, origin)
    _copy_directory(step, entry, target, flags, origin)


def _copy_directory(
    step: Step, directory: ContextEntry, target: str, flags: Flags, origin: Origin
) -> None:
    context = step.build.context
    assert context is not None
    tree = step.stage.tree
    walk = context.walk(directory.rel_path)
    prefix = f"{directory.rel_path}/" if directory.rel_path else ""
    for entry in walk:
        relative = entry.rel_path[len(prefix) :]
        if any(_excluded(p, relative) for p in flags.excludes):
            continue
        path = f"{target.rstrip('/')}/{relative}"  # target is normal, relative below it
        if entry.is_symlink:
            tree.add(path, Kind.SYMLINK, origin, target=entry.link_target)
        elif entry.is_dir:
            tree.add(path, Kind.DIR, origin)
        else:
            tree.add(path, Kind.FILE, origin, mode=flags.mode)
    if not walk.complete:
        tree.make_opaque(target, origin)


def _context_missing(
    step: Step, source: str, word: Word, destination: Destination, entry: ContextEntry | None
) -> None:
    """A source that is not sent: BuildKit fails with '"/<source>" not found'."""
    keyword = step.instruction.keyword
    context = step.build.context
    assert context is not None
    if entry is None or entry.excluded_by is None:
        message = f'{keyword} {source}: "{source}" does not exist in the build context'
        related: tuple[Related, ...] = ()
        why = f"{source} is missing from the build context"
    else:
        pattern = entry.excluded_by
        ignore_file = str(context.dockerignore_path or ".dockerignore")
        name = posixpath.basename(ignore_file)
        message = (
            f'{keyword} {source}: "{source}" is excluded from the build context by {name}'
            f' line {pattern.line} ("{pattern.text}")'
        )
        span = Span(ignore_file, pattern.line, 1, pattern.line, len(pattern.text) + 1)
        related = (Related(span, f"excludes {source}"),)
        why = f"{source} is excluded from the build context by {name}"
    _report_copy(step, word, message, *related)
    target = file_target(step.stage.tree, destination, posixpath.basename(source.rstrip("/")))
    if target is not None:
        note = step.origin(f"would copy it, but {why}", word.span)
        step.stage.tree.note_skipped(target.path, note)


def _report_copy(step: Step, word: Word, message: str, *related: Related) -> None:
    step.build.copy_problems.append(Problem(word.span, message, related))
