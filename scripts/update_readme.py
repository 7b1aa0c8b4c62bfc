"""Regenerate the README's generated blocks: python scripts/update_readme.py

- the rule table, from the catalog;
- the `mext-lint image-tree` output for the bundled example.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

from mext_lint.catalog import load_catalog, markdown_table
from mext_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXAMPLE = "examples/kubectl-multiarch"


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)


def image_tree_output() -> str:
    out = io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        with contextlib.redirect_stdout(out):
            main(["image-tree", EXAMPLE])
    finally:
        os.chdir(cwd)
    return f"```text\n$ mext-lint image-tree {EXAMPLE}\n{out.getvalue()}```"


GENERATORS: dict[str, Callable[[], str]] = {
    "rules": lambda: markdown_table(load_catalog()),
    "image-tree": image_tree_output,
}


def updated(text: str) -> str:
    for name, generate in GENERATORS.items():
        content = generate()
        text = _block(name).sub(lambda m, c=content: f"{m.group(1)}{c}\n{m.group(2)}", text)
    return text


if __name__ == "__main__":
    README.write_text(updated(README.read_text(encoding="utf-8")), encoding="utf-8")
