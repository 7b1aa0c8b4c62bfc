"""An OCI image layout directory: ``oci-layout``, ``index.json`` and ``blobs/<alg>/<hex>``."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from mext_lint.oci.blobs import (
    MAX_DOCUMENT_BYTES,
    Descriptor,
    ImageError,
    MissingBlob,
    parse_json,
    read_bounded,
)


class LayoutStore:
    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.name = name
        if not (directory / "index.json").is_file():
            hint = (
                " (a docker save archive? lint the .tar itself)"
                if (directory / "manifest.json").is_file()
                else ""
            )
            raise ImageError(f"{name}: not an OCI image layout: no index.json{hint}")

    def root(self) -> tuple[str, object]:
        path = self.directory / "index.json"
        try:
            with path.open("rb") as handle:
                data = read_bounded(handle, MAX_DOCUMENT_BYTES + 1)
        except OSError as error:
            raise ImageError(f"{self.name}: cannot read index.json: {error.strerror}") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ImageError(f"{self.name}: index.json is too large")
        return "application/vnd.oci.image.index.v1+json", parse_json(
            data, f"{self.name} index.json"
        )

    def open_blob(self, descriptor: Descriptor) -> IO[bytes]:
        algorithm, _, encoded = descriptor.digest.partition(":")
        path = self.directory / "blobs" / algorithm / encoded
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise MissingBlob(
                f"{self.name}: blob {descriptor.digest} is missing (blobs/{algorithm}/{encoded})"
            ) from None
        except OSError as error:
            raise ImageError(f"{self.name}: cannot read blob {descriptor.short}: {error}") from None

    def close(self) -> None:
        pass
