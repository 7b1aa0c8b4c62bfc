"""Simulate a BuildKit build for one target platform, statically, and return the final image.

Nothing is run or pulled. Each stage the final stage depends on is walked instruction by
instruction over a tri-state :class:`FileTree` (see tree.py): what an instruction provably
creates is YES, what nothing can have created is NO, and whatever an opaque step (a base image,
an unknown command, an image we cannot see into) could have created is UNKNOWN.

Base images are opaque, but not everywhere, so that a missing extension file is still a NO:

- ``scratch`` is empty.
- A Docker Official Image (``alpine``, ``node:20-alpine``, ``golang``, ``docker.io/library/x``)
  holds its distribution's usual top-level directories (``SYSTEM_DIRS``) and nothing else: such
  images are built from a root file system plus packages, none of which write ``/darwin`` or
  ``/ui``. Its WORKDIR is "/" (Docker's default) except for the few official images that set one
  (``OFFICIAL_WORKDIRS``).
- Any other image (with a registry or a namespace) may hold anything anywhere: it may itself be
  built FROM an extension image. Only the paths an extension owns are spared: ``EXTENSION_PATHS``
  and the paths metadata.json points to outside the system directories (a third-party image may
  well ship ``/usr/local/bin/tool``, but not the extension's ``/tool`` or ``/ui``). Its WORKDIR is
  unknown: relative paths land below ``UNKNOWN_WORKDIR`` and, since that WORKDIR may be "/", the
  same names at the root become unknown too.
- A base that depends on an unknown build arg may be any image or stage: opaque everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from mext_lint.dockerfile.model import Dockerfile, Instruction
from mext_lint.platforms import Platform
from mext_lint.simulate.shared_stages import Recorder, Signature, Signatures, StageRecord
from mext_lint.simulate.stages import (
    Ref,
    RefKind,
    Stage,
    StageResolver,
    expand_or_fail,
    global_args,
    is_official_image,
    split_arg,
    split_stages,
)
from mext_lint.simulate.state import LabelValue, StageInfo, StageState, Step
from mext_lint.simulate.tree import FileTree, Kind, Lookup, normalize
from mext_lint.spans import Problem, Related, Span

if TYPE_CHECKING:
    from mext_lint.simulate.context import BuildContext

__all__ = ["Image", "LabelValue", "StageInfo", "simulate", "simulate_platforms"]


SYSTEM_DIRS = frozenset(
    {
        *("bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media"),
        *("mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var", "go"),
    }
)
EXTENSION_PATHS = frozenset({"/darwin", "/windows", "/linux", "/host", "/ui", "/metadata.json"})
OFFICIAL_WORKDIRS = {"golang": "/go", "composer": "/app"}
# Stands for the WORKDIR of a base image we cannot see into; relative paths resolve below it.
UNKNOWN_WORKDIR = "/<base image WORKDIR>"


class Image:
    """The final image of one platform variant."""

    built_image: ClassVar[bool] = False  # True for a variant read from a real image (oci/)

    def __init__(
        self,
        platform: Platform,
        tree: FileTree,
        labels: dict[str, LabelValue],
        final: StageInfo | None,
        stages: list[StageInfo],
        problems: list[Problem],
        copy_problems: list[Problem],
        *,
        env: dict[str, str | None] | None = None,
        workdir: str = "/",
        user: str | None = None,
        cmd: Instruction | None = None,
        entrypoint: Instruction | None = None,
    ) -> None:
        self.platform = platform
        self.tree = tree
        self.labels = labels
        self.final = final
        self.stages = stages  # the stages the final one depends on, in dependency order
        self.problems = problems  # why this platform cannot be built (MX110)
        self.copy_problems = copy_problems  # build-context sources missing or excluded (MX401)
        self.env: dict[str, str | None] = {} if env is None else env
        self.workdir = workdir  # UNKNOWN_WORKDIR (or below it) when it is the base image's
        self.user = user
        self.cmd = cmd
        self.entrypoint = entrypoint

    def has(self, path: str) -> Lookup:
        return self.tree.lookup(path)

    @property
    def root_stage(self) -> StageInfo | None:
        """The stage whose FROM pulls the base image the final stage is built on."""
        by_index = {stage.index: stage for stage in self.stages}
        stage = self.final
        seen: set[int] = set()
        while stage is not None and stage.parent is not None and stage.index not in seen:
            seen.add(stage.index)
            stage = by_index.get(stage.parent, stage)
        return stage

    @property
    def labels_complete(self) -> bool:
        """Whether every label is known: the base is scratch or an official image, which carry
        no extension labels; any other base image may carry labels of its own."""
        root = self.root_stage
        if root is None or root.base is None:
            return False
        return root.base == "scratch" or is_official_image(root.base)


ExtensionPaths = frozenset[str] | Callable[[], frozenset[str]]


def simulate(
    dockerfile: Dockerfile,
    platform: Platform,
    *,
    context: BuildContext | None,
    build_args: Mapping[str, str] | None = None,
    extension_paths: ExtensionPaths = frozenset(),
    target: str | None = None,
) -> Image:
    """Simulate building ``dockerfile`` for ``platform`` up to ``target`` (default: last stage).

    ``extension_paths`` are the paths metadata.json names, or a function finding them: they are
    only needed under a base image mext-lint cannot see into."""
    simulation = _Simulation(dockerfile, platform, context, build_args or {}, extension_paths)
    return simulation.image(target)


def simulate_platforms(
    dockerfile: Dockerfile,
    platforms: Iterable[Platform],
    *,
    context: BuildContext | None,
    build_args: Mapping[str, str] | None = None,
    extension_paths: ExtensionPaths = frozenset(),
) -> dict[Platform, Image]:
    """``simulate`` for each platform, walking a stage once for all the platforms that build
    it the same way (see shared_stages.py)."""
    shared: dict[Signature, StageRecord] = {}
    return {
        platform: _Simulation(
            dockerfile, platform, context, build_args or {}, extension_paths, shared
        ).image(None)
        for platform in platforms
    }


class _Simulation:
    """One build: stages are simulated lazily, once each, when something depends on them."""

    def __init__(
        self,
        dockerfile: Dockerfile,
        platform: Platform,
        context: BuildContext | None,
        build_args: Mapping[str, str],
        extension_paths: ExtensionPaths,
        shared: dict[Signature, StageRecord] | None = None,
    ) -> None:
        self.dockerfile = dockerfile
        self.platform = platform
        self.escape = dockerfile.escape
        self.context = context
        self.build_args = build_args
        self.extension_paths = extension_paths
        self.problems: list[Problem] = []
        self.copy_problems: list[Problem] = []
        preamble, self.stages = split_stages(dockerfile)
        self.meta_args = global_args(
            preamble, platform, build_args, escape=self.escape, problems=self.problems
        )
        self.resolver = StageResolver(
            self.stages,
            self.meta_args,
            platform=platform,
            escape=self.escape,
            problems=self.problems,
        )
        self._states: dict[int, StageState] = {}
        self._in_progress: list[int] = []
        self._order: list[StageInfo] = []
        # Stages other platforms of this build simulated, by what they depend on.
        self._shared = shared
        self._signatures: Signatures | None = None
        self._recorders: list[Recorder] = []

    # ------------------------------------------------------------------ the image

    def image(self, target: str | None) -> Image:
        if not self.stages:
            return self._no_stage_image()
        final = self._final_index(target)
        state = self.stage_state(final, self.stages[final].instruction.span)
        assert state is not None  # nothing is in progress at the top
        info = next(info for info in self._order if info.index == final)
        return Image(
            platform=self.platform,
            tree=state.tree,
            labels=state.labels,
            final=info,
            stages=list(self._order),
            problems=self.problems,
            copy_problems=self.copy_problems,
            env=state.env,
            workdir=state.workdir,
            user=state.user,
            cmd=state.cmd,
            entrypoint=state.entrypoint,
        )

    def _final_index(self, target: str | None) -> int:
        if target is None:
            return len(self.stages) - 1
        found = self.resolver.find(target)
        if found is None:
            first = self.stages[0].instruction.span
            self.problems.append(Problem(first, f'target stage "{target}" could not be found'))
            return len(self.stages) - 1
        return found

    def _no_stage_image(self) -> Image:
        """Nothing is built (the parser reports why): an image about which nothing is known."""
        tree = FileTree()
        start = Span(self.dockerfile.path, 1, 1, 1, 1)
        tree.make_opaque("/", Related(start, "the Dockerfile has no FROM: no image is built"))
        return Image(self.platform, tree, {}, None, [], self.problems, [])

    # ------------------------------------------------------------------ stages

    def stage_state(self, index: int, span: Span) -> StageState | None:
        """The final state of stage ``index``; None when it depends on itself (a cycle)."""
        recorder = self._recorders[-1] if self._recorders else None
        if recorder is not None:
            recorder.cut(self.problems, self.copy_problems)
        state = self._stage_state(index, span)
        if recorder is not None:
            recorder.resume(self.problems, self.copy_problems, index, span)
        return state

    def _stage_state(self, index: int, span: Span) -> StageState | None:
        if index in self._states:
            return self._states[index]
        if index in self._in_progress:
            stage = self.stages[index]
            self.problems.append(
                Problem(
                    span,
                    f"circular dependency detected on stage {stage.name or index}: BuildKit"
                    " refuses to build it",
                    (Related(stage.instruction.span, "the stage"),),
                )
            )
            return None
        signature = self._signature(index)
        record = self._shared.get(signature) if signature is not None and self._shared else None
        stage = self.stages[index]
        recorder = Recorder(self.problems, self.copy_problems)
        self._recorders.append(recorder)
        self._in_progress.append(index)
        try:
            state = self._simulate(stage) if record is None else self._replay(stage, record)
        finally:
            self._in_progress.pop()
            self._recorders.pop()
        if record is None and signature is not None and self._shared is not None:
            recorder.cut(self.problems, self.copy_problems)
            self._shared[signature] = recorder.record(state)
        self._states[index] = state
        return state

    def _signature(self, index: int) -> Signature | None:
        if self._shared is None:
            return None
        if self._signatures is None:
            quiet = StageResolver(
                self.stages, self.meta_args, platform=self.platform, escape=self.escape, problems=[]
            )
            self._signatures = Signatures(
                self.stages, self.meta_args, self.build_args, quiet, self.escape
            )
        return self._signatures.of(index)

    def _replay(self, stage: Stage, record: StageRecord) -> StageState:
        """What simulating ``stage`` would do, as another platform's build of it did."""
        for (index, span), problems, copies in zip(
            record.nested, record.problem_segments, record.copy_segments, strict=False
        ):
            self.problems.extend(problems)
            self.copy_problems.extend(copies)
            self.stage_state(index, span)
        self.problems.extend(record.problem_segments[-1])
        self.copy_problems.extend(record.copy_segments[-1])
        base = self.resolver.base(stage)
        parent = self._states.get(base.stage) if base.stage is not None else None
        if parent is not None:
            platform = parent.platform
        else:  # any problem it raises is in the record already
            platform = self._pinned_platform(stage, problems=[])
        self._order.append(self._info(stage, base, parent is not None, platform))
        return record.state.for_platform(platform)

    def _simulate(self, stage: Stage) -> StageState:
        base = self.resolver.base(stage)
        state, info = self._start(stage, base)
        for instruction in stage.body:
            self._apply(Step(instruction, state, self))
        self._order.append(info)
        return state

    def _start(self, stage: Stage, base: Ref) -> tuple[StageState, StageInfo]:
        word = stage.image_word
        base_span = word.span if word is not None else stage.instruction.span
        flag = stage.instruction.flag("platform")
        parent = self.stage_state(base.stage, base_span) if base.stage is not None else None
        if parent is not None:
            state = parent.child(parent.platform)
        else:
            platform = self._pinned_platform(stage)
            state = self._base_state(base, word.text if word else "", base_span, platform)
            if flag is not None and platform is not None:
                state.pinned_by = flag.span
        return state, self._info(stage, base, parent is not None, state.platform)

    def _info(
        self, stage: Stage, base: Ref, from_stage: bool, platform: Platform | None
    ) -> StageInfo:
        word = stage.image_word
        flag = stage.instruction.flag("platform")
        return StageInfo(
            index=stage.index,
            name=stage.name,
            from_span=stage.instruction.span,
            base=base.name,
            base_span=word.span if word is not None else stage.instruction.span,
            parent=base.stage if from_stage else None,
            platform_flag=flag.value if flag is not None else None,
            platform_flag_span=flag.span if flag is not None else None,
            platform=platform,
        )

    def _pinned_platform(
        self, stage: Stage, problems: list[Problem] | None = None
    ) -> Platform | None:
        """The platform of ``FROM --platform=...``: the target unless pinned; None if unknown.
        Problems go to ``problems``, by default the build's."""
        problems = self.problems if problems is None else problems
        flag = stage.instruction.flag("platform")
        if flag is None or flag.value is None:
            return self.platform
        value = expand_or_fail(flag.value, self.meta_args, self.escape, flag.span, problems)
        if value is None:
            return None
        try:
            return normalize_platform(Platform.parse(value))
        except ValueError:
            problems.append(
                Problem(flag.span, f"--platform={flag.value}: {value!r} is not a platform")
            )
            return None

    def _base_state(
        self, base: Ref, written: str, span: Span, platform: Platform | None
    ) -> StageState:
        tree = FileTree()
        state = StageState(tree, platform)
        shown = base.name or written
        origin = Related(span, f"base image {shown}")
        if base.kind is RefKind.SCRATCH:
            return state
        if base.kind is RefKind.OFFICIAL_IMAGE:
            tree.make_opaque("/", origin, scope=SYSTEM_DIRS)
            state.workdir = official_workdir(shown)
        elif base.kind is RefKind.IMAGE:
            paths = self.extension_paths
            tree.make_opaque(
                "/", origin, spared=spared_paths(paths() if callable(paths) else paths)
            )
            enter_unknown_workdir(state, origin)
        else:
            unknown = Related(span, f"base {written or '?'} depends on an unknown build arg")
            tree.make_opaque("/", unknown)
            enter_unknown_workdir(state, unknown)
        return state

    # ------------------------------------------------------------------ instructions

    def _apply(self, step: Step) -> None:
        handler = HANDLERS.get(step.instruction.keyword)
        if handler is None:
            return
        handler(step)
        if is_unknown_workdir(step.stage.workdir):
            expose_unknown_workdir(step)


def normalize_platform(platform: Platform) -> Platform:
    """containerd's normalisation: ``linux/arm64/v8`` is ``linux/arm64``."""
    if platform.arch in ("arm64", "aarch64") and platform.variant in ("", "v8"):
        return Platform(platform.os, "arm64")
    if platform.arch in ("x86_64", "x86-64"):
        return Platform(platform.os, "amd64", platform.variant)
    return platform


@functools.lru_cache(maxsize=1)
def spared_paths(extension_paths: frozenset[str]) -> frozenset[str]:
    """The paths a base image we cannot see into is taken not to provide: the extension's own,
    outside system directories. Worked out once for all the platforms of an extension (a
    metadata.json can name 100,000 host binaries)."""
    return EXTENSION_PATHS | {p for p in extension_paths if not in_system_dir(p)}


def in_system_dir(path: str) -> bool:
    return normalize(path).lstrip("/").split("/", 1)[0] in SYSTEM_DIRS


def official_workdir(reference: str) -> str:
    repository = reference.lower().split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return OFFICIAL_WORKDIRS.get(repository, "/")


def enter_unknown_workdir(state: StageState, origin: Related) -> None:
    """Work from a directory we cannot name: it exists (a WORKDIR always does), its content is
    whatever the base holds there."""
    state.workdir = UNKNOWN_WORKDIR
    state.tree.add(UNKNOWN_WORKDIR, Kind.DIR, origin)


def is_unknown_workdir(path: str) -> bool:
    return path == UNKNOWN_WORKDIR or path.startswith(UNKNOWN_WORKDIR + "/")


def expose_unknown_workdir(step: Step) -> None:
    """What an instruction wrote below an unknown WORKDIR may be at the root: that WORKDIR
    may be "/". Make those root names unknown (never NO) from here on."""
    tree = step.stage.tree
    names = frozenset(tree.children(UNKNOWN_WORKDIR))
    covered = step.stage.exposed_workdir_names
    if names <= covered:
        return
    origin = step.origin("may have written here: relative to a base image WORKDIR we cannot know")
    tree.make_opaque("/", origin, scope=names - covered)
    step.stage.exposed_workdir_names = covered | names


# ---------------------------------------------------------------------- image config


def apply_arg(step: Step) -> None:
    build = step.build
    values: dict[str, str | None] = {}
    for word in step.instruction.value:
        name, default = split_arg(word.text)
        if name in build.build_args:
            values[name] = build.build_args[name]
        elif default is not None:
            values[name] = step.expand(default, word.span)
        else:
            values[name] = build.meta_args.get(name)
    step.stage.args.update(values)


def word_pairs(step: Step) -> list[tuple[str, str | None, Span, Span]]:
    """ENV/LABEL pairs (BuildKit keeps them as key, value, key, value), expanded."""
    words = step.instruction.value
    pairs = []
    for key, value in zip(words[0::2], words[1::2], strict=False):
        expanded_key = step.expand(key.text, key.span) or key.text
        pairs.append((expanded_key, step.expand(value.text, value.span), key.span, value.span))
    return pairs


def apply_env(step: Step) -> None:
    for key, value, _, _ in word_pairs(step):
        step.stage.env[key] = value


def apply_label(step: Step) -> None:
    for key, value, key_span, value_span in word_pairs(step):
        pair = key_span._replace(end_line=value_span.end_line, end_column=value_span.end_column)
        step.stage.labels[key] = LabelValue(key, value, pair, step.instruction.span)


def apply_workdir(step: Step) -> None:
    words = step.instruction.value
    if not words:
        return
    path = step.expand(" ".join(word.text for word in words), words[0].span)
    state = step.stage
    if path is None:
        enter_unknown_workdir(state, step.origin("WORKDIR depends on an unknown build arg"))
        return
    state.workdir = normalize(path, state.workdir)
    state.tree.add(state.workdir, Kind.DIR, step.origin("created by WORKDIR"))


def apply_user(step: Step) -> None:
    words = step.instruction.value
    step.stage.user = step.expand(words[0].text, words[0].span) if words else None


def apply_shell(step: Step) -> None:
    if step.instruction.json_form and step.instruction.value:
        step.stage.shell = tuple(word.text for word in step.instruction.value)


def apply_cmd(step: Step) -> None:
    step.stage.cmd = step.instruction
    step.stage.cmd_set_here = True


def apply_entrypoint(step: Step) -> None:
    step.stage.entrypoint = step.instruction
    if not step.stage.cmd_set_here:
        step.stage.cmd = None  # BuildKit drops a CMD inherited from the base image


def _handlers() -> dict[str, Callable[[Step], None]]:
    from mext_lint.simulate.copy import apply_add, apply_copy
    from mext_lint.simulate.run import apply_run

    return {
        "ARG": apply_arg,
        "ENV": apply_env,
        "LABEL": apply_label,
        "WORKDIR": apply_workdir,
        "USER": apply_user,
        "SHELL": apply_shell,
        "CMD": apply_cmd,
        "ENTRYPOINT": apply_entrypoint,
        "RUN": apply_run,
        "COPY": apply_copy,
        "ADD": apply_add,
    }


HANDLERS = _handlers()
