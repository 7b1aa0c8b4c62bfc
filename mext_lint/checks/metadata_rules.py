"""MX3xx: metadata.json itself."""

from __future__ import annotations

from collections.abc import Iterator

from mext_lint.registry import CheckContext, check
from mext_lint.spans import Problem


@check("MX301", needs_metadata=True)
def metadata_schema(ctx: CheckContext) -> Iterator[Problem]:
    metadata = ctx.ext.metadata
    if metadata is None or metadata.error is not None:
        return
    from mext_lint.metadata_schema import validate_metadata

    yield from validate_metadata(metadata)
