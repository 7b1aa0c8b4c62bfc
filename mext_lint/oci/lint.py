"""Lint a real image: the rules that apply to an image run through the engine's stamping, once
per variant, each variant with the metadata.json it holds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from mext_lint.catalog import load_catalog
from mext_lint.engine import enabled_checks, stamp
from mext_lint.extension import FileError
from mext_lint.findings import Finding
from mext_lint.metadata import Metadata
from mext_lint.oci.load import LoadedImage
from mext_lint.oci.model import ImageExtension, image_extension
from mext_lint.platforms import Platform
from mext_lint.registry import Check, CheckContext
from mext_lint.settings import Settings
from mext_lint.simulate.build import Image
from mext_lint.spans import Problem
from mext_lint.suppressions import apply_suppressions

# What can be checked on a built image: metadata.json and what it points to, the labels, every
# host binary (now with certainty), and the image rules. Dockerfile, build context and compose
# rules need the source.
IMAGE_RULES = frozenset(
    {
        *("MX002", "MX103", "MX105", "MX106", "MX107", "MX108"),
        *("MX201", "MX202", "MX203", "MX204", "MX205", "MX206", "MX207", "MX208"),
        *("MX301", "MX302", "MX303", "MX304", "MX305"),
        *("MX601", "MX602", "MX603", "MX604"),
    }
)
# MX305 is about the very absence of metadata.json: it runs when there is none.
WITHOUT_METADATA = frozenset({"MX305"})


class Run(NamedTuple):
    ext: ImageExtension
    platform: Platform | None  # None: the image has none of the wanted platforms


def image_checks(settings: Settings) -> list[Check]:
    return [check for check in enabled_checks(settings) if check.code in IMAGE_RULES]


def lint_image(
    loaded: LoadedImage,
    settings: Settings,
    root: Path,
    simulated: Mapping[Platform, Image] | None = None,
) -> list[Finding]:
    """Findings for the variants ``loaded``; ``simulated``: the source's simulation (MX604)."""
    images: dict[Platform, Image] = {p: v.image for p, v in loaded.variants.items()}
    runs = [
        Run(_extension(loaded, v.metadata, settings, root, simulated), platform)
        for platform, v in loaded.variants.items()
    ] or [Run(_extension(loaded, (None, None), settings, root, simulated), None)]
    raised: list[tuple[str, Problem, str | None]] = []
    for check in image_checks(settings):
        for run in runs:
            no_metadata = check.needs_metadata and run.ext.metadata is None
            if no_metadata and check.code not in WITHOUT_METADATA:
                continue
            if check.per_platform and run.platform is None:
                continue
            ctx = CheckContext(
                run.ext, run.platform if check.per_platform else None, images, settings.hosts
            )
            shown = str(run.platform) if run.platform is not None else None
            raised.extend((check.code, problem, shown) for problem in check.function(ctx))
    catalog = load_catalog()
    findings = stamp(raised, catalog, settings, tuple(str(p) for p in images))
    return apply_suppressions(findings, None, settings, catalog).kept


def _extension(
    loaded: LoadedImage,
    metadata: tuple[Metadata | None, FileError | None],
    settings: Settings,
    root: Path,
    simulated: Mapping[Platform, Image] | None,
) -> ImageExtension:
    ext = image_extension(loaded.info, metadata, settings, root)
    ext.simulated = simulated or {}
    return ext


def lint_target(
    target: str, settings: Settings, *, insecure: bool = False, source: Path | None = None
) -> list[Finding]:
    """Open ``target`` (layout, archive or reference), read the wanted variants, lint them; with
    ``source``, simulate that extension too and report where the two disagree (MX604)."""
    from mext_lint.oci.load import load_image, open_store

    store = open_store(target, insecure=insecure)
    try:
        loaded = load_image(store, settings.platforms)
    finally:
        store.close()
    if source is None:
        return lint_image(loaded, settings, Path.cwd())
    from mext_lint.engine import simulate_images
    from mext_lint.extension import open_extension

    ext = open_extension(source, settings)
    return lint_image(loaded, settings, source, simulate_images(ext, settings))
