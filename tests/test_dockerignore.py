from __future__ import annotations

import pytest

from mext_lint.simulate.dockerignore import (
    BadPattern,
    DockerIgnore,
    clean_path,
    filepath_match,
)


def _excludes(patterns: list[str], path: str) -> bool:
    return DockerIgnore.parse("\n".join(patterns)).excludes(path)


# -- ignorefile.ReadAll -------------------------------------------------------------------------


def test_read_all_like_ignorefile() -> None:
    content = (
        "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! "
    )
    ignore = DockerIgnore.parse(content)
    assert [(p.line, p.pattern, p.exception) for p in ignore.patterns] == [
        (1, "test1", False),
        (2, "test2", False),
        (3, "a/file/here", False),
        (5, "lastfile", False),
        (7, "inverted/abs/path", True),
    ]
    # a lone "!" is legal for ReadAll but rejected by patternmatcher: Docker fails the build
    assert [(e.line, e.text) for e in ignore.errors] == [(8, "!"), (9, "!")]
    assert "illegal exclusion pattern" in ignore.errors[0].message


def test_bom_crlf_comments_and_cleaning() -> None:
    ignore = DockerIgnore.parse("\ufeff# comment\r\n  # not a comment\r\n./a/../b//c/\r\n/\r\n")
    assert [(p.line, p.pattern, p.text) for p in ignore.patterns] == [
        (2, "# not a comment", "# not a comment"),
        (3, "b/c", "./a/../b//c/"),
        (4, "/", "/"),
    ]


def test_empty_file_excludes_nothing() -> None:
    ignore = DockerIgnore.parse("")
    assert ignore.patterns == ()
    assert not ignore.excludes("anything")


# -- patternmatcher_test.go TestMatches (pattern, path, exact/inexact/fail) ---------------------

EXACT, INEXACT, FAIL = "exact", "inexact", "fail"
MATCHES = [
    ("**", "file", EXACT),
    ("**", "file/", EXACT),
    ("**/", "file", EXACT),
    ("**/", "file/", EXACT),
    ("**", "dir/file", EXACT),
    ("**/", "dir/file", EXACT),
    ("**", "dir/file/", EXACT),
    ("**/", "dir/file/", EXACT),
    ("**/**", "dir/file", EXACT),
    ("**/**", "dir/file/", EXACT),
    ("dir/**", "dir/file", EXACT),
    ("dir/**", "dir/file/", EXACT),
    ("dir/**", "dir/dir2/file", EXACT),
    ("dir/**", "dir/dir2/file/", EXACT),
    ("**/dir", "dir", EXACT),
    ("**/dir", "dir/file", INEXACT),
    ("**/dir2/*", "dir/dir2/file", EXACT),
    ("**/dir2/*", "dir/dir2/file/", INEXACT),
    ("**/dir2/**", "dir/dir2/dir3/file", EXACT),
    ("**/dir2/**", "dir/dir2/dir3/file/", EXACT),
    ("**file", "file", EXACT),
    ("**file", "dir/file", EXACT),
    ("**/file", "dir/file", EXACT),
    ("**file", "dir/dir/file", EXACT),
    ("**/file", "dir/dir/file", EXACT),
    ("**/file*", "dir/dir/file", EXACT),
    ("**/file*", "dir/dir/file.txt", EXACT),
    ("**/file*txt", "dir/dir/file.txt", EXACT),
    ("**/file*.txt", "dir/dir/file.txt", EXACT),
    ("**/file*.txt*", "dir/dir/file.txt", EXACT),
    ("**/**/*.txt", "dir/dir/file.txt", EXACT),
    ("**/**/*.txt2", "dir/dir/file.txt", FAIL),
    ("**/*.txt", "file.txt", EXACT),
    ("**/**/*.txt", "file.txt", EXACT),
    ("a**/*.txt", "a/file.txt", EXACT),
    ("a**/*.txt", "a/dir/file.txt", EXACT),
    ("a**/*.txt", "a/dir/dir/file.txt", EXACT),
    ("a/*.txt", "a/dir/file.txt", FAIL),
    ("a/*.txt", "a/file.txt", EXACT),
    ("a/*.txt**", "a/file.txt", EXACT),
    ("a[b-d]e", "ae", FAIL),
    ("a[b-d]e", "ace", EXACT),
    ("a[b-d]e", "aae", FAIL),
    ("a[^b-d]e", "aze", EXACT),
    (".*", ".foo", EXACT),
    (".*", "foo", FAIL),
    ("abc.def", "abcdef", FAIL),
    ("abc.def", "abc.def", EXACT),
    ("abc.def", "abcZdef", FAIL),
    ("abc?def", "abcZdef", EXACT),
    ("abc?def", "abcdef", FAIL),
    ("**/foo/bar", "foo/bar", EXACT),
    ("**/foo/bar", "dir/foo/bar", EXACT),
    ("**/foo/bar", "dir/dir2/foo/bar", EXACT),
    ("abc/**", "abc", FAIL),
    ("abc/**", "abc/def", EXACT),
    ("abc/**", "abc/def/ghi", EXACT),
    ("**/.foo", ".foo", EXACT),
    ("**/.foo", "bar.foo", FAIL),
    ("a(b)c/def", "a(b)c/def", EXACT),
    ("a(b)c/def", "a(b)c/xyz", FAIL),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", EXACT),
    (
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        EXACT,
    ),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT),
    ("a\\\\", "a\\", EXACT),
    ("a\\*b", "a*b", EXACT),
]
# Left out: ("**", "/") and ("**/", "/"): "/" is the context root here, which is never excluded.


@pytest.mark.parametrize(("pattern", "path", "kind"), MATCHES)
def test_pattern_matches_exactly(pattern: str, path: str, kind: str) -> None:
    (compiled,) = DockerIgnore.parse(pattern).patterns
    assert compiled.matches(path) == (kind == EXACT)


@pytest.mark.parametrize(("pattern", "path", "kind"), MATCHES)
def test_pattern_matches_path_or_parent(pattern: str, path: str, kind: str) -> None:
    assert _excludes([pattern], path) == (kind != FAIL)


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        (["**", "!util/docker/web"], "util/docker/web/foo", False),
        (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
        (
            ["**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"],
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            False,
        ),
        (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
        # TestWildcardMatches ... TestPatternMatchesFolderWildcardExclusions
        (["*"], "fileutils.go", True),
        (["*.go"], "fileutils.go", True),
        (["!fileutils.go", "*.go"], "fileutils.go", True),
        (["docs", "!docs/README.md"], "docs/README.md", False),
        (["docs/", "!docs/README.md"], "docs/README.md", False),
        (["docs/*", "!docs/README.md"], "docs/README.md", False),
        (["*.go", "!fileutils.go"], "fileutils.go", False),
        (["*.go"], ".", False),
        ([], "any/path/there", False),
        (["docs", "  !docs/README.md  "], "docs/README.md", False),
        # later lines win, in both directions
        (["*.md", "!README.md", "README.md"], "README.md", True),
        (["docs", "!docs/keep", "docs/keep/secret"], "docs/keep/secret", True),
        (["docs", "!docs/keep", "docs/keep/secret"], "docs/keep/public", False),
        # leading / and ./ mean the context root
        (["/node_modules"], "node_modules/x/index.js", True),
        (["./build"], "build/out", True),
        (["/node_modules"], "ui/node_modules/x", False),
        (["**/node_modules"], "ui/node_modules/x", True),
        # the queried path is cleaned too
        (["ui/dist"], "./ui//dist/", True),
        (["ui/dist"], "/ui/dist/a.js", True),
    ],
)
def test_exclusion_rules(patterns: list[str], path: str, excluded: bool) -> None:
    assert _excludes(patterns, path) == excluded


# Go's filepath.Match tests, as patternmatcher_test.go runs them through Matches().
GO_MATCH = [
    ("abc", "abc", True, False),
    ("*", "abc", True, False),
    ("*c", "abc", True, False),
    ("a*", "a", True, False),
    ("a*", "abc", True, False),
    ("a*", "ab/c", True, False),
    ("a*/b", "abc/b", True, False),
    ("a*/b", "a/c/b", False, False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True, False),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True, False),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False, False),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False, False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True, False),
    ("a*b?c*x", "abxbbxdbxebxczzy", False, False),
    ("ab[c]", "abc", True, False),
    ("ab[b-d]", "abc", True, False),
    ("ab[e-g]", "abc", False, False),
    ("ab[^c]", "abc", False, False),
    ("ab[^b-d]", "abc", False, False),
    ("ab[^e-g]", "abc", True, False),
    ("a\\*b", "a*b", True, False),
    ("a\\*b", "ab", False, False),
    ("a?b", "a☺b", True, False),
    ("a[^a]b", "a☺b", True, False),
    ("a???b", "a☺b", False, False),
    ("a[^a][^a][^a]b", "a☺b", False, False),
    ("[a-ζ]*", "\u03b1", True, False),  # alpha
    ("*[a-ζ]", "A", False, False),
    ("a?b", "a/b", False, False),
    ("a*b", "a/b", False, False),
    ("[\\]a]", "]", True, False),
    ("[\\-]", "-", True, False),
    ("[x\\-]", "x", True, False),
    ("[x\\-]", "-", True, False),
    ("[x\\-]", "z", False, False),
    ("[\\-x]", "x", True, False),
    ("[\\-x]", "-", True, False),
    ("[\\-x]", "a", False, False),
    ("[]a]", "]", False, True),
    ("[-]", "-", False, True),
    ("[x-]", "x", False, True),
    ("[x-]", "-", False, True),
    ("[x-]", "z", False, True),
    ("[-x]", "x", False, True),
    ("[-x]", "-", False, True),
    ("[-x]", "a", False, True),
    ("\\", "a", False, True),
    ("[a-b-c]", "a", False, True),
    ("[", "a", False, True),
    ("[^", "a", False, True),
    ("[^bc", "a", False, True),
    ("a[", "a", False, True),
    ("a[", "ab", False, True),
    ("*x", "xxx", True, False),
]


@pytest.mark.parametrize(("pattern", "path", "matched", "bad"), GO_MATCH)
def test_go_match_table_through_the_ignore_file(
    pattern: str, path: str, matched: bool, bad: bool
) -> None:
    ignore = DockerIgnore.parse(pattern)
    assert bool(ignore.errors) == bad
    assert ignore.excludes(path) == matched


@pytest.mark.parametrize(("pattern", "path", "matched", "bad"), GO_MATCH)
def test_filepath_match(pattern: str, path: str, matched: bool, bad: bool) -> None:
    if bad:
        with pytest.raises(BadPattern):
            filepath_match(pattern, path)
    else:
        # through the ignore file "a*" excludes "ab/c" via its parent; Match itself says no
        parent_only = (pattern, path) == ("a*", "ab/c")
        assert filepath_match(pattern, path) == (matched and not parent_only)


def test_filepath_match_validates_the_rest_after_a_mismatch() -> None:
    with pytest.raises(BadPattern):
        filepath_match("x*[", "abc")
    assert filepath_match("*.go", "main.go")
    assert not filepath_match("*.go", "cmd/main.go")


def test_pattern_rejected_by_the_regex_engine_is_an_error() -> None:
    # regression case from patternmatcher: passes filepath.Match's check, fails to compile
    ignore = DockerIgnore.parse("[Local-Only]/\nfoo")
    assert [e.line for e in ignore.errors] == [1]
    assert [p.pattern for p in ignore.patterns] == ["foo"]


# -- which line excluded a path -----------------------------------------------------------------


def test_matching_pattern_reports_the_deciding_line() -> None:
    ignore = DockerIgnore.parse("# build output\nui/build\n*.log\n!keep.log\nui/build/keep\n")
    pattern = ignore.matching_pattern("ui/build/static/app.js")
    assert pattern is not None
    assert (pattern.line, pattern.text) == (2, "ui/build")
    last = ignore.matching_pattern("ui/build/keep/x")
    assert last is not None
    assert last.line == 2  # ui/build matched the parent first; line 5 matches too but later
    assert ignore.matching_pattern("keep.log") is None
    log = ignore.matching_pattern("debug.log")
    assert log is not None
    assert log.line == 3
    assert ignore.matching_pattern("metadata.json") is None


def test_exception_reincludes_only_when_listed_after() -> None:
    ignore = DockerIgnore.parse("!docker.svg\n*.svg\n")
    pattern = ignore.matching_pattern("docker.svg")
    assert pattern is not None
    assert pattern.line == 2


def test_exception_inside_excluded_directory_uses_parent_results() -> None:
    # fsutil decides from the root down (MatchesUsingParentResults): "!foo" was not evaluated
    # for "foo" (nothing was excluded yet), so it does not re-include foo/bar/x.
    ignore = DockerIgnore.parse("foo/bar\n!foo\n")
    assert ignore.excludes("foo/bar/x")
    assert not ignore.excludes("foo/other")


def test_pruning_of_excluded_directories() -> None:
    plain = DockerIgnore.parse("node_modules\n")
    assert plain.state("node_modules").pruned
    # an exception below the directory: BuildKit must look inside
    below = DockerIgnore.parse("ui\n!ui/dist\n")
    assert not below.state("ui").pruned
    assert below.state("ui/src").pruned
    assert not below.excludes("ui/dist/index.html")
    # an exception elsewhere, made of plain path components: the directory is skipped whole
    elsewhere = DockerIgnore.parse("ui\n!docs/x\n")
    assert elsewhere.state("ui").pruned
    # an exception with wildcards: BuildKit walks every excluded directory
    wildcard = DockerIgnore.parse("ui\n!**/*.html\n")
    assert not wildcard.state("ui").pruned
    assert not wildcard.excludes("ui/dist/index.html")
    assert wildcard.excludes("ui/dist/app.js")


def test_child_state_matches_state() -> None:
    ignore = DockerIgnore.parse("a\n!a/b\na/b/c*\n")
    parent = ignore.state("a/b")
    assert ignore.child_state(parent, "a/b/cat") == ignore.state("a/b/cat")
    assert ignore.state("a/b/cat").excluded
    assert not ignore.state("a/b/dog").excluded


@pytest.mark.parametrize("path", [".", "", "/", "./", "..", "../x", "a/../.."])
def test_root_and_outside_paths_are_never_excluded(path: str) -> None:
    assert not DockerIgnore.parse("*\n**\n").excludes(path)


@pytest.mark.parametrize(
    ("path", "cleaned"),
    [
        ("", "."),
        (".", "."),
        ("a/../..", ".."),
        ("//a/./b/", "/a/b"),
        ("/../a", "/a"),
        ("a//b", "a/b"),
        ("../../a", "../../a"),
    ],
)
def test_clean_path_like_go(path: str, cleaned: str) -> None:
    assert clean_path(path) == cleaned


def test_non_utf8_names_match_byte_for_byte() -> None:
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    ignore = DockerIgnore.parse(b"caf\xe9.txt\n".decode("utf-8", "surrogateescape"))
    assert ignore.excludes(name)
    assert not ignore.excludes("cafe.txt")
