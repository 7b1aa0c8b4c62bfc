"""The installed wheel works on its own: catalog and schema inside, console script on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.sources_only  # packages the source tree


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("mext_lint-*.whl")
    return found


def test_wheel_ships_catalog_and_schema(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "mext_lint/rules/MX201.md" in names
    assert any(n.startswith("mext_lint/schemas/") and n.endswith(".json") for n in names)


def test_installed_wheel_runs_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(env_dir / "bin" / "mext-lint"), "rule", "MX201"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "missing-required-label" in result.stdout
    assert "## How to fix" in result.stdout
    where = subprocess.run(
        [str(python), "-c", "import mext_lint; print(mext_lint.__file__)"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(env_dir) in where, f"imported from the source tree: {where}"
    example = subprocess.run(
        [
            str(env_dir / "bin" / "mext-lint"),
            str(ROOT / "examples" / "kubectl-multiarch"),
            "--format",
            "json",
        ],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert example.returncode in (0, 1), example.stderr


def test_the_compiled_build_lists_modules_that_exist() -> None:
    """hatch_build.py compiles what pyproject.toml lists; a renamed module would otherwise fail
    only the compiled build."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    with (ROOT / "pyproject.toml").open("rb") as handle:
        hooks = tomllib.load(handle)["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]
    modules = hooks["custom"]["modules"]
    assert hooks["custom"]["enable-by-default"] is False
    assert modules == sorted(set(modules))
    for module in modules:
        assert module.startswith("mext_lint/") and module.endswith(".py")
        assert (ROOT / module).is_file(), module
