"""The catalog's simple front-matter reader agrees with ruamel.yaml, the source of truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from mext_lint.catalog import (
    _FRONT_MATTER,
    Catalog,
    CatalogError,
    catalog_dir,
    load_catalog,
    parse_rule,
    simple_front_matter,
)


def ruamel_load(text: str) -> Any:
    return YAML(typ="safe").load(text)


def front_matters() -> list[tuple[str, str]]:
    pages = sorted(catalog_dir().glob("MX*.md"))
    assert len(pages) >= 30
    found = []
    for page in pages:
        match = _FRONT_MATTER.match(page.read_text(encoding="utf-8"))
        assert match is not None
        found.append((page.name, match.group(1)))
    return found


@pytest.mark.parametrize(("name", "text"), front_matters())
def test_every_shipped_page_is_read_by_the_simple_reader_as_ruamel_reads_it(
    name: str, text: str
) -> None:
    simple = simple_front_matter(text)
    assert simple is not None, f"{name}: the simple reader gave up (every run would load ruamel)"
    assert simple == ruamel_load(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("since: 0.1.0", {"since": "0.1.0"}),
        ("since: 10.20.30.40", {"since": "10.20.30.40"}),
        ("name: nullable", {"name": "nullable"}),
        ("name: Trueish thing", {"name": "Trueish thing"}),
        ("summary: A (b) `c` ${D} [e] {f}.", {"summary": "A (b) `c` ${D} [e] {f}."}),
        ('summary: "`x` names ${Y}."', {"summary": "`x` names ${Y}."}),
        ("tags: []", {"tags": []}),
        ("tags: [a,b , c-d]", {"tags": ["a", "b", "c-d"]}),
        ("summary: C# and 50%", {"summary": "C# and 50%"}),
    ],
)
def test_the_simple_reader_reads_plain_pages(text: str, expected: dict[str, Any]) -> None:
    assert simple_front_matter(text) == expected == ruamel_load(text)


@pytest.mark.parametrize(
    "text",
    [
        "id: MX001\nsince: 1.0",  # a float to YAML
        "id: MX001\nsince: 2024-01-01",  # a date
        "id: MX001\nflag: true",
        "id: MX001\nnothing: null",
        "id: MX001\nnothing: ~",
        "id: MX001\ncount: 0o17",
        "id: MX001\ncount: 1_000",
        "true: x",
        "id: MX001\n# a comment",
        "id: MX001\n\nname: x",
        "summary: first\n  continued",
        "summary: a: b",
        "summary: a #comment",
        'summary: "with \\" escape"',
        "summary: 'single'",
        "summary: |\n  block",
        "tags: [a, [b]]",
        "tags: [a, b,]",
        "tags: [1, b]",
        "tags: [a, true]",
        "id: MX001\nid: MX002",
        "id:  two spaces",
        "summary: -dash",
        "summary: \x07bell",
        "summary: tab\there",
        "summary: ends with colon:",
        "key:",
    ],
)
def test_the_simple_reader_gives_up_on_anything_else(text: str) -> None:
    assert simple_front_matter(text) is None


def test_a_page_the_simple_reader_gives_up_on_is_read_with_ruamel() -> None:
    page = (
        "---\nid: MX999\nname: some-rule\nseverity: warning\n"
        "summary: >-\n  Folded over\n  two lines.\n"
        "since: 0.1.0  # a comment\ntags:\n  - a\n  - b\n---\n## What it does\n\nX.\n"
    )
    rule = parse_rule(page, "MX999.md")
    assert rule.summary == "Folded over two lines."
    assert rule.since == "0.1.0"
    assert rule.tags == ("a", "b")
    with pytest.raises(CatalogError, match="bad front matter"):
        parse_rule("---\nid: MX999\nname: [unclosed\n---\n", "MX999.md")


def test_load_catalog_does_not_import_ruamel() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from mext_lint.catalog import load_catalog; load_catalog();"
        " assert 'ruamel.yaml' not in sys.modules, 'ruamel.yaml imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert load_catalog()


_KEYS = st.sampled_from(["id", "name", "severity", "summary", "since", "tags", "true", "x-y"])
_VALUES = st.one_of(
    st.sampled_from(
        [
            "MX101", "0.1.0", "1.0", "1", "0x1F", "1e3", ".5", "true", "False", "null", "~", "=",
            "2024-01-01", "error", "[a, b]", "[]", "[a,b ]", "[1, a]", '"quoted `x` ${Y}"',
            '"a\\"b"', "'single'", "a: b", "a #c", "a#c", "-a", "- a", "x:", "{a: b}", "*ref",
            "&anchor x", "!tag x", "%x", "@x", "`x`", "a [b] {c}", "(x) y.", "é ü", "a\tb", "?x",
            ": x", "|", ">", "<<", "a, b", "[a, [b]]", ".inf", "-.5", "+1", "0o7", "0b1", "1_0",
        ]
    ),
    st.text(alphabet=st.sampled_from(list("ab01.:-#[]{},'\"` \t!&*|>%@~?=_/é\\")), max_size=8),
    st.text(alphabet=st.sampled_from(list("ab01. -_/é")), min_size=1, max_size=8),
)  # fmt: skip
_CLEAN = st.from_regex(r"[A-Za-z][A-Za-z0-9 .,()`$/{}\[\]'\"-]{0,20}[A-Za-z0-9.)`]", fullmatch=True)
_SEPARATORS = st.sampled_from([": "] * 8 + [":", ":  ", " : "])
_JUNK = st.sampled_from(["", "# c", "  - a", "  more", "---"])
_LINES = st.one_of(
    st.lists(
        st.one_of(st.tuples(_KEYS, _SEPARATORS, _VALUES).map("".join), _JUNK),
        min_size=1,
        max_size=4,
    ),
    # pages that look like the shipped ones, so the reader's own path is exercised too
    st.dictionaries(_KEYS, st.one_of(_CLEAN, _CLEAN, _VALUES), min_size=1, max_size=6).map(
        lambda meta: [f"{key}: {value}" for key, value in meta.items()]
    ),
)


@settings(max_examples=500, deadline=None)
@given(_LINES.map("\n".join))
def test_the_simple_reader_never_disagrees_with_ruamel(text: str) -> None:
    simple = simple_front_matter(text)
    if simple is None:
        return
    try:
        expected = ruamel_load(text)
    except YAMLError as error:
        raise AssertionError(f"ruamel rejects what the simple reader read: {error}") from None
    assert simple == expected


def test_a_page_is_read_when_its_rule_is_first_looked_up(tmp_path: Path) -> None:
    page = (catalog_dir() / "MX001.md").read_text(encoding="utf-8")
    (tmp_path / "MX001.md").write_text(page, encoding="utf-8")
    (tmp_path / "MX002.md").write_text("not a page", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a rule", encoding="utf-8")
    catalog = Catalog(tmp_path)
    assert list(catalog) == ["MX001", "MX002"] and len(catalog) == 2
    assert "MX002" in catalog and "MX003" not in catalog  # without reading MX002's page
    assert catalog["MX001"] == parse_rule(page, "MX001.md")
    (tmp_path / "MX001.md").unlink()
    assert catalog["MX001"].name == "dockerfile-syntax"  # read once
    with pytest.raises(CatalogError, match=r"MX002\.md: missing '---' front matter"):
        catalog["MX002"]
    with pytest.raises(KeyError):
        catalog["MX003"]


def test_codes_and_prefixes_are_resolved_without_reading_pages(tmp_path: Path) -> None:
    from mext_lint.selectors import resolve

    for code in ("MX101", "MX102", "MX201"):
        (tmp_path / f"MX{code[2:]}.md").write_text("not a page", encoding="utf-8")
    catalog = Catalog(tmp_path)
    assert resolve(["MX1", "mx201", " ALL "], catalog) == {"MX101", "MX102", "MX201"}
    assert resolve(["MX10"], catalog) == {"MX101", "MX102"}
    with pytest.raises(CatalogError):  # a name needs the pages
        resolve(["host-binary-missing"], catalog)


def test_no_rule_name_reads_as_a_code() -> None:
    # selectors.resolve takes anything starting with "MX" for a code or a prefix
    assert not [rule.name for rule in load_catalog().values() if rule.name.upper().startswith("MX")]
