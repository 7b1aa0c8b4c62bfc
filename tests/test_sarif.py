"""SARIF output: valid against the OASIS schema for every rule case, and what GitHub requires."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from mext_lint.catalog import load_catalog
from mext_lint.cli import main
from mext_lint.engine import load_checks
from mext_lint.findings import Finding
from mext_lint.report import Run
from mext_lint.report.locations import SourceLines, relative_uri, source_root
from mext_lint.report.sarif import FINGERPRINT_KEY, SRCROOT, sarif_log
from mext_lint.sources import Source, read_text
from mext_lint.spans import Related, Span
from tests.rule_cases import case_command
from tests.test_rules import all_cases

SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"


@functools.lru_cache(maxsize=1)
def validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def assert_github_code_scanning_ready(log: dict[str, Any]) -> None:
    """What GitHub code scanning requires of an upload (and what its UI and VS Code rely on)."""
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1, "one run per SARIF file"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    for key in ("name", "version", "semanticVersion", "informationUri"):
        assert driver[key], f"tool.driver.{key} missing"
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == list(dict.fromkeys(r["id"] for r in rules))
    for rule in rules:
        assert rule["id"] and rule["name"]
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert isinstance(rule["properties"]["tags"], list)
    assert isinstance(run["results"], list), "results must always be an array"
    assert run["automationDetails"]["id"]
    invocation = run["invocations"][0]
    assert isinstance(invocation["executionSuccessful"], bool)
    assert isinstance(invocation["exitCode"], int)
    base = run["originalUriBaseIds"][SRCROOT]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    if run["results"]:
        assert run["columnKind"] == "utf16CodeUnits"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["level"] in ("error", "warning", "note")
        assert result["partialFingerprints"][FINGERPRINT_KEY]
        locations = [result["locations"][0], *result.get("relatedLocations", [])]
        for location in locations:
            physical = location["physicalLocation"]
            artifact = physical["artifactLocation"]
            if artifact.get("uriBaseId") == SRCROOT:
                assert not artifact["uri"].startswith("/") and "://" not in artifact["uri"]
                assert "\\" not in artifact["uri"]
            region = physical["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            assert region["endLine"] >= region["startLine"]
            if region["endLine"] == region["startLine"]:
                assert region["endColumn"] > region["startColumn"], "zero-width region"
        for number, related in enumerate(result.get("relatedLocations", []), start=1):
            assert related["id"] == number and related["message"]["text"]


@pytest.mark.parametrize(("code", "case"), all_cases())
def test_every_rule_case_gives_valid_sarif(
    code: str, case: dict[str, Any], tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    command = case_command(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    exit_code = main([*command, "--format", "sarif", "--exit-zero"])
    captured = capsys.readouterr()
    assert exit_code == 0, captured.err
    log = json.loads(captured.out)
    assert_valid_sarif(log)
    assert_github_code_scanning_ready(log)
    run = log["runs"][0]
    reported = {result["ruleId"] for result in run["results"]}
    if case["expect"]:
        assert code in reported
    for result in run["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith(("ext/", case.get("image", "ext/"))), uri


# ---------------------------------------------------------------------------------------------
# The document, finding by finding


def finding(
    path: Path | str,
    line: int = 1,
    column: int = 1,
    end_line: int | None = None,
    end_column: int | None = None,
    *,
    code: str = "MX204",
    severity: str = "warning",
    message: str = "something is wrong",
    related: tuple[Related, ...] = (),
    platforms: tuple[str, ...] = (),
) -> Finding:
    span = Span(
        str(path),
        line,
        column,
        line if end_line is None else end_line,
        column + 1 if end_column is None else end_column,
    )
    name = load_catalog()[code].name
    return Finding(code, name, severity, span, message, related, platforms)


def log_of(findings: list[Finding], root: Path, enabled: tuple[str, ...] = ("MX204",)) -> Any:
    exit_code = 1 if findings else 0
    return sarif_log(findings, Run(extensions=1, exit_code=exit_code, enabled_rules=enabled), root)


def only_result(log: dict[str, Any]) -> dict[str, Any]:
    results = log["runs"][0]["results"]
    assert len(results) == 1
    result: dict[str, Any] = results[0]
    return result


def test_empty_run_lists_rules_and_an_empty_results_array(tmp_path: Path) -> None:
    log = log_of([], tmp_path, enabled=("MX001", "MX204"))
    assert_valid_sarif(log)
    assert_github_code_scanning_ready(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["MX001", "MX204"]
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 0}]


def test_rule_entries_come_from_the_catalog(tmp_path: Path) -> None:
    rule = load_catalog()["MX204"]
    entry = log_of([], tmp_path)["runs"][0]["tool"]["driver"]["rules"][0]
    assert entry["name"] == rule.name
    assert entry["shortDescription"]["text"] == rule.summary
    assert entry["fullDescription"]["text"] == rule.section("What it does")
    assert entry["help"]["markdown"] == rule.doc
    assert entry["helpUri"] == rule.help_uri
    assert entry["defaultConfiguration"]["level"] == "warning"
    assert entry["properties"]["tags"] == list(rule.tags)


def test_severities_map_to_sarif_levels(tmp_path: Path) -> None:
    findings = [
        finding(tmp_path / "a", code="MX001", severity="error"),
        finding(tmp_path / "b", code="MX204", severity="warning"),
        finding(tmp_path / "c", code="MX006", severity="info"),
    ]
    results = log_of(findings, tmp_path)["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]


def test_a_result_whose_rule_is_not_listed_gets_its_rule_added(tmp_path: Path) -> None:
    log = log_of([finding(tmp_path / "Dockerfile", code="MX001", severity="error")], tmp_path)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["MX204", "MX001"]
    assert only_result(log)["ruleIndex"] == 1


def test_location_is_repo_relative_and_percent_encoded(tmp_path: Path) -> None:
    path = tmp_path / "my ext #1" / "métadata.json"
    log = log_of([finding(path)], tmp_path)
    artifact = only_result(log)["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "my%20ext%20%231/m%C3%A9tadata.json", "uriBaseId": SRCROOT}
    base = log["runs"][0]["originalUriBaseIds"][SRCROOT]["uri"]
    assert base == tmp_path.as_uri() + "/"
    assert_valid_sarif(log)


def test_a_file_outside_the_source_root_gets_an_absolute_uri(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    outside = tmp_path / "elsewhere" / "Dockerfile"
    log = log_of([finding(outside)], tmp_path / "repo")
    artifact = only_result(log)["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.as_uri()}


def test_source_root_is_the_git_top_level_else_the_directory(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "ext" / "ui").mkdir(parents=True)
    assert source_root(tmp_path / "repo" / "ext" / "ui") == tmp_path / "repo"
    (tmp_path / "plain" / "ext").mkdir(parents=True)
    assert source_root(tmp_path / "plain" / "ext") == tmp_path / "plain" / "ext"
    # A worktree or submodule has a .git file
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: /elsewhere\n", encoding="utf-8")
    assert source_root(tmp_path / "wt") == tmp_path / "wt"


def test_display_paths_relative_to_the_current_directory_resolve(
    tmp_path: Path, monkeypatch: Any
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert relative_uri("ext/Dockerfile", source_root()) == "sub/ext/Dockerfile"


def test_columns_are_utf16_code_units(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    # "é" is one UTF-16 unit, "😀" two: the span (code points 12..15) starts two units later.
    dockerfile.write_text('LABEL a="é😀😀" b=x\n', encoding="utf-8")
    log = log_of([finding(dockerfile, 1, 14, 1, 17)], tmp_path)
    region = only_result(log)["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 16, "endLine": 1, "endColumn": 19}
    assert log["runs"][0]["columnKind"] == "utf16CodeUnits"


def test_an_unreadable_file_keeps_code_point_columns(tmp_path: Path) -> None:
    log = log_of([finding(tmp_path / "gone", 3, 5, 3, 9)], tmp_path)
    region = only_result(log)["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9}


def test_source_lines_reads_each_file_once(tmp_path: Path, monkeypatch: Any) -> None:
    import mext_lint.report.locations as locations

    path = tmp_path / "Dockerfile"
    path.write_text("FROM 😀\nRUN x\r\nRUN y", encoding="utf-8")
    reads: list[Path] = []
    real = read_text

    def counting_read_text(path: Path) -> Source:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(locations, "read_text", counting_read_text)
    sources = SourceLines()
    assert sources.utf16_column(str(path), 1, 7) == 8
    assert sources.line(str(path), 2) == "RUN x"
    assert sources.line(str(path), 3) == "RUN y"
    assert sources.utf16_column(str(path), 3, 7) == 7  # past the end: kept as is
    assert len(reads) == 1


def test_a_zero_width_span_still_gets_a_region_of_one_column(tmp_path: Path) -> None:
    log = log_of([finding(tmp_path / "x", 2, 4, 2, 4)], tmp_path)
    region = only_result(log)["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (4, 5)


def test_multi_line_spans_keep_their_end(tmp_path: Path) -> None:
    log = log_of([finding(tmp_path / "Dockerfile", 2, 1, 5, 4)], tmp_path)
    region = only_result(log)["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 1, "endLine": 5, "endColumn": 4}


def test_platform_specific_findings_say_so(tmp_path: Path) -> None:
    log = log_of([finding(tmp_path / "m", message="missing", platforms=("linux/arm64",))], tmp_path)
    result = only_result(log)
    assert result["message"]["text"] == "missing [linux/arm64]"
    assert result["properties"] == {"platforms": ["linux/arm64"]}
    everywhere = only_result(log_of([finding(tmp_path / "m", message="missing")], tmp_path))
    assert everywhere["message"]["text"] == "missing"
    assert "properties" not in everywhere


def test_related_locations_have_ids_and_messages(tmp_path: Path) -> None:
    related = (
        Related(Span(str(tmp_path / "Dockerfile"), 12, 1, 12, 5), "created only for amd64"),
        Related(Span(str(tmp_path / "Dockerfile"), 14, 3, 14, 9), "copied here"),
    )
    result = only_result(log_of([finding(tmp_path / "metadata.json", related=related)], tmp_path))
    assert [(r["id"], r["message"]["text"]) for r in result["relatedLocations"]] == [
        (1, "created only for amd64"),
        (2, "copied here"),
    ]
    second = result["relatedLocations"][1]["physicalLocation"]
    assert second["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": SRCROOT}
    assert second["region"]["startLine"] == 14


def fingerprints(text: str, spans: list[tuple[int, int]], tmp_path: Path) -> list[str]:
    path = tmp_path / "Dockerfile"
    path.write_text(text, encoding="utf-8")
    findings = [finding(path, line, 1, end_line) for line, end_line in spans]
    results = log_of(findings, tmp_path)["runs"][0]["results"]
    return [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]


def test_fingerprints_survive_lines_added_above_and_whitespace_changes(tmp_path: Path) -> None:
    before = fingerprints("FROM alpine\nLABEL a=1 \\\n  b=2\n", [(2, 3)], tmp_path)
    after = fingerprints("# new\n\nFROM  alpine\nLABEL   a=1 \\\n      b=2\n", [(4, 5)], tmp_path)
    assert before == after


def test_fingerprints_change_with_the_flagged_text(tmp_path: Path) -> None:
    one = fingerprints("FROM alpine\nLABEL a=1\n", [(2, 2)], tmp_path)
    other = fingerprints("FROM alpine\nLABEL a=2\n", [(2, 2)], tmp_path)
    assert one != other


def test_identical_fingerprints_are_told_apart_by_occurrence(tmp_path: Path) -> None:
    prints = fingerprints("RUN x\nRUN x\nRUN y\n", [(1, 1), (2, 2), (3, 3)], tmp_path)
    assert prints[0].split(":")[0] == prints[1].split(":")[0] != prints[2].split(":")[0]
    assert [p.split(":")[1] for p in prints] == ["1", "2", "1"]
    assert len(set(prints)) == 3


def test_the_cli_writes_sarif_to_a_file(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    root = tmp_path / "ext"
    root.mkdir()
    (root / "metadata.json").write_text('{"name": "legacy"}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "out" / "report.sarif"
    output.parent.mkdir()
    exit_code = main(["ext", "--format", "sarif", "--output", str(output), "--isolated"])
    assert exit_code == 1
    assert capsys.readouterr().out == ""
    log = json.loads(output.read_text(encoding="utf-8"))
    assert_valid_sarif(log)
    assert_github_code_scanning_ready(log)
    run = log["runs"][0]
    assert run["invocations"][0] == {"executionSuccessful": True, "exitCode": 1}
    assert {r["ruleId"] for r in run["results"]} >= {"MX003", "MX301"}
    enabled = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert enabled == sorted(load_checks())
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"ext/metadata.json"}
