"""Executable headers: ELF, Mach-O thin and universal, PE, scripts, and what else a download is."""

from __future__ import annotations

import struct

import pytest

from mext_lint.oci.binaries import HEAD_BYTES, MAX_HEAD_BYTES, bytes_needed, identify
from tests.oci_images import (
    ELF_AARCH64,
    ELF_X86_64,
    MACHO_ARM64,
    MACHO_X86_64,
    PE_AMD64,
    PE_ARM64,
    PE_I386,
    elf,
    macho,
    pe,
    universal,
)


@pytest.mark.parametrize(
    ("data", "fmt", "archs", "words"),
    [
        (elf(ELF_X86_64), "elf", ("amd64",), "an ELF (Linux) binary for x86-64 only"),
        (elf(ELF_AARCH64), "elf", ("arm64",), "an ELF (Linux) binary for aarch64 only"),
        (macho(MACHO_X86_64), "mach-o", ("amd64",), "a Mach-O (macOS) binary for x86_64 only"),
        (macho(MACHO_ARM64), "mach-o", ("arm64",), "a Mach-O (macOS) binary for arm64 only"),
        (pe(PE_AMD64), "pe", ("amd64",), "a PE (Windows) binary for x64 only"),
        (pe(PE_ARM64), "pe", ("arm64",), "a PE (Windows) binary for ARM64 only"),
        (pe(PE_I386), "pe", ("386",), "a PE (Windows) binary for x86 only"),
    ],
)
def test_thin_binaries(data: bytes, fmt: str, archs: tuple[str, ...], words: str) -> None:
    found = identify(data)
    assert (found.format, found.archs) == (fmt, archs)
    assert found.describe() == words


def test_universal_macho_lists_every_slice() -> None:
    found = identify(universal(MACHO_X86_64, MACHO_ARM64))
    assert found.format == "mach-o" and found.archs == ("amd64", "arm64") and found.universal
    assert found.describe() == "a Mach-O (macOS) universal binary for x86_64, arm64"


def test_big_endian_elf() -> None:
    header = b"\x7fELF" + bytes([2, 2, 1, 0]) + bytes(8) + struct.pack(">HH", 2, 22)
    assert identify(header + bytes(40)).archs == ("s390x",)


def test_java_class_is_not_a_universal_binary() -> None:
    java = b"\xca\xfe\xba\xbe" + struct.pack(">HH", 0, 61) + bytes(100)
    assert identify(java).format == "other"


@pytest.mark.parametrize(
    ("data", "fmt", "words"),
    [
        (b"", "empty", "an empty file"),
        (b"#!/bin/sh\necho hi\n", "script", "a script (#!/bin/sh)"),
        (b"<!DOCTYPE html><html>404</html>", "other", "an HTML or XML page (a failed download?)"),
        (b"\x1f\x8b\x08\x00rest", "other", "a gzip archive (never unpacked?)"),
        (b"PK\x03\x04rest", "other", "a zip archive (never unpacked?)"),
        (b"echo hello\n", "other", "a text file without a #! line"),
        (b"MZ" + bytes(100), "other", "an MS-DOS program without a PE header"),
    ],
)
def test_what_else_a_file_is(data: bytes, fmt: str, words: str) -> None:
    found = identify(data)
    assert (found.format, found.describe()) == (fmt, words)


def test_headers_beyond_the_first_block_ask_for_more_bytes() -> None:
    far_pe = b"MZ" + bytes(0x3A) + struct.pack("<I", 10_000)
    assert bytes_needed(far_pe) == 10_006
    many = struct.pack(">II", 0xCAFEBABE, 40) + bytes(32)
    assert bytes_needed(many) == HEAD_BYTES  # 8 + 40 * 20 fits the first block
    hostile = b"MZ" + bytes(0x3A) + struct.pack("<I", 0xFFFFFFF0)
    assert bytes_needed(hostile) == MAX_HEAD_BYTES
    assert identify(hostile).format == "other"  # the PE header is not where it says


def test_a_truncated_header_is_no_crash() -> None:
    for data in (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe\x00\x00\x00\x02", b"MZ"):
        identify(data)
