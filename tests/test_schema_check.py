"""The yes/no schema validator agrees with jsonschema, which stays the authority on errors."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.metadata_schema import load_schema
from mext_lint.schema_check import UnsupportedSchema, compile_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = load_schema()
AUTHORITY = jsonschema.Draft202012Validator(SCHEMA)
QUICK = compile_schema(SCHEMA)

VALID_SEEDS: list[dict[str, Any]] = [
    json.loads((ROOT / "examples" / "kubectl-multiarch" / "metadata.json").read_text()),
    {"vm": {"composefile": "docker-compose.yaml"}, "icon": "icon.svg"},
    {
        "icon": "docker.svg",
        "ui": {
            "dashboard-tab": {
                "title": "T",
                "root": "/ui",
                "src": "index.html",
                "backend": {"socket": "b.sock"},
            }
        },
        "vm": {"image": "${DESKTOP_PLUGIN_IMAGE}", "exposes": {"socket": "backend.sock"}},
        "host": {"binaries": [{"darwin": [{"path": "/darwin/a"}]}, {"linux": []}]},
    },
    {},
]


def _schema_words(schema: object, out: set[str]) -> set[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties":
                out.update(value)
            if key == "required":
                out.update(value)
            _schema_words(value, out)
    elif isinstance(schema, list):
        for item in schema:
            _schema_words(item, out)
    return out


KEYS = sorted(_schema_words(SCHEMA, set()) | {"name", "provider", "macos", "", "Path", "win32"})
TEXTS = st.sampled_from(["", " ", "x", "/darwin/kubectl", "${DESKTOP_PLUGIN_IMAGE}", "\ud800", "é"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e300, 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXTS,
    st.text(max_size=3),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.sampled_from(KEYS), children, max_size=4)
    ),
    max_leaves=8,
)


def _containers(value: object, out: list[object]) -> list[object]:
    if isinstance(value, (dict, list)):
        out.append(value)
        for child in value.values() if isinstance(value, dict) else value:
            _containers(child, out)
    return out


def mutate(document: object, data: st.DataObject) -> object:
    """One random edit somewhere in ``document``: replace, delete, add, wrap or empty a value."""
    target = data.draw(st.sampled_from(_containers(document, [])))
    operation = data.draw(st.sampled_from(["replace", "delete", "add", "wrap", "empty", "text"]))
    if isinstance(target, dict):
        keys = list(target)
        if operation == "add" or not keys:
            target[data.draw(st.sampled_from(KEYS))] = data.draw(VALUES)
            return document
        key = data.draw(st.sampled_from(keys))
        if operation == "delete":
            del target[key]
        elif operation == "wrap":
            target[key] = [target[key]]
        elif operation == "empty":
            target[key] = type(target[key])() if isinstance(target[key], (dict, list, str)) else ""
        elif operation == "text":
            target[key] = data.draw(TEXTS)
        else:
            target[key] = data.draw(VALUES)
    elif isinstance(target, list):
        if operation == "add" or not target:
            copied = bool(target) and data.draw(st.booleans())  # a second item of that shape
            target.append(copy.deepcopy(target[-1]) if copied else data.draw(VALUES))
            return document
        index = data.draw(st.integers(0, len(target) - 1))
        if operation == "delete":
            del target[index]
        elif operation == "wrap":
            target[index] = [target[index]]
        elif operation == "text":
            target[index] = data.draw(TEXTS)
        else:
            target[index] = data.draw(VALUES)
    return document


def test_the_shipped_schema_is_supported() -> None:
    assert all(QUICK(seed) for seed in VALID_SEEDS)
    assert all(AUTHORITY.is_valid(seed) for seed in VALID_SEEDS)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(VALID_SEEDS), st.integers(1, 4), st.data())
def test_mutated_documents_agree_with_jsonschema(
    seed: dict[str, Any], edits: int, data: st.DataObject
) -> None:
    document: object = copy.deepcopy(seed)
    for _ in range(edits):
        document = mutate(document, data)
    expected = AUTHORITY.is_valid(document)
    # Never "valid" when jsonschema says "invalid"; and in fact never the other way either.
    assert QUICK(document) == expected, json.dumps(document)


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_any_json_value_agrees_with_jsonschema(document: object) -> None:
    assert QUICK(document) == AUTHORITY.is_valid(document)


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"type": "integer"}, [1, 1.0, -0.0, 10**40], [True, 1.5, "1", None]),
        ({"type": "number"}, [1, 1.5, 0.0], [False, "1", None, []]),
        ({"type": ["string", "null"]}, ["", None], [0, {}]),
        ({"minLength": 2}, ["ab", "é\u0301", 1, None], ["a", "", "\ud800"]),
        ({"maxLength": 1}, ["", "a", []], ["ab"]),
        ({"required": ["a"]}, [{"a": None}, [], "s"], [{}, {"b": 1}]),
        ({"properties": {"a": False}}, [{}, {"b": 1}, 3], [{"a": 1}]),
        ({"additionalProperties": {"type": "string"}}, [{"a": "x"}, 1], [{"a": 1}]),
        ({"items": {"type": "null"}}, [[], [None], {}], [[1], [None, 0]]),
        ({"minLength": 1, "maxLength": 2}, ["a", "ab", 3], ["", "abc"]),
        # a single type of the kind other keywords are about is tested by their check
        ({"type": "string", "minLength": 1}, ["a"], ["", 1, None, ["a"]]),
        ({"type": "string", "minLength": 1, "maxLength": 2}, ["ab"], ["", "abc", 1, {}]),
        ({"type": "string", "maxLength": 0}, [""], ["a", 0]),
        ({"type": "array", "items": {"type": "null"}}, [[], [None]], [{}, None, [1], "x"]),
        ({"type": "array", "items": True, "minLength": 1}, [[]], [{}, ""]),
        ({"type": "object", "required": ["a"]}, [{"a": 1}], [{}, [], "a", None]),
        ({"type": "object", "properties": {}}, [{}, {"b": 1}], [[], 1]),
        ({"type": "object", "items": False, "required": []}, [{}], [[], [1]]),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": True},
                "additionalProperties": False,
                "required": ["a"],
            },
            [{"a": "x"}, {"a": "x", "b": 1}],
            [{}, {"b": 1}, {"a": 1}, {"a": "x", "c": 1}, []],
        ),
        (
            {"properties": {"a": {"type": "null"}}, "additionalProperties": {"type": "string"}},
            [{"a": None, "b": "x"}, {}],
            [{"a": "x"}, {"b": None}],
        ),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1.5], [1, "x"]),
        ({"anyOf": [{"type": "integer"}, {"minLength": 1}]}, [1, "x", []], [""]),
        ({"allOf": [{"type": "string"}, {"minLength": 1}]}, ["x"], ["", 1]),
        ({"not": {"type": "string"}}, [1, None], ["x"]),
        ({"$defs": {"s": {"type": "string"}}, "items": {"$ref": "#/$defs/s"}}, [["a"]], [[1]]),
        ({"$defs": {"t": {"items": {"$ref": "#/$defs/t"}}}, "$ref": "#/$defs/t"}, [[[]]], []),
        (True, [1, None], []),
        (False, [], [1, None]),
    ],
)
def test_keywords_agree_with_jsonschema(
    schema: Any, valid: list[object], invalid: list[object]
) -> None:
    quick = (
        compile_schema(schema) if isinstance(schema, dict) else compile_schema({"allOf": [schema]})
    )
    authority = jsonschema.Draft202012Validator(schema)
    for value in valid:
        assert quick(value) and authority.is_valid(value), value
    for value in invalid:
        assert not quick(value) and not authority.is_valid(value), value


@pytest.mark.parametrize(
    "schema",
    [
        {"enum": [1]},
        {"const": 1},
        {"pattern": "a"},
        {"format": "uri"},
        {"minItems": 1},
        {"patternProperties": {"a": {}}, "additionalProperties": False},
        {"prefixItems": [{}], "items": False},
        {"$ref": "other.json#/a"},
        {"$ref": "#anchor"},
        {"$ref": "#/$defs/missing"},
        {"type": "date"},
        {"minLength": -1},
        {"maxLength": None},
        {"required": "a"},
        {"properties": []},
        {"oneOf": []},
        {"unevaluatedProperties": False},
    ],
)
def test_anything_else_is_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchema):
        compile_schema(schema)


def test_a_valid_metadata_json_does_not_import_jsonschema() -> None:
    code = (
        "import sys; from mext_lint.cli import main;"
        " code = main(['--format', 'json', 'examples/kubectl-multiarch']);"
        " assert 'jsonschema' not in sys.modules, 'jsonschema imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
