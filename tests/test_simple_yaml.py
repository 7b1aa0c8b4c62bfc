"""simple_yaml reads what it accepts exactly as ruamel.yaml's round-trip loader does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mext_lint import simple_yaml
from mext_lint.compose import _parse_with_ruamel, load_compose
from tests.test_fuzz import budget, compose_texts

KEYS = ["services", "web", "image", "command", "ports", "volumes", "x-a", "build", "a.b", "_k"]
SCALARS = [
    "alpine", "${DESKTOP_PLUGIN_IMAGE}", '"8080:80"', "/var/run/docker.sock.raw:/var/run/x",
    '"a b"', '""', "a b", "8080", "1.5", "true", "no", "~", "null", "-x", "x:", "a #c", "'q'",
    '"e\\n"', "&a x", "*a", "!!str x", "|", "[a, b]", '["/s", "--socket", "/run/x.sock"]',
    "[]", "[a,]", "[${X}]", "{a: b}", "x: y", "é", "a\tb", "? x", "%x", "@x",
]  # fmt: skip


def _node(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    """Lines of a block mapping or sequence at ``indent``."""
    lines = []
    sequence = depth > 0 and draw(st.integers(0, 3)) == 0
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3)):
        pad = " " * indent
        if sequence:
            lines.append(f"{pad}- {draw(st.sampled_from(SCALARS))}")
            continue
        if depth < 3 and draw(st.booleans()):
            lines.append(f"{pad}{key}:" + draw(st.sampled_from(["", " # note", "  "])))
            inner = indent + draw(st.sampled_from([0, 1, 2, 4]))
            lines.extend(_node(draw, inner, depth + 1))
        else:
            lines.append(f"{pad}{key}: {draw(st.sampled_from(SCALARS))}")
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# comment", "   # indented comment"])))
    return lines


@st.composite
def block_yaml(draw: st.DrawFn) -> str:
    return "\n".join(_node(draw, 0, 0)) + draw(st.sampled_from(["\n", "", "\n\n"]))


def _same(simple: Any, ruamel: Any, where: str = "") -> None:
    if isinstance(simple, dict):
        assert list(simple) == list(ruamel), where
        assert (simple.lc.line, simple.lc.col) == (ruamel.lc.line, ruamel.lc.col), where
        assert simple.fa.flow_style() == bool(ruamel.fa.flow_style()), where
        for key in simple:
            assert simple.lc.key(key) == tuple(ruamel.lc.key(key)), (where, key)
            assert simple.lc.value(key) == tuple(ruamel.lc.value(key)), (where, key)
            _same(simple[key], ruamel[key], f"{where}/{key}")
    elif isinstance(simple, list):
        assert isinstance(ruamel, list) and len(simple) == len(ruamel), where
        assert (simple.lc.line, simple.lc.col) == (ruamel.lc.line, ruamel.lc.col), where
        assert simple.fa.flow_style() == bool(ruamel.fa.flow_style()), where
        for index, (mine, theirs) in enumerate(zip(simple, ruamel, strict=True)):
            assert simple.lc.item(index) == tuple(ruamel.lc.item(index)), (where, index)
            _same(mine, theirs, f"{where}[{index}]")
    else:
        assert type(simple) is str and isinstance(ruamel, str), (where, simple, ruamel)
        assert simple == str(ruamel), where


def _check(text: str) -> bool:
    """Whether simple_yaml accepted ``text``; if so, it must read as ruamel.yaml reads it."""
    try:
        simple = simple_yaml.load(text)
    except simple_yaml.NotSimple:
        return False
    _same(simple, _parse_with_ruamel(text))
    return True


@budget(300)
@given(block_yaml())
@example("services:\n  web:\n    ports:\n    - '1'\n")
@example("a: [x, y]\nb:\n  - c\n  - [d]\n")
def test_what_it_reads_is_what_ruamel_reads(text: str) -> None:
    _check(text)


@budget(100)
@given(compose_texts())
def test_fuzzed_compose_files(text: str) -> None:
    _check(text)


GENERATED_COMPOSE = (
    "services:\n"
    "  beacon:\n"
    "    image: ${DESKTOP_PLUGIN_IMAGE}\n"
    '    command: ["/service", "--socket", "/run/guest-services/svc.sock"]\n'
    "    volumes:\n"
    "      - /var/run/docker.sock.raw:/var/run/docker.sock\n"
)


def test_a_usual_compose_file_is_read_without_ruamel() -> None:
    assert _check(GENERATED_COMPOSE)
    compose = load_compose(GENERATED_COMPOSE, "compose.yaml")
    assert [s.name for s in compose.services] == ["beacon"] and not compose.issues


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n",  # a number
        "a: yes\n",
        "a:\n",  # a null
        "a: b\na: c\n",  # a duplicate key: ruamel's error message
        "a: &x b\nc: *x\n",
        "a: |\n  text\n",
        "- a\n",  # not a mapping
        "a: 'b'\n",
        'a: "b\\n"\n',
        "a:\n  b: c\n   d: e\n",  # bad indentation
        "a: b\r\n",
        "a:\tb\n",
        "",
    ],
)
def test_anything_else_is_left_to_ruamel(text: str) -> None:
    with pytest.raises(simple_yaml.NotSimple):
        simple_yaml.load(text)
