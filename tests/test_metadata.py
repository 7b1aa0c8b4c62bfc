from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.metadata import HostBinary, Located, Metadata, load_metadata, make_pointer
from mext_lint.spans import Span

PATH = "ext/metadata.json"

KUBECTL_EXAMPLE = """\
{
  "icon": "docker.svg",
  "ui": {
    "dashboard-tab": {
      "title": "Example Extension",
      "src": "index.html",
      "root": "ui"
    }
  },
  "host": {
    "binaries": [
      {
        "darwin": [
          {
            "path": "/darwin/kubectl"
          }
        ],
        "windows": [
          {
            "path": "/windows/kubectl.exe"
          }
        ]
      }
    ]
  }
}
"""


def load(text: str) -> Metadata:
    return load_metadata(text, PATH)


def text_at(text: str, span: Span) -> str:
    """The characters a span covers (lines split the way the spans count them)."""
    lines = re.split(r"\r\n|\r|\n", text)
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]
    first = lines[span.line - 1][span.column - 1 :]
    middle = lines[span.line : span.end_line - 1]
    last = lines[span.end_line - 1][: span.end_column - 1]
    return "\n".join([first, *middle, last])


# -- positions ---------------------------------------------------------------------------------

NESTED = """\
{
  "ui": {"dashboard-tab": {"title": "T", "src": "index.html"}},
  "list": [1, -2.5e+3, true, false, null, {"k": [ "deep" ]}],
  "empty": {}, "none": []
}"""


@pytest.mark.parametrize(
    ("pointer", "value", "key"),
    [
        ("/ui", '{"dashboard-tab": {"title": "T", "src": "index.html"}}', '"ui"'),
        ("/ui/dashboard-tab", '{"title": "T", "src": "index.html"}', '"dashboard-tab"'),
        ("/ui/dashboard-tab/src", '"index.html"', '"src"'),
        ("/list/0", "1", "1"),
        ("/list/1", "-2.5e+3", "-"),
        ("/list/2", "true", "t"),
        ("/list/3", "false", "f"),
        ("/list/4", "null", "n"),
        ("/list/5/k", '[ "deep" ]', '"k"'),
        ("/list/5/k/0", '"deep"', '"'),
        ("/empty", "{}", '"empty"'),
        ("/none", "[]", '"none"'),
    ],
)
def test_value_and_key_spans_in_nested_objects_and_arrays(
    pointer: str, value: str, key: str
) -> None:
    meta = load(NESTED)
    assert meta.error is None
    assert text_at(NESTED, meta.value_span(pointer)) == value
    assert text_at(NESTED, meta.key_span(pointer)) == key


def test_spans_are_exact_line_and_column() -> None:
    meta = load(NESTED)
    assert meta.value_span("/ui/dashboard-tab/title") == Span(PATH, 2, 37, 2, 40)
    assert meta.key_span("/ui/dashboard-tab/title") == Span(PATH, 2, 28, 2, 35)
    assert meta.value_span("/list/5") == Span(PATH, 3, 43, 3, 60)


def test_root_spans_cover_the_document_and_point_at_its_first_character() -> None:
    text = '\n  {"a": 1}\n'
    meta = load(text)
    assert meta.value_span("") == Span(PATH, 2, 3, 2, 11)
    assert meta.key_span("") == Span(PATH, 2, 3, 2, 4)


def test_multiline_value_span() -> None:
    meta = load(KUBECTL_EXAMPLE)
    assert meta.value_span("/ui") == Span(PATH, 3, 9, 9, 4)


def test_columns_count_code_points() -> None:
    text = '{"t": "😀é", "icon": "x.svg"}'
    meta = load(text)
    assert meta.value_span("/t") == Span(PATH, 1, 7, 1, 11)
    assert meta.key_span("/icon") == Span(PATH, 1, 13, 1, 19)
    assert text_at(text, meta.value_span("/icon")) == '"x.svg"'


def test_escaped_quotes_and_backslashes_inside_strings() -> None:
    text = r'{"a": "say \"hi\" \\", "b\"": "c:\\\\", "\u0069con": "i.svg", "d": "\\"}'
    meta = load(text)
    assert meta.data == {"a": 'say "hi" \\', 'b"': "c:\\\\", "icon": "i.svg", "d": "\\"}
    assert text_at(text, meta.value_span("/a")) == r'"say \"hi\" \\"'
    assert text_at(text, meta.key_span('/b"')) == r'"b\""'
    assert text_at(text, meta.value_span('/b"')) == r'"c:\\\\"'
    assert text_at(text, meta.key_span("/icon")) == r'"\u0069con"'
    assert meta.icon is not None and meta.icon.value == "i.svg"
    assert text_at(text, meta.value_span("/d")) == r'"\\"'


def test_brackets_and_commas_inside_strings_are_not_structure() -> None:
    text = '{"a": "{[,]}", "b": ["]", "}"], "c": 1}'
    meta = load(text)
    assert text_at(text, meta.value_span("/b/1")) == '"}"'
    assert text_at(text, meta.value_span("/c")) == "1"


def test_crlf_line_endings() -> None:
    text = '{\r\n  "icon": "a.svg",\r\n  "vm": {\r\n    "image": "x"\r\n  }\r\n}\r\n'
    meta = load(text)
    assert meta.value_span("/icon") == Span(PATH, 2, 11, 2, 18)
    assert meta.key_span("/vm/image") == Span(PATH, 4, 5, 4, 12)
    assert meta.value_span("/vm") == Span(PATH, 3, 9, 5, 4)


def test_a_lone_carriage_return_ends_a_line_as_editors_show_it() -> None:
    meta = load('{\r"icon": "a.svg"}')
    assert meta.key_span("/icon") == Span(PATH, 2, 1, 2, 7)


def test_line_separator_characters_inside_strings_do_not_end_lines() -> None:
    text = '{"t": "a\u2028b\u0085c", "icon": "x"}'
    meta = load(text)
    assert meta.key_span("/icon") == Span(PATH, 1, 16, 1, 22)


def test_pointer_tokens_are_escaped_as_rfc_6901_says() -> None:
    text = '{"a/b": {"c~d": 1}, "": 2}'
    meta = load(text)
    assert make_pointer("a/b", "c~d") == "/a~1b/c~0d"
    assert text_at(text, meta.value_span("/a~1b/c~0d")) == "1"
    assert text_at(text, meta.key_span("/a~1b")) == '"a/b"'
    assert text_at(text, meta.value_span("/")) == "2"
    assert make_pointer("host", "binaries", 0) == "/host/binaries/0"
    assert make_pointer() == ""


@pytest.mark.parametrize(
    ("pointer", "falls_back_to"),
    [
        ("/ui/dashboard-tab/root", "/ui/dashboard-tab"),
        ("/ui/dashboard-tab/src/deeper", "/ui/dashboard-tab/src"),
        ("/list/9", "/list"),
        ("/list/01", "/list"),
        ("/list/-1", "/list"),
        ("/list/x", "/list"),
        ("/nothing/here", ""),
    ],
)
def test_missing_pointers_fall_back_to_the_nearest_existing_ancestor(
    pointer: str, falls_back_to: str
) -> None:
    meta = load(NESTED)
    assert not meta.has(pointer)
    assert meta.value_span(pointer) == meta.value_span(falls_back_to)
    assert meta.key_span(pointer) == meta.key_span(falls_back_to)


def test_has_reports_written_values() -> None:
    meta = load(NESTED)
    assert meta.has("")
    assert meta.has("/list/5/k/0")
    assert meta.has("/none")
    assert not meta.has("/none/0")


def test_spans_fall_back_to_the_first_character_when_the_text_is_broken() -> None:
    meta = load('{"icon": ')
    assert meta.data is None
    assert meta.value_span("/icon") == Span(PATH, 1, 1, 1, 2)
    assert meta.key_span("/icon") == Span(PATH, 1, 1, 1, 2)
    assert not meta.has("")


# -- duplicate keys ----------------------------------------------------------------------------


def test_duplicate_keys_keep_the_last_value_and_are_recorded() -> None:
    text = '{\n  "icon": "old.svg",\n  "icon": "new.svg"\n}'
    meta = load(text)
    assert meta.data == {"icon": "new.svg"}
    assert meta.icon == Located("new.svg", Span(PATH, 3, 11, 3, 20), "/icon")
    (duplicate,) = meta.duplicate_keys
    assert duplicate.pointer == "/icon"
    assert duplicate.span == Span(PATH, 3, 3, 3, 9)
    assert duplicate.first_span == Span(PATH, 2, 3, 2, 9)


def test_duplicate_keys_are_compared_after_unescaping_and_found_at_any_depth() -> None:
    text = '{"host": {"binaries": [{"darwin": [], "d\\u0061rwin": [{"path": "/a"}]}]}}'
    meta = load(text)
    (duplicate,) = meta.duplicate_keys
    assert duplicate.pointer == "/host/binaries/0/darwin"
    assert text_at(text, duplicate.span) == '"d\\u0061rwin"'
    assert [binary.path for binary in meta.host_binaries] == ["/a"]


def test_the_values_under_an_overridden_key_are_gone_from_the_position_map() -> None:
    meta = load('{"a": {"x": 1}, "a": {"y": 2}}')
    assert not meta.has("/a/x")
    assert meta.has("/a/y")
    assert meta.value_span("/a/x") == meta.value_span("/a")


def test_no_duplicates_recorded_for_equal_keys_in_different_objects() -> None:
    assert load('{"a": {"k": 1}, "b": {"k": 2}}').duplicate_keys == ()


# -- syntax errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("", 1, 1, "the file is empty"),
        ("  \n", 1, 1, "the file is empty"),
        ('{"a": 1,}', 1, 9, "trailing comma before '}' is not allowed; remove the ','"),
        ('{"a": [1,\n  ]}', 2, 3, "trailing comma before ']' is not allowed; remove the ','"),
        ("{'a': 1}", 1, 2, "JSON strings and keys need double quotes, not single quotes"),
        ("{\"a\": 'x'}", 1, 7, "JSON strings and keys need double quotes, not single quotes"),
        ('{"a" 1}', 1, 6, "expected ':' after the key, found '1'"),
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}' after a value, found '\"'"),
        ('{"a": [1 2]}', 1, 10, "expected ',' or ']' after a value, found '2'"),
        ('{"a": tru}', 1, 7, "expected a value (a string in double quotes"),
        ('{"a": }', 1, 7, "expected a value"),
        ("{a: 1}", 1, 2, "expected a key in double quotes, found 'a'"),
        ('{"a": 1} // note', 1, 10, "comments are not allowed in JSON"),
        ('{\n  // note\n  "a": 1\n}', 2, 3, "comments are not allowed in JSON"),
        ('{"a": "abc', 1, 7, "this string is never closed; add the missing '\"'"),
        ('{"a": "abc\n}', 1, 11, "this string is not closed before the line ends; add the missing"),
        ('{"a": "x\ty"}', 1, 9, "raw control character '\\t' inside a string"),
        ('{"a": "c:\\dir"}', 1, 10, "invalid escape in a string"),
        ('{"a": "\\u12"}', 1, 9, "invalid \\u escape in a string"),
        ('{"a": 1}}', 1, 9, "unexpected '}' after the JSON value ends"),
        ('{"a": 1}\n{"b": 2}', 2, 1, "unexpected '{' after the JSON value ends"),
        ('{"a": 01}', 1, 8, "expected ',' or '}' after a value, found '1'"),
        ("\ufeff{}", 1, 1, "the file starts with a byte order mark (BOM)"),
    ],
)
def test_syntax_errors_at_exact_positions_in_plain_words(
    text: str, line: int, column: int, message: str
) -> None:
    meta = load(text)
    assert meta.data is None
    assert meta.error is not None
    assert meta.error.span == Span.point(PATH, line, column)
    assert meta.error.message.startswith(message)


def test_syntax_error_message_keeps_what_json_said() -> None:
    meta = load('{"a" 1}')
    assert meta.error is not None
    assert meta.error.message.endswith("(json: Expecting ':' delimiter)")


def test_syntax_errors_count_crlf_lines() -> None:
    meta = load('{\r\n  "a": 1\r\n  "b": 2\r\n}')
    assert meta.error is not None
    assert meta.error.span == Span.point(PATH, 3, 3)


def test_an_object_left_open_says_where_it_was_opened() -> None:
    meta = load('{\n  "ui": {\n    "a": 1\n')
    assert meta.error is not None
    assert meta.error.span == Span.point(PATH, 4, 1)
    assert "found the end of the file (the '{' at 2:9 is never closed)" in meta.error.message


@pytest.mark.parametrize(
    ("text", "constant", "column"),
    [
        ('{"a": NaN}', "NaN", 7),
        ('{"a": [1, Infinity]}', "Infinity", 11),
        ("-Infinity", "-Infinity", 1),
    ],
)
def test_nan_and_infinity_are_rejected_as_docker_rejects_them(
    text: str, constant: str, column: int
) -> None:
    meta = load(text)
    assert meta.error is not None
    assert meta.error.message.startswith(f"{constant} is not a JSON value")
    assert meta.error.span == Span(PATH, 1, column, 1, column + len(constant))


def test_a_string_containing_nan_is_fine() -> None:
    meta = load('{"NaN": "Infinity"}')
    assert meta.error is None
    assert meta.data == {"NaN": "Infinity"}


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_very_deep_nesting_is_a_syntax_error_not_a_crash(opening: str) -> None:
    text = opening * 100_000
    meta = load(text)
    assert meta.data is None
    assert meta.error is not None
    assert meta.error.message.startswith(
        "metadata.json is nested too deeply to read (100000 levels"
    )
    assert meta.error.span.line == 1


def test_moderately_deep_valid_json_gets_positions_without_recursion() -> None:
    depth = 300
    text = "[" * depth + '"x"' + "]" * depth
    meta = load(text)
    assert meta.error is None
    assert meta.value_span("/0" * depth) == Span(PATH, 1, depth + 1, 1, depth + 4)


def test_a_non_object_root_is_not_a_syntax_error() -> None:
    meta = load("[1, 2]")
    assert meta.error is None
    assert meta.data == [1, 2]
    assert meta.icon is None
    assert meta.host_binaries == []


# -- accessors ---------------------------------------------------------------------------------


def test_kubectl_multi_arch_example() -> None:
    meta = load(KUBECTL_EXAMPLE)
    assert meta.error is None
    assert meta.icon == Located("docker.svg", Span(PATH, 2, 11, 2, 23), "/icon")
    assert meta.ui_title == Located(
        "Example Extension", Span(PATH, 5, 16, 5, 35), "/ui/dashboard-tab/title"
    )
    assert meta.ui_src == Located("index.html", Span(PATH, 6, 14, 6, 26), "/ui/dashboard-tab/src")
    assert meta.ui_root == Located("ui", Span(PATH, 7, 15, 7, 19), "/ui/dashboard-tab/root")
    assert meta.vm_image is None
    assert meta.composefile is None
    assert meta.host_binaries == [
        HostBinary(
            "darwin",
            "/darwin/kubectl",
            Span(PATH, 15, 21, 15, 38),
            "/host/binaries/0/darwin/0/path",
        ),
        HostBinary(
            "windows",
            "/windows/kubectl.exe",
            Span(PATH, 20, 21, 20, 43),
            "/host/binaries/0/windows/0/path",
        ),
    ]


def test_backend_accessors() -> None:
    text = json.dumps(
        {
            "vm": {
                "image": "${DESKTOP_PLUGIN_IMAGE}",
                "composefile": "docker-compose.yaml",
                "exposes": {"socket": "backend.sock"},
            },
            "ui": {"dashboard-tab": {"backend": {"socket": "legacy.sock"}}},
        },
        indent=2,
    )
    meta = load(text)
    for located, value in [
        (meta.vm_image, "${DESKTOP_PLUGIN_IMAGE}"),
        (meta.composefile, "docker-compose.yaml"),
        (meta.exposes_socket, "backend.sock"),
        (meta.backend_socket, "legacy.sock"),
    ]:
        assert located is not None
        assert located.value == value
        assert text_at(text, located.span) == json.dumps(value)
        assert meta.value_span(located.pointer) == located.span


def test_host_binaries_in_several_entries_and_all_oses_in_file_order() -> None:
    text = json.dumps(
        {
            "host": {
                "binaries": [
                    {"linux": [{"path": "/linux/a"}, {"path": "/linux/b"}]},
                    {"windows": [{"path": "/windows/a.exe"}], "darwin": [{"path": "/darwin/a"}]},
                ]
            }
        }
    )
    meta = load(text)
    assert [(b.os, b.path, b.pointer) for b in meta.host_binaries] == [
        ("linux", "/linux/a", "/host/binaries/0/linux/0/path"),
        ("linux", "/linux/b", "/host/binaries/0/linux/1/path"),
        ("windows", "/windows/a.exe", "/host/binaries/1/windows/0/path"),
        ("darwin", "/darwin/a", "/host/binaries/1/darwin/0/path"),
    ]
    for binary in meta.host_binaries:
        assert text_at(text, binary.span) == json.dumps(binary.path)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "metadata",
        {"icon": 3, "ui": [], "vm": "image", "host": []},
        {"icon": None, "ui": {"dashboard-tab": "tab"}, "vm": {"image": ["a"], "exposes": "s"}},
        {"ui": {"dashboard-tab": {"title": 1, "src": {}, "root": [], "backend": "b"}}},
        {"ui": {"dashboard-tab": {"backend": {"socket": 5}}}, "vm": {"exposes": {"socket": 1}}},
        {"vm": {"composefile": False}, "host": {"binaries": {"darwin": []}}},
    ],
)
def test_string_accessors_never_raise_on_wrong_shapes(data: object) -> None:
    meta = load(json.dumps(data))
    assert meta.error is None
    assert meta.icon is None
    assert meta.ui_title is None
    assert meta.ui_src is None
    assert meta.ui_root is None
    assert meta.backend_socket is None
    assert meta.vm_image is None
    assert meta.composefile is None
    assert meta.exposes_socket is None
    assert meta.host_binaries == []


@pytest.mark.parametrize(
    "binaries",
    [
        "darwin",
        {"darwin": [{"path": "/d"}]},
        [None, 1, "x", []],
        [{"darwin": "/darwin/a"}, {"windows": {"path": "/w"}}],
        [{"darwin": [None, "/darwin/a", ["/x"], {"pth": "/y"}, {"path": 1}, {"path": None}]}],
        [{"macos": [{"path": "/darwin/a"}], "Linux": [{"path": "/linux/a"}]}],
    ],
)
def test_host_binaries_skip_every_wrong_shape(binaries: object) -> None:
    meta = load(json.dumps({"host": {"binaries": binaries}}))
    assert meta.host_binaries == []


def test_host_binaries_keep_the_good_items_next_to_bad_ones() -> None:
    meta = load(json.dumps({"host": {"binaries": [3, {"darwin": [7, {"path": "/darwin/k"}]}]}}))
    assert [(b.path, b.pointer) for b in meta.host_binaries] == [
        ("/darwin/k", "/host/binaries/1/darwin/1/path")
    ]


def test_metadata_is_frozen() -> None:
    meta = load("{}")
    with pytest.raises(AttributeError):
        meta.data = {}


# -- properties --------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=25,
)


def _values(value: object, pointer: str = "", key: str | None = None) -> Iterator[Member]:
    """Every value in ``value`` with its pointer and, for object members, its key."""
    yield Member(pointer, value, key)
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _values(child, pointer + make_pointer(child_key), child_key)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _values(child, f"{pointer}/{index}")


class Member(NamedTuple):
    pointer: str
    value: object
    key: str | None


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2, "\t"]), st.booleans(), st.booleans())
def test_every_span_holds_its_value_and_key(
    value: object, indent: int | str | None, ensure_ascii: bool, crlf: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    if crlf:
        text = text.replace("\n", "\r\n")
    meta = load(text)
    assert meta.error is None
    for member in _values(value):
        value_span = meta.value_span(member.pointer)
        assert json.loads(text_at(text, value_span)) == member.value
        key_span = meta.key_span(member.pointer)
        if member.key is None:
            assert key_span == Span.point(PATH, value_span.line, value_span.column)
        else:
            assert json.loads(text_at(text, key_span)) == member.key


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="{}[]\":,\\ \n\r\tabtrue0123-.eE/'nNIl\u2028é"))
def test_loading_never_raises(text: str) -> None:
    meta = load(text)
    assert (meta.error is None) or meta.data is None
    if meta.error is not None:
        lines = re.split(r"\r\n|\r|\n", text)
        assert meta.error.span.line <= len(lines)
        assert meta.error.span.column <= len(lines[meta.error.span.line - 1]) + 1
    meta.value_span("/a/0")
    meta.key_span("/a/0")
    meta.host_binaries  # noqa: B018


# -- lazy positions ------------------------------------------------------------------------------


def test_a_span_deep_inside_a_large_array_is_found_lazily() -> None:
    items = [{"darwin": [{"path": f"/darwin/t{index}"}]} for index in range(2000)]
    text = json.dumps({"icon": "i.svg", "host": {"binaries": items}, "z": 1}, indent=1)
    meta = load(text)
    binary = meta.host_binaries[1234]
    assert binary.pointer == "/host/binaries/1234/darwin/0/path"
    assert text_at(text, binary.span) == '"/darwin/t1234"'
    assert text_at(text, meta.key_span("/host/binaries/1999/darwin")) == '"darwin"'
    assert text_at(text, meta.value_span("/z")) == "1"
    assert not meta.has("/host/binaries/2000")


def test_host_binary_equality_includes_its_span() -> None:
    meta = load(KUBECTL_EXAMPLE)
    first = meta.host_binaries[0]
    same = HostBinary(first.os, first.path, first.span, first.pointer)
    assert first == same and hash(first) == hash(same)
    assert first != HostBinary(first.os, first.path, Span(PATH, 1, 1, 1, 2), first.pointer)
    assert "span=Span(" in repr(first)


def test_duplicate_keys_inside_an_overridden_value_are_recorded_in_file_order() -> None:
    text = '{"a": {"x": 1, "x": 2}, "b": [{"k": 1, "k": 2}], "a": 3}'
    meta = load(text)
    assert meta.data == {"a": 3, "b": [{"k": 2}]}
    assert [d.pointer for d in meta.duplicate_keys] == ["/a/x", "/b/0/k", "/a"]
    assert [text_at(text, d.first_span) for d in meta.duplicate_keys] == ['"x"', '"k"', '"a"']
    assert text_at(text, meta.value_span("/b/0/k")) == "2"


def test_positions_are_found_from_a_stack_deeper_than_the_one_that_read_the_text() -> None:
    depth = 400
    text = '{"o": {"a": ' + "[" * depth + '"x"' + "]" * depth + ', "b": true}}'
    meta = load(text)
    assert meta.error is None and meta.depth == depth + 2

    def nested(frames: int) -> Span:
        return meta.value_span("/o/b") if frames == 0 else nested(frames - 1)

    assert text_at(text, nested(800)) == "true"  # json's scanner has no stack left to skip /o/a


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [{}], "b": {"c": [[1]]}}', 4),
        ('["[[[", "]]]]]", "\\"[[", "\\\\", "{"]', 1),
        ('[{"k\\\\": "\\\\\\"]"}, "é[", "\\ud800["]', 2),
        ('["", "", "[", ""]', 1),
    ],
)
def test_nesting_depth_ignores_brackets_inside_strings(text: str, depth: int) -> None:
    assert load(text).depth == depth


@pytest.mark.parametrize("depth", [500, 501])
def test_read_nesting_limit_boundary(depth: int) -> None:
    meta = load("[" * depth + "]" * depth)
    assert (meta.error is None) == (depth <= 500)
    if depth <= 500:
        assert meta.depth == depth


@pytest.mark.parametrize(
    "text",
    ['{"a": 1} x', '{"a" 1}', '{"a": 1,}', "[1 2]", "{1: 2}", "\ufeff{}", '{"a": NaN}', "[", ""],
)
def test_texts_json_refuses_are_refused_with_its_message(text: str) -> None:
    meta = load(text)
    assert meta.data is None and meta.error is not None
    with pytest.raises(ValueError):
        json.loads(text, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> object:
    raise ValueError(name)


def test_reading_leaves_the_cycle_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    load('{"host": {"binaries": [{"linux": [{"path": "/linux/a"}]}]}}').host_binaries  # noqa: B018
    assert gc.isenabled()
    load("[" * 600 + "]" * 600)  # refused: too deep
    assert gc.isenabled()
    gc.disable()
    try:
        load("{}")
        assert not gc.isenabled()
    finally:
        gc.enable()
