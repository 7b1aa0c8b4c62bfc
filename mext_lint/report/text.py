"""``path:line:col: CODE message`` lines, as compilers and ruff print them, and a summary."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from mext_lint.findings import Finding
from mext_lint.report import Run

_COLORS = {"error": "31", "warning": "33", "info": "36", "path": "1", "related": "2"}


# Control characters (C0 but tab, DEL, C1), line and paragraph separators and bidi overrides, a
# message quoting metadata.json or a label could carry: written out, a newline would start a line
# of its own (under GitHub Actions, a workflow command), ESC would drive the terminal.
_INVISIBLE = "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"


def visible(text: str) -> str:
    """``text`` with control characters as escapes (``\\n``, ``\\x1b``, ``\\u202e``)."""
    return re.sub(_INVISIBLE, lambda m: repr(m.group())[1:-1], text)


def _paint(text: str, what: str, color: bool) -> str:
    return f"\033[{_COLORS[what]}m{text}\033[0m" if color else text


def format_finding(finding: Finding, color: bool = False) -> str:
    span = finding.span
    where = _paint(f"{visible(span.path)}:{span.line}:{span.column}:", "path", color)
    code = _paint(finding.code, finding.severity, color)
    platforms = f" [{', '.join(finding.platforms)}]" if finding.platforms else ""
    lines = [f"{where} {code} {visible(finding.message)}{platforms}"]
    for related in finding.related:
        span = related.span
        note = f"{visible(span.path)}:{span.line}:{span.column}: {visible(related.message)}"
        lines.append(_paint(f"    related: {note}", "related", color))
    return "\n".join(lines)


def summary(findings: Sequence[Finding], run: Run) -> str:
    checked = f"{run.extensions} extension{'s' if run.extensions != 1 else ''} checked"
    if not findings:
        return f"All good: {checked}, no findings."
    counts = Counter(finding.severity for finding in findings)
    parts = [
        f"{counts[severity]} {severity}{'s' if counts[severity] != 1 else ''}"
        for severity in ("error", "warning", "info")
        if counts[severity]
    ]
    found = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
    return f"Found {found} ({', '.join(parts)}) in {checked}."


def render(findings: Sequence[Finding], run: Run) -> str:
    lines = [format_finding(finding, run.color) for finding in findings]
    lines.append(summary(findings, run))
    return "\n".join(lines) + "\n"
