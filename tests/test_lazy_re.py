"""compile_later: a pattern compiled on first use behaves as the compiled one."""

from __future__ import annotations

import re

import pytest

from mext_lint.lazy_re import compile_later


def test_nothing_is_compiled_until_the_pattern_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real_compile = re.compile

    def counting_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real_compile(pattern, flags)

    monkeypatch.setattr(re, "compile", counting_compile)
    pattern = compile_later(r"(\w+)=(\d+)", re.ASCII)
    assert compiled == []
    found = pattern.match("a=1")
    assert found is not None and found.groups() == ("a", "1")
    assert pattern.sub(r"\2", "b=2 c=3") == "2 3"
    assert [m.group(1) for m in pattern.finditer("x=1 y=2")] == ["x", "y"]
    assert pattern.pattern == r"(\w+)=(\d+)" and pattern.groups == 2
    assert pattern.flags & re.ASCII
    assert compiled == [r"(\w+)=(\d+)"]  # once, however it is used


def test_each_method_answers_as_the_compiled_pattern_does() -> None:
    text = "k1=v1, k2=v2,,k3"
    lazy, real = compile_later(r"[,=]"), re.compile(r"[,=]")
    assert lazy.split(text) == real.split(text)
    assert lazy.findall(text) == real.findall(text)
    assert lazy.subn("-", text) == real.subn("-", text)
    assert lazy.search(text) is not None and lazy.fullmatch(",") is not None
