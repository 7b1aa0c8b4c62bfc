"""Each file a lint run reads is opened once: no extension file, rule page or schema twice."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kubectl-multiarch"

COUNTER = textwrap.dedent(
    """\
    import contextlib, io, json, os, sys
    opened = []

    def hook(event, args):
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.path.abspath(os.fsdecode(args[0])))

    sys.addaudithook(hook)
    from mext_lint.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        main(sys.argv[1:])
    print(json.dumps(opened))
    """
)


def opened_files(*args: str) -> Counter[str]:
    result = subprocess.run(
        [sys.executable, "-c", COUNTER, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return Counter(json.loads(result.stdout.splitlines()[-1]))


def test_every_file_is_opened_once(tmp_path: Path) -> None:
    extension = tmp_path / "extension"
    shutil.copytree(EXAMPLE, extension)
    (extension / "Makefile").write_text(
        "push-extension:\n\tdocker buildx build --push --platform=linux/amd64 -t a/b .\n"
    )
    (extension / ".dockerignore").write_text("*.md\n")
    (extension / "docker-compose.yaml").write_text("services:\n  b:\n    image: a/b:1\n")
    metadata = json.loads((extension / "metadata.json").read_text())
    metadata["vm"] = {"composefile": "docker-compose.yaml"}
    (extension / "metadata.json").write_text(json.dumps(metadata))
    dockerfile = extension / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "COPY docker-compose.yaml .\n")
    for output_format in ("text", "sarif"):
        counts = opened_files("--format", output_format, str(extension))
        ours = {
            path: count
            for path, count in counts.items()
            if path.startswith((str(extension), str(ROOT / "rules"), str(ROOT / "mext_lint")))
            and not path.endswith(".pyc")
        }
        assert str(extension / "Dockerfile") in ours
        assert str(extension / "docker-compose.yaml") in ours
        assert str(extension / "Makefile") in ours
        twice = {path: count for path, count in ours.items() if count > 1}
        assert not twice, f"{output_format}: opened more than once: {twice}"


def test_texts_are_remembered_only_within_a_run(tmp_path: Path) -> None:
    from mext_lint.sources import read_text, remembering

    path = tmp_path / "Dockerfile"
    path.write_text("FROM a\n")
    assert read_text(path).text == "FROM a\n"
    path.write_text("FROM b\n")
    assert read_text(path).text == "FROM b\n"  # a long-lived process sees changes
    with remembering():
        assert read_text(path).text == "FROM b\n"
        path.write_text("FROM c\n")
        assert read_text(path).text == "FROM b\n"  # what this run linted, read once
    assert read_text(path).text == "FROM c\n"
