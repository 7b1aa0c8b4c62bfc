"""The stages of a Dockerfile and what each FROM, ``COPY --from`` and ``--mount=from`` names.

BuildKit's rules, from ``dockerfile2llb``:

- ARGs before the first FROM ("global" or meta ARGs) are expanded in FROM lines, together with
  the automatic platform ARGs. TARGET* come from the platform being simulated; BUILD* describe
  the build machine, which a static linter does not know, so they are unknown (None).
- A FROM names an *earlier* stage (stage names are case-insensitive) or else an image; a FROM
  therefore cannot form a cycle. ``COPY --from`` and ``--mount=from`` name any stage, earlier or
  later, or a stage index, or else an image; only those edges can form cycles.
- ``--from`` is not expanded with stage ARGs; newer BuildKit expands global ARGs there, so we do
  too (an older BuildKit fails on the ``$`` instead, which is a failure either way).
"""

import enum
import re
from collections.abc import Mapping
from typing import NamedTuple

from mext_lint.dockerfile.expand import Env, ExpansionError, expand
from mext_lint.dockerfile.model import Dockerfile, Instruction, Word
from mext_lint.platforms import Platform
from mext_lint.spans import Problem, Related, Span

SCRATCH = "scratch"
BUILD_PLATFORM_ARGS = ("BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT")
PLATFORM_ARGS = ("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", *BUILD_PLATFORM_ARGS)

VARIABLE_REFERENCE = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
_OFFICIAL_PREFIXES = ("docker.io/library/", "index.docker.io/library/", "library/")


class Stage:
    """One FROM and the instructions after it, as written."""

    __slots__ = ("body", "image_word", "index", "instruction", "name")

    def __init__(
        self,
        index: int,
        name: str | None,
        instruction: Instruction,
        image_word: Word | None,
        body: tuple[Instruction, ...],
    ) -> None:
        self.index = index
        self.name = name  # the AS name, lower-cased as BuildKit compares it
        self.instruction = instruction  # the FROM
        self.image_word = image_word  # None when the FROM has no argument (a syntax error)
        self.body = body


class RefKind(enum.Enum):
    SCRATCH = "scratch"
    STAGE = "stage"
    OFFICIAL_IMAGE = "official image"  # docker.io/library/*: alpine, node:20-alpine, golang
    IMAGE = "image"  # any other image reference
    UNKNOWN = "unknown"  # depends on an unknown build arg, and may name a stage


class Ref(NamedTuple):
    """What a FROM or a ``--from`` names."""

    kind: RefKind
    name: str | None  # expanded image reference or stage name; None when unknown
    stage: int | None = None  # the stage index for RefKind.STAGE


UNKNOWN_REF = Ref(RefKind.UNKNOWN, None)


_Split = tuple[tuple[Instruction, ...], tuple[Stage, ...]]
# The Dockerfile split last, with its split: each platform's build and the checks ask again.
_last_split: list[tuple[Dockerfile, _Split]] = []


def split_stages(dockerfile: Dockerfile) -> _Split:
    """The instructions before the first FROM, and the stages."""
    if _last_split and _last_split[0][0] is dockerfile:
        return _last_split[0][1]
    split = _split_stages(dockerfile)
    _last_split[:] = [(dockerfile, split)]
    return split


def _split_stages(dockerfile: Dockerfile) -> _Split:
    preamble: list[Instruction] = []
    stages: list[Stage] = []
    current: tuple[Instruction, list[Instruction]] | None = None
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            if current is not None:
                stages.append(_stage(len(stages), *current))
            current = (instruction, [])
        elif current is None:
            preamble.append(instruction)
        else:
            current[1].append(instruction)
    if current is not None:
        stages.append(_stage(len(stages), *current))
    return tuple(preamble), tuple(stages)


def _stage(index: int, instruction: Instruction, body: list[Instruction]) -> Stage:
    words = instruction.value
    name = None
    if len(words) >= 3 and words[1].text.lower() == "as":
        name = words[2].text.lower()
    return Stage(index, name, instruction, words[0] if words else None, tuple(body))


def split_arg(text: str) -> tuple[str, str | None]:
    """``NAME=default`` -> ("NAME", "default"); ``NAME`` -> ("NAME", None)."""
    name, equals, default = text.partition("=")
    return name, default if equals else None


def global_args(
    preamble: tuple[Instruction, ...],
    platform: Platform,
    build_args: Mapping[str, str],
    *,
    escape: str,
    problems: list[Problem],
) -> dict[str, str | None]:
    """The ARG values FROM lines see: automatic platform ARGs, then the global ARGs in order."""
    values: dict[str, str | None] = {**platform.build_args("TARGET")}
    values.update(dict.fromkeys(BUILD_PLATFORM_ARGS))
    values.update((k, v) for k, v in build_args.items() if k in values)
    for instruction in preamble:
        if instruction.keyword != "ARG":
            continue
        for word in instruction.value:
            name, default = split_arg(word.text)
            if name in build_args:
                values[name] = build_args[name]
            elif default is None:
                values[name] = None
            else:
                values[name] = expand_or_fail(default, values, escape, word.span, problems)
    return values


def expand_or_fail(
    text: str, env: Env, escape: str, span: Span, problems: list[Problem]
) -> str | None:
    """Expand ``text``; where BuildKit would fail the build, record why and return None."""
    try:
        return expand(text, env, escape=escape)
    except ExpansionError as error:
        problems.append(Problem(span, f"BuildKit cannot expand {text!r}: {error.reason}"))
        return None


def is_official_image(reference: str) -> bool:
    """Whether ``reference`` is a Docker Official Image (no registry, no namespace)."""
    name = reference.lower().split("@", 1)[0]
    for prefix in _OFFICIAL_PREFIXES:
        if name.startswith(prefix):
            return "/" not in name[len(prefix) :]
    return "/" not in name


def image_ref(reference: str) -> Ref:
    if reference.lower() == SCRATCH:
        return Ref(RefKind.SCRATCH, SCRATCH)
    kind = RefKind.OFFICIAL_IMAGE if is_official_image(reference) else RefKind.IMAGE
    return Ref(kind, reference)


def template_pattern(raw: str) -> re.Pattern[str] | None:
    """``downloader-${TARGETARCH}`` -> ``downloader-.+``; None without variables or literals."""
    pieces: list[str] = []
    literal = ""
    position = 0
    for match in VARIABLE_REFERENCE.finditer(raw):
        literal += raw[position : match.start()]
        pieces.extend((re.escape(raw[position : match.start()].lower()), ".+"))
        position = match.end()
    if not pieces:
        return None
    literal += raw[position:]
    pieces.append(re.escape(raw[position:].lower()))
    if not any(ch.isalnum() for ch in literal):
        return None
    return re.compile("".join(pieces))


class StageResolver:
    """Resolves the names in FROM lines and ``--from`` flags for one platform."""

    def __init__(
        self,
        stages: tuple[Stage, ...],
        meta_args: dict[str, str | None],
        *,
        platform: Platform,
        escape: str,
        problems: list[Problem],
    ) -> None:
        self.stages = stages
        self.meta_args = meta_args
        self.platform = platform
        self.escape = escape
        self.problems = problems
        self._by_name: dict[str, int] = {}
        for stage in stages:
            if stage.name is not None:
                self._by_name.setdefault(stage.name, stage.index)

    def find(self, name: str) -> int | None:
        """The stage called ``name`` (case-insensitive), or None."""
        return self._by_name.get(name.lower())

    def base(self, stage: Stage) -> Ref:
        """What ``stage`` is built FROM: an earlier stage, scratch, an image, or unknown."""
        word = stage.image_word
        if word is None:
            return UNKNOWN_REF
        expanded = expand_or_fail(word.text, self.meta_args, self.escape, word.span, self.problems)
        if expanded is None:
            return self._unknown(word.text, before=stage.index)
        if not expanded:
            self._fail(word.span, f"FROM {word.text} expands to an empty image name")
            return UNKNOWN_REF
        parent = self.find(expanded)
        if parent is not None and parent < stage.index:
            return Ref(RefKind.STAGE, expanded.lower(), parent)
        later = parent is not None
        if self._misses_template(word.text, expanded, word.span, "FROM", defined_later=later):
            return UNKNOWN_REF  # reported once; what follows from it stays unknown
        return image_ref(expanded)

    def source(self, text: str, span: Span, what: str) -> Ref:
        """What a ``COPY --from`` / ``--mount=from`` value names (``what`` names the flag)."""
        expanded = expand_or_fail(text, self.meta_args, self.escape, span, self.problems)
        if expanded is None:
            return self._unknown(text, before=None)
        if expanded.isdigit():
            index = int(expanded)
            if index < len(self.stages):
                return Ref(RefKind.STAGE, self.stages[index].name or expanded, index)
            self._fail(
                span,
                f"{what}={text}: invalid stage index {index}; the Dockerfile has"
                f" {len(self.stages)} stage(s), numbered from 0",
            )
            return UNKNOWN_REF
        found = self.find(expanded)
        if found is not None:
            return Ref(RefKind.STAGE, expanded.lower(), found)
        if self._misses_template(text, expanded, span, what):
            return UNKNOWN_REF
        return image_ref(expanded)

    def _unknown(self, raw: str, *, before: int | None) -> Ref:
        """An unknown name is an image unless its template could still name a stage."""
        pattern = template_pattern(raw)
        candidates = [s.name for s in self.stages[:before] if s.name is not None]
        if pattern is None or any(pattern.fullmatch(name) for name in candidates):
            return UNKNOWN_REF
        # Unknown values replaced by a plain name tell an official image from any other.
        guessed_args = {k: "x" if v is None else v for k, v in self.meta_args.items()}
        try:
            guess = expand(raw, guessed_args, escape=self.escape)
        except ExpansionError:
            return UNKNOWN_REF
        if not guess:
            return UNKNOWN_REF
        ref = image_ref(guess)
        return Ref(ref.kind, None) if ref.kind is not RefKind.SCRATCH else UNKNOWN_REF

    def _misses_template(
        self, raw: str, expanded: str, span: Span, what: str, *, defined_later: bool = False
    ) -> bool:
        """Report a name built from ARGs that misses the stages its template selects."""
        pattern = template_pattern(raw)
        if pattern is None:
            return False
        siblings = sorted(
            s.name for s in self.stages if s.name is not None and pattern.fullmatch(s.name)
        )
        if not siblings:
            return False
        shown = f"{what}={raw}" if what.startswith("--") else f"{what} {raw}"
        if defined_later:
            message = (
                f'{shown} resolves to "{expanded}" on {self.platform}, a stage defined after'
                " this FROM: a FROM can only use earlier stages, so BuildKit pulls an image"
                " of that name instead and fails"
            )
        else:
            message = (
                f'{shown} resolves to "{expanded}" on {self.platform}, but no stage has that'
                f" name (stages: {', '.join(siblings)}), so BuildKit looks for an image of that"
                " name and the build fails"
            )
        related = tuple(
            Related(self.stages[self._by_name[name]].instruction.span, f"stage {name}")
            for name in siblings
        )
        self.problems.append(Problem(span, message, related))
        return True

    def _fail(self, span: Span, message: str) -> None:
        self.problems.append(Problem(span, message))
