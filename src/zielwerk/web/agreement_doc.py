"""Reading an agreement document (the targets module's TOML) for display: validation, goals,
targets, links, and the differences between two versions.

The parsing rules belong to ``zielwerk.targets``; this bridge calls its TOML reader when it is
installed (``zielwerk.targets.fileformat.parse_agreement``) and
otherwise reads the TOML syntax only, showing the document's tables generically.
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from dataclasses import dataclass, field
from typing import Any


class DocumentError(ValueError):
    """The document is not a valid agreement (German message with the place of the error)."""


@dataclass
class GoalView:
    id: str
    title: str
    targets: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DocView:
    """What the pages need from a document."""

    title: str
    year: int | None
    jobcenter_id: str | None
    goals: list[GoalView]
    links: list[tuple[str, str, str]]  # (source goal, target goal, rationale)
    model: Any = None  # the targets module's Agreement if available


def _targets_loader():
    """``zielwerk.targets.fileformat.parse_agreement`` if the targets module is installed."""
    try:
        from zielwerk.targets.fileformat import parse_agreement
    except ImportError:
        return None
    return parse_agreement


@functools.lru_cache(maxsize=64)
def parse(text: str) -> DocView:
    """Parse and validate ``text``; raise :class:`DocumentError` with a German message.

    Cached per document text; callers must treat the result as read-only."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocumentError(f"Das Dokument ist kein gültiges TOML: {exc}") from exc
    loader = _targets_loader()
    model = None
    if loader is not None:
        try:
            model = loader(text)
        except ValueError as exc:
            raise DocumentError(str(exc)) from exc
    if model is not None and hasattr(model, "goals"):
        goals = [GoalView(g.id, g.title, [
            {k: getattr(t, k) for k in ("id", "indicator", "form", "sex", "value", "change_pct",
                                         "change_points", "lower", "upper") if getattr(t, k, None) is not None}
            for t in g.targets]) for g in model.goals]
        links = [(lk.source, lk.target, lk.rationale) for lk in model.links]
        return DocView(getattr(model, "title", "") or f"Zielvereinbarung {model.year}", model.year,
                       model.jobcenter_id, goals, links, model)
    return _generic(raw)


def _first(raw: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in raw:
            return raw[k]
    return None


def _generic(raw: dict[str, Any]) -> DocView:
    meta = _first(raw, "vereinbarung", "agreement") or raw
    goals_raw = _first(raw, "ziele", "goals", "ziel") or []
    if not isinstance(goals_raw, list):
        raise DocumentError("Das Dokument enthält keine Liste von Zielen ([[ziele]]).")
    goals = []
    for n, g in enumerate(goals_raw, 1):
        if not isinstance(g, dict) or "id" not in g:
            raise DocumentError(f"Ziel Nr. {n}: es fehlt die Kennung „id“.")
        tv = _first(g, "zielwerte", "targets") or []
        goals.append(GoalView(str(g["id"]), str(_first(g, "titel", "title") or g["id"]),
                              [dict(t) for t in tv if isinstance(t, dict)]))
    ids = {g.id for g in goals}
    links = []
    for n, lk in enumerate(_first(raw, "verknuepfungen", "links") or [], 1):
        src, dst = str(_first(lk, "von", "source") or ""), str(_first(lk, "zu", "nach", "target") or "")
        for end in (src, dst):
            if end not in ids:
                raise DocumentError(f"Verknüpfung Nr. {n}: unbekanntes Ziel „{end}“.")
        links.append((src, dst, str(_first(lk, "begruendung", "rationale") or "")))
    year = _first(meta, "jahr", "year")
    return DocView(str(_first(meta, "titel", "title") or "Zielvereinbarung"),
                   int(year) if year is not None else None,
                   _first(meta, "jobcenter_id", "jobcenter"), goals, links)


def compare(old_text: str, new_text: str) -> list[str]:
    """Human-readable changes between two versions (targets module's diff if available)."""
    try:
        from zielwerk.targets.diff import readable_diff

        a, b = parse(old_text).model, parse(new_text).model
        if a is not None and b is not None:
            return readable_diff(a, b)
    except (ImportError, DocumentError):
        pass
    out = []
    for line in difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        out.append(("entfernt: " if line.startswith("-") else "neu: ") + line[1:])
    return out


def graph_svg(doc: DocView) -> str:
    """The goal links as an accessible SVG: goals in a column on each side of their links."""
    from markupsafe import escape

    if not doc.goals:
        return ""
    sources = {s for s, _, _ in doc.links}
    left = [g for g in doc.goals if g.id in sources]
    right = [g for g in doc.goals if g.id not in sources]
    if not left:
        left, right = doc.goals, []
    h = 70 * max(len(left), len(right), 1) + 20
    pos: dict[str, tuple[int, int]] = {}
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 {h}" class="goal-graph" role="img" '
              f'aria-labelledby="graph-title"><title id="graph-title">Zusammenhang der Ziele</title>'),
             ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
              'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker></defs>')]
    for col, goals in ((0, left), (1, right)):
        for i, g in enumerate(goals):
            x, y = 10 + col * 450, 20 + i * 70
            pos[g.id] = (x, y)
            parts.append(f'<rect x="{x}" y="{y}" width="300" height="46" rx="6" fill="#eef3f8" stroke="#1f4e79"/>'
                         f'<text x="{x + 10}" y="{y + 28}" font-size="13">{escape(g.title[:42])}</text>')
    for s, t, why in doc.links:
        (x1, y1), (x2, y2) = pos[s], pos[t]
        same_col = x1 == x2
        sx, sy = x1 + 300, y1 + 23
        tx, ty = (x2 + 300, y2 + 23) if same_col else (x2, y2 + 23)
        path = (f"M{sx},{sy} C{sx + 80},{sy} {tx + 80},{ty} {tx},{ty}" if same_col
                else f"M{sx},{sy} C{sx + 70},{sy} {tx - 70},{ty} {tx},{ty}")
        parts.append(f'<path d="{path}" fill="none" stroke="#1f4e79" stroke-width="1.5" '
                     f'marker-end="url(#arrow)"><title>{escape(why)}</title></path>')
    parts.append("</svg>")
    return "".join(parts)
