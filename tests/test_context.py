from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mext_lint.simulate import context as context_module
from mext_lint.simulate.context import BuildContext, ContextEntry, ContextUnknown
from mext_lint.simulate.dockerignore import DockerIgnore, clean_path


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith("/"):
            path.mkdir(exist_ok=True)
        else:
            path.write_text(content)


def _paths(entries: Iterator[ContextEntry] | list[ContextEntry]) -> list[str]:
    return [entry.rel_path for entry in entries]


@pytest.fixture
def extension(tmp_path: Path) -> Path:
    _tree(
        tmp_path,
        {
            "Dockerfile": "FROM scratch\n",
            "metadata.json": "{}",
            "docker.svg": "<svg/>",
            "a.txt": "",
            "b.txt": "",
            "ab.txt": "",
            "ui/index.html": "",
            "ui/src/app.tsx": "",
            "ui/build/index.html": "",
            "ui/build/static/app.js": "",
            "binaries/darwin/arm64/kubectl": "",
            "binaries/linux/amd64/kubectl": "",
            "binaries/windows/amd64/kubectl.exe": "",
            "empty/": "",
            ".git/HEAD": "ref: refs/heads/main\n",
            "node_modules/left-pad/index.js": "",
        },
    )
    return tmp_path


# -- lookup -------------------------------------------------------------------------------------


def test_lookup_files_dirs_and_missing(extension: Path) -> None:
    context = BuildContext(extension, None)
    assert context.lookup("metadata.json") == ContextEntry("metadata.json", False, False, None)
    assert context.lookup("/ui/") == ContextEntry("ui", True, False, None)
    assert context.lookup("./ui//src/../index.html") == ContextEntry(
        "ui/index.html", False, False, None
    )
    assert context.lookup("") == ContextEntry("", True, False, None)
    assert context.lookup("missing.json") is None
    assert context.lookup("metadata.json/x") is None  # below a file
    assert context.lookup(".git/HEAD") is not None  # Docker sends .git unless ignored


@pytest.mark.parametrize("path", ["..", "../secret", "ui/../../secret", "/../x"])
def test_paths_escaping_the_root_are_outside(extension: Path, path: str) -> None:
    (extension.parent / "secret").write_text("")
    context = BuildContext(extension, None)
    assert context.is_outside(path) == (path != "/../x")
    if path != "/../x":
        assert context.lookup(path) is None
        assert context.match(path) == []
        assert list(context.walk(path)) == []


def test_leading_slash_dotdot_stays_at_the_root(extension: Path) -> None:
    # "/../x" is cleaned to "/x" (like filepath.Clean on an absolute path): inside the context
    _tree(extension, {"x": ""})
    assert BuildContext(extension, None).lookup("/../x") is not None


def test_lookup_reports_the_ignore_line(extension: Path) -> None:
    ignore = DockerIgnore.parse("# comments count as lines\nnode_modules\n*.txt\n!b.txt\n")
    context = BuildContext(extension, ignore)
    entry = context.lookup("a.txt")
    assert entry is not None
    assert entry.excluded
    assert entry.excluded_by is not None
    assert (entry.excluded_by.line, entry.excluded_by.text) == (3, "*.txt")
    b_entry = context.lookup("b.txt")
    assert b_entry is not None
    assert not b_entry.excluded
    nested = context.lookup("node_modules/left-pad/index.js")
    assert nested is not None
    assert nested.excluded_by is not None
    assert nested.excluded_by.line == 2


def test_excluded_directory_with_reincluded_child_is_sent(extension: Path) -> None:
    context = BuildContext(extension, DockerIgnore.parse("ui\n!ui/build\n"))
    ui = context.lookup("ui")
    assert ui is not None
    assert not ui.excluded  # Docker creates it to hold ui/build
    src = context.lookup("ui/src")
    assert src is not None
    assert src.excluded
    assert _paths(context.walk("ui")) == [
        "ui/build",
        "ui/build/index.html",
        "ui/build/static",
        "ui/build/static/app.js",
    ]


def test_excluded_directory_without_sent_children_stays_excluded(extension: Path) -> None:
    context = BuildContext(extension, DockerIgnore.parse("ui\n!**/*.md\n"))
    ui = context.lookup("ui")
    assert ui is not None
    assert ui.excluded
    assert _paths(context.walk("")).count("ui") == 0


# -- match --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("*.txt", ["a.txt", "ab.txt", "b.txt"]),
        ("?.txt", ["a.txt", "b.txt"]),
        ("[ab].txt", ["a.txt", "b.txt"]),
        ("[^a]*.txt", ["b.txt"]),
        ("binaries/*/*/kubectl*", [
            "binaries/darwin/arm64/kubectl",
            "binaries/linux/amd64/kubectl",
            "binaries/windows/amd64/kubectl.exe",
        ]),
        ("binaries/*/amd64", ["binaries/linux/amd64", "binaries/windows/amd64"]),
        ("/ui/*", ["ui/build", "ui/index.html", "ui/src"]),
        ("ui", ["ui"]),
        ("./metadata.json", ["metadata.json"]),
        ("*.nothing", []),
        ("missing/*.txt", []),
        ("metadata.json/*", []),
        ("[", []),  # filepath.Match's error is ignored: nothing matches
        ("*", [
            ".git", "Dockerfile", "a.txt", "ab.txt", "b.txt", "binaries", "docker.svg",
            "empty", "metadata.json", "node_modules", "ui",
        ]),
    ],
)  # fmt: skip
def test_match_like_copy_sources(extension: Path, source: str, expected: list[str]) -> None:
    found = BuildContext(extension, None).match(source)
    assert _paths(found) == expected
    assert found.complete


def test_match_escaped_wildcard_is_literal(extension: Path) -> None:
    _tree(extension, {"weird*name": "", "weirdXname": "", "weird\\*name": ""})
    context = BuildContext(extension, None)
    assert _paths(context.match("weird*name")) == ["weird*name", "weirdXname", "weird\\*name"]
    # an escaped wildcard does not make a pattern; with another one, Match unescapes it
    assert _paths(context.match("weird\\*name")) == ["weird\\*name"]
    assert _paths(context.match("weird\\*nam?")) == ["weird*name"]


def test_match_leaves_out_excluded_entries(extension: Path) -> None:
    context = BuildContext(extension, DockerIgnore.parse("a.txt\nui/build\n"))
    assert _paths(context.match("*.txt")) == ["ab.txt", "b.txt"]
    assert _paths(context.match("a.txt")) == []
    assert _paths(context.match("ui/build/*")) == []
    assert _paths(context.match("ui/*")) == ["ui/index.html", "ui/src"]


# -- walk ---------------------------------------------------------------------------------------


def test_walk_lists_everything_sent_depth_first(extension: Path) -> None:
    context = BuildContext(extension, DockerIgnore.parse("ui/build\n"))
    assert _paths(context.walk("ui")) == ["ui/index.html", "ui/src", "ui/src/app.tsx"]
    walk = context.walk("binaries/linux")
    assert [(e.rel_path, e.is_dir) for e in walk] == [
        ("binaries/linux/amd64", True),
        ("binaries/linux/amd64/kubectl", False),
    ]
    assert walk.complete
    assert list(context.walk("metadata.json")) == []
    assert list(context.walk("missing")) == []
    assert list(context.walk("empty")) == []


def test_walk_of_root_includes_git_and_node_modules(extension: Path) -> None:
    paths = _paths(BuildContext(extension, None).walk("/"))
    assert ".git/HEAD" in paths
    assert "node_modules/left-pad/index.js" in paths


# -- symlinks -----------------------------------------------------------------------------------


def test_symlink_out_of_the_root_is_reported_not_followed(extension: Path) -> None:
    outside = extension.parent / "outside"
    outside.mkdir()
    (outside / "secret").write_text("")
    os.symlink(outside, extension / "abs-link")
    os.symlink("../outside", extension / "rel-link")
    context = BuildContext(extension, None)
    entry = context.lookup("abs-link")
    assert entry is not None
    assert entry.is_symlink
    assert not entry.is_dir
    assert entry.link_target == str(outside)
    # resolving through the link stays inside the context: ../outside is <root>/outside
    assert context.lookup("rel-link/secret") is None
    assert context.lookup("abs-link/secret") is None
    assert list(context.walk("rel-link")) == []
    assert _paths(context.symlinks_under("")) == ["abs-link", "rel-link"]


def test_symlink_inside_the_root_is_resolved_in_the_context(extension: Path) -> None:
    os.symlink("ui/build", extension / "dist")
    os.symlink("/binaries/linux", extension / "ui/linux")  # absolute: from the context root
    context = BuildContext(extension, DockerIgnore.parse("ui/build/static\n"))
    through = context.lookup("dist/index.html")
    assert through is not None
    assert through.rel_path == "dist/index.html"
    absolute = context.lookup("ui/linux/amd64/kubectl")
    assert absolute is not None
    followed = context.lookup("dist", follow_symlinks=True)
    assert followed is not None
    assert followed.is_dir
    assert not followed.is_symlink
    # ignore rules apply to where the file really is
    hidden = context.lookup("dist/static/app.js")
    assert hidden is not None
    assert hidden.excluded
    assert _paths(context.walk("dist")) == ["dist/index.html"]
    assert _paths(context.match("dist/*.html")) == ["dist/index.html"]
    # a walk reports symlinks below it without entering them
    ui_links = context.symlinks_under("ui")
    assert [(e.rel_path, e.link_target) for e in ui_links] == [("ui/linux", "/binaries/linux")]


def test_symlink_loops_are_survived(extension: Path) -> None:
    os.symlink("loop-b", extension / "loop-a")
    os.symlink("loop-a", extension / "loop-b")
    os.symlink(".", extension / "ui/self")
    context = BuildContext(extension, None)
    entry = context.lookup("loop-a")
    assert entry is not None
    assert entry.is_symlink
    with pytest.raises(ContextUnknown, match="symbolic links"):
        context.lookup("loop-a/x")
    with pytest.raises(ContextUnknown):
        context.lookup("loop-a", follow_symlinks=True)
    assert context.lookup("ui/self/self/self/index.html") is not None
    paths = _paths(context.walk(""))
    assert "ui/self" in paths
    assert not any(p.startswith("ui/self/") for p in paths)
    found = context.match("loop-*/x")
    assert found == []


# -- unreadable, huge, odd names ----------------------------------------------------------------


def _deny_listing(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.realpath(path) == os.path.realpath(denied):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_unreadable_directory_is_unknown_not_absent(
    extension: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deny_listing(monkeypatch, extension / "ui" / "src")
    context = BuildContext(extension, None)
    with pytest.raises(ContextUnknown, match="ui/src"):
        context.lookup("ui/src/app.tsx")
    walk = context.walk("ui")
    assert _paths(walk) == [
        "ui/build",
        "ui/build/index.html",
        "ui/build/static",
        "ui/build/static/app.js",
        "ui/index.html",
        "ui/src",
    ]
    assert walk.unreadable == ["ui/src"]
    assert not walk.complete
    found = context.match("ui/src/*.tsx")
    assert found == []
    assert found.unreadable == ["ui/src"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_real_permission_error(extension: Path) -> None:
    locked = extension / "locked"
    locked.mkdir()
    (locked / "file").write_text("")
    locked.chmod(0)
    try:
        walk = BuildContext(extension, None).walk("locked")
        assert list(walk) == []
        assert walk.unreadable == ["locked"]
    finally:
        locked.chmod(0o755)


def test_huge_trees_are_capped(extension: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(extension, {f"many/f{i:03}": "" for i in range(30)})
    monkeypatch.setattr(context_module, "MAX_ENTRIES", 10)
    context = BuildContext(extension, None)
    walk = context.walk("many")
    assert len(list(walk)) == 10
    assert walk.truncated
    found = context.match("many/*")
    assert found.truncated
    # a name the capped listing does not hold may still exist
    with pytest.raises(ContextUnknown, match="more than 10"):
        context.lookup("many/f029")


def test_directories_are_listed_once(extension: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        listed.append(os.path.relpath(path, extension))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    context = BuildContext(extension, None)
    context.lookup("ui/build/index.html")
    context.lookup("ui/build/static/app.js")
    context.match("ui/build/*.html")
    BuildContext(extension, None).lookup("ui/index.html")  # the cache outlives one context
    assert sorted(listed) == [".", "ui", "ui/build", "ui/build/static"]
    assert "node_modules" not in listed  # never walked unless asked for
    # one context is one snapshot; a changed directory is listed again by the next context
    (extension / "ui" / "new.html").write_text("")
    os.utime(extension / "ui", ns=(1, 1))
    assert context.lookup("ui/new.html") is None
    assert BuildContext(extension, None).lookup("ui/new.html") is not None
    assert listed.count("ui") == 2


def test_a_walk_run_to_its_end_is_replayed(
    extension: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next walk of a directory in one context gives what the first found, truncated and
    unreadable included, without walking again; a walk stopped early is not replayed."""
    _tree(extension, {f"many/f{i:03}": "" for i in range(30)})
    _tree(extension, {"ui/.hidden": "", "ui/build/static/x.map": ""})
    (extension / "ui" / "link").symlink_to("index.html")
    _deny_listing(monkeypatch, extension / "ui" / "src")
    monkeypatch.setattr(context_module, "MAX_ENTRIES", 10)

    def summary(walk: context_module.Walk) -> tuple[list[ContextEntry], bool, list[str]]:
        return list(walk), walk.truncated, walk.unreadable

    def no_second_walk(self: context_module.Walk, rel_dir: str) -> Iterator[ContextEntry]:
        raise AssertionError(f"{rel_dir} walked again")

    seen: dict[str, tuple[list[ContextEntry], bool, list[str]]] = {}
    for directory in ("ui", "many", "", "ui/build", "missing", "metadata.json"):
        fresh = summary(BuildContext(extension, None).walk(directory))
        context = BuildContext(extension, None)
        next(context.walk(directory), None)  # stopped early: not replayed
        assert summary(context.walk(directory)) == fresh
        with monkeypatch.context() as patch:
            patch.setattr(context_module.Walk, "_generate", no_second_walk)
            assert summary(context.walk(directory)) == fresh
            links = summary(context.symlinks_under(directory))
        assert links == ([e for e in fresh[0] if e.is_symlink], fresh[1], fresh[2])
        seen[directory] = fresh
    assert seen["ui"][2] == ["ui/src"]
    assert "ui/link" in _paths(seen["ui"][0])
    assert seen["many"][1]


@pytest.mark.skipif(os.name != "posix", reason="byte file names")
def test_non_utf8_file_names(extension: Path) -> None:
    raw = os.fsencode(extension) + b"/caf\xe9.txt"
    with open(raw, "wb"):
        pass
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    context = BuildContext(extension, None)
    assert name in _paths(context.walk(""))
    assert context.lookup(name) is not None
    assert _paths(context.match("caf?.txt")) == [name]
    (extension / ".dockerignore").write_bytes(b"caf\xe9.txt\n")
    loaded = BuildContext.load(extension)
    entry = loaded.lookup(name)
    assert entry is not None
    assert entry.excluded


# -- loading the ignore file --------------------------------------------------------------------


def test_load_reads_root_dockerignore(extension: Path) -> None:
    (extension / ".dockerignore").write_text("node_modules\n")
    context = BuildContext.load(extension)
    assert context.dockerignore_path == extension / ".dockerignore"
    entry = context.lookup("node_modules")
    assert entry is not None
    assert entry.excluded


def test_load_prefers_the_dockerfile_specific_ignore_file(extension: Path) -> None:
    (extension / ".dockerignore").write_text("a.txt\n")
    _tree(
        extension,
        {"build/Dockerfile.dev": "FROM scratch\n", "build/Dockerfile.dev.dockerignore": "b.txt\n"},
    )
    context = BuildContext.load(extension, dockerfile_name="build/Dockerfile.dev")
    assert context.dockerignore_path == extension / "build" / "Dockerfile.dev.dockerignore"
    assert _paths(context.match("?.txt")) == ["a.txt"]
    # without its own ignore file the root one applies
    other = BuildContext.load(extension, dockerfile_name="Dockerfile")
    assert other.dockerignore_path == extension / ".dockerignore"
    assert _paths(other.match("?.txt")) == ["b.txt"]


def test_load_without_ignore_file(extension: Path) -> None:
    context = BuildContext.load(extension)
    assert context.dockerignore_path is None
    assert context.dockerignore.patterns == ()


def test_oversized_ignore_file_is_cut_and_reported(
    extension: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context_module, "MAX_IGNORE_FILE_BYTES", 8)
    (extension / ".dockerignore").write_text("a.txt\nb.txt\n")
    ignore = BuildContext.load(extension).dockerignore
    assert [p.pattern for p in ignore.patterns] == ["a.txt", "b."]
    assert ignore.errors[0].line == 0
    assert "larger than 8 bytes" in ignore.errors[0].message


def test_ignore_file_that_is_not_a_file_is_skipped(extension: Path) -> None:
    (extension / ".dockerignore").mkdir()
    assert BuildContext.load(extension).dockerignore_path is None


def test_deep_trees_do_not_exhaust_the_stack(extension: Path) -> None:
    deep = "/".join(["d"] * (context_module.MAX_DEPTH + 20))
    (extension / deep).mkdir(parents=True)
    context = BuildContext(extension, DockerIgnore.parse("d/d/x\n"))
    walk = context.walk("d")
    assert len(list(walk)) == context_module.MAX_DEPTH
    assert walk.truncated
    entry = context.lookup(deep)
    assert entry is not None
    assert entry.is_dir


def test_walking_an_excluded_directory_does_not_list_it(
    extension: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = BuildContext(extension, DockerIgnore.parse("node_modules\n"))
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        listed.append(os.path.relpath(path, extension))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    walk = context.walk("node_modules")
    assert list(walk) == []
    assert walk.complete
    assert "node_modules" not in listed


def _normalize_by_clean_path(rel_path: str) -> str | None:
    """context.normalize as first written: Go's filepath.Clean for every path."""
    cleaned = clean_path(rel_path).lstrip("/")
    if cleaned == ".." or cleaned.startswith("../"):
        return None
    return "" if cleaned == "." else cleaned


@given(st.text(alphabet="/.a", max_size=12))
def test_normalize_is_clean_path(rel_path: str) -> None:
    assert context_module.normalize(rel_path) == _normalize_by_clean_path(rel_path)


def test_a_listing_tells_kinds_apart_without_following_links(tmp_path: Path) -> None:
    from mext_lint.simulate.context import _DIR, _FILE, _OTHER, _SYMLINK, _list_directory

    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    (tmp_path / "link-to-file").symlink_to("file")
    (tmp_path / "link-to-dir").symlink_to("dir")
    (tmp_path / "dangling").symlink_to("nowhere")
    expected = {
        "file": _FILE,
        "dir": _DIR,
        "link-to-file": _SYMLINK,
        "link-to-dir": _SYMLINK,
        "dangling": _SYMLINK,
    }
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        expected["fifo"] = _OTHER
    listing = _list_directory(str(tmp_path))
    assert listing.kinds == expected
    assert listing.names == tuple(sorted(expected))
