"""A JSON array of findings: the stable contract for scripts and other tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from mext_lint.findings import Finding
from mext_lint.report import Run


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    span = finding.span
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "path": span.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "platforms": list(finding.platforms),
        "related": [
            {
                "path": related.span.path,
                "line": related.span.line,
                "column": related.span.column,
                "message": related.message,
            }
            for related in finding.related
        ],
    }


def render(findings: Sequence[Finding], run: Run) -> str:
    return json.dumps([finding_to_dict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"
