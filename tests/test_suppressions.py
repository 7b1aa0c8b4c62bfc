"""Suppressions: which findings each pragma form covers, and which pragmas MX006 reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mext_lint.catalog import load_catalog
from mext_lint.cli import main
from mext_lint.dockerfile.parser import parse_dockerfile
from mext_lint.findings import Finding
from mext_lint.settings import Settings
from mext_lint.spans import Span
from mext_lint.suppressions import Suppressed, apply_suppressions, read_pragmas

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM alpine AS dl
# Downloads kubectl for every OS.
# mext-lint: ignore[MX104, host-binary-os-mismatch] amd64 on purpose: Rosetta runs it
RUN <<EOT sh
  curl -o /out/darwin/kubectl https://example.com/darwin/amd64/kubectl
EOT
# mext-lint: ignore[MX2]
LABEL a=b \\
      com.docker.desktop.extension.api.version="0.3.4"
FROM alpine
COPY --from=dl /out /
"""


def finding(code: str, line: int, column: int = 1, path: str = "Dockerfile") -> Finding:
    rule = load_catalog()[code]
    span = Span(path, line, column, line, column + 4)
    return Finding(code, rule.name, rule.severity, span, "problem", (), ())


def apply(
    findings: list[Finding], text: str = DOCKERFILE, settings: Settings | None = None
) -> Suppressed:
    dockerfile = parse_dockerfile(text, "Dockerfile")
    return apply_suppressions(findings, dockerfile, settings or Settings(), load_catalog())


def kept_codes_and_lines(result: Suppressed) -> list[tuple[str, int]]:
    return [(f.code, f.span.line) for f in result.kept]


def test_ignore_covers_the_instruction_below_including_heredoc_lines() -> None:
    result = apply([finding("MX104", 5), finding("MX104", 6), finding("MX104", 7, 3)])
    assert result.kept == []
    assert [p.span.line for p in result.unused] == [4, 8]  # see the next tests


def test_ignore_covers_continuation_lines_by_prefix() -> None:
    result = apply([finding("MX104", 5), finding("MX204", 10, 7), finding("MX201", 9)])
    assert result.kept == []


def test_ignore_does_not_reach_other_instructions_or_other_rules() -> None:
    findings = [
        finding("MX104", 5),
        finding("MX201", 11),  # the next FROM: not covered
        finding("MX204", 12),  # COPY: not covered
        finding("MX301", 9),  # covered line, rule not named
        finding("MX204", 10, path="other/Dockerfile"),  # another file
    ]
    assert kept_codes_and_lines(apply(findings)) == [
        ("MX201", 11),
        ("MX204", 12),
        ("MX301", 9),
        ("MX204", 10),
    ]


def test_a_pragma_under_other_comment_lines_still_applies() -> None:
    text = "FROM alpine\n# mext-lint: ignore[MX204]\n# why: the SDK is in beta\nLABEL x=y\n"
    assert apply([finding("MX204", 4)], text).kept == []


def test_a_blank_line_breaks_the_link_to_the_instruction() -> None:
    text = "FROM alpine\n# mext-lint: ignore[MX204]\n\nLABEL x=y\n"
    result = apply([finding("MX204", 4)], text)
    assert kept_codes_and_lines(result) == [("MX204", 4)]
    assert [p.span.line for p in result.unused] == [2]
    assert "not directly before an instruction" in result.unused[0].message


def test_file_ignore_anywhere_covers_the_whole_file() -> None:
    text = "FROM alpine\nLABEL x=y\nCOPY a b\n# mext-lint: file-ignore[MX201,MX204]\n"
    findings = [finding("MX201", 1), finding("MX204", 2), finding("MX401", 3)]
    result = apply(findings, text)
    assert kept_codes_and_lines(result) == [("MX401", 3)]
    assert result.unused == []
    other = apply([finding("MX201", 1, path="metadata.json")], text)
    assert kept_codes_and_lines(other) == [("MX201", 1)]  # the pragma covers its own file


def test_codes_are_case_insensitive_and_names_work() -> None:
    text = "FROM alpine\n# mext-lint: IGNORE[mx204, empty-label] why\nLABEL x=y\n"
    result = apply([finding("MX204", 3), finding("MX202", 3)], text)
    assert result.kept == [] and result.unused == []


def test_unused_rules_of_a_pragma_are_reported() -> None:
    result = apply([finding("MX104", 6)])
    messages = [(p.span.line, p.message) for p in result.unused]
    assert messages == [
        (
            4,
            "unused suppression: host-binary-os-mismatch reported nothing here;"
            " remove it from the list",
        ),
        (8, "unused suppression: MX2 reported nothing in the instruction below; remove it"),
    ]


def test_rules_that_are_not_enabled_are_not_reported_unused() -> None:
    settings = Settings(select=frozenset({"MX104", "MX006"}))
    assert apply([finding("MX104", 6)], settings=settings).unused == []


def test_nothing_is_reported_when_mx006_is_off() -> None:
    assert apply([], settings=Settings(ignore=frozenset({"MX006"}))).unused == []


def test_mx006_can_be_suppressed_but_is_never_reported_unused() -> None:
    text = "# mext-lint: file-ignore[MX006]\nFROM alpine\n# mext-lint: ignore[MX204]\nLABEL x=y\n"
    assert apply([], text).unused == []


def test_per_file_ignores_cover_any_file(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(
        per_file_ignores={"metadata.json": frozenset({"MX301"})}, config_dir=tmp_path
    )
    findings = [finding("MX301", 2, path="ext/metadata.json"), finding("MX301", 2)]
    result = apply_suppressions(findings, None, settings, load_catalog())
    assert [(f.span.path, f.code) for f in result.kept] == [("Dockerfile", "MX301")]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("mext-lint: ignroe[MX204]", 'unknown suppression "ignroe" (did you mean "ignore"?)'),
        ("mext-lint: file_ignore[MX204]", '"file_ignore" (did you mean "file-ignore"?)'),
        ("mext-lint: ignore MX204", 'suppression "ignore" names no rule'),
        ("mext-lint: ignore[]", 'suppression "ignore" names no rule'),
        ("mext-lint: ignore[MX999]", 'names unknown rule "MX999"'),
        ("mext-lint ignore[MX204]", 'malformed suppression "# mext-lint ignore[MX204]"'),
        ("mext-lint:", "unknown suppression"),
    ],
)
def test_malformed_pragmas_are_problems(comment: str, message: str) -> None:
    dockerfile = parse_dockerfile(f"FROM alpine\n# {comment}\nLABEL x=y\n", "Dockerfile")
    problems = read_pragmas(dockerfile, load_catalog()).problems
    assert len(problems) == 1
    assert message in problems[0].message
    assert problems[0].span.line == 2


def test_ordinary_comments_are_not_pragmas() -> None:
    text = "# mext-lint is run in CI\n# see mext-lint docs: ignore[] here is fine\nFROM alpine\n"
    pragmas = read_pragmas(parse_dockerfile(text, "Dockerfile"), load_catalog())
    assert (pragmas.pragmas, pragmas.problems) == ((), ())


def test_an_unknown_rule_does_not_stop_the_known_ones() -> None:
    text = "FROM alpine\n# mext-lint: ignore[MX999, MX204]\nLABEL x=y\n"
    dockerfile = parse_dockerfile(text, "Dockerfile")
    read = read_pragmas(dockerfile, load_catalog())
    pragmas, problems = read.pragmas, read.problems
    assert [selector for selector, _ in pragmas[0].selectors] == ["MX204"]
    assert len(problems) == 1
    assert apply([finding("MX204", 3)], text).kept == []


# ---------------------------------------------------------------------------------------------
# Through the command line


def lint(root: Path, capsys: Any, *args: str) -> list[tuple[str, int, str]]:
    assert main([str(root), "--format", "json", "--exit-zero", "--isolated", *args]) == 0
    return [(f["code"], f["line"], f["message"]) for f in json.loads(capsys.readouterr().out)]


def test_suppressions_end_to_end(tmp_path: Path, capsys: Any) -> None:
    root = tmp_path / "ext"
    root.mkdir()
    (root / "metadata.json").write_text("{}\n", encoding="utf-8")
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(
        "# mext-lint: file-ignore[missing-required-label]\n"
        "FROM alpine\n"
        "COPY metadata.json /\n"
        "# mext-lint: ignore[MX204] the SDK is pinned while in beta\n"
        "LABEL org.opencontainers.image.title=x \\\n"
        '      com.docker.desktop.extension.api.version="0.3.4"\n',
        encoding="utf-8",
    )
    assert not [f for f in lint(root, capsys) if f[0] in ("MX201", "MX204", "MX006")]
    found = lint(root, capsys, "--select", "MX204")
    assert found == []  # MX006 is off: nothing about the MX201 pragma either
    dockerfile.write_text(
        dockerfile.read_text(encoding="utf-8").replace('"0.3.4"', '">= 0.3.4"'), encoding="utf-8"
    )
    unused = [f for f in lint(root, capsys) if f[0] == "MX006"]
    assert unused == [
        (
            "MX006",
            4,
            "unused suppression: MX204 reported nothing in the instruction below; remove it",
        )
    ]
