"""SARIF 2.1.0, as GitHub code scanning and the VS Code SARIF viewer read it.

One run; ``tool.driver.rules`` lists every enabled rule with its catalog doc; each result has a
rule index, a repo-relative location with a real region in UTF-16 columns, related locations and
a fingerprint that survives unrelated edits (it hashes the flagged text, not the line number).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mext_lint import __version__
from mext_lint.catalog import REPOSITORY_URL, Rule, load_catalog
from mext_lint.findings import Finding
from mext_lint.report import Run
from mext_lint.report.locations import SourceLines, directory_uri, relative_uri, source_root
from mext_lint.spans import Span

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "mextLint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(findings: Sequence[Finding], run: Run) -> str:
    return json.dumps(sarif_log(findings, run), indent=2, ensure_ascii=False) + "\n"


def sarif_log(findings: Sequence[Finding], run: Run, root: Path | None = None) -> dict[str, Any]:
    root = root or source_root()
    catalog = load_catalog()
    codes = list(dict.fromkeys(run.enabled_rules))
    codes += [f.code for f in findings if f.code not in codes]  # never a result without its rule
    rule_index = {code: index for index, code in enumerate(codes)}
    sources = SourceLines()
    fingerprints = _fingerprints(findings, sources, root)
    results = [
        _result(finding, rule_index[finding.code], fingerprint, sources, root)
        for finding, fingerprint in zip(findings, fingerprints, strict=True)
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mext-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": REPOSITORY_URL,
                        "rules": [_rule(catalog[code]) for code in codes],
                    }
                },
                "automationDetails": {"id": "mext-lint/"},
                "originalUriBaseIds": {SRCROOT: {"uri": directory_uri(root)}},
                "invocations": [
                    {
                        # Findings are a successful run; exit code 2 means it could not finish.
                        "executionSuccessful": run.exit_code in (0, 1),
                        "exitCode": run.exit_code,
                    }
                ],
                "columnKind": "utf16CodeUnits",
                "results": results,
            }
        ],
    }


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.section("What it does") or rule.summary},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(rule.tags)},
    }


def _result(
    finding: Finding, rule_index: int, fingerprint: str, sources: SourceLines, root: Path
) -> dict[str, Any]:
    message = finding.message
    if finding.platforms:
        message += f" [{', '.join(finding.platforms)}]"
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical_location(finding.span, sources, root)}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": _physical_location(related.span, sources, root),
                "message": {"text": related.message},
            }
            for number, related in enumerate(finding.related, start=1)
        ]
    if finding.platforms:
        result["properties"] = {"platforms": list(finding.platforms)}
    return result


def _physical_location(span: Span, sources: SourceLines, root: Path) -> dict[str, Any]:
    uri = relative_uri(span.path, root)
    artifact = (
        {"uri": uri, "uriBaseId": SRCROOT}
        if uri is not None
        else {"uri": Path(span.path).resolve().as_uri()}
    )
    return {"artifactLocation": artifact, "region": _region(span, sources)}


def _region(span: Span, sources: SourceLines) -> dict[str, int]:
    converted = sources.utf16_span(span)
    start_line = max(converted.line, 1)
    start_column = max(converted.column, 1)
    end_line = max(converted.end_line, start_line)
    end_column = converted.end_column
    if end_line == start_line and end_column <= start_column:
        end_column = start_column + 1  # a zero-width region is shown as nothing at all
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": max(end_column, 1),
    }


def _fingerprints(findings: Sequence[Finding], sources: SourceLines, root: Path) -> list[str]:
    """Hash of rule, file, message and the flagged lines' text (whitespace normalised), plus an
    index telling apart identical hashes in report order; no line numbers, so unrelated edits
    above a finding keep its fingerprint."""
    seen: Counter[str] = Counter()
    fingerprints = []
    for finding in findings:
        span = finding.span
        lines = sources.lines(span.path) or []
        flagged = lines[max(span.line, 1) - 1 : max(span.end_line, span.line)]
        text = " ".join(" ".join(line.split()) for line in flagged)
        where = relative_uri(span.path, root) or Path(span.path).as_posix()
        # The message tells apart findings on one line (each missing label on the FROM).
        key = "\0".join((finding.code, where, text, finding.message))
        # surrogatepass: a message may quote a "\ud800" escape read from metadata.json
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[digest] += 1
        fingerprints.append(f"{digest}:{seen[digest]}")
    return fingerprints
