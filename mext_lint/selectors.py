"""Rule selectors as users write them: codes (MX103), prefixes (MX1), names (empty-label)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mext_lint.catalog import Rule


class SelectorError(ValueError):
    pass


def resolve(selectors: Iterable[str], catalog: Mapping[str, Rule]) -> frozenset[str]:
    codes: set[str] = set()
    by_name = {rule.name: code for code, rule in catalog.items()}
    for raw in selectors:
        selector = raw.strip()
        if not selector:
            continue
        if selector.upper() == "ALL":
            codes.update(catalog)
        elif selector in by_name:
            codes.add(by_name[selector])
        else:
            prefix = selector.upper()
            matched = {code for code in catalog if code.startswith(prefix)}
            if not matched or not prefix.startswith("MX"):
                raise SelectorError(
                    f"unknown rule selector {raw!r} (use a code like MX103, a prefix like MX1,"
                    " a rule name like host-binary-missing, or ALL; `mext-lint rule --all`"
                    " lists them)"
                )
            codes.update(matched)
    return frozenset(codes)
