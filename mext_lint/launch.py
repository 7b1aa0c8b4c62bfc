"""The ``mext-lint`` command: the process's own settings, the command line, a quick exit."""

import gc
import os
import sys

# Collect cyclic garbage after this many new objects rather than Python's default 700: a run,
# imports included, makes many small objects and nearly no cycles.
COLLECT_AFTER = 100_000


def main() -> int:
    gc.set_threshold(COLLECT_AFTER, *gc.get_threshold()[1:])
    from mext_lint.cli import main as run_command_line

    code = run_command_line()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: Python's own exit deals with it, as it always has
        return code
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return code  # a debugger, profiler or coverage tool reports at the usual exit
    # Everything is written, and every file the run opened is closed: tearing the interpreter
    # down, object by object and module by module, would add 8% to a cold run for nothing.
    os._exit(code)
