"""Run one rule's YAML cases: each case is a small extension on disk and the findings expected.

A case file ``tests/rules/MXnnn.yaml`` holds ``cases``, each with:
- ``name``: what the case shows;
- ``base``: optional, ``example`` starts from the bundled kubectl example extension;
- ``files``: path -> content (``null`` deletes a file of the base);
- ``args``: optional extra command-line options (e.g. ``["--platform", "linux/arm64"]``);
- ``image``: optional, the name of an image built in Python (tests/oci_images.py): the case then
  runs ``mext-lint image`` on it (``image_form``: ``layout``, the default, or ``archive``), with
  the extension of ``base``/``files``, when given, as ``--source``;
- ``expect``: the findings of this rule only, each ``{line, column, message, platforms}`` (all
  optional but ``message``, a substring); an empty list means the rule must stay silent.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from mext_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kubectl-multiarch"
CASES_DIR = Path(__file__).resolve().parent / "rules"


def load_cases(code: str) -> list[dict[str, Any]]:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((CASES_DIR / f"{code}.yaml").read_text(encoding="utf-8"))
    assert data["rule"] == code
    cases: list[dict[str, Any]] = data["cases"]
    return cases


def build_case(case: dict[str, Any], where: Path) -> Path:
    root = where / "ext"
    if case.get("base") == "example":
        shutil.copytree(EXAMPLE, root)
    else:
        root.mkdir()
    for name, content in (case.get("files") or {}).items():
        path = root / name
        if content is None:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    for link, target in (case.get("symlinks") or {}).items():
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        (root / link).symlink_to(target)
    return root


def case_command(case: dict[str, Any], where: Path) -> list[str]:
    """The command line that lints the case (without an output format)."""
    if "image" not in case:
        return [str(build_case(case, where)), *case.get("args", [])]
    from tests.oci_images import fixture_path

    image = fixture_path(case["image"], where, case.get("image_form", "layout"))
    source = ["--source", str(build_case(case, where))] if "base" in case or "files" in case else []
    return ["image", str(image), *source, *case.get("args", [])]


def run_case(code: str, case: dict[str, Any], where: Path, capsys: Any) -> list[dict[str, Any]]:
    exit_code = main([*case_command(case, where), "--format", "json", "--exit-zero"])
    captured = capsys.readouterr()
    assert exit_code == 0, captured.err
    findings: list[dict[str, Any]] = json.loads(captured.out)
    return [f for f in findings if f["code"] == code]


def matches(expected: dict[str, Any], finding: dict[str, Any]) -> bool:
    if expected["message"] not in finding["message"]:
        return False
    for key in ("line", "column", "platforms", "severity", "end_line", "end_column"):
        if key in expected and expected[key] != finding[key]:
            return False
    return True
