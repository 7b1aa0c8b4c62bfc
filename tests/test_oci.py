"""``mext-lint image`` on OCI layouts and archives built in Python: variants, whiteouts, labels,
metadata.json, binaries, and clear errors for broken images."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import tarfile
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from mext_lint.cli import main
from mext_lint.oci.blobs import Descriptor, Readable
from mext_lint.oci.layout import LayoutStore
from mext_lint.oci.load import load_image
from mext_lint.platforms import DEFAULT_PLATFORMS, Platform
from mext_lint.simulate.tree import Presence
from tests.oci_images import (
    HTML,
    MACHO_ARM64,
    METADATA,
    OCI_LAYER_GZIP,
    Entry,
    OciImage,
    Variant,
    build,
    directory,
    extension_layers,
    file,
    fixture_path,
    macho,
    opaque,
    whiteout,
    write_archive,
    write_docker_save,
    write_layout,
)

AMD64, ARM64 = DEFAULT_PLATFORMS


def lint(capsys: Any, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["image", *args, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else [], captured.err


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [f["code"] for f in findings]


def with_layers(change: Any) -> list[Variant]:
    """Both variants of the clean extension, each with ``change(arch, layers)`` applied."""
    variants = []
    for arch in ("amd64", "arm64"):
        layers = extension_layers(arch)
        change(arch, layers)
        variants.append(Variant(f"linux/{arch}", layers))
    return variants


# -- reading images --------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["layout", "archive"])
def test_a_clean_image_has_no_finding(tmp_path: Path, capsys: Any, form: str) -> None:
    code, findings, err = lint(capsys, str(fixture_path("clean", tmp_path, form)))
    assert (code, findings, err) == (0, [], "")


def test_a_legacy_docker_save_archive_is_one_platform(tmp_path: Path, capsys: Any) -> None:
    variant = Variant("linux/amd64", extension_layers("amd64"))
    archive = write_docker_save(variant, tmp_path / "saved.tar")
    code, findings, _ = lint(capsys, str(archive))
    assert code == 1 and codes(findings) == ["MX601"]
    assert "single-platform image (linux/amd64)" in findings[0]["message"]
    code, findings, _ = lint(capsys, str(archive), "--platform", "linux/amd64")
    assert (code, findings) == (0, [])


def test_docker_save_links_a_repeated_layer(tmp_path: Path, capsys: Any) -> None:
    layers = extension_layers("amd64")
    variant = Variant("linux/amd64", [*layers, layers[2]])  # the binaries layer twice
    archive = write_docker_save(variant, tmp_path / "saved.tar")
    with tarfile.open(archive) as tar:
        assert any(member.issym() for member in tar.getmembers())
    code, findings, err = lint(capsys, str(archive), "--platform", "linux/amd64")
    assert (code, findings, err) == (0, [], "")


def test_whiteouts_and_opaque_directories_apply_to_lower_layers(tmp_path: Path) -> None:
    store = LayoutStore(fixture_path("whiteouts", tmp_path), "img")
    loaded = load_image(store, DEFAULT_PLATFORMS)
    amd64, arm64 = (loaded.variants[p].image for p in DEFAULT_PLATFORMS)
    assert amd64.has("/darwin/kubectl").presence is Presence.YES
    removed = arm64.has("/darwin/kubectl")
    assert removed.presence is Presence.NO
    assert "removed by a whiteout in layer 4" in removed.origins[0].message
    for image in (amd64, arm64):
        assert image.has("/ui/old.js").presence is Presence.NO  # the opaque /ui emptied it
        assert image.has("/ui/index.html").presence is Presence.YES  # written in that layer
        assert image.has("/bin/sh").presence is Presence.YES
        assert image.has("/nothing").presence is Presence.NO


def test_a_whiteout_reported_as_a_missing_host_binary(tmp_path: Path, capsys: Any) -> None:
    code, findings, _ = lint(capsys, str(fixture_path("whiteouts", tmp_path)))
    assert code == 1 and codes(findings) == ["MX103"]
    assert findings[0]["platforms"] == ["linux/arm64"]
    assert findings[0]["path"].endswith("whiteouts!/metadata.json")
    assert (findings[0]["line"], findings[0]["column"]) == (15, 21)


def test_symlinked_and_hard_linked_binaries_are_read_through(tmp_path: Path, capsys: Any) -> None:
    def links(arch: str, layers: list[list[Entry]]) -> None:
        binaries = layers[2]
        binaries[:] = [e for e in binaries if e.path not in ("/darwin/kubectl", "/linux/kubectl")]
        binaries += [
            directory("/opt"),
            file("/opt/kubectl-darwin", macho(MACHO_ARM64), 0o755),
            Entry("/darwin/kubectl", link="../opt/kubectl-darwin"),
            Entry("/linux/kubectl", mode=0o755, hardlink="/opt/kubectl-darwin"),
        ]

    image = write_layout(build(with_layers(links)), tmp_path / "img")
    code, findings, _ = lint(capsys, str(image))
    assert code == 1
    messages = {(f["code"], f["message"].split(":")[0], tuple(f["platforms"])) for f in findings}
    assert messages == {
        (
            "MX602",
            'host binary "/darwin/kubectl" in the linux/amd64 image is a Mach-O (macOS)'
            " binary for arm64 only",
            ("linux/amd64",),
        ),
        (
            "MX602",
            'host binary "/linux/kubectl" in the linux/amd64 image is a Mach-O (macOS)'
            " binary for arm64 only",
            ("linux/amd64",),
        ),
    }


def test_labels_come_from_the_image_config(tmp_path: Path, capsys: Any) -> None:
    variants = with_layers(lambda arch, layers: None)
    for variant in variants:
        del variant.labels["com.docker.extension.changelog"]
        variant.labels["com.docker.extension.categories"] = ""
        variant.labels["com.docker.desktop.extension.api.version"] = "0.3.4"
    image = write_layout(build(variants), tmp_path / "img")
    code, findings, _ = lint(capsys, str(image))
    assert code == 1
    assert codes(findings) == ["MX201", "MX202", "MX204"]
    for finding in findings:
        assert (finding["path"], finding["line"], finding["column"]) == (str(image), 1, 1)
        assert finding["platforms"] == []
    assert '"com.docker.extension.changelog"' in findings[0]["message"]
    assert '"com.docker.extension.categories"' in findings[1]["message"]


def test_metadata_json_missing_from_the_image(tmp_path: Path, capsys: Any) -> None:
    def drop(arch: str, layers: list[list[Entry]]) -> None:
        layers[1][:] = [e for e in layers[1] if e.path != "/metadata.json"]

    image = write_layout(build(with_layers(drop)), tmp_path / "img")
    code, findings, _ = lint(capsys, str(image))
    assert code == 1 and codes(findings) == ["MX305"]
    assert (findings[0]["path"], findings[0]["line"]) == (str(image), 1)


def test_metadata_json_in_the_image_is_linted_at_its_lines(tmp_path: Path, capsys: Any) -> None:
    def broken(arch: str, layers: list[list[Entry]]) -> None:
        text = b'{\n  "icon": "docker.svg",\n  "ui": 3,\n}\n' if arch == "arm64" else None
        metadata = {"name": "kubectl", **METADATA, "icon": "missing.svg"}
        data = text or json.dumps(metadata, indent=2).encode()
        layers[1][0] = file("/metadata.json", data, 0o644)

    image = write_layout(build(with_layers(broken)), tmp_path / "img")
    _, findings, _ = lint(capsys, str(image))
    shown = {(f["code"], f["line"], tuple(f["platforms"])) for f in findings}
    assert ("MX002", 4, ("linux/arm64",)) in shown  # the trailing comma
    assert ("MX301", 2, ("linux/amd64",)) in shown  # name is not allowed
    assert ("MX302", 3, ("linux/amd64",)) in shown  # missing.svg is not in the image
    assert all(f["path"] == f"{image}!/metadata.json" for f in findings)


def test_layers_are_read_once_but_those_holding_host_binaries(tmp_path: Path) -> None:
    opened: list[str] = []

    class Counting(LayoutStore):
        def open_blob(self, descriptor: Descriptor) -> Readable:
            opened.append(descriptor.digest)
            return super().open_blob(descriptor)

    image = build(with_layers(lambda arch, layers: None))
    store = Counting(write_layout(image, tmp_path / "img"), "img")
    load_image(store, DEFAULT_PLATFORMS)
    amd64, arm64 = ([d["digest"] for d in json.loads(m[2])["layers"]] for m in image.manifests)
    assert amd64[1] == arm64[1]  # metadata.json, icon and UI: the same layer in both variants
    assert opened.count(amd64[1]) == 1
    for layers in (amd64, arm64):
        assert opened.count(layers[0]) == 1  # the base layer
        assert opened.count(layers[2]) == 2  # again for the host binaries' headers


def test_memory_stays_bounded_for_a_large_layer(tmp_path: Path) -> None:
    def add_big_layer(arch: str, layers: list[list[Entry]]) -> None:
        layers.insert(1, [file("/usr/lib/big.so", bytes(48 * 1024 * 1024))])

    directory_ = write_layout(build(with_layers(add_big_layer)), tmp_path / "img")
    tracemalloc.start()
    try:
        load_image(LayoutStore(directory_, "img"), DEFAULT_PLATFORMS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024


# -- the simulation check -------------------------------------------------------------------


def test_source_that_hard_codes_a_cpu_the_image_does_not_have(tmp_path: Path, capsys: Any) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "metadata.json").write_text(json.dumps(METADATA), encoding="utf-8")
    (source / "docker.svg").write_bytes(b"<svg/>")
    (source / "ui").mkdir()
    (source / "ui" / "index.html").write_bytes(HTML)
    (source / "Dockerfile").write_text(
        "FROM alpine AS dl\n"
        "RUN mkdir -p /out/darwin /out/linux /out/windows \\\n"
        " && curl -fSsLo /out/darwin/kubectl"
        " https://dl.k8s.io/release/v1.30.0/bin/darwin/amd64/kubectl \\\n"
        " && touch /out/linux/kubectl /out/windows/kubectl.exe\n"
        "FROM alpine\nCOPY metadata.json docker.svg /\nCOPY ui /ui\nCOPY --from=dl /out /\n",
        encoding="utf-8",
    )
    image = fixture_path("clean", tmp_path)
    code, findings, _ = lint(capsys, str(image), "--source", str(source), "--select", "MX604")
    assert code == 0  # info
    # (The source sets no label on its official base image: each label of the image differs.)
    findings = [f for f in findings if "/darwin/kubectl" in f["message"]]
    assert [(f["line"], f["platforms"]) for f in findings] == [(3, ["linux/arm64"])]
    assert (
        'says "/darwin/kubectl" is built for amd64, but the image\'s file is for arm64'
        in (findings[0]["message"])
    )


# -- broken images ---------------------------------------------------------------------------


def error_of(capsys: Any, *args: str) -> str:
    code, findings, err = lint(capsys, *args)
    assert code == 2 and findings == []
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and "internal error" not in err, err
    return lines[0]


def replace_layer(image: OciImage, blob: bytes, media_type: str, index: int = 0) -> OciImage:
    """``image`` with the amd64 variant's layer ``index`` replaced by ``blob``."""
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    image.blobs[digest] = blob
    _, old_digest, manifest = image.manifests[0]
    document = json.loads(manifest)
    document["layers"][index] = {"mediaType": media_type, "digest": digest, "size": len(blob)}
    new_manifest = json.dumps(document).encode()
    new_digest = "sha256:" + hashlib.sha256(new_manifest).hexdigest()
    image.blobs[new_digest] = new_manifest
    image.top = image.top.replace(old_digest.encode(), new_digest.encode()).replace(
        f'"size": {len(manifest)}'.encode(), f'"size": {len(new_manifest)}'.encode(), 1
    )
    return image


def blob_path(directory_: Path, digest: str) -> Path:
    return directory_ / "blobs" / "sha256" / digest.removeprefix("sha256:")


def test_a_missing_blob(tmp_path: Path, capsys: Any) -> None:
    image = build(with_layers(lambda arch, layers: None))
    directory_ = write_layout(image, tmp_path / "img")
    layer = json.loads(image.manifests[1][2])["layers"][2]["digest"]
    blob_path(directory_, layer).unlink()
    message = error_of(capsys, str(directory_))
    assert f"blob {layer} is missing" in message


def test_an_index_listing_a_variant_the_archive_lacks(tmp_path: Path, capsys: Any) -> None:
    image = build(with_layers(lambda arch, layers: None))
    del image.blobs[image.manifests[1][1]]  # docker save of linux/amd64 only
    code, findings, _ = lint(capsys, str(write_archive(image, tmp_path / "saved.tar")))
    assert code == 1 and [(f["code"], f["platforms"]) for f in findings] == [("MX601", [])]
    assert "the image index lists linux/arm64, but" in findings[0]["message"]
    assert "does not hold its manifest" in findings[0]["message"]


def test_a_digest_mismatch(tmp_path: Path, capsys: Any) -> None:
    image = build(with_layers(lambda arch, layers: None))
    directory_ = write_layout(image, tmp_path / "img")
    layer = json.loads(image.manifests[0][2])["layers"][1]["digest"]
    path = blob_path(directory_, layer)
    data = bytearray(path.read_bytes())
    data[-9] ^= 0xFF  # inside the gzip trailer: the tar still reads, the hash does not match
    path.write_bytes(bytes(data))
    message = error_of(capsys, str(directory_))
    assert "digest mismatch" in message and layer[:19] in message


def test_a_corrupt_layer(tmp_path: Path, capsys: Any) -> None:
    garbage = b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4
    image = replace_layer(build(with_layers(lambda arch, layers: None)), garbage, OCI_LAYER_GZIP)
    message = error_of(capsys, str(write_layout(image, tmp_path / "img")))
    assert "layer 1" in message and "is corrupt" in message


def test_a_truncated_archive(tmp_path: Path, capsys: Any) -> None:
    archive = fixture_path("clean", tmp_path, "archive")
    data = archive.read_bytes()
    with tarfile.open(archive) as tar:
        last = tar.getmembers()[-1]
    inside_last = last.offset_data + last.size // 2
    assert inside_last < len(data) - 1024  # (only zero padding follows the last member)
    for cut in (len(data) // 2, inside_last, 700):
        archive.write_bytes(data[:cut])
        message = error_of(capsys, str(archive))
        assert message.startswith(f"mext-lint: error: {archive}: ")
        assert "truncated" in message or "not a readable tar archive" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"hello, not a tar", "not a readable tar archive"),
        (gzip.compress(b"x" * 1024), "gzip-compressed; decompress it first"),
    ],
)
def test_files_that_are_no_image(
    tmp_path: Path, capsys: Any, content: bytes, expected: str
) -> None:
    path = tmp_path / "ext.tar"
    path.write_bytes(content)
    assert expected in error_of(capsys, str(path))


def test_a_tar_that_is_no_image(tmp_path: Path, capsys: Any) -> None:
    from tests.oci_images import write_tar

    path = write_tar({"README": b"hi"}, tmp_path / "x.tar")
    assert "neither an OCI archive" in error_of(capsys, str(path))


def test_a_directory_that_is_no_layout(tmp_path: Path, capsys: Any) -> None:
    assert "not an OCI image layout" in error_of(capsys, str(tmp_path))


def test_an_index_json_that_is_no_json(tmp_path: Path, capsys: Any) -> None:
    directory_ = fixture_path("clean", tmp_path)
    (directory_ / "index.json").write_text("{", encoding="utf-8")
    assert "index.json is not valid JSON" in error_of(capsys, str(directory_))


def test_neither_a_path_nor_a_reference(capsys: Any) -> None:
    assert "neither a file nor an image reference" in error_of(capsys, "no/SUCH:thing:here")


def test_zstd_layers_need_the_zstandard_module(tmp_path: Path, capsys: Any) -> None:
    if importlib.util.find_spec("zstandard") is not None:
        pytest.skip("zstandard is installed: the layer would be read")
    fake = b"\x28\xb5\x2f\xfd" + bytes(64)
    image = build(with_layers(lambda arch, layers: None))
    image = replace_layer(image, fake, "application/vnd.oci.image.layer.v1.tar+zstd")
    message = error_of(capsys, str(write_layout(image, tmp_path / "img")))
    assert "zstd-compressed; install the zstandard module" in message


def test_an_archive_of_an_index_with_platforms_nested(tmp_path: Path, capsys: Any) -> None:
    """Newer docker save: index.json points at the image's own index."""
    image = build(with_layers(lambda arch, layers: None))
    inner = image.add(image.top, "application/vnd.oci.image.index.v1+json")
    image.top = json.dumps(
        {
            "schemaVersion": 2,
            "manifests": [{**inner, "annotations": {"io.containerd.image.name": "example/ext:1"}}],
        }
    ).encode()
    code, findings, _ = lint(capsys, str(write_archive(image, tmp_path / "saved.tar")))
    assert (code, findings) == (0, [])


def test_platform_option_picks_the_variants(tmp_path: Path, capsys: Any) -> None:
    image = fixture_path("wrong-cpu-darwin", tmp_path)
    code, findings, _ = lint(capsys, str(image), "--platform", "linux/amd64")
    assert (code, findings) == (0, [])
    assert Platform("linux", "arm64") == ARM64


def test_zstd_layers_are_read_with_the_zstandard_module(tmp_path: Path, capsys: Any) -> None:
    zstandard = pytest.importorskip("zstandard")
    from tests.oci_images import layer_tar

    layers = extension_layers("amd64")
    image = build(
        [Variant("linux/amd64", layers), Variant("linux/arm64", extension_layers("arm64"))]
    )
    blob = zstandard.ZstdCompressor().compress(layer_tar(layers[2]))
    image = replace_layer(image, blob, "application/vnd.oci.image.layer.v1.tar+zstd", 2)
    code, findings, err = lint(capsys, str(write_layout(image, tmp_path / "img")))
    assert (code, findings, err) == (0, [], "")


def test_hostile_layers_never_crash(tmp_path: Path, capsys: Any) -> None:
    def hostile(arch: str, layers: list[list[Entry]]) -> None:
        layers.append(
            [
                file("../../escape", b"x"),
                file("/./odd/../metadata-copy.json", b"{}"),
                whiteout("/nowhere/at/all"),
                opaque("/not-a-dir-yet"),
                Entry("/loop/a", link="/loop/b"),
                Entry("/loop/b", link="/loop/a"),
                Entry("/hard", hardlink="/missing/target"),
                Entry("/darwin/kubectl", link="/opt/gone"),  # dangling
            ]
        )

    image = write_layout(build(with_layers(hostile)), tmp_path / "img")
    store = LayoutStore(image, "img")
    variant = load_image(store, (AMD64,)).variants[AMD64].image
    assert variant.has("/escape").presence is Presence.YES
    assert variant.has("/metadata-copy.json").presence is Presence.YES
    code, findings, err = lint(capsys, str(image))
    assert err == "" and code == 1
    assert [(f["code"], f["platforms"]) for f in findings] == [
        ("MX602", ["linux/amd64"]),
        ("MX602", ["linux/arm64"]),
    ]
    assert "is a symbolic link to a file the image lacks" in findings[0]["message"]


@pytest.mark.parametrize("output_format", ["text", "sarif", "github"])
def test_every_output_format_reports_image_findings(
    tmp_path: Path, capsys: Any, output_format: str
) -> None:
    image = str(fixture_path("amd64-only", tmp_path, "archive"))
    code = main(["image", image, "--format", output_format, "--no-color"])
    out = capsys.readouterr().out
    assert code == 1 and "MX601" in out
    if output_format == "sarif":
        result = json.loads(out)["runs"][0]["results"][0]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (result["ruleId"], region["startLine"]) == ("MX601", 1)


def test_a_corrupt_zstd_layer(tmp_path: Path, capsys: Any) -> None:
    pytest.importorskip("zstandard")
    garbage = b"\x28\xb5\x2f\xfd" + bytes(range(256)) * 2
    image = build(with_layers(lambda arch, layers: None))
    image = replace_layer(image, garbage, "application/vnd.oci.image.layer.v1.tar+zstd")
    message = error_of(capsys, str(write_layout(image, tmp_path / "img")))
    assert "layer 1" in message and "is corrupt" in message
