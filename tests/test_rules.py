"""Every rule: its check, its catalog page and its YAML cases, one for one; then the cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mext_lint.catalog import DOC_SECTIONS, load_catalog
from mext_lint.engine import load_checks
from tests.rule_cases import CASES_DIR, load_cases, matches, run_case


def case_files() -> set[str]:
    return {path.stem for path in CASES_DIR.glob("MX*.yaml")}


def test_checks_catalog_and_cases_match_one_for_one() -> None:
    checks = set(load_checks())
    catalog = set(load_catalog())
    assert checks == catalog, (
        f"checks without a page: {checks - catalog}; pages without a check: {catalog - checks}"
    )
    assert case_files() == catalog, f"rules without cases: {catalog - case_files()}"


@pytest.mark.parametrize("code", sorted(load_catalog()))
def test_catalog_page_has_every_section(code: str) -> None:
    rule = load_catalog()[code]
    for section in DOC_SECTIONS:
        assert rule.section(section), f"{code} lacks '## {section}'"


@pytest.mark.parametrize("code", sorted(load_catalog()))
def test_rule_has_failing_and_passing_cases(code: str) -> None:
    cases = load_cases(code)
    assert any(case["expect"] for case in cases), f"{code} has no failing case"
    assert any(not case["expect"] for case in cases), f"{code} has no passing case"


def all_cases() -> list[Any]:
    return [
        pytest.param(code, case, id=f"{code}-{case['name']}")
        for code in sorted(case_files())
        for case in load_cases(code)
    ]


@pytest.mark.parametrize(("code", "case"), all_cases())
def test_rule_case(code: str, case: dict[str, Any], tmp_path: Path, capsys: Any) -> None:
    found = run_case(code, case, tmp_path, capsys)
    expected = case["expect"]
    unmatched = [e for e in expected if not any(matches(e, f) for f in found)]
    assert not unmatched, f"expected but not reported: {unmatched}\nreported: {found}"
    assert len(found) == len(expected), f"reported more than expected: {found}"
