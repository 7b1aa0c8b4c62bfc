"""A real registry on loopback for the tests (Debian's docker-registry), and a client that pushes
the Python-built images to it over the distribution API."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.oci_images import OCI_INDEX, OCI_MANIFEST, OciImage

REGISTRY_BINARY = "/usr/bin/docker-registry"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def registry_available() -> bool:
    return shutil.which(REGISTRY_BINARY) is not None


@contextmanager
def running_registry(directory: Path) -> Iterator[str]:
    """Start the registry with its storage in ``directory``; yield ``127.0.0.1:port``."""
    port = free_port()
    config = directory / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log: {level: error}\n"
        f"storage: {{filesystem: {{rootdirectory: {directory / 'storage'}}}}}\n"
        f"http: {{addr: 127.0.0.1:{port}}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [REGISTRY_BINARY, "serve", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while not _answers(address):
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"the registry did not start: {error[-2000:]}")
            time.sleep(0.05)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(address: str) -> bool:
    try:
        status, _, _ = request(address, "GET", "/v2/")
    except OSError:
        return False
    return status == 200


def request(
    address: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(address, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def push(address: str, repository: str, tag: str, image: OciImage) -> None:
    """Push every blob, every platform manifest by digest, then the index (or manifest) by tag."""
    manifests = {digest for _, digest, _ in image.manifests}
    for digest, data in image.blobs.items():
        if digest in manifests or data.startswith(b'{"schemaVersion"'):
            continue
        _upload(address, repository, digest, data)
    for digest, data in image.blobs.items():  # attestation and platform manifests
        if data.startswith(b'{"schemaVersion"'):
            _put_manifest(address, repository, digest, data, OCI_MANIFEST)
    _put_manifest(address, repository, tag, image.top, image.top_type)


def _upload(address: str, repository: str, digest: str, data: bytes) -> None:
    status, headers, body = request(address, "POST", f"/v2/{repository}/blobs/uploads/")
    assert status == 202, (status, body)
    location = urlsplit(headers["Location"])
    separator = "&" if location.query else "?"
    path = f"{location.path}?{location.query}{separator}digest={digest}".replace("?&", "?")
    status, _, body = request(
        address, "PUT", path, data, {"Content-Type": "application/octet-stream"}
    )
    assert status == 201, (status, body)


def _put_manifest(address: str, repository: str, ref: str, data: bytes, media: str) -> None:
    media = json.loads(data).get("mediaType", media) if media != OCI_INDEX else media
    status, _, body = request(
        address, "PUT", f"/v2/{repository}/manifests/{ref}", data, {"Content-Type": media}
    )
    assert status == 201, (status, body)


# -- a token-authenticating front for the registry --------------------------------------------

TOKEN = "test-token"


class AuthFront:
    """Docker Hub's scheme in front of ``registry``: 401 with a Bearer challenge, a token service
    that wants Basic credentials, and blob downloads redirected to another host (a CDN) that
    must not receive the registry credentials."""

    def __init__(self, registry: str, basic: str) -> None:
        import threading
        from http.server import ThreadingHTTPServer

        self.registry = registry
        self.basic = basic
        self.tamper = False  # alter manifests on the way, keeping the registry's digest header
        self.token_requests: list[tuple[str | None, str]] = []
        self.cdn_authorizations: list[str | None] = []
        self._front = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(cdn=False))
        self._cdn = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(cdn=True))
        self.address = f"127.0.0.1:{self._front.server_address[1]}"
        self.cdn = f"127.0.0.1:{self._cdn.server_address[1]}"
        for server in (self._front, self._cdn):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in (self._front, self._cdn):
            server.shutdown()
            server.server_close()

    def _handler(self, *, cdn: bool) -> type:
        from http.server import BaseHTTPRequestHandler

        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                authorization = self.headers.get("Authorization")
                if cdn:
                    front.cdn_authorizations.append(authorization)
                    self._relay(self.path)
                elif self.path.startswith("/token"):
                    front.token_requests.append((authorization, self.path))
                    if authorization != f"Basic {front.basic}":
                        self._answer(401, b'{"errors": [{"code": "UNAUTHORIZED"}]}')
                    else:
                        self._answer(200, json.dumps({"token": TOKEN}).encode())
                elif authorization != f"Bearer {TOKEN}":
                    realm = f"http://{front.address}/token"
                    challenge = f'Bearer realm="{realm}",service="test-registry"'
                    self._answer(401, b"{}", {"WWW-Authenticate": challenge})
                elif "/blobs/" in self.path:
                    self._answer(307, b"", {"Location": f"http://{front.cdn}{self.path}"})
                else:
                    self._relay(self.path)

            def _relay(self, path: str) -> None:
                accept = self.headers.get("Accept") or "*/*"
                status, headers, body = request(
                    front.registry, "GET", path, b"", {"Accept": accept}
                )
                wanted = ("Content-Type", "Docker-Content-Digest")
                if front.tamper and "/manifests/" in path:
                    body = body.replace(b'"schemaVersion": 2', b'"schemaVersion": 02', 1)
                self._answer(status, body, {k: v for k, v in headers.items() if k in wanted})

            def _answer(
                self, status: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
