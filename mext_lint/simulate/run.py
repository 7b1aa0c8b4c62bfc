"""RUN: hand the script (shell form, heredoc or exec form) to the shell analyser.

BuildKit runs a shell-form RUN as ``SHELL + [command]`` (``/bin/sh -c`` by default). A RUN whose
only argument is one heredoc runs the heredoc body as that script (or through the interpreter of
its ``#!`` line); ``RUN <<EOT bash`` has the outer ``sh`` feed the body to ``bash`` on stdin,
after expanding it unless the delimiter is quoted; any other heredoc form is reassembled as
``command`` + body + delimiter and run by the shell. Mounts (``--mount``) only exist while the
RUN runs: what the RUN writes below a mount target is gone afterwards.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Callable, Sequence
from typing import NamedTuple

from mext_lint.dockerfile.heredoc_words import parse_heredoc_word
from mext_lint.dockerfile.model import Dockerfile, Heredoc, Instruction, Segment
from mext_lint.lazy_re import compile_later
from mext_lint.simulate.shell import Parses, Script, ShellState, run_argv, run_script
from mext_lint.simulate.shell_values import ArchMark
from mext_lint.simulate.stages import PLATFORM_ARGS, RefKind
from mext_lint.simulate.state import Step
from mext_lint.simulate.tree import FileTree, Node, normalize
from mext_lint.spans import Related

Locate = Callable[[int], tuple[int, int]]

SH_LIKE = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
_NEWLINE = compile_later("\n")
_SHEBANG = compile_later(r"#!\s*(\S+)(?:\s+(\S+))?")


class Mount(NamedTuple):
    kind: str  # bind, cache, tmpfs, secret, ssh
    target: str  # absolute
    source_stage: str | None  # the from= value, as written
    source: str  # source path in the stage or context ("/" by default)


def apply_run(step: Step) -> None:
    mounts = parse_mounts(step)
    tree = step.stage.tree
    hidden = [_node_at(tree, mount.target) for mount in mounts]  # what each mount covers
    for mount in mounts:
        _prepare_mount(step, mount)
    try:
        _run(step)
    except Exception as error:  # the analyser must never take the linter down
        import logging  # here only: importing it costs more than analysing a RUN

        logging.getLogger(__name__).debug(
            "RUN at %s could not be analysed", step.instruction.span, exc_info=True
        )
        tree.make_opaque("/", step.origin(f"RUN could not be analysed ({error})"))
    for mount, before in zip(mounts, hidden, strict=True):
        restore(tree, mount.target, before)


def _run(step: Step) -> None:
    instruction = step.instruction
    stage = step.stage
    state = ShellState(stage.tree, shell_env(step), stage.workdir, instruction.span)
    if stage.pinned_by is not None and stage.platform is not None:
        origin = Related(stage.pinned_by, f"runs on {stage.platform}: its stage is pinned")
        state.pinned_arch = ArchMark(stage.platform.arch, origin)
    if instruction.json_form:
        run_argv([word.text for word in instruction.value], state)
        return
    if not is_sh_like(stage.shell):
        shell = " ".join(stage.shell)
        stage.tree.make_opaque("/", step.origin(f"RUN through SHELL [{shell}]: not analysed"))
        return
    script = _script(step)
    if isinstance(script, str):
        _opaque_interpreter(step, script)
        return
    run_script(script, state)


def shell_env(step: Step) -> dict[str, str | None]:
    """ARGs and ENV in scope. The platform ARGs a stage did not declare are empty in RUN, as no
    base image sets them: that is how a forgotten ``ARG TARGETARCH`` shows."""
    return {**dict.fromkeys(PLATFORM_ARGS, ""), **step.stage.variables()}


def is_sh_like(shell: Sequence[str]) -> bool:
    return bool(shell) and posixpath.basename(shell[0]) in SH_LIKE


# The Dockerfile whose builds are simulated now (one per platform, one after another) and, by
# id(instruction), each of its RUNs with what _script_of found, which keeps the script's parse
# for the other platforms' builds (the instruction is kept too, so that the id stays its own).
_scripts_owner: list[Dockerfile] = []
_scripts_by_run: dict[int, tuple[Instruction, Script | str]] = {}


def _script(step: Step) -> Script | str:
    dockerfile = step.build.dockerfile
    if not _scripts_owner or _scripts_owner[0] is not dockerfile:
        _scripts_owner[:] = [dockerfile]
        _scripts_by_run.clear()
    instruction = step.instruction
    found = _scripts_by_run.get(id(instruction))
    if found is None or found[0] is not instruction:
        found = (instruction, _script_of(instruction))
        _scripts_by_run[id(instruction)] = found
    return found[1]


def _script_of(instruction: Instruction) -> Script | str:
    """The script a shell-form RUN has its shell run, or the interpreter that runs its heredoc
    instead of a shell."""
    path = instruction.span.path
    if not instruction.heredocs:
        return Script(instruction.command, segment_locator(instruction), path, False, Parses())
    words = instruction.command.split()
    heredoc_words = [w for w in words if parse_heredoc_word(w) is not None]
    others = [w for w in words if parse_heredoc_word(w) is None]
    single = instruction.heredocs[0] if len(instruction.heredocs) == 1 else None
    if single is not None and len(heredoc_words) == 1 and not others:
        interpreter = shebang_interpreter(single.content)
        if interpreter is not None and interpreter not in SH_LIKE:
            return interpreter
        return Script(single.content, heredoc_locator(single), path, False, Parses())
    feeds_a_shell = others and posixpath.basename(others[0]) in SH_LIKE
    if single is not None and feeds_a_shell and all(w.startswith("-") for w in others[1:]):
        # RUN <<EOT bash: the outer sh expands the body (unless quoted), bash runs it
        locate = heredoc_locator(single)
        return Script(single.content, locate, path, single.expand, Parses())
    text, locate = reassembled(instruction)
    return Script(text, locate, path, False, Parses())


def _opaque_interpreter(step: Step, interpreter: str) -> None:
    origin = step.origin(f"RUN script run by {interpreter}: not analysed")
    step.stage.tree.make_opaque("/", origin)


def shebang_interpreter(content: str) -> str | None:
    """``#!/usr/bin/env python3`` -> "python3"; None without a ``#!`` line."""
    match = _SHEBANG.match(content)
    if match is None:
        return None
    program = posixpath.basename(match.group(1))
    if program == "env" and match.group(2):
        return posixpath.basename(match.group(2))
    return program


# ---------------------------------------------------------------------- locating script text


def segment_locator(instruction: Instruction) -> Locate:
    """Map an offset in ``instruction.command`` to its line and column in the Dockerfile."""
    segments: tuple[Segment, ...] = instruction.command_segments
    offsets = [segment.offset for segment in segments]  # ascending
    start = instruction.command_span

    def locate(offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(offsets, offset) - 1  # the last segment starting before
        if index < 0:
            return start.line, start.column + max(offset, 0)
        found = segments[index]
        return found.line, found.column + offset - found.offset

    return locate


def text_locator(text: str, first_line: int) -> Locate:
    """Map offsets in ``text``, whose lines start in column 1 from ``first_line`` on."""
    newlines = [match.start() for match in _NEWLINE.finditer(text)]

    def locate(offset: int) -> tuple[int, int]:
        before = min(max(offset, 0), len(text))  # characters of text before the offset
        count = bisect.bisect_left(newlines, before)  # newlines among them
        if count == 0:
            return first_line, 1 + before
        return first_line + count, offset - newlines[count - 1]

    return locate


def heredoc_locator(heredoc: Heredoc) -> Locate:
    return text_locator(heredoc.content, heredoc.first_line)


def reassembled(instruction: Instruction) -> tuple[str, Locate]:
    """The script BuildKit hands to the shell for a RUN with heredocs, and where it sits."""
    pieces: list[tuple[int, Locate]] = [(0, segment_locator(instruction))]
    text = instruction.command
    for heredoc in instruction.heredocs:
        text += "\n"
        body = heredoc.content + heredoc.name
        pieces.append((len(text), text_locator(body, heredoc.first_line)))
        text += body

    def locate(offset: int) -> tuple[int, int]:
        start, inner = next((s, f) for s, f in reversed(pieces) if s <= max(offset, 0))
        return inner(offset - start)

    return text, locate


# ---------------------------------------------------------------------- mounts


def parse_mounts(step: Step) -> list[Mount]:
    mounts = []
    for flag in step.instruction.flags:
        if flag.name != "mount" or not flag.value:
            continue
        options: dict[str, str] = {}
        for field in flag.value.split(","):
            key, _, value = field.partition("=")
            options[key.strip().lower()] = value.strip()
        kind = options.get("type", "bind")
        target = options.get("target") or options.get("dst") or options.get("destination")
        if not target:
            continue
        source = options.get("source") or options.get("src") or "/"
        absolute = normalize(target, step.stage.workdir)
        mounts.append(Mount(kind, absolute, options.get("from"), source))
    return mounts


def _prepare_mount(step: Step, mount: Mount) -> None:
    """Show the RUN what the mount holds: a stage's files, or unknown content."""
    tree = step.stage.tree
    if mount.kind not in ("bind", "cache"):
        return
    if mount.source_stage is None:
        what = "the build context" if mount.kind == "bind" else "a cache"
        tree.make_opaque(mount.target, step.origin(f"mounted from {what} during this RUN"))
        return
    ref = step.build.resolver.source(mount.source_stage, step.instruction.span, "--mount from")
    source = step.source_state(ref, step.instruction.span)
    if ref.kind is RefKind.STAGE and source is not None and mount.kind == "bind":
        origin = step.origin(f"mounted from stage {ref.name} during this RUN")
        tree.copy_in(source.tree, mount.source, mount.target, origin)
        return
    origin = step.origin(f"mounted from {mount.source_stage} during this RUN")
    tree.make_opaque(mount.target, origin)


def _node_at(tree: FileTree, path: str) -> Node | None:
    """A copy of what ``tree`` holds at ``path`` (None when nothing is written there, or for
    the root, which ``restore`` leaves alone)."""
    parts = _components(path)
    node = _walk(tree.root, parts) if parts else None
    return node.clone() if node is not None else None


def restore(tree: FileTree, path: str, before: Node | None) -> None:
    """Put back at ``path`` what was there before the RUN (``_node_at``): the RUN's writes
    below a mount target did not persist."""
    parts = _components(path)
    if not parts:
        return
    now = _walk(tree.root, parts[:-1])
    if now is None:
        return
    if before is None:
        now.children.pop(parts[-1], None)
    else:
        now.children[parts[-1]] = before


def _components(path: str) -> list[str]:
    return [part for part in normalize(path).split("/") if part]


def _walk(node: Node, parts: list[str]) -> Node | None:
    for part in parts:
        child = node.children.get(part)
        if child is None:
            return None
        node = child
    return node
