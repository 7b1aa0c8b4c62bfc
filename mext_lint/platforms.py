"""Target platforms and the Docker Desktop hosts that pull each image variant."""

from typing import NamedTuple


class Platform(NamedTuple):
    os: str
    arch: str
    variant: str = ""

    @classmethod
    def parse(cls, text: str) -> "Platform":
        """Parse ``linux/amd64`` or ``linux/arm/v7``; raise ValueError on anything else."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"invalid platform {text!r} (expected os/arch, e.g. linux/arm64)")
        return cls(*(p.lower() for p in parts))

    def __str__(self) -> str:
        return "/".join(p for p in self if p)

    def build_args(self, prefix: str = "TARGET") -> dict[str, str]:
        """The automatic platform ARGs BuildKit defines, e.g. TARGETARCH=arm64."""
        return {
            f"{prefix}PLATFORM": str(self),
            f"{prefix}OS": self.os,
            f"{prefix}ARCH": self.arch,
            f"{prefix}VARIANT": self.variant,
        }


DEFAULT_PLATFORMS: tuple[Platform, ...] = (Platform("linux", "amd64"), Platform("linux", "arm64"))

# Where the build runs is unknown to a static linter; BuildKit's automatic BUILD* ARGs are
# therefore treated as unknown values by the simulator, never as a guess.


class Host(NamedTuple):
    """A machine running Docker Desktop, and the image variant it pulls."""

    os: str
    arch: str
    label: str
    supported: bool

    @property
    def key(self) -> str:
        return f"{self.os}/{self.arch}"

    @property
    def pulls(self) -> "Platform":
        return Platform("linux", self.arch)


HOSTS: tuple[Host, ...] = (
    Host("darwin", "amd64", "macOS on Intel", True),
    Host("darwin", "arm64", "macOS on Apple silicon", True),
    Host("windows", "amd64", "Windows on x86_64", True),
    Host("windows", "arm64", "Windows on Arm", False),
    Host("linux", "amd64", "Linux on x86_64", True),
)
