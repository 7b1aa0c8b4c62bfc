"""Simulate what a RUN's shell script does to the image file tree, without running anything.

The script is parsed once with tree-sitter-bash and walked with the build's variables in scope.
Commands we understand (``shell_commands``) change the tree precisely; conditions on known
values (``$TARGETARCH``...) pick their branch per platform, and a branch that does not run
leaves a note on the paths it would have created. Whatever we cannot decide is simulated as
"maybe" (UNKNOWN), and commands we do not know make the tree opaque: never a false "no".
"""

from __future__ import annotations

import contextlib
import os
import posixpath
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from mext_lint.lazy_re import compile_later
from mext_lint.simulate.shell_commands import run_command, substitution_value
from mext_lint.simulate.shell_conditions import Decision, evaluate_test
from mext_lint.simulate.shell_context import (
    ASSUMED,
    TRUE,
    Condition,
    Context,
    ExitSignal,
    Invocation,
    LoopSignal,
    Outcome,
    ReturnSignal,
    Scope,
    Status,
    merge_scopes,
)
from mext_lint.simulate.shell_expand import Expander, Source
from mext_lint.simulate.shell_values import (
    UNKNOWN,
    UNKNOWN_MARK,
    UNSET,
    ArchMark,
    Value,
    Word,
    escape_glob,
    find_arch_literals,
    glob_match,
    is_literal_glob,
    literal_word,
    mentions_arch,
    strip_pattern,
    unescape_glob,
)
from mext_lint.simulate.tree import FileTree, Kind, Presence
from mext_lint.spans import Related, Span

if TYPE_CHECKING:
    from types import ModuleType

    from tree_sitter import Node, Parser

__all__ = ["Parses", "Script", "ShellState", "follow_script", "run_argv", "run_script"]


class Parses:
    """The parsed scripts of one RUN, kept between the walks of that RUN for each platform: the
    syntax tree and the spans in it do not depend on variables."""

    def __init__(self) -> None:
        # text parsed -> (offset map, substituted, its source, its tree); several when the outer
        # shell of RUN <<EOT sh expands the script differently per platform
        self._parsed: dict[str, tuple[list[int] | None, list[bool] | None, Source, Node]] = {}

    def get(
        self,
        script: Script,
        text: str,
        offsets: list[int] | None,
        substituted: list[bool] | None,
    ) -> tuple[Source, Node]:
        found = self._parsed.get(text)
        if found is not None and found[0] == offsets and found[1] == substituted:
            return found[2], found[3]
        source, root = _parsed(script, text, offsets, substituted)
        self._parsed[text] = (offsets, substituted, source, root)
        return source, root


class Script(NamedTuple):
    text: str  # the shell script
    locate: Callable[[int], tuple[int, int]]  # offset in text -> (line, column) in the Dockerfile
    path: str  # Dockerfile path for spans
    expanded_by_outer_shell: bool = False  # RUN <<EOT sh with an unquoted delimiter
    parses: Parses | None = None  # where to keep the parse for the RUN's next platform


class ShellState:
    __slots__ = ("cwd", "env", "instruction", "pinned_arch", "tree")

    def __init__(
        self,
        tree: FileTree,
        env: dict[str, str | None],
        cwd: str,
        instruction: Span,
    ) -> None:
        self.tree = tree
        self.env = env  # ARG/ENV in scope incl. TARGETARCH etc.; None = unknown value
        self.cwd = cwd  # WORKDIR
        self.instruction = instruction  # the RUN instruction (fallback origin)
        # The CPU the RUN executes on when its stage's FROM pins a constant --platform (a native
        # `go build` there produces that CPU's binary); None when it is the target or unknown.
        self.pinned_arch: ArchMark | None = None


def run_script(script: Script, state: ShellState) -> None:
    """Apply the effects of a RUN script to ``state.tree``; ``env`` and ``cwd`` stay as they are
    (a RUN's variables and ``cd`` die with its shell). Never raises."""
    try:
        follow_script(script, state)
    except Exception:  # includes RecursionError: one RUN we could not follow stays unknown
        state.tree.make_opaque("/", Related(state.instruction, "RUN not analysed"))


def follow_script(script: Script, state: ShellState) -> None:
    """``run_script`` without its safety net: raises whatever the walker raises (the fuzz tests
    call it so that a bug is a failure, not a silently opaque RUN)."""
    text: str = script.text
    offsets: list[int] | None = None
    substituted: list[bool] | None = None
    if script.expanded_by_outer_shell:
        text, offsets, substituted = outer_expand(script.text, state.env)
    if script.parses is None:
        source, root = _parsed(script, text, offsets, substituted)
    else:
        source, root = script.parses.get(script, text, offsets, substituted)
    Walker(_context(state), source).run_program(root)


def _parsed(
    script: Script, text: str, offsets: list[int] | None, substituted: list[bool] | None
) -> tuple[Source, Node]:
    source = Source(text, script.locate, script.path, offset_map=offsets, substituted=substituted)
    return source, _parse(text)


def run_argv(argv: list[str], state: ShellState) -> None:
    """Apply the effects of an exec-form RUN (``["sh", "-c", "..."]`` or ``["cmd", "args"]``).

    Exec form has no shell: nothing is expanded, every origin is the instruction."""
    try:
        if not argv:
            return
        span = state.instruction
        ctx = _context(state)
        walker = Walker(
            ctx, Source("", lambda _: (span.line, span.column), span.path, fixed_span=span)
        )
        words = [literal_word(arg, span, arch=_literal_arch(arg, span)) for arg in argv]
        invocation = Invocation(argv[0], words[1:], span, {})
        with contextlib.suppress(*_SIGNALS):
            walker.dispatch(invocation)
    except Exception:
        state.tree.make_opaque("/", Related(state.instruction, "RUN not analysed"))


def _context(state: ShellState) -> Context:
    context = Context(state.tree, state.env, state.cwd)
    context.pinned_arch = state.pinned_arch
    return context


def _literal_arch(text: str, span: Span) -> ArchMark | None:
    for _, _, arch in find_arch_literals(text):
        return ArchMark(arch, Related(span, f"hard-coded {arch}"))
    return None


# ----------------------------------------------------------------------------- parsing

_PARSER: Parser | None = None


def _parse(text: str) -> Node:
    global _PARSER
    if _PARSER is None:
        import tree_sitter

        _PARSER = tree_sitter.Parser(tree_sitter.Language(_bash_language()))
    return _PARSER.parse(text.encode("utf-8")).root_node


def _bash_language() -> object:
    """tree-sitter-bash's language.

    ``import tree_sitter_bash`` runs its ``__init__``, which imports importlib.resources (with
    zipfile, tempfile, random...) for query files never read here: about 4 ms, more than the
    analysis of all the RUNs of an extension. So its ``_binding`` extension module is loaded the
    way importlib loads it, without the package; any other layout takes the plain import.
    """
    binding = _load_bash_binding()
    if binding is not None:
        return binding.language()
    import tree_sitter_bash

    return tree_sitter_bash.language()


def _load_bash_binding() -> ModuleType | None:
    from importlib.machinery import (
        EXTENSION_SUFFIXES,
        ExtensionFileLoader,
        ModuleSpec,
        PathFinder,
    )

    name = "tree_sitter_bash._binding"
    try:
        package = PathFinder.find_spec("tree_sitter_bash")
        directories = package.submodule_search_locations if package is not None else None
        for directory in directories or ():
            for suffix in EXTENSION_SUFFIXES:
                path = os.path.join(directory, "_binding" + suffix)
                if os.path.isfile(path):
                    loader = ExtensionFileLoader(name, path)
                    module = loader.create_module(ModuleSpec(name, loader, origin=path))
                    loader.exec_module(module)
                    return module
    except Exception:  # not a plain directory install: import the package
        return None
    return None


# ----------------------------------------------------------------------------- the walker

_MAX_DEPTH = 100
_MAX_LOOP_WORDS = 64
_MAX_FUNCTION_CALLS = 200
_TEST_BRACKETS = {"[", "]", "[[", "]]"}
_WRITE_REDIRECTS = {">", ">>", ">|", "&>", "&>>", ">&", "<>"}
_PLATFORM_QUERY = compile_later(r"\b(uname|arch|dpkg\s+--print-architecture|apk\s+--print-arch)\b")
_SIGNALS = (ExitSignal, ReturnSignal, LoopSignal)
_CONTAINERS = {"program", "list", "compound_statement", "do_group", "subshell", "pipeline"}
_COMMAND_LIKE = compile_later(r"[A-Za-z_][\w-]*\s+[\w/.\"'$-]")
_new = tuple.__new__
Statement = Callable[["Walker", "Node"], Outcome]


class Walker:
    def __init__(self, ctx: Context, source: Source) -> None:
        self.ctx = ctx
        self.source = source
        self.expand = Expander(source, ctx, self._substitute)
        self.functions: dict[str, Node] = {}
        self.function_calls = 0
        self.stdin_arch: ArchMark | None = None
        ctx.run_inline = self._run_inline

    def run_program(self, root: Node) -> None:
        with contextlib.suppress(*_SIGNALS):
            self._sequence(root.children)

    def span(self, node: Node) -> Span:
        return self.source.span(node)

    # ------------------------------------------------------------------ statements

    def execute(self, node: Node) -> Outcome:
        kind = node.type
        handler = _STATEMENTS.get(kind)
        broken = node.has_error and kind not in _CONTAINERS  # they reach the ERROR inside
        ctx = self.ctx
        if handler is None or broken or ctx.depth >= _MAX_DEPTH:
            return self._not_understood(node)
        ctx.depth += 1
        try:
            return handler(self, node)
        finally:
            ctx.depth -= 1

    def _not_understood(self, node: Node) -> Outcome:
        self.ctx.unknown_command(self.span(node), "shell code not understood")
        return ASSUMED

    def _sequence(self, nodes: list[Node]) -> Outcome:
        outcome = TRUE
        for index, node in enumerate(nodes):
            if (not node.is_named and node.type != "ERROR") or node.type == "comment":
                continue
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            if following is not None and following.type == "&":
                with self.ctx.branch(certain=False):  # a background job may not finish
                    self.execute(node)
                outcome = ASSUMED
            else:
                outcome = self.execute(node)
        return outcome

    def _block(self, node: Node) -> Outcome:
        if node.children and node.children[0].type == "((":
            # bash arithmetic; a POSIX sh reads "((cmd))" as nested subshells running cmd
            if _COMMAND_LIKE.search(self.source.node_text(node)):
                return self._not_understood(node)
            return Outcome(Status.UNKNOWN)
        return self._sequence(node.children)

    def _subshell(self, node: Node) -> Outcome:
        with self._isolated():
            try:
                return self._sequence(node.children)
            except _SIGNALS:
                return Outcome(Status.UNKNOWN)

    @contextlib.contextmanager
    def _isolated(self) -> Iterator[None]:
        """A child shell: variables, ``cd`` and ``exit`` stay inside it."""
        ctx = self.ctx
        saved = (ctx.scope, ctx.maybe_exited, ctx.maybe_left_block)
        ctx.scope = ctx.scope.copy()
        try:
            yield
        finally:
            ctx.scope, ctx.maybe_exited, ctx.maybe_left_block = saved

    def _pipeline(self, node: Node) -> Outcome:
        stages = [c for c in node.named_children if c.type != "comment"]
        outcome = ASSUMED
        stdin_arch = self.stdin_arch
        for stage in stages:
            self.stdin_arch = stdin_arch
            with self._isolated():
                try:
                    outcome = self.execute(stage)
                except _SIGNALS:
                    outcome = Outcome(Status.UNKNOWN)
            stdin_arch = outcome.stdout_arch
        self.stdin_arch = None
        return _new(Outcome, (outcome.status, outcome.condition, outcome.platform, stdin_arch))

    def _negated(self, node: Node) -> Outcome:
        inner = next((c for c in node.named_children if c.type != "comment"), None)
        if inner is None:
            return Outcome(Status.FALSE)
        outcome = self.execute(inner)
        flipped = {Status.TRUE: Status.FALSE, Status.FALSE: Status.TRUE}
        condition = outcome.condition.negated() if outcome.condition else None
        return Outcome(flipped.get(outcome.status, Status.UNKNOWN), condition, outcome.platform)

    # ------------------------------------------------------------------ && and ||

    def _list(self, node: Node) -> Outcome:
        first, chain = _flatten_list(node)
        outcome = self.execute(first)
        for operator, right in chain:
            outcome = self._chain(outcome, operator, right)
        return outcome

    def _chain(self, left: Outcome, operator: str, right: Node) -> Outcome:
        status = left.status
        runs = Status.TRUE if operator == "&&" else Status.FALSE
        skips = Status.FALSE if operator == "&&" else Status.TRUE
        if status is skips:
            condition = left.condition
            if condition is not None and operator == "||":
                condition = condition.negated()
            self._skip(right, condition)
            return left
        if status is runs or (status is Status.ASSUMED and operator == "&&"):
            with self.ctx.branch(certain=True, guarded=left.platform):
                result = self.execute(right)
            return _combine(left, operator, result, decided=True)
        result = self._maybe(right, guarded=left.platform)
        return _combine(left, operator, result, decided=False)

    def _maybe(self, node: Node, *, guarded: bool) -> Outcome:
        """Run ``node`` as something that may or may not happen."""
        ctx = self.ctx
        before = ctx.scope
        ctx.scope = before.copy()
        try:
            with ctx.branch(certain=False, guarded=guarded):
                outcome = self.execute(node)
        finally:
            ctx.scope = merge_scopes([before, ctx.scope])
        return outcome

    def _skip(self, nodes: Node | list[Node], condition: Condition | None) -> None:
        """A branch that does not run here: note the paths it would have created, and why."""
        ctx = self.ctx
        if ctx.recording is not None:
            return
        why = f"created only when {condition.holds}" if condition else "not created: never reached"
        real = ctx.tree
        saved = (ctx.scope, ctx.certain, ctx.maybe_exited, ctx.maybe_left_block)
        recorded: list[tuple[str, Span]] = []
        ctx.recording, ctx.scope, ctx.copy_on_change = recorded, ctx.scope.copy(), True
        ctx.certain, ctx.maybe_exited, ctx.maybe_left_block = True, False, False
        try:
            with contextlib.suppress(*_SIGNALS):
                self._sequence(nodes if isinstance(nodes, list) else [nodes])
        finally:
            ctx.tree, ctx.recording, ctx.copy_on_change = real, None, False
            ctx.scope, ctx.certain, ctx.maybe_exited, ctx.maybe_left_block = saved
        for path, span in recorded:
            note = Related(span, why)
            if note not in real.skipped(path):
                real.note_skipped(path, note)

    # ------------------------------------------------------------------ if / case / loops

    def _if(self, node: Node) -> Outcome:
        clauses = _if_clauses(node)
        ctx = self.ctx
        entry = ctx.scope
        possible: list[Scope] = []
        reach = Status.TRUE  # whether control can get to the current clause
        decisive: Condition | None = None  # the condition that took an earlier branch
        platform = False
        for condition_nodes, body in clauses:
            if reach is Status.FALSE:
                self._skip(body, decisive.negated() if decisive else None)
                continue
            ctx.scope = entry.copy() if possible else entry
            if condition_nodes is None:
                outcome = TRUE
            else:
                with ctx.branch(certain=reach is Status.TRUE):
                    outcome = self._sequence(condition_nodes)
            platform = platform or outcome.platform
            status = outcome.status
            if status is Status.FALSE:
                self._skip(body, outcome.condition)
                entry = ctx.scope
                continue
            certain = status is Status.TRUE and reach is Status.TRUE
            cond_scope = ctx.scope
            ctx.scope = cond_scope.copy()
            with ctx.branch(certain=certain, guarded=platform):
                self._sequence(body)
            possible.append(ctx.scope)
            entry = cond_scope
            if status is Status.TRUE:
                reach = Status.FALSE
                decisive = outcome.condition
            else:
                reach = Status.UNKNOWN
        if reach is not Status.FALSE:
            possible.append(entry)
        ctx.scope = merge_scopes(possible)
        return ASSUMED

    def _case(self, node: Node) -> Outcome:
        subject_node = node.child_by_field_name("value")
        if subject_node is None:
            return self._not_understood(node)
        subject = self.expand.word(subject_node)
        ctx = self.ctx
        entry = ctx.scope
        possible: list[Scope] = []
        reach = Status.TRUE  # whether control can get to the current item
        guarded = subject.value.platform or mentions_arch(subject.text)
        items = [c for c in node.named_children if c.type == "case_item"]
        parsed = [self._case_item(item) for item in items]
        guarded = guarded or any(
            mentions_arch(unescape_glob(g)) for _, gs, _ in parsed for g in gs if g
        )
        for patterns, globs, body in parsed:
            result = _case_match(subject, globs) if reach is not Status.FALSE else False
            if result is False:
                self._skip(body, _case_condition(subject, globs, patterns))
                continue
            ctx.scope = entry.copy()
            with ctx.branch(certain=result is True and reach is Status.TRUE, guarded=guarded):
                self._sequence(body)
            possible.append(ctx.scope)
            reach = Status.FALSE if result is True else Status.UNKNOWN
        if reach is not Status.FALSE:
            possible.append(entry)
        ctx.scope = merge_scopes(possible)
        return ASSUMED

    def _case_item(self, item: Node) -> tuple[list[str], list[str | None], list[Node]]:
        patterns: list[str] = []
        globs: list[str | None] = []
        body: list[Node] = []
        in_body = False
        for child in item.children:
            if not in_body:
                if child.type == ")":
                    in_body = True
                elif child.is_named:
                    patterns.append(self.source.node_text(child))
                    globs.append(self.expand.glob(child))
            elif child.is_named and child.type != "comment":
                body.append(child)
        return patterns, globs, body

    def _for(self, node: Node) -> Outcome:
        variable_node = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        if variable_node is None or body is None:
            return self._not_understood(node)
        name = self.source.node_text(variable_node)
        words: list[Word] = []
        if any(c.type == "in" for c in node.children):
            for value_node in node.children_by_field_name("value"):
                words.extend(self._glob_words(self.expand.words(value_node)))
        else:  # for x; do ...: the positional parameters
            place = self.source.place(node)
            words = [Word(v, place) for v in self.ctx.scope.positional]
        known = len(words) <= _MAX_LOOP_WORDS and all(
            w.text is not None and w.certain for w in words
        )
        if not known:
            with self._loop_guard():
                self.ctx.assign(name, UNKNOWN)
                self._maybe(body, guarded=False)
            return ASSUMED
        with self._loop_guard():
            for word in words:
                self.ctx.assign(name, word.value)
                try:
                    self.execute(body)
                except LoopSignal as signal:
                    if signal.is_break:
                        break
        return ASSUMED

    @contextlib.contextmanager
    def _loop_guard(self) -> Iterator[None]:
        """``break``/``continue`` we could not decide only affect the loop's own iterations."""
        saved = self.ctx.maybe_left_block
        try:
            yield
        except LoopSignal:
            pass
        finally:
            self.ctx.maybe_left_block = saved

    def _while(self, node: Node) -> Outcome:
        conditions = node.children_by_field_name("condition")
        body = node.child_by_field_name("body")
        with self._loop_guard():
            self._sequence(conditions)
            if body is not None:
                self._maybe(body, guarded=False)
        return ASSUMED

    def _c_style_for(self, node: Node) -> Outcome:
        body = node.child_by_field_name("body")
        if body is not None:
            with self._loop_guard():
                self._maybe(body, guarded=False)
        return ASSUMED

    def _function_definition(self, node: Node) -> Outcome:
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is not None and body is not None:
            self.functions[self.source.node_text(name)] = body
        return TRUE

    def _call_function(self, body: Node, inv: Invocation) -> Outcome:
        self.function_calls += 1
        if self.function_calls > _MAX_FUNCTION_CALLS:
            self.ctx.unknown_command(inv.span, f"`{inv.name}` not simulated (too many calls)")
            return ASSUMED
        ctx = self.ctx
        saved = (ctx.scope.positional, ctx.maybe_left_block)
        ctx.scope.positional = [w.value for w in inv.args]
        try:
            return self.execute(body)
        except ReturnSignal:
            return ASSUMED
        finally:
            ctx.scope.positional, ctx.maybe_left_block = saved

    # ------------------------------------------------------------------ tests

    def _test(self, node: Node) -> Outcome:
        children = [c for c in node.children if c.type not in _TEST_BRACKETS]
        tokens: list[Word] = []
        for child in children:
            self._test_tokens(child, tokens)
        extended = bool(node.children) and node.children[0].type == "[["
        return _decision_outcome(evaluate_test(tokens, extended=extended))

    def _test_tokens(self, node: Node, out: list[Word]) -> None:
        if node.type in (
            "binary_expression",
            "unary_expression",
            "parenthesized_expression",
            "negated_expression",
        ):
            for child in node.children:
                self._test_tokens(child, out)
        elif node.type == "test_operator" or not node.is_named:
            out.append(literal_word(self.source.node_text(node), self.span(node)))
        elif node.type != "comment":
            out.append(self.expand.word(node))

    # ------------------------------------------------------------------ commands

    def _command(self, node: Node) -> Outcome:
        if node.has_error:
            return self._not_understood(node)
        assignments = []
        name_node = None  # the grammar's field "name": a command_name, after the assignments
        for child in node.children:
            if child.type == "command_name":
                name_node = child
                break
            if child.type == "variable_assignment":
                assignments.append(child)
        if (
            assignments
            and name_node is not None
            and self._newline_between(assignments[-1], name_node)
        ):
            # tree-sitter-bash reads "A=1 B=2<newline>cmd" as one command: it is two
            for assignment in assignments:
                self._assignment(assignment)
            assignments = []
        if name_node is None:
            for assignment in assignments:
                self._assignment(assignment)
            return TRUE
        env = {}
        for assignment in assignments:
            name, value = self._assigned(assignment)
            if name is not None:
                env[name] = value
        expand = self.expand.words
        words = expand(name_node)
        for argument in node.children_by_field_name("argument"):
            fields = expand(argument)
            if len(fields) == 1 and not fields[0].has_glob:  # most arguments
                words.append(fields[0])
            else:
                words.extend(self._glob_words(fields))
        if not words:
            for name, value in env.items():
                self.ctx.assign(name, value)
            return TRUE
        place = self.source.place(node)
        name = words[0].value.text
        invocation = _new(Invocation, (name or "", words[1:], place, env, self.stdin_arch))
        if name is None:
            self.ctx.unknown_command(invocation.span, "a command whose name is not known")
            return ASSUMED
        return self.dispatch(invocation)

    def dispatch(self, inv: Invocation) -> Outcome:
        body = self.functions.get(inv.name)
        if body is not None:
            return self._call_function(body, inv)
        if inv.name in ("eval", "source", ".", "xargs"):
            self.ctx.unknown_command(inv.span, f"`{inv.name}` may run anything")
            return ASSUMED
        return run_command(self.ctx, inv)

    def _newline_between(self, before: Node, after: Node) -> bool:
        gap = self.source.data[before.end_byte : after.start_byte].decode("utf-8", "replace")
        return "\n" in gap.replace("\\\n", "")

    def _glob_words(self, words: list[Word]) -> list[Word]:
        for word in words:
            if word.has_glob:
                break
        else:
            return words
        out: list[Word] = []
        for word in words:
            if word.has_glob and word.glob is not None:
                out.extend(self._pathname_expansion(word))
            else:
                out.append(word)
        return out

    def _pathname_expansion(self, word: Word) -> list[Word]:
        glob = word.glob or ""
        cwd = self.ctx.scope.cwd
        if not glob.startswith("/"):
            if cwd.text is None:
                return [word._replace(value=Value(None, prefix=cwd.prefix), has_glob=False)]
            glob = escape_glob(cwd.text.rstrip("/")) + "/" + glob
        tree = self.ctx.tree
        candidates = ["/"]
        opaque: str | None = None  # the first directory that may hold entries we do not know
        for component in [c for c in glob.split("/") if c]:
            if is_literal_glob(component):
                name = unescape_glob(component)
                candidates = [posixpath.join(c, name) for c in candidates]
                continue
            matched: list[str] = []
            for directory in candidates:
                if tree.lookup(directory).presence is Presence.NO:
                    continue  # nothing to match in a directory that is not there
                if opaque is None and tree.is_opaque(directory):
                    opaque = directory
                for name in tree.children(directory):
                    if name.startswith(".") and not component.startswith("."):
                        continue
                    if glob_match(component, name, pathname=True):
                        matched.append(posixpath.join(directory, name))
            candidates = matched
        found = [c for c in candidates if tree.lookup(c).presence is not Presence.NO]
        out = [Word(Value(path), word.place, escape_glob(path), from_glob=True) for path in found]
        if opaque is not None:
            unknown_rest = Value(None, prefix=opaque.rstrip("/") + "/")
            out.append(word._replace(value=unknown_rest, has_glob=False, glob=None))
        return out or [word]

    # ------------------------------------------------------------------ assignments

    def _assignment(self, node: Node) -> Outcome:
        name, value = self._assigned(node)
        if name is not None:
            self.ctx.assign(name, value)
        return TRUE

    def _assigned(self, node: Node) -> tuple[str | None, Value]:
        name_node = node.child_by_field_name("name")
        if name_node is None or name_node.type != "variable_name":
            return None, UNKNOWN
        name = self.source.node_text(name_node)
        value_node = node.child_by_field_name("value")
        if value_node is None:
            value = Value("")
        elif value_node.type == "array":
            value = UNKNOWN
        else:
            value = self.expand.value(value_node)
        if "+=" in [c.type for c in node.children]:
            old = self.ctx.variable(name)
            if old.text is None or value.text is None:
                value = Value(None, platform=old.platform or value.platform)
            else:
                value = value._replace(text=old.text + value.text, arch=value.arch or old.arch)
        return name, value

    def _assignments(self, node: Node) -> Outcome:
        for child in node.named_children:
            if child.type == "variable_assignment":
                self._assignment(child)
        return TRUE

    def _declaration(self, node: Node) -> Outcome:
        for child in node.named_children:
            if child.type == "variable_assignment":
                self._assignment(child)
            elif child.type == "variable_name" and node.children[0].type in (
                "local",
                "declare",
                "typeset",
            ):
                self.ctx.assign(self.source.node_text(child), Value(""))
        return TRUE

    def _unset(self, node: Node) -> Outcome:
        for child in node.named_children:
            if child.type == "variable_name":
                self.ctx.scope.variables[self.source.node_text(child)] = UNSET
        return TRUE

    # ------------------------------------------------------------------ redirections

    def _redirected(self, node: Node) -> Outcome:
        body = node.child_by_field_name("body")
        outcome = self.execute(body) if body is not None else ASSUMED
        for redirect in node.children_by_field_name("redirect"):
            self._redirect(redirect, outcome, self.span(node))
        for operator, right in _heredoc_tail(node):
            if operator in ("&&", "||"):
                outcome = self._chain(outcome, operator, right)
            else:  # after `|` or `;` the rest runs whatever the heredoc command did
                outcome = self.execute(right)
        return outcome

    def _redirect(self, node: Node, outcome: Outcome, span: Span) -> None:
        if node.type == "heredoc_redirect":
            for child in node.named_children:
                if child.type == "file_redirect":
                    self._redirect(child, outcome, span)
            return
        if node.type != "file_redirect":
            return
        operator = next((c.type for c in node.children if not c.is_named), "")
        destination = node.child_by_field_name("destination")
        if operator not in _WRITE_REDIRECTS or destination is None or destination.type == "number":
            return
        word = self.expand.word(destination)
        if word.text == "-":  # >&- closes the descriptor
            return
        descriptor = node.child_by_field_name("descriptor")
        to_stdout = descriptor is None or self.source.node_text(descriptor) == "1"
        arch = outcome.stdout_arch if to_stdout else None
        path = self.ctx.path(word)
        what = f"written by `{operator}` redirection"
        if path is None:
            self.ctx.create_somewhere(word.value, span, what)
        else:
            self.ctx.create(path, Kind.FILE, span, what, arch=arch, certain=word.certain)

    # ------------------------------------------------------------------ $(...) and sh -c

    def _substitute(self, node: Node) -> Value:
        ctx = self.ctx
        statements = [c for c in node.named_children if c.type != "comment"]
        platform = _PLATFORM_QUERY.search(self.source.node_text(node)) is not None
        saved = (ctx.scope, ctx.pure_unknowns, self.stdin_arch)
        ctx.scope = ctx.scope.copy()
        ctx.pure_unknowns = True
        self.stdin_arch = None
        value = UNKNOWN
        try:
            if len(statements) == 1 and statements[0].type == "command":
                value = self._substituted_command(statements[0])
            else:
                self._sequence(statements)
        except _SIGNALS:
            pass
        finally:
            ctx.scope, ctx.pure_unknowns, self.stdin_arch = saved
        if platform and value.text is None:
            value = value._replace(platform=True)
        return value

    def _substituted_command(self, node: Node) -> Value:
        name_node = node.child_by_field_name("name")
        if name_node is None or node.has_error:
            return UNKNOWN
        words = self.expand.words(name_node)
        for argument in node.children_by_field_name("argument"):
            words.extend(self._glob_words(self.expand.words(argument)))
        if not words or words[0].text is None:
            return UNKNOWN
        invocation = Invocation(words[0].text, words[1:], self.source.place(node), {})
        value = substitution_value(self.ctx, invocation)
        self.dispatch(invocation)
        return value

    def _run_inline(self, word: Word) -> Outcome:
        """``sh -c '<script>'``: a child shell running a script we can read."""
        text = word.text or ""
        base = self.source.text.find(text, max(word.offset, 0)) if text else -1
        source = self.source
        if base >= 0 and not source.fixed:
            nested = Source(text, lambda offset: source.position(base + offset), source.path)
        else:
            nested = Source(text, source.locate, source.path, fixed_span=word.span)
        inner = Walker(self.ctx, nested)
        try:
            with self._isolated(), contextlib.suppress(*_SIGNALS):
                inner._sequence(_parse(text).children)
        finally:
            self.ctx.run_inline = self._run_inline
        return ASSUMED


# ----------------------------------------------------------------------------- helpers


_HEREDOC_PARTS = frozenset({"heredoc_start", "heredoc_body", "heredoc_end", "file_redirect"})


def _heredoc_tail(node: Node) -> list[tuple[str, Node]]:
    """Commands written after a heredoc's start on its line (`cat <<EOF > /c && touch /d`):
    tree-sitter-bash nests them inside the heredoc redirect instead of in a list."""
    tail: list[tuple[str, Node]] = []
    for redirect in node.children_by_field_name("redirect"):
        if redirect.type != "heredoc_redirect":
            continue
        operator: str | None = None
        for child in redirect.children:
            if not child.is_named and child.type in ("&&", "||", "|", "|&", ";"):
                operator = child.type
            elif child.type == "pipeline" and child.children[0].type in ("|", "|&"):
                # `cat <<X | tee /f`: the pipe and what follows it form one nested node
                tail.extend(("|", part) for part in child.named_children)
            elif child.is_named and child.type not in _HEREDOC_PARTS and operator is not None:
                tail.append((operator, child))
                operator = None
    return tail


def _flatten_list(node: Node) -> tuple[Node, list[tuple[str, Node]]]:
    """``a && b || c`` (nested to the left by the grammar) as a first node and a chain."""
    chain: list[tuple[str, Node]] = []
    current = node
    while current.type == "list":
        children = [c for c in current.children if c.type != "comment"]
        if not children:
            break
        tail: list[tuple[str, Node]] = []
        operator = "&&"
        for child in children[1:]:
            if not child.is_named and child.type in ("&&", "||"):
                operator = child.type
            elif child.is_named or child.type == "ERROR":
                tail.append((operator, child))
        chain[0:0] = tail
        current = children[0]
    return current, chain


def _combine(left: Outcome, operator: str, right: Outcome, *, decided: bool) -> Outcome:
    platform = left.platform or right.platform
    condition = None
    if left.condition is not None and right.condition is not None:
        if operator == "&&":
            condition = left.condition.both(right.condition)
        else:
            condition = left.condition.either(right.condition)
    if decided:
        status = right.status
        if left.status is Status.ASSUMED and status is Status.TRUE:
            status = Status.ASSUMED
    elif operator == "&&":
        status = Status.FALSE if right.status is Status.FALSE else Status.UNKNOWN
    elif right.status is Status.TRUE:
        status = Status.TRUE
    elif right.status is Status.ASSUMED and left.status is Status.ASSUMED:
        status = Status.ASSUMED
    else:
        status = Status.UNKNOWN
    return _new(Outcome, (status, condition, platform, right.stdout_arch))


def _decision_outcome(decision: Decision) -> Outcome:
    status = {True: Status.TRUE, False: Status.FALSE, None: Status.UNKNOWN}[decision.value]
    return Outcome(status, decision.condition, decision.platform)


def _if_clauses(node: Node) -> list[tuple[list[Node] | None, list[Node]]]:
    """(condition statements or None for ``else``, body statements) of an if statement."""
    clauses: list[tuple[list[Node] | None, list[Node]]] = []
    condition: list[Node] = []
    body: list[Node] = []
    part = ""
    for child in node.children:
        if child.type in ("if", "elif"):
            part = "condition"
        elif child.type == "then":
            part = "body"
        elif child.type == "else":
            part = "else"
        elif child.type in ("elif_clause", "else_clause"):
            clauses.extend(_if_clauses(child))
        elif part == "condition":
            condition.append(child)
        elif part in ("body", "else"):
            body.append(child)
    own = (None if part == "else" else condition, body)
    return [own, *clauses]


def _case_condition(subject: Word, globs: list[str | None], patterns: list[str]) -> Condition:
    shown = [unescape_glob(g) if g is not None else p for g, p in zip(globs, patterns, strict=True)]
    joined = "|".join(shown)
    name = subject.variable
    if name is None:
        name = f"`{subject.text}`" if subject.text is not None else "the case word"
    simple = len(globs) == 1 and globs[0] is not None and is_literal_glob(globs[0])
    if simple:
        return Condition(f"{name}={joined}", f"{name}!={joined}")
    return Condition(f"{name} matches {joined}", f"{name} does not match {joined}")


def _case_match(subject: Word, globs: list[str | None]) -> bool | None:
    if subject.text is None:
        return None
    result: bool | None = False
    for glob in globs:
        if glob is None:
            result = None
        elif glob_match(glob, subject.text):
            return True
    return result


_STATEMENTS: dict[str, Statement] = {
    "program": Walker._block,
    "compound_statement": Walker._block,
    "do_group": Walker._block,
    "subshell": Walker._subshell,
    "list": Walker._list,
    "pipeline": Walker._pipeline,
    "negated_command": Walker._negated,
    "redirected_statement": Walker._redirected,
    "command": Walker._command,
    "variable_assignment": Walker._assignment,
    "variable_assignments": Walker._assignments,
    "declaration_command": Walker._declaration,
    "unset_command": Walker._unset,
    "test_command": Walker._test,
    "if_statement": Walker._if,
    "case_statement": Walker._case,
    "for_statement": Walker._for,
    "c_style_for_statement": Walker._c_style_for,
    "while_statement": Walker._while,
    "function_definition": Walker._function_definition,
}


# ----------------------------------------------------------------------------- RUN <<EOT sh


def outer_expand(text: str, env: Mapping[str, str | None]) -> tuple[str, list[int], list[bool]]:
    """What ``/bin/sh -c`` hands the inner shell of ``RUN <<EOT ash``: an unquoted heredoc body
    with its variables substituted (inside single quotes too) and backslash escapes removed.

    Returns the text, each character's offset in the original, and which characters came out
    of a substitution. A value we do not know becomes :data:`UNKNOWN_MARK`.
    """
    out: list[str] = []
    offsets: list[int] = []
    substituted: list[bool] = []

    def emit(chunk: str, offset: int, from_value: bool) -> None:
        out.append(chunk)
        offsets.extend([offset] * len(chunk))
        substituted.extend([from_value] * len(chunk))

    index = 0
    while index < len(text):
        special = _OUTER_SPECIAL.search(text, index)
        stop = special.start() if special is not None else len(text)
        if stop > index:  # ordinary characters, each at its own offset
            out.append(text[index:stop])
            offsets.extend(range(index, stop))
            substituted.extend([False] * (stop - index))
            index = stop
            continue
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "$`\\\n":
            if text[index + 1] != "\n":
                emit(text[index + 1], index + 1, False)
            index += 2
            continue
        if char in "$`":
            length, replacement = _outer_substitution(text, index, env)
            if length:
                emit(replacement, index, True)
                index += length
                continue
        emit(char, index, False)
        index += 1
    return "".join(out), offsets, substituted


_NAME = compile_later(r"[A-Za-z_][A-Za-z0-9_]*")
_OUTER_SPECIAL = compile_later(r"[\\$`]")


def _outer_substitution(text: str, index: int, env: Mapping[str, str | None]) -> tuple[int, str]:
    """(characters consumed, replacement) for the expansion starting at ``text[index]``."""
    if text[index] == "`":
        end = text.find("`", index + 1)
        return ((end if end > 0 else len(text)) - index + 1, UNKNOWN_MARK)
    after = index + 1
    if text.startswith("(", after):
        return _balanced(text, after, "(", ")") - index, UNKNOWN_MARK
    if text.startswith("{", after):
        end = _balanced(text, after, "{", "}")
        return end - index, _outer_braced(text[index + 2 : end - 1], env)
    name = _NAME.match(text, after)
    if name is not None:
        return name.end() - index, _outer_value(name.group(0), env)
    following = text[after : after + 1]
    if following in ("@", "*", "#", "?") or following.isdigit():
        return 2, {"#": "0", "?": "0", "0": "sh"}.get(following, "")
    if following in ("$", "!", "-"):
        return 2, UNKNOWN_MARK
    return 0, ""


def _balanced(text: str, start: int, opening: str, closing: str) -> int:
    """The index just past the bracket closing the one at ``text[start]``."""
    end = text.find(closing, start)
    if end >= 0 and opening not in text[start + 1 : end]:  # nothing nested: the first one
        return end + 1
    depth = 0
    for index in range(start, len(text)):
        if text[index] == opening:
            depth += 1
        elif text[index] == closing:
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _outer_value(name: str, env: Mapping[str, str | None]) -> str:
    value = env.get(name)
    return UNKNOWN_MARK if value is None else value


def _outer_braced(inner: str, env: Mapping[str, str | None]) -> str:
    name_match = _NAME.match(inner)
    if name_match is None:
        return UNKNOWN_MARK
    name = name_match.group(0)
    operator_and_word = inner[name_match.end() :]
    value = env.get(name)
    if not operator_and_word:
        return UNKNOWN_MARK if value is None else value
    for operator in (":-", ":+", ":=", ":?", "-", "+", "=", "?", "##", "#", "%%", "%"):
        if operator_and_word.startswith(operator):
            word = operator_and_word[len(operator) :]
            break
    else:
        return UNKNOWN_MARK
    if "$" in word or "`" in word:
        word = outer_expand(word, env)[0]
    if value is None:  # unknown, or not declared: the base image may set it
        return UNKNOWN_MARK
    if operator in ("##", "#", "%%", "%"):
        return UNKNOWN_MARK if UNKNOWN_MARK in word else strip_pattern(value, word, operator)
    empty = operator.startswith(":") and value == ""
    if operator.lstrip(":") == "+":
        return "" if empty else word
    return word if empty else value
