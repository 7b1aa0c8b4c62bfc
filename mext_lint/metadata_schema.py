"""metadata.json checked against mext-lint's own strict schema, reported at line:col in plain words.

A valid document is recognised by :mod:`mext_lint.schema_check` (an exact yes/no validator for the
keywords the schema uses); jsonschema, which takes ~100 ms to import, is imported only for a
document that is not valid, to say what is wrong. Both compiled validators are kept for the rest
of the process.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from mext_lint.lazy_re import compile_later
from mext_lint.metadata import MAX_NESTING, Metadata, make_pointer
from mext_lint.spans import Problem

SCHEMA_RESOURCE = "schemas/metadata.schema.json"

_PLAIN_KEY = compile_later(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}
_LEGACY_ROOT_KEYS = frozenset({"name", "provider"})
# OS names people write for host.binaries keys, mapped to the one Docker Desktop reads.
_OS_ALIASES = {
    "macos": "darwin",
    "mac": "darwin",
    "osx": "darwin",
    "win": "windows",
    "win32": "windows",
    "win64": "windows",
}


class _SchemaError(Protocol):
    """The parts of a ``jsonschema.ValidationError`` read here."""

    validator: str
    validator_value: Any
    instance: object
    absolute_path: Sequence[str | int]
    schema: Mapping[str, Any]
    context: Sequence[_SchemaError]
    message: str


class _Validator(Protocol):
    def iter_errors(self, instance: object) -> Iterator[_SchemaError]: ...


def load_schema() -> dict[str, Any]:
    """The schema shipped inside the package."""
    try:  # a plain file beside this module: no importlib.resources (and zipfile) to import
        text = (Path(__file__).parent / SCHEMA_RESOURCE).read_text(encoding="utf-8")
    except OSError:  # the package is in a zip file or the like
        from importlib import resources

        text = resources.files("mext_lint").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_metadata(meta: Metadata) -> list[Problem]:
    """Schema problems of metadata.json in file order ([] when it is not valid JSON)."""
    if meta.error is not None:
        return []
    if meta.depth > MAX_NESTING:  # jsonschema would recurse (and its messages repr) per level
        message = (
            f"metadata.json nests {meta.depth} levels deep, too deep to check against the schema;"
            " a real metadata.json is a few levels deep"
        )
        return [Problem(meta.deepest_span(), message)]
    quick = _quick_check()
    if quick is not None and quick(_binaries_set_aside(meta)):
        return []  # jsonschema would find nothing: do not import it
    problems: set[Problem] = set()
    for error in _validator().iter_errors(meta.data):
        problems.update(_problems(meta, error))
    return sorted(problems, key=lambda p: (p.span.line, p.span.column, p.message))


def _binaries_set_aside(meta: Metadata) -> object:
    """The parsed value, with ``host.binaries`` emptied if listing the binaries found them as
    the schema wants: a metadata.json can list 100,000, and they need not be walked twice."""
    data = meta.data
    if not meta.host_binaries_as_schema_wants or not isinstance(data, dict):
        return data
    host = data["host"]
    assert isinstance(host, dict)
    return {**data, "host": {**host, "binaries": []}}


@functools.cache
def _quick_check() -> Callable[[object], bool] | None:
    """The yes/no validator of the shipped schema; None if it used a keyword it cannot check."""
    from mext_lint.schema_check import UnsupportedSchema, compile_schema

    try:
        return compile_schema(load_schema())
    except UnsupportedSchema:
        return None


@functools.cache
def _validator() -> _Validator:
    import jsonschema

    validator: _Validator = jsonschema.Draft202012Validator(load_schema())
    return validator


def _problems(meta: Metadata, error: _SchemaError) -> list[Problem]:
    tokens = list(error.absolute_path)
    pointer = make_pointer(*tokens)
    where = _json_path(tokens)
    kind = error.validator
    if kind == "additionalProperties":
        return _unknown_keys(meta, error, tokens)
    if kind == "required":
        return _missing_keys(meta, error, tokens)
    if kind in ("oneOf", "anyOf"):
        return _alternatives(meta, error, tokens)
    if kind == "type":
        expected = _expected_type(error.validator_value)
        found = _describe_value(error.instance)
        subject = "metadata.json" if not tokens else where
        message = f"{subject} must be {expected}, found {found}"
        return [Problem(meta.value_span(pointer), message)]
    if kind == "minLength":
        return [Problem(meta.value_span(pointer), f"{where} must not be empty")]
    return [Problem(meta.value_span(pointer), f"{where}: {error.message}")]


def _unknown_keys(meta: Metadata, error: _SchemaError, tokens: list[str | int]) -> list[Problem]:
    if not isinstance(error.instance, dict):
        return []
    allowed = list(error.schema.get("properties", {}))
    only = ", ".join(allowed)
    place = f"in {_json_path(tokens)}" if tokens else "at the top level of metadata.json"
    problems = []
    for key in error.instance:
        if key in allowed:
            continue
        advice = _unknown_key_advice(key, allowed, tokens)
        message = f'"{key}" is not allowed {place} (only {only}); {advice}'
        problems.append(Problem(meta.key_span(make_pointer(*tokens, key)), message))
    return problems


def _unknown_key_advice(key: str, allowed: list[str], tokens: list[str | int]) -> str:
    if not tokens and key in _LEGACY_ROOT_KEYS:
        return (
            "remove it (a key from early SDK versions: Docker's validator rejects it, and the "
            "Marketplace takes the name and publisher from the image labels)"
        )
    alias = _OS_ALIASES.get(key.lower())
    if alias in allowed:
        return f'did you mean "{alias}"?'
    import difflib  # only when there is a typo to correct

    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}"?'
    return "remove it"


def _missing_keys(meta: Metadata, error: _SchemaError, tokens: list[str | int]) -> list[Problem]:
    if not isinstance(error.instance, dict):
        return []
    owner = _json_path(tokens) if tokens else "metadata.json"
    span = meta.key_span(make_pointer(*tokens))
    properties = error.schema.get("properties", {})
    problems = []
    for name in error.validator_value:
        if name in error.instance:
            continue
        what = properties.get(name, {}).get("title")
        described = f'"{name}" ({what})' if what else f'"{name}"'
        problems.append(Problem(span, f"{owner} is missing {described}; add it"))
    return problems


def _alternatives(meta: Metadata, error: _SchemaError, tokens: list[str | int]) -> list[Problem]:
    """One message for a oneOf/anyOf instead of jsonschema's "not valid under any" noise."""
    choices = _required_choices(error.validator_value)
    if choices is None:
        return _most_specific_branch(meta, error)
    if not isinstance(error.instance, dict):
        return []  # the type error on the same value says it better
    owner = _json_path(tokens)
    present = [name for name in choices if name in error.instance]
    quoted = " or ".join(f'"{name}"' for name in choices)
    if not present:
        message = f"{owner} must set one of {quoted}; add one"
        return [Problem(meta.key_span(make_pointer(*tokens)), message)]
    if len(present) > 1 and error.validator == "oneOf":
        spans = [meta.key_span(make_pointer(*tokens, name)) for name in present]
        last_written = max(spans, key=lambda span: (span.line, span.column))
        message = f"{owner} must set exactly one of {quoted}, not both; remove one"
        return [Problem(last_written, message)]
    return []


def _required_choices(branches: object) -> list[str] | None:
    """["image", "composefile"] for ``oneOf: [{required: [image]}, {required: [composefile]}]``."""
    if not isinstance(branches, list):
        return None
    choices = []
    for branch in branches:
        if not isinstance(branch, dict) or set(branch) != {"required"}:
            return None
        required = branch["required"]
        if not isinstance(required, list) or len(required) != 1:
            return None
        choices.append(str(required[0]))
    return choices


def _most_specific_branch(meta: Metadata, error: _SchemaError) -> list[Problem]:
    """Report the deepest failure among the branches (a type mismatch only as a last resort)."""
    if not error.context:
        pointer = make_pointer(*error.absolute_path)
        where = _json_path(list(error.absolute_path))
        return [Problem(meta.value_span(pointer), f"{where}: {error.message}")]
    best = max(
        error.context,
        key=lambda branch: (len(branch.absolute_path), branch.validator != "type"),
    )
    return _problems(meta, best)


def _json_path(tokens: Sequence[str | int]) -> str:
    """``host.binaries[0].darwin[1].path``; keys that are not plain words as ``["a key"]``."""
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, int):
            parts.append(f"[{token}]")
        elif _PLAIN_KEY.match(token):
            parts.append(f".{token}" if parts else token)
        else:
            parts.append(f"[{json.dumps(token)}]")
    return "".join(parts) or "the top level"


def _expected_type(expected: object) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(_TYPE_NAMES.get(str(name), str(name)) for name in names)


def _describe_value(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."
