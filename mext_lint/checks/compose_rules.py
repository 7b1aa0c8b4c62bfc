"""MX501-MX507: the backend: the compose file, its services, sockets and the vm image."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from mext_lint.metadata import Located
from mext_lint.registry import CheckContext, check
from mext_lint.spans import Problem, Related, Span

if TYPE_CHECKING:  # both are read only once an extension has a compose file or build files
    from mext_lint.buildfiles import BuildFiles, ImageBuild
    from mext_lint.compose import Service

PLUGIN_IMAGE = "${DESKTOP_PLUGIN_IMAGE}"
_PLUGIN_IMAGE_FORMS = frozenset({PLUGIN_IMAGE, "$DESKTOP_PLUGIN_IMAGE"})
HOST_DOCKER_SOCKETS = frozenset({"/var/run/docker.sock"})
_GUEST_SOCKET = re.compile(r"/run/guest-services/([A-Za-z0-9._@+-]+\.sock)(?![A-Za-z0-9._@+$-])")


def is_plugin_image(value: object) -> bool:
    return isinstance(value, str) and value.strip() in _PLUGIN_IMAGE_FORMS


# -- MX501 -------------------------------------------------------------------------------------


@check("MX501", needs_metadata=True)
def compose_invalid(ctx: CheckContext) -> Iterator[Problem]:
    compose = ctx.ext.compose
    if compose is None:
        return
    for issue in compose.issues:
        yield Problem(issue.span, issue.message)
    if compose.issues:
        return
    if not compose.services and not compose.includes:
        where = compose.services_span or Span.point(compose.path, 1, 1)
        yield Problem(
            where,
            "the compose file defines no services, so the extension's backend never starts;"
            f" add one with image: {PLUGIN_IMAGE}",
        )
    for service in compose.services:
        yield from _service_without_image(service)


def _service_without_image(service: Service) -> Iterator[Problem]:
    image = service.image
    if image is None and service.build is None and service.extends is None:
        # with build:, MX502 says what to do; with extends:, the image may come from elsewhere
        yield Problem(
            service.span,
            f'service "{service.name}" has no image, so Docker Desktop cannot start it; use'
            f" image: {PLUGIN_IMAGE} for the extension's own image",
        )
    elif image is not None and (not isinstance(image.value, str) or not image.value.strip()):
        yield Problem(
            image.span,
            f'service "{service.name}" has an empty or non-text image; use image: {PLUGIN_IMAGE}'
            " for the extension's own image",
        )


# -- MX502-MX505 ---------------------------------------------------------------------------------


@check("MX502", needs_metadata=True)
def compose_build(ctx: CheckContext) -> Iterator[Problem]:
    compose = ctx.ext.compose
    for service in compose.services if compose else ():
        if service.build is not None:
            yield Problem(
                service.build.span,
                f'service "{service.name}" uses build:, but Docker Desktop starts the backend'
                " without any build context; build it into the extension image and use"
                f" image: {PLUGIN_IMAGE}",
            )


@check("MX503", needs_metadata=True)
def compose_image(ctx: CheckContext) -> Iterator[Problem]:
    compose = ctx.ext.compose
    builds = ctx.ext.build_files
    for service in compose.services if compose else ():
        image = service.image
        if image is None or not isinstance(image.value, str) or is_plugin_image(image.value):
            continue
        built = own_image_build(builds, image.value)
        if built is not None:
            yield Problem(
                image.span,
                f'service "{service.name}" runs "{image.value}", the extension\'s own image'
                " written out: this tag goes stale with every release; use"
                f" image: {PLUGIN_IMAGE}, which Docker Desktop sets to the installed version",
                (Related(built.span, f"{built.origin} builds the extension image"),),
            )


def own_image_build(builds: BuildFiles, reference: str) -> ImageBuild | None:
    """The Makefile/bake build that makes ``reference``'s repository, the extension's own."""
    if "$" in reference:
        return None
    return builds.build_of(reference)


@check("MX504", needs_metadata=True)
def compose_ports(ctx: CheckContext) -> Iterator[Problem]:
    compose = ctx.ext.compose
    for service in compose.services if compose else ():
        for port in service.ports:
            host_port = published_host_port(port.value)
            if host_port is not None:
                yield Problem(
                    port.span,
                    f'service "{service.name}" publishes host port {host_port}: it fails when'
                    " the user already runs something on that port; let the UI reach the"
                    " backend through its socket (vm.exposes.socket) instead",
                )


def published_host_port(entry: object) -> str | None:
    """The fixed host port a `ports` item publishes; None for none, a random one or unknown."""
    if isinstance(entry, Mapping):
        published = entry.get("published")
        text = str(published).strip() if published is not None else ""
        return text if text and "$" not in text else None
    if not isinstance(entry, str) or "$" in entry:
        return None
    mapping = entry.strip().split("/", 1)[0]
    host, separator, _container = mapping.rpartition(":")
    if not separator:
        return None  # only a container port: Docker picks a free host port
    if host.startswith("[") and "]:" in host:  # [::1]:8080
        host = host.split("]:", 1)[1]
    elif host.count(":") == 1 or "." in host:  # 127.0.0.1:8080
        host = host.rpartition(":")[2]
    return host or None


@check("MX505", needs_metadata=True)
def compose_docker_socket(ctx: CheckContext) -> Iterator[Problem]:
    compose = ctx.ext.compose
    for service in compose.services if compose else ():
        for volume in service.volumes:
            source = bind_source(volume.value)
            if source is not None and _normal_path(source) in HOST_DOCKER_SOCKETS:
                yield Problem(
                    volume.span,
                    f'service "{service.name}" mounts the host\'s {source}, which can leave the'
                    " backend without permission to use it; mount the VM's socket instead:"
                    " /var/run/docker.sock.raw:/var/run/docker.sock",
                )


def bind_source(entry: object) -> str | None:
    """The host path a `volumes` item binds (short ``src:dst[:mode]`` or long syntax)."""
    if isinstance(entry, Mapping):
        source = entry.get("source")
        kind = entry.get("type", "bind")
        return source if kind == "bind" and isinstance(source, str) else None
    if isinstance(entry, str) and ":" in entry:
        return entry.split(":", 1)[0]
    return None


def _normal_path(path: str) -> str:
    return posixpath.normpath("/" + path.strip().lstrip("/"))


# -- MX506: sockets ------------------------------------------------------------------------------


class Listener(NamedTuple):
    """A backend process and the guest-services sockets its command line names."""

    sockets: frozenset[str]  # socket file names; empty when its command names none
    related: Related


@check("MX506", per_platform=True, needs_metadata=True)
def backend_socket_mismatch(ctx: CheckContext) -> Iterator[Problem]:
    metadata = ctx.ext.metadata
    assert metadata is not None
    exposed, legacy = metadata.exposes_socket, metadata.backend_socket
    declared = exposed or legacy
    if declared is None or not declared.value.strip():
        return
    if exposed is not None and legacy is not None and _name(exposed) != _name(legacy):
        yield Problem(
            legacy.span,
            f'ui.dashboard-tab.backend.socket "{legacy.value}" differs from vm.exposes.socket'
            f' "{exposed.value}": the UI and the backend would use different sockets; declare'
            " one name (vm.exposes.socket)",
            (Related(exposed.span, "vm.exposes.socket"),),
        )
    if metadata.vm_image is None and metadata.composefile is None:
        yield Problem(
            declared.span,
            f'socket "{declared.value}" is declared but metadata.json has no vm, so no backend'
            f' runs to listen on it; add "vm": {{"image": "{PLUGIN_IMAGE}"}}',
        )
        return
    yield from _unheard_socket(declared, list(listeners(ctx)))


def _unheard_socket(declared: Located[str], heard: list[Listener]) -> Iterator[Problem]:
    sockets = frozenset().union(*(listener.sockets for listener in heard))
    if not sockets or _name(declared) in sockets:
        return
    listened = ", ".join(f"/run/guest-services/{name}" for name in sorted(sockets))
    yield Problem(
        declared.span,
        f'the UI connects to socket "{declared.value}" but the backend listens on {listened};'
        " use the same name in both places",
        tuple(listener.related for listener in heard if listener.sockets),
    )


def listeners(ctx: CheckContext) -> Iterator[Listener]:
    """The backend processes whose command line can be read: the image's own CMD/ENTRYPOINT
    when the backend runs the extension image, and compose commands."""
    metadata = ctx.ext.metadata
    assert metadata is not None
    if metadata.vm_image is not None and is_plugin_image(metadata.vm_image.value):
        yield from _image_listener(ctx)
    compose = ctx.ext.compose if metadata.composefile is not None else None
    for service in compose.services if compose else ():
        written = [node for node in (service.entrypoint, service.command) if node is not None]
        if written:
            from mext_lint.compose import command_text

            text = " ".join(command_text(node) for node in written)
            what = f'service "{service.name}" command'
            yield Listener(_guest_sockets(text), Related(written[0].span, what))
        elif service.image is not None and is_plugin_image(service.image.value):
            yield from _image_listener(ctx)


def _image_listener(ctx: CheckContext) -> Iterator[Listener]:
    image = ctx.images.get(ctx.platform) if ctx.platform is not None else None
    if image is None:
        return
    for instruction in (image.entrypoint, image.cmd):
        if instruction is not None:
            text = " ".join(word.text for word in instruction.value)
            related = Related(instruction.span, f"the backend's {instruction.keyword}")
            yield Listener(_guest_sockets(text), related)


def _guest_sockets(command: str) -> frozenset[str]:
    return frozenset(match.group(1) for match in _GUEST_SOCKET.finditer(command))


def _name(socket: Located[str]) -> str:
    return posixpath.basename(socket.value.strip())


# -- MX507 ---------------------------------------------------------------------------------------


@check("MX507", needs_metadata=True)
def vm_image_placeholder(ctx: CheckContext) -> Iterator[Problem]:
    metadata = ctx.ext.metadata
    assert metadata is not None
    image = metadata.vm_image
    if image is None or is_plugin_image(image.value):
        return
    built = own_image_build(ctx.ext.build_files, image.value)
    if built is not None:
        yield Problem(
            image.span,
            f'vm.image "{image.value}" names the extension\'s own image: it goes stale with'
            f' every release; write "{PLUGIN_IMAGE}", which Docker Desktop replaces with the'
            " installed image",
            (Related(built.span, f"{built.origin} builds the extension image"),),
        )
