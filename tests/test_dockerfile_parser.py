"""The Dockerfile parser: spans, directives, comments, heredocs, flags, values and every error.

What BuildKit itself reads is checked by ``test_dockerfile_differential.py``; this file checks what
only our model has (spans, segments, comments, error messages and locations) and pathological input.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.dockerfile import heredoc_words
from mext_lint.dockerfile.heredoc_words import parse_heredoc_word, shell_words
from mext_lint.dockerfile.line_parsers import (
    _byte_flags,
    _scan_words,
    extract_builder_flags,
    parse_words,
)
from mext_lint.dockerfile.logical_line import LogicalLine
from mext_lint.dockerfile.model import Dockerfile, Instruction
from mext_lint.dockerfile.parser import parse_dockerfile
from mext_lint.spans import Span


def parse(text: str) -> Dockerfile:
    return parse_dockerfile(text, "Dockerfile")


def only(text: str, keyword: str) -> Instruction:
    [found] = [i for i in parse(text).instructions if i.keyword == keyword]
    return found


def source_at(text: str, span: Span) -> str:
    """The file text a span covers (lines joined with \\n)."""
    lines = text.split("\n")
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]
    parts = [lines[span.line - 1][span.column - 1 :]]
    parts += lines[span.line : span.end_line - 1]
    parts.append(lines[span.end_line - 1][: span.end_column - 1])
    return "\n".join(parts)


def messages(text: str) -> list[str]:
    return [issue.message for issue in parse(text).errors]


# -- spans -----------------------------------------------------------------------------------------

FLAGGED = """\
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
  COPY --from=build --chmod=755 /out/app /usr/bin/app
"""


def test_instruction_keyword_flag_and_word_spans() -> None:
    dockerfile = parse(FLAGGED)
    from_, copy = dockerfile.instructions
    assert from_.span == Span("Dockerfile", 1, 1, 1, 52)
    assert source_at(FLAGGED, from_.keyword_span) == "FROM"
    [platform] = from_.flags
    assert (platform.name, platform.value) == ("platform", "$BUILDPLATFORM")
    assert source_at(FLAGGED, platform.span) == "--platform=$BUILDPLATFORM"
    assert [source_at(FLAGGED, w.span) for w in from_.value] == ["golang:1.22", "AS", "build"]
    assert copy.keyword_span == Span("Dockerfile", 2, 3, 2, 7)
    assert [source_at(FLAGGED, f.span) for f in copy.flags] == ["--from=build", "--chmod=755"]
    assert copy.flag("chmod") is not None and copy.flag("chmod").value == "755"  # type: ignore[union-attr]
    assert copy.flag("link") is None
    assert [source_at(FLAGGED, w.span) for w in copy.value] == ["/out/app", "/usr/bin/app"]


def test_boolean_flag_without_value() -> None:
    copy = only("FROM a\nCOPY --link --link=false a b\n", "COPY")
    assert [(f.raw, f.name, f.value) for f in copy.flags] == [
        ("--link", "link", None),
        ("--link=false", "link", "false"),
    ]


def test_quoted_flag_value_is_unquoted_but_spans_the_source() -> None:
    text = 'FROM a\nRUN --mount=type=secret,id="my id" cat /s\n'
    [mount] = only(text, "RUN").flags
    assert mount.raw == "--mount=type=secret,id=my id"
    assert source_at(text, mount.span) == '--mount=type=secret,id="my id"'


CONTINUED = """\
FROM alpine
RUN apt-get update \\
    # a comment inside is skipped

    && apt-get install -y \\
        curl
"""


def test_shell_command_and_segments_across_continuations() -> None:
    run = only(CONTINUED, "RUN")
    assert run.span == Span("Dockerfile", 2, 1, 6, 13)
    assert run.command == "apt-get update     && apt-get install -y         curl"
    assert run.value[0].text == run.command
    assert [(s.offset, s.line, s.column) for s in run.command_segments] == [
        (0, 2, 5),
        (15, 5, 1),
        (41, 6, 1),
    ]
    assert run.command_span == Span("Dockerfile", 2, 5, 6, 13)


def test_every_command_character_maps_to_the_same_file_character() -> None:
    lines = CONTINUED.split("\n")
    run = only(CONTINUED, "RUN")
    segments = run.command_segments
    for index, segment in enumerate(segments):
        end = segments[index + 1].offset if index + 1 < len(segments) else len(run.command)
        for offset in range(segment.offset, end):
            column = segment.column + offset - segment.offset
            assert lines[segment.line - 1][column - 1] == run.command[offset]


def test_word_spanning_a_continuation() -> None:
    text = 'FROM a\nLABEL desc="one \\\n  two"\n'
    label = only(text, "LABEL")
    assert [w.text for w in label.value] == ["desc", '"one   two"']
    assert label.value[1].span == Span("Dockerfile", 2, 12, 3, 7)


def test_env_old_form_and_empty_value_spans() -> None:
    env = only("FROM a\nENV NAME some value\n", "ENV")
    assert [(w.text, w.span.column, w.span.end_column) for w in env.value] == [
        ("NAME", 5, 9),
        ("some value", 10, 20),
    ]
    empty = only("FROM a\nENV A=\n", "ENV")
    assert [(w.text, w.span.column, w.span.end_column) for w in empty.value] == [
        ("A", 5, 6),
        ("", 7, 7),
    ]


def test_json_form_words_span_their_string_literals() -> None:
    text = 'FROM a\nCMD [ "/service", "-socket", "a\\"b" ]\n'
    cmd = only(text, "CMD")
    assert cmd.json_form
    assert [w.text for w in cmd.value] == ["/service", "-socket", 'a"b']
    assert [source_at(text, w.span) for w in cmd.value] == ['"/service"', '"-socket"', '"a\\"b"']
    assert cmd.command == ""  # exec form: no shell command


def test_invalid_json_falls_back_to_shell_form() -> None:
    cmd = only("FROM a\nCMD [\"a\", 'b']\n", "CMD")
    assert not cmd.json_form
    assert cmd.command == "[\"a\", 'b']"


def test_columns_count_code_points() -> None:
    text = 'FROM a\nLABEL d="é🐳" x=y\n'
    label = only(text, "LABEL")
    assert label.value[2].span == Span("Dockerfile", 2, 14, 2, 15)


def test_crlf_line_endings() -> None:
    text = "FROM a\r\nRUN echo a \\\r\n  b\r\nRUN <<EOF\r\nbody\r\nEOF\r\n"
    dockerfile = parse(text)
    assert not dockerfile.errors
    _, run, heredoc_run = dockerfile.instructions
    assert run.command == "echo a   b"
    assert run.span == Span("Dockerfile", 2, 1, 3, 4)
    assert heredoc_run.heredocs[0].content == "body\r\n"
    assert heredoc_run.heredocs[0].span == Span("Dockerfile", 5, 1, 6, 4)


def test_byte_order_mark_is_skipped_in_columns() -> None:
    dockerfile = parse("\ufeffFROM a\n")
    assert dockerfile.instructions[0].keyword_span == Span("Dockerfile", 1, 2, 1, 6)


# -- directives and comments -----------------------------------------------------------------------


def test_directives_only_at_the_top() -> None:
    text = "# syntax=docker/dockerfile:1\n#  Check = skip=all \n# escape=`\nFROM a\n# escape=\\\n"
    dockerfile = parse(text)
    assert [(d.name, d.value) for d in dockerfile.directives] == [
        ("syntax", "docker/dockerfile:1"),
        ("check", "skip=all"),
        ("escape", "`"),
    ]
    assert dockerfile.escape == "`"
    assert dockerfile.directives[0].span == Span("Dockerfile", 1, 1, 1, 29)
    assert [c.text for c in dockerfile.comments] == ["escape=\\"]


def test_a_comment_or_blank_line_ends_the_directives() -> None:
    assert parse("# hello\n# escape=`\nFROM a\n").escape == "\\"
    assert parse("\n# escape=`\nFROM a\n").escape == "\\"
    assert parse("# unknown=x\n# escape=`\nFROM a\n").directives == ()


def test_backtick_escape_continues_lines_and_keeps_backslashes() -> None:
    text = "# escape=`\nFROM a\nRUN dir c:\\ `\n    && echo done\n"
    run = only(text, "RUN")
    assert run.command == "dir c:\\     && echo done"
    assert run.span.end_line == 4


def test_escaped_escape_does_not_continue() -> None:
    dockerfile = parse("FROM a\nRUN echo \\\\\nRUN echo next\n")
    assert [i.command for i in dockerfile.instructions[1:]] == ["echo \\\\", "echo next"]


def test_comments_are_recorded_outside_continuations_only() -> None:
    text = "FROM a\n  # mext-lint: ignore[MX104]\nRUN a \\\n  # inside\n  b\n#\n"
    dockerfile = parse(text)
    assert [(c.text, c.span) for c in dockerfile.comments] == [
        ("mext-lint: ignore[MX104]", Span("Dockerfile", 2, 3, 2, 29)),
        ("", Span("Dockerfile", 6, 1, 6, 2)),
    ]


def test_directive_errors() -> None:
    assert messages("# syntax=a\n# syntax=b\nFROM x\n") == [
        "only one syntax parser directive can be used"
    ]
    dockerfile = parse("# escape=x\nFROM a\n")
    assert [issue.message for issue in dockerfile.errors] == [
        "invalid escape token 'x' does not match ` or \\"
    ]
    assert dockerfile.escape == "\\"
    assert dockerfile.errors[0].span == Span("Dockerfile", 1, 1, 1, 11)


# -- heredocs --------------------------------------------------------------------------------------

HEREDOCS = """\
FROM alpine
RUN 3<<EOF cat <<-"B" x
hi
EOF
\t\tbody
\tB
COPY <<'EOT' /etc/motd
$HOME
EOT
RUN <<EOF
EOF
"""


def test_heredoc_bodies_names_and_spans() -> None:
    _, run, copy, empty = parse(HEREDOCS).instructions
    first, second = run.heredocs
    assert (first.name, first.fd, first.expand, first.strip_tabs) == ("EOF", 3, True, False)
    assert (first.content, first.first_line, first.span) == (
        "hi\n",
        3,
        Span("Dockerfile", 3, 1, 4, 4),
    )
    assert (second.name, second.fd, second.expand, second.strip_tabs) == ("B", None, False, True)
    assert second.content == "body\n"
    assert second.span == Span("Dockerfile", 5, 1, 6, 3)
    assert run.span == Span("Dockerfile", 2, 1, 6, 3)
    assert run.command == '3<<EOF cat <<-"B" x'
    assert run.original == '3<<EOF cat <<-"B" x'.join(["RUN ", ""])
    [motd] = copy.heredocs
    assert (motd.name, motd.expand, motd.content) == ("EOT", False, "$HOME\n")
    assert [w.text for w in copy.value] == ["<<'EOT'", "/etc/motd"]
    [blank] = empty.heredocs
    assert (blank.content, blank.first_line, blank.span) == (
        "",
        11,
        Span("Dockerfile", 11, 1, 11, 4),
    )


def test_heredoc_with_run_flags_and_shell() -> None:
    text = "FROM a\nRUN --mount=type=cache,target=/c <<EOT ash\n  echo $TARGETARCH\nEOT\n"
    run = only(text, "RUN")
    assert run.command == "<<EOT ash"
    assert [f.raw for f in run.flags] == ["--mount=type=cache,target=/c"]
    assert run.heredocs[0].content == "  echo $TARGETARCH\n"
    assert run.heredocs[0].expand


def test_heredoc_after_a_continued_line() -> None:
    text = "FROM a\nRUN <<EOF \\\n  sh -e\necho hi\nEOF\n"
    run = only(text, "RUN")
    assert run.command == "<<EOF   sh -e"
    assert run.heredocs[0].content == "echo hi\n"
    assert run.heredocs[0].first_line == 4


def test_json_form_and_other_instructions_have_no_heredocs() -> None:
    dockerfile = parse('FROM a\nRUN ["cat", "<<EOF"]\nLABEL x=<<EOF\n')
    assert all(i.heredocs == () for i in dockerfile.instructions)
    assert not dockerfile.errors


def test_onbuild_wraps_its_trigger_and_shares_the_heredoc() -> None:
    text = "FROM a\nONBUILD  RUN --network=none <<EOF\necho hi\nEOF\n"
    onbuild = only(text, "ONBUILD")
    inner = onbuild.inner
    assert inner is not None
    assert (inner.keyword, inner.command, inner.original) == (
        "RUN",
        "<<EOF",
        "RUN --network=none <<EOF",
    )
    assert [f.raw for f in inner.flags] == ["--network=none"]
    assert source_at(text, inner.keyword_span) == "RUN"
    assert inner.span == Span("Dockerfile", 2, 10, 4, 4)
    assert onbuild.span == Span("Dockerfile", 2, 1, 4, 4)
    assert onbuild.heredocs == inner.heredocs
    assert onbuild.heredocs[0].content == "echo hi\n"
    assert onbuild.value == ()


def test_a_quote_the_lexer_cannot_close_hides_the_heredoc_like_buildkit() -> None:
    # BuildKit's shell lexer fails on "don't", so it finds no heredoc on this line.
    assert messages("FROM a\nRUN <<EOF echo don't\nx\nEOF\n")[0].startswith(
        "unknown instruction: x"
    )


# -- errors ----------------------------------------------------------------------------------------


def test_spaced_heredoc_gives_one_error_that_names_the_cause() -> None:
    text = "FROM alpine\nRUN cat << EOF > /etc/motd\necho hello\nmore\nEOF\nRUN echo fine\n"
    dockerfile = parse(text)
    [issue] = dockerfile.errors
    assert issue.message == (
        "unknown instruction: echo (line 3 follows `<< EOF` on line 2: BuildKit does not read "
        "`<< EOF` with a space as a heredoc; write `<<EOF`)"
    )
    assert issue.span == Span("Dockerfile", 3, 1, 3, 5)
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "RUN"]


def test_spaced_heredoc_hint_ends_with_the_would_be_body() -> None:
    text = "FROM a\nRUN cat << EOF\nhello\nRUN echo real\nfrobnicate\n"
    assert messages(text) == [
        "unknown instruction: hello (line 3 follows `<< EOF` on line 2: BuildKit does not read "
        "`<< EOF` with a space as a heredoc; write `<<EOF`)",
        "unknown instruction: frobnicate",
    ]


def test_unterminated_heredoc_points_at_its_start() -> None:
    text = "FROM alpine\nRUN <<A <<B\na\nA\nb\n"
    dockerfile = parse(text)
    [issue] = dockerfile.errors
    assert issue.message == "unterminated heredoc"
    assert source_at(text, issue.span) == "<<B"
    run = dockerfile.instructions[1]
    assert [h.content for h in run.heredocs] == ["a\n", "b\n"]
    assert run.span.end_line == 5


def test_unterminated_heredoc_at_end_of_file() -> None:
    dockerfile = parse("FROM a\nRUN <<EOF")
    assert [i.message for i in dockerfile.errors] == ["unterminated heredoc"]
    assert dockerfile.instructions[1].heredocs[0].span == Span("Dockerfile", 3, 1, 3, 1)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("FROM a\nRUNN x\n", "unknown instruction: RUNN (did you mean RUN?)", 2, 1),
        ("FROM a\nfrobnicate x\n", "unknown instruction: frobnicate", 2, 1),
        (
            "FROM a\nCOPY --chmod=7 --form=b a c\n",
            "unknown flag: --form (did you mean --from?)",
            2,
            16,
        ),
        ("FROM a\nCOPY --from=x --from=y a c\n", "duplicate flag specified: --from", 2, 15),
        ("FROM a\nCOPY --from a c\n", "missing a value on flag: --from", 2, 6),
        (
            "FROM a\nCOPY --link=yes a c\n",
            "expecting boolean value for flag --link, not: yes",
            2,
            6,
        ),
        ("FROM a\nCOPY --link= a c\n", "missing a value on flag: --link", 2, 6),
        ("FROM a\nENV --x=1 a=b\n", "unknown flag: --x", 2, 5),
        (
            "FROM a\nCOPY a\n",
            "COPY requires at least two arguments, but only one was provided",
            2,
            1,
        ),
        ("FROM a\nADD a\n", "ADD requires at least two arguments", 2, 1),
        ("FROM a\nCOPY x <<EOF\ny\nEOF\n", "COPY cannot accept a heredoc as a destination", 2, 1),
        ("FROM\n", "FROM requires either one or three arguments", 1, 1),
        ("FROM a AS\n", "FROM requires either one or three arguments", 1, 1),
        ("FROM a b c\n", "FROM requires either one or three arguments", 1, 1),
        ("FROM a AS 9lives\n", 'invalid name for build stage: "9lives"', 1, 1),
        ("FROM --platform a\n", "missing a value on flag: --platform", 1, 6),
        ("FROM a\nENV A\n", "ENV must have two arguments", 2, 1),
        (
            "FROM a\nENV a=b c\n",
            'Syntax error - can\'t find = in "c". Must be of the form: name=value',
            2,
            1,
        ),
        ("FROM a\nENV\n", "ENV requires at least one argument", 2, 1),
        ("FROM a\nLABEL =v\n", "LABEL names can not be blank", 2, 1),
        ("FROM a\nARG\n", "ARG requires at least one argument", 2, 1),
        ("FROM a\nARG =v\n", "ARG names can not be blank", 2, 1),
        ('FROM a\nRUN ["a", 1]\n', "arrays must be comprised of strings only", 2, 1),
        ("FROM a\nSHELL sh -c\n", "SHELL requires the arguments to be in JSON form", 2, 1),
        ("FROM a\nSHELL []\n", "SHELL requires at least one argument", 2, 1),
        ("FROM a\nWORKDIR\n", "WORKDIR requires exactly one argument", 2, 1),
        ("FROM a\nUSER\n", "USER requires exactly one argument", 2, 1),
        ("FROM a\nEXPOSE\n", "EXPOSE requires at least one argument", 2, 1),
        ("FROM a\nVOLUME\n", "VOLUME requires at least one argument", 2, 1),
        ('FROM a\nVOLUME ["", "/x"]\n', "VOLUME specified can not be an empty string", 2, 1),
        ("FROM a\nHEALTHCHECK\n", "HEALTHCHECK requires at least one argument", 2, 1),
        ("FROM a\nHEALTHCHECK NONE x\n", "HEALTHCHECK NONE takes no arguments", 2, 1),
        ("FROM a\nHEALTHCHECK RUN x\n", 'Unknown type "RUN" in HEALTHCHECK (try CMD)', 2, 1),
        ("FROM a\nHEALTHCHECK CMD\n", "Missing command after HEALTHCHECK CMD", 2, 1),
        ("FROM a\nHEALTHCHECK --timeout=1 CMD x\n", 'time: missing unit in duration "1"', 2, 13),
        (
            "FROM a\nHEALTHCHECK --interval=1us CMD x\n",
            'Interval "interval" cannot be less than 1ms',
            2,
            13,
        ),
        ("FROM a\nHEALTHCHECK --retries=x CMD y\n", 'parsing "x": invalid syntax', 2, 13),
        ("FROM a\nHEALTHCHECK --foo=1 CMD y\n", "unknown flag: --foo", 2, 13),
        ("FROM a\nONBUILD\n", "ONBUILD requires at least one argument", 2, 1),
        (
            "FROM a\nONBUILD ONBUILD RUN x\n",
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
            2,
            1,
        ),
        ("FROM a\nONBUILD from b\n", "FROM isn't allowed as an ONBUILD trigger", 2, 1),
        ("FROM a\nONBUILD ENV x\n", "ENV must have two arguments", 2, 1),
        ("RUN x\nFROM a\n", "no build stage in current context", 1, 1),
        ("ARG A\n", "dockerfile contains no stages to build", 1, 1),
    ],
)
def test_error_messages_and_locations(text: str, message: str, line: int, column: int) -> None:
    [issue] = parse(text).errors
    assert message in issue.message
    assert (issue.span.line, issue.span.column) == (line, column)


def test_accepted_forms_raise_no_error() -> None:
    text = """\
FROM --platform=$BUILDPLATFORM alpine AS Build.stage-1
ARG A B=2
ENV X=1
STOPSIGNAL --ignored SIGTERM
HEALTHCHECK --interval=1m30s --timeout=0 --start-period=1.5s --retries=3 CMD true
HEALTHCHECK --bogus NONE
COPY --parents --exclude=*.md --exclude=*.txt --chown=1:1 . /src/
ADD --checksum=sha256:00 --keep-git-dir --unpack=false --link https://x/y.tar /y
RUN --mount=type=cache,target=/a --mount=type=tmpfs,target=/b --network=none -- echo ok
VOLUME ["/data"] /y
"""
    assert messages(text) == []


def test_unknown_instructions_are_not_kept_but_known_invalid_ones_are() -> None:
    dockerfile = parse("FROM a\nFOO bar\nCOPY onlyone\n")
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "COPY"]
    assert len(dockerfile.errors) == 2


def test_problems_do_not_stop_the_parse() -> None:
    dockerfile = parse("# escape=?\nFROM a\nFOO\nRUN <<EOF echo\nbody\nEOF\nENV bad\nCMD x\n")
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "ENV", "CMD"]
    assert [issue.span.line for issue in dockerfile.errors] == [1, 3, 7]


# -- pathological input ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only\n# comments\n", "   \n\t\n"])
def test_nothing_to_build(text: str) -> None:
    dockerfile = parse(text)
    assert dockerfile.instructions == ()
    assert [issue.message for issue in dockerfile.errors] == ["file with no instructions"]
    assert dockerfile.errors[0].span == Span.point("Dockerfile", 1, 1)


def test_a_lone_continuation_is_an_empty_instruction() -> None:
    dockerfile = parse("\\\n")
    assert dockerfile.instructions == ()
    assert [issue.message for issue in dockerfile.errors] == [
        "unknown instruction: (empty: only line continuations)"
    ]


def test_nul_bytes_are_ordinary_characters() -> None:
    dockerfile = parse("FROM a\x00b\nRUN echo \x00 <<E\x00\n\x00\nE\x00\n")
    assert dockerfile.instructions[0].value[0].text == "a\x00b"
    assert dockerfile.instructions[1].heredocs[0].content == "\x00\n"
    assert not dockerfile.errors


def test_a_line_longer_than_buildkit_reads_stops_the_parse() -> None:
    fits = "FROM a\nRUN " + "x" * (65535 - 4) + "\n"
    assert not parse(fits).errors
    too_long = "FROM a\nRUN " + "é" * 40000 + "\nRUN next\n"  # 80004 bytes of UTF-8
    dockerfile = parse(too_long)
    assert [issue.message for issue in dockerfile.errors] == [
        "dockerfile line greater than max allowed size of 65535"
    ]
    assert dockerfile.errors[0].span.line == 2
    assert [i.keyword for i in dockerfile.instructions] == ["FROM"]


def test_twenty_thousand_lines_parse() -> None:
    # How fast is measured by bench/run.py, not asserted here.
    block = [
        "RUN apt-get update && \\\n    apt-get install -y curl \\\n    # note\n    && true",
        'LABEL com.docker.extension.screenshots="[{\\"alt\\": \\"x\\"}]" b=c',
        "RUN <<EOF\necho $TARGETARCH\nEOF",
        "COPY --from=build --chmod=755 /out/a /usr/bin/a",
    ]
    text = "FROM alpine\n" + "\n".join(block * 2223) + "\n"
    assert text.count("\n") >= 20000
    dockerfile = parse(text)
    assert len(dockerfile.instructions) == 1 + 4 * 2223
    assert not dockerfile.errors


@pytest.mark.parametrize(
    "text",
    [
        "FROM a\nRUN " + "[" * 30000 + "]" * 30000 + "\n",  # deep JSON nesting
        "FROM a\nRUN <<EOF " + "${a:-" * 5000 + "}" * 5000 + "\nEOF\n",  # deep ${ nesting
        "FROM a\nRUN <<EOF " + '"' * 60000 + "\nEOF\n",  # a quote that never closes
        "# a=x" + " " * 60000 + "y\nFROM a\n",  # directive regex backtracking trap
        "FROM a\nRUN " + "<<" * 30000 + "\n",
        'FROM a\nLABEL a="' + 'x\\"' * 20000 + '"\n',
        'FROM a\nRUN --mount="' + "a" * 60000 + '" x\n',
        "FROM a\nRUN a\\\n" + "\\\n" * 50000 + "b\n",
        "FROM a\nRUN <<EOF\n" + "x\n" * 100000,
    ],
)
def test_pathological_lines_parse(text: str) -> None:
    # They must not take the parser down; bench/run.py measures how long they take.
    assert parse(text).path == "Dockerfile"


DOCKERFILE_PIECES = st.sampled_from(
    [
        "FROM ", "RUN ", "COPY ", "ADD ", "ENV ", "LABEL ", "ARG ", "ONBUILD ", "HEALTHCHECK ",
        "CMD ", "SHELL ", "--mount=type=cache,target=/x ", "--from=a ", "<<EOF", "<<-E ", "3<<X",
        "<< EOF", "EOF", "\tE", "X", "\n", "\r\n", "\\\n", "`\n", "# escape=`\n", "# c\n", "'",
        '"', "$", "${", "}", "[", "]", '["a", "b"]', "a=b ", "=", " ", "\t", "é", "\x00", "\ufeff",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(DOCKERFILE_PIECES, max_size=40).map("".join))
def test_never_raises_and_segments_point_at_the_command(text: str) -> None:
    dockerfile = parse(text)
    lines = text.split("\n")
    for instruction in dockerfile.instructions:
        for target in (instruction, instruction.inner):
            if target is None or not target.command:
                continue
            segments = target.command_segments
            for index, segment in enumerate(segments):
                end = (
                    segments[index + 1].offset if index + 1 < len(segments) else len(target.command)
                )
                line = lines[segment.line - 1]
                column = segment.column - 1
                assert (
                    line[column : column + end - segment.offset]
                    == target.command[segment.offset : end]
                )
    for issue in dockerfile.errors:
        assert issue.span.line >= 1 and issue.span.column >= 1


# The line parsers read ordinary text with regular expressions; each shortcut must agree with the
# character-by-character (for flags: byte-by-byte) loop that handles everything else.
_WORD_CHARACTERS = st.sampled_from([*"ab= \t\"'\\`-", "--", "\xa0", "\x85", "é", "\u2028", "\x00"])
_WORD_TEXTS = st.lists(_WORD_CHARACTERS, max_size=16).map("".join)


@given(_WORD_TEXTS, st.sampled_from(["\\", "`"]))
def test_parse_words_shortcuts_agree_with_the_loop(text: str, escape: str) -> None:
    line = "LABEL " + text + " "
    assert parse_words(line, 6, len(line), escape) == _scan_words(line, 6, len(line), escape)
    assert parse_words(line, 6, len(line) - 1, escape) == _scan_words(
        line, 6, len(line) - 1, escape
    )


@given(_WORD_TEXTS)
def test_flag_shortcut_agrees_with_the_byte_loop(text: str) -> None:
    line = "COPY --" + text
    assert extract_builder_flags(line, 5, len(line)) == _byte_flags(line, 5, len(line))


@given(st.lists(st.sampled_from([*"<-3EOF \"'\\$`{}é\xa0"]), max_size=10).map("".join))
def test_plain_heredoc_word_shortcut_agrees_with_the_lexer(word: str) -> None:
    with mock.patch.object(heredoc_words, "_PLAIN", re.compile("(?!)")):
        general = parse_heredoc_word(word)
    assert parse_heredoc_word(word) == general


@pytest.mark.parametrize(
    ("instruction", "content", "terminated"),
    [
        ('RUN <<-"\tE" x\n\tE\n\t\tE\n', "E\nE\n", False),  # <<- strips the tab the name needs
        ('RUN <<"\tE" x\n\t\tE\n\tE\n', "\t\tE\n", True),
        ('RUN <<"E\r" x\nE\r\nE\n', "E\r\nE\n", False),  # a trimmed line never ends in "\r"
        ("RUN <<-E x\n\t\tE\r\r\n", "", True),
        ("RUN <<E.F x\nEXF\nE.F\n", "EXF\n", True),  # the name is text, not a pattern
    ],
)
def test_heredoc_terminator_lines(instruction: str, content: str, terminated: bool) -> None:
    dockerfile = parse("FROM a\n" + instruction)
    assert dockerfile.instructions[1].heredocs[0].content == content
    assert bool(dockerfile.errors) is not terminated


def test_continuation_skips_lines_blank_or_commented_for_go_only() -> None:
    # U+00A0 and U+3000 are Go spaces; U+001C is not (though Python's str.isspace says it is).
    dockerfile = parse("FROM a\nRUN a \\\n\xa0\u3000\n\u3000# x\n\x1c\\\nb\n")
    run = dockerfile.instructions[1]
    assert run.command == "a \x1cb"
    assert run.span == Span("Dockerfile", 2, 1, 6, 2)
    assert not dockerfile.errors


_LEXER_PIECES = st.sampled_from(
    [
        *"ab \t\"'\\`${}:-/#%=\xa0é\x1c",
        "<<EOF",
        "${a:-",
        "${a/",
        "$a",
        '<<-"E"',
        "3<<",
        '"${',
        '"$"',
    ]
)


@given(st.lists(_LEXER_PIECES, max_size=14).map("".join))
def test_heredoc_lexer_shortcuts_agree_with_the_character_by_character_lexer(line: str) -> None:
    fast = [
        shell_words(line, raw_quotes=raw_quotes, raw_escapes=raw_escapes)
        for raw_quotes in (True, False)
        for raw_escapes in (True, False)
    ]
    never = re.compile("(?!)")
    with (
        mock.patch.object(heredoc_words, "_PLAIN", never),
        mock.patch.object(heredoc_words, "_QUOTED", never),
        mock.patch.object(heredoc_words, "_plain_run", lambda stop: never),
    ):
        slow = [
            shell_words(line, raw_quotes=raw_quotes, raw_escapes=raw_escapes)
            for raw_quotes in (True, False)
            for raw_escapes in (True, False)
        ]
    assert fast == slow


def _terminator_by_regex(text: str, name: str, strip_tabs: bool) -> int | None:
    """The first definition: the end of a heredoc body found by a regular expression."""
    tabs = "\t*+" if strip_tabs else ""
    pattern = re.compile(f"^{tabs}{re.escape(name)}(?<!\r)\r*$", re.MULTILINE)
    body_start = text.find("\n")
    found = None if body_start < 0 else pattern.search(text, body_start + 1)
    return None if found is None else text.count("\n", 0, found.start())


_BODY_LINES = st.lists(
    st.lists(st.sampled_from(["E", "F", "\t", "\r", " "]), max_size=4).map("".join),
    max_size=6,
)


@settings(max_examples=300)
@given(
    st.sampled_from(["E", "EF", "'E'", '"E\rF"', "'\tE'", '"E\r"', "'E\r\r'"]),
    st.booleans(),
    _BODY_LINES,
    st.booleans(),
)
def test_heredoc_terminator_agrees_with_the_regex(
    name: str, strip_tabs: bool, body: list[str], final_newline: bool
) -> None:
    text = "\n".join([f"RUN <<{'-' if strip_tabs else ''}{name}", *body]) + (
        "\n" if final_newline else ""
    )
    dockerfile = parse(text)
    [run] = dockerfile.instructions
    [heredoc] = run.heredocs
    found = _terminator_by_regex(text, heredoc.name, strip_tabs)
    terminated = "unterminated heredoc" not in [error.message for error in dockerfile.errors]
    assert terminated == (found is not None)
    if found is not None:
        assert run.span.end_line == found + 1


@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=4),
    st.integers(0, 14),
    st.integers(0, 14),
)
def test_logical_line_spans_follow_the_character_positions(
    lengths: list[int], start: int, end: int
) -> None:
    pieces: list[tuple[int, int, int]] = []
    offset = 0
    for index, length in enumerate(lengths):
        pieces.append((offset, index + 2, index * 3 + 1))
        offset += length
    logical = LogicalLine("D", "x" * offset, pieces, (9, 9))
    first = logical.position(start)
    if end <= start:
        expected = Span("D", *first, *first)
    else:
        last_line, last_column = logical.position(end - 1)
        expected = Span("D", *first, last_line, last_column + 1)
    assert logical.span(start, end) == expected
