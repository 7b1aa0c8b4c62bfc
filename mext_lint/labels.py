"""What Docker Desktop and its Marketplace require of the extension image's labels."""

import json
import re
from typing import NamedTuple

TITLE = "org.opencontainers.image.title"
DESCRIPTION = "org.opencontainers.image.description"
VENDOR = "org.opencontainers.image.vendor"
API_VERSION = "com.docker.desktop.extension.api.version"
ICON = "com.docker.desktop.extension.icon"
SCREENSHOTS = "com.docker.extension.screenshots"
DETAILED_DESCRIPTION = "com.docker.extension.detailed-description"
PUBLISHER_URL = "com.docker.extension.publisher-url"
CHANGELOG = "com.docker.extension.changelog"
CATEGORIES = "com.docker.extension.categories"
ADDITIONAL_URLS = "com.docker.extension.additional-urls"
ACCOUNT_INFO = "com.docker.extension.account-info"

REQUIRED = (
    TITLE,
    DESCRIPTION,
    VENDOR,
    API_VERSION,
    ICON,
    SCREENSHOTS,
    DETAILED_DESCRIPTION,
    PUBLISHER_URL,
    CHANGELOG,
    CATEGORIES,
)
CATEGORY_VALUES = frozenset(
    {
        "ci-cd",
        "container-orchestration",
        "cloud-deployment",
        "cloud-development",
        "database",
        "kubernetes",
        "networking",
        "image-registry",
        "security",
        "testing-tools",
        "utility-tools",
        "volumes",
    }
)

_VERSION = r"v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"
_EXACT_VERSION = re.compile(rf"^\s*=?\s*{_VERSION}\s*$")
_CLAUSE = re.compile(rf"^\s*(>=|<=|>|<|=|!=|~|\^|~>)?\s*{_VERSION}\s*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


class Invalid(NamedTuple):
    message: str


def is_url(value: str) -> bool:
    return bool(_URL.match(value.strip()))


def check_api_version(value: str) -> Invalid | None:
    clauses = [c for group in value.split("||") for c in group.split(",")]
    if all(_CLAUSE.match(clause) for clause in clauses) and value.strip():
        return None
    return Invalid(f'"{value}" is neither a version nor a version constraint (e.g. ">= 0.3.3")')


def is_exact_version(value: str) -> bool:
    return bool(_EXACT_VERSION.match(value))


def check_json_links(value: str, text_key: str) -> Invalid | None:
    """screenshots ({alt, url}) and additional-urls ({title, url}): a JSON array of objects."""
    try:
        data = json.loads(value)
    except (ValueError, RecursionError) as error:
        return Invalid(
            f"is not valid JSON ({error}); expected an array of"
            f' {{"{text_key}": ..., "url": ...}} objects'
        )
    if not isinstance(data, list) or not data:
        return Invalid(
            f'must be a non-empty JSON array of {{"{text_key}": ..., "url": ...}} objects'
        )
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            return Invalid(f"item {index} is not an object")
        for key in (text_key, "url"):
            if not isinstance(item.get(key), str):
                return Invalid(f'item {index} lacks a string "{key}"')
        if not is_url(item["url"]):
            return Invalid(f'item {index} "url" is not an http(s) URL: {item["url"]!r}')
    return None


def unknown_categories(value: str) -> list[str]:
    names = [part.strip() for part in value.split(",")]
    return [name for name in names if name and name not in CATEGORY_VALUES]


def check_value(key: str, value: str) -> Invalid | None:
    """Whether a non-empty label value has the format its key requires."""
    if key == API_VERSION:
        return check_api_version(value)
    if key == SCREENSHOTS:
        return check_json_links(value, "alt")
    if key == ADDITIONAL_URLS:
        return check_json_links(value, "title")
    if key in (ICON, PUBLISHER_URL) and not is_url(value):
        return Invalid(f'"{value}" is not an http(s) URL')
    if key == CATEGORIES:
        unknown = unknown_categories(value)
        if unknown:
            listed = ", ".join(sorted(CATEGORY_VALUES))
            return Invalid(
                f"unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(repr(u) for u in unknown)} (one of: {listed})"
            )
    if key == ACCOUNT_INFO and value.strip() not in ("", "required"):
        return Invalid(f'"{value}" must be "required" or empty')
    return None
