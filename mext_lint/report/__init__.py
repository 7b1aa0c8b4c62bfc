"""Reporters turn findings into one output format each; the CLI picks one by name."""

import importlib
from collections.abc import Callable, Sequence

from mext_lint.findings import Finding


class Run:
    """What a reporter may say about the run besides the findings."""

    __slots__ = ("color", "enabled_rules", "exit_code", "extensions")

    def __init__(
        self,
        extensions: int,  # how many extension roots were linted
        exit_code: int,
        color: bool = False,
        enabled_rules: tuple[str, ...] = (),  # codes, for formats that list their rules
    ) -> None:
        self.extensions = extensions
        self.exit_code = exit_code
        self.color = color
        self.enabled_rules = enabled_rules


Reporter = Callable[[Sequence[Finding], Run], str]

# name -> module with a `render(findings, run) -> str` function, imported only when chosen.
REPORTER_MODULES = {
    "text": "mext_lint.report.text",
    "json": "mext_lint.report.json_format",
    "sarif": "mext_lint.report.sarif",
    "github": "mext_lint.report.github",
}


def reporter(name: str) -> Reporter:
    module = importlib.import_module(REPORTER_MODULES[name])
    render: Reporter = module.render
    return render
