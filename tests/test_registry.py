"""``mext-lint image`` by registry reference, against a real registry on loopback."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mext_lint.cli import main
from tests.oci_images import FIXTURES
from tests.registry_server import AuthFront, push, registry_available, running_registry


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not registry_available():
        reason = "needs Debian's docker-registry (.ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with running_registry(tmp_path_factory.mktemp("registry")) as address:
        for name in ("clean", "amd64-only", "wrong-cpu-darwin", "universal-darwin", "whiteouts"):
            push(address, f"ext/{name}", "1.0.0", FIXTURES[name]())
        push(address, "single/ext", "1.0.0", FIXTURES["single-platform"]())
        yield address


def lint(capsys: Any, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["image", *args, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else [], captured.err


def test_a_clean_multi_platform_image(registry: str, capsys: Any) -> None:
    assert lint(capsys, f"{registry}/ext/clean:1.0.0", "--insecure") == (0, [], "")


def test_a_missing_arm64_variant_is_reported_at_the_reference(registry: str, capsys: Any) -> None:
    reference = f"{registry}/ext/amd64-only:1.0.0"
    code, findings, _ = lint(capsys, reference, "--insecure")
    assert code == 1
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [("MX601", reference, 1)]


def test_a_single_platform_manifest_by_tag(registry: str, capsys: Any) -> None:
    code, findings, _ = lint(capsys, f"{registry}/single/ext:1.0.0", "--insecure")
    assert code == 1 and [f["code"] for f in findings] == ["MX601"]
    assert "single-platform image (linux/amd64)" in findings[0]["message"]


def test_wrong_cpu_and_whiteouts_by_reference(registry: str, capsys: Any) -> None:
    code, findings, _ = lint(capsys, f"{registry}/ext/wrong-cpu-darwin:1.0.0", "--insecure")
    assert code == 1
    assert [(f["code"], f["platforms"]) for f in findings] == [("MX602", ["linux/arm64"])]
    code, findings, _ = lint(capsys, f"{registry}/ext/whiteouts:1.0.0", "--insecure")
    assert [(f["code"], f["platforms"]) for f in findings] == [("MX103", ["linux/arm64"])]
    code, findings, _ = lint(capsys, f"{registry}/ext/universal-darwin:1.0.0", "--insecure")
    assert (code, findings) == (0, [])


def test_by_digest(registry: str, capsys: Any) -> None:
    from tests.registry_server import request

    status, headers, _ = request(
        registry,
        "HEAD",
        "/v2/ext/clean/manifests/1.0.0",
        headers={"Accept": "application/vnd.oci.image.index.v1+json"},
    )
    assert status == 200
    digest = headers["Docker-Content-Digest"]
    assert lint(capsys, f"{registry}/ext/clean@{digest}", "--insecure")[0] == 0
    wrong = "sha256:" + "0" * 64
    code, _, err = lint(capsys, f"{registry}/ext/clean@{wrong}", "--insecure")
    assert code == 2 and "404 not found" in err


def test_unknown_repository_or_tag(registry: str, capsys: Any) -> None:
    code, findings, err = lint(capsys, f"{registry}/ext/clean:9.9.9", "--insecure")
    assert (code, findings) == (2, [])
    assert err.count("\n") == 1 and "manifest 9.9.9: 404 not found" in err


def test_plain_http_registry_without_insecure(registry: str, capsys: Any) -> None:
    code, _, err = lint(capsys, f"{registry}/ext/clean:1.0.0")
    assert code == 2 and err.count("\n") == 1
    assert "--insecure" in err


def test_an_unreachable_registry(capsys: Any, tmp_path: Path) -> None:
    from tests.registry_server import free_port

    code, _, err = lint(capsys, f"127.0.0.1:{free_port()}/ext/clean:1.0.0", "--insecure")
    assert code == 2 and "cannot reach 127.0.0.1" in err and "Traceback" not in err


@pytest.fixture()
def auth_front(registry: str) -> Iterator[AuthFront]:
    front = AuthFront(registry, base64.b64encode(b"publisher:s3cret").decode())
    try:
        yield front
    finally:
        front.close()


def write_docker_config(directory: Path, registry: str, auth: str) -> None:
    config = {"auths": {registry: {"auth": auth}}, "credsStore": "desktop"}
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")


def test_bearer_token_with_credentials_from_the_docker_config(
    auth_front: AuthFront, capsys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_docker_config(tmp_path, auth_front.address, auth_front.basic)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    reference = f"{auth_front.address}/ext/wrong-cpu-darwin:1.0.0"
    code, findings, err = lint(capsys, reference, "--insecure")
    assert (code, [f["code"] for f in findings], err) == (1, ["MX602"], "")
    authorization, path = auth_front.token_requests[0]
    assert authorization == f"Basic {auth_front.basic}"
    assert "service=test-registry" in path
    assert "scope=repository%3Aext%2Fwrong-cpu-darwin%3Apull" in path
    # Blobs came through the redirect, and the registry's token stayed with the registry.
    assert auth_front.cdn_authorizations and not any(auth_front.cdn_authorizations)


def test_the_token_service_refuses_without_credentials(
    auth_front: AuthFront, capsys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))  # no config.json there
    code, findings, err = lint(capsys, f"{auth_front.address}/ext/clean:1.0.0", "--insecure")
    assert (code, findings) == (2, [])
    assert "the token service refused: 401 unauthorized" in err and err.count("\n") == 1


def test_a_manifest_that_does_not_match_the_registry_digest(
    auth_front: AuthFront, capsys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_docker_config(tmp_path, auth_front.address, auth_front.basic)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    auth_front.tamper = True
    code, findings, err = lint(capsys, f"{auth_front.address}/ext/clean:1.0.0", "--insecure")
    assert (code, findings) == (2, [])
    assert "digest mismatch: the manifest hashes to sha256:" in err and err.count("\n") == 1
