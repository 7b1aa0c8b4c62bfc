"""Spans made on demand (words, commands) and parses kept between the platforms of a RUN.

A word's or command's span is only made when asked for; it must be the span an eager
computation gives, wherever the script sits: heredocs, continuations, tabs, non-ASCII text,
and scripts the outer shell of ``RUN <<EOT sh`` expanded first.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from mext_lint.simulate import shell, shell_expand
from mext_lint.simulate.shell import Parses, Script, ShellState, follow_script
from mext_lint.simulate.shell_commands import run_command
from mext_lint.simulate.shell_context import Context, Invocation, Outcome
from mext_lint.simulate.shell_values import Place, Value, Word
from mext_lint.simulate.tree import FileTree
from mext_lint.spans import Span

if TYPE_CHECKING:
    from tree_sitter import Node

FIRST_LINE = 7
INSTRUCTION = Span("Dockerfile", FIRST_LINE, 1, FIRST_LINE, 4)

SCRIPTS = [
    "curl -fsSLo /out/kubectl https://dl/${TARGETARCH}/kubectl && chmod +x /out/kubectl",
    "mkdir -p /out/a \\\n\t&& tar -xzf /tmp/a.tgz \\\n\t   -C /out/a 'dir/x' \"$TARGETARCH/y\"",
    "echo 'héllo wörld' > /tmp/ünï\n\tcp /tmp/ünï \"/out/ñ/${TARGETARCH}\" && echo ✓ > /f",
    "cat <<EOF > /etc/conf\nlíne $TARGETARCH\nEOF\ntouch /done /ü{a,b}\n",
    'case "$TARGETARCH" in\n  amd64) A=x86_64 ;;\n  *) A=aarch64 ;;\nesac\n'
    'wget -q -O "/tmp/t-$A.tgz" "https://h/t_${A}.tgz" && tar -xf "/tmp/t-$A.tgz" -C /bin',
]


def locator(text: str) -> Callable[[int], tuple[int, int]]:
    """Lines of ``text`` from FIRST_LINE on, the first one after ``RUN ``."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def locate(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset) - 1
        return FIRST_LINE + line, offset - starts[line] + (5 if line == 0 else 1)

    return locate


def eager_span(text: str, data: bytes, start_byte: int, end_byte: int) -> Span:
    """What the span of the bytes ``start_byte:end_byte`` of a script is, computed directly."""
    locate = locator(text)
    start = len(data[:start_byte].decode())
    end = len(data[:end_byte].decode())
    line, column = locate(start)
    if end <= start:
        return Span("Dockerfile", line, column, line, column + 1)
    end_line, end_column = locate(end - 1)
    return Span("Dockerfile", line, column, end_line, end_column + 1)


class Recorder:
    """Every word expanded and every command run while a script is followed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.words: list[tuple[bytes, int, int, Word]] = []
        self.commands: list[Invocation] = []
        expand_words = shell_expand.Expander.words

        def words(expander: shell_expand.Expander, node: Node) -> list[Word]:
            out = expand_words(expander, node)
            data = expander.source.data
            self.words.extend((data, node.start_byte, node.end_byte, word) for word in out)
            return out

        def command(ctx: Context, inv: Invocation) -> Outcome:
            self.commands.append(inv)
            return run_command(ctx, inv)

        monkeypatch.setattr(shell_expand.Expander, "words", words)
        monkeypatch.setattr(shell, "run_command", command)


def follow(script: str, arch: str, *, outer: bool = False, parses: Parses | None = None) -> None:
    env: dict[str, str | None] = {"TARGETARCH": arch, "TARGETOS": "linux"}
    state = ShellState(FileTree(), env, "/", INSTRUCTION)
    follow_script(Script(script, locator(script), "Dockerfile", outer, parses), state)


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("outer", [False, True])
def test_word_spans_made_on_demand_are_the_eager_ones(
    script: str, outer: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(monkeypatch)
    follow(script, "arm64", outer=outer)
    assert recorder.words
    for data, start, end, word in recorder.words:
        assert isinstance(word.place, Place)
        if outer:  # where the expanded text came from in the script: checked by its own tests
            assert word.span.path == "Dockerfile"
            continue
        assert word.span == eager_span(script, data, start, end), data[start:end]


@pytest.mark.sources_only
@pytest.mark.parametrize("script", SCRIPTS)
def test_command_spans_made_on_demand_are_the_eager_ones(
    script: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(monkeypatch)
    follow(script, "amd64")
    assert recorder.commands
    data = script.encode()
    for inv in recorder.commands:
        assert isinstance(inv.place, Place)
        assert inv.span == eager_span(script, data, inv.place._start, inv.place._end)
        lines = ("\n" * (FIRST_LINE - 1) + "RUN " + script).split("\n")
        assert lines[inv.span.line - 1][inv.span.column - 1 :].startswith(inv.name)


def test_places_compare_as_their_spans() -> None:
    script = "touch /a /b"
    source = shell_expand.Source(script, locator(script), "Dockerfile")
    first, again = Place(source, 6, 8), Place(source, 6, 8)
    assert first == again and hash(first) == hash(again)
    assert first == first.span and first != Place(source, 9, 11)
    assert Word(Value("/a"), first) == Word(Value("/a"), first.span)
    assert first.span == Span("Dockerfile", FIRST_LINE, 11, FIRST_LINE, 13)


def test_parses_are_kept_for_the_same_script_and_redone_for_another_expansion() -> None:
    parses = Parses()
    plain = "mkdir -p /out/$TARGETARCH"
    follow(plain, "amd64", parses=parses)
    follow(plain, "arm64", parses=parses)
    assert len(parses._parsed) == 1  # one parse for both platforms
    follow(plain, "amd64", outer=True, parses=parses)
    follow(plain, "arm64", outer=True, parses=parses)
    assert len(parses._parsed) == 3  # the outer shell made two other scripts of it


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("outer", [False, True])
def test_a_kept_parse_simulates_what_a_fresh_one_does(script: str, outer: bool) -> None:
    parses = Parses()
    for arch in ["amd64", "arm64", "amd64"]:
        shared = FileTree()
        fresh = FileTree()
        env: dict[str, str | None] = {"TARGETARCH": arch, "TARGETOS": "linux"}
        for tree, kept in [(shared, parses), (fresh, None)]:
            state = ShellState(tree, dict(env), "/", INSTRUCTION)
            follow_script(Script(script, locator(script), "Dockerfile", outer, kept), state)
        assert list(shared.entries()) == list(fresh.entries())
        assert all(shared.skipped(e.path) == fresh.skipped(e.path) for e in fresh.entries())
