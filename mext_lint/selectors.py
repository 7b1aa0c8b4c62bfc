"""Rule selectors as users write them: codes (MX103), prefixes (MX1), names (empty-label)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mext_lint.catalog import Rule


class SelectorError(ValueError):
    pass


def resolve(selectors: Iterable[str], catalog: Mapping[str, Rule]) -> frozenset[str]:
    codes: set[str] = set()
    by_name: dict[str, str] | None = None  # built only for a name: it reads every rule's page
    for raw in selectors:
        selector = raw.strip()
        if not selector:
            continue
        upper = selector.upper()
        if upper == "ALL":
            codes.update(catalog)
            continue
        if upper.startswith("MX"):  # a code or a prefix: no rule name starts so
            matched = {code for code in catalog if code.startswith(upper)}
        else:
            if by_name is None:
                by_name = {rule.name: code for code, rule in catalog.items()}
            matched = {by_name[selector]} if selector in by_name else set()
        if not matched:
            raise SelectorError(
                f"unknown rule selector {raw!r} (use a code like MX103, a prefix like MX1,"
                " a rule name like host-binary-missing, or ALL; `mext-lint rule --all`"
                " lists them)"
            )
        codes.update(matched)
    return frozenset(codes)
