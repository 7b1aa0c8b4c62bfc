"""The command line: discovery, output contracts, exit codes, and bad input of every kind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mext_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kubectl-multiarch"


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ext(tmp_path: Path) -> Path:
    root = tmp_path / "ext"
    shutil.copytree(EXAMPLE, root)
    return root


def codes(out: str) -> list[str]:
    return [finding["code"] for finding in json.loads(out)]


def test_example_reports_only_the_windows_on_arm_gap(capsys: Any) -> None:
    code, out, err = run(capsys, str(EXAMPLE), "--format", "json")
    findings = json.loads(out)
    assert [(f["code"], f["platforms"]) for f in findings] == [("MX108", ["linux/arm64"])], out
    finding = findings[0]
    assert finding["path"].endswith("examples/kubectl-multiarch/metadata.json")
    assert (finding["line"], finding["column"]) == (14, 31)
    assert finding["severity"] == "warning"
    assert {"end_line", "end_column", "related", "message", "name"} <= finding.keys()
    assert any(r["path"].endswith("Dockerfile") for r in finding["related"])
    assert code == 1, err


def test_text_format_names_platforms_and_summarises(capsys: Any) -> None:
    _code, out, _ = run(capsys, str(EXAMPLE), "--no-color")
    first = out.splitlines()[0]
    assert "metadata.json:14:31: MX108 " in first and first.endswith("[linux/arm64]")
    assert "related:" in out
    assert out.splitlines()[-1].startswith("Found 1 finding (1 warning) in 1 extension checked")


def test_fail_on_error_and_exit_zero(capsys: Any) -> None:
    assert run(capsys, str(EXAMPLE), "--fail-on", "error")[0] == 0
    assert run(capsys, str(EXAMPLE), "--exit-zero")[0] == 0


def test_select_and_ignore_by_code_prefix_and_name(capsys: Any) -> None:
    assert (
        codes(run(capsys, str(EXAMPLE), "--format", "json", "--ignore", "windows-arm-gap")[1]) == []
    )
    assert codes(run(capsys, str(EXAMPLE), "--format", "json", "--select", "MX1")[1]) == ["MX108"]
    assert codes(run(capsys, str(EXAMPLE), "--format", "json", "--select", "MX2,MX3")[1]) == []


def test_unknown_selector_is_a_usage_error(capsys: Any) -> None:
    code, out, err = run(capsys, str(EXAMPLE), "--select", "MX999")
    assert code == 2 and out == ""
    assert err.startswith("mext-lint: error: unknown rule selector 'MX999'")
    assert len(err.strip().splitlines()) == 1


def test_missing_path_and_bad_platform_exit_2(capsys: Any, tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope"))
    assert code == 2 and "no such file or directory" in err
    code, _, err = run(capsys, str(EXAMPLE), "--platform", "amd64")
    assert code == 2 and "invalid platform" in err
    code, _, err = run(capsys, "--no-such-option")
    assert code == 2 and err.startswith("mext-lint: error:")


def test_single_platform_run(capsys: Any) -> None:
    _, out, _ = run(capsys, str(EXAMPLE), "--format", "json", "--platform", "linux/amd64")
    assert codes(out) == []


def test_file_paths_map_to_their_root_once(capsys: Any) -> None:
    _code, out, _ = run(
        capsys, str(EXAMPLE / "Dockerfile"), str(EXAMPLE / "metadata.json"), "--no-color"
    )
    assert "in 1 extension checked" in out


def test_directory_search_skips_node_modules(capsys: Any, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "repo" / "extension")
    hidden = tmp_path / "repo" / "ui" / "node_modules" / "pkg"
    hidden.mkdir(parents=True)
    (hidden / "metadata.json").write_text("not json", encoding="utf-8")
    _, out, _ = run(capsys, str(tmp_path / "repo"), "--no-color")
    assert "in 1 extension checked" in out


def test_no_extension_found_is_clean(capsys: Any, tmp_path: Path) -> None:
    code, out, _ = run(capsys, str(tmp_path), "--no-color")
    assert code == 0 and "0 extensions checked" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"FROM alpine\n# caf\xe9\n", "not valid UTF-8"),
        (b"\xff\xfeF\x00R\x00O\x00M\x00", "UTF-16"),
        (b"FROM alpine\x00\x00\x01garbage", "NUL bytes"),
        (bytes(range(256)) * 64, "NUL bytes"),
    ],
)
def test_unreadable_dockerfile_is_mx001(
    capsys: Any, ext: Path, content: bytes, expected: str
) -> None:
    (ext / "Dockerfile").write_bytes(content)
    code, out, err = run(capsys, str(ext), "--format", "json")
    findings = json.loads(out)
    assert [f["code"] for f in findings] == ["MX001"], out
    assert expected in findings[0]["message"]
    assert code == 1 and err == ""


def test_bom_is_accepted(capsys: Any, ext: Path) -> None:
    text = (ext / "Dockerfile").read_bytes()
    (ext / "Dockerfile").write_bytes(b"\xef\xbb\xbf" + text)
    (ext / "metadata.json").write_bytes(b"\xef\xbb\xbf" + (ext / "metadata.json").read_bytes())
    _, out, _ = run(capsys, str(ext), "--format", "json")
    assert codes(out) == ["MX108"]


def test_dockerfile_that_is_a_directory(capsys: Any, ext: Path) -> None:
    (ext / "Dockerfile").unlink()
    (ext / "Dockerfile").mkdir()
    code, out, _ = run(capsys, str(ext), "--format", "json")
    finding = json.loads(out)[0]
    assert finding["code"] == "MX001" and "is a directory" in finding["message"]
    assert code == 1


def test_huge_metadata_is_refused_not_read(capsys: Any, ext: Path) -> None:
    with (ext / "metadata.json").open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    _code, out, _ = run(capsys, str(ext), "--format", "json")
    finding = json.loads(out)[0]
    assert finding["code"] == "MX002" and "are not read" in finding["message"]


def test_broken_metadata_and_unterminated_heredoc_together(capsys: Any, ext: Path) -> None:
    (ext / "metadata.json").write_text('{"icon": "docker.svg",', encoding="utf-8")
    (ext / "Dockerfile").write_text("FROM alpine\nRUN <<EOT\necho hi\n", encoding="utf-8")
    code, out, err = run(capsys, str(ext), "--format", "json")
    assert sorted(set(codes(out))) == ["MX001", "MX002"], out
    assert code == 1 and err == ""


def test_symlink_out_of_the_tree_is_not_followed(capsys: Any, ext: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "metadata.json").write_text("{}", encoding="utf-8")
    (ext / "ui" / "outside").symlink_to(secret)
    (ext / "loop").symlink_to(ext)
    _code, out, err = run(capsys, str(ext), "--no-color")
    assert "in 1 extension checked" in out and err == ""


def test_paths_with_spaces_and_non_ascii_names(capsys: Any, tmp_path: Path) -> None:
    root = tmp_path / "my extensión dir"
    shutil.copytree(EXAMPLE, root)
    _, out, _ = run(capsys, str(root), "--format", "json")
    assert codes(out) == ["MX108"]


def test_output_file_is_written_only_when_asked(capsys: Any, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, str(EXAMPLE), "--format", "json", "--output", str(target))
    assert out == "" and json.loads(target.read_text(encoding="utf-8"))[0]["code"] == "MX108"
    code, _, err = run(capsys, str(EXAMPLE), "--output", str(tmp_path / "no" / "dir" / "x"))
    assert code == 2 and "cannot write" in err


def test_internal_error_is_one_line_and_debug_shows_traceback(
    capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mext_lint.engine

    def boom(*_: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(mext_lint.engine, "lint_extension", boom)
    code, _, err = run(capsys, str(EXAMPLE))
    assert code == 2
    assert err.strip() == (
        "mext-lint: internal error: RuntimeError: simulated failure (run with --debug for the"
        " traceback, and please report it)"
    )
    with pytest.raises(RuntimeError):
        main([str(EXAMPLE), "--debug"])


def test_rule_command(capsys: Any) -> None:
    code, out, _ = run(capsys, "rule", "MX103")
    assert code == 0 and out.startswith("# MX103 host-binary-missing (error)")
    assert "## How to fix" in out
    assert run(capsys, "rule", "host-binary-missing")[0] == 0
    code, out, _ = run(capsys, "rule", "--all")
    assert code == 0 and "MX201  missing-required-label" in out
    code, _, err = run(capsys, "rule", "MX999")
    assert code == 2 and "unknown rule" in err


def test_image_tree_for_the_example(capsys: Any) -> None:
    code, out, _ = run(capsys, "image-tree", str(EXAMPLE), "--format", "json")
    assert code == 0
    (document,) = json.loads(out)
    assert len(document["variants"]) == 2


def test_module_entry_point_and_no_color_env() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mext_lint", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "\033[" not in result.stdout
    assert result.stdout.startswith("examples/kubectl-multiarch/metadata.json:14:31: MX108")


def test_the_command_exits_without_teardown_but_with_everything_written(
    capsys: Any, tmp_path: Path
) -> None:
    """launch.main leaves through os._exit: output to a pipe and to --output must be whole."""
    arguments = [str(EXAMPLE), "--format", "json"]
    expected_code, expected, _ = run(capsys, *arguments)
    command = [sys.executable, "-m", "mext_lint", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert (result.returncode, result.stdout, result.stderr) == (expected_code, expected, "")
    written = tmp_path / "findings.json"
    result = subprocess.run([*command, "--output", str(written)], capture_output=True, cwd=ROOT)
    assert result.returncode == expected_code
    assert written.read_text(encoding="utf-8") == expected


def test_a_profiled_run_exits_the_usual_way_so_the_profiler_can_write(tmp_path: Path) -> None:
    profile = tmp_path / "run.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mext_lint"]
    result = subprocess.run([*command, str(EXAMPLE)], capture_output=True, text=True, cwd=ROOT)
    assert "Found 1 finding" in result.stdout  # (cProfile's own exit code is 0)
    assert profile.stat().st_size > 0


def test_version_names_the_build(capsys: Any) -> None:
    import platform

    from mext_lint import __version__, compiled

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    build = "compiled" if compiled() else "pure Python"
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == (
        f"mext-lint {__version__} ({build}, Python {platform.python_version()})\n"
    )
