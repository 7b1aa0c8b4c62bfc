"""Is a JSON value valid against a JSON Schema (2020-12)? Yes or no, for a small keyword subset.

jsonschema stays the authority on *what* is wrong (it takes ~100 ms to import); this module only
answers "valid or not" for the keywords mext-lint's metadata schema uses, exactly as jsonschema's
Draft202012Validator does, so a valid metadata.json (the usual case) never imports jsonschema.

Supported: ``type``, ``properties``, ``additionalProperties``, ``required``, ``minLength``,
``maxLength``, ``items``, ``allOf``, ``anyOf``, ``oneOf``, ``not``, ``$ref`` to a JSON pointer in
the same document, boolean schemas, and keywords that only annotate (``title``, ``$defs``...).
A schema that uses anything else raises :class:`UnsupportedSchema` when compiled: the caller
then asks jsonschema every time. tests/test_schema_check.py compares both on mutated documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[object], bool]

_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)


class UnsupportedSchema(Exception):
    """The schema uses a keyword (or a form of one) this module does not implement."""


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": _is_number,
    "integer": lambda value: (
        (isinstance(value, int) and not isinstance(value, bool))
        or (isinstance(value, float) and value.is_integer())
    ),
}


def compile_schema(schema: Mapping[str, Any]) -> Check:
    """A function telling whether a value (as ``json.loads`` returns it) is valid."""
    return _Compiler(schema).compile(schema)


# Keywords about an object's members, checked together in one pass over its items.
_MEMBER_KEYWORDS = frozenset({"properties", "additionalProperties", "required"})
# Keywords about a string's length, checked together.
_LENGTH_KEYWORDS = frozenset({"minLength", "maxLength"})


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: object) -> Check:
        if schema is True:
            return _accept
        if schema is False:
            return lambda value: False
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(f"a schema must be an object or a boolean: {schema!r}")
        keywords: dict[str, Callable[[object], Check]] = {
            "type": self._type,
            "items": self._items,
            "allOf": self._all_of,
            "anyOf": self._any_of,
            "oneOf": self._one_of,
            "not": self._not,
            "$ref": self._ref,
        }
        folded = _folded_type(schema)
        checks: list[Check] = []
        for keyword, argument in schema.items():
            if (
                keyword in _ANNOTATIONS
                or keyword in _MEMBER_KEYWORDS
                or keyword in _LENGTH_KEYWORDS
                or (keyword == "type" and folded is not None)
            ):
                continue
            if keyword not in keywords:
                raise UnsupportedSchema(f"keyword {keyword!r} is not supported")
            if keyword == "items" and "prefixItems" in schema:
                raise UnsupportedSchema("prefixItems")
            if keyword == "items":
                checks.append(self._items(argument, strict=folded == "array"))
            else:
                checks.append(keywords[keyword](argument))
        if not _MEMBER_KEYWORDS.isdisjoint(schema):
            checks.append(self._members(schema, strict=folded == "object"))
        if not _LENGTH_KEYWORDS.isdisjoint(schema):
            checks.append(_length(schema, strict=folded == "string"))
        return _every(checks)

    def _type(self, argument: object) -> Check:
        names = argument if isinstance(argument, list) else [argument]
        tests = tuple(_TYPES[name] for name in names if isinstance(name, str) and name in _TYPES)
        if not names or len(tests) != len(names):
            raise UnsupportedSchema(f"type {argument!r}")
        return tests[0] if len(tests) == 1 else _some(tests)

    def _members(self, schema: Mapping[str, Any], strict: bool = False) -> Check:
        """``properties``, ``additionalProperties`` and ``required`` in one pass over an object
        (``strict``: and ``type: object``, so a value that is not an object fails)."""
        argument = schema.get("properties", {})
        if not isinstance(argument, Mapping):
            raise UnsupportedSchema("properties must be an object")
        properties = {name: self.compile(sub) for name, sub in argument.items()}
        required = schema.get("required", [])
        if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
            raise UnsupportedSchema("required must be a list of strings")
        names = frozenset(required)
        if "additionalProperties" not in schema:
            additional: Check | None = _accept
        elif "patternProperties" in schema:
            raise UnsupportedSchema("patternProperties")
        elif schema["additionalProperties"] is False:
            additional = None  # no other member allowed
        else:
            additional = self.compile(schema["additionalProperties"])

        def check(value: object) -> bool:
            if not isinstance(value, dict):
                return not strict
            for key, item in value.items():
                test = properties.get(key, additional)
                if test is None or not test(item):
                    return False
            return value.keys() >= names

        return check

    def _items(self, argument: object, strict: bool = False) -> Check:
        """``items`` (``strict``: and ``type: array``)."""
        if isinstance(argument, list):
            raise UnsupportedSchema("prefixItems or an items array")
        test = self.compile(argument)
        if strict:
            return lambda value: isinstance(value, list) and all(map(test, value))
        return lambda value: not isinstance(value, list) or all(map(test, value))

    def _all_of(self, argument: object) -> Check:
        return _every(self._branches(argument))

    def _any_of(self, argument: object) -> Check:
        return _some(tuple(self._branches(argument)))

    def _one_of(self, argument: object) -> Check:
        tests = self._branches(argument)
        return lambda value: sum(1 for test in tests if test(value)) == 1

    def _not(self, argument: object) -> Check:
        test = self.compile(argument)
        return lambda value: not test(value)

    def _ref(self, argument: object) -> Check:
        if not isinstance(argument, str) or not argument.startswith("#"):
            raise UnsupportedSchema(f"$ref {argument!r}: only references into this document")
        if argument in self.refs:  # compiled, or a reference to a schema being compiled
            return self.refs[argument]
        compiled: list[Check] = []
        self.refs[argument] = lambda value: compiled[0](value)  # for recursive references
        compiled.append(self.compile(self._resolve(argument)))
        self.refs[argument] = compiled[0]
        return compiled[0]

    def _resolve(self, reference: str) -> object:
        pointer = reference[1:]
        if pointer and not pointer.startswith("/"):
            raise UnsupportedSchema(f"$ref {reference!r}: anchors are not supported")
        node: object = self.root
        for raw in pointer.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            if "%" in token:
                raise UnsupportedSchema(f"$ref {reference!r}: percent-encoding")
            if isinstance(node, Mapping) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise UnsupportedSchema(f"$ref {reference!r} does not resolve")
        return node

    def _branches(self, argument: object) -> list[Check]:
        if not isinstance(argument, list) or not argument:
            raise UnsupportedSchema("allOf/anyOf/oneOf must be a non-empty list")
        return [self.compile(branch) for branch in argument]


def _accept(value: object) -> bool:
    return True


def _count(argument: object) -> int:
    if not isinstance(argument, int) or isinstance(argument, bool) or argument < 0:
        raise UnsupportedSchema(f"a length must be a non-negative integer: {argument!r}")
    return argument


def _folded_type(schema: Mapping[str, Any]) -> str | None:
    """The ``type`` the check of the object, array or string keywords of ``schema`` tests too
    (one call per value instead of two), if any."""
    kind = schema.get("type")
    if kind == "object" and not _MEMBER_KEYWORDS.isdisjoint(schema):
        return "object"
    if kind == "array" and "items" in schema:
        return "array"
    if kind == "string" and not _LENGTH_KEYWORDS.isdisjoint(schema):
        return "string"
    return None


def _length(schema: Mapping[str, Any], strict: bool = False) -> Check:
    """``minLength`` and ``maxLength``, either or both (``strict``: and ``type: string``)."""
    low = _count(schema.get("minLength", 0))
    if "maxLength" not in schema:
        if strict:
            return lambda value: isinstance(value, str) and len(value) >= low
        return lambda value: not isinstance(value, str) or len(value) >= low
    high = _count(schema["maxLength"])
    if strict:
        return lambda value: isinstance(value, str) and low <= len(value) <= high
    return lambda value: not isinstance(value, str) or low <= len(value) <= high


def _every(checks: list[Check]) -> Check:
    if not checks:
        return _accept
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    tests = tuple(checks)
    return lambda value: all(test(value) for test in tests)


def _some(tests: tuple[Check, ...]) -> Check:
    return lambda value: any(test(value) for test in tests)
