"""MX006: suppression pragmas that suppress nothing."""

from __future__ import annotations

from collections.abc import Iterator

from mext_lint.catalog import load_catalog
from mext_lint.registry import CheckContext, check
from mext_lint.spans import Problem


@check("MX006", needs_dockerfile=True)
def unused_suppression(ctx: CheckContext) -> Iterator[Problem]:
    """Malformed pragmas and unknown rules in them: they can never suppress anything.

    Pragmas that are well formed but match no finding are reported by the engine's suppression
    step (``mext_lint.suppressions.apply_suppressions``), the only place that sees every finding.
    """
    from mext_lint.suppressions import read_pragmas

    dockerfile = ctx.ext.dockerfile
    if dockerfile is not None:
        yield from read_pragmas(dockerfile, load_catalog()).problems
