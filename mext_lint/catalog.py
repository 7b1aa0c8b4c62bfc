"""The rule catalog: one ``rules/MXnnn.md`` per rule, YAML front matter then the rule's doc.

The catalog is data shipped in the wheel (``mext_lint/rules``); in a source checkout it is read
from the top-level ``rules/`` directory.
"""

from __future__ import annotations

import functools
import re
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


def parse_rule(text: str, source: str) -> Rule:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise CatalogError(f"{source}: missing '---' front matter")
    try:
        meta = YAML(typ="safe").load(match.group(1))
    except YAMLError as error:
        raise CatalogError(f"{source}: bad front matter: {error}") from None
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


@functools.lru_cache(maxsize=1)
def load_catalog() -> dict[str, Rule]:
    """Every rule by code, in code order."""
    rules: dict[str, Rule] = {}
    for path in sorted(catalog_dir().glob("MX*.md")):
        rule = parse_rule(path.read_text(encoding="utf-8"), path.name)
        if rule.code != path.stem:
            raise CatalogError(f"{path.name}: id {rule.code} does not match the file name")
        rules[rule.code] = rule
    return rules


def rules_by_name() -> dict[str, Rule]:
    return {rule.name: rule for rule in load_catalog().values()}


def markdown_table(rules: dict[str, Rule]) -> str:
    """The README's rule table."""
    rows = ["| code | name | severity | what it reports |", "|---|---|---|---|"]
    rows += [
        f"| [{r.code}](rules/{r.code}.md) | {r.name} | {r.severity} | {r.summary} |"
        for r in rules.values()
    ]
    return "\n".join(rows)
