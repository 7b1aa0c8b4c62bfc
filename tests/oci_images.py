"""Extension images built in Python for the image tests: real OCI layouts, OCI archives, docker
save archives and registry pushes, with tiny binaries whose headers are real ELF, Mach-O and PE.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import struct
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# -- binaries ------------------------------------------------------------------------------------

ELF_X86_64, ELF_AARCH64 = 62, 183
MACHO_X86_64, MACHO_ARM64 = 0x01000007, 0x0100000C
PE_AMD64, PE_ARM64, PE_I386 = 0x8664, 0xAA64, 0x14C


def elf(machine: int) -> bytes:
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHI", 2, machine, 1) + bytes(40) + b"payload"


def macho(cpu: int) -> bytes:
    return struct.pack("<IIIIIII", 0xFEEDFACF, cpu, 3, 2, 0, 0, 0) + bytes(4) + b"payload"


def universal(*cpus: int) -> bytes:
    header = struct.pack(">II", 0xCAFEBABE, len(cpus))
    slices = [macho(cpu) for cpu in cpus]
    offset = 4096
    for cpu, data in zip(cpus, slices, strict=True):
        header += struct.pack(">IIIII", cpu, 3, offset, len(data), 12)
        offset += 4096
    body = header.ljust(4096, b"\0")
    for data in slices:
        body += data.ljust(4096, b"\0")
    return body


def pe(machine: int) -> bytes:
    stub = b"MZ" + bytes(0x3A) + struct.pack("<I", 0x80)
    return stub.ljust(0x80, b"\0") + b"PE\0\0" + struct.pack("<H", machine) + bytes(18)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n'
HTML = b"<!doctype html><title>Kubectl</title>\n"
LABELS = {  # those of examples/kubectl-multiarch/Dockerfile
    "org.opencontainers.image.title": "Kubectl",
    "org.opencontainers.image.description": "Run kubectl from Docker Desktop against your local"
    " cluster.",
    "org.opencontainers.image.vendor": "Example Corp",
    "com.docker.desktop.extension.api.version": ">= 0.3.3",
    "com.docker.desktop.extension.icon": "https://example.com/kubectl-extension/icon.svg",
    "com.docker.extension.screenshots": '[{"alt": "Cluster overview", "url":'
    ' "https://example.com/kubectl-extension/overview.png"}]',
    "com.docker.extension.detailed-description": "<p>Browse and manage your Kubernetes cluster"
    " with kubectl, shipped for macOS, Windows and Linux hosts.</p>",
    "com.docker.extension.publisher-url": "https://example.com",
    "com.docker.extension.additional-urls": '[{"title": "Documentation", "url":'
    ' "https://example.com/kubectl-extension/docs"}]',
    "com.docker.extension.changelog": "<ul><li>First release.</li></ul>",
    "com.docker.extension.categories": "kubernetes,utility-tools",
}
METADATA = {
    "icon": "docker.svg",
    "ui": {"dashboard-tab": {"title": "Kubectl", "src": "index.html", "root": "ui"}},
    "host": {
        "binaries": [
            {
                "darwin": [{"path": "/darwin/kubectl"}],
                "windows": [{"path": "/windows/kubectl.exe"}],
                "linux": [{"path": "/linux/kubectl"}],
            }
        ]
    },
}

# -- layers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One tar member: a file (``data``), a directory (``data`` None) or a symlink (``link``)."""

    path: str
    data: bytes | None = b""
    mode: int = 0o644
    link: str | None = None
    hardlink: str | None = None


def file(path: str, data: bytes, mode: int = 0o755) -> Entry:
    return Entry(path, data, mode)


def directory(path: str) -> Entry:
    return Entry(path, None, 0o755)


def whiteout(path: str) -> Entry:
    head, _, name = path.rpartition("/")
    return Entry(f"{head}/.wh.{name}", b"", 0o644)


def opaque(path: str) -> Entry:
    return Entry(f"{path.rstrip('/')}/.wh..wh..opq", b"", 0o644)


def layer_tar(entries: list[Entry]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry.path.lstrip("/"))
            info.mode = entry.mode
            if entry.link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, entry.link
                tar.addfile(info)
            elif entry.hardlink is not None:
                info.type, info.linkname = tarfile.LNKTYPE, entry.hardlink.lstrip("/")
                tar.addfile(info)
            elif entry.data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(entry.data)
                tar.addfile(info, io.BytesIO(entry.data))
    return buffer.getvalue()


# -- images --------------------------------------------------------------------------------------

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


@dataclass
class Variant:
    platform: str  # os/arch
    layers: list[list[Entry]]
    labels: dict[str, str] = field(default_factory=lambda: dict(LABELS))


@dataclass
class OciImage:
    """Blobs by digest and the top-level index (or manifest) document."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    top: bytes = b""
    top_type: str = OCI_INDEX
    manifests: list[tuple[str, str, bytes]] = field(default_factory=list)  # platform, digest

    def add(self, data: bytes, media_type: str) -> dict[str, object]:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data)}


def build(variants: list[Variant], *, index: bool = True, attestation: bool = True) -> OciImage:
    image = OciImage()
    entries = []
    for variant in variants:
        os_name, arch = variant.platform.split("/")
        manifest = _manifest(image, variant, os_name, arch)
        descriptor = image.add(manifest, OCI_MANIFEST)
        image.manifests.append((variant.platform, str(descriptor["digest"]), manifest))
        entries.append({**descriptor, "platform": {"os": os_name, "architecture": arch}})
        if attestation:
            entries.append(_attestation(image, str(descriptor["digest"])))
    if index:
        image.top = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})
        image.top = image.top.encode() if isinstance(image.top, str) else image.top
    else:
        image.top, image.top_type = image.manifests[0][2], OCI_MANIFEST
    return image


def _manifest(image: OciImage, variant: Variant, os_name: str, arch: str) -> bytes:
    tars = [layer_tar(layer) for layer in variant.layers]
    diff_ids = ["sha256:" + hashlib.sha256(t).hexdigest() for t in tars]
    config = {
        "architecture": arch,
        "os": os_name,
        "config": {"Labels": variant.labels, "Env": ["PATH=/usr/bin"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    config_descriptor = image.add(json.dumps(config).encode(), OCI_CONFIG)
    layers = [image.add(gzip.compress(t, mtime=0), OCI_LAYER_GZIP) for t in tars]
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config_descriptor,
        "layers": layers,
    }
    return json.dumps(manifest).encode()


def _attestation(image: OciImage, subject: str) -> dict[str, object]:
    """What buildx adds by default: a provenance manifest for platform unknown/unknown."""
    config = image.add(b"{}", OCI_CONFIG)
    manifest = json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": []}
    ).encode()
    return {
        **image.add(manifest, OCI_MANIFEST),
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {
            "vnd.docker.reference.type": "attestation-manifest",
            "vnd.docker.reference.digest": subject,
        },
    }


def layout_files(image: OciImage) -> dict[str, bytes]:
    """The files of an OCI image layout for ``image``."""
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}'}
    if image.top_type == OCI_INDEX:
        files["index.json"] = image.top
    else:  # a layout's index.json always is an index: point it at the manifest
        descriptor = image.add(image.top, OCI_MANIFEST)
        files["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [descriptor]}).encode()
    for digest, data in image.blobs.items():
        files[f"blobs/sha256/{digest.removeprefix('sha256:')}"] = data
    return files


def write_layout(image: OciImage, directory: Path) -> Path:
    for name, data in layout_files(image).items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return directory


def write_tar(files: dict[str, bytes], path: Path, links: dict[str, str] | None = None) -> Path:
    with tarfile.open(path, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return path


def write_archive(image: OciImage, path: Path) -> Path:
    return write_tar(layout_files(image), path)


def write_docker_save(variant: Variant, path: Path) -> Path:
    """The legacy ``docker save`` format: manifest.json, <hex>.json, <id>/layer.tar."""
    os_name, arch = variant.platform.split("/")
    tars = [layer_tar(layer) for layer in variant.layers]
    diff_ids = ["sha256:" + hashlib.sha256(t).hexdigest() for t in tars]
    config = json.dumps(
        {
            "architecture": arch,
            "os": os_name,
            "config": {"Labels": variant.labels},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }
    ).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    files = {config_name: config}
    links = {}
    layer_names = []
    first_of: dict[bytes, str] = {}
    for number, data in enumerate(tars):
        name = f"{hashlib.sha256(b'v1-%d' % number).hexdigest()}/layer.tar"
        if data in first_of:  # docker save links a repeated layer to the first copy
            links[name] = f"../{first_of[data]}"
        else:
            files[name] = data
            first_of[data] = name
        layer_names.append(name)
    manifest = [{"Config": config_name, "RepoTags": ["example/ext:1"], "Layers": layer_names}]
    files["manifest.json"] = json.dumps(manifest).encode()
    return write_tar(files, path, links)


# -- the extensions ------------------------------------------------------------------------------

ARCH = {"amd64": (ELF_X86_64, MACHO_X86_64), "arm64": (ELF_AARCH64, MACHO_ARM64)}


def base_layer() -> list[Entry]:
    return [directory("/bin"), file("/bin/sh", elf(ELF_X86_64))]


def extension_layers(
    arch: str, *, darwin: bytes | None = None, mode: int = 0o755, windows: bool = True
) -> list[list[Entry]]:
    elf_machine, macho_cpu = ARCH[arch]
    files = [
        file("/metadata.json", json.dumps(METADATA, indent=2).encode(), 0o644),
        file("/docker.svg", SVG, 0o644),
        directory("/ui"),
        file("/ui/index.html", HTML, 0o644),
    ]
    binaries = [
        directory("/darwin"),
        file("/darwin/kubectl", darwin if darwin is not None else macho(macho_cpu), mode),
        directory("/linux"),
        file("/linux/kubectl", elf(elf_machine), mode),
    ]
    if windows:
        binaries += [directory("/windows"), file("/windows/kubectl.exe", pe(PE_AMD64))]
    return [base_layer(), files, binaries]


def clean() -> OciImage:
    return build([Variant(f"linux/{a}", extension_layers(a)) for a in ("amd64", "arm64")])


def kubectl_example() -> OciImage:
    """What examples/kubectl-multiarch builds: kubectl.exe in the amd64 variant only."""
    return build(
        [
            Variant(f"linux/{a}", extension_layers(a, windows=a == "amd64"))
            for a in ("amd64", "arm64")
        ]
    )


def amd64_only() -> OciImage:
    return build([Variant("linux/amd64", extension_layers("amd64"))])


def single_platform() -> OciImage:
    return build([Variant("linux/amd64", extension_layers("amd64"))], index=False)


def wrong_cpu_darwin() -> OciImage:
    """The darwin binary is the Intel build in both variants."""
    return build(
        [
            Variant(f"linux/{a}", extension_layers(a, darwin=macho(MACHO_X86_64)))
            for a in ("amd64", "arm64")
        ]
    )


def universal_darwin() -> OciImage:
    fat = universal(MACHO_X86_64, MACHO_ARM64)
    return build(
        [Variant(f"linux/{a}", extension_layers(a, darwin=fat)) for a in ("amd64", "arm64")]
    )


def linux_binary_for_darwin() -> OciImage:
    return build(
        [
            Variant(f"linux/{a}", extension_layers(a, darwin=elf(ARCH[a][0])))
            for a in ("amd64", "arm64")
        ]
    )


def not_executable() -> OciImage:
    return build(
        [Variant(f"linux/{a}", extension_layers(a, mode=0o644)) for a in ("amd64", "arm64")]
    )


def whiteouts() -> OciImage:
    """A later layer removes the arm64 darwin binary with a whiteout, and empties /ui (opaque)
    then puts a new index.html there."""
    variants = []
    for arch in ("amd64", "arm64"):
        layers = extension_layers(arch)
        layers[1].append(file("/ui/old.js", b"old", 0o644))
        cleanup = [opaque("/ui"), file("/ui/index.html", HTML, 0o644)]
        if arch == "arm64":
            cleanup.append(whiteout("/darwin/kubectl"))
        variants.append(Variant(f"linux/{arch}", [*layers, cleanup]))
    return build(variants)


FIXTURES: dict[str, Callable[[], OciImage]] = {
    "clean": clean,
    "kubectl-example": kubectl_example,
    "amd64-only": amd64_only,
    "single-platform": single_platform,
    "wrong-cpu-darwin": wrong_cpu_darwin,
    "universal-darwin": universal_darwin,
    "linux-binary-for-darwin": linux_binary_for_darwin,
    "not-executable": not_executable,
    "whiteouts": whiteouts,
}


def fixture_path(name: str, where: Path, form: str = "layout") -> Path:
    """Write fixture ``name`` below ``where`` as a ``layout`` directory or an ``archive``."""
    image = FIXTURES[name]()
    if form == "archive":
        return write_archive(image, where / f"{name}.tar")
    return write_layout(image, where / name)
