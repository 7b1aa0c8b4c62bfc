"""GitHub Actions annotations: the workflow-command syntax, GitHub's escaping, auto-selection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mext_lint.cli import main
from mext_lint.findings import Finding
from mext_lint.report import Run
from mext_lint.report.github import escape_data, escape_property, format_annotation, render
from mext_lint.spans import Related, Span

SPAN = Span("ext/metadata.json", 14, 9, 14, 30)


def finding(
    severity: str = "error",
    span: Span = SPAN,
    message: str = 'host binary "/windows/kubectl.exe" is not in the linux/arm64 image',
    related: tuple[Related, ...] = (),
    platforms: tuple[str, ...] = (),
) -> Finding:
    return Finding("MX103", "host-binary-missing", severity, span, message, related, platforms)


def test_escaping_follows_github() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_one_line_annotation_has_every_position_field() -> None:
    assert format_annotation(finding(), "ext/metadata.json") == (
        "::error file=ext/metadata.json,line=14,col=9,endLine=14,endColumn=29,"
        "title=mext-lint (MX103)::"
        'host binary "/windows/kubectl.exe" is not in the linux/arm64 image'
    )


@pytest.mark.parametrize(
    ("severity", "command"), [("error", "error"), ("warning", "warning"), ("info", "notice")]
)
def test_severity_picks_the_command(severity: str, command: str) -> None:
    assert format_annotation(finding(severity), "m").startswith(f"::{command} file=m,")


def test_multi_line_span_has_lines_but_no_columns() -> None:
    # GitHub refuses columns when the annotation spans several lines.
    annotation = format_annotation(finding(span=Span("Dockerfile", 3, 5, 6, 4)), "Dockerfile")
    assert annotation.startswith("::error file=Dockerfile,line=3,endLine=6,title=")
    assert ",col=" not in annotation and "endColumn" not in annotation


def test_properties_and_message_are_escaped() -> None:
    annotation = format_annotation(
        finding(message="50% of it\nis wrong", platforms=("linux/arm64",)), "dir,x/a:b.json"
    )
    assert "file=dir%2Cx/a%3Ab.json," in annotation
    assert annotation.endswith("::50%25 of it%0Ais wrong [linux/arm64]")
    assert "\n" not in annotation


def test_related_locations_follow_the_message() -> None:
    related = (Related(Span("ext/Dockerfile", 12, 5, 12, 9), "created only for amd64"),)
    annotation = format_annotation(finding(message="missing", related=related), "m")
    assert annotation.endswith("::missing%0Arelated: ext/Dockerfile:12:5: created only for amd64")


def test_render_uses_repo_relative_paths(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    text = render([finding(span=Span("ext/m.json", 1, 1, 1, 2), message="x")], Run(1, 1))
    assert text.startswith("::error file=sub/ext/m.json,line=1,col=1,endLine=1,endColumn=1,")
    assert text.endswith("::x\n")


def test_no_findings_no_output() -> None:
    assert render([], Run(1, 0)) == ""


def legacy_extension(tmp_path: Path) -> Path:
    root = tmp_path / "ext"
    root.mkdir()
    (root / "metadata.json").write_text('{"name": "legacy"}\n', encoding="utf-8")
    return root


def test_chosen_under_github_actions(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    legacy_extension(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["ext", "--isolated"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("::error file=ext/metadata.json,") for line in lines)
    assert main(["ext", "--isolated", "--format", "text"]) == 1
    assert capsys.readouterr().out.startswith("ext/metadata.json:")


def test_not_chosen_elsewhere(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    legacy_extension(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["ext", "--isolated"]) == 1
    assert capsys.readouterr().out.startswith("ext/metadata.json:")
    assert main(["ext", "--isolated", "--format", "github"]) == 1
    assert capsys.readouterr().out.startswith("::error ")
