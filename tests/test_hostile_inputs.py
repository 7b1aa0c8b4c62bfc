"""Hostile inputs: files and trees built to break a linter, each with what mext-lint must do.

What ``tests/test_cli.py`` already covers is not repeated here: a Dockerfile that is not UTF-8,
UTF-16 or has NUL bytes, a BOM, a Dockerfile that is a directory, an 11 MB metadata.json, an
unterminated heredoc, a directory symlink out of the tree and a loop during discovery, a root
path with spaces and non-ASCII characters, and ``--output``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mext_lint.cli import main
from mext_lint.sources import MAX_FILE_BYTES, read_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kubectl-multiarch"
MIB = 1024 * 1024


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--isolated"])
    out, err = capsys.readouterr()
    return code, out, err


def lint(capsys: Any, path: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    """Lint ``path`` as JSON; no internal error, no stderr, the exit code of findings."""
    code, out, err = run(capsys, str(path), "--format", "json", *args)
    assert err == "" and code in (0, 1), err
    findings: list[dict[str, Any]] = json.loads(out)
    return code, findings


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [finding["code"] for finding in findings]


@pytest.fixture
def ext(tmp_path: Path) -> Path:
    root = tmp_path / "ext"
    shutil.copytree(EXAMPLE, root)
    return root


class Blocked(BaseException):
    """Raised by ``no_hang``; not an OSError, so no ``except OSError`` swallows it."""


@contextlib.contextmanager
def no_hang(seconds: int = 30) -> Iterator[None]:
    """Fail instead of hanging forever (a regression here would block on a FIFO)."""

    def expired(*_: object) -> None:
        raise Blocked("mext-lint blocked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def sparse(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.truncate(size)


# -- reading files: size, encodings, file types ----------------------------------------------------


def test_100_mb_dockerfile_is_refused_with_a_finding_and_never_read(capsys: Any, ext: Path) -> None:
    sparse(ext / "Dockerfile", 100 * MIB)
    tracemalloc.start()
    try:
        code, findings = lint(capsys, ext)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert codes(findings) == ["MX001"] and code == 1
    assert "is 100 MiB; files over 10 MiB are not read" in findings[0]["message"]
    assert peak < 30 * MIB, f"{peak / MIB:.0f} MiB allocated: the file was read"


def test_reader_never_reads_more_than_the_cap_even_if_the_file_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size is checked on the open file; a file that grows after that check (here: a stat
    that lies) is still read at most up to the cap (+1 byte to notice), then refused."""
    big = tmp_path / "Dockerfile"
    sparse(big, 100 * MIB)
    real_fstat = os.fstat

    def shrunk(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        fields = list(info)
        fields[6] = 0  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", shrunk)
    cap = 2 * MIB
    tracemalloc.start()
    try:
        source = read_text(big, max_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert source.text is None and source.error is not None
    assert "are not read" in source.error
    assert peak < 3 * cap, f"{peak / MIB:.0f} MiB allocated for a {cap // MIB} MiB cap"
    assert MAX_FILE_BYTES == 10 * MIB


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_dockerfile_neither_blocks_discovery_nor_reading(
    capsys: Any, ext: Path, tmp_path: Path
) -> None:
    """Opening a FIFO for reading blocks until someone writes: it used to hang the run, both
    when discovery sniffed a lone Dockerfile for extension labels and when reading it."""
    lone = tmp_path / "lone"
    lone.mkdir()
    os.mkfifo(lone / "Dockerfile")
    (ext / "Dockerfile").unlink()
    os.mkfifo(ext / "Dockerfile")
    with no_hang():
        code, findings = lint(capsys, lone)
        assert (code, findings) == (0, [])
        code, findings = lint(capsys, ext)
    assert codes(findings) == ["MX001"] and code == 1
    assert "is not a regular file" in findings[0]["message"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"icon": "caf\u00e9.svg"}'.encode("latin-1"), "not valid UTF-8"),
        ('{"icon": "docker.svg"}'.encode("utf-16"), "UTF-16"),
        ('{"icon": "docker.svg"}'.encode("utf-16-be").join([b"\xfe\xff", b""]), "UTF-16"),
        ('{"icon": "docker.svg"}'.encode("utf-16-le"), "NUL bytes"),  # no BOM
        ('{"icon": "docker.svg"}'.encode("utf-32"), "UTF-16"),  # its BOM starts like UTF-16's
        (b'{"icon": "docker.svg\x00"}', "NUL bytes"),
        (b"\xef\xbb\xbf\xef\xbb\xbf{}", "byte order mark"),  # two BOMs: one is dropped
    ],
)
def test_metadata_in_another_encoding_is_mx002(
    capsys: Any, ext: Path, content: bytes, expected: str
) -> None:
    (ext / "metadata.json").write_bytes(content)
    code, findings = lint(capsys, ext)
    mx002 = [f for f in findings if f["code"] == "MX002"]
    assert len(mx002) == 1 and expected in mx002[0]["message"], findings
    assert (mx002[0]["line"], mx002[0]["column"]) == (1, 1)
    assert code == 1


def with_compose(ext: Path, compose: bytes) -> None:
    (ext / "metadata.json").write_text(
        json.dumps({"icon": "docker.svg", "vm": {"composefile": "compose.yaml"}}), "utf-8"
    )
    (ext / "compose.yaml").write_bytes(compose)


def test_compose_nested_too_deeply_is_refused_before_yaml_reads_it() -> None:
    """ruamel.yaml slowed down with every level of '[' (10,000 took seconds) before failing with
    a RecursionError whose depth depended on the caller's stack; brackets in quoted scalars and
    comments do not count."""
    from mext_lint.compose import load_compose

    (issue,) = load_compose("services: " + "[" * 10_000, "compose.yaml").issues
    assert issue.message == "the compose file nests '[' or '{' more than 100 levels deep"
    quoted = 'services:\n  a:\n    image: "' + "[" * 500 + "\"\n    command: '" + "{" * 500
    quoted += "'\n# " + "[" * 500 + "\n"
    assert load_compose(quoted, "compose.yaml").issues == ()


def test_compose_spans_with_unicode_line_separators_in_a_value() -> None:
    """ruamel.yaml (YAML 1.2) counts lines at "\\n" and "\\r" only; compose.py split its own
    copy of the lines at NEL, U+2028 and U+2029 as well, so every span after one took its end
    from the wrong line (past the end of its own). Found by the fuzz tests."""
    from mext_lint.compose import load_compose

    text = (
        'x: "\u2028\x85"\nservices:\n  s:\n    image: alpine:3.20\n    ports:\n      - 8080:8080\n'
    )
    (service,) = load_compose(text, "compose.yaml").services
    lines = text.split("\n")
    for node, written in ((service.image, "alpine:3.20"), (service.ports[0], "8080:8080")):
        assert node is not None
        span = node.span
        assert lines[span.line - 1][span.column - 1 : span.end_column - 1] == written


@pytest.mark.parametrize(
    "compose",
    [
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n" + b"\xff" * 100,
        "services: {}".encode("utf-16"),
        b"[" * 200_000,
        b"a: &a [*a, *a]\n" + b"b: &b [*a, *a]\n" * 50,
        b"services:\n  x: !!python/object/apply:os.system ['true']\n",
        # ruamel.yaml raised TypeError, ValueError, IndexError on these: internal errors.
        b"services:\n  b:\n?    build:\n      context: ./backend\n",
        b"services:\n  b:\n    image: !!int x\n",
        b"1erv:\n   -_",
    ],
    ids=["binary", "png", "utf-16", "deep", "aliases", "python-tag", "map-key", "tag", "int"],
)
def test_compose_file_that_is_binary_or_hostile(capsys: Any, ext: Path, compose: bytes) -> None:
    with_compose(ext, compose)
    code, findings = lint(capsys, ext)
    compose_findings = [f for f in findings if f["path"].endswith("compose.yaml")]
    assert compose_findings and code == 1, findings
    assert all(f["line"] >= 1 and f["column"] >= 1 for f in compose_findings)


@pytest.mark.parametrize(
    "ignore",
    [
        bytes(range(256)),
        b"[\n!\n\\\n**/[z-a]\n../../\n/\n" + b"\xff\xfe\n" + b"*" * 10_000 + b"\n",
        b"!" * 70_000 + b"\n" + b"a/" * 30_000 + b"\n",
        b"*\n" * 200_000,
    ],
    ids=["binary", "bad-patterns", "long-lines", "many-lines"],
)
def test_dockerignore_with_garbage(capsys: Any, ext: Path, ignore: bytes) -> None:
    (ext / ".dockerignore").write_bytes(ignore)
    _code, findings = lint(capsys, ext)
    assert all(f["line"] >= 1 for f in findings)


@pytest.mark.parametrize("name", ["Makefile", "docker-bake.hcl", "docker-bake.json"])
def test_build_files_that_are_binary(capsys: Any, ext: Path, name: str) -> None:
    (ext / name).write_bytes(bytes(range(256)) * 8)
    _code, findings = lint(capsys, ext)
    assert "MX108" in codes(findings)


@pytest.mark.parametrize(
    ("label", "url"),
    [
        ("com.docker.extension.screenshots", "https://ex[mple.com/overview.png"),
        ("com.docker.extension.publisher-url", "https://[docker.com"),
        ("com.docker.desktop.extension.icon", "https://a]b/icon.svg"),
        ("com.docker.desktop.extension.icon", "https://ex\uff03ample.com/icon.svg"),
    ],
)
def test_label_urls_that_urlsplit_refuses(capsys: Any, ext: Path, label: str, url: str) -> None:
    """urlsplit raises ValueError ("Invalid IPv6 URL", or a host NFKC turns into "#"): the
    label rules let it escape as an internal error. Found by bench/fuzz.py (atheris)."""
    dockerfile = (ext / "Dockerfile").read_text(encoding="utf-8")
    line = next(line for line in dockerfile.splitlines() if f"{label}=" in line)
    value = line.split("=", 1)[1].rstrip(" \\")
    replaced = (
        f'"{url}"'
        if "screenshots" not in label
        else value.replace("https://example.com/kubectl-extension/overview.png", url)
    )
    (ext / "Dockerfile").write_text(dockerfile.replace(value, replaced), encoding="utf-8")
    assert url in (ext / "Dockerfile").read_text(encoding="utf-8")
    _, findings = lint(capsys, ext)
    assert "MX108" in codes(findings)


# -- symlinks: loops, and links out of the tree are never followed ---------------------------------

SECRET = "root:x:0:0:root:/root:/bin/bash\nAPI_KEY=do-not-print-me\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "code"), [("Dockerfile", "MX001"), ("metadata.json", "MX002")])
def test_dockerfile_or_metadata_linked_out_of_the_extension_is_not_read(
    capsys: Any, ext: Path, secret: Path, name: str, code: str
) -> None:
    """Following the link printed the file's lines as "unknown instruction: API_KEY=..."."""
    (ext / name).unlink()
    (ext / name).symlink_to(secret)
    _, out, err = run(capsys, str(ext), "--format", "json")
    assert "do-not-print-me" not in out + err and "root:x" not in out + err
    found = [f for f in json.loads(out) if f["code"] == code]
    assert len(found) == 1 and "outside the extension; not read" in found[0]["message"]


def test_dockerfile_linked_inside_the_extension_is_read(capsys: Any, ext: Path) -> None:
    (ext / "docker").mkdir()
    (ext / "Dockerfile").rename(ext / "docker" / "Dockerfile.ext")
    (ext / "Dockerfile").symlink_to(Path("docker") / "Dockerfile.ext")
    _, findings = lint(capsys, ext)
    assert codes(findings) == ["MX108"]


@pytest.mark.parametrize(("name", "code"), [("Dockerfile", "MX001"), ("metadata.json", "MX002")])
@pytest.mark.parametrize("target", ["self", "broken"])
def test_looping_or_broken_link_is_reported_unreadable_not_missing(
    capsys: Any, ext: Path, name: str, code: str, target: str
) -> None:
    (ext / name).unlink()
    (ext / name).symlink_to(name if target == "self" else "nowhere")
    _, findings = lint(capsys, ext)
    found = [f for f in findings if f["code"] == code]
    assert len(found) == 1 and "cannot be read" in found[0]["message"], findings
    assert "MX003" not in codes(findings)


def test_symlink_loops_in_the_tree_and_context(capsys: Any, ext: Path) -> None:
    (ext / "a").symlink_to("b")
    (ext / "b").symlink_to("a")
    (ext / "ui" / "up").symlink_to("..")
    (ext / "root").symlink_to("/")
    dockerfile = (ext / "Dockerfile").read_text(encoding="utf-8")
    (ext / "Dockerfile").write_text(dockerfile + "COPY a root/etc ui/up/ui/up/ui /x/\n", "utf-8")
    with no_hang():
        _, findings = lint(capsys, ext)
    assert "MX108" in codes(findings)


@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_build_context_does_not_follow_links_out_of_it(
    capsys: Any, ext: Path, tmp_path: Path, how: str
) -> None:
    """ui -> a directory outside the context that holds index.html: BuildKit resolves the link
    inside the context (where nothing is), so the UI is not in the image."""
    outside = tmp_path / "outside-ui"
    outside.mkdir()
    (outside / "index.html").write_text("<html></html>", encoding="utf-8")
    shutil.rmtree(ext / "ui")
    (ext / "ui").symlink_to(outside if how == "absolute" else Path("..") / "outside-ui")
    _, findings = lint(capsys, ext)
    assert "MX303" in codes(findings), findings


def test_metadata_paths_are_image_paths_never_host_paths(
    capsys: Any, ext: Path, tmp_path: Path
) -> None:
    """``..`` and absolute paths in metadata.json name files in the image. Files that exist at
    those places on this machine (beside the extension, or /etc/passwd) change nothing."""
    (tmp_path / "outside.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "compose.yaml").write_text("services:\n  b:\n    build: .\n", encoding="utf-8")
    metadata = json.loads((ext / "metadata.json").read_text(encoding="utf-8"))
    metadata["icon"] = "../outside.svg"
    metadata["vm"] = {"composefile": "../compose.yaml"}
    metadata["host"]["binaries"] = [
        {
            "darwin": [{"path": "/../../etc/passwd"}],
            "windows": [{"path": "../outside.svg"}],
            "linux": [{"path": "/etc/passwd"}],
        }
    ]
    (ext / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    _, findings = lint(capsys, ext)
    found = codes(findings)
    assert "MX302" in found  # the icon: /outside.svg is not in the image
    assert "MX304" in found  # the compose file: /compose.yaml is not in the image
    assert not [c for c in found if c.startswith("MX5")], findings  # and it was not read
    missing = [f["message"] for f in findings if f["code"] == "MX103"]
    assert any('"../outside.svg"' in m for m in missing), findings
    # /etc/passwd: a stock base image may well have one, so it is never reported missing.
    assert not any("passwd" in m for m in missing), findings


# -- names and strings that are not valid Unicode text ---------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="file names are bytes on POSIX only")
@pytest.mark.parametrize("output_format", ["json", "sarif", "text", "github"])
def test_undecodable_bytes_in_a_directory_name(
    capsys: Any, tmp_path: Path, output_format: str
) -> None:
    """A name with a byte that is not UTF-8 (Python keeps it as a lone surrogate) crashed every
    format: writing it to a UTF-8 stdout, or percent-encoding it for a SARIF URI."""
    root = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9 ext"))
    shutil.copytree(EXAMPLE, root)
    code, out, err = run(capsys, str(root), "--format", output_format)
    assert code == 1 and err == "", err
    out.encode("utf-8")  # what a strict UTF-8 terminal does
    if output_format == "json":
        (finding,) = json.loads(out)
        # The escape reads back as the very name (os.fsencode turns it into the bytes again).
        assert Path(finding["path"]).parent == root and Path(finding["path"]).is_file()
    if output_format == "sarif":
        uris = [
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(out)["runs"][0]["results"]
        ]
        assert uris and all(uri.endswith("caf%E9%20ext/metadata.json") for uri in uris)
    if output_format == "text":
        assert "caf\\udce9 ext/metadata.json:14:31: MX108" in out


@pytest.mark.parametrize("output_format", ["json", "sarif", "text", "github"])
def test_lone_surrogate_escape_in_metadata(capsys: Any, ext: Path, output_format: str) -> None:
    """JSON may spell a lone surrogate ("\\ud800"); messages quoting it crashed the output."""
    text = (ext / "metadata.json").read_text(encoding="utf-8")
    (ext / "metadata.json").write_text(text.replace("docker.svg", "\\ud800.svg"), "utf-8")
    code, out, err = run(capsys, str(ext), "--format", output_format)
    assert code == 1 and err == "", err
    assert "\\ud800.svg" in out
    if output_format == "json":
        assert any(f["code"] == "MX302" and "\ud800" in f["message"] for f in json.loads(out))


# -- odd file types, permissions, nesting, size ----------------------------------------------------


def test_metadata_json_that_is_a_directory(capsys: Any, ext: Path) -> None:
    (ext / "metadata.json").unlink()
    (ext / "metadata.json").mkdir()
    (ext / "metadata.json" / "x").write_text("{}", encoding="utf-8")
    code, findings = lint(capsys, ext)
    mx002 = [f for f in findings if f["code"] == "MX002"]
    assert len(mx002) == 1 and "is a directory" in mx002[0]["message"] and code == 1


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        '{"a":' * 100_000,
        '{"host": {"binaries": [' + "[" * 900 + "]" * 900 + "]}}",
        '{"icon": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}",
        '{"ui": {"dashboard-tab": {"title": ' + "[" * 900 + "]" * 900 + "}}}",
    ],
    ids=["unclosed-arrays", "unclosed-objects", "deep-binaries", "deep-icon", "deep-title"],
)
def test_deeply_nested_metadata_never_raises_recursion_error(
    capsys: Any, ext: Path, text: str
) -> None:
    (ext / "metadata.json").write_text(text, encoding="utf-8")
    code, findings = lint(capsys, ext)
    assert {"MX002", "MX301"} & set(codes(findings)), findings
    assert code == 1


def nested_path(depth: int) -> str:
    """The example's metadata.json with its darwin binary's path nested ``depth`` lists deep."""
    text = (EXAMPLE / "metadata.json").read_text(encoding="utf-8")
    return text.replace('"/darwin/kubectl"', "[" * depth + '"x"' + "]" * depth)


def call_nested(frames: int, function: Any) -> Any:
    return function() if frames == 0 else call_nested(frames - 1, function)


@pytest.mark.parametrize("depth", [101, 490, 520, 960, 975])
def test_nesting_limit_does_not_depend_on_the_stack(capsys: Any, ext: Path, depth: int) -> None:
    """From about 960 levels json.loads still read it, but the schema check's error message
    (repr of the value) raised RecursionError: an internal error. Whether it did, and whether
    json.loads could read it at all, depended on how deep the caller's stack already was. Now
    over 100 levels is one MX301 and over 500 one MX002, from any stack."""
    (ext / "metadata.json").write_text(nested_path(depth), encoding="utf-8")
    command = [sys.executable, "-m", "mext_lint", str(ext), "--format", "json", "--isolated"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.stderr == "" and result.returncode == 1, result.stderr
    shallow = (result.returncode, json.loads(result.stdout))  # the CLI's own, shallow stack
    deep = call_nested(200, lambda: lint(capsys, ext))
    assert shallow == deep
    if depth <= 500:
        mx301 = [f for f in shallow[1] if f["code"] == "MX301"]
        assert len(mx301) == 1 and "too deep to check against the schema" in mx301[0]["message"]
        assert "MX002" not in codes(shallow[1])
    else:
        mx002 = [f for f in shallow[1] if f["code"] == "MX002"]
        assert len(mx002) == 1 and "nested too deeply to read" in mx002[0]["message"]


def test_nesting_up_to_the_limit_is_checked(capsys: Any, ext: Path) -> None:
    (ext / "metadata.json").write_text(nested_path(90), encoding="utf-8")
    _, findings = call_nested(300, lambda: lint(capsys, ext))
    mx301 = [f["message"] for f in findings if f["code"] == "MX301"]
    assert mx301 and not any("too deep" in message for message in mx301), mx301


def test_unreadable_files_simulated(
    capsys: Any, ext: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root (CI), chmod changes nothing: make the open itself fail."""
    denied = {os.fspath(ext / "Dockerfile"), os.fspath(ext / "metadata.json")}
    real_open = os.open

    def open_denied(path: Any, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) in denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_denied)
    code, findings = lint(capsys, ext)
    assert sorted(codes(findings)) == ["MX001", "MX002"]
    assert all("cannot be read: Permission denied" in f["message"] for f in findings)
    assert code == 1


def test_unreadable_directories_simulated(
    capsys: Any, ext: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory of the build context that cannot be listed: what it holds is unknown, never
    reported missing. One that discovery cannot list is skipped."""
    other = ext.parent / "other"
    shutil.copytree(EXAMPLE, other)
    denied = {os.fspath(ext / "ui"), os.fspath(other)}
    real_scandir = os.scandir

    def scandir_denied(path: Any = ".") -> Any:
        if os.fspath(path) in denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir_denied)
    from mext_lint.simulate import context

    context._LISTING_CACHE.clear()
    _, findings = lint(capsys, ext.parent)
    assert codes(findings) == ["MX108"], findings
    assert findings[0]["path"].endswith("ext/metadata.json")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads whatever chmod says"
)
def test_unreadable_files_and_directories_for_real(capsys: Any, ext: Path) -> None:
    (ext / "metadata.json").chmod(0)
    (ext / "ui").chmod(0)
    try:
        code, findings = lint(capsys, ext)
    finally:
        (ext / "ui").chmod(0o755)
        (ext / "metadata.json").chmod(0o644)
    assert "MX002" in codes(findings) and "MX303" not in codes(findings)
    assert code == 1


def test_paths_with_spaces_and_non_ascii_inside_the_extension(capsys: Any, ext: Path) -> None:
    (ext / "ui").rename(ext / "my ü ï")
    (ext / "docker.svg").rename(ext / "ícon 1.svg")
    dockerfile = (ext / "Dockerfile").read_text(encoding="utf-8")
    dockerfile = dockerfile.replace("COPY docker.svg .", 'COPY ["ícon 1.svg", "."]')
    dockerfile = dockerfile.replace("COPY ui ui", 'COPY ["my ü ï", "/ui dir ✓"]')
    (ext / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    metadata = json.loads((ext / "metadata.json").read_text(encoding="utf-8"))
    metadata["icon"] = "ícon 1.svg"
    metadata["ui"]["dashboard-tab"]["root"] = "/ui dir ✓"
    (ext / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), "utf-8")
    _, findings = lint(capsys, ext)
    assert codes(findings) == ["MX108"]
    metadata["icon"] = "ícon 2.svg"
    (ext / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), "utf-8")
    _, findings = lint(capsys, ext)
    assert codes(findings) == ["MX302", "MX108"]
    icon = findings[0]
    line = (ext / "metadata.json").read_text(encoding="utf-8").splitlines()[0]
    assert line[icon["column"] - 1 : icon["end_column"] - 1] == '"ícon 2.svg"'


def test_dockerfile_of_20000_lines(capsys: Any, ext: Path) -> None:
    """Correct, not timed: the same single finding as the example, its related lines shifted."""
    original = (ext / "Dockerfile").read_text(encoding="utf-8")
    head, sep, tail = original.partition("FROM alpine AS dl\n")
    filler = "".join(f"ENV V{i}=value-{i}\n" for i in range(8_000))
    filler += "RUN <<EOT ash\n" + "".join(f"    echo line {i}\n" for i in range(8_000)) + "EOT\n"
    filler += "LABEL a=b \\\n" + "".join(f"    l{i}=v \\\n" for i in range(4_000)) + "    z=y\n"
    (ext / "Dockerfile").write_text(head + sep + filler + tail, encoding="utf-8")
    assert len((ext / "Dockerfile").read_text(encoding="utf-8").splitlines()) > 20_000
    added = filler.count("\n")
    _, expected = lint(capsys, EXAMPLE)
    _, findings = lint(capsys, ext)
    assert codes(findings) == codes(expected) == ["MX108"]
    assert [r["line"] for r in findings[0]["related"]] == [
        r["line"] + added for r in expected[0]["related"]
    ]


def listing(top: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry below ``top`` with its mode, size and mtime."""
    found = {}
    for directory, dirs, files in os.walk(top):
        for name in dirs + files:
            info = os.lstat(os.path.join(directory, name))
            found[os.path.join(directory, name)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


def test_nothing_is_written_unless_output_is_given(
    capsys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run every command in a read-only copy (read-only for real unless we are root, who may
    write anyway: hence the listings compared before and after)."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work / "ext")
    (work / ".git").mkdir()  # a repository root, as SARIF looks for one
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(work))
    monkeypatch.setenv("XDG_CACHE_HOME", str(work / ".cache"))
    for path in [*work.rglob("*"), work]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = listing(tmp_path)
    try:
        for args in (
            ["ext"],
            ["ext", "--format", "json"],
            ["ext", "--format", "sarif"],
            ["ext", "--format", "github"],
            ["check", "."],
            ["image-tree", "ext"],
            ["image-tree", "ext", "--format", "json"],
            ["rule", "MX103"],
        ):
            assert main(args) in (0, 1), args
        capsys.readouterr()
        assert listing(tmp_path) == before
        target = tmp_path / "report.sarif"
        assert main(["ext", "--format", "sarif", "--output", str(target)]) == 1
        assert set(listing(tmp_path)) - set(before) == {str(target)}
    finally:
        for path in [work, *work.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


# -- configuration files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (".mext-lint.yaml", "select: !!int x\n", "invalid YAML (ValueError"),
        (".mext-lint.yaml", "1erv:\n   -_", "invalid YAML (IndexError"),
        (".mext-lint.yaml", "a:\n  b:\n?    c:\n      d: x\n", "invalid YAML (TypeError"),
        (".mext-lint.yaml", "[" * 3000, "invalid YAML"),
        ("pyproject.toml", "[tool.mext-lint]\nselect = " + "[" * 3000 + "]" * 3000, "too deeply"),
        (".mext-lint.yaml", "select: [MX1\x8f]\n", "invalid YAML: unacceptable character"),
    ],
    ids=["tag", "int", "map-key", "deep-yaml", "deep-toml", "control-character"],
)
def test_hostile_configuration_is_a_usage_error(
    capsys: Any, ext: Path, name: str, content: str, expected: str
) -> None:
    """The YAML and TOML readers raised ValueError, IndexError, TypeError or RecursionError on
    these: an internal error instead of exit 2 with one line naming the file. A C1 control
    character made ruamel's message two lines."""
    (ext / name).write_text(content, encoding="utf-8")
    code = main([str(ext)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "internal error" not in err
    assert err.startswith("mext-lint: error: ") and f"{name}:1: invalid " in err, err
    assert expected in err and err.count("\n") == 1, err


# -- control characters in what is quoted ----------------------------------------------------------


def test_control_characters_quoted_from_metadata_stay_inside_their_line(
    capsys: Any, ext: Path
) -> None:
    """A newline in a quoted value started a line of its own in the text output: under GitHub
    Actions, "::error ...::" there is a workflow command (a forged annotation); ESC sequences
    drove the terminal. JSON and SARIF escape them already; text now writes them as escapes."""
    hostile = "x\n::error file=README.md,line=1::forged\u001b]0;title\u0007\u202egvs.svg"
    text = (ext / "metadata.json").read_text(encoding="utf-8")
    (ext / "metadata.json").write_text(
        text.replace('"docker.svg"', json.dumps(hostile)), encoding="utf-8"
    )
    code, out, err = run(capsys, str(ext), "--no-color")
    assert code == 1 and err == ""
    assert not any(line.startswith("::") for line in out.splitlines()), out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert '"x\\n::error file=README.md,line=1::forged\\x1b]0;title\\x07\\u202egvs.svg"' in out
    _, out, _ = run(capsys, str(ext), "--format", "json")
    assert any(hostile in f["message"] for f in json.loads(out))


def test_control_characters_in_a_usage_error(capsys: Any, ext: Path) -> None:
    (ext / ".mext-lint.yaml").write_text('"\\e]0;pwned\\a\\nfake": 1\n', encoding="utf-8")
    code = main([str(ext)])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "\x1b" not in err, err
    assert 'unknown key "\\x1b]0;pwned\\x07\\nfake"' in err
