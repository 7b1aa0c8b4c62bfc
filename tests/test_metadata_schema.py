from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.metadata import load_metadata
from mext_lint.metadata_schema import _problems, _validator, load_schema, validate_metadata
from mext_lint.spans import Problem, Span

PATH = "metadata.json"

UI = {"dashboard-tab": {"title": "Example", "root": "/ui", "src": "index.html"}}

KUBECTL_EXAMPLE = {
    "icon": "docker.svg",
    "ui": {"dashboard-tab": {"title": "Example Extension", "src": "index.html", "root": "ui"}},
    "host": {
        "binaries": [
            {
                "darwin": [{"path": "/darwin/kubectl"}],
                "windows": [{"path": "/windows/kubectl.exe"}],
            }
        ]
    },
}


def problems(text: str) -> list[Problem]:
    return validate_metadata(load_metadata(text, PATH))


def messages(data: object) -> list[str]:
    return [problem.message for problem in problems(json.dumps(data, indent=2))]


# -- valid real-extension shapes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(KUBECTL_EXAMPLE, id="kubectl-multi-arch-docs-example"),
        pytest.param({"ui": UI}, id="minimal-frontend"),
        pytest.param({"icon": "docker.svg"}, id="icon-only"),
        pytest.param({}, id="empty"),
        pytest.param(
            {"icon": "icon.svg", "vm": {"composefile": "docker-compose.yaml"}, "ui": UI},
            id="compose-backend",
        ),
        pytest.param(
            {
                "icon": "docker.svg",
                "vm": {"image": "${DESKTOP_PLUGIN_IMAGE}", "exposes": {"socket": "backend.sock"}},
                "ui": UI,
            },
            id="socket-backend",
        ),
        pytest.param(
            {
                "vm": {"composefile": "compose.yaml", "exposes": {"socket": "ext.sock"}},
                "ui": {"dashboard-tab": {**UI["dashboard-tab"], "backend": {"socket": "ext.sock"}}},
            },
            id="compose-backend-with-legacy-ui-socket",
        ),
        pytest.param(
            {
                "host": {
                    "binaries": [
                        {
                            "darwin": [{"path": "/darwin/tool"}, {"path": "/darwin/helper"}],
                            "windows": [{"path": "/windows/tool.exe"}],
                            "linux": [{"path": "/linux/tool"}],
                        },
                        {"linux": []},
                    ]
                }
            },
            id="all-oses-several-entries",
        ),
    ],
)
def test_real_extension_shapes_are_valid(data: object) -> None:
    assert messages(data) == []


def test_a_syntax_error_is_not_validated_again() -> None:
    assert problems('{"name": ') == []


def test_duplicate_keys_are_validated_with_the_last_value_as_docker_reads_them() -> None:
    assert problems('{"vm": {"image": 1, "image": "${DESKTOP_PLUGIN_IMAGE}"}}') == []
    assert [p.message for p in problems('{"vm": {"image": "x", "image": 1}}')] == [
        "vm.image must be a string, found 1"
    ]


# -- unknown keys ------------------------------------------------------------------------------


def test_legacy_name_and_provider_keys_fail_at_their_key() -> None:
    text = textwrap.dedent(
        """\
        {
          "name": "My extension",
          "provider": "Me",
          "icon": "docker.svg"
        }"""
    )
    found = problems(text)
    assert [p.span for p in found] == [Span(PATH, 2, 3, 2, 9), Span(PATH, 3, 3, 3, 13)]
    assert found[0].message == (
        '"name" is not allowed at the top level of metadata.json (only icon, ui, vm, host); '
        "remove it (a key from early SDK versions: Docker's validator rejects it, and the "
        "Marketplace takes the name and publisher from the image labels)"
    )
    assert found[1].message.startswith('"provider" is not allowed at the top level')


@pytest.mark.parametrize(
    ("data", "pointer", "message"),
    [
        (
            {"Icon": "a.svg"},
            "/Icon",
            '"Icon" is not allowed at the top level of metadata.json (only icon, ui, vm, host); '
            'did you mean "icon"?',
        ),
        (
            {"extra": 1},
            "/extra",
            '"extra" is not allowed at the top level of metadata.json (only icon, ui, vm, host); '
            "remove it",
        ),
        (
            {"ui": {"dashbaord-tab": UI["dashboard-tab"]}},
            "/ui/dashbaord-tab",
            '"dashbaord-tab" is not allowed in ui (only dashboard-tab); '
            'did you mean "dashboard-tab"?',
        ),
        (
            {"ui": {"dashboard-tab": {**UI["dashboard-tab"], "sorc": "x"}}},
            "/ui/dashboard-tab/sorc",
            '"sorc" is not allowed in ui.dashboard-tab (only title, root, src, backend); '
            'did you mean "src"?',
        ),
        (
            {"ui": {"dashboard-tab": {**UI["dashboard-tab"], "backend": {"port": 1}}}},
            "/ui/dashboard-tab/backend/port",
            '"port" is not allowed in ui.dashboard-tab.backend (only socket); remove it',
        ),
        (
            {"vm": {"image": "x", "ports": []}},
            "/vm/ports",
            '"ports" is not allowed in vm (only image, composefile, exposes); remove it',
        ),
        (
            {"vm": {"image": "x", "exposes": {"sockets": "a"}}},
            "/vm/exposes/sockets",
            '"sockets" is not allowed in vm.exposes (only socket); did you mean "socket"?',
        ),
        (
            {"host": {"bin": []}},
            "/host/bin",
            '"bin" is not allowed in host (only binaries); remove it',
        ),
        (
            {"host": {"binaries": [{"macos": [{"path": "/darwin/a"}]}]}},
            "/host/binaries/0/macos",
            '"macos" is not allowed in host.binaries[0] (only darwin, windows, linux); '
            'did you mean "darwin"?',
        ),
        (
            {"host": {"binaries": [{"Win64": [{"path": "/w/a.exe"}]}]}},
            "/host/binaries/0/Win64",
            '"Win64" is not allowed in host.binaries[0] (only darwin, windows, linux); '
            'did you mean "windows"?',
        ),
        (
            {"host": {"binaries": [{"linux": [{"path": "/l/a", "arch": "amd64"}]}]}},
            "/host/binaries/0/linux/0/arch",
            '"arch" is not allowed in host.binaries[0].linux[0] (only path); remove it',
        ),
    ],
)
def test_unknown_keys_are_reported_at_the_key(data: object, pointer: str, message: str) -> None:
    text = json.dumps(data, indent=2)
    meta = load_metadata(text, PATH)
    assert validate_metadata(meta) == [Problem(meta.key_span(pointer), message)]


def test_keys_that_are_not_plain_words_are_quoted_in_the_path() -> None:
    found = problems(
        '{"ui": {"dashboard-tab": {"title": "t", "root": "/ui", "src": "i", "a b": 1}}}'
    )
    assert [p.message for p in found] == [
        '"a b" is not allowed in ui.dashboard-tab (only title, root, src, backend); remove it'
    ]
    found = problems('{"host": {"binaries": [{"linux": [{"path": "/a", "x.y": 1}]}]}}')
    assert found[0].message.startswith('"x.y" is not allowed in host.binaries[0].linux[0] ')


# -- required keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        (
            "title",
            'ui.dashboard-tab is missing "title" (the name shown in the dashboard menu); add it',
        ),
        (
            "src",
            'ui.dashboard-tab is missing "src" (the entry HTML file, relative to root, such as '
            '"index.html"); add it',
        ),
        (
            "root",
            'ui.dashboard-tab is missing "root" (the folder in the image that holds the UI, '
            'such as "/ui"); add it',
        ),
    ],
)
def test_dashboard_tab_requires_title_src_and_root(missing: str, message: str) -> None:
    tab = {key: value for key, value in UI["dashboard-tab"].items() if key != missing}
    text = json.dumps({"ui": {"dashboard-tab": tab}}, indent=2)
    meta = load_metadata(text, PATH)
    assert validate_metadata(meta) == [Problem(Span(PATH, 3, 5, 3, 20), message)]


def test_every_missing_key_is_reported_once() -> None:
    found = problems('{"ui": {"dashboard-tab": {}}}')
    assert [p.message.split(" (")[0] for p in found] == [
        'ui.dashboard-tab is missing "root"',
        'ui.dashboard-tab is missing "src"',
        'ui.dashboard-tab is missing "title"',
    ]
    assert {p.span for p in found} == {Span(PATH, 1, 9, 1, 24)}


def test_a_host_binary_requires_a_path() -> None:
    text = '{"host": {"binaries": [{"darwin": [{}]}]}}'
    assert problems(text) == [
        Problem(
            Span(PATH, 1, 36, 1, 37),
            'host.binaries[0].darwin[0] is missing "path" (the binary\'s absolute path in the '
            'image, such as "/darwin/kubectl"); add it',
        )
    ]


# -- vm: exactly one of image / composefile ----------------------------------------------------


def test_vm_with_both_image_and_composefile_points_at_the_second() -> None:
    text = '{\n  "vm": {\n    "composefile": "c.yaml",\n    "image": "x"\n  }\n}'
    assert problems(text) == [
        Problem(
            Span(PATH, 4, 5, 4, 12),
            'vm must set exactly one of "image" or "composefile", not both; remove one',
        )
    ]


def test_vm_with_neither_image_nor_composefile_points_at_vm() -> None:
    text = '{\n  "vm": {"exposes": {"socket": "s.sock"}}\n}'
    assert problems(text) == [
        Problem(Span(PATH, 2, 3, 2, 7), 'vm must set one of "image" or "composefile"; add one')
    ]


def test_vm_of_the_wrong_type_gets_only_the_type_message() -> None:
    assert messages({"vm": "${DESKTOP_PLUGIN_IMAGE}"}) == [
        'vm must be an object, found "${DESKTOP_PLUGIN_IMAGE}"'
    ]


# -- types and empty strings -------------------------------------------------------------------

STRING_POINTERS = [
    ("icon",),
    ("ui", "dashboard-tab", "title"),
    ("ui", "dashboard-tab", "root"),
    ("ui", "dashboard-tab", "src"),
    ("ui", "dashboard-tab", "backend", "socket"),
    ("vm", "image"),
    ("vm", "composefile"),
    ("vm", "exposes", "socket"),
]


def _valid_document() -> dict[str, object]:
    return {
        "icon": "docker.svg",
        "ui": {"dashboard-tab": {**UI["dashboard-tab"], "backend": {"socket": "a.sock"}}},
        "vm": {"image": "x", "exposes": {"socket": "a.sock"}},
        "host": {"binaries": [{"darwin": [{"path": "/darwin/a"}]}]},
    }


def _set(data: dict[str, object], keys: tuple[str, ...], value: object) -> None:
    target: object = data
    for key in keys[:-1]:
        assert isinstance(target, dict)
        target = target[key]
    assert isinstance(target, dict)
    if keys == ("vm", "composefile"):
        del target["image"]
    target[keys[-1]] = value


def test_the_document_used_for_type_tests_is_valid() -> None:
    assert messages(_valid_document()) == []


@pytest.mark.parametrize("keys", STRING_POINTERS, ids="/".join)
@pytest.mark.parametrize(
    ("value", "found"), [(123, "123"), (None, "null"), (True, "true"), (["a"], "an array")]
)
def test_every_string_field_must_be_a_string(
    keys: tuple[str, ...], value: object, found: str
) -> None:
    data = _valid_document()
    _set(data, keys, value)
    text = json.dumps(data, indent=2)
    meta = load_metadata(text, PATH)
    pointer = "/" + "/".join(keys)
    assert validate_metadata(meta) == [
        Problem(meta.value_span(pointer), f"{'.'.join(keys)} must be a string, found {found}")
    ]


@pytest.mark.parametrize("keys", STRING_POINTERS, ids="/".join)
def test_no_string_field_may_be_empty(keys: tuple[str, ...]) -> None:
    data = _valid_document()
    _set(data, keys, "")
    assert messages(data) == [f"{'.'.join(keys)} must not be empty"]


@pytest.mark.parametrize(
    ("keys", "value", "message"),
    [
        (("ui",), [], "ui must be an object, found an array"),
        (
            ("ui", "dashboard-tab"),
            "index.html",
            'ui.dashboard-tab must be an object, found "index.html"',
        ),
        (
            ("ui", "dashboard-tab", "backend"),
            "s.sock",
            'ui.dashboard-tab.backend must be an object, found "s.sock"',
        ),
        (("vm", "exposes"), "s.sock", 'vm.exposes must be an object, found "s.sock"'),
        (("host",), [], "host must be an object, found an array"),
        (("host", "binaries"), {"darwin": []}, "host.binaries must be an array, found an object"),
    ],
)
def test_sections_must_have_their_shape(keys: tuple[str, ...], value: object, message: str) -> None:
    data = _valid_document()
    _set(data, keys, value)
    assert messages(data) == [message]


@pytest.mark.parametrize(
    ("binaries", "message"),
    [
        ([[]], "host.binaries[0] must be an object, found an array"),
        ([{"darwin": {"path": "/d"}}], "host.binaries[0].darwin must be an array, found an object"),
        (
            [{"linux": ["/linux/a"]}],
            'host.binaries[0].linux[0] must be an object, found "/linux/a"',
        ),
        ([{"linux": [{"path": 5}]}], "host.binaries[0].linux[0].path must be a string, found 5"),
        ([{"linux": [{"path": ""}]}], "host.binaries[0].linux[0].path must not be empty"),
    ],
)
def test_host_binaries_shape(binaries: object, message: str) -> None:
    assert messages({"host": {"binaries": binaries}}) == [message]


def test_long_values_are_shortened_in_messages() -> None:
    assert messages({"icon": 1234567890123456789012345678901234567890123}) == [
        "icon must be a string, found 1234567890123456789012345678901234567..."
    ]


@pytest.mark.parametrize(
    ("text", "found"), [("[]", "an array"), ('"x"', '"x"'), ("null", "null"), ("3", "3")]
)
def test_the_root_must_be_an_object(text: str, found: str) -> None:
    assert problems(text) == [
        Problem(
            Span(PATH, 1, 1, 1, len(text) + 1), f"metadata.json must be an object, found {found}"
        )
    ]


def test_problems_come_in_file_order() -> None:
    text = '{\n  "vm": {"image": 1},\n  "name": "x",\n  "icon": ""\n}'
    assert [(p.span.line, p.message) for p in problems(text)] == [
        (2, "vm.image must be a string, found 1"),
        (
            3,
            '"name" is not allowed at the top level of metadata.json (only icon, ui, vm, host); '
            "remove it (a key from early SDK versions: Docker's validator rejects it, and the "
            "Marketplace takes the name and publisher from the image labels)",
        ),
        (4, "icon must not be empty"),
    ]


# -- oneOf/anyOf unwinding with other schemas --------------------------------------------------


def test_a_oneof_without_a_required_pattern_reports_the_deepest_branch() -> None:
    schema = {
        "oneOf": [
            {"type": "string"},
            {"type": "object", "properties": {"a": {"type": "object", "required": ["b"]}}},
        ]
    }
    meta = load_metadata('{"a": {"c": 1}}', PATH)
    (error,) = jsonschema.Draft202012Validator(schema).iter_errors(meta.data)
    assert _problems(meta, error) == [Problem(Span(PATH, 1, 2, 1, 5), 'a is missing "b"; add it')]


def test_an_anyof_of_required_keys_asks_for_one_of_them() -> None:
    schema = {
        "properties": {"vm": {"anyOf": [{"required": ["image"]}, {"required": ["composefile"]}]}}
    }
    meta = load_metadata('{"vm": {}}', PATH)
    (error,) = jsonschema.Draft202012Validator(schema).iter_errors(meta.data)
    assert _problems(meta, error) == [
        Problem(Span(PATH, 1, 2, 1, 6), 'vm must set one of "image" or "composefile"; add one')
    ]


# -- the schema itself -------------------------------------------------------------------------


def test_the_schema_ships_in_the_package_and_is_a_valid_2020_12_schema() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"icon", "ui", "vm", "host"}


def test_the_compiled_validator_is_cached() -> None:
    assert _validator() is _validator()


def test_jsonschema_is_imported_only_when_metadata_is_validated() -> None:
    script = textwrap.dedent(
        """\
        import sys
        import mext_lint.metadata, mext_lint.metadata_schema
        assert "jsonschema" not in sys.modules, "imported too early"
        meta = mext_lint.metadata.load_metadata('{"name": 1}', "metadata.json")
        assert "jsonschema" not in sys.modules, "imported by load_metadata"
        assert mext_lint.metadata_schema.validate_metadata(meta)
        assert "jsonschema" in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True)


_AUTHORITY = jsonschema.Draft202012Validator(load_schema())
_OS_NAMES = st.sampled_from(["darwin", "windows", "linux"])
_GOOD_ITEMS = st.lists(
    st.fixed_dictionaries({"path": st.sampled_from(["/a", "b.exe"])}), max_size=3
)
_GOOD_BINARIES = st.lists(st.dictionaries(_OS_NAMES, _GOOD_ITEMS, max_size=3), max_size=3)
_ODD_VALUES = st.sampled_from(["", "/a", 0, None, [], {}, {"path": "/a"}, {"path": ""}])


@given(_GOOD_BINARIES, st.data())
@settings(max_examples=300, deadline=None)
def test_binaries_listed_as_the_schema_wants_are_exactly_the_valid_ones(
    binaries: list[dict[str, list[dict[str, object]]]], data: st.DataObject
) -> None:
    """The listing's verdict lets the schema check skip host.binaries: it must be the schema's,
    for a valid list and for one with a single odd part."""
    flaw = data.draw(st.sampled_from(["none", "entry", "os", "list", "item", "key", "path"]))
    entries = [entry for entry in binaries if entry]
    items = [listed for entry in entries for listed in entry.values() if listed]
    if flaw == "entry":
        binaries.insert(data.draw(st.integers(0, len(binaries))), data.draw(_ODD_VALUES))
    elif flaw == "os" and entries:
        data.draw(st.sampled_from(entries))[data.draw(st.sampled_from(["macos", "", "Linux"]))] = []
    elif flaw == "list" and entries:
        entry = data.draw(st.sampled_from(entries))
        entry[data.draw(st.sampled_from(sorted(entry)))] = data.draw(_ODD_VALUES)
    elif flaw == "item" and items:
        data.draw(st.sampled_from(items)).append(data.draw(_ODD_VALUES))
    elif flaw == "key" and items:
        data.draw(st.sampled_from(items))[0][data.draw(st.sampled_from(["Path", "x"]))] = "/c"
    elif flaw == "path" and items:
        data.draw(st.sampled_from(items))[0]["path"] = data.draw(_ODD_VALUES)
    document = {"host": {"binaries": binaries}}
    meta = load_metadata(json.dumps(document), PATH)
    valid = _AUTHORITY.is_valid(document)
    assert meta.host_binaries_as_schema_wants == valid
    assert (validate_metadata(meta) == []) == valid
