"""Property-based tests of the whole pipeline on random and mutated extensions.

Strategies build extensions from a grammar (Dockerfiles with directives, continuations,
heredocs, JSON forms, variable forms and RUN scripts; valid-shaped metadata.json; compose, build
and ignore files), then apply random edits on top. The properties, for each extension:

- no exception escapes: the exit code is 0, 1 or 2, and never with "internal error";
- every finding (and related location) points inside its file;
- JSON output follows its contract and is sorted; SARIF validates against the OASIS schema;
- output is byte-identical across runs and across file system (directory listing) orders.

The budget is moderate by default (the file runs in well under a minute);
``HYPOTHESIS_PROFILE=large`` multiplies it for a long local run. The strategies are also the
hypothesis fallback of ``bench/fuzz.py``. Crashers found here live on as small explicit tests in
``tests/test_hostile_inputs.py`` and beside the module they were fixed in.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mext_lint.catalog import load_catalog
from mext_lint.cli import main, printable
from mext_lint.compose import load_compose
from mext_lint.dockerfile.parser import parse_dockerfile
from mext_lint.engine import lint_extension
from mext_lint.extension import open_extension
from mext_lint.findings import Finding
from mext_lint.metadata import load_metadata
from mext_lint.report import REPORTER_MODULES, Run, reporter
from mext_lint.settings import Settings
from mext_lint.simulate.shell import Script, ShellState, follow_script, run_script
from mext_lint.simulate.tree import FileTree, Presence
from mext_lint.spans import Related, Span

# -- random edits ----------------------------------------------------------------------------------

# Characters that change how a Dockerfile, JSON or YAML reads, plus a few that tend to upset
# column arithmetic (astral, combining, zero-width, line separators).
NASTY = [
    "\n", "\r\n", "\r", "\t", " ", "\\", "\\\n", "`", "`\n", "'", '"', "$", "${", "}", "{", "[",
    "]", ",", ":", "#", "<<", "<<EOF\n", "\nEOF\n", "=", "-", "*", "?", "!", "/", "..", "~",
    "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\ufeff", "\u200b", "e\u0301", "é",
    "\U0001f600", "\U00010000", "\x7f", "\x1b[31m", "%", "::", "&&", "||", ";", "|", ">", "<",
    "\x00",
]  # fmt: skip


class Edit(NamedTuple):
    kind: str  # insert | delete | duplicate-line | swap-lines | truncate | replace
    at: float  # where, as a fraction of the text length
    size: int
    payload: str


EDITS = st.builds(
    Edit,
    st.sampled_from(["insert", "insert", "delete", "duplicate-line", "swap-lines", "truncate"]),
    st.floats(0, 1, allow_nan=False),
    st.integers(0, 40),
    st.one_of(st.sampled_from(NASTY), st.text(max_size=6)),
)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply ``edits`` in order; every edit is total (any position, any text)."""
    for edit in edits:
        at = int(edit.at * len(text))
        if edit.kind == "insert":
            text = text[:at] + edit.payload + text[at:]
        elif edit.kind == "delete":
            text = text[:at] + text[at + edit.size :]
        elif edit.kind == "truncate":
            text = text[:at]
        else:
            lines = text.split("\n")
            first = int(edit.at * len(lines)) % max(len(lines), 1)
            second = (first + edit.size) % max(len(lines), 1)
            if edit.kind == "duplicate-line" and lines:
                lines.insert(first, lines[first])
            elif lines:
                lines[first], lines[second] = lines[second], lines[first]
            text = "\n".join(lines)
    return text


def mutated(texts: st.SearchStrategy[str], max_edits: int = 4) -> st.SearchStrategy[str]:
    """``texts`` as written, or with up to ``max_edits`` random edits (half the time none)."""
    edits = st.one_of(st.just([]), st.lists(EDITS, min_size=1, max_size=max_edits))
    return st.builds(apply_edits, texts, edits)


# -- shell scripts (RUN) ---------------------------------------------------------------------------

OSES = ["darwin", "windows", "linux"]
ARCH_WORDS = ["amd64", "arm64", "x86_64", "aarch64", "${TARGETARCH}", "$TARGETARCH", "$ARCH"]
URLS = [
    "https://dl.k8s.io/release/v1.30.0/bin/{os}/{arch}/kubectl",
    "https://example.com/{os}-{arch}.tar.gz",
    "https://github.com/o/r/releases/download/v1/tool_{os}_{arch}.zip",
    '"https://x/$(curl -Ls https://x/stable.txt)/{os}/{arch}/bin"',
    "${URL:-https://x/{os}/{arch}}",
]
IMAGE_PATHS = [
    "/darwin/kubectl", "/windows/kubectl.exe", "/linux/kubectl", "/out/{os}", "/out/{os}/tool",
    "/ui", "/ui/index.html", "/metadata.json", "/docker.svg", "/tmp/x", "out/{os}", ".",
    "/{os}/", "/opt/my dir/x", "/é/ü", "/windows/tool.cmd", "$DEST", "${OUT:-/out}/{os}",
]  # fmt: skip


@st.composite
def _path(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(IMAGE_PATHS)).replace("{os}", draw(st.sampled_from(OSES)))


@st.composite
def _url(draw: st.DrawFn) -> str:
    url = draw(st.sampled_from(URLS)).replace("{os}", draw(st.sampled_from(OSES)))
    return url.replace("{arch}", draw(st.sampled_from(ARCH_WORDS)))


@st.composite
def simple_commands(draw: st.DrawFn) -> str:
    path, other, url = draw(_path()), draw(_path()), draw(_url())
    forms = [
        f"mkdir -p {path}",
        f"curl -fSsLo {path} {url}",
        f"curl -L {url} -o {path}",
        f"curl -fsSL {url} | tar -xz -C {path} --strip-components=1 {draw(_path()).lstrip('/')}",
        f"curl -sSLO {url}",
        f"wget -q -O {path} {url}",
        f"wget -P {path} {url}",
        f"tar -xzf /tmp/x.tar.gz -C {path}",
        f"tar xf x.tgz {path.lstrip('/')}",
        f"unzip -o x.zip -d {path}",
        f"mv {path} {other}",
        f"cp -r {path} {other}",
        f"cp {path} {other}/",
        f"ln -sf {path} {other}",
        f"install -m 755 {path} {other}",
        f"touch {path}",
        f"chmod +x {path}",
        f"echo hi > {path}",
        f"cat {path} >> {other}",
        f"go build -o {path} ./cmd/x",
        f"GOOS={draw(st.sampled_from(OSES))} GOARCH=$TARGETARCH go build -o {path} .",
        f"cd {path}",
        "ARCH=$(uname -m)",
        f"export DEST={path}",
        "apk add --no-cache curl",
        "make build",
        "true",
        ":",
        "exit 1",
        f"rm -rf {path}",
        f"[ -f {path} ] || exit 1",
        f"test -d {path}",
        "set -eux",
        "echo $((1 + 2))",
        f"echo '{draw(st.sampled_from(NASTY))}'",
    ]
    return draw(st.sampled_from(forms))


CONDITIONS = [
    '[ "$TARGETARCH" = "amd64" ]', '[ "arm64" = "$TARGETARCH" ]', "[[ $TARGETARCH == arm* ]]",
    'test "$TARGETOS" != linux', '[ -n "$X" ]', "[ $(uname -m) = x86_64 ]", "true", "false",
    '[ "${TARGETARCH:-amd64}" = amd64 ]', "[ -f /x ]",
]  # fmt: skip


def shell_scripts(depth: int = 2) -> st.SearchStrategy[str]:
    if depth <= 0:
        return simple_commands()
    inner = shell_scripts(depth - 1)
    return st.one_of(
        simple_commands(),
        simple_commands(),
        st.builds(
            lambda c, a, b, e: f"if {c}; then {a}; else {b}; fi" if e else f"if {c}; then {a}; fi",
            st.sampled_from(CONDITIONS),
            inner,
            inner,
            st.booleans(),
        ),
        st.builds(
            lambda a, b, c: (
                f'case "$TARGETARCH" in amd64) {a};; arm64|aarch64) {b};; *) {c};; esac'
            ),
            inner,
            inner,
            inner,
        ),
        st.builds(
            lambda v, a: f"for os in darwin linux windows; do {a.replace('{os}', v)}; done",
            st.sampled_from(["$os", "${os}"]),
            inner,
        ),
        st.builds(
            lambda a, op, b: f"{a} {op} {b}",
            inner,
            st.sampled_from(["&&", "||", ";", "|", "&&\\\n   "]),
            inner,
        ),
        st.builds(lambda a: f"( {a} )", inner),
        st.builds(lambda a: f"f() {{ {a}; }}; f; f", inner),
        st.builds(lambda a: f"while false; do {a}; done", inner),
    )


# -- Dockerfiles -----------------------------------------------------------------------------------

BASES = [
    "alpine", "alpine:3.20", "scratch", "golang:1.22 AS build", "node:20-alpine AS ui",
    "--platform=$BUILDPLATFORM golang AS builder", "--platform=linux/amd64 alpine",
    "--platform=windows/amd64 mcr.microsoft.com/windows/nanoserver", "stage-${TARGETARCH}",
    "dl-$TARGETARCH AS dl", "${BASE:-alpine}", "$BASE", "build", "ui", "busybox AS stage-amd64",
    "busybox AS stage-arm64", "alpine AS downloader", "0", "--platform=$TARGETPLATFORM alpine",
    "ALPINE AS Dup", "alpine AS dup",
]  # fmt: skip
VALUES = [
    "1.2.3", "${V:-d}", "${V-d}", "${V:+x}", "${V+x}", "${V#p}", "${V##*/}", "${V%p}", "${V%%.*}",
    "${V/a/b}", '"quoted value"', "'single $V'", '"a \\"b\\" c"', "$TARGETARCH", "${TARGETOS}",
    "", '""', "é", "${UNSET}", "${V:?err}", "${", "$", '"a b"', '"[{\\"alt\\": \\"x\\", \\"url\\":'
    ' \\"https://x/a.png\\"}]"', '">= 0.3.3"', "0.3.4", '"kubernetes, utility-tools"',
    "https://example.com/icon.svg", '"https://[::1/x.png"', "http://x/icon.gif", "ftp://a]b/c",
    "https://docs.docker.com/x", '"[{\\"title\\": \\"t\\", \\"url\\": \\"https://e\uff03x\\"}]"',
]  # fmt: skip
LABEL_KEYS = [
    "org.opencontainers.image.title", "org.opencontainers.image.description",
    "org.opencontainers.image.vendor", "com.docker.desktop.extension.api.version",
    "com.docker.desktop.extension.icon", "com.docker.extension.screenshots",
    "com.docker.extension.detailed-description", "com.docker.extension.publisher-url",
    "com.docker.extension.changelog", "com.docker.extension.categories",
    "com.docker.extension.additional-urls", "com.docker.extension.account-info", '"quoted.key"',
    "x",
]  # fmt: skip
COPY_FLAGS = [
    "", "", "", "", "--from=build ", "--from=dl ", "--from=0 ", "--from=alpine:3 ",
    "--from=${STAGE} ", "--chmod=755 ", "--chown=1000:1000 ", "--link ", "--exclude=*.md ",
    "--from=ui --link ", "--parents ", "--unknown-flag ", "--chmod=bad ",
]  # fmt: skip
RUN_FLAGS = [
    "", "", "", "", "--mount=type=cache,target=/root/.cache ", "--network=none ",
    "--mount=type=bind,from=build,source=/out,target=/in ", "--no ",
]  # fmt: skip
COPY_SOURCES = [
    "metadata.json", "docker.svg", "ui", "ui/", "ui/*", "*.json", "Dockerfile", "compose.yaml",
    "/out", "/out/", "/darwin", "../outside", "/etc/passwd", "missing", "[", "dir with space",
    "é.txt", "link", "**/x", "$SRC", "${SRC:-ui}", "./",
]  # fmt: skip
SUPPRESSIONS = [
    "# mext-lint: ignore[MX103] built elsewhere", "# mext-lint: ignore[MX1, host-binary-missing]",
    "# mext-lint: file-ignore[MX2]", "# mext-lint: ignore[", "# mext-lint: ignore[NOPE]",
    "# mext-lint: file-ignore[ALL]", "# mext-lint:ignore[MX006]", "# a comment",
]  # fmt: skip
DIRECTIVES = [
    "# syntax=docker/dockerfile:1", "# escape=`", "# escape=\\", "# check=skip=all",
    "#escape = `", "# syntax = docker/dockerfile:1.7", "# escape=x", "# ESCAPE=`",
]  # fmt: skip


class _Ctx(NamedTuple):
    escape: str


def _continued(text: str, escape: str, draw: st.DrawFn) -> str:
    """Split a one-line instruction at some spaces with the escape char, blank and comment lines
    sometimes inside the continuation."""
    words = text.split(" ")
    out = words[0]
    for word in words[1:]:
        breaker = draw(
            st.sampled_from(
                [" ", " ", " ", f" {escape}\n  ", f" {escape}\n\n  ", f" {escape}\n# c\n  "]
            )
        )
        out += breaker + word
    return out


@st.composite
def heredoc_instruction(draw: st.DrawFn) -> str:
    keyword = draw(
        st.sampled_from(["RUN ", "RUN ", "COPY ", "ADD ", "ONBUILD RUN ", "RUN --network=none "])
    )
    words, bodies = [], []
    for name in draw(st.lists(st.sampled_from(["EOF", "EOT", "E"]), min_size=1, max_size=2)):
        operator = draw(st.sampled_from(["<<", "<<-", "<<'", '<<"', "<< ", "3<<"]))
        quote = operator[-1] if operator[-1] in "'\"" else ""
        words.append(operator + name + quote)
        tabs = "\t" * draw(st.integers(0, 2)) if "-" in operator else ""
        body = draw(st.lists(shell_scripts(1), max_size=3))
        if draw(st.integers(0, 9)) == 0:  # never terminated
            bodies.append("".join(tabs + line + "\n" for line in body))
        else:
            bodies.append("".join(tabs + line + "\n" for line in body) + tabs + name)
    if keyword.startswith("RUN"):
        tail = draw(st.sampled_from(["", " ash", " sh -e", " > /out/x", " python3", " cat"]))
    else:
        tail = " " + draw(_path())
    return keyword + " ".join(words) + tail + "\n" + "\n".join(bodies)


@st.composite
def instruction(draw: st.DrawFn, ctx: _Ctx) -> str:
    choice = draw(st.integers(0, 19))
    escape = ctx.escape
    if choice <= 1:
        return "FROM " + draw(st.sampled_from(BASES))
    if choice == 2:
        name = draw(st.sampled_from(["TARGETARCH", "TARGETOS", "BASE", "V", "STAGE", "SRC"]))
        value = draw(st.one_of(st.just(""), st.sampled_from(VALUES).map(lambda v: "=" + v)))
        return f"ARG {name}{value}"
    if choice == 3:
        name = draw(st.sampled_from(["V", "PATH", "DEST", "URL", "ARCH"]))
        value = draw(st.sampled_from(VALUES))
        return draw(st.sampled_from([f"ENV {name}={value}", f"ENV {name} {value}"]))
    if choice in (4, 5):
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(LABEL_KEYS), st.sampled_from(VALUES)),
                min_size=1,
                max_size=5,
            )
        )
        return _continued("LABEL " + " ".join(f"{k}={v}" for k, v in pairs), escape, draw)
    if choice in (6, 7, 8):
        script = draw(shell_scripts())
        flags = draw(st.sampled_from(RUN_FLAGS))
        script = script.replace("\\\n", escape + "\n")  # its own continuations
        return _continued(f"RUN {flags}{script}", escape, draw)
    if choice == 9:
        script = json.dumps(draw(shell_scripts(1)), ensure_ascii=draw(st.booleans()))
        form = draw(st.sampled_from(['["sh", "-c", {s}]', '["/bin/ash","-c",{s}]', '["sh", {s}']))
        return "RUN " + form.replace("{s}", script)
    if choice == 10:
        return draw(heredoc_instruction())
    if choice in (11, 12):
        keyword = draw(st.sampled_from(["COPY", "COPY", "ADD", "copy"]))
        sources = draw(st.lists(st.sampled_from(COPY_SOURCES), min_size=1, max_size=3))
        dest = draw(_path())
        flag = draw(st.sampled_from(COPY_FLAGS if keyword != "ADD" else ["", "--chmod=644 "]))
        if draw(st.booleans()):
            return f"{keyword} {flag}{' '.join(sources)} {dest}"
        return f"{keyword} {flag}{json.dumps([*sources, dest])}"
    if choice == 13:
        return (
            "ADD "
            + draw(st.sampled_from(["--unpack ", "--checksum=sha256:0 ", ""]))
            + (draw(_url()) + " " + draw(_path()))
        )
    if choice == 14:
        return "WORKDIR " + draw(_path())
    if choice == 15:
        return draw(st.sampled_from(SUPPRESSIONS))
    if choice == 16:
        return draw(
            st.sampled_from(
                [
                    'CMD ["/service", "-socket", "/run/guest-services/x.sock"]',
                    "ENTRYPOINT /bin/sh",
                    'SHELL ["/bin/bash", "-c"]',
                    "USER 1000",
                    "EXPOSE 8080",
                    "VOLUME /data",
                    "HEALTHCHECK CMD curl -f http://localhost/",
                    "STOPSIGNAL SIGTERM",
                    "MAINTAINER someone",
                    "ONBUILD COPY . /app",
                    "ONBUILD ONBUILD RUN x",
                    "FOO bar",
                    "RUN",
                    "FROM",
                    "from alpine as x",
                ]
            )
        )
    if choice == 17:
        return ""  # a blank line
    return "COPY --from=" + draw(st.sampled_from(["dl", "build", "0", "1"])) + " /out /"


@st.composite
def dockerfile_texts(draw: st.DrawFn) -> str:
    directives = draw(st.lists(st.sampled_from(DIRECTIVES), max_size=2, unique=True))
    escape = "\\"
    for directive in directives:
        if "escape" in directive.lower() and "`" in directive:
            escape = "`"
            break
        if "escape" in directive.lower():
            break
    ctx = _Ctx(escape)
    head = [draw(st.sampled_from(BASES).map(lambda b: "FROM " + b))]
    body = draw(st.lists(instruction(ctx), max_size=14))
    text = "\n".join([*directives, *head, *body])
    return text + draw(st.sampled_from(["\n", "", "\n\n", "\r\n"]))


REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLE = REPOSITORY / "examples" / "kubectl-multiarch"
TEMPLATE_DOCKERFILES = [
    (EXAMPLE / "Dockerfile").read_text(encoding="utf-8"),
    # A Go backend and host binaries cross-compiled per OS, chosen with case.
    "# syntax=docker/dockerfile:1\n"
    "FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder\n"
    "ARG TARGETARCH\n"
    "WORKDIR /src\n"
    "COPY . .\n"
    "RUN for os in darwin linux windows; do \\\n"
    "      ext=; [ $os = windows ] && ext=.exe; \\\n"
    "      GOOS=$os GOARCH=$TARGETARCH go build -o /out/$os/tool$ext ./cmd/tool; \\\n"
    "    done\n"
    "FROM alpine:3.20 AS dl-amd64\n"
    "RUN mkdir -p /dl && curl -fsSLo /dl/helm.tgz https://get.helm.sh/helm-linux-amd64.tgz\n"
    "FROM alpine:3.20 AS dl-arm64\n"
    "RUN mkdir -p /dl && curl -fsSLo /dl/helm.tgz https://get.helm.sh/helm-linux-arm64.tgz\n"
    "FROM dl-${TARGETARCH} AS dl\n"
    "FROM scratch\n"
    'LABEL org.opencontainers.image.title="Tool" com.docker.desktop.extension.api.version='
    '">= 0.3.3" \\\n'
    '      com.docker.extension.categories="utility-tools"\n'
    "COPY metadata.json docker.svg /\n"
    "COPY ui /ui\n"
    "COPY --from=builder /out/ /\n"
    "COPY --from=dl /dl /linux\n"
    'CMD ["/service"]\n',
    # Downloads chosen with case, a compose backend, the escape directive.
    "# escape=`\n"
    "FROM alpine AS dl\n"
    "ARG TARGETARCH\n"
    'RUN case "$TARGETARCH" in `\n'
    "      amd64) A=x86_64 ;; `\n"
    "      arm64) A=aarch64 ;; `\n"
    "    esac && `\n"
    "    mkdir -p /darwin /windows && `\n"
    "    curl -fSsLo /darwin/kubectl https://x/darwin/$A/kubectl && `\n"
    "    curl -fSsLo /windows/kubectl.exe https://x/windows/amd64/kubectl.exe\n"
    "FROM alpine\n"
    "COPY --from=dl /darwin /darwin\n"
    "COPY --from=dl /windows /windows\n"
    "COPY compose.yaml metadata.json docker.svg /\n"
    "COPY ui ui\n",
]
DOCKERFILES = mutated(st.one_of(dockerfile_texts(), st.sampled_from(TEMPLATE_DOCKERFILES)))

# -- metadata.json ---------------------------------------------------------------------------------

HOST_PATHS = [
    "/darwin/kubectl", "/windows/kubectl.exe", "/linux/kubectl", "darwin/kubectl", "/windows/x",
    "/linux/tool.exe", "../../etc/passwd", "/../../../etc/shadow", "/etc/passwd", "C:\\x.exe",
    "~/.ssh/id_rsa", "", " ", "/", "/ui", "/out/darwin/tool", "/é/ü", "/a b/c d", "\u202e/x",
    "/darwin/../windows/x.exe", "//double//slash", "/dir/", "/windows/tool.cmd", "/tmp/*",
]  # fmt: skip
COMPOSE_PATHS = [
    "compose.yaml", "/compose.yaml", "docker-compose.yml", "../compose.yaml", "/etc/passwd",
    "missing.yaml",
]  # fmt: skip
ICONS = [
    "docker.svg", "/docker.svg", "icon.png", "../docker.svg", "/etc/passwd", "", "ui/icon.svg",
    "https://example.com/icon.svg", "/..", "..", "C:\\icon.png", "icön.svg",
]  # fmt: skip


@st.composite
def metadata_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid-shaped metadata.json document (values drawn from tricky pools)."""
    doc: dict[str, Any] = {}
    if draw(st.integers(0, 4)):
        doc["icon"] = draw(st.sampled_from(ICONS))
    if draw(st.integers(0, 4)):
        tab: dict[str, Any] = {
            "title": draw(st.sampled_from(["Kubectl", "", "My extension", "ü" * 3])),
            "src": draw(st.sampled_from(["index.html", "index.html?x=1", "/index.html", "", ".."])),
        }
        if draw(st.booleans()):
            tab["root"] = draw(st.sampled_from(["ui", "/ui", "/ui/", "../ui", "/", "", "missing"]))
        if draw(st.integers(0, 3)) == 0:
            tab["backend"] = {"socket": "backend.sock"}
        doc["ui"] = {"dashboard-tab": tab}
    if draw(st.booleans()):
        vm: dict[str, Any] = {}
        which = draw(st.sampled_from(["image", "composefile", "both", "none"]))
        if which in ("image", "both"):
            vm["image"] = draw(st.sampled_from(["${DESKTOP_PLUGIN_IMAGE}", "alpine:3", ""]))
        if which in ("composefile", "both"):
            vm["composefile"] = draw(st.sampled_from(COMPOSE_PATHS))
        if draw(st.booleans()):
            vm["exposes"] = {"socket": draw(st.sampled_from(["x.sock", "", "/run/x.sock"]))}
        doc["vm"] = vm
    if draw(st.integers(0, 4)):
        entries = []
        for _ in range(draw(st.integers(0, 2))):
            entry = {}
            for os_name in draw(st.lists(st.sampled_from([*OSES, "freebsd"]), max_size=3)):
                paths = draw(st.lists(st.sampled_from(HOST_PATHS), max_size=3))
                entry[os_name] = [{"path": p} for p in paths]
            entries.append(entry)
        doc["host"] = {"binaries": entries}
    if draw(st.integers(0, 6)) == 0:
        doc[draw(st.sampled_from(["name", "provider", "extra"]))] = "legacy"
    return doc


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["\ud800", "\udfff", "\x00", "\u2028", "\U0001f600", "a\nb", "../x"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


_DEEP = re.compile(r'"__deep_(list|dict)_([0-9]+)__"')


def _deep(kind: str, depth: int) -> str:
    """A marker json.dumps writes as a string, replaced by ``depth`` nested containers afterwards
    (json.dumps itself would recurse)."""
    return f"__deep_{kind}_{depth}__"


def _expand_deep(match: re.Match[str]) -> str:
    depth = int(match.group(2))
    if match.group(1) == "list":
        return "[" * depth + '"deep"' + "]" * depth
    return '{"a":' * depth + '"deep"' + "}" * depth


def _replace_at(doc: Any, choices: list[int], value: Any) -> Any:
    """``doc`` with the value reached by following ``choices`` (index into children) replaced."""
    if not choices or not isinstance(doc, (dict, list)) or not doc:
        return value
    if isinstance(doc, dict):
        keys = list(doc)
        key = keys[choices[0] % len(keys)]
        return {**doc, key: _replace_at(doc[key], choices[1:], value)}
    index = choices[0] % len(doc)
    return [*doc[:index], _replace_at(doc[index], choices[1:], value), *doc[index + 1 :]]


TEMPLATE_METADATA: list[Any] = [
    json.loads((EXAMPLE / "metadata.json").read_text(encoding="utf-8")),
    {
        "icon": "docker.svg",
        "vm": {"composefile": "compose.yaml", "exposes": {"socket": "tool.sock"}},
        "ui": {"dashboard-tab": {"title": "Tool", "root": "/ui", "src": "index.html"}},
        "host": {
            "binaries": [
                {"darwin": [{"path": "/darwin/tool"}, {"path": "/darwin/kubectl"}]},
                {"windows": [{"path": "/windows/tool.exe"}, {"path": "/windows/kubectl.exe"}]},
                {"linux": [{"path": "/linux/tool"}, {"path": "/linux/helm.tgz"}]},
            ]
        },
    },
]


@st.composite
def metadata_texts(draw: st.DrawFn) -> str:
    doc: Any = draw(st.one_of(metadata_documents(), st.sampled_from(TEMPLATE_METADATA)))
    for _ in range(draw(st.integers(0, 3))):
        replacement = draw(
            st.one_of(
                JSON_VALUES,
                st.builds(_deep, st.sampled_from(["list", "dict"]), st.integers(50, 3000)),
            )
        )
        doc = _replace_at(doc, draw(st.lists(st.integers(0, 9), max_size=6)), replacement)
    indent = draw(st.sampled_from([None, 2, "\t"]))
    text = _DEEP.sub(_expand_deep, json.dumps(doc, indent=indent, ensure_ascii=draw(st.booleans())))
    if draw(st.integers(0, 5)) == 0 and text.startswith("{") and len(text) > 2:
        text = text[:-1] + ', "icon": "dup.svg"}'  # a duplicate (or new) key
    return draw(mutated(st.just(text), max_edits=3))


# -- compose and build files -----------------------------------------------------------------------

COMPOSE_SERVICES = [
    "  backend:\n    image: ${DESKTOP_PLUGIN_IMAGE}\n",
    "  backend:\n    image: alpine:3.20\n    ports:\n      - 8080:8080\n",
    "  b:\n    build: .\n",
    "  b:\n    build:\n      context: ./backend\n",
    "  s:\n    image: ${DESKTOP_PLUGIN_IMAGE}\n    volumes:\n      - /var/run/docker.sock:/var/run/"
    "docker.sock\n",
    "  e:\n    extends:\n      service: backend\n",
    "  x:\n    image: [1, 2]\n",
    "  y: null\n",
    "  z:\n    command: ['/service', '-socket', '/run/guest-services/x.sock']\n",
    "  &anchor a:\n    image: *anchor\n",
]
COMPOSE_HEADS = [
    "services:\n",
    "version: '3'\nservices:\n",
    "include:\n  - other.yaml\nservices:\n",
]


@st.composite
def compose_texts(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(COMPOSE_HEADS))
    services = draw(st.lists(st.sampled_from(COMPOSE_SERVICES), max_size=3))
    text = head + "".join(services)
    if draw(st.integers(0, 9)) == 0:
        text = "[" * draw(st.integers(10, 2000))  # deep flow nesting
    return draw(mutated(st.just(text), max_edits=3))


MAKEFILES = [
    "IMAGE?=me/ext\nTAG?=latest\nbuild-extension:\n\tdocker build --tag=$(IMAGE):$(TAG) .\n",
    "push:\n\tdocker buildx build --push --platform=linux/amd64,linux/arm64 -t $(IMAGE) .\n",
    "X = $(Y)\nY = $(X)\nall:\n\tdocker buildx build --platform=$(X) .\n",
    "all:\n\tdocker buildx build --platform linux/amd64 -f Dockerfile .\n",
]
BAKEFILES = [
    'target "default" {\n  platforms = ["linux/amd64", "linux/arm64"]\n}\n',
    'group "default" { targets = ["a"] }\ntarget "a" { dockerfile = "Dockerfile"\n'
    '  platforms = ["linux/amd64"] }\n',
    'target "x" { inherits = ["x"] }\n',
]
CONFIGS = [
    "select: [MX1, MX3]\n", "ignore: [MX201, host-binary-missing]\n", "extend-select: [ALL]\n",
    "platforms: [linux/arm64]\n", "platforms: [linux/amd64, linux/arm/v7]\n",
    "build-args: {TARGETARCH: arm64, V: '1'}\n", "severity: {MX108: error, MX2: info}\n",
    "fail-on: info\n", "dockerfile: Containerfile\n", "context: ui\n", "exclude: ['*']\n",
    "per-file-ignores:\n  'metadata.json': [MX301]\n  '*': [ALL]\n", "selct: [MX1]\n",
    "select: !!int x\n", "- a\n", "hosts: [darwin/arm64]\n",
]  # fmt: skip
DOCKERIGNORES = [
    "node_modules\n", "*\n!metadata.json\n!docker.svg\n!ui\n", "ui\n", "**/*.svg\n", "[\n",
    "!\n", "\\\n", "../\n", "/\n", "**\n!**/\n", "#comment\n\n  \n", "ui/**\n!ui/index.html\n",
]  # fmt: skip


# -- whole extensions ------------------------------------------------------------------------------


class ExtensionFiles(NamedTuple):
    """An extension as files to write (relative path -> bytes), directories and symlinks."""

    files: dict[str, bytes]
    symlinks: dict[str, str]  # relative path -> link target (as written, never resolved here)


SYMLINK_TARGETS = [
    "../outside", "/etc", "/etc/passwd", ".", "..", "loop", "ui", "metadata.json", "missing",
    "/", "../../..",
]  # fmt: skip


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@st.composite
def extensions(draw: st.DrawFn) -> ExtensionFiles:
    files: dict[str, bytes] = {}
    if draw(st.integers(0, 15)):
        name = draw(st.sampled_from(["Dockerfile", "Dockerfile", "Dockerfile", "Containerfile"]))
        files[name] = _encode(draw(DOCKERFILES))
    if draw(st.integers(0, 15)):
        files["metadata.json"] = _encode(draw(metadata_texts()))
    if draw(st.booleans()):
        files[draw(st.sampled_from(["compose.yaml", "docker-compose.yml"]))] = _encode(
            draw(compose_texts())
        )
    if draw(st.booleans()):
        files["docker.svg"] = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    if draw(st.booleans()):
        files["ui/index.html"] = b"<html></html>"
    if draw(st.integers(0, 3)) == 0:
        files[".dockerignore"] = _encode(draw(mutated(st.sampled_from(DOCKERIGNORES), max_edits=2)))
    if draw(st.integers(0, 4)) == 0:
        files["Makefile"] = _encode(draw(mutated(st.sampled_from(MAKEFILES), max_edits=2)))
    if draw(st.integers(0, 7)) == 0:  # read only then: the run is not --isolated
        files[".mext-lint.yaml"] = _encode(draw(mutated(st.sampled_from(CONFIGS), max_edits=2)))
    if draw(st.integers(0, 5)) == 0:
        files["docker-bake.hcl"] = _encode(draw(mutated(st.sampled_from(BAKEFILES), max_edits=2)))
    if draw(st.integers(0, 6)) == 0:  # raw bytes in place of one file
        name = draw(st.sampled_from(sorted(files) or ["Dockerfile"]))
        files[name] = draw(st.binary(max_size=64))
    symlinks: dict[str, str] = {}
    if draw(st.integers(0, 4)) == 0:
        for name in draw(st.lists(st.sampled_from(["link", "ui/link", "loop", "x"]), max_size=2)):
            if name not in files:
                symlinks[name] = draw(st.sampled_from(SYMLINK_TARGETS))
    return ExtensionFiles(files, symlinks)


def bytes_or_text(texts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """``texts`` encoded as UTF-8, or now and then raw bytes."""
    return st.one_of(texts.map(_encode), texts.map(_encode), st.binary(max_size=200))


# ==================================================================================================
# the properties
# ==================================================================================================

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = {"ci": 1, "large": 100}.get(PROFILE, 1)
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
JSON_KEYS = {
    "code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column",
    "platforms", "related",
}  # fmt: skip
RELATED_KEYS = {"path", "line", "column", "message"}
LINE_BREAK = re.compile(r"\r\n|\r|\n")
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def budget(examples: int) -> settings:
    """``examples`` in CI (scaled up by the ``large`` profile); no deadline: timing is not a
    property, and the first example pays for imports."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@functools.lru_cache(maxsize=1)
def sarif_validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def write_extension(root: Path, ext: ExtensionFiles, *, reverse: bool = False) -> None:
    """Create the extension's files and symlinks, in one order or the other."""
    items: list[tuple[str, bytes | None, str | None]] = [
        *((name, data, None) for name, data in ext.files.items()),
        *((name, None, target) for name, target in ext.symlinks.items()),
    ]
    root.mkdir(parents=True)
    for name, data, target in reversed(items) if reverse else items:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if target is not None:
            path.symlink_to(target)
        else:
            assert data is not None
            path.write_bytes(data)


class _Listing:
    """What os.scandir returns, over a list we shuffled."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> _Listing:
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self._entries)

    def __enter__(self) -> _Listing:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def close(self) -> None:
        return None


@contextlib.contextmanager
def shuffled_listings(seed: int) -> Iterator[None]:
    """Every directory listing (os.scandir, os.listdir) comes in a shuffled order, as a file
    system may return it, and no directory listing cached by an earlier run is reused."""
    from mext_lint.simulate import context

    rng = random.Random(seed)
    real_scandir, real_listdir = os.scandir, os.listdir

    def scandir(path: Any = ".") -> _Listing:
        with real_scandir(path) as entries:
            listed = list(entries)
        rng.shuffle(listed)
        return _Listing(listed)

    def listdir(path: Any = ".") -> list[Any]:
        listed = real_listdir(path)
        rng.shuffle(listed)
        return listed

    context._LISTING_CACHE.clear()
    os.scandir, os.listdir = scandir, listdir  # type: ignore[assignment]
    try:
        yield
    finally:
        os.scandir, os.listdir = real_scandir, real_listdir
        context._LISTING_CACHE.clear()


def run_cli(*args: str) -> tuple[int, bytes, str]:
    """``mext-lint ARGS`` in-process, stdout encoded strictly as UTF-8 like a real terminal."""
    out = io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", newline="")
    err = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(err):
        code = main(list(args))
        stdout.flush()
    data = out.getvalue()
    stdout.detach()
    return code, data, err.getvalue()


def assert_clean_exit(code: int, err: str) -> None:
    assert code in (0, 1, 2), code
    assert "internal error" not in err, err
    if code == 2:
        assert err.startswith("mext-lint: error: ") and err.count("\n") == 1, err


# How each parser counts lines: BuildKit splits a Dockerfile at "\n" only (a lone "\r" is text
# in the line); everything else (JSON, YAML 1.2, the reporters) at "\r\n", "\r" or "\n".
DOCKERFILE_LINE_BREAK = re.compile(r"\r?\n")


def file_lines(path: str) -> list[str] | None:
    """The lines of the file a span points into, as the parser of that kind of file counts them;
    None when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8-sig", "replace")
    name = Path(path).name
    if name in ("Dockerfile", "Containerfile") or name.endswith(".Dockerfile"):
        return DOCKERFILE_LINE_BREAK.split(text)
    return LINE_BREAK.split(text)


def assert_inside_file(span: Span, what: str) -> None:
    lines = file_lines(span.path)
    if lines is None:  # a file that cannot be read is reported at its first character
        assert span[1:] == (1, 1, 1, 2), f"{what}: {span} in a file that cannot be read"
        return
    assert 1 <= span.line <= len(lines), f"{what}: line {span.line} of {len(lines)}"
    assert 1 <= span.column <= len(lines[span.line - 1]) + 1, (
        f"{what}: column {span.column} on {lines[span.line - 1]!r}"
    )
    assert span.line <= span.end_line <= len(lines), f"{what}: end line {span.end_line}"
    end_text = lines[span.end_line - 1]
    # An exclusive end may stand just past the line (a point at the end of a line).
    assert 1 <= span.end_column <= len(end_text) + 2, f"{what}: end column on {end_text!r}"
    if span.end_line == span.line:
        assert span.end_column >= span.column, f"{what}: ends before it starts"


PLATFORM = re.compile(r"[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_]+)?")


def assert_json_contract(document: Any) -> None:
    catalog = load_catalog()
    assert isinstance(document, list)
    for item in document:
        assert set(item) == JSON_KEYS, item.keys()
        assert item["code"] in catalog and item["name"] == catalog[item["code"]].name
        assert item["severity"] in ("error", "warning", "info")
        assert isinstance(item["message"], str) and item["message"].strip()
        assert isinstance(item["path"], str) and item["path"]
        for key in ("line", "column", "end_line", "end_column"):
            assert isinstance(item[key], int) and item[key] >= 1, (key, item)
        assert all(PLATFORM.fullmatch(platform) for platform in item["platforms"]), item
        assert item["platforms"] == sorted(item["platforms"])
        for related in item["related"]:
            assert set(related) == RELATED_KEYS
            assert isinstance(related["path"], str) and isinstance(related["message"], str)
            assert isinstance(related["line"], int) and related["line"] >= 1
            assert isinstance(related["column"], int) and related["column"] >= 1
    keys = [(f["path"], f["line"], f["column"], f["code"], f["message"]) for f in document]
    assert keys == sorted(keys), "findings are not sorted"


def assert_valid_sarif(log: Any) -> None:
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def check_extension(ext: ExtensionFiles, seed: int) -> None:
    """Every property, on one extension written to a fresh temporary directory."""
    with tempfile.TemporaryDirectory(prefix="mext-fuzz-") as tmp:
        root = Path(tmp) / "ext"
        write_extension(root, ext)
        # With a configuration file of its own (the nearest wins), nothing above the temporary
        # directory can be read; without one, --isolated makes sure of it.
        args = (str(root),) if ".mext-lint.yaml" in ext.files else (str(root), "--isolated")
        code, out, err = run_cli(*args, "--format", "json")
        assert_clean_exit(code, err)
        document = json.loads(out) if code != 2 else []
        assert_json_contract(document)
        sarif_code, sarif_out, sarif_err = run_cli(*args, "--format", "sarif")
        assert_clean_exit(sarif_code, sarif_err)
        assert sarif_code == code
        if sarif_code != 2:
            assert_valid_sarif(json.loads(sarif_out))

        # The engine directly, with every rule on (some are off by default).
        settings_all = Settings()
        findings = lint_extension(open_extension(root, settings_all), settings_all)
        assert findings == sorted(findings, key=Finding.sort_key)
        for finding in findings:
            assert_inside_file(finding.span, f"{finding.code} {finding.message}")
            for related in finding.related:
                assert_inside_file(related.span, f"{finding.code} related {related.message}")
        for name in REPORTER_MODULES:  # every format renders, and encodes as the CLI writes it
            printable(reporter(name)(findings, Run(extensions=1, exit_code=1))).encode("utf-8")
        # Text: one line per finding and related location, and nothing that drives a terminal.
        text = reporter("text")(findings, Run(extensions=1, exit_code=1))
        assert text.count("\n") == sum(1 + len(f.related) for f in findings) + 1, text
        assert not CONTROL.search(text.replace("\n", "")), text

        # The same files created in the other order, listed in a shuffled order: same bytes.
        shutil.rmtree(root)
        write_extension(root, ext, reverse=True)
        with shuffled_listings(seed):
            again = run_cli(*args, "--format", "json")
            sarif_again = run_cli(*args, "--format", "sarif")
        assert again == (code, out, err)
        assert sarif_again == (sarif_code, sarif_out, sarif_err)


@budget(150)
@given(extensions(), st.integers(0, 2**32))
def test_pipeline_on_random_extensions(ext: ExtensionFiles, seed: int) -> None:
    check_extension(ext, seed)


@budget(300)
@given(DOCKERFILES)
def test_dockerfile_parser_never_raises_and_spans_stay_inside(text: str) -> None:
    dockerfile = parse_dockerfile(text, "Dockerfile")
    lines = text.split("\n")
    for issue in dockerfile.errors:
        assert 1 <= issue.span.line <= max(len(lines), 1), issue
        assert 1 <= issue.span.column <= len(lines[issue.span.line - 1].rstrip("\r")) + 1, issue
    for found in dockerfile.instructions:
        assert 1 <= found.span.line <= found.span.end_line <= max(len(lines), 1), found.span


@budget(300)
@given(metadata_texts())
def test_metadata_loader_never_raises(text: str) -> None:
    metadata = load_metadata(text, "metadata.json")
    lines = LINE_BREAK.split(text)
    spans = [b.span for b in metadata.host_binaries]
    for located in (metadata.icon, metadata.ui_root, metadata.ui_src, metadata.composefile):
        if located is not None:
            spans.append(located.span)
    if metadata.error is not None:
        spans.append(metadata.error.span)
    for span in spans:
        assert 1 <= span.line <= len(lines) and 1 <= span.column <= len(lines[span.line - 1]) + 1


@budget(200)
@given(compose_texts())
def test_compose_loader_never_raises(text: str) -> None:
    compose = load_compose(text, "compose.yaml")
    lines = LINE_BREAK.split(text)
    spans = [issue.span for issue in compose.issues]
    for service in compose.services:
        spans.append(service.span)
        spans.extend(node.span for node in (service.image, service.build) if node is not None)
    for span in spans:
        assert 1 <= span.line <= len(lines), span


@budget(200)
@given(shell_scripts(3).flatmap(lambda s: mutated(st.just(s), max_edits=3)), st.booleans())
def test_shell_analyser_follows_or_gives_up_never_raises(script: str, outer: bool) -> None:
    """The walker itself (not run_script, which turns any exception into "RUN not analysed")."""
    for arch in ("amd64", "arm64"):
        walk_script(script, arch, outer=outer)


def locator(
    text: str, first_line: int = 3, first_column: int = 5
) -> Callable[[int], tuple[int, int]]:
    """Offsets in a script that starts after "RUN " on line ``first_line`` of a Dockerfile."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def locate(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset) - 1
        column = offset - starts[line] + (first_column if line == 0 else 1)
        return first_line + line, column

    return locate


def walk_script(script: str, arch: str, *, outer: bool = False) -> FileTree:
    tree = FileTree()
    env: dict[str, str | None] = {"TARGETARCH": arch, "TARGETOS": "linux", "ARCH": None}
    instruction = Span("Dockerfile", 3, 1, 3, 4)
    state = ShellState(tree, env, "/", instruction)
    # A script nested deeper than Python's stack raises RecursionError: run_script leaves that
    # RUN opaque, which is the right answer.
    with contextlib.suppress(RecursionError):
        follow_script(Script(script, locator(script), "Dockerfile", outer), state)
    return tree


# ==================================================================================================
# crashers found by these properties, kept as explicit tests (others live in test_hostile_inputs)
# ==================================================================================================


@pytest.mark.parametrize(
    "script",
    [
        "mkdir -p /a; if false; then mkdir -p /a/b; fi; mv /a /a/c",
        "mkdir -p /a; if false; then mkdir -p /a/b; fi; cp -r /a /a/c",
        'mkdir -p /d/k; if [ "$TARGETARCH" = arm64 ]; then mkdir -p /d/k/x; fi; mv /d/k /d/k',
    ],
)
def test_copy_into_itself_with_notes_on_skipped_paths(script: str) -> None:
    """RuntimeError "dictionary changed size during iteration": copying a directory into itself
    carried the notes on paths a skipped branch would have made while adding to the same notes.
    run_script then gave up on the whole RUN (opaque "/"), silently."""
    tree = walk_script(script, "amd64")  # raised
    tree = FileTree()
    state = ShellState(tree, {"TARGETARCH": "amd64"}, "/", Span("Dockerfile", 3, 1, 3, 4))
    run_script(Script(script, locator(script), "Dockerfile"), state)
    assert tree.lookup("/elsewhere").presence is Presence.NO  # the RUN was followed


# ==================================================================================================
# determinism across processes: hash seeds, worker processes, file system order
# ==================================================================================================


def test_output_is_byte_identical_across_hash_seeds_jobs_and_listing_orders(
    tmp_path: Path,
) -> None:
    """Every rule case in one tree (about 200 extensions with findings of every rule), linted by
    separate processes: string hashing (set and dict order of str keys) differs with
    PYTHONHASHSEED, and --jobs 2 splits the run over forked workers. The output must not
    change, in any format."""
    from tests.rule_cases import build_case, load_cases
    from tests.test_rules import case_files

    tree = tmp_path / "cases"
    for code in sorted(case_files()):
        for number, case in enumerate(load_cases(code)):
            (tree / f"{code}-{number}").mkdir(parents=True)
            build_case(case, tree / f"{code}-{number}")
    script = (
        "import contextlib, os, sys\n"
        "from mext_lint.cli import main\n"
        "from tests.test_fuzz import shuffled_listings\n"
        "seed = int(os.environ['LISTING_SEED'])\n"
        "with shuffled_listings(seed) if seed else contextlib.nullcontext():\n"
        "    code = main(sys.argv[1:])\n"
        "sys.exit(code)\n"
    )
    outputs: dict[str, set[bytes]] = {"json": set(), "sarif": set()}
    runs = [("0", "0", "1", "json"), ("0", "0", "1", "sarif"), ("1", "7", "2", "json")]
    runs += [("1", "7", "2", "sarif"), ("4242", "99", "1", "json")]
    for hash_seed, listing_seed, jobs, output_format in runs:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "LISTING_SEED": listing_seed}
        command = [sys.executable, "-c", script, str(tree), "--isolated", "--exit-zero"]
        command += ["--format", output_format, "--jobs", jobs]
        result = subprocess.run(command, capture_output=True, env=env, cwd=REPOSITORY)
        assert result.returncode == 0, result.stderr.decode()
        outputs[output_format].add(result.stdout)
    for output_format, seen in outputs.items():
        assert len(seen) == 1, f"{output_format} output differs between runs"
    findings = json.loads(outputs["json"].pop())
    assert len({f["code"] for f in findings}) >= 30  # the tree exercises most rules


def test_findings_order_is_total() -> None:
    """Findings alike in position, code and message (different related locations, say) come
    out in one order whatever order the checks yielded them in."""
    span = Span("Dockerfile", 3, 1, 3, 4)
    base = Finding("MX103", "host-binary-missing", "error", span, "missing", (), ())
    variants = [
        base,
        base._replace(related=(Related(span._replace(line=1), "a"),)),
        base._replace(related=(Related(span._replace(line=2), "a"),)),
        base._replace(platforms=("linux/arm64",)),
        base._replace(span=span._replace(end_column=9)),
        base._replace(severity="warning"),
    ]
    expected = sorted(variants, key=Finding.sort_key)
    for seed in range(20):
        shuffled = variants[:]
        random.Random(seed).shuffle(shuffled)
        assert sorted(shuffled, key=Finding.sort_key) == expected
