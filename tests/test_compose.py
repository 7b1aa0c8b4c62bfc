from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mext_lint.compose import Compose, Node, command_text, load_compose
from mext_lint.spans import Span

PATH = "ext/docker-compose.yaml"

# The shape of the SDK's vm-service sample plus a database, with a merge key and flow styles.
MULTI_SERVICE = """\
x-defaults: &defaults
  restart: unless-stopped

services:
  backend:
    <<: *defaults
    image: ${DESKTOP_PLUGIN_IMAGE}
    command: /service -socket /run/guest-services/backend.sock
    volumes:
      - /var/run/docker.sock.raw:/var/run/docker.sock   # the VM's socket
      - type: volume
        source: data
        target: /data
  db:
    image: "postgres:16-alpine"
    ports: ["5432:5432", 8080]
    entrypoint: ["docker-entrypoint.sh", "postgres"]
"""


def span(line: int, column: int, end_line: int, end_column: int) -> Span:
    return Span(PATH, line, column, end_line, end_column)


def test_services_with_values_and_one_based_spans() -> None:
    compose = load_compose(MULTI_SERVICE, PATH)
    assert compose.issues == ()
    assert compose.services_span == span(4, 1, 4, 9)
    backend, db = compose.services
    assert (backend.name, backend.span) == ("backend", span(5, 3, 5, 10))
    assert backend.image == Node("${DESKTOP_PLUGIN_IMAGE}", span(7, 12, 7, 35))
    assert backend.command is not None
    assert backend.command.span == span(8, 14, 8, 63)
    assert backend.build is None and backend.ports == () and backend.entrypoint is None
    assert [v.value for v in backend.volumes] == [
        "/var/run/docker.sock.raw:/var/run/docker.sock",
        {"type": "volume", "source": "data", "target": "/data"},
    ]
    assert backend.volumes[0].span == span(10, 9, 10, 54)  # the trailing comment is not in it
    assert backend.volumes[1].span == span(11, 9, 11, 10)
    assert db.image == Node("postgres:16-alpine", span(15, 12, 15, 32))  # quotes included
    assert [(p.value, p.span) for p in db.ports] == [
        ("5432:5432", span(16, 13, 16, 24)),
        (8080, span(16, 26, 16, 30)),
    ]
    assert command_text(db.entrypoint) == "docker-entrypoint.sh postgres"


def test_build_spans_its_key() -> None:
    text = "services:\n  api:\n    build:\n      context: ./backend\n"
    (service,) = load_compose(text, PATH).services
    assert service.build == Node({"context": "./backend"}, span(3, 5, 3, 10))
    assert service.image is None


def test_a_key_from_a_merge_points_at_its_mapping() -> None:
    text = "x: &base\n  image: ${DESKTOP_PLUGIN_IMAGE}\nservices:\n  b:\n    <<: *base\n"
    (service,) = load_compose(text, PATH).services
    assert service.image == Node("${DESKTOP_PLUGIN_IMAGE}", span(5, 5, 5, 6))


def test_duplicate_key_is_a_syntax_issue_at_the_second_key() -> None:
    text = "services:\n  a:\n    image: x\n    image: y\n"
    compose = load_compose(text, PATH)
    assert compose.services == ()
    (issue,) = compose.issues
    assert issue.span == Span.point(PATH, 4, 5)
    assert 'key "image" is written twice' in issue.message


def test_yaml_error_lands_at_its_line_and_column() -> None:
    (issue,) = load_compose("services:\n  a:\n    image: [x\n", PATH).issues
    assert issue.message.startswith("the compose file is not valid YAML:")
    assert (issue.span.line, issue.span.column) == (4, 1)


def test_several_documents_are_an_issue() -> None:
    (issue,) = load_compose("services: {}\n---\nservices: {}\n", PATH).issues
    assert "expected a single document" in issue.message


def test_shapes_compose_rejects() -> None:
    assert "is empty" in load_compose("", PATH).issues[0].message
    assert "is a list" in load_compose("- a\n", PATH).issues[0].message
    listed = load_compose("services:\n  - backend\n", PATH)
    assert listed.issues[0].message.startswith("`services` is a list")
    assert listed.issues[0].span == Span.point(PATH, 2, 3)


def test_a_bad_service_is_reported_and_the_others_read() -> None:
    compose = load_compose("services:\n  bad: 3\n  good:\n    image: alpine\n", PATH)
    assert [s.name for s in compose.services] == ["good"]
    (issue,) = compose.issues
    assert issue.message.startswith('service "bad" is a scalar')
    assert issue.span == span(2, 8, 2, 9)


def test_include_and_extends_are_recorded() -> None:
    text = "include: [db.yaml]\nservices:\n  api:\n    extends: {file: c.yaml, service: api}\n"
    compose = load_compose(text, PATH)
    assert compose.includes
    (service,) = compose.services
    assert service.extends == Node({"file": "c.yaml", "service": "api"}, span(4, 14, 4, 15))
    assert not load_compose("services: {}\n", PATH).includes


def test_no_services_key_and_empty_services() -> None:
    assert load_compose("version: '3'\n", PATH) == Compose(PATH, (), None, ())
    empty = load_compose("services:\n", PATH)
    assert empty.services == () and empty.issues == ()
    assert empty.services_span == span(1, 1, 1, 9)


def test_recursive_alias_is_cut_not_followed_forever() -> None:
    text = "services:\n  a:\n    image: x\n    command: &c [echo, *c]\n"
    (service,) = load_compose(text, PATH).services
    assert service.command is not None
    assert service.command.value is not None


def test_command_text() -> None:
    assert command_text(None) == ""
    assert command_text(Node(["a", "-b", 3], span(1, 1, 1, 2))) == "a -b 3"
    assert command_text(Node("a -b", span(1, 1, 1, 2))) == "a -b"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("services:image- \n\t\"'[]{}&*<>|#!%@`,?\\x1")), max_size=80
    )
)
def test_never_raises(text: str) -> None:
    compose = load_compose(text, PATH)
    for issue in compose.issues:
        assert issue.span.line >= 1 and issue.span.column >= 1
