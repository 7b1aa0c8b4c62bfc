from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mext_lint.dockerfile import expand as expand_module
from mext_lint.dockerfile.expand import MAX_NESTING, Env, ExpansionError, expand, expand_words

# BuildKit's frontend/dockerfile/shell/envVarTest (Unix and all-platform lines), run with
# PWD=/home SHELL=bash KOREAN=한국어 NULL= as lex_test.go does. Format: source | expected.
ENV_VAR_TEST = r"""
hello                    |     hello
he'll'o                  |     hello
he'llo                   |     error
he\'llo                  |     he'llo
he\\'llo                 |     error
abc\tdef                 |     abctdef
"abc\tdef"               |     abc\tdef
"abc\\tdef"              |     abc\tdef
'abc\tdef'               |     abc\tdef
hello\                   |     hello
hello\\                  |     hello\
"hello                   |     error
"hello\"                 |     error
"hel'lo"                 |     hel'lo
'hello                   |     error
'hello\'                 |     hello\
'hello\there'            |     hello\there
'hello\\there'           |     hello\\there
"''"                     |     ''
$.                       |     $.
$1                       |
he$1x                    |     hex
he$.x                    |     he$.x
he$pwd.                  |     he.
he$PWD                   |     he/home
he\$PWD                  |     he$PWD
he\\$PWD                 |     he\/home
"he\$PWD"                |     he$PWD
"he\\$PWD"               |     he\/home
\${}                     |     ${}
\${}aaa                  |     ${}aaa
he\${}                   |     he${}
he\${}xx                 |     he${}xx
${}                      |     error
${}aaa                   |     error
he${}                    |     error
he${}xx                  |     error
he${hi}                  |     he
he${hi}xx                |     hexx
he${PWD}                 |     he/home
he${.}                   |     error
he${XXX:-000}xx          |     he000xx
he${PWD:-000}xx          |     he/homexx
he${XXX:-$PWD}xx         |     he/homexx
he${XXX:-${PWD:-yyy}}xx  |     he/homexx
he${XXX:-${YYY:-yyy}}xx  |     heyyyxx
he${XXX:YYY}             |     error
he${XXX:+${PWD}}xx       |     hexx
he${PWD:+${XXX}}xx       |     hexx
he${PWD:+${SHELL}}xx     |     hebashxx
he${XXX:+000}xx          |     hexx
he${PWD:+000}xx          |     he000xx
'he${XX}'                |     he${XX}
"he${PWD}"               |     he/home
"he'$PWD'"               |     he'/home'
"$PWD"                   |     /home
'$PWD'                   |     $PWD
'\$PWD'                  |     \$PWD
'"hello"'                |     "hello"
he\$PWD                  |     he$PWD
"he\$PWD"                |     he$PWD
'he\$PWD'                |     he\$PWD
he${PWD                  |     error
he${PWD:=000}xx          |     error
he${PWD:+${PWD}:}xx      |     he/home:xx
he${XXX:-\$PWD:}xx       |     he$PWD:xx
he${XXX:-\${PWD}z}xx     |     he${PWDz}xx
안녕하세요                 |     안녕하세요
안'녕'하세요               |     안녕하세요
안'녕하세요                |     error
안녕\'하세요               |     안녕'하세요
안\\'녕하세요              |     error
안녕\t하세요               |     안녕t하세요
"안녕\t하세요"             |     안녕\t하세요
'안녕\t하세요              |     error
안녕하세요\                |     안녕하세요
안녕하세요\\               |     안녕하세요\
"안녕하세요                |     error
"안녕하세요\"              |     error
"안녕'하세요"              |     안녕'하세요
'안녕하세요                |     error
'안녕하세요\'              |     안녕하세요\
안녕$1x                    |     안녕x
안녕$.x                    |     안녕$.x
안녕$pwd.                  |     안녕.
안녕$PWD                   |     안녕/home
안녕\$PWD                  |     안녕$PWD
안녕\\$PWD                 |     안녕\/home
안녕\${}                   |     안녕${}
안녕\${}xx                 |     안녕${}xx
안녕${}                    |     error
안녕${}xx                  |     error
안녕${hi}                  |     안녕
안녕${hi}xx                |     안녕xx
안녕${PWD}                 |     안녕/home
안녕${.}                   |     error
안녕${XXX:-000}xx          |     안녕000xx
안녕${PWD:-000}xx          |     안녕/homexx
안녕${XXX:-$PWD}xx         |     안녕/homexx
안녕${XXX:-${PWD:-yyy}}xx  |     안녕/homexx
안녕${XXX:-${YYY:-yyy}}xx  |     안녕yyyxx
안녕${XXX:YYY}             |     error
안녕${XXX:+${PWD}}xx       |     안녕xx
안녕${PWD:+${XXX}}xx       |     안녕xx
안녕${PWD:+${SHELL}}xx     |     안녕bashxx
안녕${XXX:+000}xx          |     안녕xx
안녕${PWD:+000}xx          |     안녕000xx
'안녕${XX}'                |     안녕${XX}
"안녕${PWD}"               |     안녕/home
"안녕'$PWD'"               |     안녕'/home'
'"안녕"'                   |     "안녕"
안녕\$PWD                  |     안녕$PWD
"안녕\$PWD"                |     안녕$PWD
'안녕\$PWD'                |     안녕\$PWD
안녕${PWD                  |     error
안녕${PWD:=000}xx          |     error
안녕${PWD:+${PWD}:}xx      |     안녕/home:xx
안녕${XXX:-\$PWD:}xx       |     안녕$PWD:xx
안녕${XXX:-\${PWD}z}xx     |     안녕${PWDz}xx
$KOREAN                    |     한국어
안녕$KOREAN                |     안녕한국어
${{aaa}                   |     error
${aaa}}                   |     }
${aaa                     |     error
${{aaa:-bbb}              |     error
${aaa:-bbb}}              |     bbb}
${aaa:-bbb                |     error
${aaa:-bbb}               |     bbb
${aaa:-${bbb:-ccc}}       |     ccc
${aaa:-bbb ${foo}         |     error
${aaa:-bbb {foo}          |     bbb {foo
${:}                      |     error
${:-bbb}                  |     error
${:+bbb}                  |     error
he${NULL:-000}xx          |     he000xx
he${NULL-000}xx           |     hexx
he${NULL:+alt}xx          |     hexx
he${NULL+alt}xx           |     healtxx
he${NULL?}xx              |     hexx
he${NULL:?}xx             |     error
he${XXX?}xx               |     error
he${PWD?}                 |     he/home
$$                        |
"""

LEX_TEST_ENV = {"PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""}


def _table(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.strip("\n").splitlines():
        source, expected = line.split("|")
        rows.append((source.strip(), expected.strip()))
    return rows


@pytest.mark.parametrize(("source", "expected"), _table(ENV_VAR_TEST))
def test_buildkit_env_var_table(source: str, expected: str) -> None:
    if expected == "error":
        with pytest.raises(ExpansionError):
            expand(source, LEX_TEST_ENV)
    else:
        assert expand(source, LEX_TEST_ENV) == expected


# lex_test.go TestProcessWithMatches: (input, env, expected or None for an error)
PROCESS_WITH_MATCHES: list[tuple[str, dict[str, str | None], str | None]] = [
    ("x", {"DUMMY": "dummy"}, "x"),
    ("x ${UNUSED}", {"DUMMY": "dummy"}, "x "),
    ("x ${FOO}", {"FOO": "y"}, "x y"),
    ("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", {"FOO": "xxx", "BAR": ""}, "xxx  ccc"),
    ("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", {"FOO": "xxx", "BAR": ""}, "xxx bbb ccc"),
    ("${FOO:-}", {"FOO": "xxx", "BAR": ""}, "xxx"),
    ("${FOO:-}", {}, ""),
    ("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", {"FOO": "xxx", "BAR": ""}, "aaa bbb "),
    ("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", {"FOO": "xxx", "BAR": ""}, "aaa  "),
    ("${FOO?aaa}", {"FOO": "xxx", "BAR": ""}, "xxx"),
    ("${BAR?bbb}", {"FOO": "xxx", "BAR": ""}, ""),
    ("${BAZ?ccc}", {"FOO": "xxx", "BAR": ""}, None),
    ("${FOO:?aaa}", {"FOO": "xxx", "BAR": ""}, "xxx"),
    ("${BAR:?bbb}", {"FOO": "xxx", "BAR": ""}, None),
    ("${BAZ:?ccc}", {"FOO": "xxx", "BAR": ""}, None),
    ("${BAZ:?}", {"FOO": "xxx", "BAR": ""}, None),
    ("${FOO=aaa}", {"FOO": "xxx", "BAR": ""}, None),
    ("${FOO=:aaa}", {"FOO": "xxx", "BAR": ""}, None),
    ("${FOO=}", {}, None),
    ("${FOO#()[]{\\}^$.\\*\\?|\\\\}", {"FOO": "()[]{}^$.*?|\\x"}, "x"),
    ("${FOO%%\\**}", {"FOO": "xx**"}, "xx"),
    ("${FOO#*x*y}", {"FOO": "xxyy"}, "y"),
    ("${FOO#*}", {"FOO": "xxyy"}, "xxyy"),
    ("${FOO#$BAR}", {"FOO": "xxyy", "BAR": "x"}, "xyy"),
    ("${FOO#$BAR}", {"FOO": "xxyy", "BAR": ""}, "xxyy"),
    ("${FOO#}", {"FOO": "xxyy"}, "xxyy"),
    ("${FOO##*x}", {"FOO": "xxyy"}, "yy"),
    ("${FOO##}", {"FOO": "xxyy"}, "xxyy"),
    ("${FOO#?\\?}", {"FOO": "???y"}, "?y"),
    ("${ABC:-.}${FOO%x}${ABC:-.}", {"FOO": "xxyy"}, ".xxyy."),
    ("${FOO%%\\**\\*}", {"FOO": "a***yy*"}, "a"),
    ("${FOO%}", {"FOO": "xxyy"}, "xxyy"),
    ("${FOO%%$BAR}", {"FOO": "xxyy", "BAR": ""}, "xxyy"),
    (
        "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
        {"FOO": "/foo*/*/*.txt", "NEEDLE": "\\*/"},
        "/foo.*/*.txt - /foo..*.txt",
    ),
    (
        "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
        {"FOO": "/tmp/tmp/bar.txt", "NEEDLE": "/tmp"},
        "/tmp/bar.txt - /bar.txt",
    ),
    (
        "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
        {"FOO": "/a/foo/b/c.txt", "NEEDLE": "/?/", "REPLACEMENT": "/"},
        "/foo/b/c.txt - /foo/c.txt",
    ),
    (
        "${FOO/$NEEDLE/$REPLACEMENT}",
        {"FOO": "http://google.de", "NEEDLE": "http://", "REPLACEMENT": "https://"},
        "https://google.de",
    ),
    ("${FOO//\\//\\/}", {"FOO": "/tmp/foo.txt"}, "\\/tmp\\/foo.txt"),
    ("${FOO/$BAR/ww}", {"FOO": "xxyy", "BAR": ""}, "wwxxyy"),
    ("${FOO//ww}", {"FOO": "xxyy"}, None),
    ("${FOO//}", {"FOO": "xxyy"}, None),
    ("${FOO///}", {"FOO": "xxyy"}, "xxyy"),
    ("${FOO///}", {}, ""),
]


@pytest.mark.parametrize(("source", "env", "expected"), PROCESS_WITH_MATCHES)
def test_buildkit_process_with_matches(
    source: str, env: dict[str, str | None], expected: str | None
) -> None:
    if expected is None:
        with pytest.raises(ExpansionError):
            expand(source, env)
    else:
        assert expand(source, env) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"VERSION": "v1.2.3", "TARGETOS": "linux", "TARGETARCH": "arm", "TARGETVARIANT": "v7"},
            "something-v1.2.3.linux-arm-v7.tar.gz",
        ),
        (
            {"VERSION": "v1.2.3", "TARGETOS": "linux", "TARGETARCH": "arm64", "TARGETVARIANT": ""},
            "something-v1.2.3.linux-arm64.tar.gz",
        ),
        (
            {"VERSION": "v1.2.3", "TARGETOS": "linux", "TARGETARCH": "arm64"},
            "something-v1.2.3.linux-arm64.tar.gz",
        ),
    ],
)
def test_buildkit_release_file_name(env: dict[str, str | None], expected: str) -> None:
    release = (
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz"
    )
    assert expand(release, env) == expected


def test_mandatory_message_is_expanded_and_reported() -> None:
    with pytest.raises(ExpansionError, match="message herex") as info:
        expand("${VAR:?message here$ARG}", {"VAR": "", "ARG": "x"})
    assert info.value.reason == "VAR: message herex"
    assert info.value.word == "${VAR:?message here$ARG}"
    with pytest.raises(ExpansionError, match="VAR: is not allowed to be unset"):
        expand("${VAR?}", {})
    with pytest.raises(ExpansionError, match="VAR: is not allowed to be empty"):
        expand("${VAR:?}", {"VAR": ""})


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        # Go's ReplaceAllString: an empty match right after a match is skipped...
        ("${V//*/-}", {"V": "abc"}, "-"),
        ("${V///-}", {"V": "ab"}, "-a-b-"),
        ("${V//x*/-}", {"V": "abxd"}, "ab-"),
        # ...and $0 in the (escaped) replacement is the whole match, other names are empty.
        ("${V//b/<\\$0>}", {"V": "abc"}, "a<\\b>c"),
        ("${V//b/[\\$1\\$$]}", {"V": "abc"}, "a[\\\\$]c"),
        ("${V//b/[\\${0\\}]}", {"V": "abc"}, "a[\\${0\\}]c"),  # malformed: kept
        # the first-match form does not expand the template
        ("${V/b/\\$0}", {"V": "abc"}, "a\\$0c"),
        ("${V%.*}", {"V": "file.tar.gz"}, "file.tar"),
        ("${V%%.*}", {"V": "file.tar.gz"}, "file"),
        ("${V#*/}", {"V": "a/b/c"}, "b/c"),
        ("${V##*/}", {"V": "a/b/c"}, "c"),
        ("${V:#a}", {"V": "abc"}, "bc"),
        ("${V#[a]}", {"V": "[a]bc"}, "bc"),
        ("${V:-\"a b\"'c'}", {}, "a bc"),
        ("${V:-x\\}y}", {}, "x}y"),
        ("${V#\\}}", {"V": "}x"}, "x"),
        ("$", {}, "$"),
        ("a$ b", {}, "a$ b"),
        ("$12x", {"12": "twelve"}, "twelvex"),
        ("${#}", {}, ""),
        ("$안녕!", {"안녕": "hi"}, "hi!"),
    ],
)
def test_modifiers_and_edge_cases(source: str, env: Env, expected: str) -> None:
    assert expand(source, env) == expected


@pytest.mark.parametrize(
    "source",
    ["${V#\\x}", "${V%\\}", "${V/\\a/b}", "${V:/a/b}", "${V", "${V:", "${V:-", "${V/a", "${V/a/b"],
)
def test_errors_are_expansion_errors(source: str) -> None:
    with pytest.raises(ExpansionError):
        expand(source, {"V": "value"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("he`$PWD", "he$PWD"),
        ("c:\\windows\\$PWD", "c:\\windows\\/home"),
        ('"a`"b"', 'a"b'),
        ('"a`b"', "a`b"),
        ("a``b", "a`b"),
        ("end`", "end"),
        ("${V:-x`}y}", "x}y"),
    ],
)
def test_backtick_escape(source: str, expected: str) -> None:
    assert expand(source, {"PWD": "/home"}, escape="`") == expected


# wordsTest, with the environment each block declares; "error" stands for an ExpansionError.
WORDS_SPACE = {"hi": "hi", "space": "abc  def", "leading": "  ab c", "trailing": "ab c   "}


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        ("hello", {}, ["hello"]),
        ("hello${hi}bye", {}, ["hellobye"]),
        ("hello${hi}bye", WORDS_SPACE, ["hellohibye"]),
        ("hello${space}bye", WORDS_SPACE, ["helloabc", "defbye"]),
        ('hello"${space}"bye', WORDS_SPACE, ["helloabc  defbye"]),
        ('hello "${space}"bye', WORDS_SPACE, ["hello", "abc  defbye"]),
        ("hello${leading}def", WORDS_SPACE, ["hello", "ab", "cdef"]),
        ('hello"${leading}" def', WORDS_SPACE, ["hello  ab c", "def"]),
        ('hello"${leading}"', WORDS_SPACE, ["hello  ab c"]),
        ("hello${leading}", WORDS_SPACE, ["hello", "ab", "c"]),
        ("hello${trailing}", WORDS_SPACE, ["helloab", "c"]),
        ("hello${trailing}d", WORDS_SPACE, ["helloab", "c", "d"]),
        ('hello"${trailing}"d', WORDS_SPACE, ["helloab c   d"]),
        ('hel"lo${trailing}"', WORDS_SPACE, ["helloab c   "]),
        ('hello" there  "', {}, ["hello there  "]),
        ("hello there     ", {}, ["hello", "there"]),
        ("hello\\ there", {}, ["hello there"]),
        ('hello" there', {}, "error"),
        ('hello\\" there', {}, ['hello"', "there"]),
        ('"" a', {}, ["a"]),
        ("${E:-'a b'} c", {}, ["a", "b", "c"]),
        ("  ", {}, []),
    ],
)
def test_buildkit_words_table(source: str, env: Env, expected: list[str] | str) -> None:
    if expected == "error":
        with pytest.raises(ExpansionError):
            expand_words(source, env)
    else:
        assert expand_words(source, env) == expected


UNKNOWN: dict[str, str | None] = {"U": None, "K": "v", "E": ""}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("$U", None),
        ("a${U}b", None),
        ("${U:-d}", None),
        ("${U-d}", None),
        ("${U+x}", "x"),  # declared, so set whatever its value
        ("${U:+x}", None),  # "" or "x" depending on the value
        ("${U:+}", ""),
        ("${U?m}", None),
        ("${U:?m}", None),  # may fail the build; not known to
        ("${U#*}", None),
        ("${U/a/b}", None),
        ("${K:-$U}", "v"),
        ("${E:-$U}", None),
        ("${NOPE:-$U}", None),
        ("${K+$U}", None),
        ("${E:+$U}", ""),
        ("${K#$U}", None),
        ("${E#$U}", ""),
        ("${K/x/$U}", "v"),
        ("${K/v/$U}", None),
        ("${K/$U/x}", None),
        ("'$U'", "$U"),
        ('"$U"', None),
        ("\\$U", "$U"),
    ],
)
def test_unknown_values(source: str, expected: str | None) -> None:
    assert expand(source, UNKNOWN) == expected


def test_unknown_value_still_reports_syntax_errors() -> None:
    with pytest.raises(ExpansionError, match="missing"):
        expand("$U ${", UNKNOWN)
    with pytest.raises(ExpansionError, match="invalid pattern"):
        expand("${U#\\x}", UNKNOWN)
    with pytest.raises(ExpansionError, match="NOPE: is not allowed to be unset"):
        expand("${NOPE?$U}", UNKNOWN)


def test_unknown_words() -> None:
    assert expand_words("a $U", UNKNOWN) is None
    assert expand_words("a ${K:-$U} 'x y'", UNKNOWN) == ["a", "v", "x y"]


def test_nesting_is_bounded() -> None:
    allowed = "${A:-" * (MAX_NESTING - 1) + "x" + "}" * (MAX_NESTING - 1)
    assert expand(allowed, {}) == "x"
    too_deep = "${A:-" * 10_000 + "x" + "}" * 10_000
    with pytest.raises(ExpansionError, match="nested deeper"):
        expand(too_deep, {})


def test_long_input() -> None:
    # How fast is measured by bench/run.py, not asserted here.
    source = "${A:-x} \"$B\" \\$ 'c' " * 20_000
    words = expand_words(source, {"B": "b"})
    assert words is not None
    assert len(words) == 4 * 20_000
    assert words[:4] == ["x", "b", "$", "c"]


def test_escape_must_be_one_character() -> None:
    with pytest.raises(ValueError, match="one character"):
        expand("x", {}, escape="")


_ALPHABET = st.sampled_from([*"$ {}:-+?#%/*\\'\"`aZ_1.\t\n", "U", "K", "E", "안"])
_SOURCES = st.lists(_ALPHABET, max_size=40).map("".join)


@given(_SOURCES)
def test_any_input_either_expands_or_raises_expansion_error(source: str) -> None:
    outcomes: list[bool | str] = []
    for fn in (expand, expand_words):
        try:
            outcomes.append(fn(source, UNKNOWN) is None)
        except ExpansionError:
            outcomes.append("error")
    # both entry points parse the same way and see the same unknowns
    assert outcomes[0] == outcomes[1]


@given(_SOURCES)
def test_known_environment_never_gives_unknown(source: str) -> None:
    with contextlib.suppress(ExpansionError):
        assert expand(source, {"K": "v", "E": ""}) is not None


# The lexer reads common tokens whole with regular expressions (and is skipped for text with
# nothing to expand); without them it takes every character one at a time, as BuildKit does.
_ANY_CHARACTER = re.compile("(?P<other>.)", re.DOTALL)
_NOTHING = re.compile("(?!)")


_SHORTCUT_NAMES = st.sampled_from(["K", "E", "S", "U", "X", "안", "Ké", "K²", "_1", "1", "#", ""])
_SHORTCUT_REFERENCES = st.builds(
    lambda brace, name, modifier, word: ("${" if brace else "$") + name + modifier + word,
    st.booleans(),
    _SHORTCUT_NAMES,
    st.sampled_from(["}", "-", ":-", "+", ":+", "?", ":?", "#", "##", "%", ":#", ":%", "/", ":"]),
    st.sampled_from(["", "}", "x}", "a b}", "$K}", "'q'}", "\\}", "`}", "*}", "x"]),
)
_SHORTCUT_ALPHABET = st.one_of(
    st.sampled_from([*"$ {}:-\\'\"`aZ_1.\t\xa0\x1c", "K", "S", "안", "é", "²"]),
    _SHORTCUT_REFERENCES,
)
_SHORTCUT_ENV: dict[str, str | None] = {"U": None, "K": "v", "E": "", "S": " a\xa0 b\t", "안": "k"}


def _fast(source: str, env: Env, escape: str) -> tuple[object, object]:
    return _outcome(expand, source, env, escape), _outcome(expand_words, source, env, escape)


def _slow(source: str, env: Env, escape: str) -> tuple[object, object]:
    with (
        mock.patch.object(expand_module, "_tokens", lambda stop, escape: _ANY_CHARACTER),
        mock.patch.object(expand_module, "_quoted_tokens", lambda escape: _NOTHING),
    ):
        return (
            _outcome(_lexer_expand, source, env, escape),
            _outcome(_lexer_expand_words, source, env, escape),
        )


def _lexer_expand(source: str, env: Env, *, escape: str) -> str | None:
    return expand_module._Lexer(source, env, escape).expand()


def _lexer_expand_words(source: str, env: Env, *, escape: str) -> list[str] | None:
    return expand_module._Lexer(source, env, escape).expand_words()


def _outcome(fn: Callable[..., object], source: str, env: Env, escape: str) -> object:
    try:
        return fn(source, env, escape=escape)
    except ExpansionError as error:
        return error.reason


@given(st.lists(_SHORTCUT_ALPHABET, max_size=12).map("".join))
def test_shortcuts_agree_with_the_character_by_character_lexer(source: str) -> None:
    for escape in ("\\", "`"):
        for env in (_SHORTCUT_ENV, {}):
            assert _fast(source, env, escape) == _slow(source, env, escape)


@pytest.mark.parametrize("depth", range(MAX_NESTING - 2, MAX_NESTING + 2))
@pytest.mark.parametrize("innermost", ["x", "${B:-y}", "${B#y}", '"${B+q}"', "$B"])
def test_shortcuts_keep_the_nesting_limit(depth: int, innermost: str) -> None:
    source = "${A:-" * depth + innermost + "}" * depth
    assert _fast(source, {}, "\\") == _slow(source, {}, "\\")


@pytest.mark.parametrize("escape", ["\\", "`"])
@pytest.mark.parametrize(
    "template",
    ['"a\\"b\\$c\\\\d\\e"', '${K#"\\""}', '${K%"\\$"}', '${K/"\\\\"/"\\""}', '${K:-"\\""}'],
)
def test_escapes_in_double_quotes_agree_with_the_lexer(template: str, escape: str) -> None:
    source = template.replace("\\", escape)
    for env in ({"K": '"$\\`v'}, {}):
        assert _fast(source, env, escape) == _slow(source, env, escape)
