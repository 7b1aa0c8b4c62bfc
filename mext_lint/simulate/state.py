"""What a stage holds while the build simulator walks its instructions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class StageInfo:
    index: int
    name: str | None
    from_span: Span  # the FROM instruction
    base: str | None  # expanded base name; None if unknown
    base_span: Span  # the image word in FROM
    parent: int | None  # index of the stage it is built FROM, if FROM <stage>
    platform_flag: str | None  # raw --platform value as written
    platform_flag_span: Span | None
    platform: Platform | None  # constant pin or the target; None when unknown ($BUILDPLATFORM)


@dataclass
class StageState:
    """A stage's file tree and image config after the instructions applied so far."""

    tree: FileTree
    platform: Platform | None
    env: dict[str, str | None] = field(default_factory=dict)  # ENV: inherited by FROM <stage>
    args: dict[str, str | None] = field(default_factory=dict)  # ARGs in scope: never inherited
    labels: dict[str, LabelValue] = field(default_factory=dict)
    workdir: str = "/"  # below build.UNKNOWN_WORKDIR when it is a base image's we cannot know
    user: str | None = None
    shell: tuple[str, ...] = DEFAULT_SHELL
    cmd: Instruction | None = None
    entrypoint: Instruction | None = None
    cmd_set_here: bool = False  # ENTRYPOINT resets a CMD inherited from the base, not its own
    # Names below an unknown WORKDIR already made unknown at the root (see build.py).
    exposed_workdir_names: frozenset[str] = frozenset()
    pinned_by: Span | None = None  # the FROM --platform flag that fixed ``platform``

    def variables(self) -> dict[str, str | None]:
        """What ``$NAME`` sees: ARGs in scope, overridden by ENV of the same name."""
        return {**self.args, **self.env}

    def child(self, platform: Platform | None) -> StageState:
        """The starting state of a stage built FROM this one: ARGs do not carry over."""
        return StageState(
            tree=self.tree.clone(),
            platform=platform,
            env=dict(self.env),
            labels=dict(self.labels),
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
    context: BuildContext | None  # None: the build context is unknown
    build_args: Mapping[str, str]
    meta_args: dict[str, str | None]  # global and automatic ARGs (see stages.global_args)
    resolver: StageResolver
    problems: list[Problem]  # why this platform cannot be built (MX110)
    copy_problems: list[Problem]  # build context sources missing or ignored (MX401)

    def stage_state(self, index: int, span: Span) -> StageState | None:
        """The final state of stage ``index``; None when it cannot be simulated (a cycle)."""
        ...


@dataclass
class Step:
    """One instruction applied to one stage."""

    instruction: Instruction
    stage: StageState
    build: Build

    def expand(self, text: str, span: Span | None = None) -> str | None:
        """``text`` with ARG/ENV values substituted; None when unknown or when BuildKit fails."""
        try:
            return expand(text, self.stage.variables(), escape=self.build.escape)
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
