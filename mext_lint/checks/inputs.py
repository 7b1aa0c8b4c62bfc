"""MX0xx: files that cannot be read, parsed, or are missing."""

from __future__ import annotations

from collections.abc import Iterator

from mext_lint.registry import CheckContext, check
from mext_lint.sources import display_path
from mext_lint.spans import Problem, Span


@check("MX001")
def dockerfile_syntax(ctx: CheckContext) -> Iterator[Problem]:
    dockerfile, error = ctx.ext.dockerfile_source
    if error is not None:
        yield Problem(error.span, error.message)
    if dockerfile is not None:
        for issue in dockerfile.errors:
            yield Problem(issue.span, issue.message)


@check("MX002")
def metadata_syntax(ctx: CheckContext) -> Iterator[Problem]:
    metadata, error = ctx.ext.metadata_source
    if error is not None:
        yield Problem(error.span, error.message)
    if metadata is not None and metadata.error is not None:
        yield Problem(metadata.error.span, metadata.error.message)


@check("MX003")
def missing_extension_file(ctx: CheckContext) -> Iterator[Problem]:
    ext = ctx.ext
    if ext.metadata_path is not None and ext.dockerfile_path is None:
        wanted = ext.settings.dockerfile or "Dockerfile"
        shown = display_path(ext.metadata_path)
        yield Problem(
            Span.point(shown, 1, 1),
            f"no {wanted} beside {shown}: mext-lint cannot check what goes into the image"
            " (set `dockerfile` in the configuration if it lives elsewhere)",
        )
    if ext.dockerfile_path is not None and ext.metadata_path is None:
        shown = display_path(ext.dockerfile_path)
        yield Problem(
            Span.point(shown, 1, 1),
            f"{shown} builds a Docker Desktop extension (it sets com.docker.desktop.extension"
            " labels) but there is no metadata.json beside it; Docker Desktop reads"
            " /metadata.json from the image",
        )
