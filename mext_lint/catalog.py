"""The rule catalog: one ``rules/MXnnn.md`` per rule, YAML front matter then the rule's doc.

The catalog is data shipped in the wheel (``mext_lint/rules``); in a source checkout it is read
from the top-level ``rules/`` directory. A page is read the first time its rule is looked up: a
lint run reads only the pages of the rules it reports (and all of them for SARIF, a rule list or
a selector that names a rule).
"""

import functools
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

SEVERITIES = ("error", "warning", "info")
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "How to fix")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.DOTALL)
_CODE = re.compile(r"^MX\d{3}$")
REPOSITORY_URL = "https://github.com/mext-lint/mext-lint"


class CatalogError(Exception):
    """The catalog shipped with mext-lint is malformed (a packaging bug, not a user error)."""


class Rule(NamedTuple):
    code: str
    name: str
    severity: str
    summary: str
    since: str
    tags: tuple[str, ...]
    doc: str  # markdown body after the front matter

    @property
    def help_uri(self) -> str:
        return f"{REPOSITORY_URL}/blob/main/rules/{self.code}.md"

    def section(self, title: str) -> str:
        match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", self.doc, re.M | re.S)
        return match.group(1).strip() if match else ""


def catalog_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise CatalogError(f"rule catalog not found next to {here}")


# The front matter the catalog pages use: ``key: value`` and ``key: [a, b]`` lines, one each.
_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*): (\S(?:.*\S)?)\Z")
_PLAIN_SCALAR = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s][^\t]*\Z")
_DOUBLE_QUOTED = re.compile(r'"([^"\\\t]*)"\Z')
_FLOW_ITEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
# What ruamel.yaml's YAML 1.2 implicit resolvers (ruamel/yaml/resolver.py) read as something else
# than a string. As there, a plain scalar is only tried against the resolvers of its first
# character: words for booleans, null, merge and value; patterns for numbers and timestamps.
_TYPED_WORDS = frozenset(
    {"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "<<", "="}
)
_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+){2,}\Z")  # "0.1.0": two dots, no number or date


@functools.cache
def _numeric_or_timestamp() -> re.Pattern[str]:
    """The float, int and timestamp resolvers (compiled on first use: about a millisecond)."""
    return re.compile(
        r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN)
        |[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+
        |[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\Z""",
        re.X,
    )


def _typed_plain(value: str) -> bool:
    """Whether YAML reads the plain scalar ``value`` as a bool, number, null, date...: not a str."""
    first = value[:1]
    if first in ("", "t", "T", "f", "F", "n", "N", "~", "<", "="):
        return first == "" or value in _TYPED_WORDS
    if first in "-+.0123456789":
        return not _VERSION.match(value) and _numeric_or_timestamp().match(value) is not None
    return False


def simple_front_matter(text: str) -> dict[str, str | list[str]] | None:
    """The front matter as ruamel.yaml's safe loader reads it, when it is written in the simple
    form every catalog page uses; None for anything else (the caller then asks ruamel.yaml).

    Accepted, one per line: ``key: plain text``, ``key: "text without escapes"`` and
    ``key: [word, word]``, where a plain value is one YAML reads as a string (not ``true``,
    ``1.0``, ``null``, a date...). Comments, blank lines, continuation lines, repeated keys,
    quotes with escapes and anything else make it give up rather than guess.
    """
    meta: dict[str, str | list[str]] = {}
    for line in text.split("\n"):
        match = _SIMPLE_LINE.match(line) if line.isprintable() else None
        if match is None:
            return None
        key, value = match.groups()
        if key in meta or _typed_plain(key):
            return None
        quoted = _DOUBLE_QUOTED.match(value)
        if quoted is not None:
            meta[key] = quoted.group(1)
        elif value.startswith("[") and value.endswith("]"):
            items = [item.strip() for item in value[1:-1].split(",")]
            if items == [""]:
                items = []
            if not all(_FLOW_ITEM.match(item) and not _typed_plain(item) for item in items):
                return None
            meta[key] = items
        elif _PLAIN_SCALAR.match(value) and ": " not in value and " #" not in value:
            if value.endswith(":") or _typed_plain(value):
                return None
            meta[key] = value
        else:
            return None
    return meta


def _yaml_front_matter(text: str, source: str) -> object:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe").load(text)
    except YAMLError as error:
        raise CatalogError(f"{source}: bad front matter: {error}") from None


def parse_rule(text: str, source: str) -> Rule:
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise CatalogError(f"{source}: missing '---' front matter")
    # ruamel.yaml (pure Python: ~20 ms to import, ~5 ms a page) only for what the simple reader
    # does not take; tests/test_catalog.py checks both agree on every shipped page.
    simple = simple_front_matter(match.group(1))
    meta = simple if simple is not None else _yaml_front_matter(match.group(1), source)
    if not isinstance(meta, dict):
        raise CatalogError(f"{source}: front matter must be a mapping")
    missing = {"id", "name", "severity", "summary", "since"} - meta.keys()
    if missing:
        raise CatalogError(f"{source}: front matter lacks {', '.join(sorted(missing))}")
    code = str(meta["id"])
    if not _CODE.match(code):
        raise CatalogError(f"{source}: id {code!r} is not of the form MXnnn")
    if meta["severity"] not in SEVERITIES:
        raise CatalogError(f"{source}: severity must be one of {', '.join(SEVERITIES)}")
    return Rule(
        code=code,
        name=str(meta["name"]),
        severity=str(meta["severity"]),
        summary=str(meta["summary"]).strip(),
        since=str(meta["since"]),
        tags=tuple(str(tag) for tag in meta.get("tags") or ()),
        doc=match.group(2).strip() + "\n",
    )


class Catalog(Mapping[str, Rule]):
    """Every rule by code, in code order; each page is read when its rule is first looked up."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        pages = sorted(
            name for name in os.listdir(directory) if name.startswith("MX") and name.endswith(".md")
        )
        self._rules: dict[str, Rule | None] = dict.fromkeys(name[:-3] for name in pages)

    def __getitem__(self, code: str) -> Rule:
        rule = self._rules[code]
        if rule is None:
            rule = self._rules[code] = _read_page(self._directory / f"{code}.md")
        return rule

    def __contains__(self, code: object) -> bool:
        return code in self._rules  # without reading the page, as Mapping's would

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


def _read_page(path: Path) -> Rule:
    rule = parse_rule(path.read_text(encoding="utf-8"), path.name)
    if rule.code != path.stem:
        raise CatalogError(f"{path.name}: id {rule.code} does not match the file name")
    return rule


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """Every rule by code, in code order."""
    return Catalog(catalog_dir())


def rules_by_name() -> dict[str, Rule]:
    return {rule.name: rule for rule in load_catalog().values()}


def markdown_table(rules: Mapping[str, Rule]) -> str:
    """The README's rule table."""
    rows = ["| code | name | severity | what it reports |", "|---|---|---|---|"]
    rows += [
        f"| [{r.code}](rules/{r.code}.md) | {r.name} | {r.severity} | {r.summary} |"
        for r in rules.values()
    ]
    return "\n".join(rows)
