"""Configuration files: every key in both formats, discovery, the command line on top, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mext_lint import config
from mext_lint.catalog import load_catalog
from mext_lint.cli import main
from mext_lint.config import (
    ConfigError,
    Layer,
    SettingsResolver,
    find_config,
    glob_matches,
    merge,
    parse_layer,
    read_config,
)
from mext_lint.platforms import HOSTS, Platform
from mext_lint.settings import Settings

MX2 = frozenset(code for code in load_catalog() if code.startswith("MX2"))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings_from(config: Path, root: Path | None = None) -> Settings:
    root = root or config.parent / "ext"
    root.mkdir(parents=True, exist_ok=True)
    return SettingsResolver(Layer(), load_catalog()).for_root(root)


def yaml_and_toml(yaml: str, toml: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("name", "text"),
        [(".mext-lint.yaml", yaml), ("pyproject.toml", "[tool.mext-lint]\n" + toml)],
        ids=["yaml", "toml"],
    )


# ---------------------------------------------------------------------------------------------
# Every key, in both formats


@yaml_and_toml("select: [MX2, MX001]\n", 'select = ["MX2", "MX001"]\n')
def test_select(tmp_path: Path, name: str, text: str) -> None:
    assert settings_from(write(tmp_path / name, text)).select == MX2 | frozenset({"MX001"})


@yaml_and_toml("ignore: [pinned-api-version]\n", 'ignore = ["pinned-api-version"]\n')
def test_ignore_by_name(tmp_path: Path, name: str, text: str) -> None:
    settings = settings_from(write(tmp_path / name, text))
    assert settings.ignore == {"MX204"}
    assert not settings.enabled("MX204") and settings.enabled("MX201")


@yaml_and_toml(
    "select: [MX001]\nextend-select: [MX204]\n", 'select = ["MX001"]\nextend-select = ["MX204"]\n'
)
def test_extend_select(tmp_path: Path, name: str, text: str) -> None:
    assert settings_from(write(tmp_path / name, text)).select == frozenset({"MX001", "MX204"})


@yaml_and_toml(
    "severity:\n  MX204: error\n  MX2: info\n",
    '[tool.mext-lint.severity]\nMX204 = "error"\nMX2 = "info"\n',
)
def test_severity_a_code_beats_a_prefix(tmp_path: Path, name: str, text: str) -> None:
    severity = settings_from(write(tmp_path / name, text)).severity
    assert severity["MX204"] == "error"
    assert severity["MX201"] == "info"


@yaml_and_toml("fail-on: error\n", 'fail-on = "error"\n')
def test_fail_on(tmp_path: Path, name: str, text: str) -> None:
    assert settings_from(write(tmp_path / name, text)).fail_on == "error"


@yaml_and_toml("platforms: [linux/arm64]\n", 'platforms = ["linux/arm64"]\n')
def test_platforms(tmp_path: Path, name: str, text: str) -> None:
    assert settings_from(write(tmp_path / name, text)).platforms == (Platform("linux", "arm64"),)


@yaml_and_toml(
    "hosts: [windows/arm64, darwin/arm64]\n", 'hosts = ["windows/arm64", "darwin/arm64"]\n'
)
def test_hosts(tmp_path: Path, name: str, text: str) -> None:
    hosts = settings_from(write(tmp_path / name, text)).hosts
    assert [host.key for host in hosts] == ["darwin/arm64", "windows/arm64"]
    assert all(host in HOSTS for host in hosts)


@yaml_and_toml(
    'build-args:\n  VERSION: "1.2"\n  COUNT: 3\n  DEBUG: true\n  EMPTY: ""\n',
    '[tool.mext-lint.build-args]\nVERSION = "1.2"\nCOUNT = 3\nDEBUG = true\nEMPTY = ""\n',
)
def test_build_args(tmp_path: Path, name: str, text: str) -> None:
    build_args = settings_from(write(tmp_path / name, text)).build_args
    assert build_args == {"VERSION": "1.2", "COUNT": "3", "DEBUG": "true", "EMPTY": ""}


@yaml_and_toml(
    "dockerfile: docker/Dockerfile\ncontext: ..\n",
    'dockerfile = "docker/Dockerfile"\ncontext = ".."\n',
)
def test_dockerfile_and_context(tmp_path: Path, name: str, text: str) -> None:
    settings = settings_from(write(tmp_path / name, text))
    assert (settings.dockerfile, settings.context) == ("docker/Dockerfile", "..")


@yaml_and_toml("exclude: [testdata, 'old/*']\n", 'exclude = ["testdata", "old/*"]\n')
def test_exclude(tmp_path: Path, name: str, text: str) -> None:
    settings = settings_from(write(tmp_path / name, text))
    assert settings.exclude == ("testdata", "old/*")
    assert settings.config_dir == tmp_path


@yaml_and_toml(
    'per-file-ignores:\n  "ext/*.json": [MX3, missing-extension-file]\n',
    '[tool.mext-lint.per-file-ignores]\n"ext/*.json" = ["MX3", "missing-extension-file"]\n',
)
def test_per_file_ignores(tmp_path: Path, name: str, text: str) -> None:
    ignores = settings_from(write(tmp_path / name, text)).per_file_ignores
    codes = {code for code in load_catalog() if code.startswith("MX3")} | {"MX003"}
    assert ignores == {"ext/*.json": codes}


def test_a_comma_separated_string_is_a_list(tmp_path: Path) -> None:
    settings = settings_from(write(tmp_path / ".mext-lint.yaml", "select: MX001, MX204\n"))
    assert settings.select == frozenset({"MX001", "MX204"})


def test_an_empty_yaml_file_means_defaults(tmp_path: Path) -> None:
    settings = settings_from(write(tmp_path / ".mext-lint.yaml", "# nothing yet\n"))
    assert settings == Settings(config_dir=tmp_path)


def test_a_toml_file_other_than_pyproject_holds_the_keys_at_the_top(tmp_path: Path) -> None:
    config = write(tmp_path / "lint.toml", 'select = ["MX001"]\n')
    assert parse_layer(read_config(config), load_catalog()).select == frozenset({"MX001"})


# ---------------------------------------------------------------------------------------------
# Errors: one line naming the file, the line and what is accepted


def config_error(tmp_path: Path, name: str, text: str) -> str:
    config = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as raised:
        parse_layer(read_config(config), load_catalog())
    message = str(raised.value)
    assert message.startswith(str(config)) or message.startswith(name), message
    assert "\n" not in message
    return message.split(name, 1)[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("select: [MX1]\nselct: [MX2]\n", ':2: unknown key "selct" (did you mean "select"?)'),
        (
            "extend_select: [MX1]\n",
            ':1: unknown key "extend_select" (did you mean "extend-select"?)',
        ),
        ("colour: red\n", ':1: unknown key "colour" (accepted: select, ignore, extend-select,'),
        ("select:\n  - MX1\n  - MX999\n", ":3: \"select\": unknown rule selector 'MX999'"),
        ("ignore: 3\n", ':1: "ignore" must be a list of rule codes, prefixes or names, found a'),
        ("select: [MX1, [MX2]]\n", ':1: "select" must be a list of rule codes, prefixes or names'),
        ("severity:\n  MX204: loud\n", ':2: severity of "MX204" must be one of error, warning,'),
        ("severity:\n  MX9: info\n", ":2: \"severity\": unknown rule selector 'MX9'"),
        ("severity: [MX204]\n", ':1: "severity" must be a mapping of rules to severities'),
        ("fail-on: never\n", ":1: \"fail-on\" must be one of error, warning, info, not 'never'"),
        ("platforms: [linux]\n", ":1: \"platforms\": invalid platform 'linux' (expected os/arch"),
        ("platforms: []\n", ':1: "platforms" is empty'),
        (
            "hosts:\n  - darwin/arm64\n  - macos\n",
            ':3: "hosts": unknown host "macos" (accepted: darwin/amd64, darwin/arm64,',
        ),
        ("build-args:\n  A: [1]\n", ':2: build argument "A" must be a string or a number'),
        ("build-args:\n  A:\n", ':2: build argument "A" must be a string or a number, found'),
        ("dockerfile: 3\n", ':1: "dockerfile" must be a path relative to the extension root'),
        ("context: ''\n", ':1: "context" must be a path relative to the extension root'),
        ("exclude: {a: 1}\n", ':1: "exclude" must be a list of glob patterns, found a mapping'),
        ("per-file-ignores: [x]\n", ':1: "per-file-ignores" must be a mapping of globs to rules'),
        ("per-file-ignores:\n  x: [MX8]\n", ':2: "per-file-ignores": unknown rule selector'),
        ("select: [MX1\nignore: []\n", ":2: invalid YAML: expected ',' or ']'"),
        ("select: [MX1]\nselect: [MX2]\n", ':2: invalid YAML: found duplicate key "select"'),
        ("- select\n", ":1: expected a mapping of settings (select: [MX1], ...), found a list"),
    ],
)
def test_yaml_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert config_error(tmp_path, ".mext-lint.yaml", text).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[project]\nname = "x"\n\n[tool.mext-lint]\nselect = ["MX1"]\nselct = ["MX2"]\n',
            ':6: unknown key "selct" (did you mean "select"?)',
        ),
        (
            '[tool.mext-lint]\nfail-on = "error"\n\n[tool.mext-lint.severity]\nMX204 = "loud"\n',
            ':5: severity of "MX204" must be one of error, warning, info',
        ),
        (
            '[tool.mext-lint.per-file-ignores]\n"ext/a.b.json" = ["MX1"]\n"x.json" = ["MX8"]\n',
            ':3: "per-file-ignores": unknown rule selector',
        ),
        ('[tool.mext-lint]\nselect = ["MX1"\n', ":2: invalid TOML: Unclosed array"),
        ("[tool]\nmext-lint = 3\n", ":2: tool.mext-lint must be a table, found a number"),
    ],
)
def test_pyproject_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert config_error(tmp_path, "pyproject.toml", text).startswith(expected)


def test_bad_config_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    write(tmp_path / "ext" / "metadata.json", "{}\n")
    write(tmp_path / ".mext-lint.yaml", "select: [MX1]\nfail-on: error\nselct: [MX2]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["ext"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        'mext-lint: error: .mext-lint.yaml:3: unknown key "selct" (did you mean "select"?)\n'
    )


def test_a_config_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / ".mext-lint.yaml"
    config.write_bytes(b"select: [\xff]\n")
    with pytest.raises(ConfigError, match="is not valid UTF-8"):
        read_config(config)


# ---------------------------------------------------------------------------------------------
# Which file applies


def test_the_nearest_file_wins(tmp_path: Path) -> None:
    write(tmp_path / ".mext-lint.yaml", "fail-on: info\n")
    inner = write(tmp_path / "team" / ".mext-lint.yaml", "fail-on: error\n")
    (tmp_path / "team" / "ext").mkdir()
    (tmp_path / "other").mkdir()
    assert find_config(tmp_path / "team" / "ext") == inner
    assert find_config(tmp_path / "other") == tmp_path / ".mext-lint.yaml"


def test_yaml_comes_before_pyproject_in_one_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.mext-lint]\n")
    yaml = write(tmp_path / ".mext-lint.yaml", "")
    assert find_config(tmp_path) == yaml


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    outer = write(tmp_path / "pyproject.toml", '[tool.mext-lint]\nselect = ["MX1"]\n')
    write(tmp_path / "ext" / "pyproject.toml", '[project]\nname = "ui"\n[tool.ruff]\n')
    assert find_config(tmp_path / "ext") == outer


def test_the_search_ends_at_the_filesystem_root(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_config(tmp_path / "a" / "b") is None
    assert find_config(Path(tmp_path.anchor)) in (
        None,
        *Path(tmp_path.anchor).glob(".mext-lint.y*ml"),
    )


def test_directories_shared_by_roots_are_searched_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outer = write(tmp_path / ".mext-lint.yaml", "")
    inner = write(tmp_path / "team" / ".mext-lint.yaml", "")
    for name in ("team/a", "team/b", "solo/c", "solo/d"):
        (tmp_path / name).mkdir(parents=True)
    looked_at: list[Path] = []
    real_config_in = config.config_in

    def counting_config_in(directory: str | Path) -> Path | None:
        looked_at.append(Path(directory))
        return real_config_in(directory)

    monkeypatch.setattr(config, "config_in", counting_config_in)
    seen: dict[str, Path | None] = {}
    found = [
        find_config(tmp_path / name, seen) for name in ("team/a", "team/b", "solo/c", "solo/d")
    ]
    assert found == [inner, inner, outer, outer]
    assert [find_config(tmp_path / name) for name in ("team/a", "solo/d")] == [inner, outer]
    first_pass = looked_at[: len(looked_at) - 5]  # the last two calls had no cache
    assert sorted(first_pass) == sorted(
        tmp_path / name for name in ("team/a", "team", "team/b", "solo/c", "solo", "", "solo/d")
    )


def test_settings_are_per_root_and_read_once_per_file(tmp_path: Path) -> None:
    write(tmp_path / "a" / ".mext-lint.yaml", "fail-on: error\n")
    for name in ("a/one", "a/two", "b"):
        (tmp_path / name).mkdir(parents=True)
    resolver = SettingsResolver(Layer(), load_catalog())
    one, two = resolver.for_root(tmp_path / "a" / "one"), resolver.for_root(tmp_path / "a" / "two")
    assert one is two and one.fail_on == "error"
    assert resolver.for_root(tmp_path / "b").fail_on == "warning"


# ---------------------------------------------------------------------------------------------
# The command line on top


def layers(config: Layer, command_line: Layer) -> Settings:
    return merge(config, command_line, load_catalog())


def test_command_line_select_starts_afresh() -> None:
    config = Layer(select=frozenset({"MX001"}), ignore=frozenset({"MX204"}))
    settings = layers(config, Layer(select=frozenset({"MX204"})))
    assert settings.select == frozenset({"MX204"}) and settings.ignore == frozenset()


def test_command_line_extend_select_brings_back_an_ignored_rule() -> None:
    config = Layer(select=frozenset({"MX001"}), ignore=frozenset({"MX204"}))
    settings = layers(config, Layer(extend_select=frozenset({"MX204"})))
    assert settings.enabled("MX204") and settings.enabled("MX001")
    assert not settings.enabled("MX201")


def test_command_line_ignore_adds_to_the_config() -> None:
    settings = layers(Layer(ignore=frozenset({"MX204"})), Layer(ignore=frozenset({"MX201"})))
    assert settings.ignore == {"MX201", "MX204"}


def test_command_line_values_beat_the_config() -> None:
    arm = (Platform("linux", "arm64"),)
    config = Layer(fail_on="info", platforms=arm, build_args={"A": "1", "B": "2"})
    command_line = Layer(
        fail_on="error", platforms=(Platform("linux", "amd64"),), build_args={"B": "3"}
    )
    settings = layers(config, command_line)
    assert settings.fail_on == "error"
    assert settings.platforms == (Platform("linux", "amd64"),)
    assert settings.build_args == {"A": "1", "B": "3"}
    assert layers(config, Layer()).platforms == arm


# ---------------------------------------------------------------------------------------------
# End to end


def legacy_extension(where: Path) -> Path:
    """metadata.json with a legacy key (MX301) and no Dockerfile (MX003)."""
    write(where / "metadata.json", '{"name": "legacy"}\n')
    return where


def codes(argv: list[str], capsys: Any) -> tuple[int, list[str]]:
    exit_code = main([*argv, "--format", "json"])
    captured = capsys.readouterr()
    assert exit_code in (0, 1), captured.err
    return exit_code, sorted(f["code"] for f in json.loads(captured.out))


def test_config_applies_to_the_run(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    legacy_extension(tmp_path / "ext")
    monkeypatch.chdir(tmp_path)
    assert codes(["ext"], capsys) == (1, ["MX003", "MX301"])
    write(tmp_path / ".mext-lint.yaml", "ignore: [MX003]\nseverity: {MX301: info}\n")
    assert codes(["ext"], capsys) == (0, ["MX301"])
    assert codes(["ext", "--fail-on", "info"], capsys) == (1, ["MX301"])
    assert codes(["ext", "--isolated"], capsys) == (1, ["MX003", "MX301"])


def test_config_per_root(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    legacy_extension(tmp_path / "strict")
    legacy_extension(tmp_path / "relaxed")
    write(tmp_path / "relaxed" / ".mext-lint.yaml", "select: [MX003]\n")
    monkeypatch.chdir(tmp_path)
    assert codes(["."], capsys) == (1, ["MX003", "MX003", "MX301"])


def test_named_config_file_is_used_for_every_root(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    legacy_extension(tmp_path / "ext")
    write(tmp_path / "ext" / ".mext-lint.yaml", "select: [MX003]\n")
    write(tmp_path / "ci" / "lint.yaml", "select: [MX301]\n")
    monkeypatch.chdir(tmp_path)
    assert codes(["ext", "--config", "ci/lint.yaml"], capsys) == (1, ["MX301"])
    assert main(["ext", "--config", "ci/missing.yaml"]) == 2
    assert "--config ci/missing.yaml: no such file" in capsys.readouterr().err


def test_isolated_ignores_even_a_broken_config(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    legacy_extension(tmp_path / "ext")
    write(tmp_path / ".mext-lint.yaml", "selct: [MX1]\n")
    monkeypatch.chdir(tmp_path)
    assert codes(["ext", "--isolated"], capsys) == (1, ["MX003", "MX301"])


def test_exclude_skips_extension_roots(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    legacy_extension(tmp_path / "ext")
    legacy_extension(tmp_path / "testdata" / "broken")
    legacy_extension(tmp_path / "old" / "v1")
    write(tmp_path / "pyproject.toml", '[tool.mext-lint]\nexclude = ["testdata", "old/*"]\n')
    monkeypatch.chdir(tmp_path)
    exit_code = main([".", "--format", "json"])
    paths = {f["path"] for f in json.loads(capsys.readouterr().out)}
    assert exit_code == 1 and paths == {"ext/metadata.json"}
    assert main(["testdata/broken/metadata.json"]) == 0  # a file passed in is excluded too
    assert "0 extensions checked" in capsys.readouterr().out


def test_per_file_ignores_silence_metadata_findings(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    legacy_extension(tmp_path / "ext")
    legacy_extension(tmp_path / "other")
    write(tmp_path / ".mext-lint.yaml", 'per-file-ignores:\n  "ext/metadata.json": [MX301]\n')
    monkeypatch.chdir(tmp_path)
    exit_code = main([".", "--format", "json"])
    found = {(f["path"], f["code"]) for f in json.loads(capsys.readouterr().out)}
    assert exit_code == 1
    assert found == {
        ("ext/metadata.json", "MX003"),
        ("other/metadata.json", "MX003"),
        ("other/metadata.json", "MX301"),
    }


def test_dockerfile_and_build_args_from_config(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    root = tmp_path / "ext"
    write(root / "metadata.json", "{}\n")
    write(
        root / "docker" / "Dockerfile",
        "FROM alpine\nARG API\nLABEL com.docker.desktop.extension.api.version=$API\n",
    )
    monkeypatch.chdir(tmp_path)
    assert "MX003" in codes(["ext"], capsys)[1]
    write(
        tmp_path / ".mext-lint.yaml",
        "dockerfile: docker/Dockerfile\ncontext: .\nbuild-args: {API: 0.3.4}\n",
    )
    found = codes(["ext"], capsys)[1]
    assert "MX003" not in found and "MX204" in found  # the pinned version came from build-args
    assert "MX204" not in codes(["ext", "--build-arg", "API=>=0.3.4"], capsys)[1]


# ---------------------------------------------------------------------------------------------
# Globs


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("ext/metadata.json", "ext/metadata.json", True),
        ("metadata.json", "a/b/metadata.json", True),  # a bare name matches at any depth
        ("testdata", "testdata/ext/Dockerfile", True),  # ... and any directory on the way
        ("ext/*.json", "ext/metadata.json", True),
        ("ext/**/metadata.json", "ext/metadata.json", True),
        ("ext/**/metadata.json", "ext/a/b/metadata.json", True),
        ("./ext/", "ext", True),
        ("ext/metadata.json", "other/ext/metadata.json", False),
        ("*.yaml", "ext/metadata.json", False),
    ],
)
def test_glob_matches(pattern: str, path: str, expected: bool, tmp_path: Path) -> None:
    assert glob_matches(pattern, tmp_path / path, tmp_path) is expected


def test_glob_outside_the_base_never_matches(tmp_path: Path) -> None:
    assert not glob_matches("*", tmp_path.parent / "elsewhere", tmp_path)


def test_the_readme_example_is_a_valid_configuration(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    config = write(tmp_path / ".mext-lint.yaml", example)
    layer = parse_layer(read_config(config), load_catalog())
    assert layer.severity == {"MX108": "error"} and layer.per_file_ignores


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kubectl-multiarch"


@pytest.mark.parametrize(
    "config",
    [
        "hosts: [darwin/amd64, darwin/arm64, windows/amd64, linux/amd64]\n",  # no Windows on Arm
        "platforms: [linux/amd64]\n",  # the arm64 variant is not simulated
    ],
)
def test_hosts_and_platforms_reach_the_checks(
    config: str, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "ext")
    monkeypatch.chdir(tmp_path)
    assert codes(["ext"], capsys)[1] == ["MX108"]  # Windows on Arm gets no kubectl
    write(tmp_path / ".mext-lint.yaml", config)
    assert codes(["ext"], capsys) == (0, [])


def test_context_from_config(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    write(tmp_path / "shared" / "icon.svg", "<svg/>\n")
    write(tmp_path / "ext" / "metadata.json", "{}\n")
    write(
        tmp_path / "ext" / "Dockerfile",
        "FROM alpine\nCOPY shared/icon.svg /\nCOPY ext/metadata.json /\n",
    )
    monkeypatch.chdir(tmp_path)
    assert codes(["ext", "--select", "MX401"], capsys) == (1, ["MX401", "MX401"])
    write(tmp_path / "ext" / ".mext-lint.yaml", "context: ..\n")
    assert codes(["ext", "--select", "MX401"], capsys) == (0, [])
