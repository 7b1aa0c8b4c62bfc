"""Checks register here under their rule code; the engine runs them and stamps the code."""

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from mext_lint.platforms import Host, Platform
from mext_lint.spans import Problem

if TYPE_CHECKING:
    from mext_lint.extension import Extension
    from mext_lint.simulate.build import Image


class CheckContext(NamedTuple):
    """What a check may read: the extension's models, and for per-platform checks one variant."""

    ext: "Extension"
    platform: Platform | None  # None for a check that runs once per extension
    images: "Mapping[Platform, Image]"
    hosts: tuple[Host, ...]

    @property
    def image(self) -> "Image":
        """The variant this per-platform check runs on."""
        assert self.platform is not None, "image is only set for per-platform checks"
        return self.images[self.platform]


CheckFunction = Callable[[CheckContext], Iterable[Problem]]


class Check(NamedTuple):
    code: str
    function: CheckFunction
    per_platform: bool  # run once per target platform, with ctx.image set
    needs_dockerfile: bool
    needs_metadata: bool


CHECKS: dict[str, Check] = {}


def check(
    code: str,
    *,
    per_platform: bool = False,
    needs_dockerfile: bool = False,
    needs_metadata: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check for rule ``code``."""

    def register(function: CheckFunction) -> CheckFunction:
        if code in CHECKS:
            raise ValueError(f"{code} is registered twice")
        CHECKS[code] = Check(code, function, per_platform, needs_dockerfile, needs_metadata)
        return function

    return register
