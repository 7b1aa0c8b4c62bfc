"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation each.

``mext-lint`` picks this format by itself under GitHub Actions (``GITHUB_ACTIONS=true``) when no
``--format`` is given, so findings show up on the pull request's diff without any upload.
"""

from __future__ import annotations

from collections.abc import Sequence

from mext_lint.findings import Finding
from mext_lint.report import Run
from mext_lint.report.locations import relative_path, source_root

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_annotation(finding: Finding, file: str) -> str:
    span = finding.span
    properties = {"file": file, "line": str(span.line)}
    # GitHub accepts columns only for a one-line range, and its endColumn is inclusive.
    if span.end_line == span.line:
        properties["col"] = str(span.column)
        properties["endLine"] = str(span.end_line)
        properties["endColumn"] = str(max(span.end_column - 1, span.column))
    else:
        properties["endLine"] = str(span.end_line)
    properties["title"] = f"mext-lint ({finding.code})"
    message = finding.message
    if finding.platforms:
        message += f" [{', '.join(finding.platforms)}]"
    for related in finding.related:
        where = f"{related.span.path}:{related.span.line}:{related.span.column}"
        message += f"\nrelated: {where}: {related.message}"
    fields = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {fields}::{escape_data(message)}"


def render(findings: Sequence[Finding], run: Run) -> str:
    root = source_root()
    return "".join(
        format_annotation(finding, relative_path(finding.span.path, root) or finding.span.path)
        + "\n"
        for finding in findings
    )
