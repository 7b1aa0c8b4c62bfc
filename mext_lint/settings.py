"""The settings one lint run uses, after command line and configuration are merged."""

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from mext_lint.platforms import DEFAULT_PLATFORMS, HOSTS, Host, Platform

# The default of every mapping option: shared, so it must not be writable.
NO_MAPPING: Mapping[str, Any] = MappingProxyType({})


class Settings(NamedTuple):
    select: frozenset[str] | None = None  # rule codes; None = every rule
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, str] = NO_MAPPING  # code -> severity override
    fail_on: str = "warning"  # lowest severity that makes the exit code 1
    platforms: tuple[Platform, ...] = DEFAULT_PLATFORMS
    hosts: tuple[Host, ...] = HOSTS
    build_args: Mapping[str, str] = NO_MAPPING
    dockerfile: str | None = None  # path relative to the extension root
    context: str | None = None  # build context relative to the extension root
    exclude: tuple[str, ...] = ()  # globs (relative to config_dir) of extension roots not linted
    # glob of file paths (relative to config_dir) -> codes ignored there
    per_file_ignores: Mapping[str, frozenset[str]] = NO_MAPPING
    config_dir: Path | None = None  # the configuration file's directory; None: the current one

    def enabled(self, code: str) -> bool:
        if code in self.ignore:
            return False
        return self.select is None or code in self.select
