"""Configuration: ``[tool.mext-lint]`` in pyproject.toml or ``.mext-lint.yaml``, then the CLI.

The nearest file above an extension root wins (in one directory ``.mext-lint.yaml`` comes before
``pyproject.toml``); ``--config FILE`` names one for every root and ``--isolated`` ignores them all.
Every mistake is a :class:`ConfigError` naming the file and line, and what is accepted.
"""

import fnmatch
import importlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from mext_lint.catalog import SEVERITIES, Rule
from mext_lint.platforms import HOSTS, Host, Platform
from mext_lint.selectors import SelectorError, resolve
from mext_lint.settings import NO_MAPPING, Settings
from mext_lint.sources import display_path, read_text

YAML_NAMES = (".mext-lint.yaml", ".mext-lint.yml")
PYPROJECT = "pyproject.toml"
TABLE = ("tool", "mext-lint")
KEYS = (
    "select",
    "ignore",
    "extend-select",
    "severity",
    "fail-on",
    "platforms",
    "hosts",
    "build-args",
    "dockerfile",
    "context",
    "exclude",
    "per-file-ignores",
)

KeyPath = tuple[str | int, ...]


class ConfigError(Exception):
    """A configuration mistake, already worded as ``file:line: what is wrong``."""


class Layer(NamedTuple):
    """The options one source sets: a configuration file, or the command line on top of it."""

    select: frozenset[str] | None = None
    extend_select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, str] = NO_MAPPING
    fail_on: str | None = None
    platforms: tuple[Platform, ...] | None = None
    hosts: tuple[Host, ...] | None = None
    build_args: Mapping[str, str] = NO_MAPPING
    dockerfile: str | None = None
    context: str | None = None
    exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, frozenset[str]] = NO_MAPPING


class RawConfig(NamedTuple):
    """A configuration file's mapping, with the line of each key (and list item) it holds."""

    path: Path
    values: dict[str, Any]
    lines: dict[KeyPath, int]  # 1-based; () is the table itself

    def line(self, keys: KeyPath) -> int:
        for end in range(len(keys), -1, -1):
            if keys[:end] in self.lines:
                return self.lines[keys[:end]]
        return 1

    def error(self, keys: KeyPath, message: str) -> ConfigError:
        return ConfigError(f"{display_path(self.path)}:{self.line(keys)}: {message}")


# ---------------------------------------------------------------------------------------------
# Finding and reading files


def find_config(start: Path, seen: dict[str, Path | None] | None = None) -> Path | None:
    """The nearest configuration file in ``start`` or above it, up to the filesystem root.

    ``seen`` remembers each directory's answer: extensions linted in one run share parents,
    which are then looked at once, not once per extension.
    """
    seen = {} if seen is None else seen
    directory = os.path.abspath(start)
    walked: list[str] = []
    found: Path | None = None
    while directory not in seen:
        walked.append(directory)
        found = config_in(directory)
        parent = os.path.dirname(directory)
        if found is not None or parent == directory:
            break
        directory = parent
    else:
        found = seen[directory]
    seen.update(dict.fromkeys(walked, found))
    return found


def config_in(directory: str | Path) -> Path | None:
    """The configuration file of ``directory`` itself, if it has one."""
    for name in YAML_NAMES:
        if os.path.isfile(os.path.join(directory, name)):
            return Path(directory, name)
    pyproject = os.path.join(directory, PYPROJECT)
    if os.path.isfile(pyproject) and _declares_table(Path(pyproject)):
        return Path(pyproject)
    return None


def _declares_table(pyproject: Path) -> bool:
    text = read_text(pyproject).text or ""
    return bool(re.search(r"^\s*\[\s*tool\s*\.\s*[\"']?mext-lint\b", text, re.M)) or bool(
        re.search(r"^\s*tool\s*\.\s*[\"']?mext-lint[\"']?\s*\.", text, re.M)
    )


def read_config(path: Path) -> RawConfig:
    source = read_text(path)
    if source.text is None:
        raise ConfigError(f"{display_path(path)}: {source.error}")
    if path.suffix == ".toml":
        return _read_toml(path, source.text)
    return _read_yaml(path, source.text)


def _read_yaml(path: Path, text: str) -> RawConfig:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or "cannot be read"
        raise ConfigError(f"{display_path(path)}:{line}: invalid YAML: {problem}") from None
    except YAMLError as error:  # a ReaderError adds a second line: where in "<unicode string>"
        problem = str(error).splitlines()[0] if str(error).strip() else "cannot be read"
        raise ConfigError(f"{display_path(path)}:1: invalid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{display_path(path)}:1: invalid YAML: nested too deeply") from None
    except Exception as error:  # ruamel.yaml failing otherwise: `!!int x`, `- -_`, a map as key
        problem = f"{type(error).__name__}: {error}"
        raise ConfigError(f"{display_path(path)}:1: invalid YAML ({problem})") from None
    if document is None:
        return RawConfig(path, {}, {(): 1})
    if not isinstance(document, dict):
        raise ConfigError(
            f"{display_path(path)}:1: expected a mapping of settings (select: [MX1], ...),"
            f" found {_kind(document)}"
        )
    lines: dict[KeyPath, int] = {(): 1}
    return RawConfig(path, _plain_yaml(document, (), lines), lines)


def _plain_yaml(node: Any, keys: KeyPath, lines: dict[KeyPath, int]) -> Any:
    """ruamel's round-trip nodes as plain Python values, recording each key's and item's line."""
    if isinstance(node, dict):
        plain: dict[Any, Any] = {}
        for key, value in node.items():
            where = (*keys, str(key))
            position = node.lc.key(key) if hasattr(node, "lc") else None
            if position is not None:
                lines[where] = position[0] + 1
            plain[key] = _plain_yaml(value, where, lines)
        return plain
    if isinstance(node, list):
        items = []
        for index, value in enumerate(node):
            at = (*keys, index)
            position = node.lc.item(index) if hasattr(node, "lc") else None
            if position is not None:
                lines[at] = position[0] + 1
            items.append(_plain_yaml(value, at, lines))
        return items
    if isinstance(node, str):
        return str(node)  # ruamel's scalar string subclasses
    return node


def _toml() -> ModuleType:
    try:
        return importlib.import_module("tomllib")
    except ModuleNotFoundError:  # Python 3.10
        return importlib.import_module("tomli")


def _read_toml(path: Path, text: str) -> RawConfig:
    toml = _toml()
    try:
        document = toml.loads(text)
    except RecursionError:  # tomllib reads nested arrays and inline tables recursively
        raise ConfigError(f"{display_path(path)}:1: invalid TOML: nested too deeply") from None
    except toml.TOMLDecodeError as error:
        message = str(error)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(where.group(1)) if where else max(len(text.splitlines()), 1)  # end of document
        problem = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", message)
        raise ConfigError(f"{display_path(path)}:{line}: invalid TOML: {problem}") from None
    lines = _toml_key_lines(text)
    if path.name != PYPROJECT:
        return RawConfig(path, document, {(): 1, **lines})
    table = document.get("tool", {}).get("mext-lint") if isinstance(document, dict) else None
    if table is None:
        raise ConfigError(f"{display_path(path)}: has no [tool.mext-lint] table")
    table_lines = {keys[2:]: line for keys, line in lines.items() if keys[:2] == TABLE}
    if not isinstance(table, dict):
        raise ConfigError(
            f"{display_path(path)}:{table_lines.get((), 1)}: tool.mext-lint must be a table,"
            f" found {_kind(table)}"
        )
    return RawConfig(path, table, table_lines)


_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_DOTTED = rf"{_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*"
# Compiled by re on first use: only a pyproject.toml with our table needs them.
_TOML_HEADER = rf"^\s*\[\[?\s*({_TOML_DOTTED})\s*\]\]?"
_TOML_ASSIGNMENT = rf"^\s*({_TOML_DOTTED})\s*="


def _toml_key_lines(text: str) -> dict[KeyPath, int]:
    """Where each table header and key is written (tomllib keeps no positions)."""
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(_TOML_HEADER, line)
        if header:
            table = _toml_split(header.group(1))
            for end in range(1, len(table) + 1):
                lines.setdefault(table[:end], number)
            continue
        assignment = re.match(_TOML_ASSIGNMENT, line)
        if assignment:
            keys = (*table, *_toml_split(assignment.group(1)))
            for end in range(len(table) + 1, len(keys) + 1):
                lines.setdefault(keys[:end], number)
    return lines


def _toml_split(dotted: str) -> KeyPath:
    return tuple(
        part[1:-1] if part[:1] in "\"'" else part for part in re.findall(_TOML_KEY, dotted)
    )


# ---------------------------------------------------------------------------------------------
# Validating values


def parse_layer(raw: RawConfig, catalog: Mapping[str, Rule]) -> Layer:
    """The validated options of one configuration file; paths stay relative to its directory."""
    layer = Layer()
    for key, value in raw.values.items():
        if key not in KEYS:
            raise raw.error((str(key),), _unknown_key(str(key)))
        parse = _PARSERS[key]
        layer = layer._replace(**{key.replace("-", "_"): parse(raw, (key,), value, catalog)})
    return layer


def _unknown_key(key: str) -> str:
    import difflib  # only when there is a typo to correct

    close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
    if close:
        return f'unknown key "{key}" (did you mean "{close[0]}"?)'
    return f'unknown key "{key}" (accepted: {", ".join(KEYS)})'


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _strings(raw: RawConfig, keys: KeyPath, value: Any, what: str) -> list[tuple[str, KeyPath]]:
    """A list of strings (a comma-separated string is accepted too), each with its key path."""
    if isinstance(value, str):
        return [(item.strip(), keys) for item in value.split(",") if item.strip()]
    if not isinstance(value, list):
        raise raw.error(keys, f'"{keys[0]}" must be a list of {what}, found {_kind(value)}')
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise raw.error(
                (*keys, index), f'"{keys[0]}" must be a list of {what}, found {_kind(item)} in it'
            )
        items.append((item.strip(), (*keys, index)))
    return items


def _selectors(
    raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]
) -> frozenset[str]:
    codes: set[str] = set()
    for selector, where in _strings(raw, keys, value, "rule codes, prefixes or names"):
        try:
            codes |= resolve([selector], catalog)
        except SelectorError as error:
            raise raw.error(where, f'"{keys[0]}": {error}') from None
    return frozenset(codes)


def _severity(
    raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]
) -> dict[str, str]:
    mapping = _mapping(raw, keys, value, "rules to severities (MX204: info)")
    resolved: list[tuple[int, str, str]] = []
    for selector, level in mapping.items():
        where = (*keys, selector)
        if level not in SEVERITIES:
            raise raw.error(
                where,
                f'severity of "{selector}" must be one of {", ".join(SEVERITIES)}, not {level!r}',
            )
        codes = _selectors(raw, where, selector, catalog)
        resolved.extend((len(codes), code, level) for code in codes)
    # A code named alone beats a prefix that also covers it: apply the broad ones first.
    return {code: level for _, code, level in sorted(resolved, key=lambda r: -r[0])}


def _choice(raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]) -> str:
    if value not in SEVERITIES:
        raise raw.error(keys, f'"{keys[0]}" must be one of {", ".join(SEVERITIES)}, not {value!r}')
    return str(value)


def _platforms(
    raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]
) -> tuple[Platform, ...]:
    platforms = []
    for text, where in _strings(raw, keys, value, 'platforms such as "linux/arm64"'):
        try:
            platforms.append(Platform.parse(text))
        except ValueError as error:
            raise raw.error(where, f'"platforms": {error}') from None
    if not platforms:
        raise raw.error(keys, '"platforms" is empty: name at least one, e.g. linux/amd64')
    return tuple(dict.fromkeys(platforms))


def _hosts(
    raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]
) -> tuple[Host, ...]:
    by_key = {host.key: host for host in HOSTS}
    wanted = set()
    for text, where in _strings(raw, keys, value, "Docker Desktop hosts"):
        if text.lower() not in by_key:
            raise raw.error(
                where, f'"hosts": unknown host "{text}" (accepted: {", ".join(by_key)})'
            )
        wanted.add(text.lower())
    return tuple(host for host in HOSTS if host.key in wanted)


def _build_args(
    raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]
) -> dict[str, str]:
    args = {}
    for name, arg in _mapping(raw, keys, value, "build argument names to values").items():
        if isinstance(arg, bool):
            args[name] = "true" if arg else "false"
        elif isinstance(arg, (str, int, float)):
            args[name] = str(arg)
        else:
            raise raw.error(
                (*keys, name),
                f'build argument "{name}" must be a string or a number, found {_kind(arg)}'
                ' (write "" for an empty value)',
            )
    return args


def _path(raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise raw.error(
            keys,
            f'"{keys[0]}" must be a path relative to the extension root, found {_kind(value)}',
        )
    return value.strip()


def _globs(
    raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]
) -> tuple[str, ...]:
    return tuple(text for text, _ in _strings(raw, keys, value, "glob patterns"))


def _per_file_ignores(
    raw: RawConfig, keys: KeyPath, value: Any, catalog: Mapping[str, Rule]
) -> dict[str, frozenset[str]]:
    mapping = _mapping(raw, keys, value, 'globs to rules ("ext/metadata.json": [MX301])')
    return {
        pattern: _selectors(raw, (*keys, pattern), selectors, catalog)
        for pattern, selectors in mapping.items()
    }


def _mapping(raw: RawConfig, keys: KeyPath, value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise raw.error(keys, f'"{keys[0]}" must be a mapping of {what}, found {_kind(value)}')
    return {str(key): item for key, item in value.items()}


_Parser = Callable[[RawConfig, KeyPath, Any, Mapping[str, Rule]], Any]
_PARSERS: dict[str, _Parser] = {
    "select": _selectors,
    "ignore": _selectors,
    "extend-select": _selectors,
    "severity": _severity,
    "fail-on": _choice,
    "platforms": _platforms,
    "hosts": _hosts,
    "build-args": _build_args,
    "dockerfile": _path,
    "context": _path,
    "exclude": _globs,
    "per-file-ignores": _per_file_ignores,
}


# ---------------------------------------------------------------------------------------------
# Merging into Settings


def merge(config: Layer, command_line: Layer, catalog: Iterable[str]) -> Settings:
    """Settings from a configuration layer with the command line on top.

    An explicit ``--select`` starts the rule selection afresh; ``--extend-select`` adds to
    whatever the configuration selected (and takes those rules out of its ``ignore``);
    ``--ignore`` adds to the configuration's ``ignore``.
    """
    every = frozenset(catalog)
    if command_line.select is not None:
        select: frozenset[str] | None = command_line.select
        ignore = frozenset[str]()
    else:
        select = config.select
        if config.extend_select:
            select = (every if select is None else select) | config.extend_select
        ignore = config.ignore
    if command_line.extend_select:
        select = (every if select is None else select) | command_line.extend_select
        ignore = ignore - command_line.extend_select
    defaults = Settings()
    return Settings(
        select=select,
        ignore=ignore | command_line.ignore,
        severity={**config.severity, **command_line.severity},
        fail_on=command_line.fail_on or config.fail_on or defaults.fail_on,
        platforms=command_line.platforms or config.platforms or defaults.platforms,
        hosts=command_line.hosts or config.hosts or defaults.hosts,
        build_args={**config.build_args, **command_line.build_args},
        dockerfile=command_line.dockerfile or config.dockerfile,
        context=command_line.context or config.context,
        exclude=config.exclude + command_line.exclude,
        per_file_ignores=dict(config.per_file_ignores),
    )


class SettingsResolver:
    """Settings for each extension root, read once per configuration file."""

    def __init__(
        self,
        command_line: Layer,
        catalog: Mapping[str, Rule],
        *,
        config_file: Path | None = None,
        isolated: bool = False,
    ) -> None:
        self._command_line = command_line
        self._catalog = catalog
        self._isolated = isolated
        self._config_file = config_file
        self._by_file: dict[Path | None, Settings] = {}
        self._found: dict[str, Path | None] = {}  # directory -> its nearest configuration file
        if config_file is not None and not isolated:
            if not config_file.is_file():
                raise ConfigError(f"--config {config_file}: no such file")
            self.for_file(config_file)  # a broken named file fails before anything runs

    def config_for(self, root: Path) -> Path | None:
        if self._isolated:
            return None
        return self._config_file or find_config(root, self._found)

    def for_root(self, root: Path) -> Settings:
        return self.for_file(self.config_for(root))

    def for_file(self, path: Path | None) -> Settings:
        key = None if path is None else Path(os.path.abspath(path))
        if key not in self._by_file:
            layer = Layer() if key is None else parse_layer(read_config(key), self._catalog)
            settings = merge(layer, self._command_line, self._catalog)
            self._by_file[key] = settings._replace(config_dir=None if key is None else key.parent)
        return self._by_file[key]


# ---------------------------------------------------------------------------------------------
# Paths named in the configuration


def glob_matches(pattern: str, path: str | Path, base: Path) -> bool:
    """Does ``path`` match ``pattern``, written relative to ``base``?

    A pattern without "/" also matches any one component (``vendor``, ``metadata.json``), and
    ``**/`` may stand for no directory at all (``ext/**/metadata.json`` matches
    ``ext/metadata.json``).
    """
    try:
        relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        return False
    pattern = pattern.strip().removeprefix("./").rstrip("/")
    candidates = {pattern, pattern.replace("**/", "")}
    if any(fnmatch.fnmatchcase(relative, candidate) for candidate in candidates):
        return True
    return "/" not in pattern and any(
        fnmatch.fnmatchcase(part, pattern) for part in relative.split("/")
    )


def is_excluded(root: Path, settings: Settings) -> bool:
    if not settings.exclude:
        return False
    base = settings.config_dir or Path.cwd()
    return any(glob_matches(pattern, root, base) for pattern in settings.exclude)


def ignored_codes(path: str, settings: Settings) -> frozenset[str]:
    """The codes ``per-file-ignores`` turns off in the file at ``path``."""
    base = settings.config_dir or Path.cwd()
    codes: set[str] = set()
    for pattern, ignored in settings.per_file_ignores.items():
        if glob_matches(pattern, path, base):
            codes |= ignored
    return frozenset(codes)
