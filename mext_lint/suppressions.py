"""Suppressions: pragmas in the Dockerfile, and ``per-file-ignores`` from the configuration.

- ``# mext-lint: ignore[MX104,host-binary-missing] reason`` on the comment line(s) directly before
  an instruction covers that whole instruction (continuation and heredoc lines included);
- ``# mext-lint: file-ignore[MX2]`` anywhere covers the whole Dockerfile;
- ``per-file-ignores`` (glob -> rules) covers any file, metadata.json included.

A finding is suppressed when its primary span is covered. The engine applies suppressions after
stamping, then reports (as MX006) every pragma rule that suppressed nothing, unless that rule was
not enabled. Malformed pragmas are reported by the MX006 check itself (see
``mext_lint.checks.suppression_rules``), which needs the Dockerfile alone.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from mext_lint.catalog import Rule
from mext_lint.config import ignored_codes
from mext_lint.dockerfile.model import Comment, Dockerfile
from mext_lint.findings import Finding
from mext_lint.selectors import SelectorError, resolve
from mext_lint.settings import Settings
from mext_lint.spans import Problem, Span

UNUSED_CODE = "MX006"
KINDS = ("ignore", "file-ignore")
EXAMPLE = '"# mext-lint: ignore[MX104] why"'
# A pragma, or what is meant as one: "mext-lint:" or "mext-lint <word>[" (colon forgotten).
# Both compiled by re on first use: most Dockerfiles have no comment that starts with "mext".
_ATTEMPT = r"(?i)^mext[-_ ]?lint\s*(?::|\s+[\w-]+\s*\[)"
_PRAGMA = r"(?i)^mext-lint\s*:\s*(?P<kind>[\w-]*)\s*(?:\[(?P<selectors>[^\]]*)\])?"


class Pragma:
    __slots__ = ("covers", "kind", "selectors", "span")

    def __init__(
        self,
        kind: str,  # "ignore" or "file-ignore"
        selectors: tuple[tuple[str, frozenset[str]], ...],  # as written -> the codes it names
        span: Span,  # the comment
        covers: Span | None,  # the instruction an "ignore" covers; None for "file-ignore"
    ) -> None:
        self.kind = kind
        self.selectors = selectors
        self.span = span
        self.covers = covers

    def covers_span(self, span: Span) -> bool:
        if span.path != self.span.path:
            return False
        if self.kind == "file-ignore":
            return True
        return self.covers is not None and self.covers.line <= span.line <= self.covers.end_line


class Pragmas:
    __slots__ = ("pragmas", "problems")

    def __init__(self, pragmas: tuple[Pragma, ...], problems: tuple[Problem, ...]) -> None:
        self.pragmas = pragmas
        self.problems = problems  # malformed pragmas and unknown rules, reported as MX006


def read_pragmas(dockerfile: Dockerfile, catalog: Mapping[str, Rule]) -> Pragmas:
    comment_lines = {comment.span.line for comment in dockerfile.comments}
    starts = {instruction.span.line: instruction.span for instruction in dockerfile.instructions}
    pragmas: list[Pragma] = []
    problems: list[Problem] = []
    for comment in dockerfile.comments:
        if comment.text[:4].lower() != "mext" or not re.match(_ATTEMPT, comment.text):
            continue
        parsed = _parse(comment, catalog)
        if isinstance(parsed, Problem):
            problems.append(parsed)
            continue
        kind, selectors, unknown = parsed
        problems.extend(unknown)
        if not selectors:
            continue
        covers = None
        if kind == "ignore":
            line = comment.span.line + 1
            while line in comment_lines:
                line += 1
            covers = starts.get(line)
        pragmas.append(Pragma(kind, selectors, comment.span, covers))
    return Pragmas(tuple(pragmas), tuple(problems))


def _parse(
    comment: Comment, catalog: Mapping[str, Rule]
) -> Problem | tuple[str, tuple[tuple[str, frozenset[str]], ...], list[Problem]]:
    match = re.match(_PRAGMA, comment.text)
    if match is None:
        return Problem(
            comment.span, f'malformed suppression "# {comment.text}": write it as {EXAMPLE}'
        )
    kind = match["kind"].lower()
    if kind not in KINDS:
        import difflib  # only when there is a typo to correct

        close = difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.5)
        hint = f' (did you mean "{close[0]}"?)' if close else f" (use {' or '.join(KINDS)})"
        return Problem(
            comment.span,
            f'unknown suppression "{match["kind"]}"{hint}: it suppresses nothing;'
            f" write it as {EXAMPLE}",
        )
    written = [item.strip() for item in (match["selectors"] or "").split(",") if item.strip()]
    if not written:
        return Problem(
            comment.span,
            f'suppression "{kind}" names no rule: it suppresses nothing; write the rules in'
            f" brackets, as in {EXAMPLE}",
        )
    selectors = []
    unknown = []
    for selector in written:
        try:
            selectors.append((selector, resolve([selector], catalog)))
        except SelectorError:
            unknown.append(
                Problem(
                    comment.span,
                    f'suppression names unknown rule "{selector}", which suppresses nothing'
                    " (`mext-lint rule --all` lists the rules)",
                )
            )
    return kind, tuple(selectors), unknown


class Suppressed(NamedTuple):
    kept: list[Finding]  # the findings no suppression covers
    unused: list[Problem]  # pragma rules that suppressed nothing (MX006), already filtered


def apply_suppressions(
    findings: Sequence[Finding],
    dockerfile: Dockerfile | None,
    settings: Settings,
    catalog: Mapping[str, Rule],
) -> Suppressed:
    pragmas = read_pragmas(dockerfile, catalog).pragmas if dockerfile is not None else ()
    used: set[tuple[int, str]] = set()
    kept = []
    for finding in findings:
        if _suppressed(finding.code, finding.span, pragmas, settings, used):
            continue
        kept.append(finding)
    unused = [] if not settings.enabled(UNUSED_CODE) else _unused(pragmas, used, settings)
    unused = [
        problem
        for problem in unused
        if not _suppressed(UNUSED_CODE, problem.span, pragmas, settings, None)
    ]
    return Suppressed(kept, unused)


def _suppressed(
    code: str,
    span: Span,
    pragmas: Iterable[Pragma],
    settings: Settings,
    used: set[tuple[int, str]] | None,
) -> bool:
    """Is ``code`` at ``span`` suppressed? Records every pragma rule that suppresses it."""
    if code in ignored_codes(span.path, settings):
        return True
    suppressed = False
    for index, pragma in enumerate(pragmas):
        if not pragma.covers_span(span):
            continue
        for selector, codes in pragma.selectors:
            if code in codes:
                suppressed = True
                if used is not None:
                    used.add((index, selector))
    return suppressed


def _unused(
    pragmas: Sequence[Pragma], used: set[tuple[int, str]], settings: Settings
) -> list[Problem]:
    problems = []
    for index, pragma in enumerate(pragmas):
        unused = [
            selector
            for selector, codes in pragma.selectors
            if (index, selector) not in used
            # A rule that is off suppresses nothing for a reason; MX006 itself is never "unused".
            and any(settings.enabled(code) for code in codes)
            and UNUSED_CODE not in codes
        ]
        if not unused:
            continue
        names = ", ".join(unused)
        if pragma.kind == "ignore" and pragma.covers is None:
            message = (
                f"suppression of {names} is not directly before an instruction, so it covers"
                " nothing; move it to the line above the instruction or remove it"
            )
        elif len(unused) == len(pragma.selectors):
            where = "the instruction below" if pragma.kind == "ignore" else "this file"
            message = f"unused suppression: {names} reported nothing in {where}; remove it"
        else:
            message = f"unused suppression: {names} reported nothing here; remove it from the list"
        problems.append(Problem(pragma.span, message))
    return problems
