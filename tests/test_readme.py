"""The README's promises: its two commands, what CI runs, and the generated rule table."""

from __future__ import annotations

import re
from pathlib import Path

from scripts.update_readme import updated

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def opening_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README, re.DOTALL)
    assert block is not None and README.index("```sh") < README.index("## ")
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands() -> None:
    commands = opening_commands()
    assert len(commands) == 2
    assert "mext-lint examples/" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = opening_commands()[1].split("&& ", 1)[1]
    assert test_command in ci


def test_generated_blocks_are_current() -> None:
    assert updated(README) == README, "run: python scripts/update_readme.py"
