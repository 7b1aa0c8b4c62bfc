"""MX302-MX305 and MX401: what metadata.json points to, and what COPY needs, in the image."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from mext_lint.checks.host_binaries import created_elsewhere
from mext_lint.metadata import Located, image_path
from mext_lint.registry import CheckContext, check
from mext_lint.simulate.tree import Presence
from mext_lint.spans import Problem


def missing(ctx: CheckContext, located: Located[str] | None, what: str) -> Iterator[Problem]:
    """One problem when the path metadata.json names is provably not in this variant."""
    if located is None or not located.value.strip():
        return
    path = image_path(located.value)
    found = ctx.image.has(path)
    if found.presence is Presence.NO:
        yield Problem(
            located.span,
            f'{what} "{located.value}" is not in the image (looked for {path}); copy it in the'
            " final stage",
            tuple(found.origins) + created_elsewhere(ctx, path),
        )


@check("MX302", per_platform=True, needs_dockerfile=True, needs_metadata=True)
def icon_not_in_image(ctx: CheckContext) -> Iterator[Problem]:
    assert ctx.ext.metadata is not None
    yield from missing(ctx, ctx.ext.metadata.icon, "icon")


def strip_query(src: str) -> str:
    return src.split("?", 1)[0].split("#", 1)[0]


@check("MX303", per_platform=True, needs_dockerfile=True, needs_metadata=True)
def ui_not_in_image(ctx: CheckContext) -> Iterator[Problem]:
    metadata = ctx.ext.metadata
    assert metadata is not None
    root, src = metadata.ui_root, metadata.ui_src
    if root is not None and root.value.strip():
        problems = list(missing(ctx, root, "UI root"))
        if problems:
            yield from problems
            return
    if src is None or not strip_query(src.value).strip():
        return
    base = root.value if root is not None else "/"
    entry = posixpath.join(image_path(base), strip_query(src.value).lstrip("/"))
    yield from missing(ctx, src.with_value(entry), "UI entry page")


@check("MX304", per_platform=True, needs_dockerfile=True, needs_metadata=True)
def composefile_not_in_image(ctx: CheckContext) -> Iterator[Problem]:
    assert ctx.ext.metadata is not None
    yield from missing(ctx, ctx.ext.metadata.composefile, "compose file")


@check("MX305", per_platform=True, needs_dockerfile=True, needs_metadata=True)
def metadata_not_in_image(ctx: CheckContext) -> Iterator[Problem]:
    image = ctx.image
    if image.final is None:
        return
    found = image.has("/metadata.json")
    if found.presence is Presence.NO:
        yield Problem(
            image.final.from_span,
            "the image has no /metadata.json, so Docker Desktop cannot install it; add"
            " `COPY metadata.json /` to the final stage",
            tuple(found.origins) + created_elsewhere(ctx, "/metadata.json"),
        )


@check("MX401", per_platform=True, needs_dockerfile=True)
def copy_source_missing(ctx: CheckContext) -> Iterator[Problem]:
    yield from ctx.image.copy_problems
