"""The compiled build, on request: ``HATCH_BUILD_HOOKS_ENABLE=1 pip install .`` compiles the
modules ``tool.hatch.build.targets.wheel.hooks.custom.modules`` lists with mypyc (see the
README's Performance section).

Off by default, because it needs a C compiler and takes a minute or two. The wheel then holds
each compiled module's extension next to its source; Python imports the extension first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Run in a child interpreter, in a temporary directory: mypyc writes its C files, setuptools its
# objects, and mypy its cache there, never in the source tree.
_COMPILE = """
import sys
from mypyc.build import mypycify
from setuptools import setup

lib, temp, *sources = sys.argv[1:]
setup(
    name="mext-lint-compiled",
    ext_modules=mypycify(sources, opt_level="3", multi_file=True, target_dir=temp),
    script_args=["build_ext", "--build-lib", lib, "--build-temp", temp, "--parallel", "{jobs}"],
)
"""


class CompiledBuild(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install runs the sources
        self._work = tempfile.mkdtemp(prefix="mext-lint-mypyc-")
        lib = os.path.join(self._work, "lib")
        sources = [str(Path(self.root, module)) for module in self.config["modules"]]
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        status = 1
        try:
            status = subprocess.run(
                [sys.executable, "-c", _COMPILE.format(jobs=jobs), lib, self._work, *sources],
                cwd=self._work,
                check=False,
            ).returncode
        finally:
            if status:  # finalize is not called for a failed build
                shutil.rmtree(self._work, ignore_errors=True)
        if status:
            raise RuntimeError(
                f"compiling with mypyc failed (exit status {status}, its errors are above);"
                " without HATCH_BUILD_HOOKS_ENABLE, pip installs the pure-Python build"
            )
        for extension in Path(lib).rglob("*"):
            if extension.suffix in (".so", ".pyd"):
                build_data["force_include"][str(extension)] = str(extension.relative_to(lib))
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
