"""The standing checks the project holds itself to: strict typing and a clean lint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    pytest.importorskip("ruff")
    result = run_tool("ruff", "check", "mext_lint", "tests", "scripts", "bench", "hatch_build.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    pytest.importorskip("mypy")
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
