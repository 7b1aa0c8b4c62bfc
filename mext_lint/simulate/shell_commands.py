"""What each simulated command does to the image file tree: a table of small handlers.

A handler receives the expanded command line and applies its effects through the context.
Anything not in the table is an unknown command: it may have written anywhere, so the root
and the working directory become opaque. Only commands whose effects we know are made precise.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from mext_lint.simulate.shell_conditions import evaluate_test
from mext_lint.simulate.shell_context import (
    ASSUMED,
    TRUE,
    Context,
    ExitSignal,
    Invocation,
    LoopSignal,
    Outcome,
    ReturnSignal,
    Status,
)
from mext_lint.simulate.shell_options import Options, parse_options, tail_word
from mext_lint.simulate.shell_values import (
    UNKNOWN,
    ArchMark,
    Value,
    Word,
    url_basename,
)
from mext_lint.simulate.tree import Kind, Presence

Handler = Callable[[Context, Invocation], Outcome]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


HANDLERS: dict[str, Handler] = {}


def handles(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = handler
        return handler

    return register


def run_command(ctx: Context, inv: Invocation) -> Outcome:
    name = inv.name
    handler = HANDLERS.get(posixpath.basename(name) if "/" in name else name)
    if handler is None:
        return unknown(ctx, inv)
    return handler(ctx, inv)


def unknown(ctx: Context, inv: Invocation) -> Outcome:
    ctx.unknown_command(inv.span, f"`{inv.name}` may write anywhere (not simulated)")
    return ASSUMED


# ------------------------------------------------------------------------------ helpers


def _text(word: Word | None) -> str | None:
    return word.text if word is not None else None


def _create(
    ctx: Context,
    word: Word,
    kind: Kind,
    inv: Invocation,
    what: str,
    *,
    arch: ArchMark | None = None,
    mode: str | None = None,
    certain: bool = True,
) -> None:
    path = ctx.path(word)
    if path is None:
        ctx.create_somewhere(word.value, inv.span, what)
        return
    ctx.create(path, kind, inv.span, what, arch=arch, mode=mode, certain=certain and word.certain)


def _under(directory: Word | None, name: Value) -> Value:
    """``name`` inside ``directory`` (``--output-dir``, ``-P``), when it is relative."""
    if directory is None or (name.text is not None and name.text.startswith("/")):
        return name
    base = directory.value
    if base.text is None:
        return Value(None, base.prefix, name.text or name.suffix, name.arch, name.platform)
    joined = base.text.rstrip("/") + "/"
    if name.text is None:
        return name._replace(prefix=joined + name.prefix)
    return name._replace(text=joined + name.text)


def _as_word(value: Value, like: Word) -> Word:
    return like._replace(value=value, has_glob=False, variable=None)


def _source_arch(ctx: Context, path: str | None, word: Word) -> ArchMark | None:
    """The CPU a file being copied hard-codes: from the tree when we know the file."""
    if path is not None:
        found = ctx.lookup(path)
        if found.kind is not None:
            if found.arch is not None and found.arch_origin is not None:
                return ArchMark(found.arch, found.arch_origin)
            return None
    return word.arch


def _basename(value: Value) -> str | None:
    text = value.text
    if text is None:
        text = value.suffix if "/" in value.suffix else None
    if text is None:
        return None
    return posixpath.basename(text.rstrip("/")) or None


def _destinations(
    ctx: Context, dest: Word, name: str | None, *, into: bool
) -> list[tuple[str, bool]] | None:
    """Where a copy named ``name`` lands: (path, certain) pairs; None when unknown."""
    path = ctx.path(dest)
    if path is None:
        return None
    trailing = (dest.text or "").endswith("/")
    if name is None:
        return None if into or trailing or ctx.is_dir(path) is not Presence.NO else [(path, True)]
    inside = posixpath.join(path, name)
    if into or trailing:
        return [(inside, True)]
    kind = ctx.is_dir(path)
    if kind is Presence.YES:
        return [(inside, True)]
    if kind is Presence.NO or posixpath.basename(path) == name:
        return [(path, True)]
    return [(inside, False), (path, False)]


def _copy(
    ctx: Context,
    inv: Invocation,
    sources: list[Word],
    dest: Word,
    *,
    into: bool,
    what: str,
    recursive: bool,
    move: bool = False,
    mode: str | None = None,
) -> None:
    """``cp``/``mv``/``install`` of each source to ``dest`` (a new name, or into a directory)."""
    into = into or len(sources) > 1
    for source in sources:
        src_path = ctx.path(source)
        dest_path = ctx.path(dest)
        contents_only = (source.text or "").rstrip("/").endswith("/.") or source.text == "."
        targets: list[tuple[str, bool]] | None
        if contents_only and src_path is not None and dest_path is not None:
            targets = [(dest_path, True)]  # cp -a dir/. dest: the contents, merged
        else:
            name = _basename(source.value) if src_path is None else posixpath.basename(src_path)
            targets = _destinations(ctx, dest, name, into=into)
        if targets is None:
            if dest_path is not None and ctx.is_dir(dest_path) is not Presence.NO:
                ctx.opaque(dest_path, inv.span, what)
            else:
                ctx.create_somewhere(dest.value, inv.span, what)
            continue
        for target, certain in targets:
            if target != src_path:
                _place(ctx, inv, source, src_path, target, certain, what, recursive or move, mode)
        if move and src_path is not None:
            ctx.remove(src_path, inv.span, f"moved away by `{inv.name}`", certain=source.certain)


def _place(
    ctx: Context,
    inv: Invocation,
    source: Word,
    src_path: str | None,
    target: str,
    certain: bool,
    what: str,
    whole_trees: bool,
    mode: str | None,
) -> None:
    """Put a copy of ``source`` at ``target``, as a file or a subtree as the source is."""
    kind = ctx.lookup(src_path).kind if src_path is not None else None
    arch = _source_arch(ctx, src_path, source)
    if kind is Kind.DIR and whole_trees:
        ctx.copy_tree(src_path or "/", target, inv.span, what, certain=certain)
    elif kind is not None or not whole_trees:  # without -r only files can be copied
        ctx.create(target, Kind.FILE, inv.span, what, certain=certain, arch=arch, mode=mode)
    else:
        # a file or a directory we cannot see: something is there, of unknown kind and content
        ctx.create(target, Kind.DIR, inv.span, what, certain=False, arch=arch)
        ctx.opaque(target, inv.span, what)


# ------------------------------------------------------------------------------ builtins


@handles("true", ":")
def _true(ctx: Context, inv: Invocation) -> Outcome:
    return TRUE


@handles("false")
def _false(ctx: Context, inv: Invocation) -> Outcome:
    return Outcome(Status.FALSE)


_NO_EFFECT = _names(
    """
    echo chown chgrp chmod ls sleep sed head tail cut tr sort uniq wc basename dirname readlink
    realpath stat file id whoami uname date printenv pwd jq sha256sum sha1sum sha512sum md5sum
    cksum base64 xxd od df du nproc getent seq expr umask ulimit trap shopt wait alias unalias
    strings ldd sync tput column arch
    """
)


@handles(*_NO_EFFECT)
def _no_effect(ctx: Context, inv: Invocation) -> Outcome:
    """Commands that only print or change what exists (``sed -i``, ``chmod``), never create."""
    return ASSUMED


@handles("cat")
def _cat(ctx: Context, inv: Invocation) -> Outcome:
    files = [w for w in inv.args if not (w.text or "x").startswith("-")]
    if not files:
        return Outcome(Status.ASSUMED, stdout_arch=inv.stdin_arch)
    return Outcome(Status.ASSUMED, stdout_arch=_source_arch(ctx, ctx.path(files[0]), files[0]))


@handles("printf")
def _printf(ctx: Context, inv: Invocation) -> Outcome:
    if len(inv.args) >= 2 and inv.args[0].text == "-v" and inv.args[1].text:
        ctx.assign(inv.args[1].text, UNKNOWN)  # bash: printf -v NAME stores the output
    return ASSUMED


@handles("set")
def _set(ctx: Context, inv: Invocation) -> Outcome:
    """``set -eux`` changes nothing we track; ``set -- a b`` sets the positional parameters."""
    texts = [w.text for w in inv.args]
    if "--" in texts:
        ctx.scope.positional = [w.value for w in inv.args[texts.index("--") + 1 :]]
    return ASSUMED


@handles("shift")
def _shift(ctx: Context, inv: Invocation) -> Outcome:
    text = inv.args[0].text if inv.args else None
    count = int(text) if text is not None and text.isdigit() else 1
    ctx.scope.positional = ctx.scope.positional[count:]
    return ASSUMED


@handles("grep", "egrep", "fgrep", "which", "type", "hash", "cmp", "diff", "read", "getopts")
def _query(ctx: Context, inv: Invocation) -> Outcome:
    """Commands whose success is a question we cannot answer; ``read`` sets unknown values."""
    if inv.name in ("read", "getopts"):
        for word in inv.args:
            if word.text is not None and word.text.isidentifier():
                ctx.assign(word.text, UNKNOWN)
    return Outcome(Status.UNKNOWN)


@handles("exit")
def _exit(ctx: Context, inv: Invocation) -> Outcome:
    if ctx.effective_certain:
        raise ExitSignal()
    ctx.maybe_exited = True
    return Outcome(Status.UNKNOWN)


@handles("return")
def _return(ctx: Context, inv: Invocation) -> Outcome:
    if ctx.effective_certain:
        raise ReturnSignal()
    ctx.maybe_left_block = True
    return Outcome(Status.UNKNOWN)


@handles("break", "continue")
def _loop_control(ctx: Context, inv: Invocation) -> Outcome:
    if ctx.effective_certain:
        raise LoopSignal(inv.name == "break")
    ctx.maybe_left_block = True
    return Outcome(Status.UNKNOWN)


@handles("cd", "pushd")
def _cd(ctx: Context, inv: Invocation) -> Outcome:
    operands = [w for w in inv.args if not (w.text or "").startswith("-") or w.text == "-"]
    if not operands:
        ctx.scope.cwd = ctx.variable("HOME")
        return ASSUMED
    target = operands[0]
    if target.text == "-":
        ctx.scope.cwd = UNKNOWN
        return ASSUMED
    path = ctx.path(target)
    if path is None:
        ctx.scope.cwd = Value(None, prefix=ctx.unknown_directory(target.value).rstrip("/") + "/")
    else:
        ctx.scope.cwd = Value(path)
    return ASSUMED


@handles("popd")
def _popd(ctx: Context, inv: Invocation) -> Outcome:
    ctx.scope.cwd = UNKNOWN
    return ASSUMED


@handles(
    "sudo",
    "nohup",
    "time",
    "nice",
    "stdbuf",
    "timeout",
    "busybox",
    "exec",
    "command",
    "builtin",
    "env",
    "doas",
    "su-exec",
    "gosu",
    "chroot",
)
def _wrapper(ctx: Context, inv: Invocation) -> Outcome:
    """Commands that run another command: simulate the inner one."""
    args = list(inv.args)
    env = dict(inv.env)
    skip_values = {"sudo": {"-u", "-g", "-C", "-D"}, "nice": {"-n"}, "env": {"-u", "-C"}}.get(
        inv.name, set()
    )
    if inv.name == "command" and args and args[0].text in ("-v", "-V"):
        return Outcome(Status.UNKNOWN)
    if inv.name in ("timeout", "su-exec", "gosu", "chroot") and args:
        args = args[1:]  # the duration / the user / the new root
    while args and args[0].text is not None:
        text = args[0].text
        if text.startswith("-"):
            args = args[2:] if text in skip_values else args[1:]
        elif inv.name == "env" and "=" in text and text.split("=", 1)[0].isidentifier():
            name = text.partition("=")[0]
            env[name] = tail_word(args[0], len(name) + 1).value
            args = args[1:]
        else:
            break
    if not args:
        return ASSUMED
    if args[0].text is None:
        return unknown(ctx, inv)
    inner = Invocation(args[0].text, args[1:], inv.place, env, inv.stdin_arch)
    return run_command(ctx, inner)


@handles("sh", "bash", "ash", "dash", "zsh")
def _shell(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(inv.args, short_values="o", permute=False)
    if not options.has("c") or not options.operands or ctx.run_inline is None:
        return unknown(ctx, inv)
    script = options.operands[0]
    if script.text is None:
        return unknown(ctx, inv)
    return ctx.run_inline(script)


@handles("test", "[")
def _test_command(ctx: Context, inv: Invocation) -> Outcome:
    args = inv.args
    if inv.name == "[" and args and args[-1].text == "]":
        args = args[:-1]
    decision = evaluate_test(args, extended=False)
    status = {True: Status.TRUE, False: Status.FALSE, None: Status.UNKNOWN}[decision.value]
    return Outcome(status, decision.condition, decision.platform)


# ------------------------------------------------------------------------------ file makers


@handles("mkdir")
def _mkdir(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(inv.args, short_values="m", long_values={"--mode", "--context"})
    mode = _text(options.last("m", "--mode"))
    what = "created by `mkdir -p`" if options.has("p", "--parents") else "created by `mkdir`"
    for word in options.operands:
        _create(ctx, word, Kind.DIR, inv, what, mode=mode)
    return ASSUMED


@handles("touch")
def _touch(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(
        inv.args, short_values="drt", long_values={"--date", "--reference", "--time"}
    )
    if options.has("c", "--no-create"):
        return ASSUMED
    for word in options.operands:
        path = ctx.path(word)
        if path is not None and ctx.lookup(path).presence is Presence.YES:
            continue  # touching an existing file or directory only changes its times
        _create(ctx, word, Kind.FILE, inv, "created by `touch`")
    return ASSUMED


@handles("tee")
def _tee(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(inv.args)
    for word in options.operands:
        _create(ctx, word, Kind.FILE, inv, "written by `tee`", arch=inv.stdin_arch)
    return Outcome(Status.ASSUMED, stdout_arch=inv.stdin_arch)


_CURL_SHORT_VALUES = "AbcCdDeEFHKmoPQrtTuUwxXyYz"
_CURL_LONG_VALUES = _names(
    """
    --output --output-dir --url --header --user-agent --data --data-raw --data-binary
    --data-urlencode --data-ascii --form --form-string --request --user --proxy --cacert
    --capath --cert --cert-type --key --key-type --connect-timeout --max-time --retry
    --retry-delay --retry-max-time --max-redirs --limit-rate --referer --range --resolve
    --cookie --cookie-jar --dump-header --config --write-out --proto --proto-redir
    --proto-default --continue-at --upload-file --interface --dns-servers --ciphers
    --speed-limit --speed-time --time-cond --stderr --trace --trace-ascii --netrc-file
    --oauth2-bearer --expect100-timeout --keepalive-time --max-filesize --noproxy
    --pinnedpubkey --preproxy --proxy-user --quote --socks5 --socks5-hostname --unix-socket
    --etag-save --etag-compare --variable --json --aws-sigv4 --connect-to --parallel-max
    --proxy-header --tls-max --hostpubsha256 --happy-eyeballs-timeout-ms --local-port
    --create-file-mode --retry-connrefused-delay --ftp-port --telnet-option --engine
    """
)


@handles("curl")
def _curl(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(
        inv.args, short_values=_CURL_SHORT_VALUES, long_values=_CURL_LONG_VALUES
    )
    urls = [w for w in options.operands if not (w.text or "x").isdigit()] + options.all("--url")
    outputs = [
        (name, value)
        for name, value in options.flags
        if name in ("o", "--output", "O", "--remote-name")
    ]
    remote_all = options.has("--remote-name-all")
    header_name = options.has("J", "--remote-header-name")
    out_dir = options.last("--output-dir")
    stdout_arch: ArchMark | None = None
    for index, url in enumerate(urls):
        output = outputs[index] if index < len(outputs) else ("O", None) if remote_all else None
        if output is None or (output[0] in ("o", "--output") and _text(output[1]) == "-"):
            stdout_arch = stdout_arch or url.arch
            continue
        _curl_output(ctx, inv, url, output, out_dir, header_name)
    for extra in options.all("D", "--dump-header", "c", "--cookie-jar", "--etag-save"):
        if extra.text != "-":
            _create(ctx, extra, Kind.FILE, inv, "written by `curl`")
    return Outcome(Status.ASSUMED, stdout_arch=stdout_arch)


def _curl_output(
    ctx: Context,
    inv: Invocation,
    url: Word,
    output: tuple[str, Word | None],
    out_dir: Word | None,
    header_name: bool,
) -> None:
    flag, target = output
    if flag in ("o", "--output"):
        if target is None:
            return
        destination = _as_word(_under(out_dir, target.value), target)
        _create(ctx, destination, Kind.FILE, inv, "created by `curl -o`", arch=url.arch)
        return
    name = None if header_name else _url_name(url.value)
    if name is None:
        ctx.create_somewhere(_under(out_dir, Value(None)), inv.span, "created by `curl -O`")
        return
    if not name:
        return  # curl refuses a URL without a file name
    destination = _as_word(_under(out_dir, Value(name)), url)
    _create(ctx, destination, Kind.FILE, inv, "created by `curl -O`", arch=url.arch)


def _url_name(url: Value) -> str | None:
    """The file name a URL downloads to; "" when it has none; None when unknown."""
    if url.text is not None:
        return url_basename(url.text)
    suffix = url.suffix.split("#", 1)[0].split("?", 1)[0]
    if "/" in suffix:
        return suffix.rsplit("/", 1)[1]
    return None


_WGET_SHORT_VALUES = "OoaPtTweiUBQlARDIXYe"
_WGET_LONG_VALUES = _names(
    """
    --output-document --output-file --append-output --directory-prefix --tries --timeout
    --user-agent --header --user --password --http-user --http-password --post-data --post-file
    --wait --execute --input-file --quota --level --accept --reject --domains --ca-certificate
    --certificate --private-key --limit-rate --max-redirect --dns-timeout --connect-timeout
    --read-timeout --referer --method --body-data --body-file --save-cookies --load-cookies
    --bind-address --progress --cut-dirs --restrict-file-names --compression
    --include-directories --exclude-directories --base --proxy-user --proxy-password
    --retry-on-http-error --waitretry --ca-directory --secure-protocol
    """
)


@handles("wget")
def _wget(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(
        inv.args, short_values=_WGET_SHORT_VALUES, long_values=_WGET_LONG_VALUES
    )
    urls = options.operands
    directory = options.last("P", "--directory-prefix")
    for log in options.all("o", "a", "--output-file", "--append-output"):
        _create(ctx, log, Kind.FILE, inv, "written by `wget`")
    document = options.last("O", "--output-document")
    first_arch = next((u.arch for u in urls if u.arch is not None), None)
    if document is not None:
        if document.text == "-":
            return Outcome(Status.ASSUMED, stdout_arch=first_arch)
        _create(ctx, document, Kind.FILE, inv, "created by `wget -O`", arch=first_arch)
        return ASSUMED
    unnamed = options.has(
        "r",
        "m",
        "p",
        "x",
        "--recursive",
        "--mirror",
        "--page-requisites",
        "--force-directories",
        "--content-disposition",
    )
    for url in urls:
        name = None if unnamed else _url_name(url.value)
        if name is None:
            ctx.create_somewhere(_under(directory, Value(None)), inv.span, "downloaded by `wget`")
            continue
        target = _as_word(_under(directory, Value(name or "index.html")), url)
        _create(ctx, target, Kind.FILE, inv, "created by `wget`", arch=url.arch)
    return ASSUMED


@handles("cp")
def _cp(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(
        inv.args, short_values="tS", long_values={"--target-directory", "--suffix", "--backup"}
    )
    recursive = options.has("r", "R", "a", "--recursive", "--archive")
    _transfer(ctx, inv, options, what="created by `cp`", recursive=recursive)
    return ASSUMED


@handles("mv")
def _mv(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(
        inv.args, short_values="tS", long_values={"--target-directory", "--suffix", "--backup"}
    )
    _transfer(ctx, inv, options, what="created by `mv`", recursive=True, move=True)
    return ASSUMED


def _transfer(
    ctx: Context,
    inv: Invocation,
    options: Options,
    *,
    what: str,
    recursive: bool,
    move: bool = False,
    mode: str | None = None,
) -> None:
    directory = options.last("t", "--target-directory")
    operands = options.operands
    if directory is not None:
        sources, dest, into = operands, directory, True
    elif len(operands) >= 2:
        sources, dest = operands[:-1], operands[-1]
        into = not options.has("T", "--no-target-directory") and len(sources) > 1
    else:
        return
    _copy(ctx, inv, sources, dest, into=into, what=what, recursive=recursive, move=move, mode=mode)


@handles("install")
def _install(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(
        inv.args,
        short_values="mogtS",
        long_values={"--mode", "--owner", "--group", "--target-directory", "--suffix"},
    )
    mode = _text(options.last("m", "--mode"))
    if options.has("d", "--directory"):
        for word in options.operands:
            _create(ctx, word, Kind.DIR, inv, "created by `install -d`", mode=mode)
        return ASSUMED
    if options.has("D") and len(options.operands) == 2 and options.last("t") is None:
        source, dest = options.operands
        path = ctx.path(source)
        arch = _source_arch(ctx, path, source)
        _create(ctx, dest, Kind.FILE, inv, "created by `install -D`", arch=arch, mode=mode)
        return ASSUMED
    _transfer(ctx, inv, options, what="created by `install`", recursive=False, mode=mode)
    return ASSUMED


@handles("ln")
def _ln(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(
        inv.args, short_values="tS", long_values={"--target-directory", "--suffix"}
    )
    symbolic = options.has("s", "--symbolic")
    directory = options.last("t", "--target-directory")
    operands = options.operands
    if directory is not None:
        targets, dest, into = operands, directory, True
    elif len(operands) >= 2:
        targets, dest, into = operands[:-1], operands[-1], len(operands) > 2
    elif operands:
        targets, dest, into = operands, _as_word(Value("."), operands[0]), True
    else:
        return ASSUMED
    if options.has("T", "n", "--no-target-directory", "--no-dereference") and not into:
        into = False
    for target in targets:
        name = _basename(target.value)
        places = _destinations(ctx, dest, name, into=into)
        if places is None:
            ctx.create_somewhere(dest.value, inv.span, "linked by `ln`")
            continue
        for path, certain in places:
            if symbolic:
                what = "created by `ln -s`"
                ctx.create(path, Kind.SYMLINK, inv.span, what, certain=certain, target=target.text)
            else:
                arch = _source_arch(ctx, ctx.path(target), target)
                what = "created by `ln`"
                ctx.create(path, Kind.FILE, inv.span, what, certain=certain, arch=arch)
    return ASSUMED


@handles("rm", "rmdir", "unlink")
def _rm(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(inv.args)
    what = f"removed by `{inv.name}`"
    for word in options.operands:
        path = ctx.path(word)
        if path is None:
            directory = ctx.unknown_directory(word.value)
            for name in ctx.tree.children(directory):
                ctx.remove(posixpath.join(directory, name), inv.span, what, certain=False)
            continue
        ctx.remove(path, inv.span, what, certain=word.certain and not word.from_glob)
    return ASSUMED


# ------------------------------------------------------------------------------ archives

_TAR_SHORT_VALUES = "fCTXbHKNgLVIF"
_TAR_LONG_VALUES = _names(
    """
    --file --directory --strip-components --exclude --transform --xform --files-from
    --exclude-from --owner --group --mode --format --use-compress-program --to-command
    --blocking-factor --newer --after-date --label --index-file --checkpoint-action
    --newer-mtime --mtime --suffix --sort --warning --exclude-tag
    """
)
_TAR_OLD_STYLE = set("AcdrtuxzjJvfCpPkmoOwZSMGhiBWlL")


@handles("tar", "bsdtar", "gtar")
def _tar(ctx: Context, inv: Invocation) -> Outcome:
    args = _tar_old_style(inv.args)
    options = parse_options(args, short_values=_TAR_SHORT_VALUES, long_values=_TAR_LONG_VALUES)
    archive = options.last("f", "--file")
    if options.has("c", "--create", "r", "--append", "u", "--update"):
        if archive is not None and archive.text != "-":
            _create(ctx, archive, Kind.FILE, inv, "created by `tar -c`")
        return ASSUMED
    if not options.has("x", "--extract", "--get"):
        return ASSUMED
    if options.has("O", "--to-stdout", "--to-command"):
        return ASSUMED
    directory = options.last("C", "--directory")
    target = directory.value if directory is not None else Value(".")
    strip = _int(options.last("--strip-components"))
    archive_arch = _archive_arch(ctx, inv, archive)
    names_unknown = strip is None or options.has("--wildcards", "--transform", "--xform")
    members = [] if names_unknown else options.operands
    _extract(ctx, inv, target, members, strip or 0, archive_arch, "extracted by `tar -x`")
    return ASSUMED


def _tar_old_style(args: list[Word]) -> list[Word]:
    """``tar xzf file`` means ``tar -xzf file``: the first word is a cluster without a dash."""
    first = args[0] if args else None
    text = first.text if first is not None else None
    if first is not None and text and not text.startswith("-") and set(text) <= _TAR_OLD_STYLE:
        return [first._replace(value=first.value._replace(text="-" + text)), *args[1:]]
    return args


def _int(word: Word | None) -> int | None:
    if word is None:
        return 0
    text = (word.text or "").strip()
    return int(text) if text.isdigit() else None


def _archive_arch(ctx: Context, inv: Invocation, archive: Word | None) -> ArchMark | None:
    if archive is None or archive.text == "-":
        return inv.stdin_arch
    return _source_arch(ctx, ctx.path(archive), archive)


def _extract(
    ctx: Context,
    inv: Invocation,
    target: Value,
    members: list[Word],
    strip: int,
    archive_arch: ArchMark | None,
    what: str,
    *,
    flatten: bool = False,
) -> None:
    """Members listed on the command line land at known paths; otherwise anything may."""
    directory = ctx.join(ctx.scope.cwd, target)
    if directory is None:
        ctx.create_somewhere(
            target._replace(text=None, prefix=target.text or target.prefix), inv.span, what
        )
        return
    if directory != "/":
        ctx.create(directory, Kind.DIR, inv.span, what)  # tar -C and unzip -d need it
    if not members or any(m.text is None or m.has_glob for m in members):
        ctx.opaque(directory, inv.span, what)
        if not members:
            return
    for member in members:
        if member.text is None or member.has_glob:
            continue
        parts = [p for p in member.text.split("/") if p not in ("", ".")]
        parts = parts[-1:] if flatten else parts[strip:]
        if not parts:
            continue
        is_dir = member.text.endswith("/")
        path = posixpath.join(directory, *parts)
        arch = archive_arch or member.arch
        ctx.create(path, Kind.DIR if is_dir else Kind.FILE, inv.span, what, arch=arch)
        if is_dir:
            ctx.opaque(path, inv.span, what)


@handles("unzip")
def _unzip(ctx: Context, inv: Invocation) -> Outcome:
    args: list[Word] = []
    excluding = False
    for word in inv.args:  # -x starts a list of exclusions that runs to the next option
        if word.text == "-x":
            excluding = True
        elif excluding and (word.text or "").startswith("-"):
            excluding = False
            args.append(word)
        elif not excluding:
            args.append(word)
    options = parse_options(args, short_values="dP")
    if options.has("p", "l", "t", "v", "Z", "z") or not options.operands:
        return ASSUMED
    archive, *members = options.operands
    directory = options.last("d")
    target = directory.value if directory is not None else Value(".")
    archive_arch = _source_arch(ctx, ctx.path(archive), archive)
    what = "extracted by `unzip`"
    _extract(ctx, inv, target, members, 0, archive_arch, what, flatten=options.has("j"))
    return ASSUMED


_COMPRESSED_SUFFIXES = {
    "gzip": ".gz",
    "gunzip": ".gz",
    "xz": ".xz",
    "unxz": ".xz",
    "bzip2": ".bz2",
    "bunzip2": ".bz2",
    "zstd": ".zst",
    "unzstd": ".zst",
}


_DECOMPRESSORS = {"gunzip", "unxz", "bunzip2", "unzstd"}


@handles(*_COMPRESSED_SUFFIXES)
def _compress(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(inv.args, short_values="S", long_values={"--suffix"})
    suffix = _text(options.last("S", "--suffix")) or _COMPRESSED_SUFFIXES[inv.name]
    decompress = inv.name in _DECOMPRESSORS or options.has("d", "--decompress")
    to_stdout = options.has("c", "--stdout", "--to-stdout")
    keep = options.has("k", "--keep") or to_stdout
    stdout_arch = None
    for word in options.operands:
        path = ctx.path(word)
        arch = _source_arch(ctx, path, word)
        if to_stdout:
            stdout_arch = stdout_arch or arch
            continue
        if path is None:
            ctx.create_somewhere(word.value, inv.span, f"written by `{inv.name}`")
            continue
        if decompress:
            if not path.endswith(suffix):
                continue
            new = path[: -len(suffix)]
        else:
            new = path + suffix
        ctx.create(new, Kind.FILE, inv.span, f"created by `{inv.name}`", arch=arch)
        if not keep:
            ctx.remove(path, inv.span, f"replaced by `{inv.name}`")
    if not options.operands:
        stdout_arch = inv.stdin_arch
    return Outcome(Status.ASSUMED, stdout_arch=stdout_arch)


# ------------------------------------------------------------------------------ toolchains

_GO_VALUE_FLAGS = _names(
    """
    -o -ldflags -gcflags -asmflags -tags -mod -modfile -p -buildmode -compiler -gccgoflags
    -installsuffix -pkgdir -toolexec -overlay -pgo -C -covermode -coverpkg -exec -run
    """
)


@handles("go")
def _go(ctx: Context, inv: Invocation) -> Outcome:
    if not inv.args or inv.args[0].text is None:
        return unknown(ctx, inv)
    sub = inv.args[0].text
    rest = [_go_flag(w) for w in inv.args[1:]]
    if sub == "build":
        return _go_build(ctx, inv, rest)
    if sub in ("env", "version", "vet", "list", "doc", "help", "fmt"):
        return ASSUMED
    if sub == "mod" and rest and rest[0].text in ("download", "verify", "graph", "why"):
        _go_caches(ctx, inv)
        return ASSUMED
    if sub in ("mod", "get", "work", "test", "install", "clean"):
        _go_caches(ctx, inv)
        if sub != "install":
            _opaque_cwd(ctx, inv, f"written by `go {sub}`")
        return ASSUMED
    return unknown(ctx, inv)


def _go_flag(word: Word) -> Word:
    """Go flags take one or two dashes; normalise ``--o`` to ``-o``."""
    text = word.text
    if text is not None and text.startswith("--") and len(text) > 2:
        return word._replace(value=word.value._replace(text=text[1:]))
    return word


def _go_build(ctx: Context, inv: Invocation, args: list[Word]) -> Outcome:
    output: Word | None = None
    packages: list[Word] = []
    index = 0
    while index < len(args):
        word = args[index]
        index += 1
        text = word.text
        if text is not None and text.startswith("-"):
            name, has_value, value = text.partition("=")
            if name == "-o":
                output = (
                    _as_word(Value(value), word)
                    if has_value
                    else (args[index] if index < len(args) else None)
                )
            if name in _GO_VALUE_FLAGS and not has_value:
                index += 1
            continue
        packages.append(word)
    arch = _go_arch(ctx, inv)
    goos = inv.env.get("GOOS") or ctx.variable("GOOS")
    exe = ".exe" if goos.text == "windows" else ""
    _go_caches(ctx, inv)
    what = "built by `go build -o`" if output is not None else "built by `go build`"
    if len(packages) > 1 and output is None:
        return ASSUMED  # several packages without -o: go build only checks they compile
    package_name = _go_package_name(packages[0] if packages else None)
    if output is None:
        if package_name is None:
            _opaque_cwd(ctx, inv, what)
        else:
            _create(
                ctx,
                _as_word(Value(package_name + exe), inv.args[0]),
                Kind.FILE,
                inv,
                what,
                arch=arch,
            )
        return ASSUMED
    path = ctx.path(output)
    into = (output.text or "").endswith("/") or (
        path is not None and ctx.is_dir(path) is Presence.YES
    )
    if into and path is not None:
        if package_name is None:
            ctx.opaque(path, inv.span, what)
        else:
            ctx.create(
                posixpath.join(path, package_name + exe), Kind.FILE, inv.span, what, arch=arch
            )
        return ASSUMED
    _create(ctx, output, Kind.FILE, inv, what, arch=arch)
    return ASSUMED


def _go_arch(ctx: Context, inv: Invocation) -> ArchMark | None:
    goarch = inv.env.get("GOARCH") or ctx.variable("GOARCH")
    if goarch.arch is not None:
        return goarch.arch
    if goarch.text == "" or ("GOARCH" not in ctx.scope.variables and "GOARCH" not in inv.env):
        return ctx.pinned_arch  # Go builds for the CPU it runs on
    return None


def _go_package_name(package: Word | None) -> str | None:
    """The binary name ``go build`` picks: the last element of the package path."""
    if package is None:
        return None
    text = package.text
    if text is None or text.endswith("...") or text.endswith(".go"):
        return None
    name = posixpath.basename(posixpath.normpath(text))
    return None if name in (".", "..", "") else name


def _go_caches(ctx: Context, inv: Invocation) -> None:
    what = "Go module and build caches"
    for variable in ("GOPATH", "GOMODCACHE", "GOCACHE", "GOBIN"):
        value = inv.env.get(variable) or ctx.variable(variable)
        if value.text:
            ctx.opaque(value.text, inv.span, what)
    for directory in ("/go", "/root/go", "/root/.cache"):
        ctx.opaque(directory, inv.span, what)


def _opaque_cwd(ctx: Context, inv: Invocation, what: str) -> None:
    cwd = ctx.scope.cwd
    ctx.opaque(cwd.text if cwd.text is not None else ctx.unknown_directory(cwd), inv.span, what)


_SYSTEM_DIRECTORIES = (
    "/usr",
    "/etc",
    "/var",
    "/lib",
    "/lib64",
    "/opt",
    "/root",
    "/home",
    "/bin",
    "/sbin",
    "/tmp",
    "/run",
)


def _system_dirs(ctx: Context, inv: Invocation, what: str) -> None:
    ctx.opaque(_SYSTEM_DIRECTORIES, inv.span, what)


@handles(
    "apk",
    "apt-get",
    "apt",
    "yum",
    "dnf",
    "microdnf",
    "zypper",
    "pacman",
    "dpkg",
    "rpm",
    "update-ca-certificates",
    "ldconfig",
    "useradd",
    "adduser",
    "groupadd",
    "addgroup",
    "usermod",
    "groupmod",
    "userdel",
    "deluser",
    "locale-gen",
    "update-alternatives",
)
def _system_package(ctx: Context, inv: Invocation) -> Outcome:
    """Package managers and system tools write system directories, never extension paths."""
    _system_dirs(ctx, inv, f"system files written by `{inv.name}`")
    return ASSUMED


@handles("pip", "pip3")
def _pip(ctx: Context, inv: Invocation) -> Outcome:
    what = f"packages installed by `{inv.name}`"
    _system_dirs(ctx, inv, what)
    options = parse_options(
        inv.args,
        short_values="trcei",
        long_values={
            "--target",
            "--requirement",
            "--constraint",
            "--editable",
            "--index-url",
            "--root",
            "--prefix",
            "--extra-index-url",
            "--cache-dir",
            "--src",
        },
    )
    for directory in options.all("t", "--target", "--root", "--prefix", "--src"):
        _opaque_word(ctx, inv, directory, what)
    local = options.has("e", "--editable") or any(
        (w.text or ".").startswith((".", "/")) for w in options.operands[1:]
    )
    if local:
        _opaque_cwd(ctx, inv, what)
    return ASSUMED


def _opaque_word(ctx: Context, inv: Invocation, word: Word, what: str) -> None:
    path = ctx.path(word)
    ctx.opaque(path if path is not None else ctx.unknown_directory(word.value), inv.span, what)


@handles("python", "python3")
def _python(ctx: Context, inv: Invocation) -> Outcome:
    if len(inv.args) >= 2 and inv.args[0].text == "-m" and inv.args[1].text in ("pip", "pip3"):
        return _pip(ctx, inv._replace(name="pip", args=inv.args[2:]))
    return unknown(ctx, inv)


_NODE_INSTALL = frozenset(
    {
        "ci",
        "install",
        "i",
        "add",
        "update",
        "upgrade",
        "prune",
        "remove",
        "uninstall",
        "rebuild",
        "dedupe",
        "link",
    }
)


@handles("npm", "yarn", "pnpm")
def _node_packages(ctx: Context, inv: Invocation) -> Outcome:
    words = [w.text for w in inv.args if not (w.text or "-").startswith("-")]
    sub = words[0] if words else ("install" if inv.name == "yarn" else None)
    if sub in ("config", "cache", "set", "login"):
        ctx.opaque("/root", inv.span, f"settings written by `{inv.name}`")
        return ASSUMED
    if sub in (
        "version",
        "view",
        "info",
        "ls",
        "list",
        "why",
        "audit",
        "outdated",
        "whoami",
        "-v",
        "--version",
    ):
        return ASSUMED
    if sub not in _NODE_INSTALL:
        return unknown(ctx, inv)  # run, build, exec and scripts run arbitrary code
    what = f"packages installed by `{inv.name} {sub}`"
    _system_dirs(ctx, inv, what)
    if not any(w.text in ("-g", "--global") for w in inv.args):
        _opaque_cwd(ctx, inv, what)
    return ASSUMED


@handles("git")
def _git(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(inv.args, short_values="Cc", permute=False)
    if not options.operands or options.operands[0].text is None:
        return unknown(ctx, inv)
    sub, *rest = options.operands
    if sub.text in ("config",):
        ctx.opaque("/root", inv.span, "written by `git config`")
        ctx.opaque("/etc", inv.span, "written by `git config`")
        return ASSUMED
    if sub.text in (
        "rev-parse",
        "describe",
        "log",
        "status",
        "show",
        "ls-remote",
        "version",
        "--version",
        "diff",
    ):
        return ASSUMED
    if sub.text == "clone":
        return _git_clone(ctx, inv, rest)
    _opaque_cwd(ctx, inv, f"written by `git {sub.text}`")
    return ASSUMED


def _git_clone(ctx: Context, inv: Invocation, args: list[Word]) -> Outcome:
    options = parse_options(
        args,
        short_values="bocju",
        long_values={
            "--branch",
            "--origin",
            "--depth",
            "--config",
            "--jobs",
            "--filter",
            "--reference",
            "--separate-git-dir",
            "--shallow-since",
            "--upload-pack",
            "--template",
        },
    )
    what = "cloned by `git clone`"
    if not options.operands:
        return ASSUMED
    if len(options.operands) >= 2:
        target = options.operands[1]
    else:
        url = options.operands[0]
        name = _url_name(url.value) if "/" in (url.text or url.value.suffix) else None
        if name is None:
            _opaque_cwd(ctx, inv, what)
            return ASSUMED
        name = name[:-4] if name.endswith(".git") else name
        target = _as_word(Value(name), url)
    path = ctx.path(target)
    if path is None:
        ctx.create_somewhere(target.value, inv.span, what)
        return ASSUMED
    ctx.create(path, Kind.DIR, inv.span, what)
    ctx.opaque(path, inv.span, what)
    return ASSUMED


@handles("mktemp")
def _mktemp(ctx: Context, inv: Invocation) -> Outcome:
    options = parse_options(inv.args, short_values="p", long_values={"--tmpdir", "--suffix"})
    directory = options.last("p", "--tmpdir")
    path = ctx.path(directory) if directory is not None else None
    ctx.opaque(path or "/tmp", inv.span, "temporary file of `mktemp`")
    return ASSUMED


@handles("find")
def _find(ctx: Context, inv: Invocation) -> Outcome:
    writing = {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprintf", "-fls"}
    if any(w.text in writing or w.text is None for w in inv.args):
        return unknown(ctx, inv)
    return ASSUMED


# ------------------------------------------------------------------------------ $(...) values


def substitution_value(ctx: Context, inv: Invocation) -> Value:
    """The output of a simple command inside ``$(...)``, when we can know it."""
    name = posixpath.basename(inv.name)
    texts = [w.text for w in inv.args]
    if (
        name in ("uname", "arch")
        or (name == "dpkg" and "--print-architecture" in texts)
        or (name == "apk" and "--print-arch" in texts)
    ):
        return Value(None, platform=True)
    if name == "mktemp":
        return Value(None, prefix="/tmp/")
    if name == "pwd":
        return ctx.scope.cwd
    if None in texts:
        return UNKNOWN
    known_texts = [t or "" for t in texts]
    if name == "echo":
        if known_texts and known_texts[0] == "-n":
            known_texts = known_texts[1:]
        return _joined_value(inv.args, " ".join(known_texts))
    if name == "basename" and known_texts:
        base = posixpath.basename(known_texts[0].rstrip("/"))
        if len(known_texts) > 1 and base.endswith(known_texts[1]) and base != known_texts[1]:
            base = base[: -len(known_texts[1])]
        return _joined_value(inv.args, base)
    if name == "dirname" and known_texts:
        return _joined_value(inv.args, posixpath.dirname(known_texts[0].rstrip("/")) or ".")
    if name == "printf" and known_texts and known_texts[0] == "%s":
        return _joined_value(inv.args, "".join(known_texts[1:]))
    return UNKNOWN


def _joined_value(args: list[Word], text: str) -> Value:
    arch = next((w.arch for w in args if w.arch is not None), None)
    platform = any(w.value.platform for w in args)
    return Value(text, arch=arch, platform=platform)
