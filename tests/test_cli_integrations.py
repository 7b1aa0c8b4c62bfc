"""Where users run mext-lint: pre-commit (the real hook, installed by pre-commit itself), single
files as pre-commit passes them, and the rule documentation commands."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mext_lint.catalog import DOC_SECTIONS, load_catalog
from mext_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kubectl-multiarch"
# What pip needs to install mext-lint from a clone of this repository.
HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "mext_lint", "rules")
WINDOWS_FOR_AMD64_ONLY = """\
    if [ "amd64" = "$TARGETARCH" ]; then
        mkdir -p /out/windows
        curl -fSsLo /out/windows/kubectl.exe "https://dl.k8s.io/release/$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/windows/amd64/kubectl.exe"
    fi
"""
WINDOWS_FOR_BOTH = """\
    mkdir -p /out/windows
    curl -fSsLo /out/windows/kubectl.exe "https://dl.k8s.io/release/$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/windows/amd64/kubectl.exe"
"""


def clean_extension(where: Path) -> Path:
    """The bundled example with the Windows binary copied into both variants: no findings."""
    shutil.copytree(EXAMPLE, where)
    dockerfile = where / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    assert WINDOWS_FOR_AMD64_ONLY in text, "the bundled example changed: update this test"
    dockerfile.write_text(text.replace(WINDOWS_FOR_AMD64_ONLY, WINDOWS_FOR_BOTH), encoding="utf-8")
    return where


def findings(argv: list[str], capsys: Any) -> list[dict[str, Any]]:
    main([*argv, "--format", "json", "--exit-zero", "--isolated"])
    found: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return found


def test_the_clean_extension_is_clean(tmp_path: Path, capsys: Any) -> None:
    root = clean_extension(tmp_path / "ext")
    assert findings([str(root)], capsys) == []


# ---------------------------------------------------------------------------------------------
# One file passed (as pre-commit does): its siblings are read from disk


@pytest.mark.parametrize("passed", ["metadata.json", "Dockerfile", "compose.yaml"])
def test_one_file_of_an_extension_lints_the_whole_extension(
    passed: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    root = clean_extension(tmp_path / "ext")
    (root / "compose.yaml").write_text("services: {}\n", encoding="utf-8")
    # A problem in each of the two files: both must be found whichever file is passed.
    metadata = root / "metadata.json"
    metadata.write_text(metadata.read_text(encoding="utf-8").replace("{", '{"name": "x",', 1))
    dockerfile = root / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    dockerfile.write_text(text.replace('">= 0.3.3"', '"0.3.3"'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    found = findings([f"ext/{passed}"], capsys)
    assert {(f["path"], f["code"]) for f in found} == {
        ("ext/metadata.json", "MX301"),
        ("ext/Dockerfile", "MX204"),
    }


def test_several_files_of_one_extension_lint_it_once(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    root = clean_extension(tmp_path / "ext")
    dockerfile = root / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    dockerfile.write_text(text.replace('">= 0.3.3"', '"0.3.3"'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["ext/Dockerfile", "ext/metadata.json", "--isolated"]) == 1
    out = capsys.readouterr().out
    assert out.count("MX204") == 1 and "1 extension checked" in out


# ---------------------------------------------------------------------------------------------
# The hook as pre-commit installs and runs it


def test_hook_definition() -> None:
    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "mext-lint" and hook["entry"] == "mext-lint"
    assert hook["language"] == "python"
    assert hook["require_serial"] is True and hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for path in (
        "Dockerfile",
        "ext/Containerfile",
        "ext/backend.Dockerfile",
        "metadata.json",
        "a/b/metadata.json",
        "compose.yaml",
        "ext/docker-compose.yml",
    ):
        assert files.search(path), path
    for path in ("Dockerfile.bak", "ext/mymetadata.json", "compose.json", "README.md", "ui/x.js"):
        assert not files.search(path), path


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=mext-lint tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this working tree: try-repo clones committed files only."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed")
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    _git("init", "-q", cwd=repo)
    _git("add", ".", cwd=repo)
    _git("commit", "-q", "-m", "hook under test", cwd=repo)
    return repo


ALL = ("--all-files", "--color", "never")


def try_repo(hook_repo: Path, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    _git("init", "-q", cwd=project)
    _git("add", ".", cwd=project)
    environment = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "PRE_COMMIT_COLOR": "never",
        "GITHUB_ACTIONS": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "mext-lint", *ALL],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.sources_only
def test_pre_commit_hook_fails_on_a_broken_extension(hook_repo: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    root = clean_extension(project / "my-extension")
    metadata = root / "metadata.json"
    metadata.write_text(metadata.read_text(encoding="utf-8").replace("{", '{"name": "x",', 1))
    result = try_repo(hook_repo, project, tmp_path / "home")
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"mext-lint\.+Failed", result.stdout), result.stdout
    assert "my-extension/metadata.json:1:2: MX301" in result.stdout, result.stdout


@pytest.mark.sources_only
def test_pre_commit_hook_passes_on_a_clean_extension(hook_repo: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    clean_extension(project / "my-extension")
    result = try_repo(hook_repo, project, tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"mext-lint\.+Passed", result.stdout), result.stdout


# ---------------------------------------------------------------------------------------------
# Rule documentation


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("code", sorted(load_catalog()))
def test_rule_prints_the_whole_doc(code: str, capsys: Any) -> None:
    rule = load_catalog()[code]
    exit_code, out, _ = run(capsys, "rule", code.lower())
    assert exit_code == 0
    assert out.startswith(f"# {code} {rule.name} ({rule.severity})\n\n{rule.summary}\n")
    for section in DOC_SECTIONS:
        assert f"## {section}\n" in out
    assert run(capsys, "rule", rule.name)[1] == out


def test_rule_as_json(capsys: Any) -> None:
    exit_code, out, _ = run(capsys, "rule", "MX006", "--format", "json")
    assert exit_code == 0
    rule = json.loads(out)
    assert rule["code"] == "MX006" and rule["name"] == "unused-suppression"
    assert rule["help_uri"].endswith("/rules/MX006.md") and "## How to fix" in rule["doc"]


def test_rule_all_as_json_lists_every_rule(capsys: Any) -> None:
    exit_code, out, _ = run(capsys, "rule", "--all", "--format", "json")
    assert exit_code == 0
    rows = json.loads(out)
    assert [row["code"] for row in rows] == sorted(load_catalog())
    for row in rows:
        assert set(row) == {"code", "name", "severity", "summary", "since", "tags", "help_uri"}
        assert row["severity"] in ("error", "warning", "info") and row["summary"]


def test_rule_all_as_text_is_one_line_per_rule(capsys: Any) -> None:
    exit_code, out, _ = run(capsys, "rule", "--all")
    assert exit_code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(load_catalog())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rule"], "rule: give a rule code (e.g. MX103) or --all"),
        (["rule", "MX999"], "rule: unknown rule 'MX999'"),
        (["rule", "MX103", "--format", "yaml"], "invalid choice: 'yaml'"),
    ],
)
def test_rule_usage_errors(argv: list[str], message: str, capsys: Any) -> None:
    exit_code, out, err = run(capsys, *argv)
    assert exit_code == 2 and out == ""
    assert err.startswith("mext-lint: error: ") and message in err and err.count("\n") == 1


def test_format_choices_come_from_the_reporters(capsys: Any) -> None:
    exit_code, _, err = run(capsys, "--format", "xml")
    assert exit_code == 2
    assert "choose from 'text', 'json', 'sarif', 'github'" in err
