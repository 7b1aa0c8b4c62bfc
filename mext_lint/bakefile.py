"""The targets of a ``docker-bake.hcl`` or ``docker-bake.json`` that build the extension image.

Only what is written literally is read: a ``target "name" { ... }`` block's string and
list-of-string attributes. Interpolations (``"${TAG}"``) become UNKNOWN marks; functions,
variables and heredocs make the whole attribute unknown. A target builds the extension image when
its context is the extension root and its Dockerfile is the extension's (both by default).
"""

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from mext_lint.buildfiles import (
    LOCAL_OUTPUTS,
    UNKNOWN,
    ImageBuild,
    LineIndex,
    PlatformsValue,
    output_kind,
)
from mext_lint.spans import Span

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:\r\n|\r|\n)")
_PUNCTUATION = "{}[](),=:?!<>+-*/%&|."
_INTERPOLATION = re.compile(r"[$%]\{[^}]*\}?")
_LINE_END = re.compile(r"\r|\n")

# An attribute's value: a string, a list of strings, or None when it is not written literally.
Value = str | tuple[str, ...] | None


class _Token(NamedTuple):
    kind: str  # "ident", "string", "newline", "punct", "other"
    text: str  # the string's value (interpolations as UNKNOWN), or the token itself
    start: int
    end: int


class Attribute(NamedTuple):
    value: Value
    span: Span


class Target(NamedTuple):
    name: str
    span: Span  # the target's name label
    attributes: dict[str, Attribute]


def read_bake_file(text: str, path: str, file_name: str, dockerfile_name: str) -> list[ImageBuild]:
    """The bake targets of ``text``; those building the extension's Dockerfile from its root
    are marked ``extension``."""
    targets = _json_targets(text, path) if file_name.endswith(".json") else _hcl_targets(text, path)
    return [_image_build(target, _builds_extension(target, dockerfile_name)) for target in targets]


def _builds_extension(target: Target, dockerfile_name: str) -> bool:
    attributes = target.attributes
    if "dockerfile-inline" in attributes:
        return False
    context = attributes.get("context")
    if context is not None and not (
        isinstance(context.value, str) and posixpath.normpath(context.value) == "."
    ):
        return False
    dockerfile = attributes.get("dockerfile")
    return dockerfile is None or (
        isinstance(dockerfile.value, str)
        and posixpath.basename(dockerfile.value) == dockerfile_name
    )


def _image_build(target: Target, extension: bool) -> ImageBuild:
    attributes = target.attributes
    platforms = attributes.get("platforms")
    asked = None
    if platforms is not None:
        values = platforms.value if isinstance(platforms.value, tuple) else (UNKNOWN,)
        asked = PlatformsValue(values, platforms.span)
    tags = attributes.get("tags")
    outputs = attributes.get("output")
    output_values = outputs.value if outputs is not None else ()
    local = not isinstance(output_values, tuple) or any(
        output_kind(value) in LOCAL_OUTPUTS for value in output_values
    )
    tag_values = tags.value if tags is not None and isinstance(tags.value, tuple) else ()
    origin = f'bake target "{target.name}"'
    return ImageBuild(origin, target.span, asked, tag_values, not local, extension)


# -- docker-bake.json -------------------------------------------------------------------------


def _json_targets(text: str, path: str) -> list[Target]:
    from mext_lint.metadata import load_metadata, make_pointer

    document = load_metadata(text, path)
    targets = document.data.get("target") if isinstance(document.data, dict) else None
    if not isinstance(targets, dict):
        return []
    found = []
    for name, body in targets.items():
        if not isinstance(body, dict):
            continue
        attributes = {
            key: Attribute(
                _json_value(value), document.value_span(make_pointer("target", name, key))
            )
            for key, value in body.items()
        }
        found.append(Target(name, document.key_span(make_pointer("target", name)), attributes))
    return found


def _json_value(value: object) -> Value:
    if isinstance(value, str):
        return _template(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(_template(item) for item in value)
    return None


def _template(value: str) -> str:
    """``"docker/ext:${TAG}"`` -> ``"docker/ext:" + UNKNOWN``."""
    return _INTERPOLATION.sub(UNKNOWN, value)


# -- docker-bake.hcl --------------------------------------------------------------------------


def _hcl_targets(text: str, path: str) -> list[Target]:
    index = LineIndex(text, path)
    tokens = list(_tokenize(text))
    found: list[Target] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token.kind != "ident":
            position += 1
            continue
        labels: list[_Token] = []
        position += 1
        while position < len(tokens) and tokens[position].kind == "string":
            labels.append(tokens[position])
            position += 1
        if position >= len(tokens) or tokens[position].text != "{":
            position = _skip_expression(tokens, position)
            continue
        body_end = _matching_brace(tokens, position)
        if token.text == "target" and len(labels) == 1:
            attributes = _attributes(tokens[position + 1 : body_end], index)
            label = labels[0]
            found.append(Target(label.text, index.span(label.start, label.end), attributes))
        position = body_end + 1
    return found


def _attributes(tokens: list[_Token], index: LineIndex) -> dict[str, Attribute]:
    attributes: dict[str, Attribute] = {}
    position = 0
    while position < len(tokens):
        token = tokens[position]
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        if token.kind == "ident" and following is not None and following.text == "=":
            end = _skip_expression(tokens, position + 2)
            expression = tokens[position + 2 : end]
            if expression:
                span = index.span(expression[0].start, expression[-1].end)
                attributes[token.text] = Attribute(_literal(expression), span)
            position = end
        elif token.text == "{":
            position = _matching_brace(tokens, position) + 1  # a nested block
        else:
            position += 1
    return attributes


def _literal(expression: list[_Token]) -> Value:
    """A string or a list of strings written literally; None for any other expression."""
    significant = [token for token in expression if token.kind != "newline"]
    if len(significant) == 1 and significant[0].kind == "string":
        return significant[0].text
    if len(significant) < 2 or significant[0].text != "[" or significant[-1].text != "]":
        return None
    items = [token for token in significant[1:-1] if token.text != ","]
    separators = [token for token in significant[1:-1] if token.text == ","]
    if any(token.kind != "string" for token in items) or len(separators) > len(items):
        return None
    return tuple(token.text for token in items)


def _skip_expression(tokens: list[_Token], position: int) -> int:
    """The index just past an expression: at a newline or '}' outside any bracket."""
    depth = 0
    while position < len(tokens):
        text = tokens[position].text
        kind = tokens[position].kind
        if kind == "punct" and text in "([{":
            depth += 1
        elif kind == "punct" and text in ")]}":
            if depth == 0:
                return position
            depth -= 1
        elif kind == "newline" and depth == 0:
            return position
        position += 1
    return position


def _matching_brace(tokens: list[_Token], position: int) -> int:
    depth = 0
    for index in range(position, len(tokens)):
        if tokens[index].kind != "punct":
            continue
        if tokens[index].text in "([{":
            depth += 1
        elif tokens[index].text in ")]}":
            depth -= 1
            if depth == 0:
                return index
    return len(tokens)


def _tokenize(text: str) -> Iterator[_Token]:
    position = 0
    while position < len(text):
        char = text[position]
        if char in " \t":
            position += 1
        elif char in "\r\n":
            end = position + (2 if text.startswith("\r\n", position) else 1)
            yield _Token("newline", "\n", position, end)
            position = end
        elif char == "#" or text.startswith("//", position):
            newline = _LINE_END.search(text, position)
            position = newline.start() if newline else len(text)
        elif text.startswith("/*", position):
            close = text.find("*/", position + 2)
            position = close + 2 if close >= 0 else len(text)
        elif char == '"':
            end, value = _string(text, position)
            yield _Token("string", value, position, end)
            position = end
        elif _HEREDOC.match(text, position):
            end = _heredoc_end(text, position)
            yield _Token("other", "<<heredoc>>", position, end)
            position = end
        else:
            identifier = _IDENTIFIER.match(text, position)
            if identifier is not None:
                yield _Token("ident", identifier.group(), position, identifier.end())
                position = identifier.end()
            elif char in _PUNCTUATION:
                yield _Token("punct", char, position, position + 1)
                position += 1
            else:
                yield _Token("other", char, position, position + 1)
                position += 1


_ESCAPES: Mapping[str, str] = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _string(text: str, start: int) -> tuple[int, str]:
    """The end of the quoted string at ``start`` and its value (interpolations as UNKNOWN)."""
    value: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == '"':
            return position + 1, "".join(value)
        if char in "\r\n":
            break  # HCL strings do not span lines: an unterminated string
        if char == "\\" and position + 1 < len(text):
            escaped = text[position + 1]
            value.append(_ESCAPES.get(escaped, UNKNOWN))
            position += 2
            continue
        if text.startswith(("${", "%{"), position) and not text.startswith(
            ("$${", "%%{"), position - 1
        ):
            close = text.find("}", position)
            if close < 0:
                break
            value.append(UNKNOWN)
            position = close + 1
            continue
        value.append(char)
        position += 1
    return position, UNKNOWN


def _heredoc_end(text: str, start: int) -> int:
    match = _HEREDOC.match(text, start)
    assert match is not None
    terminator = re.compile(rf"^[ \t]*{re.escape(match.group(1))}[ \t]*$", re.M)
    found = terminator.search(text, match.end())
    return found.end() if found else len(text)
