"""MX205-MX208: label values present and well-formed, yet wrong for the Marketplace."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from urllib.parse import SplitResult, urlsplit

from mext_lint import labels
from mext_lint.registry import CheckContext, check
from mext_lint.simulate.state import LabelValue
from mext_lint.spans import Problem

# Left by `docker extension init` or copied from the extension docs' examples.
TEMPLATE_VALUES: dict[str, frozenset[str]] = {
    labels.TITLE: frozenset({"my extension"}),
    labels.DESCRIPTION: frozenset(
        {
            "my awesome docker extension",  # docker extension init
            "your desktop extension description",  # docs: the React/Vue/... Dockerfile
            # docs: the minimal frontend tutorial
            "a sample extension to show how easy it's to get started with desktop extensions",
        }
    ),
    labels.VENDOR: frozenset({"awesome inc"}),
    labels.ICON: frozenset(
        {
            "https://www.docker.com/wp-content/uploads/2022/03/moby-logo.png",
            "https://docs.docker.com/images/engine.svg",
        }
    ),
}
# `docker extension init` once wrote vendor "Docker Inc."; Docker's own extensions use it too.
DOCKER_VENDOR = "docker inc"
# The placeholder host of the label docs' examples (https://foo.bar/image1.png).
DOCS_PLACEHOLDER_HOST = "foo.bar"
URL_LABELS = (labels.ICON, labels.SCREENSHOTS, labels.PUBLISHER_URL, labels.ADDITIONAL_URLS)
ICON_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
_URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>\\,\]}]+", re.I)
_TITLE_WORD = re.compile(r"\bextensions?\b", re.I)


def normalized(value: str) -> str:
    return " ".join(value.split()).rstrip(".").casefold()


def is_template_value(key: str, value: str) -> bool:
    return normalized(value) in TEMPLATE_VALUES.get(key, frozenset())


def known(label: LabelValue | None) -> str | None:
    """The label's value when it is set, known and not empty."""
    if label is None or label.value is None or not label.value.strip():
        return None
    return label.value


# -- MX205 ---------------------------------------------------------------------------------------


@check("MX205", per_platform=True, needs_dockerfile=True)
def template_label_value(ctx: CheckContext) -> Iterator[Problem]:
    image_labels = ctx.image.labels
    problems = [*_template_texts(image_labels), *_placeholder_urls(image_labels)]
    yield from problems
    vendor = image_labels.get(labels.VENDOR)
    value = known(vendor)
    if vendor is None or value is None or normalized(value) != DOCKER_VENDOR:
        return
    if problems or _third_party(ctx):
        yield Problem(
            vendor.span,
            f'label "{labels.VENDOR}" is "{value}", left by `docker extension init`; the'
            " Marketplace would credit Docker for this extension: name yourself",
        )


def _template_texts(image_labels: Mapping[str, LabelValue]) -> Iterator[Problem]:
    for key in (labels.TITLE, labels.DESCRIPTION, labels.VENDOR, labels.ICON):
        label = image_labels.get(key)
        value = known(label)
        if label is not None and value is not None and is_template_value(key, value):
            yield Problem(
                label.span,
                f'label "{key}" is still "{value}" from the extension template or docs; the'
                " Marketplace shows it as is: write your own",
            )


def _placeholder_urls(image_labels: Mapping[str, LabelValue]) -> Iterator[Problem]:
    for key in URL_LABELS:
        label = image_labels.get(key)
        value = known(label)
        url = placeholder_url(value) if value is not None else None
        if label is not None and url is not None:
            yield Problem(
                label.span,
                f'label "{key}" points to {url}, the docs\' placeholder site; link your own'
                " pages and images",
            )


def placeholder_url(value: str) -> str | None:
    """The first URL in ``value`` on the docs' placeholder host, if any."""
    if DOCS_PLACEHOLDER_HOST not in value.lower():
        return None  # a URL's host is part of the text, lower-cased: most values never name it
    url: str
    for url in _URL_IN_TEXT.findall(value):
        parts = _split(url)
        host = (parts.hostname or "").lower() if parts is not None else ""
        if host == DOCS_PLACEHOLDER_HOST or host.endswith("." + DOCS_PLACEHOLDER_HOST):
            return url
    return None


def _third_party(ctx: CheckContext) -> bool:
    """Whether something written says the publisher is not Docker: a publisher URL off
    docker.com, or an image built outside Docker's own namespace."""
    publisher = known(ctx.image.labels.get(labels.PUBLISHER_URL))
    if publisher is not None and labels.is_url(publisher) and not _docker_url(publisher):
        return True
    repositories = ctx.ext.build_files.own_repositories()
    return bool(repositories) and not any(name.startswith("docker/") for name in repositories)


def _split(url: str) -> SplitResult | None:
    """``urlsplit(url)``, or None for text it refuses: it raises ValueError on a "[" with no
    "]" in the host ("Invalid IPv6 URL") and on a host NFKC turns into "/", "?", "#" or "@"."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _docker_url(url: str) -> bool:
    """docker.com, or Docker's own account on GitHub or Docker Hub."""
    parts = _split(url.strip())
    if parts is None:
        return False
    host = (parts.hostname or "").lower()
    path = parts.path.lower().strip("/").split("/")
    if host == "github.com":
        return path[0] == "docker"
    if host == "hub.docker.com":
        return path[:2] in (["u", "docker"], ["r", "docker"])
    return host == "docker.com" or host.endswith(".docker.com")


# -- MX206 ---------------------------------------------------------------------------------------


@check("MX206", per_platform=True, needs_dockerfile=True)
def label_title_style(ctx: CheckContext) -> Iterator[Problem]:
    label = ctx.image.labels.get(labels.TITLE)
    value = known(label)
    if label is None or value is None or is_template_value(labels.TITLE, value):
        return  # a template title is MX205's
    word = _TITLE_WORD.search(value)
    if word is not None:
        yield Problem(
            label.span,
            f'title "{value}" contains the word "{word.group()}"; everything in the Extensions'
            " Marketplace is an extension, and `docker extension validate` warns about it: name"
            " the tool alone",
        )


# -- MX207 ---------------------------------------------------------------------------------------


@check("MX207", per_platform=True, needs_dockerfile=True)
def icon_format(ctx: CheckContext) -> Iterator[Problem]:
    label = ctx.image.labels.get(labels.ICON)
    value = known(label)
    if label is not None and value is not None and labels.is_url(value):
        reason = icon_url_problem(value.strip())
        if reason is not None:
            yield Problem(label.span, f'icon label "{value}" {reason}')
    metadata = ctx.ext.metadata
    icon = metadata.icon if metadata is not None else None
    if icon is not None and icon.value.strip():
        head = ctx.ext.context_file_head(icon.value.strip().lstrip("/"))
        found = icon_content_problem(head) if head is not None else None
        if found is not None:
            yield Problem(
                icon.span,
                f'icon "{icon.value}" in the build context is {found}, not an SVG or PNG image:'
                " Docker Desktop shows a broken icon in its menu",
            )


def icon_url_problem(url: str) -> str | None:
    """Why the Marketplace cannot show the icon at ``url`` (None when nothing is certain)."""
    parts = _split(url)
    if parts is None:
        return None
    if parts.scheme.lower() != "https":
        return "is not served over https; the Marketplace loads icons from https URLs only"
    suffix = posixpath.splitext(parts.path)[1].lower()
    if suffix and suffix not in ICON_SUFFIXES and re.fullmatch(r"\.[a-z0-9]{2,5}", suffix):
        return f"is a {suffix} file; the icon must be an .svg, .png or .jpg image"
    return None


# What a file that is not an SVG or PNG image often turns out to be, by its first bytes.
_NOT_ICON_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x00\x00\x01\x00", "a Windows .ico file"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF", "a PDF document"),
    (b"version https://git-lfs.github.com/spec/", "a Git LFS pointer (the image was never pulled)"),
)


def icon_content_problem(head: bytes) -> str | None:
    """What the file starting with ``head`` is when it is certainly no SVG or PNG."""
    if not head:
        return "an empty file"
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        return "a WebP image"
    if head[4:8] == b"ftyp":
        return "an AVIF/HEIC image"
    for signature, what in _NOT_ICON_SIGNATURES:
        if head.startswith(signature):
            return what
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").lower()
    if text.startswith(("<!doctype html", "<html")):
        return "an HTML page (a download of the web page, not the image?)"
    return None


# -- MX208 ---------------------------------------------------------------------------------------


@check("MX208", per_platform=True, needs_dockerfile=True)
def categories_format(ctx: CheckContext) -> Iterator[Problem]:
    label = ctx.image.labels.get(labels.CATEGORIES)
    value = known(label)
    if label is None or value is None:
        return
    faults = category_format_faults(value)
    if faults:
        cleaned = ",".join(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))
        yield Problem(
            label.span,
            f'categories "{value}" {" and ".join(faults)}; write "{cleaned}" (a comma-separated'
            " list, no spaces)",
        )


def category_format_faults(value: str) -> list[str]:
    """How a categories value breaks the comma-separated format (unknown names are MX203's)."""
    items = value.split(",")
    faults = []
    if any(item != item.strip() for item in items):
        faults.append("has spaces around its entries")
    if any(not item.strip() for item in items):
        faults.append("has an empty entry")
    names = [item.strip() for item in items if item.strip()]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        faults.append(f"lists {', '.join(duplicates)} more than once")
    return faults
