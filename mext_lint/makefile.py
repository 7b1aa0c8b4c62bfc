"""The docker build commands of a Makefile, with make variables expanded where that is certain.

Read like GNU make reads the files ``docker extension init`` writes: logical lines joined at a
trailing backslash, variables set with ``=``, ``?=``, ``:=``, ``::=`` and ``+=`` (a ``!=``/
``$(shell ...)`` value, or one set inside ``ifeq``/``ifdef``, is unknown), rules with
tab-indented recipes. Each recipe line is split into shell commands at ``&&``, ``||``, ``;`` and
``|``; a ``docker build``, ``docker buildx build`` or ``docker image build`` among them becomes an
:class:`ImageBuild`. An undefined variable is unknown, not empty: ``make push-extension tag=0.1``
sets it from the command line.
"""

import re
import shlex
from collections.abc import Iterator
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

_ASSIGNMENT = re.compile(
    r"^(?:(?:override|export)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(:::=|::=|:=|\?=|\+=|!=|=)\s*(.*)$",
    re.S,
)
_RULE = re.compile(r"^([^\s:=#][^:=]*?)\s*::?(?!=)(.*)$", re.S)
_CONDITIONAL_START = re.compile(r"^\s*(ifeq|ifneq|ifdef|ifndef)\b")
_CONDITIONAL_END = re.compile(r"^\s*endif\b")
_DEFINE = re.compile(r"^\s*(?:(?:override|export)\s+)*define\b")
_ENDEF = re.compile(r"^\s*endef\b")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_CONTINUATION_BREAK = re.compile(r"\\(?:\r\n|\r|\n)[ \t]*")
_RELEASE_TARGET = re.compile(r"push|release|publish", re.I)
_COMMAND_SEPARATORS = ("&&", "||", ";", "|", "&", "(", ")")
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = frozenset({"sudo", "env", "time", "exec", "command", "nohup"})
_MAX_EXPANSION_DEPTH = 20
_MAX_EXPANSION_LENGTH = 1 << 16  # a Makefile value a build command uses is a line or two
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_COMMENT = re.compile(r"(?<!\\)#")
_SHELL_SPECIAL = re.compile(r"[\s'\"\\]")


class _Line(NamedTuple):
    start: int  # offset of the logical line's first character in the text
    end: int  # offset just past its last character (before the final line break)


class _Word(NamedTuple):
    text: str
    span: Span


def read_makefile(text: str, path: str, dockerfile_name: str) -> list[ImageBuild]:
    """Every docker build command in the recipes of ``text`` (a Makefile shown as ``path``);
    those building ``dockerfile_name`` from the Makefile's directory are marked ``extension``."""
    return _Makefile(text, LineIndex(text, path), dockerfile_name).builds()


class _Makefile:
    def __init__(self, text: str, index: LineIndex, dockerfile_name: str) -> None:
        self.text = text
        self.index = index
        self.dockerfile_name = dockerfile_name
        self.variables: dict[str, str | None] = {}  # raw (recursive) values; None: unknown
        self._expanded: dict[str, str] = {}  # memo of variable expansions

    def builds(self) -> list[ImageBuild]:
        # make expands recipes once every assignment is read: collect them first.
        recipes: list[tuple[int, int, list[str]]] = []
        targets: list[str] = []
        depth = 0
        in_define = False
        for line in _logical_lines(self.text):
            raw = self.text[line.start : line.end]
            if in_define:
                in_define = not _ENDEF.match(raw)
                continue
            if raw.startswith("\t") and targets:
                recipes.append((line.start + 1, line.end, targets))
                continue
            statement = _strip_comment(_CONTINUATION_BREAK.sub(" ", raw)).strip()
            if not statement:
                continue
            if _DEFINE.match(statement):
                in_define = True
                continue
            if _CONDITIONAL_START.match(statement):
                depth += 1
                continue
            if _CONDITIONAL_END.match(statement):
                depth = max(depth - 1, 0)
                continue
            assignment = _ASSIGNMENT.match(statement)
            if assignment is not None:
                self.assign(*assignment.groups(), conditional=depth > 0)
                targets = []
                continue
            rule = _RULE.match(statement)
            targets = rule.group(1).split() if rule is not None else []
            inline = raw.find(";", 0, _comment_start(raw)) if rule is not None else -1
            if inline >= 0:  # "target: prerequisites ; recipe"
                recipes.append((line.start + inline + 1, line.end, targets))
        return [build for recipe in recipes for build in self.recipe_builds(*recipe)]

    def assign(self, name: str, operator: str, value: str, *, conditional: bool) -> None:
        self._expanded.clear()  # values expanded so far may depend on this variable
        if conditional or operator == "!=":
            self.variables[name] = None
        elif operator == "?=":
            self.variables.setdefault(name, value)
        elif operator == "+=":
            previous = self.variables.get(name, "")
            self.variables[name] = None if previous is None else f"{previous} {value}".strip()
        elif operator in (":=", "::=", ":::="):
            self.variables[name] = self.expand(value).replace("$", "$$")
        else:
            self.variables[name] = value

    def expand(self, raw: str, depth: int = 0) -> str:
        """Make's expansion of ``raw``; what cannot be known becomes UNKNOWN."""
        out: list[str] = []
        position = 0
        while position < len(raw):
            dollar = raw.find("$", position)
            if dollar < 0:
                out.append(raw[position:])
                break
            out.append(raw[position:dollar])
            name, position = _reference(raw, dollar)
            if name == "$":
                out.append("$")
                continue
            out.append(self.variable(name, depth))
        expanded = "".join(out)
        return expanded if len(expanded) <= _MAX_EXPANSION_LENGTH else UNKNOWN

    def variable(self, name: str, depth: int) -> str:
        value = self.variables.get(name) if _NAME.match(name) else None
        if value is None or depth >= _MAX_EXPANSION_DEPTH:
            return UNKNOWN
        if name not in self._expanded:
            self._expanded[name] = self.expand(value, depth + 1)
        return self._expanded[name]

    def recipe_builds(self, start: int, end: int, targets: list[str]) -> Iterator[ImageBuild]:
        origin = f'make target "{targets[0]}"' if targets else "the Makefile"
        release_target = any(_RELEASE_TARGET.search(target) for target in targets)
        for command in _commands(self.text, start, end, self.index):
            words = self.shell_words(command)
            if words is None:
                continue
            arguments = _build_arguments(words)
            if arguments is None:
                continue
            span = Span(
                self.index.path,
                command[0][1].line,
                command[0][1].column,
                command[-1][1].end_line,
                command[-1][1].end_column,
            )
            yield _image_build(origin, span, arguments, release_target, self.dockerfile_name)

    def shell_words(self, command: list[tuple[str, Span]]) -> list[_Word] | None:
        """The words the shell sees, each with the span of the token it came from."""
        words: list[_Word] = []
        for token, span in command:
            try:
                split = shell_split(self.expand(token))
            except ValueError:
                return None
            words.extend(_Word(word, span) for word in split)
        return words


def shell_split(text: str) -> list[str]:
    """``shlex.split(text)``; a word with no blank, quote or backslash is itself, as nearly
    every word of a build command is (shlex reads one character at a time)."""
    if text and _SHELL_SPECIAL.search(text) is None:
        return [text]
    return shlex.split(text, posix=True)


def _image_build(
    origin: str, span: Span, arguments: list[_Word], release_target: bool, dockerfile_name: str
) -> ImageBuild:
    platforms: list[str] = []
    platforms_span: Span | None = None
    tags: list[str] = []
    positionals: list[str] = []
    dockerfile: str | None = None
    pushes = local = False
    for option, value in _options(arguments):
        if not option.startswith("-"):
            positionals.append(option)
        elif option in ("--file", "-f") and value is not None:
            dockerfile = value.text
        elif option == "--platform" and value is not None:
            platforms.extend(p for p in value.text.split(",") if p.strip())
            platforms_span = platforms_span or value.span
        elif option in ("--tag", "-t") and value is not None:
            tags.append(value.text)
        elif option == "--push":
            pushes = True
        elif option == "--load":
            local = True
        elif option in ("--output", "-o") and value is not None:
            kind = output_kind(value.text)
            pushes = pushes or kind == "registry"
            local = local or kind in LOCAL_OUTPUTS
    asked = PlatformsValue(tuple(platforms), platforms_span) if platforms_span else None
    release = pushes or (release_target and not local)
    context = positionals[-1] if positionals else None
    extension = context in (".", "./") and (
        dockerfile is None or dockerfile.rsplit("/", 1)[-1] == dockerfile_name
    )
    return ImageBuild(origin, span, asked, tuple(tags), release, extension)


# Options of docker (buildx) build that take a value, so that a value is not read as the context.
_VALUE_OPTIONS = frozenset(
    {
        *("--platform", "--tag", "-t", "--output", "-o", "--file", "-f", "--build-arg"),
        *("--builder", "--build-context", "--cache-from", "--cache-to", "--label", "--target"),
        *("--network", "--progress", "--secret", "--ssh", "--iidfile", "--metadata-file"),
        *("--annotation", "--attest", "--add-host", "--allow", "--call", "--cgroup-parent"),
        *("--shm-size", "--ulimit", "--memory", "-m", "--isolation", "--security-opt"),
    }
)


def _options(arguments: list[_Word]) -> Iterator[tuple[str, _Word | None]]:
    """(option, value) pairs: ``--platform=x``, ``--platform x``, ``-tname``, ``--push``."""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        name, equals, value = word.text.partition("=")
        if equals and name.startswith("--"):
            yield name, _Word(value, word.span)
        elif word.text in _VALUE_OPTIONS:
            following = arguments[index] if index < len(arguments) else None
            index += following is not None
            yield word.text, following
        elif word.text[:2] in ("-t", "-o", "-f") and len(word.text) > 2 and word.text[1] != "-":
            yield word.text[:2], _Word(word.text[2:], word.span)
        else:
            yield word.text, None


def _build_arguments(words: list[_Word]) -> list[_Word] | None:
    """The arguments after ``docker [buildx|image] build``; None if it is no build command."""
    index = _command_word(words)
    if index is not None and words[index].text.rsplit("/", 1)[-1] == "docker":
        rest = [w.text for w in words[index + 1 :]]
        position = 0
        if rest[:1] in (["buildx"], ["image"]):
            position = 1
            while position < len(rest) and rest[position].startswith("-"):
                position += 2 if rest[position] == "--builder" else 1
        if (
            position < len(rest)
            and rest[position] in ("build", "b")
            and (rest[position] == "build" or rest[:1] == ["buildx"])
        ):
            return words[index + 1 + position + 1 :]
    return None


def _command_word(words: list[_Word]) -> int | None:
    """The index of the program a shell command runs, after ``NAME=value`` assignments and
    wrappers such as ``sudo``; None for an assignment-only command."""
    for index, word in enumerate(words):
        if _ENV_ASSIGNMENT.match(word.text) or word.text in _WRAPPERS:
            continue
        return index
    return None


def _reference(raw: str, dollar: int) -> tuple[str, int]:
    """The variable name a ``$`` at ``dollar`` refers to, and the offset after the reference.

    ``$$`` yields "$"; a function call or substitution yields a name that is not a variable name.
    """
    if dollar + 1 >= len(raw):
        return "", dollar + 1
    opener = raw[dollar + 1]
    if opener not in "({":
        return opener, dollar + 2
    closer = ")" if opener == "(" else "}"
    depth = 0
    for position in range(dollar + 1, len(raw)):
        if raw[position] == opener:
            depth += 1
        elif raw[position] == closer:
            depth -= 1
            if depth == 0:
                return raw[dollar + 2 : position], position + 1
    return raw[dollar + 2 :] + opener, len(raw)  # unterminated: never a plain name


def _logical_lines(text: str) -> Iterator[_Line]:
    """Lines joined where one ends in an odd number of backslashes."""
    start = 0
    position = 0
    while position <= len(text):
        match = _LINE_BREAK.search(text, position)
        end = match.start() if match else len(text)
        backslashes = len(text[start:end]) - len(text[start:end].rstrip("\\"))
        if match is not None and backslashes % 2 == 1:
            position = match.end()
            continue
        yield _Line(start, end)
        if match is None:
            return
        start = position = match.end()


def _strip_comment(statement: str) -> str:
    return statement[: _comment_start(statement)]


def _comment_start(statement: str) -> int:
    """A make comment starts at an unescaped '#'."""
    if "#" not in statement:
        return len(statement)
    match = _COMMENT.search(statement)
    return match.start() if match else len(statement)


def _commands(
    text: str, start: int, end: int, index: LineIndex
) -> Iterator[list[tuple[str, Span]]]:
    """The shell commands of one recipe line as tokens (raw text, span), split at separators."""
    recipe_prefix = start
    while recipe_prefix < end and text[recipe_prefix] in "@-+ \t":
        recipe_prefix += 1
    command: list[tuple[str, Span]] = []
    for token, token_start, token_end in _tokens(text, recipe_prefix, end):
        if token in _COMMAND_SEPARATORS:
            if command:
                yield command
            command = []
            continue
        command.append((token, index.span(token_start, token_end)))
    if command:
        yield command


def _tokens(text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """Shell-ish tokens with their offsets: quotes and ``$(...)`` keep spaces inside one token;
    a backslash-newline is a space; ``#`` at a token's start ends the line."""
    position = start
    while position < end:
        char = text[position]
        if char in " \t\r\n" or _CONTINUATION_BREAK.match(text, position, end):
            continuation = _CONTINUATION_BREAK.match(text, position, end)
            position = continuation.end() if continuation else position + 1
            continue
        if char == "#":
            return
        operator = next((op for op in _COMMAND_SEPARATORS if text.startswith(op, position)), None)
        if operator is not None:
            yield operator, position, position + len(operator)
            position += len(operator)
            continue
        token_end = _token_end(text, position, end)
        yield text[position:token_end], position, token_end
        position = token_end


def _token_end(text: str, position: int, end: int) -> int:
    quote = ""
    depth = 0
    while position < end:
        char = text[position]
        if quote:
            if char == "\\" and quote == '"':
                position += 2
                continue
            if char == quote:
                quote = ""
        elif char == "\\":
            if _CONTINUATION_BREAK.match(text, position, end):
                return position
            position += 2
            continue
        elif char == "$" and text[position + 1 : position + 2] in ("(", "{"):
            depth += 1
            position += 2
            continue
        elif depth and char in ")}":
            depth -= 1
        elif char in "'\"":
            quote = char
        elif not depth and (char in " \t\r\n;&|()"):
            return position
        position += 1
    return min(position, end)
