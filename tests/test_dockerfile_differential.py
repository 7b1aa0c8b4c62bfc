"""Differential test: our parser against BuildKit's own, through the ``dockerfile`` package.

The PyPI package ``dockerfile`` embeds BuildKit's Go parser (``parser.Parse``; it does not run the
instruction parser). Every file under ``tests/corpus/dockerfile/`` is parsed by both and compared
instruction by instruction: line range, keyword, JSON form, raw flags, values (or ONBUILD's
trigger and its values) and heredoc names, descriptors and bodies.

The embedded BuildKit is older than the one mext-lint follows. Where they differ the comparison
adapts explicitly and a dedicated test below pins both behaviours:

* ``Original``: the old parser appends heredoc bodies to it; today's keeps the joined line only
  (our model too), so with heredocs only the part before the first body is compared.
* heredoc bodies: the package gives them raw; ``Heredoc.content`` is what BuildKit passes on, with
  leading tabs removed for ``<<-``, so the package's content is chomped before comparing.
* ONBUILD: the package drops the heredocs of an ONBUILD trigger; only line ranges cover them.
* ``# check=``: the old parser does not know the directive, so directive parsing stops there.
* JSON followed by other text (``RUN ["a"] b``): the old parser ignores the rest (json.Decoder),
  today's rejects the JSON and keeps the shell form (BuildKit #5107, json.Unmarshal).
* ENV/LABEL: today's parser adds a third node per pair (the separator, for a style lint); both
  the package and our model keep (key, value) pairs.

Files under ``invalid/`` are ones BuildKit rejects; ``invalid/expected.json`` lists the error each
must produce and whether BuildKit's parser (as opposed to its instruction parser) rejects it.
Random line-structured files (with well-formed heredoc blocks mixed in) are compared the same way,
and must give at least one error whenever BuildKit's parser rejects them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.dockerfile.instruction_rules import INSTRUCTIONS
from mext_lint.dockerfile.model import Dockerfile, Instruction
from mext_lint.dockerfile.parser import parse_dockerfile

buildkit = pytest.importorskip("dockerfile")

CORPUS = Path(__file__).parent / "corpus" / "dockerfile"
VALID = sorted(CORPUS.glob("*.Dockerfile"))
INVALID = sorted((CORPUS / "invalid").glob("*.Dockerfile"))
EXPECTED_INVALID: dict[str, dict[str, Any]] = json.loads(
    (CORPUS / "invalid" / "expected.json").read_text(encoding="utf-8")
)
LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def buildkit_view(command: Any) -> dict[str, Any]:
    """What the package reports for one instruction, normalised as described above."""
    view: dict[str, Any] = {
        "lines": (command.start_line, command.end_line),
        "keyword": command.cmd.upper(),
        "flags": tuple(command.flags),
        "original": command.original.split("\n", 1)[0],
    }
    if command.sub_cmd is not None:
        view["trigger"] = (command.sub_cmd.upper(), command.json, tuple(command.value))
    else:
        view["json"] = command.json
        view["value"] = tuple(command.value)
        view["heredocs"] = [(h.name, h.file_descriptor, h.content) for h in command.heredocs]
    return view


def our_view(instruction: Instruction) -> dict[str, Any]:
    """The same view of our instruction (heredoc bodies un-chomped back to what Go reports)."""
    view: dict[str, Any] = {
        "lines": (instruction.span.line, instruction.span.end_line),
        "keyword": instruction.keyword,
        "flags": tuple(flag.raw for flag in instruction.flags),
        "original": instruction.original,
    }
    inner = instruction.inner
    if inner is not None:
        view["trigger"] = (inner.keyword, inner.json_form, tuple(w.text for w in inner.value))
    else:
        view["json"] = instruction.json_form
        view["value"] = tuple(word.text for word in instruction.value)
        view["heredocs"] = [(h.name, h.fd or 0, h.content) for h in instruction.heredocs]
    return view


def chomp_buildkit_heredocs(view: dict[str, Any], ours: Instruction) -> None:
    """BuildKit strips a `<<-` body's leading tabs when it uses it; the package shows it raw."""
    if "heredocs" not in view:
        return
    view["heredocs"] = [
        (name, fd, LEADING_TABS.sub("", content) if ours_doc.strip_tabs else content)
        for (name, fd, content), ours_doc in zip(view["heredocs"], ours.heredocs, strict=False)
    ]


def compare(text: str, name: str) -> tuple[Dockerfile, list[str]]:
    """Our parse and what differs from BuildKit's (which drops no instruction, even unknown ones:
    those are compared only by the instruction checks, so they are left out here)."""
    ours = parse_dockerfile(text, name)
    theirs = [c for c in buildkit.parse_string(text) if (c.cmd or "").upper() in INSTRUCTIONS]
    problems: list[str] = []
    if len(theirs) != len(ours.instructions):
        problems.append(f"{len(theirs)} instructions in BuildKit, {len(ours.instructions)} here")
    for command, instruction in zip(theirs, ours.instructions, strict=False):
        expected = buildkit_view(command)
        chomp_buildkit_heredocs(expected, instruction)
        actual = our_view(instruction)
        if expected != actual:
            problems.append(f"line {command.start_line}: BuildKit {expected} != ours {actual}")
        if instruction.keyword == "ONBUILD":
            assert command.heredocs == ()  # the package does not expose ONBUILD heredocs
    return ours, problems


def test_corpus_is_big_enough() -> None:
    assert len(VALID) >= 40
    assert INVALID
    assert {path.name for path in INVALID} == set(EXPECTED_INVALID)


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.stem)
def test_matches_buildkit(path: Path) -> None:
    ours, problems = compare(read(path), path.name)
    assert not ours.errors, ours.errors
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.stem)
def test_rejected_like_buildkit(path: Path) -> None:
    expected = EXPECTED_INVALID[path.name]
    text = read(path)
    messages = [issue.message for issue in parse_dockerfile(text, path.name).errors]
    for fragment in expected["errors"]:
        assert any(fragment in message for message in messages), (fragment, messages)
    if expected["parser_rejects"]:
        with pytest.raises(buildkit.GoParseError) as raised:
            buildkit.parse_string(text)
        assert expected.get("buildkit_error", expected["errors"][0]) in str(raised.value)
    else:
        buildkit.parse_string(
            text
        )  # only BuildKit's instruction parser (not in the package) rejects


KEYWORDS = st.sampled_from(
    [
        "FROM ", "RUN ", "COPY ", "ADD ", "ENV ", "LABEL ", "ARG ", "ONBUILD ", "HEALTHCHECK ",
        "CMD ", "SHELL ", "EXPOSE ", "VOLUME ", "USER ", "ONBUILD RUN ", "ONBUILD COPY ", "run ",
        "  RUN ", "# c", "#", "", "EOF", "\tE", "# escape=`",
    ]
)  # fmt: skip
PIECES = st.sampled_from(
    [
        "--mount=type=cache,target=/x ", "--from=a ", "--", "-", "<<EOF", "<<-E ", "3<<X", "<<'Q'",
        '<<"Q"', "<< EOF", "EOF", "\tE", "E", "X", "Q", "NONE", " CMD ", "\n", "\r\n", "\\\n",
        "\\\n# c\n", "\\\n\n", "\\", "\\ ", "`\n", "'", '"', "$", "${", "${a:-b}", "}", "[",
        '["a", "b"]', "a=b ", "=", " ", " ", "\t", "é", "x", "y z", '\\"', "\\\\", "\nEOF",
        "\n\tE", "\nX", "\nQ",
    ]
)  # fmt: skip
LINES = st.tuples(KEYWORDS, st.lists(PIECES, max_size=8)).map(
    lambda line: line[0] + "".join(line[1])
)
BODY_LINES = st.sampled_from(["echo hi", "\tindented", "", "# not a comment", "EOF2", "x \\", "\t"])


@st.composite
def heredoc_blocks(draw: st.DrawFn) -> str:
    """An instruction opening 1-3 heredocs (any form), then their bodies and terminators."""
    keyword = draw(
        st.sampled_from(["RUN ", "COPY ", "ADD ", "ONBUILD RUN ", "RUN --network=none "])
    )
    words, bodies = [], []
    for name in draw(st.lists(st.sampled_from(["EOF", "E", "Q2"]), min_size=1, max_size=3)):
        operator = draw(st.sampled_from(["<<", "<<-", "3<<", "<<'", '<<"', "<<-'"]))
        quote = operator[-1] if operator[-1] in "'\"" else ""
        words.append(operator + name + quote)
        tabs = "\t" * draw(st.integers(0, 2)) if "-" in operator else ""
        lines = draw(st.lists(BODY_LINES, max_size=3))
        bodies.append("".join(line + "\n" for line in lines) + tabs + name)
    tail = "".join(draw(st.lists(PIECES.filter(lambda p: "\n" not in p), max_size=3)))
    return keyword + " ".join(words) + tail + "\n" + "\n".join(bodies)


DOCKERFILES = st.lists(st.one_of(LINES, heredoc_blocks()), min_size=1, max_size=12).map("\n".join)


def known_divergence(text: str, ours: Dockerfile) -> bool:
    """Inputs whose reading changed since the packaged BuildKit (see the module doc), and
    ``ONBUILD ONBUILD``, an error where the package shows an artefact of its own tree walk."""
    if re.search(r"\]\s*\S", text):
        return True
    return any(i.inner is not None and i.inner.keyword == "ONBUILD" for i in ours.instructions)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(DOCKERFILES)
def test_random_dockerfiles_read_like_buildkit(text: str) -> None:
    try:
        buildkit.parse_string(text)
    except buildkit.GoParseError as rejected:
        ours = parse_dockerfile(text, "Dockerfile")
        assert ours.errors or known_divergence(text, ours), rejected
        return
    ours, problems = compare(text, "Dockerfile")
    if not known_divergence(text, ours):
        assert not problems, "\n".join(problems)


# -- where the embedded BuildKit is older than today's --------------------------------------------


def test_check_directive_is_known_today_but_not_to_the_packaged_parser() -> None:
    text = "# check=skip=all\n# escape=`\nFROM alpine\nRUN echo a `\n  b\n"
    ours = parse_dockerfile(text, "Dockerfile")
    assert [d.name for d in ours.directives] == ["check", "escape"]
    assert [i.original for i in ours.instructions] == ["FROM alpine", "RUN echo a   b"]
    old = buildkit.parse_string(text)  # `check` ends the directives, so "`" is no escape there
    assert [c.original for c in old] == ["FROM alpine", "RUN echo a `", "b"]


def test_text_after_a_json_array_makes_it_shell_form_today() -> None:
    text = 'FROM alpine\nRUN ["echo", "a"] trailing\n'
    run = parse_dockerfile(text, "Dockerfile").instructions[1]
    assert (run.json_form, [w.text for w in run.value]) == (False, ['["echo", "a"] trailing'])
    old = buildkit.parse_string(text)[1]  # json.Decoder read only the array
    assert (old.json, old.value) == (True, ("echo", "a"))


def test_original_no_longer_carries_heredoc_bodies() -> None:
    text = "FROM alpine\nRUN <<EOF\nbody\nEOF\n"
    run = parse_dockerfile(text, "Dockerfile").instructions[1]
    assert run.original == "RUN <<EOF"
    assert buildkit.parse_string(text)[1].original == "RUN <<EOF\nbody\nEOF\n"
