"""The command line: ``mext-lint [PATH ...]``, ``mext-lint rule CODE``, ``mext-lint image-tree``,
``mext-lint image IMAGE``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mext_lint import __version__
from mext_lint.report import REPORTER_MODULES
from mext_lint.settings import Settings

if TYPE_CHECKING:
    from mext_lint.config import Layer, SettingsResolver
    from mext_lint.findings import Finding

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("check", "rule", "image-tree", "image")


class UsageError(Exception):
    """A bad option, path or configuration: one line on stderr, exit 2."""


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, told the terminal width up front: argparse builds one for
    every ``add_argument``, and without a width each imports shutil (with bz2, lzma, zlib)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2  # what HelpFormatter computes itself
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no stdout, or not a terminal
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


class _Version(argparse.Action):
    """``--version``, with the build (pure Python or compiled) that bug reports need."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        import platform

        from mext_lint import compiled

        build = "compiled" if compiled() else "pure Python"
        print(f"mext-lint {__version__} ({build}, Python {platform.python_version()})")
        parser.exit()


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--platform",
        action="append",
        metavar="OS/ARCH[,...]",
        help="target platforms to simulate (default: linux/amd64,linux/arm64)",
    )
    parser.add_argument(
        "--build-arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a build argument, as `docker build --build-arg` (repeatable)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="use this configuration file (.mext-lint.yaml or pyproject.toml) for every extension",
    )
    parser.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def check_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mext-lint",
        description="Lint Docker Desktop extensions: Dockerfile, metadata.json, labels and"
        " every host binary on every platform, before anything is built.",
        epilog="Other commands: `mext-lint rule CODE|--all`, `mext-lint image-tree [PATH]`,"
        " `mext-lint image IMAGE`."
        " Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or internal error.",
    )
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    _report_options(parser)
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and build")
    _common(parser)
    return parser


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=tuple(REPORTER_MODULES),
        help="output format (default: text; github under GitHub Actions)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--select", action="append", default=[], metavar="RULES")
    parser.add_argument("--ignore", action="append", default=[], metavar="RULES")
    parser.add_argument("--extend-select", action="append", default=[], metavar="RULES")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="lowest severity that makes the exit code 1 (default: warning)",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument(
        "--jobs",
        "-j",
        type=_job_count,
        default=0,
        metavar="N",
        help="processes that lint many extensions (default: one per CPU; 1: no extra process)",
    )
    parser.add_argument("--no-color", action="store_true", help="never colour the text output")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        return _command(args)
    except UsageError as error:
        from mext_lint.report.text import visible  # a file's text may be quoted in the error

        print(f"mext-lint: error: {visible(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("mext-lint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:
        if debug:
            raise
        print(
            f"mext-lint: internal error: {type(error).__name__}: {error}"
            " (run with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _command(args: list[str]) -> int:
    if args and args[0] == "rule":
        return rule_command(args[1:])
    if args and args[0] == "image-tree":
        return image_tree_command(args[1:])
    if args and args[0] == "image":
        return image_command(args[1:])
    if args and args[0] == "check":
        args = args[1:]
    return check_command(args)


def _split_list(values: Sequence[str] | None) -> list[str]:
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def _command_line(args: argparse.Namespace) -> Layer:
    """The options given on the command line, validated; they override configuration files."""
    from mext_lint.catalog import load_catalog
    from mext_lint.config import Layer
    from mext_lint.platforms import Platform
    from mext_lint.selectors import SelectorError, resolve

    layer = Layer()
    catalog = load_catalog()
    try:
        if getattr(args, "select", None):
            layer = layer._replace(select=resolve(_split_list(args.select), catalog))
        if getattr(args, "extend_select", None):
            extra = resolve(_split_list(args.extend_select), catalog)
            layer = layer._replace(extend_select=extra)
        if getattr(args, "ignore", None):
            layer = layer._replace(ignore=resolve(_split_list(args.ignore), catalog))
    except SelectorError as error:
        raise UsageError(str(error)) from None
    if args.platform:
        try:
            platforms = tuple(Platform.parse(p) for p in _split_list(args.platform))
        except ValueError as error:
            raise UsageError(str(error)) from None
        layer = layer._replace(platforms=tuple(dict.fromkeys(platforms)))
    if args.build_arg:
        build_args = {}
        for item in args.build_arg:
            name, sep, value = item.partition("=")
            if not name:
                raise UsageError(f"--build-arg {item!r}: expected NAME=VALUE")
            build_args[name] = value if sep else os.environ.get(name, "")
        layer = layer._replace(build_args=build_args)
    if getattr(args, "fail_on", None):
        layer = layer._replace(fail_on=args.fail_on)
    return layer


def _settings_resolver(args: argparse.Namespace) -> SettingsResolver:
    """Settings per extension root: its configuration file, then the command line."""
    from mext_lint.catalog import load_catalog
    from mext_lint.config import ConfigError, SettingsResolver

    try:
        return SettingsResolver(
            _command_line(args),
            load_catalog(),
            config_file=Path(args.config) if args.config else None,
            isolated=args.isolated,
        )
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _root_settings(resolver: SettingsResolver, root: Path) -> Settings:
    from mext_lint.config import ConfigError

    try:
        return resolver.for_root(root)
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _job_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {text!r}")
    return count


def check_command(argv: Sequence[str]) -> int:
    from mext_lint.config import is_excluded
    from mext_lint.discover import DiscoveryError, find_roots
    from mext_lint.engine import enabled_checks
    from mext_lint.findings import SEVERITY_RANK
    from mext_lint.parallel import lint_roots
    from mext_lint.sources import remembering

    args = check_parser().parse_args(argv)
    resolver = _settings_resolver(args)
    try:
        found = find_roots(args.paths)
    except DiscoveryError as error:
        raise UsageError(str(error)) from None
    findings = []
    jobs = []
    failing = False
    for root in found:
        settings = _root_settings(resolver, root)
        if not is_excluded(root, settings):
            jobs.append((root, settings))
    distinct = {id(settings): settings for _, settings in jobs}.values()  # one per config file
    enabled = {check.code for settings in distinct for check in enabled_checks(settings)}
    # The SARIF report reads the files its findings point into: keep what the lint read.
    with remembering(args.format == "sarif"):
        for (_, settings), root_findings in zip(jobs, lint_roots(jobs, args.jobs), strict=True):
            threshold = SEVERITY_RANK[settings.fail_on]
            failing = failing or any(SEVERITY_RANK[f.severity] >= threshold for f in root_findings)
            findings.extend(root_findings)
        if not jobs:  # the rules a run here would use, for formats that list them
            enabled.update(c.code for c in enabled_checks(_root_settings(resolver, Path.cwd())))
        return _report(findings, args, failing, len(jobs), enabled)


def _report(
    findings: list[Finding],
    args: argparse.Namespace,
    failing: bool,
    extensions: int,
    enabled: set[str],
) -> int:
    from mext_lint.report import Run, reporter

    exit_code = EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN
    output_format = args.format or (
        "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    )
    color = (
        output_format == "text"
        and not args.output
        and not args.no_color
        and "NO_COLOR" not in os.environ
        and sys.stdout.isatty()
    )
    run = Run(
        extensions=extensions,
        exit_code=exit_code,
        color=color,
        enabled_rules=tuple(sorted(enabled)),
    )
    _emit(reporter(output_format)(findings, run), args.output)
    return exit_code


def printable(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes in a file name, a ``\\ud800`` escape in
    metadata.json) written as backslash escapes: it then encodes as UTF-8 wherever it goes, and
    in JSON output the escape reads back as the same string."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _emit(text: str, output: str | None) -> None:
    text = printable(text)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}") from None


def rule_command(argv: Sequence[str]) -> int:
    import json

    from mext_lint.catalog import load_catalog

    parser = _Parser(prog="mext-lint rule", description="Show a rule's documentation.")
    parser.add_argument("code", nargs="?", help="a rule code (MX103) or name")
    parser.add_argument("--all", action="store_true", help="list every rule")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    catalog = load_catalog()
    if args.all:
        if args.format == "json":
            rows = [
                {
                    "code": r.code,
                    "name": r.name,
                    "severity": r.severity,
                    "summary": r.summary,
                    "since": r.since,
                    "tags": list(r.tags),
                    "help_uri": r.help_uri,
                }
                for r in catalog.values()
            ]
            print(json.dumps(rows, indent=2))
        else:
            for r in catalog.values():
                print(f"{r.code}  {r.name:<28} {r.severity:<8} {r.summary}")
        return EXIT_CLEAN
    if not args.code:
        raise UsageError("rule: give a rule code (e.g. MX103) or --all")
    by_name = {r.name: r for r in catalog.values()}
    rule = catalog.get(args.code.upper()) or by_name.get(args.code)
    if rule is None:
        raise UsageError(f"rule: unknown rule {args.code!r} (`mext-lint rule --all` lists them)")
    if args.format == "json":
        print(json.dumps({**rule._asdict(), "tags": list(rule.tags), "help_uri": rule.help_uri}))
    else:
        print(
            f"# {rule.code} {rule.name} ({rule.severity})\n\n{rule.summary}\n\n{rule.doc}", end=""
        )
    return EXIT_CLEAN


def image_tree_command(argv: Sequence[str]) -> int:
    from mext_lint.discover import DiscoveryError, find_roots
    from mext_lint.engine import simulate_images
    from mext_lint.extension import open_extension
    from mext_lint.simulate.render import render_tree_json, render_tree_text

    parser = _Parser(
        prog="mext-lint image-tree",
        description="Print the simulated file tree of each image variant, with the Dockerfile"
        " line that produced each path.",
    )
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    _common(parser)
    args = parser.parse_args(argv)
    resolver = _settings_resolver(args)
    try:
        roots = find_roots(args.paths)
    except DiscoveryError as error:
        raise UsageError(str(error)) from None
    if not roots:
        raise UsageError("image-tree: no extension found (a directory holding metadata.json)")
    import json

    documents = []
    for root in roots:
        settings = _root_settings(resolver, root)
        ext = open_extension(root, settings)
        if ext.dockerfile is None:
            raise UsageError(f"image-tree: {ext.display_root} has no readable Dockerfile")
        if ext.dockerfile.errors:
            first = ext.dockerfile.errors[0]
            raise UsageError(
                f"image-tree: {first.span.path}:{first.span.line}:{first.span.column}:"
                f" {first.message} (the Dockerfile must parse to be simulated)"
            )
        images = list(simulate_images(ext, settings).values())
        if args.format == "json":
            documents.append({"extension": ext.display_root, "variants": render_tree_json(images)})
        else:
            sys.stdout.write(printable(f"# {ext.display_root}\n{render_tree_text(images)}"))
    if args.format == "json":
        print(json.dumps(documents, indent=2))
    return EXIT_CLEAN


def image_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mext-lint image",
        description="Lint a built extension image without Docker: every platform variant, its"
        " labels, its metadata.json, and each host binary down to its CPU.",
    )
    parser.add_argument(
        "image",
        metavar="IMAGE",
        help="an OCI layout directory, an OCI or docker save archive, or a registry reference",
    )
    parser.add_argument(
        "--source",
        metavar="DIR",
        help="the extension's source: report where mext-lint's simulation of it and the image"
        " disagree (MX604)",
    )
    parser.add_argument(
        "--insecure", action="store_true", help="talk plain HTTP to the registry (a local one)"
    )
    _report_options(parser)
    _common(parser)
    return parser


def image_command(argv: Sequence[str]) -> int:
    from mext_lint.discover import DiscoveryError, find_roots
    from mext_lint.findings import SEVERITY_RANK
    from mext_lint.oci.blobs import ImageError
    from mext_lint.oci.lint import image_checks, lint_target

    args = image_parser().parse_args(argv)
    resolver = _settings_resolver(args)
    source = None
    if args.source:
        try:
            roots = find_roots([args.source])
        except DiscoveryError as error:
            raise UsageError(str(error)) from None
        if len(roots) != 1:
            raise UsageError(f"--source {args.source}: expected one extension, found {len(roots)}")
        source = roots[0]
    settings = _root_settings(resolver, source or Path.cwd())
    try:
        findings = lint_target(args.image, settings, insecure=args.insecure, source=source)
    except ImageError as error:
        raise UsageError(str(error)) from None
    threshold = SEVERITY_RANK[settings.fail_on]
    failing = any(SEVERITY_RANK[f.severity] >= threshold for f in findings)
    enabled = {check.code for check in image_checks(settings)}
    return _report(findings, args, failing, 1, enabled)
