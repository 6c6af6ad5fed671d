"""Sorting, filtering, searching and paging of work lists (pure; the web pages call it per request).

A list is an Arrow table as the batch wrote it (``casework.batch.read_list``) or as the "Heute" page
ranks it (``casework.due``). :func:`run` applies a :class:`ListQuery` and returns one :class:`Page`
with the total count after filtering, so a page can say "Zeilen 501–550 von 6.451".

Matching rules (documented in ``docs/fallsteuerung.md``, "Lists in the web app"):

* every text match is case-insensitive (Unicode ``casefold``) and ignores surrounding blanks;
* ``municipality``: the AGS starts with the text, or the municipality's name contains it;
* ``team``: equal to the team (case-insensitive);
* ``caseworker``: the caseworker id or the caseworker's name contains the text;
* ``reason``: one of the row's reason/flag codes (space-separated in the column ``reason_column``) equals it;
* ``search``: the person id (or partner id), the person's name or the caseworker id/name contains the
  text. Person names are the optional columns ``first_name``/``last_name`` (docs/data.md, "Person
  names"): the text may be part of "Nachname, Vorname" or of "Vorname Nachname" (blanks inside the text
  collapsed), so "müller", "Müller, An" and "anna m" all find Anna Müller; rows without names match by
  id as before;
* sorting: by one column, empty values last in both directions, ties by person id; unknown columns
  are an error (German message).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pyarrow as pa
import pyarrow.compute as pc

#: rows per page of a list in the web app
PAGE_SIZE = 50

__all__ = ["PAGE_SIZE", "ListQuery", "Page", "QueryError", "matches", "person_name", "run", "sort_table"]


class QueryError(ValueError):
    """A query the list cannot answer (German message naming the parameter)."""


@dataclass(frozen=True)
class ListQuery:
    sort: str = ""
    descending: bool = False
    municipality: str = ""
    team: str = ""
    caseworker: str = ""
    reason: str = ""
    search: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE

    def with_page(self, page: int) -> ListQuery:
        return replace(self, page=page)


@dataclass(frozen=True)
class Page:
    rows: pa.Table
    #: rows after filtering (all pages)
    total: int
    page: int
    pages: int
    #: 1-based number of the first and last row shown (0, 0 when there is none)
    first: int
    last: int

    def label(self) -> str:
        """``Zeilen 501–550 von 6.451`` (German thousands separator)."""
        if not self.total:
            return "keine Zeilen"
        return f"Zeilen {_int(self.first)}–{_int(self.last)} von {_int(self.total)}"


def _int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _fold(v: object) -> str:
    return str(v).strip().casefold() if v is not None else ""


def person_name(first: str | None, last: str | None) -> str | None:
    """``Nachname, Vorname`` (only the part that is known; ``None`` without either)."""
    first, last = (first or "").strip(), (last or "").strip()
    if first and last:
        return f"{last}, {first}"
    return last or first or None


def _name_texts(row: Mapping) -> list[str]:
    """The folded texts a search for the row's person name is matched against."""
    first, last = _fold(row.get("first_name")), _fold(row.get("last_name"))
    if not (first or last):
        return []
    return [_fold(person_name(first, last)), " ".join(f"{first} {last}".split())]


def matches(row: Mapping, q: ListQuery, municipality_names: Mapping[str, str] | None = None,
            reason_column: str = "flags") -> bool:
    """Whether one row (a dict of the list's columns) passes the query's filters and search."""
    names = municipality_names or {}
    if q.municipality.strip():
        needle = _fold(q.municipality)
        ags = row.get("municipality_id")
        name = row.get("municipality_name") or names.get(ags or "", "")
        if not (ags and _fold(ags).startswith(needle)) and needle not in _fold(name):
            return False
    if q.team.strip() and _fold(row.get("team")) != _fold(q.team):
        return False
    if q.caseworker.strip():
        needle = _fold(q.caseworker)
        if needle not in _fold(row.get("caseworker_id")) and needle not in _fold(row.get("caseworker_name")):
            return False
    if q.reason.strip():
        codes = {_fold(c) for c in str(row.get(reason_column) or "").split()}
        if _fold(q.reason) not in codes:
            return False
    if q.search.strip():
        needle = " ".join(_fold(q.search).split())
        fields = ("person_id", "partner_id", "caseworker_id", "caseworker_name")
        if not any(needle in _fold(row.get(f)) for f in fields) and not any(
                needle in t for t in _name_texts(row)):
            return False
    return True


def sort_table(tbl: pa.Table, column: str, descending: bool = False) -> pa.Table:
    """Sorted by ``column`` (empty values last), ties by ``person_id`` ascending if the list has one."""
    if column not in tbl.column_names:
        raise QueryError(f"Nach der Spalte „{column}“ kann diese Liste nicht sortiert werden.")
    order = "descending" if descending else "ascending"
    keys = [(column, order, "at_end")]
    if "person_id" in tbl.column_names and column != "person_id":
        keys.append(("person_id", "ascending", "at_end"))
    col = tbl[column]
    if pa.types.is_null(col.type):
        keys[0] = ("person_id", "ascending", "at_end") if "person_id" in tbl.column_names else None
        return tbl.take(pc.sort_indices(tbl, sort_keys=keys[:1])) if keys[0] else tbl
    if pa.types.is_nested(col.type):  # lists/structs: by their text
        tbl2 = tbl.append_column("__sort", pa.array([None if v is None else str(v) for v in col.to_pylist()],
                                                     pa.string()))
        keys[0] = ("__sort", order, "at_end")
        return tbl.take(pc.sort_indices(tbl2, sort_keys=keys))
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        # case-insensitive order of texts (names, ids): sort by the lower-cased copy
        tmp = tbl.append_column("__sort", pc.utf8_lower(col))
        keys[0] = ("__sort", order, "at_end")
        return tbl.take(pc.sort_indices(tmp, sort_keys=keys))
    return tbl.take(pc.sort_indices(tbl, sort_keys=keys))


def run(tbl: pa.Table, q: ListQuery, municipality_names: Mapping[str, str] | None = None,
        reason_column: str = "flags") -> Page:
    """Filter, sort and page ``tbl``; a page beyond the last shows the last page."""
    if q.page_size < 1:
        raise QueryError("Die Seitengröße muss mindestens 1 sein.")
    if q.page < 1:
        raise QueryError(f"Seite {q.page} gibt es nicht (die erste Seite ist 1).")
    if any(s.strip() for s in (q.municipality, q.team, q.caseworker, q.reason, q.search)):
        keep = [matches(r, q, municipality_names, reason_column) for r in tbl.to_pylist()]
        tbl = tbl.filter(pa.array(keep, pa.bool_()))
    if q.sort:
        tbl = sort_table(tbl, q.sort, q.descending)
    total = tbl.num_rows
    pages = max(1, -(-total // q.page_size))
    page = min(q.page, pages)
    start = (page - 1) * q.page_size
    rows = tbl.slice(start, q.page_size)
    return Page(rows=rows, total=total, page=page, pages=pages,
                first=start + 1 if rows.num_rows else 0, last=start + rows.num_rows)
