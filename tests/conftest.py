"""The suite runs on the sources and, in CI, again on the compiled build (hatch_build.py).

Tests marked ``sources_only`` are skipped on the compiled build:
- those that replace a function to watch it (``monkeypatch.setattr``): a compiled module calls
  its own functions directly and never sees the replacement;
- those that package the source tree, which the compiled run does not hold as a package.
"""

from __future__ import annotations

import pytest

from mext_lint import compiled


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sources_only: needs the pure-Python sources (see tests/conftest.py)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not compiled():
        return
    skip = pytest.mark.skip(reason="compiled build: its modules call their functions directly")
    for item in items:
        if "sources_only" in item.keywords:
            item.add_marker(skip)
