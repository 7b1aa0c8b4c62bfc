"""Regenerate the README's rule table from the catalog: python scripts/update_readme.py"""

from __future__ import annotations

import re
from pathlib import Path

from mext_lint.catalog import load_catalog, markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)", re.DOTALL)


def updated(text: str) -> str:
    return BLOCK.sub(lambda m: f"{m.group(1)}{markdown_table(load_catalog())}\n{m.group(2)}", text)


if __name__ == "__main__":
    README.write_text(updated(README.read_text(encoding="utf-8")), encoding="utf-8")
