"""Run the checks over extensions and turn their problems into sorted, merged findings."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from mext_lint.catalog import Rule, load_catalog
from mext_lint.extension import Extension
from mext_lint.findings import Finding
from mext_lint.platforms import Platform
from mext_lint.registry import CHECKS, Check, CheckContext
from mext_lint.settings import Settings
from mext_lint.spans import Problem, Related, Span
from mext_lint.suppressions import UNUSED_CODE, apply_suppressions

if TYPE_CHECKING:
    from mext_lint.simulate.build import Image


def load_checks() -> dict[str, Check]:
    """Import the check modules so they register themselves."""
    import mext_lint.checks  # noqa: F401

    return CHECKS


def enabled_checks(settings: Settings) -> list[Check]:
    """The checks ``settings`` turn on, by code (not to be changed: the list is shared by the
    extensions linted with the same settings, usually all of them)."""
    global _enabled
    if _enabled is None or _enabled[0] is not settings:
        checks = [check for code, check in sorted(load_checks().items()) if settings.enabled(code)]
        _enabled = (settings, checks)
    return _enabled[1]


_enabled: tuple[Settings, list[Check]] | None = None


def simulate_images(ext: Extension, settings: Settings) -> dict[Platform, Image]:
    """One simulated image per target platform.

    Empty when there is no Dockerfile or it does not parse: BuildKit would build nothing, and
    findings about a half-read file would only bury the syntax error.
    """
    dockerfile = ext.dockerfile
    if dockerfile is None or dockerfile.errors:
        return {}
    from mext_lint.simulate.build import simulate_platforms

    return simulate_platforms(
        dockerfile,
        settings.platforms,
        context=ext.context,
        build_args=settings.build_args,
        extension_paths=functools.cache(lambda: extension_paths(ext)),  # few bases ask
    )


def extension_paths(ext: Extension) -> frozenset[str]:
    """Paths metadata.json points into the image: no stock base image provides them."""
    from mext_lint.metadata import image_path

    metadata = ext.metadata
    if metadata is None:
        return frozenset()
    paths = {binary.path for binary in metadata.host_binaries}
    for located in (metadata.icon, metadata.composefile, metadata.ui_root):
        if located is not None:
            paths.add(located.value)
    return frozenset(image_path(path) for path in paths if path.strip())


def lint_extension(ext: Extension, settings: Settings) -> list[Finding]:
    checks = enabled_checks(settings)
    images: Mapping[Platform, Image] = {}
    if any(check.per_platform for check in checks):
        images = simulate_images(ext, settings)
    raised: list[tuple[str, Problem, str | None]] = []
    for check in checks:
        if check.needs_dockerfile and ext.dockerfile is None:
            continue
        if check.needs_metadata and ext.metadata is None:
            continue
        if check.per_platform:
            for platform in images:
                ctx = CheckContext(ext, platform, images, settings.hosts)
                raised.extend((check.code, p, str(platform)) for p in check.function(ctx))
        else:
            ctx = CheckContext(ext, None, images, settings.hosts)
            raised.extend((check.code, p, None) for p in check.function(ctx))
    all_platforms = tuple(str(p) for p in settings.platforms)
    catalog = load_catalog()
    findings = stamp(raised, catalog, settings, all_platforms)
    kept, unused = apply_suppressions(findings, ext.dockerfile, settings, catalog)
    if not unused:
        return kept
    reported = stamp(((UNUSED_CODE, p, None) for p in unused), catalog, settings, all_platforms)
    return sorted(kept + reported, key=Finding.sort_key)


def stamp(
    raised: Iterable[tuple[str, Problem, str | None]],
    catalog: Mapping[str, Rule],
    settings: Settings,
    all_platforms: tuple[str, ...],
) -> list[Finding]:
    """Merge problems identical but for their platform, attach code and severity, sort."""
    merged: dict[tuple[str, Span, str, tuple[Related, ...], str | None], list[str]] = {}
    for code, problem, platform in raised:
        key = (code, problem.span, problem.message, problem.related, problem.severity)
        platforms = merged.setdefault(key, [])
        if platform is not None and platform not in platforms:
            platforms.append(platform)
    findings = []
    for (code, span, message, related, severity), platforms in merged.items():
        rule = catalog[code]
        shown = () if set(platforms) >= set(all_platforms) else tuple(sorted(platforms))
        findings.append(
            Finding(
                code=code,
                name=rule.name,
                severity=settings.severity.get(code) or severity or rule.severity,
                span=span,
                message=message,
                related=tuple(dict.fromkeys(related)),
                platforms=shown,
            )
        )
    return sorted(findings, key=Finding.sort_key)
