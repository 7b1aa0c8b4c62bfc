"""A registry over the OCI distribution API, with the standard library only.

Manifests and blobs are fetched by digest and streamed; Docker Hub-style bearer tokens are asked
for when the registry answers 401 with ``WWW-Authenticate``, with the credentials of
``~/.docker/config.json`` (``auths`` entries with a base64 ``auth``; credential helpers are not
run). ``insecure`` speaks plain HTTP, for a local registry.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import ssl
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from mext_lint.oci.blobs import (
    INDEX_TYPES,
    MANIFEST_TYPES,
    MAX_DOCUMENT_BYTES,
    Descriptor,
    ImageError,
    MissingBlob,
    Readable,
    parse_json,
    read_bounded,
)
from mext_lint.oci.reference import DOCKER_HUB, Reference

ACCEPT = ", ".join(sorted(INDEX_TYPES | MANIFEST_TYPES))
TIMEOUT = 60.0
_MAX_REDIRECTS = 5
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')
HUB_AUTH_KEY = "https://index.docker.io/v1/"


class RegistryStore:
    def __init__(self, reference: Reference, name: str, *, insecure: bool = False) -> None:
        self.reference = reference
        self.name = name
        self.scheme = "http" if insecure else "https"
        self._credentials = docker_credentials(reference.registry)
        self._authorization: str | None = None

    def root(self) -> tuple[str, object]:
        wanted = self.reference.manifest_ref
        response = self._get(f"manifests/{wanted}", {"Accept": ACCEPT}, f"manifest {wanted}")
        media_type = response.getheader("Content-Type", "").split(";")[0].strip()
        digest = self.reference.digest or response.getheader("Docker-Content-Digest")
        data = _read_all(response, f"{self.name}: manifest")
        actual = "sha256:" + hashlib.sha256(data).hexdigest()
        if digest and digest.startswith("sha256:") and digest != actual:
            raise ImageError(
                f"{self.name}: digest mismatch: the manifest hashes to {actual[:19]}, the"
                f" registry says {digest[:19]}"
            )
        document = parse_json(data, f"{self.name}: manifest")
        if isinstance(document, dict) and isinstance(document.get("mediaType"), str):
            media_type = document["mediaType"]
        return media_type, document

    def open_blob(self, descriptor: Descriptor) -> Readable:
        kind = "manifests" if descriptor.media_type in INDEX_TYPES | MANIFEST_TYPES else "blobs"
        headers = {"Accept": ACCEPT} if kind == "manifests" else {}
        return self._get(f"{kind}/{descriptor.digest}", headers, f"blob {descriptor.short}")

    def close(self) -> None:
        pass

    # -- HTTP --------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        host = self.reference.api_host
        return f"{self.scheme}://{host}/v2/{self.reference.repository}/{path}"

    def _get(self, path: str, headers: dict[str, str], what: str) -> _Response:
        url = self._url(path)
        response = self._send(url, headers)
        if response.status == 401:
            challenge = response.getheader("WWW-Authenticate", "")
            response.close()
            self._authorization = self._authorize(challenge)
            response = self._send(url, headers)
        if response.status == 200:
            return _Response(response, f"{self.name}: {what}")
        response.close()
        error = MissingBlob if response.status == 404 else ImageError
        raise error(f"{self.name}: {what}: {_status_message(response.status)}")

    def _send(self, url: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        """GET ``url``, following redirects; credentials go to the registry's host only."""
        origin = urlsplit(url).netloc
        for _ in range(_MAX_REDIRECTS + 1):
            sent = dict(headers)
            if self._authorization and urlsplit(url).netloc == origin:
                sent["Authorization"] = self._authorization
            response = _open(url, sent, self.name)
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                response.close()
                if not location:
                    raise ImageError(f"{self.name}: a redirect without a Location")
                url = urljoin(url, location)
                continue
            return response
        raise ImageError(f"{self.name}: too many redirects")

    def _authorize(self, challenge: str) -> str:
        scheme, _, params_text = challenge.partition(" ")
        params = dict(_CHALLENGE_PARAM.findall(params_text))
        if scheme.lower() == "basic":
            if self._credentials is None:
                raise ImageError(f"{self.name}: the registry wants a login (docker login)")
            return f"Basic {self._credentials}"
        if scheme.lower() != "bearer" or "realm" not in params:
            raise ImageError(f"{self.name}: unsupported authentication {challenge!r}")
        query = {k: v for k, v in params.items() if k in ("service", "scope")}
        if "scope" not in query:
            query["scope"] = f"repository:{self.reference.repository}:pull"
        url = f"{params['realm']}?{urlencode(query)}"
        headers = {"Authorization": f"Basic {self._credentials}"} if self._credentials else {}
        response = _open(url, headers, self.name)
        if response.status != 200:
            response.close()
            raise ImageError(
                f"{self.name}: the token service refused: {_status_message(response.status)}"
            )
        answer = parse_json(_read_all(response, f"{self.name}: token"), f"{self.name}: token")
        token = None
        if isinstance(answer, dict):
            token = answer.get("token") or answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise ImageError(f"{self.name}: the token service answered no token")
        return f"Bearer {token}"


class _Response:
    """An HTTP body as a file, its errors turned into ImageError."""

    def __init__(self, response: http.client.HTTPResponse, what: str) -> None:
        self._response = response
        self._what = what

    def read(self, size: int = -1) -> bytes:
        try:
            return self._response.read(size if size >= 0 else None)
        except (OSError, http.client.HTTPException) as error:
            raise ImageError(f"{self._what}: the download failed: {error!r}") from None

    def getheader(self, name: str, default: str = "") -> str:
        return self._response.getheader(name, default)

    def close(self) -> None:
        self._response.close()


def _open(url: str, headers: dict[str, str], name: str) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    try:
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.netloc, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        elif parts.scheme == "http":
            connection = http.client.HTTPConnection(parts.netloc, timeout=TIMEOUT)
        else:
            raise ImageError(f"{name}: cannot fetch {url}")
        connection.request("GET", path, headers={"User-Agent": "mext-lint", **headers})
        return connection.getresponse()
    except ssl.SSLError as error:
        raise ImageError(
            f"{name}: TLS with {parts.netloc} failed ({error.reason}); a plain-http local"
            " registry needs --insecure"
        ) from None
    except (OSError, http.client.HTTPException) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise ImageError(f"{name}: cannot reach {parts.netloc}: {reason}") from None


def _read_all(response: _Response | http.client.HTTPResponse, what: str) -> bytes:
    try:
        data = read_bounded(response, MAX_DOCUMENT_BYTES + 1)
    except (OSError, http.client.HTTPException) as error:
        raise ImageError(f"{what}: the download failed: {error!r}") from None
    finally:
        response.close()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImageError(f"{what} is too large")
    return data


def _status_message(status: int) -> str:
    return {
        401: "401 unauthorized (log in with docker login, or check the name)",
        403: "403 forbidden",
        404: "404 not found (check the repository, tag or digest)",
        429: "429 too many requests (rate limited)",
    }.get(status, f"HTTP {status}")


def docker_credentials(registry: str) -> str | None:
    """The base64 ``user:password`` of ``auths`` in the Docker config for ``registry``."""
    directory = os.environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")
    try:
        config = json.loads((Path(directory) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    auths = config.get("auths") if isinstance(config, dict) else None
    if not isinstance(auths, dict):
        return None
    keys = [registry, f"https://{registry}", f"http://{registry}", f"https://{registry}/v1/"]
    if registry == DOCKER_HUB:
        keys.insert(0, HUB_AUTH_KEY)
    for key in keys:
        entry = auths.get(key)
        value = entry.get("auth") if isinstance(entry, dict) else None
        if isinstance(value, str) and value:
            try:
                base64.b64decode(value, validate=True)
            except ValueError:
                continue
            return value
    return None
