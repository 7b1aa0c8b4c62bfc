"""Many extensions are linted by forked workers; the output is the same as a sequential run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from mext_lint import parallel
from mext_lint.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kubectl-multiarch"


def many_extensions(top: Path, count: int) -> Path:
    for index in range(count):
        root = top / f"ext-{index:02d}"
        shutil.copytree(EXAMPLE, root)
        if index % 3 == 0:  # some differ, so that a mix-up between extensions would show
            dockerfile = root / "Dockerfile"
            dockerfile.write_text(dockerfile.read_text().replace("COPY ui ui\n", ""))
    return top


def test_worker_count() -> None:
    assert parallel.worker_count(1) == 1
    assert parallel.worker_count(parallel.MIN_PARALLEL - 1) == 1
    assert parallel.worker_count(100, requested=1) == 1
    if sys.platform.startswith("linux"):
        assert parallel.worker_count(100, requested=3) == 3
        assert parallel.worker_count(3, requested=8) == 2  # the first one is linted here
        assert parallel.worker_count(100) == parallel.available_cpus()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_workers_give_the_same_output_as_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    top = many_extensions(tmp_path / "extensions", parallel.MIN_PARALLEL + 2)
    args = ["--format", output_format, "--no-color", str(top)]
    codes = []
    outputs = []
    for jobs in ("1", "2", "3"):
        codes.append(main([*args, "--jobs", jobs]))
        outputs.append(capsys.readouterr().out)
    assert codes == [1, 1, 1]
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0].count("MX303") == 6  # the UI is missing from every third extension


def test_jobs_must_be_a_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--jobs", "-1", str(EXAMPLE)]) == 2
    assert "expected a number of processes" in capsys.readouterr().err
    assert main(["--jobs", "x", str(EXAMPLE)]) == 2
