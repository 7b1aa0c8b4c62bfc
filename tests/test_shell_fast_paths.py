"""Fast paths of the shell walk held to the slower definitions they replace."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from mext_lint.simulate import shell
from mext_lint.simulate.shell import Script, ShellState, follow_script
from mext_lint.simulate.shell_context import Context
from mext_lint.simulate.shell_expand import _NOT_PLAIN, Expander, Source, _Field
from mext_lint.simulate.shell_options import Options
from mext_lint.simulate.shell_values import (
    UNKNOWN,
    ArchMark,
    Value,
    Word,
    find_arch_literals,
    glob_match,
    glob_regex,
    mentions_arch,
)
from mext_lint.simulate.tree import FileTree, Kind, Presence
from mext_lint.spans import Related, Span

INSTRUCTION = Span("Dockerfile", 1, 1, 1, 4)
GLOB_CHARS = st.text(alphabet="ab*?[]!^\\/.-", max_size=8)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # "[[" in a bracket expression
@given(glob=GLOB_CHARS, text=st.text(alphabet="ab*?[]!^\\/.-", max_size=8), pathname=st.booleans())
def test_glob_match_is_the_regex_match(glob: str, text: str, pathname: bool) -> None:
    try:
        expected = glob_regex(glob, pathname=pathname).fullmatch(text) is not None
    except re.error:  # a bracket expression Python cannot compile, e.g. "[?-/]"
        with pytest.raises(re.error):
            glob_match(glob, text, pathname=pathname)
        return
    assert glob_match(glob, text, pathname=pathname) == expected


def _balanced_by_counting(text: str, start: int, opening: str, closing: str) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == opening:
            depth += 1
        elif text[index] == closing:
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


@given(text=st.text(alphabet="{}()ab", max_size=12), start=st.integers(0, 12))
def test_balanced_finds_the_closing_bracket_counting_would(text: str, start: int) -> None:
    for opening, closing in (("{", "}"), ("(", ")")):
        text_at = text[:start] + opening + text[start:]  # an opening bracket at ``start``
        at = min(start, len(text))
        expected = _balanced_by_counting(text_at, at, opening, closing)
        assert shell._balanced(text_at, at, opening, closing) == expected


@given(
    flags=st.lists(st.sampled_from(["a", "b", "--c", "--d", "e"]), max_size=5),
    names=st.lists(st.sampled_from(["a", "--c", "x", "--y"]), max_size=4),
)
def test_options_has_is_set_intersection(flags: list[str], names: list[str]) -> None:
    options = Options([(flag, None) for flag in flags], [])
    assert options.has(*names) == (not set(names).isdisjoint(flags))


WORD_TEXT = st.lists(
    st.sampled_from(
        ["a", "/", "-", "_", ".", "=", "64", "amd64", "arm64", "x86_64", "aarch", "]", "é", "9"]
    ),
    min_size=1,
    max_size=8,
).map("".join)


def _expander(text: str, substituted: list[bool] | None) -> tuple[Expander, Source]:
    source = Source(
        text,
        lambda offset: (1, offset + 1),
        "Dockerfile",
        offset_map=list(range(len(text))) if substituted is not None else None,
        substituted=substituted,
    )
    ctx = Context(FileTree(), {}, "/")
    return Expander(source, ctx, lambda node: UNKNOWN), source


def _slow_marks(source: Source, origins: list[int], text: str) -> list[ArchMark]:
    """Every CPU name typed in the script, as the marks were first found."""
    substituted = source._substituted
    marks = []
    for start, end, arch in find_arch_literals(text):
        typed = origins[start:end]
        if any(
            o < 0 or (substituted is not None and 0 <= o < len(substituted) and substituted[o])
            for o in typed
        ):
            continue
        span = source.span_chars(typed[0], typed[-1] + 1)
        marks.append(ArchMark(arch, Related(span, f"hard-coded {arch}")))
    return marks


@given(word=WORD_TEXT, data=st.data())
def test_plain_words_are_the_words_the_general_expansion_makes(
    word: str, data: st.DataObject
) -> None:
    script = f"cmd {word}"
    outer = data.draw(st.booleans())
    substituted = data.draw(st.lists(st.booleans(), min_size=len(script), max_size=len(script)))
    expander, source = _expander(script, substituted if outer else None)
    root = shell._parse(script)
    arguments = root.children[0].children_by_field_name("argument")
    plain = expander._plain(arguments[0]) if len(arguments) == 1 else None
    assume(plain is not None)  # a number, or not one word
    assert plain is not None
    fields = [_Field()]
    expander._expand(arguments[0], fields, quoted=False)
    general = expander._finish(fields[0], source.place(arguments[0]), offset=plain.offset)
    assert [plain] == general
    marks = _slow_marks(source, list(range(plain.offset, plain.offset + len(word))), word)
    assert plain.arch == (marks[0] if marks else None)


TOKENS = st.lists(st.sampled_from(["a", "_", "amd64", "arm64", "\0", "/"]), max_size=3).map("".join)


@given(
    before=TOKENS,
    arch=st.sampled_from(["amd64", "x86_64", "aarch64"]),
    after=TOKENS,
    start=st.integers(0, 40),
    holes=st.lists(st.tuples(st.integers(0, 20), st.sampled_from([-1, 0, 5, 35])), max_size=3),
    substituted=st.lists(st.booleans(), min_size=30, max_size=30),
)
@example("", "amd64", "", 3, [(2, -1)], [False] * 30)  # a gap inside the name
def test_the_first_typed_cpu_name_is_the_first_mark(
    before: str,
    arch: str,
    after: str,
    start: int,
    holes: list[tuple[int, int]],
    substituted: list[bool],
) -> None:
    text = before + arch + after
    origins = list(range(start, start + len(text)))  # typed in one run, but for a few holes
    for index, origin in holes:
        origins[index % len(origins)] = origin
    expander, source = _expander("x" * 30, substituted)
    marks = _slow_marks(source, origins, text)
    assert expander._literal_arch(origins, text) == (marks[0] if marks else None)


def test_a_word_made_directly_equals_one_made_by_its_constructor() -> None:
    span = Span("Dockerfile", 1, 1, 1, 2)
    direct = tuple.__new__(Word, (Value("a"), span, "a", False, None, True, False, -1))
    assert direct == Word(Value("a"), span, "a") and type(direct) is Word


FIRST_ARCH_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(amd64|x86_64|x86-64|x64|arm64|aarch64)(?![A-Za-z0-9])"
)


@given(st.lists(st.sampled_from(["a", "x", "64", "86", "_", "-", "md", "rm", "arch", "9", "Z"])))
def test_cpu_names_are_found_as_the_first_regex_found_them(parts: list[str]) -> None:
    text = "".join(parts)
    expected = [(m.start(), m.end(), m.group(1)) for m in FIRST_ARCH_TOKEN.finditer(text)]
    found = [(start, end, text[start:end]) for start, end, _ in find_arch_literals(text)]
    assert found == expected
    assert mentions_arch(text) == bool(expected)


@given(st.lists(st.sampled_from(["a", "~", "/", "\\", "*", "{", "]", "\ue000"]), min_size=1))
def test_the_plain_word_check_is_the_first_regex(parts: list[str]) -> None:
    text = "".join(parts)
    first = re.compile(r"[\\*?\[{\ue000]|^~").search(text) is not None
    assert (_NOT_PLAIN.search(text) is not None or text[0] == "~") == first


@pytest.mark.sources_only  # counts FileTree.clone calls
def test_a_branch_that_does_not_run_changes_only_a_copy_made_when_it_first_writes() -> None:
    tree = FileTree()
    tree.add("/keep/file", Kind.FILE, Related(INSTRUCTION, "there"))
    before = sorted((e.path, e.kind) for e in tree.entries())
    clones = 0
    clone = FileTree.clone

    def counting_clone(self: FileTree) -> FileTree:
        nonlocal clones
        clones += 1
        return clone(self)

    script = (
        'case "$TARGETARCH" in arm64) A=1; echo no; exit 1 ;; esac\n'
        'if [ "$TARGETARCH" = arm64 ]; then rm -rf /keep; mkdir -p /arm/x; apk add git; fi\n'
        "touch /done"
    )
    state = ShellState(tree, {"TARGETARCH": "amd64"}, "/", INSTRUCTION)
    with mock.patch.object(FileTree, "clone", counting_clone):
        follow_script(Script(script, lambda offset: (1, offset + 1), "Dockerfile"), state)
    assert clones == 1  # only the branch that writes needed a scratch tree
    after = sorted((e.path, e.kind) for e in tree.entries())
    assert after == sorted([*before, ("/done", Kind.FILE)])
    assert tree.skipped("/arm/x")[0].message == "created only when TARGETARCH=arm64"
    assert tree.lookup("/usr").presence is Presence.NO  # apk ran on the copy only
