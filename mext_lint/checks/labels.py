"""MX2xx: the labels on the final image."""

from __future__ import annotations

from collections.abc import Iterator

from mext_lint import labels
from mext_lint.registry import CheckContext, check
from mext_lint.spans import Problem


@check("MX201", per_platform=True, needs_dockerfile=True)
def missing_required_label(ctx: CheckContext) -> Iterator[Problem]:
    image = ctx.image
    if image.final is None or not image.labels_complete:
        return  # a third-party base image may carry the labels
    for key in labels.REQUIRED:
        if key not in image.labels:
            yield Problem(
                image.final.from_span,
                f'required label "{key}" is missing from the final image; the Marketplace'
                " rejects the extension without it",
            )


@check("MX202", per_platform=True, needs_dockerfile=True)
def empty_label(ctx: CheckContext) -> Iterator[Problem]:
    for key in labels.REQUIRED:
        label = ctx.image.labels.get(key)
        if label is not None and label.value is not None and not label.value.strip():
            yield Problem(label.span, f'required label "{key}" is set to an empty string')


@check("MX203", per_platform=True, needs_dockerfile=True)
def invalid_label_value(ctx: CheckContext) -> Iterator[Problem]:
    for key, label in sorted(ctx.image.labels.items()):
        if label.value is None or not label.value.strip():
            continue
        invalid = labels.check_value(key, label.value)
        if invalid is not None:
            yield Problem(label.span, f'label "{key}": {invalid.message}')


@check("MX204", per_platform=True, needs_dockerfile=True)
def pinned_api_version(ctx: CheckContext) -> Iterator[Problem]:
    label = ctx.image.labels.get(labels.API_VERSION)
    if label is None or label.value is None or not labels.is_exact_version(label.value):
        return
    version = label.value.strip().lstrip("=").strip()
    yield Problem(
        label.span,
        f'api.version "{label.value}" pins one exact version; the extension is refused once'
        f' Docker Desktop\'s extension API moves on; use a constraint such as ">= {version}"',
    )
