"""The docs' placeholder URL test of MX205."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from mext_lint.checks.label_quality import (
    _URL_IN_TEXT,
    DOCS_PLACEHOLDER_HOST,
    _split,
    placeholder_url,
)


def placeholder_url_by_definition(value: str) -> str | None:
    """Every URL split and its host compared, without first looking for the host's name."""
    for url in _URL_IN_TEXT.findall(value):
        parts = _split(url)
        host = (parts.hostname or "").lower() if parts is not None else ""
        if host == DOCS_PLACEHOLDER_HOST or host.endswith("." + DOCS_PLACEHOLDER_HOST):
            return str(url)
    return None


FRAGMENTS = [
    "https://",
    "HTTP://",
    "foo.bar",
    "FOO.BAR",
    "fo",
    "o.b",
    "ar",
    "\u212a",
    "x.",
    ".",
    "@",
    ":80",
    "/",
    "[",
    "]",
    "%",
    " ",
    "?q",
    "#f",
    "\u0130",
    "\u03a3",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join))
@example("see https://user@WWW.FOO.BAR:8/x")
@example("https://docs.foo.bar.example.com/")
def test_placeholder_url_is_the_definition(value: str) -> None:
    assert placeholder_url(value) == placeholder_url_by_definition(value)
