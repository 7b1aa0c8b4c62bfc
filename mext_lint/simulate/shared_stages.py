"""Simulate a stage once for all the target platforms that build it the same way.

A stage's build depends on the target platform only through what it reads of it: the values of
the ARGs it declares without a default (TARGETARCH, or a global ARG derived from it), the names
its FROM, ``COPY --from`` and ``RUN --mount=from`` resolve to, the platform its FROM pins, and the
stages it reads. When all of these are the same on two platforms, so is everything the stage
holds, and what the first platform's build did (its state, the problems it raised, the stages it
asked for) is replayed for the next one instead of walking the stage again.

The stage's platform itself is not part of that key: an unpinned stage builds for the target, but
nothing it holds depends on which one (a RUN's native CPU matters only when its stage is pinned,
and messages name no target platform). The replayed state gets its own platform.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from mext_lint.dockerfile.model import Instruction, Word
from mext_lint.simulate.stages import Stage, StageResolver, expand_or_fail, split_arg
from mext_lint.simulate.state import StageState
from mext_lint.spans import Problem, Span

Signature = tuple[Hashable, ...]


class StageRecord:
    """What simulating one stage did on the platform that built it first."""

    __slots__ = ("copy_segments", "nested", "problem_segments", "state")

    def __init__(
        self,
        state: StageState,
        problem_segments: list[list[Problem]],
        copy_segments: list[list[Problem]],
        nested: list[tuple[int, Span]],
    ) -> None:
        self.state = state
        # Problems the stage raised itself, cut where it asked for another stage: segment i
        # came before nested[i], the last one after the last nested stage.
        self.problem_segments = problem_segments
        self.copy_segments = copy_segments
        self.nested = nested  # (stage index, span) of each stage_state call, in order


class Recorder:
    """Follows one stage's simulation, telling its own problems from those of the stages it
    asks for (those stages are replayed by asking for them again)."""

    __slots__ = ("copy_segments", "copy_start", "nested", "problem_segments", "problem_start")

    def __init__(self, problems: list[Problem], copy_problems: list[Problem]) -> None:
        self.problem_start = len(problems)
        self.copy_start = len(copy_problems)
        self.problem_segments: list[list[Problem]] = []
        self.copy_segments: list[list[Problem]] = []
        self.nested: list[tuple[int, Span]] = []

    def cut(self, problems: list[Problem], copy_problems: list[Problem]) -> None:
        """The stage asks for another one, or ends: keep what it raised since the last cut."""
        self.problem_segments.append(problems[self.problem_start :])
        self.copy_segments.append(copy_problems[self.copy_start :])

    def resume(
        self, problems: list[Problem], copy_problems: list[Problem], index: int, span: Span
    ) -> None:
        """The stage asked for stage ``index``, which has answered."""
        self.problem_start = len(problems)
        self.copy_start = len(copy_problems)
        self.nested.append((index, span))

    def record(self, state: StageState) -> StageRecord:
        return StageRecord(state, self.problem_segments, self.copy_segments, self.nested)


class Signatures:
    """The inputs of each stage's build on one platform; None when they cannot be told apart
    from the platform (a cycle, or a name that fails to resolve and says so per platform)."""

    def __init__(
        self,
        stages: tuple[Stage, ...],
        meta_args: Mapping[str, str | None],
        build_args: Mapping[str, str],
        quiet: StageResolver,
        escape: str,
    ) -> None:
        self.stages = stages
        self.meta_args = meta_args
        self.build_args = build_args
        self.quiet = quiet  # resolves like the build, into a problem list of its own
        self.escape = escape
        self._found: dict[int, Signature | None] = {}
        self._visiting: set[int] = set()

    def of(self, index: int) -> Signature | None:
        if index in self._found:
            return self._found[index]
        if index in self._visiting:
            return None  # a cycle: the build reports it, per platform
        self._visiting.add(index)
        try:
            signature = self._signature(self.stages[index])
        finally:
            self._visiting.discard(index)
        if self.quiet.problems:
            signature = None
        self._found[index] = signature
        return signature

    def _signature(self, stage: Stage) -> Signature | None:
        base = self.quiet.base(stage)
        parts: list[Hashable] = [stage.index, base]
        if base.stage is not None:
            parts.append(self.of(base.stage))  # its platform is the parent's
        else:
            flag = stage.instruction.flag("platform")
            if flag is None:
                parts.append("target")
            elif flag.value is None:
                return None  # a bare --platform pins the target: its RUNs build for each one
            else:
                meta = dict(self.meta_args)
                pinned = expand_or_fail(
                    flag.value, meta, self.escape, flag.span, self.quiet.problems
                )
                parts.append(("pinned", pinned))
        for instruction in stage.body:
            if instruction.keyword == "ARG":
                parts.append(tuple(self._arg_inputs(instruction.value)))
                continue
            if not instruction.flags:
                continue
            for source in _stage_sources(instruction):
                ref = self.quiet.source(source, instruction.span, "--from")
                parts.append(ref)
                if ref.stage is not None:
                    parts.append(self.of(ref.stage))
        if None in parts:
            return None
        return tuple(parts)

    def _arg_inputs(self, words: tuple[Word, ...]) -> list[tuple[str, str | None]]:
        """What the ARG reads from the platform: the automatic or global value of each name
        declared without a default or a --build-arg (see build.apply_arg)."""
        inputs = []
        for word in words:
            name, default = split_arg(word.text)
            if name not in self.build_args and default is None:
                inputs.append((name, self.meta_args.get(name)))
        return inputs


def _stage_sources(instruction: Instruction) -> list[str]:
    """The values of the ``--from`` and ``--mount=...,from=`` flags of an instruction."""
    sources = []
    for flag in instruction.flags:
        if not flag.value:
            continue
        if flag.name == "from":
            sources.append(flag.value)
        elif flag.name == "mount":
            for field in flag.value.split(","):
                key, _, value = field.partition("=")
                if key.strip().lower() == "from":
                    sources.append(value.strip())
    return sources
