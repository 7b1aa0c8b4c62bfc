"""``mext-lint image-tree``: the simulated file tree of each image variant, for people and tools.

Each path shows its kind, whether it is certainly there ("yes") or only may be ("unknown"), and
the Dockerfile lines that produced it; a directory that may hold more than we know says why
(a base image, an unknown command...).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from mext_lint.simulate.tree import Entry, Kind, Opacity, Presence
from mext_lint.spans import Problem, Related, Span

if TYPE_CHECKING:
    from mext_lint.simulate.build import Image

_BRANCH, _LAST, _PIPE, _SPACE = "├── ", "└── ", "│   ", "    "
_LISTED_SCOPE = 4  # name the directories of a scoped opacity up to this many


class _Row(NamedTuple):
    tree: str  # glyphs and name
    kind: str
    mark: str
    lines: str
    notes: tuple[str, ...]  # why the directory may hold more
    indent: str  # glyphs before a note: the column of the entry's children


def render_tree_text(images: Sequence[Image]) -> str:
    """All variants, one block each, separated by a blank line."""
    return "\n".join(_render_image(image) for image in images)


def render_tree_json(images: Sequence[Image]) -> list[dict[str, Any]]:
    return [_image_json(image) for image in images]


# ---------------------------------------------------------------------- text


def _render_image(image: Image) -> str:
    root_notes = tuple(dict.fromkeys(_opacity_note(o) for o in image.tree.root.opacities))
    rows = [_Row("/", "dir", "yes", "", root_notes, ""), *_rows(image)]
    width = max(len(row.tree) for row in rows)
    lines = [_header(image)]
    for row in rows:
        lines.append(f"{row.tree:<{width}}  {row.kind:<7} {row.mark:<8} {row.lines}".rstrip())
        lines.extend(f"{row.indent}⋯ may hold more{note}" for note in row.notes)
    for title, problems in (
        ("cannot build", image.problems),
        ("build context", image.copy_problems),
    ):
        lines.extend(f"! {title}: {_where(p.span)}: {p.message}" for p in problems)
    return "\n".join(lines) + "\n"


def _header(image: Image) -> str:
    final = image.final
    if final is None:
        return f"{image.platform}: no stage"
    name = f'"{final.name}"' if final.name else f"#{final.index}"
    base = f", from {final.base}" if final.base else ""
    return f"{image.platform}: final stage {name} ({_where(final.from_span)}{base})"


def _rows(image: Image) -> list[_Row]:
    by_parent: dict[str, list[Entry]] = {}
    for entry in image.tree.entries():
        by_parent.setdefault(posixpath.dirname(entry.path), []).append(entry)
    rows: list[_Row] = []

    def walk(parent: str, prefix: str) -> None:
        children = by_parent.get(parent, [])
        for position, entry in enumerate(children):
            last = position == len(children) - 1
            indent = prefix + (_SPACE if last else _PIPE)
            rows.append(_row(image, entry, prefix + (_LAST if last else _BRANCH), indent))
            walk(entry.path, indent)

    walk("/", "")
    return rows


def _row(image: Image, entry: Entry, glyphs: str, indent: str) -> _Row:
    name = posixpath.basename(entry.path) + ("/" if entry.kind is Kind.DIR else "")
    arch = image.tree.lookup(entry.path).arch
    lines = _lines(entry.origins) + (f"  [{arch}]" if arch else "")
    mark = "yes" if entry.presence is Presence.YES else "unknown"
    notes = tuple(dict.fromkeys(f": {_origin_text(origin)}" for origin in entry.opaque))
    return _Row(glyphs + name, entry.kind.value, mark, lines, notes, indent)


def _opacity_note(opacity: Opacity) -> str:
    if opacity.scope is not None and len(opacity.scope) <= _LISTED_SCOPE:
        where = " in " + ", ".join(f"/{name}" for name in sorted(opacity.scope))
    elif opacity.scope is not None:
        where = " in its system directories"
    elif opacity.spared:
        where = " outside the extension's own paths"
    else:
        where = ""
    return f"{where}: {_origin_text(opacity.origin)}"


def _origin_text(origin: Related) -> str:
    return f"{origin.message} ({_where(origin.span)})"


def _lines(origins: Iterable[Related]) -> str:
    seen: dict[str, None] = {}
    for origin in sorted(origins, key=lambda o: (o.span.line, o.span.column)):
        seen.setdefault(_where(origin.span))
    return ", ".join(seen)


def _where(span: Span) -> str:
    return f"{posixpath.basename(span.path) or span.path}:{span.line}"


# ---------------------------------------------------------------------- JSON


def _image_json(image: Image) -> dict[str, Any]:
    final = image.final
    return {
        "platform": str(image.platform),
        "final_stage": None
        if final is None
        else {
            "index": final.index,
            "name": final.name,
            "base": final.base,
            **_span(final.from_span),
        },
        "stages": [{"index": s.index, "name": s.name, "base": s.base} for s in image.stages],
        "root": {"may_hold_more": [_opacity_json(o) for o in image.tree.root.opacities]},
        "entries": [_entry_json(image, entry) for entry in image.tree.entries()],
        "problems": [_problem_json(p) for p in image.problems],
        "copy_problems": [_problem_json(p) for p in image.copy_problems],
    }


def _entry_json(image: Image, entry: Entry) -> dict[str, Any]:
    found = image.tree.lookup(entry.path)
    return {
        "path": entry.path,
        "kind": entry.kind.value,
        "presence": entry.presence.value,
        "origins": [_related_json(o) for o in entry.origins],
        "arch": found.arch,
        "may_hold_more": [_related_json(o) for o in entry.opaque],
    }


def _opacity_json(opacity: Opacity) -> dict[str, Any]:
    return {
        **_related_json(opacity.origin),
        "scope": sorted(opacity.scope) if opacity.scope is not None else None,
        "except": sorted(opacity.spared),
    }


def _related_json(related: Related) -> dict[str, Any]:
    return {"message": related.message, **_span(related.span)}


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "message": problem.message,
        **_span(problem.span),
        "related": [_related_json(r) for r in problem.related],
    }


def _span(span: Span) -> dict[str, Any]:
    return {"path": span.path, "line": span.line, "column": span.column}
