"""What a host binary is, from its first bytes: ELF, Mach-O (thin or universal), PE or a script.

Only headers are read: the first ``HEAD_BYTES``, and more when a universal Mach-O's arch table
or a PE header sits further in (``bytes_needed``), never past ``MAX_HEAD_BYTES``.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

HEAD_BYTES = 4096
MAX_HEAD_BYTES = 64 * 1024

ELF_MACHINES = {62: "amd64", 183: "arm64", 3: "386", 40: "arm", 243: "riscv64", 22: "s390x"}
ELF_NAMES = {"amd64": "x86-64", "arm64": "aarch64"}
MACHO_CPUS = {0x01000007: "amd64", 0x0100000C: "arm64", 7: "386", 12: "arm", 18: "ppc"}
MACHO_NAMES = {"amd64": "x86_64", "arm64": "arm64"}
PE_MACHINES = {0x8664: "amd64", 0xAA64: "arm64", 0x14C: "386", 0x1C4: "arm", 0xA641: "arm64ec"}
PE_NAMES = {"amd64": "x64", "arm64": "ARM64", "386": "x86", "arm64ec": "ARM64EC"}
FORMAT_OS = {"elf": "linux", "mach-o": "darwin", "pe": "windows"}
FORMAT_NAMES = {"elf": "an ELF (Linux)", "mach-o": "a Mach-O (macOS)", "pe": "a PE (Windows)"}

_MACHO_THIN = {
    b"\xcf\xfa\xed\xfe": "<",
    b"\xce\xfa\xed\xfe": "<",
    b"\xfe\xed\xfa\xcf": ">",
    b"\xfe\xed\xfa\xce": ">",
}
_FAT = {b"\xca\xfe\xba\xbe": 20, b"\xca\xfe\xba\xbf": 32}  # magic -> size of one arch entry
_MAX_FAT_ARCHS = 42  # above this 0xcafebabe is a Java class file, not a universal binary
_NOT_EXECUTABLE: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "a gzip archive (never unpacked?)"),
    (b"PK\x03\x04", "a zip archive (never unpacked?)"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive (never unpacked?)"),
    (b"version https://git-lfs.github.com/spec/", "a Git LFS pointer (never pulled?)"),
)


class Executable(NamedTuple):
    """What a file is as an executable."""

    format: str  # "elf", "mach-o", "pe", "script", "empty" or "other"
    archs: tuple[str, ...] = ()  # CPUs (amd64, arm64, 386, ...): several for a universal binary
    detail: str = ""  # for "other": what it looks like; for "script": the #! line

    @property
    def os(self) -> str | None:
        """The OS whose executable format this is; None for scripts and non-executables."""
        return FORMAT_OS.get(self.format)

    @property
    def universal(self) -> bool:
        return self.format == "mach-o" and len(self.archs) > 1

    def describe(self) -> str:
        """In words, e.g. "a Mach-O (macOS) binary for x86_64 only"."""
        if self.format == "empty":
            return "an empty file"
        if self.format == "script":
            return f"a script ({self.detail})"
        if self.format == "other":
            return self.detail
        names = {"elf": ELF_NAMES, "mach-o": MACHO_NAMES, "pe": PE_NAMES}[self.format]
        cpus = [names.get(arch, arch) for arch in self.archs] or ["an unknown CPU"]
        kind = "universal binary" if self.universal else "binary"
        if len(cpus) == 1:
            return f"{FORMAT_NAMES[self.format]} {kind} for {cpus[0]} only"
        return f"{FORMAT_NAMES[self.format]} {kind} for {', '.join(cpus)}"


def bytes_needed(head: bytes) -> int:
    """How many bytes from the start identify the file (at most MAX_HEAD_BYTES)."""
    need = HEAD_BYTES
    entry = _FAT.get(head[:4])
    if entry is not None and len(head) >= 8:
        count = struct.unpack(">I", head[4:8])[0]
        if count <= _MAX_FAT_ARCHS:
            need = 8 + count * entry
    elif head[:2] == b"MZ" and len(head) >= 0x40:
        need = struct.unpack("<I", head[0x3C:0x40])[0] + 6
    return max(HEAD_BYTES, min(need, MAX_HEAD_BYTES))


def identify(head: bytes) -> Executable:
    """What ``head`` (the start of a file, see ``bytes_needed``) is."""
    if not head:
        return Executable("empty")
    if head[:4] == b"\x7fELF":
        return _elf(head)
    if head[:4] in _MACHO_THIN:
        return _macho(head)
    if head[:4] in _FAT:
        fat = _fat(head)
        if fat is not None:
            return fat
    if head[:2] == b"MZ":
        return _pe(head)
    if head[:2] == b"#!":
        line = head[2:].split(b"\n", 1)[0].strip().decode("utf-8", "replace")
        return Executable("script", detail=f"#!{line}")
    return Executable("other", detail=_what_else(head))


def _elf(head: bytes) -> Executable:
    if len(head) < 20:
        return Executable("elf")
    order = ">" if head[5] == 2 else "<"
    machine = struct.unpack(f"{order}H", head[18:20])[0]
    return Executable("elf", (ELF_MACHINES.get(machine, f"machine {machine}"),))


def _macho(head: bytes) -> Executable:
    if len(head) < 8:
        return Executable("mach-o")
    cpu = struct.unpack(f"{_MACHO_THIN[head[:4]]}I", head[4:8])[0]
    return Executable("mach-o", (_macho_cpu(cpu),))


def _macho_cpu(cpu: int) -> str:
    return MACHO_CPUS.get(cpu, f"cputype {cpu:#x}")


def _fat(head: bytes) -> Executable | None:
    if len(head) < 8:
        return None
    count = struct.unpack(">I", head[4:8])[0]
    if count > _MAX_FAT_ARCHS:
        return None  # a Java class file shares the magic number
    entry = _FAT[head[:4]]
    archs = []
    for index in range(count):
        start = 8 + index * entry
        if start + 4 > len(head):
            break
        archs.append(_macho_cpu(struct.unpack(">I", head[start : start + 4])[0]))
    return Executable("mach-o", tuple(dict.fromkeys(archs)))


def _pe(head: bytes) -> Executable:
    if len(head) < 0x40:
        return Executable("other", detail="an MS-DOS stub without a PE header")
    offset = struct.unpack("<I", head[0x3C:0x40])[0]
    if head[offset : offset + 4] != b"PE\x00\x00" or len(head) < offset + 6:
        return Executable("other", detail="an MS-DOS program without a PE header")
    machine = struct.unpack("<H", head[offset + 4 : offset + 6])[0]
    return Executable("pe", (PE_MACHINES.get(machine, f"machine {machine:#x}"),))


def _what_else(head: bytes) -> str:
    for signature, what in _NOT_EXECUTABLE:
        if head.startswith(signature):
            return what
    text = head[:512].decode("utf-8", "replace").lstrip("\ufeff \t\r\n").lower()
    if text.startswith(("<!doctype html", "<html", "<?xml")):
        return "an HTML or XML page (a failed download?)"
    if "\ufffd" not in text and "\x00" not in text:
        return "a text file without a #! line"
    return "not an executable (no ELF, Mach-O or PE header)"
