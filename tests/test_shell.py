"""The shell simulation of RUN scripts, on scripts shaped like real Docker Desktop extensions.

Each script sits in a pretend Dockerfile after ``RUN `` on line 5, so spans can be checked.
Most cases run for both linux/amd64 and linux/arm64.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.simulate.shell import Script, ShellState, outer_expand, run_argv, run_script
from mext_lint.simulate.tree import FileTree, Kind, Lookup, Presence
from mext_lint.spans import Span

YES, NO, UNKNOWN = Presence.YES, Presence.NO, Presence.UNKNOWN
ARCHES = ["amd64", "arm64"]
FIRST_LINE = 5
FIRST_COLUMN = 5  # after "RUN "
INSTRUCTION = Span("Dockerfile", FIRST_LINE, 1, FIRST_LINE, 4)


def locator(text: str) -> Callable[[int], tuple[int, int]]:
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def locate(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset) - 1
        column = offset - starts[line] + (FIRST_COLUMN if line == 0 else 1)
        return FIRST_LINE + line, column

    return locate


def simulate(
    script: str,
    arch: str | None = "amd64",
    *,
    env: dict[str, str | None] | None = None,
    cwd: str = "/",
    tree: FileTree | None = None,
    outer: bool = False,
) -> FileTree:
    tree = tree if tree is not None else FileTree()
    variables: dict[str, str | None] = {"TARGETARCH": arch, "TARGETOS": "linux"}
    variables.update(env or {})
    state = ShellState(tree, variables, cwd, INSTRUCTION)
    run_script(Script(script, locator(script), "Dockerfile", outer), state)
    return tree


def at(script: str, needle: str) -> tuple[int, int]:
    """Where ``needle`` starts in the pretend Dockerfile."""
    return locator(script)(script.index(needle))


def presence(tree: FileTree, path: str) -> Presence:
    return tree.lookup(path).presence


def origin_start(found: Lookup) -> tuple[int, int]:
    span = found.origins[0].span
    return span.line, span.column


# ----------------------------------------------------------------------------- Docker's example

KUBECTL = (
    "curl -fSsLo /darwin/kubectl https://dl.k8s.io/release/"
    "$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/darwin/${TARGETARCH}/kubectl \\\n"
    "    && chmod +x /darwin/kubectl \\\n"
    "    && curl -fSsLo /linux/kubectl"
    " https://dl.k8s.io/release/v1.30.0/bin/linux/${TARGETARCH}/kubectl \\\n"
    '    && if [ "$TARGETARCH" = "amd64" ]; then \\\n'
    "        curl -fSsLo /windows/kubectl.exe "
    "https://dl.k8s.io/release/v1.30.0/bin/windows/amd64/kubectl.exe; \\\n"
    "    fi"
)


@pytest.mark.parametrize("arch", ARCHES)
def test_kubectl_example_creates_the_binaries_of_each_platform(arch: str) -> None:
    tree = simulate(KUBECTL, arch)
    darwin = tree.lookup("/darwin/kubectl")
    assert darwin.presence is YES and darwin.kind is Kind.FILE
    assert darwin.arch is None  # ${TARGETARCH}: derived, not hard-coded
    assert darwin.origins[0].message == "created by `curl -o`"
    assert origin_start(darwin) == at(KUBECTL, "curl -fSsLo /darwin")
    assert presence(tree, "/linux/kubectl") is YES


def test_kubectl_example_windows_binary_only_on_amd64() -> None:
    amd64 = simulate(KUBECTL, "amd64").lookup("/windows/kubectl.exe")
    assert amd64.presence is YES
    assert amd64.arch is None  # the literal amd64 sits in a branch chosen by TARGETARCH

    arm64 = simulate(KUBECTL, "arm64")
    assert presence(arm64, "/windows/kubectl.exe") is NO
    (note,) = arm64.skipped("/windows/kubectl.exe")
    assert note.message == "created only when TARGETARCH=amd64"
    assert (note.span.line, note.span.column) == at(KUBECTL, "curl -fSsLo /windows")
    assert note.span.end_line == note.span.line


def test_condition_on_unknown_arch_makes_branch_unknown_never_no() -> None:
    tree = simulate(KUBECTL, None)
    assert presence(tree, "/windows/kubectl.exe") is UNKNOWN
    assert tree.skipped("/windows/kubectl.exe") == ()


# ----------------------------------------------------------------------------- case and variables

CASE_SCRIPT = """set -eux
case "$TARGETARCH" in
  amd64) A=x86_64 ;;
  arm64) A=aarch64 ;;
  *) echo "unsupported" && exit 1 ;;
esac
curl -fsSL "https://github.com/x/tool/releases/download/v1/tool-linux-${A}.tar.gz" -o /tmp/tool.tgz
tar -xzf /tmp/tool.tgz -C /linux tool
mkdir -p /out && touch "/out/tool-$A\""""


@pytest.mark.parametrize(("arch", "cpu"), [("amd64", "x86_64"), ("arm64", "aarch64")])
def test_case_on_targetarch_feeds_a_url(arch: str, cpu: str) -> None:
    tree = simulate(CASE_SCRIPT, arch)
    assert presence(tree, "/tmp/tool.tgz") is YES
    linux = tree.lookup("/linux/tool")
    assert linux.presence is YES
    assert linux.arch is None  # A was chosen by a case on TARGETARCH: derived
    assert presence(tree, f"/out/tool-{cpu}") is YES
    other = "aarch64" if cpu == "x86_64" else "x86_64"
    assert presence(tree, f"/out/tool-{other}") is NO


def test_case_items_not_taken_leave_skipped_notes() -> None:
    script = """case $TARGETARCH in
  amd64|x86_64) curl -fSsLo /windows/tool.exe https://x.io/windows/amd64/tool.exe ;;
  arm*) mkdir -p /arm-only ;;
esac"""
    arm = simulate(script, "arm64")
    assert presence(arm, "/windows/tool.exe") is NO
    (note,) = arm.skipped("/windows/tool.exe")
    assert note.message == "created only when TARGETARCH matches amd64|x86_64"
    assert presence(arm, "/arm-only") is YES
    amd = simulate(script, "amd64")
    assert presence(amd, "/windows/tool.exe") is YES
    assert amd.skipped("/arm-only")[0].message == "created only when TARGETARCH matches arm*"


def test_case_on_uname_is_platform_derived_and_uncertain() -> None:
    script = """case "$(uname -m)" in x86_64) ARCH=amd64 ;; aarch64) ARCH=arm64 ;; esac
curl -fsSLo /linux/tool "https://x.io/tool-linux-${ARCH}" """
    found = simulate(script).lookup("/linux/tool")
    assert found.presence is YES  # the download itself is certain
    assert found.arch is None


def test_variables_assigned_in_an_undecided_branch_become_unknown() -> None:
    script = 'D=/out/a; if [ -f /etc/x ]; then D=/out/b; fi; mkdir -p "$D/bin"'
    tree = simulate(script)
    assert presence(tree, "/out/a/bin") is UNKNOWN
    assert presence(tree, "/out/b/bin") is UNKNOWN
    assert presence(tree, "/elsewhere") is NO  # both values start with /out/


# ----------------------------------------------------------------------------- archives

HELM = """curl -fsSL https://get.helm.sh/helm-v3.14.0-linux-{cpu}.tar.gz -o /tmp/helm.tgz \\
    && mkdir -p /out \\
    && tar -C /out -xzf /tmp/helm.tgz --strip-components=1 linux-{member}/helm"""


@pytest.mark.parametrize("arch", ARCHES)
def test_tar_member_with_strip_components(arch: str) -> None:
    script = HELM.format(cpu="${TARGETARCH}", member="${TARGETARCH}")
    tree = simulate(script, arch)
    helm = tree.lookup("/out/helm")
    assert helm.presence is YES and helm.kind is Kind.FILE
    assert helm.arch is None
    assert helm.origins[0].message == "extracted by `tar -x`"
    assert presence(tree, f"/out/linux-{arch}/helm") is NO
    assert not tree.is_opaque("/out")


@pytest.mark.parametrize("arch", ARCHES)
def test_tar_hard_coded_member_records_the_literal(arch: str) -> None:
    script = HELM.format(cpu="${TARGETARCH}", member="amd64")
    helm = simulate(script, arch).lookup("/out/helm")
    assert helm.arch == "amd64"
    assert helm.arch_origin is not None
    span = helm.arch_origin.span
    assert (span.line, span.column) == at(script, "amd64/helm")
    assert span.end_column == span.column + len("amd64")
    assert helm.arch_origin.message == "hard-coded amd64"


@pytest.mark.parametrize("arch", ARCHES)
def test_tar_propagates_the_archive_download_arch(arch: str) -> None:
    script = HELM.format(cpu="arm64", member="${TARGETARCH}")
    helm = simulate(script, arch).lookup("/out/helm")
    assert helm.arch == "arm64"
    assert helm.arch_origin is not None
    assert (helm.arch_origin.span.line, helm.arch_origin.span.column) == at(script, "arm64.tar")


@pytest.mark.parametrize("arch", ARCHES)
def test_tar_without_members_makes_the_target_opaque(arch: str) -> None:
    tree = simulate("mkdir -p /out && tar -xzf /tmp/x.tgz -C /out", arch)
    assert presence(tree, "/out") is YES
    assert presence(tree, "/out/anything") is UNKNOWN
    assert presence(tree, "/elsewhere") is NO


def test_tar_old_style_options_and_long_options() -> None:
    tree = simulate(
        "cd /opt && tar xzf /x.tgz bin/tool && tar --extract --file=/y.tgz --directory=/d a/b"
    )
    assert presence(tree, "/opt/bin/tool") is YES
    assert presence(tree, "/d/a/b") is YES


@pytest.mark.parametrize("arch", ARCHES)
def test_piped_download_into_tar(arch: str) -> None:
    script = (
        "curl -fsSL https://x.io/tool-darwin-amd64.tar.gz | tar -xz -C /darwin tool"
        " && curl -fsSL https://x.io/all.tgz | tar -xzf - -C /all"
    )
    tree = simulate(script, arch)
    tool = tree.lookup("/darwin/tool")
    assert tool.presence is YES
    assert tool.arch == "amd64"  # the stdin of tar came from a hard-coded URL
    assert presence(tree, "/all/x") is UNKNOWN


@pytest.mark.parametrize("arch", ARCHES)
def test_unzip(arch: str) -> None:
    script = (
        "wget -q https://x.io/tool_${TARGETARCH}.zip -O /tmp/t.zip"
        " && unzip -o /tmp/t.zip tool.exe -d /windows"
        " && unzip -q /tmp/t.zip -d /everything"
        " && unzip -j /tmp/t.zip deep/dir/flat -d /flat"
    )
    tree = simulate(script, arch)
    assert presence(tree, "/windows/tool.exe") is YES
    assert presence(tree, "/windows/other") is NO
    assert presence(tree, "/everything/x") is UNKNOWN
    assert presence(tree, "/flat/flat") is YES


# ----------------------------------------------------------------------------- downloads


@pytest.mark.parametrize("arch", ARCHES)
def test_curl_remote_name_and_output_dir(arch: str) -> None:
    script = (
        "cd /downloads && curl -sLO https://x.io/v1/tool-${TARGETARCH}.tgz?raw=1"
        " && curl -fsSL --create-dirs --output-dir /bin2 -o tool https://x.io/t"
        " && curl -L -O https://x.io/$(cat /version)/kubectl"
        " && curl -s https://x.io/printed > /printed"
    )
    tree = simulate(script, arch)
    assert presence(tree, f"/downloads/tool-{arch}.tgz") is YES
    assert presence(tree, "/bin2/tool") is YES
    assert presence(tree, "/downloads/kubectl") is YES  # the name survives an unknown path
    assert presence(tree, "/printed") is YES


@pytest.mark.parametrize("arch", ARCHES)
def test_wget_output_document_prefix_and_default_name(arch: str) -> None:
    script = (
        "wget -O /bin/a https://x.io/a"
        " && wget -P /dl https://x.io/files/b.tar.gz"
        " && cd /w && wget -nv https://x.io/c.zip"
        " && wget -qO- https://x.io/d-arm64.sh > /d.sh"
    )
    tree = simulate(script, arch)
    assert presence(tree, "/bin/a") is YES
    assert presence(tree, "/dl/b.tar.gz") is YES
    assert presence(tree, "/w/c.zip") is YES
    assert presence(tree, "/-") is NO
    piped = tree.lookup("/d.sh")
    assert piped.presence is YES and piped.arch == "arm64"


@pytest.mark.parametrize("arch", ARCHES)
def test_unknown_destination_makes_its_known_directory_opaque(arch: str) -> None:
    tree = simulate("mkdir -p /out && curl -fsSLo /out/$(uname -m)/tool https://x.io/t", arch)
    assert presence(tree, "/out/x86_64/tool") is UNKNOWN
    assert presence(tree, "/elsewhere/tool") is NO


# ----------------------------------------------------------------------------- copies and moves


@pytest.mark.parametrize("arch", ARCHES)
def test_mv_into_an_existing_directory(arch: str) -> None:
    script = (
        "mkdir -p /host-binaries/linux /host-binaries/darwin"
        " && cd /tmp && curl -fsSLo helm https://x.io/linux/amd64/helm"
        " && mv ./helm /host-binaries/linux/"
        " && touch /tmp/k && mv /tmp/k /host-binaries/darwin"
    )
    tree = simulate(script, arch)
    moved = tree.lookup("/host-binaries/linux/helm")
    assert moved.presence is YES
    assert moved.arch == "amd64"  # travelled with the file
    assert presence(tree, "/tmp/helm") is NO
    assert presence(tree, "/host-binaries/darwin/k") is YES
    assert tree.lookup("/host-binaries/darwin").kind is Kind.DIR


def test_cp_recursive_multiple_sources_and_globs() -> None:
    script = (
        "mkdir -p /src/dist/assets && touch /src/dist/index.html /src/dist/assets/app.js"
        " && cp -r /src/dist /ui"
        " && mkdir /bins && touch /src/a /src/b && cp /src/a /src/b /bins"
        " && mkdir /copies && cp /src/dist/*.html /copies/"
    )
    tree = simulate(script)
    assert presence(tree, "/ui/index.html") is YES
    assert presence(tree, "/ui/assets/app.js") is YES
    assert presence(tree, "/bins/a") is YES and presence(tree, "/bins/b") is YES
    assert presence(tree, "/copies/index.html") is YES
    assert presence(tree, "/copies/app.js") is NO


def test_cp_from_an_unknown_directory_glob() -> None:
    tree = simulate("make && mkdir -p /ui && cp -r build/* /ui/", cwd="/app")
    assert presence(tree, "/ui/index.html") is UNKNOWN


def test_ln_install_touch_tee_and_redirections() -> None:
    script = (
        "install -D -m 0755 /tmp/tool /usr/local/bin/tool"
        " && install -d /opt/data"
        " && ln -sf /usr/local/bin/tool /darwin/tool"
        " && echo '{}' > /metadata.json"
        " && printf x >> /log"
        " && echo hi | tee /a /b"
        " && cat <<EOF > /c.txt\nhello\nEOF\n"
        "echo done 2>/dev/null >/dev/null"
    )
    tree = simulate(script)
    installed = tree.lookup("/usr/local/bin/tool")
    assert installed.presence is YES and installed.kind is Kind.FILE
    assert tree.lookup("/opt/data").kind is Kind.DIR
    assert tree.lookup("/darwin/tool").kind is Kind.SYMLINK
    for path in ("/metadata.json", "/log", "/a", "/b", "/c.txt"):
        assert presence(tree, path) is YES, path
    assert presence(tree, "/dev/null") is NO


def test_rm_removes_and_glob_removal_is_uncertain() -> None:
    script = "mkdir -p /x/y && touch /x/y/a /x/y/b /keep && rm -rf /x/y/a && rm -f /x/y/*"
    tree = simulate(script)
    assert presence(tree, "/x/y/a") is NO
    assert presence(tree, "/x/y/b") is UNKNOWN
    assert presence(tree, "/keep") is YES


# ----------------------------------------------------------------------------- go build


@pytest.mark.parametrize("arch", ARCHES)
def test_go_build_with_goos_and_derived_goarch(arch: str) -> None:
    script = (
        "GOOS=darwin GOARCH=$TARGETARCH go build -o /out/darwin/tool ./cmd/tool"
        " && GOOS=windows go build -ldflags '-s -w' -o /out/windows/ ./cmd/tool"
        " && cd /src && go build ./cmd/other"
    )
    tree = simulate(script, arch)
    darwin = tree.lookup("/out/darwin/tool")
    assert darwin.presence is YES and darwin.arch is None
    assert darwin.origins[0].message == "built by `go build -o`"
    assert presence(tree, "/out/windows/tool.exe") is YES
    assert presence(tree, "/src/other") is YES


@pytest.mark.parametrize("arch", ARCHES)
def test_go_build_hard_coded_goarch(arch: str) -> None:
    script = "GOOS=darwin GOARCH=amd64 go build -o /darwin/tool ."
    found = simulate(script, arch).lookup("/darwin/tool")
    assert found.arch == "amd64"
    assert found.arch_origin is not None
    assert (found.arch_origin.span.line, found.arch_origin.span.column) == at(script, "amd64")


def test_go_build_without_output_of_the_current_package_makes_cwd_opaque() -> None:
    tree = simulate("go build", cwd="/src")
    assert presence(tree, "/src/whatever") is UNKNOWN


def test_exported_goarch_from_a_hard_coded_variable() -> None:
    script = "export GOOS=darwin GOARCH=arm64\ngo build -o /darwin/t ./cmd/t"
    found = simulate(script, "amd64").lookup("/darwin/t")
    assert found.arch == "arm64"


# ----------------------------------------------------------------------------- loops and functions


@pytest.mark.parametrize("arch", ARCHES)
def test_for_loop_is_unrolled(arch: str) -> None:
    script = (
        "for os in darwin linux windows; do mkdir -p /out/$os; done"
        " && for os in darwin linux; do"
        " GOOS=$os GOARCH=$TARGETARCH go build -o /out/$os/tool ./cmd/tool; done"
    )
    tree = simulate(script, arch)
    for os_name in ("darwin", "linux", "windows"):
        assert tree.lookup(f"/out/{os_name}").kind is Kind.DIR
    assert presence(tree, "/out/darwin/tool") is YES
    assert presence(tree, "/out/linux/tool") is YES
    assert presence(tree, "/out/windows/tool") is NO


def test_for_over_a_list_variable_and_hard_coded_arches() -> None:
    script = 'OSES="darwin linux"; for o in $OSES; do mkdir -p "/bin/$o"; done\n' + (
        "for a in amd64 arm64; do curl -fsSLo /dl/tool-$a https://x.io/$a/tool; done"
    )
    tree = simulate(script)
    assert presence(tree, "/bin/darwin") is YES
    assert presence(tree, "/bin/linux") is YES
    assert tree.lookup("/dl/tool-amd64").arch == "amd64"
    assert tree.lookup("/dl/tool-arm64").arch == "arm64"


def test_while_loop_body_is_uncertain() -> None:
    tree = simulate("while read -r line; do mkdir -p /w; done < /list")
    assert presence(tree, "/w") is UNKNOWN


def test_functions_are_simulated_with_their_arguments() -> None:
    script = (
        'fetch() { curl -fsSLo "/$1/kubectl" "https://x.io/$1/${TARGETARCH}/kubectl"; }\n'
        "fetch darwin && fetch linux"
    )
    tree = simulate(script, "arm64")
    assert presence(tree, "/darwin/kubectl") is YES
    assert presence(tree, "/linux/kubectl") is YES


# ----------------------------------------------------------------------------- unknown commands


@pytest.mark.parametrize(
    "command",
    [
        "make install",
        "./install.sh",
        'sh -c "$X"',
        "eval $CMD",
        "find . -name '*.go' -exec cp {} /out \\;",
        "python build.py",
        "xargs -n1 mkdir < dirs.txt",
        "npm run build",
        "curl -fsSL https://x.io/install.sh | sh",
        "if then fi broken (",
    ],
)
@pytest.mark.parametrize("arch", ARCHES)
def test_unknown_commands_are_opaque_never_no(command: str, arch: str) -> None:
    tree = simulate(f"mkdir -p /known && {command}", arch, cwd="/app")
    assert presence(tree, "/darwin/anything") is UNKNOWN
    assert presence(tree, "/app/out") is UNKNOWN
    assert presence(tree, "/known") is YES


@pytest.mark.parametrize(
    "command",
    [
        "echo hello",
        "true",
        "set -eux",
        "test -f /x",
        "[ -d /y ]",
        "chmod +x /darwin/kubectl",
        "chown -R 1000:1000 /app",
        "ls -la /",
        "cat /etc/os-release",
        "sleep 1",
        "sed -i 's/a/b/' /etc/conf",
        "apk add --no-cache curl",
        "apt-get update && apt-get install -y curl",
        "pip install -r requirements.txt",
        "go mod download",
        "useradd -m app",
        "update-ca-certificates",
    ],
)
def test_commands_without_extension_effects_keep_extension_paths_no(command: str) -> None:
    tree = simulate(command, cwd="/app")
    assert presence(tree, "/darwin/kubectl") is NO
    assert presence(tree, "/metadata.json") is NO


def test_package_managers_make_system_directories_opaque() -> None:
    tree = simulate("apk add --no-cache jq && npm ci", cwd="/ui-src")
    assert presence(tree, "/usr/bin/jq") is UNKNOWN
    assert presence(tree, "/ui-src/node_modules") is UNKNOWN
    assert presence(tree, "/ui/index.html") is NO


# ----------------------------------------------------------------------------- control flow


@pytest.mark.parametrize("arch", ARCHES)
def test_if_elif_else_on_targetarch(arch: str) -> None:
    script = """if [ "$TARGETARCH" = "amd64" ]; then
    mkdir /x86
elif [[ $TARGETARCH == arm* ]]; then
    mkdir /arm
else
    mkdir /other
fi"""
    tree = simulate(script, arch)
    assert presence(tree, "/x86") is (YES if arch == "amd64" else NO)
    assert presence(tree, "/arm") is (YES if arch == "arm64" else NO)
    assert presence(tree, "/other") is NO
    if arch == "arm64":
        assert tree.skipped("/x86")[0].message == "created only when TARGETARCH=amd64"
    else:
        assert tree.skipped("/arm")[0].message == "created only when TARGETARCH!=amd64"


@pytest.mark.parametrize("arch", ARCHES)
def test_and_or_short_circuit_on_tests(arch: str) -> None:
    script = (
        '[ "$TARGETARCH" = "amd64" ] && mkdir /only-amd64 || mkdir /not-amd64;'
        ' test "$TARGETARCH" != arm64 -a -n "$TARGETOS" && mkdir /also-amd64;'
        ' [ -z "$TARGETARCH" ] || mkdir /always'
    )
    tree = simulate(script, arch)
    amd = arch == "amd64"
    assert presence(tree, "/only-amd64") is (YES if amd else NO)
    # `[ ] && mkdir || mkdir`: the last mkdir runs if the first one fails, which may happen
    assert presence(tree, "/not-amd64") is (UNKNOWN if amd else YES)
    assert presence(tree, "/also-amd64") is (YES if amd else NO)
    assert presence(tree, "/always") is YES
    if not amd:
        assert tree.skipped("/also-amd64")[0].message == (
            "created only when TARGETARCH!=arm64 and TARGETOS is not empty"
        )


def test_or_after_a_command_is_uncertain() -> None:
    tree = simulate("curl -fsSLo /a https://x.io/a || mkdir /fallback")
    assert presence(tree, "/a") is YES
    assert presence(tree, "/fallback") is UNKNOWN


def test_file_tests_are_undecided() -> None:
    tree = simulate("if [ ! -f /etc/alpine-release ]; then mkdir /debian; else mkdir /alpine; fi")
    assert presence(tree, "/debian") is UNKNOWN
    assert presence(tree, "/alpine") is UNKNOWN


def test_exit_in_a_decided_branch_stops_the_script() -> None:
    script = '[ "$TARGETARCH" = arm64 ] && exit 0; mkdir /after'
    assert presence(simulate(script, "arm64"), "/after") is NO
    assert presence(simulate(script, "amd64"), "/after") is YES
    undecided = "if [ -f /x ]; then exit 0; fi; mkdir /after"
    assert presence(simulate(undecided), "/after") is UNKNOWN


def test_subshells_and_cd_scoping() -> None:
    script = "(cd /tmp && touch a) && touch b && { cd /w; touch c; } && touch d"
    tree = simulate(script, cwd="/root")
    assert presence(tree, "/tmp/a") is YES
    assert presence(tree, "/root/b") is YES
    assert presence(tree, "/w/c") is YES
    assert presence(tree, "/w/d") is YES


def test_background_commands_are_uncertain() -> None:
    tree = simulate("mkdir /bg & mkdir /fg")
    assert presence(tree, "/bg") is UNKNOWN
    assert presence(tree, "/fg") is YES


# ----------------------------------------------------------------------------- expansions


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("${EMPTY:-1.0}", "/v/1.0"),
        ("${EMPTY-1.0}", "/v/"),
        ("${FILE:+set}", "/v/set"),
        ("${FILE%.tar.gz}", "/v/tool"),
        ("${FILE#t}", "/v/ool.tar.gz"),
        ("${FILE##*.}", "/v/gz"),
        ("${FILE/tool/kit}", "/v/kit.tar.gz"),
        ("${TARGETARCH^^}", "/v/AMD64"),
        ("${#FILE}", "/v/11"),
        ("'$FILE'", "/v/$FILE"),
        ('"a b"', "/v/a b"),
        ("a\\ b", "/v/a b"),
        ("${FILE:0:4}", "/v/tool"),
        ("$(basename /x/y/name.txt .txt)", "/v/name"),
        ("$(echo $FILE)", "/v/tool.tar.gz"),
    ],
)
def test_word_expansion(word: str, expected: str) -> None:
    env: dict[str, str | None] = {"FILE": "tool.tar.gz", "EMPTY": ""}
    tree = simulate(f"mkdir -p /v/{word}", env=env)
    assert presence(tree, expected) is YES


def test_tilde_and_undeclared_variables() -> None:
    tree = simulate("mkdir -p ~/bin /v/${UNDECLARED:-1.0}")
    assert presence(tree, "/root/bin") is YES
    # not declared in the Dockerfile: the base image may set it, so the value is unknown
    assert presence(tree, "/v/1.0") is UNKNOWN


def test_brace_expansion_is_bash_only_so_uncertain() -> None:
    tree = simulate("mkdir -p /out/{darwin,linux}")
    assert presence(tree, "/out/darwin") is UNKNOWN
    assert presence(tree, "/out/linux") is UNKNOWN


def test_assignments_before_a_newline_are_not_command_prefixes() -> None:
    tree = simulate("A=/x B=/y\nmkdir -p $A $B")
    assert presence(tree, "/x") is YES
    assert presence(tree, "/y") is YES


def test_hard_coded_arch_through_a_variable_and_its_span() -> None:
    script = "ARCH=x86_64\ncurl -fsSLo /darwin/tool https://x.io/tool-darwin-$ARCH"
    found = simulate(script, "arm64").lookup("/darwin/tool")
    assert found.arch == "amd64"
    assert found.arch_origin is not None
    assert (found.arch_origin.span.line, found.arch_origin.span.column) == at(script, "x86_64")


@pytest.mark.parametrize("arch", ARCHES)
def test_literal_in_a_targetarch_if_is_derived(arch: str) -> None:
    script = (
        'if [ "$TARGETARCH" = "amd64" ]; then ARCH=x86_64; else ARCH=aarch64; fi;'
        " curl -fsSLo /darwin/tool https://x.io/tool-darwin-$ARCH"
    )
    assert simulate(script, arch).lookup("/darwin/tool").arch is None


def test_arch_words_inside_names_are_not_literals() -> None:
    script = "curl -fsSLo /darwin/tool https://x.io/tool-darwinamd64x/armv7/x64abc"
    assert simulate(script).lookup("/darwin/tool").arch is None


# ----------------------------------------------------------------------------- heredocs


@pytest.mark.parametrize("arch", ARCHES)
def test_outer_shell_expands_an_unquoted_heredoc_body(arch: str) -> None:
    body = (
        "set -e\n"
        "if [ '$TARGETARCH' = 'amd64' ]; then\n"
        "  curl -fsSLo /windows/tool.exe https://x.io/windows/$TARGETARCH/tool.exe\n"
        "fi\n"
        "mkdir -p '/out/$TARGETARCH'\n"
    )
    tree = simulate(body, arch, outer=True)
    assert presence(tree, f"/out/{arch}") is YES  # expanded even inside single quotes
    windows = tree.lookup("/windows/tool.exe")
    if arch == "amd64":
        assert windows.presence is YES
        assert windows.arch is None  # the outer shell put amd64 there, not the author
        assert origin_start(windows) == at(body, "curl -fsSLo")
    else:
        assert windows.presence is NO


def test_outer_expansion_keeps_positions_and_unknowns() -> None:
    text, offsets, substituted = outer_expand("a $X b ${Y:-d} \\$Z $(cmd) c", {"X": "xx"})
    assert text.startswith("a xx b \ue000 $Z \ue000 c")
    assert offsets[2] == 2 and offsets[3] == 2 and offsets[5] == 5
    assert substituted[2] and not substituted[0]


def test_without_outer_expansion_single_quotes_stay_literal() -> None:
    tree = simulate("mkdir -p '/out/$TARGETARCH'")
    assert presence(tree, "/out/$TARGETARCH") is YES


# ------------------------------------------------------------------------ exec form, robustness


def test_run_argv_shell_and_plain_command() -> None:
    tree = FileTree()
    state = ShellState(tree, {"TARGETARCH": "arm64"}, "/w", INSTRUCTION)
    run_argv(
        ["sh", "-c", "mkdir -p /darwin && curl -fsSLo /darwin/k https://x/$TARGETARCH/k"], state
    )
    run_argv(["mkdir", "-p", "$HOME"], state)
    run_argv(["curl", "-o", "/linux/k", "https://x.io/amd64/k"], state)
    found = tree.lookup("/darwin/k")
    assert found.presence is YES
    assert found.origins[0].span == INSTRUCTION
    assert presence(tree, "/w/$HOME") is YES  # no shell, no expansion
    assert tree.lookup("/linux/k").arch == "amd64"


def test_sh_dash_c_with_a_literal_script_is_simulated_with_positions() -> None:
    script = "mkdir -p /x && sh -c 'touch /x/inner'"
    found = simulate(script).lookup("/x/inner")
    assert found.presence is YES
    assert origin_start(found) == at(script, "touch /x/inner")


@pytest.mark.parametrize(
    "script",
    [
        "",
        "((((",
        "if [ $A = ; then",
        "case x in",
        "echo $(( 1 + ))",
        "a" * 5000,
        "mkdir /a && " * 400 + "mkdir /b",
        "(" * 300 + "mkdir /deep" + ")" * 300,
        "f() { f; }; f",
        "\ue000 weird \x00 bytes é ü",
    ],
)
def test_never_raises(script: str) -> None:
    tree = simulate(script)
    assert presence(tree, "/a") in (YES, NO, UNKNOWN)


def test_long_and_chain_is_precise() -> None:
    tree = simulate("mkdir /a && " * 400 + "mkdir /b")
    assert presence(tree, "/a") is YES and presence(tree, "/b") is YES


@pytest.mark.parametrize("opening", ["(", "( ", "{ "])
def test_deep_nesting_is_unknown_not_no(opening: str) -> None:
    closing = {"(": ")", "( ": " )", "{ ": "; }"}[opening]
    tree = simulate(opening * 300 + "mkdir /deep" + closing * 300)
    assert presence(tree, "/deep") is UNKNOWN


def test_skipped_notes_do_not_change_the_tree() -> None:
    script = '[ "$TARGETARCH" = amd64 ] && { make; mkdir /gone; }; mkdir /kept'
    tree = simulate(script, "arm64")
    assert presence(tree, "/gone") is NO
    assert presence(tree, "/kept") is YES
    assert presence(tree, "/random") is NO  # the unknown `make` did not run on arm64


# ----------------------------------------------------------------------------- more shapes


def test_case_items_after_an_undecided_one_are_uncertain() -> None:
    script = """case "$TARGETARCH" in
  $UNKNOWN_PATTERN) mkdir /first ;;
  amd64) mkdir /second ;;
esac"""
    tree = simulate(script, "amd64")
    assert presence(tree, "/first") is UNKNOWN
    assert presence(tree, "/second") is UNKNOWN  # only reached when the first did not match


@pytest.mark.parametrize("arch", ARCHES)
def test_case_with_unknown_targetarch_runs_every_item_uncertain(arch: str) -> None:
    script = "case $TARGETARCH in amd64) mkdir /a ;; arm64) mkdir /b ;; esac"
    tree = simulate(script, None)
    assert presence(tree, "/a") is UNKNOWN and presence(tree, "/b") is UNKNOWN
    known = simulate(script, arch)
    assert presence(known, "/a" if arch == "amd64" else "/b") is YES


@pytest.mark.parametrize("arch", ARCHES)
def test_double_bracket_and_or_and_patterns(arch: str) -> None:
    script = (
        '[[ $TARGETARCH == am* && -n "$TARGETOS" ]] && mkdir /starts-with-am;'
        " [[ $TARGETARCH = arm64 || $TARGETARCH = aarch64 ]] && mkdir /arm;"
        ' [[ ! "$TARGETARCH" =~ ^arm ]] && mkdir /not-arm'
    )
    tree = simulate(script, arch)
    assert presence(tree, "/starts-with-am") is (YES if arch == "amd64" else NO)
    assert presence(tree, "/arm") is (YES if arch == "arm64" else NO)
    assert presence(tree, "/not-arm") is (YES if arch == "amd64" else NO)


@pytest.mark.parametrize("arch", ARCHES)
def test_bracket_expressions_match_as_bash_matches_them(arch: str) -> None:
    # A POSIX class, a negated class, and a range whose end sorts before its start, which bash
    # takes as matching nothing (Python's re would refuse it): the RUN is still followed.
    script = (
        'case "$TARGETARCH" in [[:digit:]]*) mkdir /digit ;; [?-/]*) mkdir /never ;;'
        " a[r-s][![:digit:]][[:digit:]]*) mkdir /arm ;; *) mkdir /other ;; esac"
    )
    tree = simulate(script, arch)
    assert presence(tree, "/never") is NO and presence(tree, "/digit") is NO
    assert presence(tree, "/arm") is (YES if arch == "arm64" else NO)
    assert presence(tree, "/other") is (YES if arch == "amd64" else NO)


@pytest.mark.parametrize(
    ("glob", "text", "matches"),
    [
        ("[[:digit:]][[:alpha:]]", "5x", True),
        ("[[:digit:]][[:alpha:]]", "x5", False),
        ("[[:bogus:]]", "a", False),
        ("[!]a]", "]", False),
        ("[!]a]", "b", True),
        ("[]-]", "-", True),
        ("[a-]", "-", True),
        ("[\\]]", "]", True),
        ("[[.a.][=b=]]", "b", True),
        ("[z-a]", "m", False),
        ("[!z-a]", "m", True),
        ("[^[:space:]]", " ", False),
        ("[[:punct:]]", "[", True),
        ("[[:xdigit:]]", "G", False),
        ("[abc", "[abc", True),
    ],
)
def test_bracket_expression_semantics(glob: str, text: str, matches: bool) -> None:
    from mext_lint.simulate.shell_values import glob_match

    assert glob_match(glob, text) is matches


def test_a_bracket_in_a_path_never_matches_a_slash() -> None:
    from mext_lint.simulate.shell_values import glob_match

    assert glob_match("a[!x]b", "a/b") is True
    assert glob_match("a[!x]b", "a/b", pathname=True) is False


def test_or_skip_note_describes_the_negated_test() -> None:
    tree = simulate('[ "$TARGETARCH" = amd64 ] || mkdir /not-amd64', "amd64")
    assert presence(tree, "/not-amd64") is NO
    assert tree.skipped("/not-amd64")[0].message == "created only when TARGETARCH!=amd64"


def test_skip_notes_in_an_unrolled_loop_are_not_repeated() -> None:
    script = 'for os in darwin linux; do [ "$TARGETARCH" = amd64 ] && mkdir -p /windows; done'
    tree = simulate(script, "arm64")
    assert len(tree.skipped("/windows")) == 1


def test_wrappers_run_the_inner_command() -> None:
    script = (
        "sudo -u root mkdir -p /s"
        " && env GOOS=darwin GOARCH=amd64 go build -o /darwin/t ./cmd/t"
        " && exec touch /e"
    )
    tree = simulate(script, "arm64")
    assert presence(tree, "/s") is YES
    assert tree.lookup("/darwin/t").arch == "amd64"
    assert presence(tree, "/e") is YES


def test_mktemp_directory_as_cwd() -> None:
    script = (
        'cd "$(mktemp -d)" && curl -fsSLO https://x.io/tool.tgz && tar -xzf tool.tgz'
        " && mv tool /usr/local/bin/tool && mkdir -p /darwin && cp tool-darwin /darwin/tool"
    )
    tree = simulate(script)
    assert presence(tree, "/tmp/anything") is UNKNOWN
    # mv of a file or directory we cannot see: something is there, of unknown kind
    assert presence(tree, "/usr/local/bin/tool") is UNKNOWN
    assert presence(tree, "/darwin/tool") is YES
    assert presence(tree, "/darwin/other") is NO


def test_git_clone_gunzip_and_printf_v() -> None:
    script = (
        "git clone --depth 1 https://github.com/x/repo.git /src/repo"
        " && cd /opt && git clone https://github.com/x/other"
        " && curl -fsSLo /bin2/tool.gz https://x.io/tool-linux-arm64.gz && gunzip /bin2/tool.gz"
        " && printf -v NAME '%s' x && mkdir -p /v/$NAME"
    )
    tree = simulate(script)
    assert presence(tree, "/src/repo/anything") is UNKNOWN
    assert presence(tree, "/opt/other") is YES
    tool = tree.lookup("/bin2/tool")
    assert tool.presence is YES and tool.arch == "arm64"
    assert presence(tree, "/bin2/tool.gz") is NO
    assert presence(tree, "/v/x") is UNKNOWN


def test_writes_to_devices_create_nothing() -> None:
    tree = simulate("echo x | tee /dev/stderr > /dev/null && touch /dev/shm/x")
    assert presence(tree, "/dev") is NO


def test_outer_expansion_parameter_forms() -> None:
    env: dict[str, str | None] = {"V": "1.2.3", "E": ""}
    text, _, _ = outer_expand("${V%.*} ${V#1.} ${E:-d} ${V:+set} ${NOPE} $NOPE", env)
    assert text == "1.2 2.3 d set \ue000 \ue000"


@pytest.mark.parametrize("arch", ARCHES)
def test_heredoc_case_on_targetarch_with_outer_expansion(arch: str) -> None:
    body = """case "$TARGETARCH" in
  amd64) ARCH=x86_64 ;;
  arm64) ARCH=aarch64 ;;
esac
wget -O /linux/tool "https://x.io/tool-$ARCH"
"""
    found = simulate(body, arch, outer=True).lookup("/linux/tool")
    assert found.presence is YES
    assert found.arch is None
    # the outer shell substituted $ARCH before the case ran: it was empty (not an ARG)
    assert origin_start(found) == at(body, "wget -O")


def test_json_exec_form_uses_the_instruction_span_for_nested_scripts() -> None:
    tree = FileTree()
    state = ShellState(tree, {"TARGETARCH": "amd64"}, "/", INSTRUCTION)
    run_argv(["/bin/sh", "-ec", "if [ $TARGETARCH = arm64 ]; then mkdir /arm; fi"], state)
    assert presence(tree, "/arm") is NO
    assert tree.skipped("/arm")[0].span == INSTRUCTION


def test_undecided_assignment_in_a_loop_body() -> None:
    tree = simulate("D=/a; while read x; do D=/b; done; mkdir -p $D/c")
    assert presence(tree, "/a/c") is UNKNOWN
    assert presence(tree, "/b/c") is UNKNOWN


def test_cp_contents_of_a_directory_with_dot() -> None:
    script = "mkdir -p /build/assets /ui && touch /build/index.html && cp -a /build/. /ui/"
    tree = simulate(script)
    assert presence(tree, "/ui/index.html") is YES
    assert tree.lookup("/ui/assets").kind is Kind.DIR
    assert presence(tree, "/ui/build") is NO


@pytest.mark.parametrize("arch", ARCHES)
def test_move_out_of_an_unpacked_archive_keeps_a_hard_coded_arch(arch: str) -> None:
    script = (
        "curl -fsSL https://get.helm.sh/helm-v3.14.0-linux-amd64.tar.gz | tar -xz -C /tmp"
        " && mkdir -p /linux && mv /tmp/linux-amd64/helm /linux/helm"
    )
    helm = simulate(script, arch).lookup("/linux/helm")
    assert helm.presence is UNKNOWN  # a file or a directory: the archive is not listed
    assert helm.arch == "amd64"
    assert helm.arch_origin is not None
    assert (helm.arch_origin.span.line, helm.arch_origin.span.column) == at(script, "amd64/helm")


# ----------------------------------------------------------------------------- properties

FRAGMENTS = [
    "mkdir -p /a/$X",
    "curl -fsSLo /b https://x.io/$TARGETARCH/k",
    "cd /tmp",
    "tar -xzf x.tgz -C /o a/b",
    "cp -r /a /c",
    "mv /b /d/",
    "rm -rf /a/*",
    "ln -sf /b /e",
    'case "$TARGETARCH" in amd64) A=1;; *) A=2;; esac',
    'if [ "$A" = 1 ]; then touch /t; elif [ -f /x ]; then :; else touch /u; fi',
    "for i in a b; do mkdir -p /l/$i; done",
    "while read l; do touch /w; done",
    '[ "$TARGETARCH" = amd64 ] && touch /amd || touch /other',
    "go build -o /bin/x ./cmd/x",
    "echo ${A:-d} > /r",
    "(cd /s && touch s)",
]


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6),
    position=st.integers(min_value=0, max_value=6),
    arch=st.sampled_from(["amd64", "arm64", None]),
    separator=st.sampled_from(["; ", " && ", "\n"]),
)
def test_an_unknown_command_never_turns_a_path_into_no(
    parts: list[str], position: int, arch: str | None, separator: str
) -> None:
    with_make = [*parts[:position], "make", *parts[position:]]
    before = simulate(separator.join(parts), arch, env={"X": None})
    after = simulate(separator.join(with_make), arch, env={"X": None})
    probes = [entry.path for entry in before.entries()] + ["/a", "/t", "/u", "/zz", "/o/a/b"]
    for path in probes:
        if presence(before, path) is not NO:
            assert presence(after, path) is not NO, path


@pytest.mark.parametrize("platform", ["amd64", "arm64"])
def test_commands_after_a_heredoc_start_on_its_line_run(platform: str) -> None:
    # tree-sitter-bash nests `&& touch /d` inside the heredoc redirect; it still runs.
    tree = FileTree()
    script = "cat <<EOF > /c && touch /d\nhello\nEOF\ncat <<X | tee /f || touch /g\nbody\nX\n"
    state = ShellState(tree, {"TARGETARCH": platform}, "/", Span("Dockerfile", 1, 1, 1, 2))
    run_script(Script(script, lambda offset: (1, offset + 1), "Dockerfile"), state)
    assert tree.lookup("/c").presence is Presence.YES
    assert tree.lookup("/d").presence is Presence.YES
    assert tree.lookup("/f").presence is Presence.YES
    assert tree.lookup("/g").presence is Presence.UNKNOWN
