"""A plain lint run imports only what it uses: costly modules are imported where first needed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Imported by nothing a clean lint of the example needs (each costs milliseconds to import).
NOT_IMPORTED = (
    "jsonschema",  # only for a metadata.json that is not valid
    "ruamel.yaml",  # only for YAML: a compose file, .mext-lint.yaml, a catalog page it must read
    "tree_sitter_bash",  # its package __init__ imports importlib.resources; we load its binding
    "importlib.resources",
    "zipfile",
    "logging",  # only when a RUN cannot be analysed
    "difflib",  # only to suggest a correction
    "shutil",  # argparse's help formatter imports it to measure the terminal
    "dataclasses",  # with inspect, ast, dis and tokenize: the models are written classes
    "inspect",
    "mext_lint.compose",  # no compose file
    "mext_lint.makefile",  # no Makefile
    "mext_lint.bakefile",  # no bake file
    "mext_lint.report.sarif",
    "mext_lint.oci",  # the image reader: only for `mext-lint image`
    "mext_lint.report.json_format",
)


def test_a_plain_run_imports_nothing_it_does_not_use() -> None:
    script = textwrap.dedent(
        f"""\
        import contextlib, io, sys
        from mext_lint.cli import main
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = main(["examples/kubectl-multiarch"])
        assert code == 1 and "MX108" in out.getvalue(), out.getvalue()
        loaded = [name for name in {NOT_IMPORTED!r} if name in sys.modules]
        assert not loaded, f"imported: {{loaded}}"
        assert "tree_sitter" in sys.modules, "no RUN was analysed?"
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.sources_only
def test_the_bash_grammar_loads_through_the_package_too() -> None:
    from mext_lint.simulate import shell

    assert shell._load_bash_binding() is not None
    script = textwrap.dedent(
        """\
        from mext_lint.simulate import shell
        shell._load_bash_binding = lambda: None
        assert shell._parse("mkdir -p /a").type == "program"
        import sys
        assert "tree_sitter_bash" in sys.modules
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
