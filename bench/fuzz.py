"""Fuzz mext-lint with arbitrary bytes: the Dockerfile parser, the metadata.json loader (and its
schema check), the shell analyser of RUN, the compose loader, and the whole pipeline.

    python bench/fuzz.py TARGET [CORPUS_DIR ...] [libFuzzer options]  # coverage-guided (atheris)
    python bench/fuzz.py TARGET --hypothesis [N]                      # hypothesis-driven loop

TARGET: dockerfile, metadata, shell, compose, pipeline (or ``all`` with --hypothesis).

With atheris (``pip install atheris``), mext_lint is instrumented and libFuzzer mutates a seed
corpus (the Dockerfile corpus of the tests and the bundled example, unless corpus directories
are given) until it finds an input that raises: e.g.
``python bench/fuzz.py pipeline -max_total_time=600 -jobs=2``.
Without it, ``--hypothesis N`` runs N examples per target, half from the grammar of
``tests/test_fuzz.py`` (random and mutated extensions), half raw bytes.

Crash means: an exception escapes a function documented never to raise, the CLI exits with
anything but 0/1/2 or reports an internal error, or its JSON/SARIF output does not parse.
A crasher becomes a small explicit test (tests/test_hostile_inputs.py) and a fix.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = ("dockerfile", "metadata", "shell", "compose", "pipeline")
SEPARATOR = b"\0--\0"  # pipeline inputs: Dockerfile, metadata.json, compose.yaml, .dockerignore


def _import_mext_lint() -> None:
    """Import every module a target reaches (under atheris: instrumented)."""
    import mext_lint.cli
    import mext_lint.compose
    import mext_lint.dockerfile.parser
    import mext_lint.engine
    import mext_lint.metadata
    import mext_lint.metadata_schema
    import mext_lint.simulate.build
    import mext_lint.simulate.shell

    mext_lint.engine.load_checks()


# -- targets: each takes bytes and raises only on a bug ----------------------------------------


def fuzz_dockerfile(data: bytes) -> None:
    from mext_lint.dockerfile.parser import parse_dockerfile
    from mext_lint.sources import decode

    text = decode(data).text
    if text is None:
        return
    dockerfile = parse_dockerfile(text, "Dockerfile")
    lines = max(len(text.split("\n")), 1)
    for issue in dockerfile.errors:
        assert 1 <= issue.span.line <= lines and issue.span.column >= 1, issue


def fuzz_metadata(data: bytes) -> None:
    from mext_lint.metadata import load_metadata
    from mext_lint.metadata_schema import validate_metadata
    from mext_lint.sources import decode

    text = decode(data).text
    if text is None:
        return
    metadata = load_metadata(text, "metadata.json")
    validate_metadata(metadata)
    for located in (metadata.icon, metadata.ui_root, metadata.ui_src, metadata.composefile):
        assert located is None or located.span.line >= 1
    for binary in metadata.host_binaries:
        assert binary.span.line >= 1


def fuzz_shell(data: bytes) -> None:
    from mext_lint.simulate.shell import Script, ShellState, follow_script
    from mext_lint.simulate.tree import FileTree
    from mext_lint.spans import Span

    outer = bool(data[:1]) and data[0] & 1 == 1
    script = data[1:].decode("utf-8", "replace")
    instruction = Span("Dockerfile", 1, 1, 1, 4)
    for arch in ("amd64", "arm64"):
        env: dict[str, str | None] = {"TARGETARCH": arch, "TARGETOS": "linux", "X": None}
        state = ShellState(FileTree(), env, "/", instruction, f"linux/{arch}")
        # RecursionError: nesting deeper than Python's stack, which run_script leaves opaque.
        with contextlib.suppress(RecursionError):
            follow_script(
                Script(script, lambda offset: (1, offset + 5), "Dockerfile", outer), state
            )


def fuzz_compose(data: bytes) -> None:
    from mext_lint.compose import load_compose
    from mext_lint.sources import decode

    text = decode(data).text
    if text is not None:
        load_compose(text, "compose.yaml")


_WORK: Path | None = None


def fuzz_pipeline(data: bytes) -> None:
    """The bytes, split at SEPARATOR, become an extension's files; lint it as JSON and SARIF."""
    global _WORK
    if _WORK is None:
        _WORK = Path(tempfile.mkdtemp(prefix="mext-fuzz-"))
    root = _WORK / "ext"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    names = ("Dockerfile", "metadata.json", "compose.yaml", ".dockerignore")
    for name, content in zip(names, data.split(SEPARATOR), strict=False):
        (root / name).write_bytes(content)
    for output_format in ("json", "sarif"):
        code, out, err = run_cli(str(root), "--isolated", "--format", output_format)
        assert code in (0, 1, 2) and "internal error" not in err, err
        if code != 2:
            json.loads(out)


def run_cli(*args: str) -> tuple[int, str, str]:
    """``mext-lint ARGS`` in this process, stdout encoded strictly as UTF-8."""
    from mext_lint.cli import main

    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
    stderr = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(args))
        stdout.flush()
    out = raw.getvalue().decode("utf-8")
    stdout.detach()
    return code, out, stderr.getvalue()


FUNCTIONS: dict[str, Callable[[bytes], None]] = {
    "dockerfile": fuzz_dockerfile,
    "metadata": fuzz_metadata,
    "shell": fuzz_shell,
    "compose": fuzz_compose,
    "pipeline": fuzz_pipeline,
}


# -- seeds -----------------------------------------------------------------------------------------


def seeds(target: str) -> list[bytes]:
    example = ROOT / "examples" / "kubectl-multiarch"
    dockerfiles = [
        p.read_bytes() for p in sorted((ROOT / "tests" / "corpus").rglob("*.Dockerfile"))
    ]
    dockerfiles.append((example / "Dockerfile").read_bytes())
    metadata = (example / "metadata.json").read_bytes()
    compose = b"services:\n  backend:\n    image: ${DESKTOP_PLUGIN_IMAGE}\n"
    if target == "dockerfile":
        return dockerfiles
    if target == "metadata":
        return [metadata, b'{"host": {"binaries": [{"darwin": [{"path": "/x"}]}]}}']
    if target == "shell":
        return [b"\0" + d.partition(b"RUN ")[2] for d in dockerfiles if b"RUN " in d]
    if target == "compose":
        return [compose]
    return [SEPARATOR.join([d, metadata, compose, b"node_modules\n"]) for d in dockerfiles[-3:]]


# -- drivers ---------------------------------------------------------------------------------------


def run_atheris(target: str, argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["mext_lint", "ruamel"]):
        _import_mext_lint()
    if not any(not arg.startswith("-") for arg in argv[1:]):  # no corpus directory given
        corpus = Path(tempfile.mkdtemp(prefix=f"mext-fuzz-{target}-"))
        for number, seed in enumerate(seeds(target)):
            (corpus / f"seed-{number}").write_bytes(seed)
        argv = [argv[0], str(corpus), *argv[1:]]
        print(f"seed corpus: {corpus}", file=sys.stderr)
    if not any(arg.startswith("-artifact_prefix=") for arg in argv):  # crashers: not in the cwd
        artifacts = Path(tempfile.mkdtemp(prefix=f"mext-fuzz-{target}-crashes-"))
        argv = [*argv, f"-artifact_prefix={artifacts}/"]
        print(f"crashers go to: {artifacts}", file=sys.stderr)
    atheris.Setup(argv, FUNCTIONS[target])
    atheris.Fuzz()


def run_hypothesis(targets: list[str], examples: int) -> int:
    from hypothesis import strategies as st

    from tests import test_fuzz as grammar

    _import_mext_lint()
    encode = grammar.bytes_or_text
    pipeline = st.builds(
        lambda d, m, c, i: SEPARATOR.join([d, m, c, i]),
        encode(grammar.DOCKERFILES),
        encode(grammar.metadata_texts()),
        encode(grammar.compose_texts()),
        encode(st.sampled_from(grammar.DOCKERIGNORES)),
    )
    strategies = {
        "dockerfile": encode(grammar.DOCKERFILES),
        "metadata": encode(grammar.metadata_texts()),
        "shell": encode(grammar.shell_scripts(3)).map(lambda script: b"\1" + script),
        "compose": encode(grammar.compose_texts()),
        "pipeline": pipeline,
    }
    for target in targets:
        check = _hypothesis_check(
            FUNCTIONS[target],
            st.one_of(st.sampled_from(seeds(target)), strategies[target]),
            examples,
        )
        start = time.perf_counter()
        check()
        elapsed = time.perf_counter() - start
        print(f"{target}: {examples} examples, no crash ({elapsed:.0f} s)", file=sys.stderr)
    return 0


def _hypothesis_check(
    function: Callable[[bytes], None], strategy: SearchStrategy[bytes], examples: int
) -> Callable[[], None]:
    from hypothesis import HealthCheck, given, settings

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(data: bytes) -> None:
        function(data)

    return check


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in (*TARGETS, "all"):
        print(__doc__, file=sys.stderr)
        return 2
    target, rest = argv[1], argv[2:]
    if "--hypothesis" in rest or target == "all":
        numbers = [arg for arg in rest if arg.isdigit()]
        examples = int(numbers[0]) if numbers else 1000
        return run_hypothesis(list(TARGETS) if target == "all" else [target], examples)
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: pip install atheris, or use --hypothesis", file=sys.stderr)
        return 2
    run_atheris(target, [argv[0], *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
