"""What a stage holds while the build simulator walks its instructions."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

from mext_lint.dockerfile.expand import ExpansionError, expand
from mext_lint.dockerfile.model import Dockerfile, Instruction
from mext_lint.platforms import Platform
from mext_lint.simulate.stages import Ref, StageResolver
from mext_lint.simulate.tree import FileTree, Origin
from mext_lint.spans import Problem, Related, Span

if TYPE_CHECKING:
    from mext_lint.simulate.context import BuildContext


DEFAULT_SHELL = ("/bin/sh", "-c")


class LabelValue(NamedTuple):
    key: str
    value: str | None  # after ARG/ENV expansion and quote removal; None: depends on an unknown ARG
    span: Span  # the key=value pair in the LABEL instruction
    instruction: Span


class StageInfo:
    """How one stage of a platform's build began."""

    __slots__ = (
        "base",
        "base_span",
        "from_span",
        "index",
        "name",
        "parent",
        "platform",
        "platform_flag",
        "platform_flag_span",
    )

    def __init__(
        self,
        index: int,
        name: str | None,
        from_span: Span,
        base: str | None,
        base_span: Span,
        parent: int | None,
        platform_flag: str | None,
        platform_flag_span: Span | None,
        platform: Platform | None,
    ) -> None:
        self.index = index
        self.name = name
        self.from_span = from_span  # the FROM instruction
        self.base = base  # expanded base name; None if unknown
        self.base_span = base_span  # the image word in FROM
        self.parent = parent  # index of the stage it is built FROM, if FROM <stage>
        self.platform_flag = platform_flag  # raw --platform value as written
        self.platform_flag_span = platform_flag_span
        self.platform = platform  # constant pin or the target; None if unknown ($BUILDPLATFORM)


class StageState:
    """A stage's file tree and image config after the instructions applied so far."""

    __slots__ = (
        "args",
        "cmd",
        "cmd_set_here",
        "entrypoint",
        "env",
        "exposed_workdir_names",
        "labels",
        "pinned_by",
        "platform",
        "shell",
        "tree",
        "user",
        "workdir",
    )

    def __init__(
        self,
        tree: FileTree,
        platform: Platform | None,
        *,
        env: dict[str, str | None] | None = None,
        labels: dict[str, LabelValue] | None = None,
        workdir: str = "/",
        user: str | None = None,
        shell: tuple[str, ...] = DEFAULT_SHELL,
        cmd: Instruction | None = None,
        entrypoint: Instruction | None = None,
        exposed_workdir_names: frozenset[str] = frozenset(),
        pinned_by: Span | None = None,
    ) -> None:
        self.tree = tree
        self.platform = platform
        self.env: dict[str, str | None] = env or {}  # ENV: inherited by FROM <stage>
        self.args: dict[str, str | None] = {}  # ARGs in scope: never inherited
        self.labels: dict[str, LabelValue] = labels or {}
        self.workdir = workdir  # below build.UNKNOWN_WORKDIR when it is a base image's unknown one
        self.user = user
        self.shell = shell
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.cmd_set_here = False  # ENTRYPOINT resets a CMD inherited from the base, not its own
        # Names below an unknown WORKDIR already made unknown at the root (see build.py).
        self.exposed_workdir_names = exposed_workdir_names
        self.pinned_by = pinned_by  # the FROM --platform flag that fixed ``platform``

    def variables(self) -> dict[str, str | None]:
        """What ``$NAME`` sees: ARGs in scope, overridden by ENV of the same name."""
        return {**self.args, **self.env}

    def for_platform(self, platform: Platform | None) -> "StageState":
        """This finished state as another platform's build of the same stage ends: the same
        tree and config (a finished stage is only read), with that build's platform."""
        state = self._like(self.tree, platform, self.env, self.labels)
        state.args = self.args
        state.cmd_set_here = self.cmd_set_here
        return state

    def child(self, platform: Platform | None) -> "StageState":
        """The starting state of a stage built FROM this one: ARGs do not carry over."""
        return self._like(self.tree.clone(), platform, dict(self.env), dict(self.labels))

    def _like(
        self,
        tree: FileTree,
        platform: Platform | None,
        env: dict[str, str | None],
        labels: dict[str, LabelValue],
    ) -> "StageState":
        """A state with this one's image config, and the tree, platform, ENV and labels given."""
        return StageState(
            tree,
            platform,
            env=env,
            labels=labels,
            workdir=self.workdir,
            user=self.user,
            shell=self.shell,
            cmd=self.cmd,
            entrypoint=self.entrypoint,
            exposed_workdir_names=self.exposed_workdir_names,
            pinned_by=self.pinned_by,
        )


class Build(Protocol):
    """The build-wide services an instruction handler may use."""

    dockerfile: Dockerfile
    platform: Platform
    escape: str
    context: "BuildContext | None"  # None: the build context is unknown
    build_args: Mapping[str, str]
    meta_args: dict[str, str | None]  # global and automatic ARGs (see stages.global_args)
    resolver: StageResolver
    problems: list[Problem]  # why this platform cannot be built (MX110)
    copy_problems: list[Problem]  # build context sources missing or ignored (MX401)

    def stage_state(self, index: int, span: Span) -> "StageState | None":
        """The final state of stage ``index``; None when it cannot be simulated (a cycle)."""
        ...


class Step:
    """One instruction applied to one stage."""

    __slots__ = ("build", "instruction", "stage")

    def __init__(self, instruction: Instruction, stage: StageState, build: Build) -> None:
        self.instruction = instruction
        self.stage = stage
        self.build = build

    def expand(self, text: str, span: Span | None = None) -> str | None:
        """``text`` with ARG/ENV values substituted; None when unknown or when BuildKit fails."""
        variables = self.stage.variables() if "$" in text else {}  # only "$" reads a variable
        try:
            return expand(text, variables, escape=self.build.escape)
        except ExpansionError as error:
            self.fail(f"{self.instruction.keyword}: cannot expand {text!r}: {error.reason}", span)
            return None

    def fail(self, message: str, span: Span | None = None, *related: Related) -> None:
        """Record why BuildKit would fail this instruction (a MX110 problem)."""
        self.build.problems.append(Problem(span or self.instruction.span, message, related))

    def origin(self, message: str, span: Span | None = None) -> Origin:
        return Related(span or self.instruction.span, message)

    def source_state(self, ref: Ref, span: Span) -> StageState | None:
        """The final state of the stage ``ref`` names, if it names one that can be simulated."""
        if ref.stage is None:
            return None
        return self.build.stage_state(ref.stage, span)
