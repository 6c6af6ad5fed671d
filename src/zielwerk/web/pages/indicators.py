"""Kennzahlen: any indicator by Jobcenter or municipality, by sex, over time; definition and legal
source; downloads as German CSV and Excel."""

from __future__ import annotations

import io
from typing import Any

from fastapi import HTTPException
from fastapi.responses import Response

from zielwerk.domain.cells import neutralise_workbook
from zielwerk.indicators.suppression import suppress

from .. import charts
from ..catalogue import catalogue, label
from ..context import Ctx, PageCtx
from ..formats import csv_german, german_month, number
from ..permissions import allowed_units

SEXES = ("all", "f", "m")


def _unit_choices(ctx: Ctx) -> list[tuple[str, str]]:
    """(key 'type:id', label) of the units this user may see."""
    results = ctx.request.app.state.results
    names = (results.meta() or {}).get("unit_names", {})
    only = allowed_units(ctx.role, ctx.user.municipality_id)
    out = []
    for unit_type, unit_id in results.units():
        if only is not None and (unit_type, unit_id) != only:
            continue
        key = f"{unit_type}:{unit_id}"
        kind = {"jobcenter": "Jobcenter", "municipality": "Kommune", "total": "Gesamt"}.get(unit_type, unit_type)
        name = names.get(key, unit_id)
        # "Jobcenter Jobcenter Kreis …" reads badly: no kind prefix where the name already starts with it
        out.append((key, name if name.startswith(kind) else f"{kind} {name}"))
    return out


def selection(ctx: Ctx, k: str, einheit: str) -> tuple[str, str, str, list[dict[str, Any]]]:
    """Resolve and authorise the selection; returns indicator, unit type, unit id and rows."""
    ctx.require("indicators.view")
    results = ctx.request.app.state.results
    codes = results.indicators()
    if not codes:
        raise HTTPException(404, "Es liegen noch keine berechneten Kennzahlen vor (Seite „Daten“).")
    k = k or ("K2" if "K2" in codes else codes[0])
    if k not in codes:
        raise HTTPException(404, f"Unbekannte Kennzahl „{k}“.")
    choices = _unit_choices(ctx)
    if not einheit:
        if not choices:
            ctx.deny("indicators.unit", object_type="unit", object_id="keine")
        einheit = choices[0][0]
    unit_type, _, unit_id = einheit.partition(":")
    only = allowed_units(ctx.role, ctx.user.municipality_id)
    if only is not None and (unit_type, unit_id) != only:
        ctx.deny("indicators.unit", object_type="unit", object_id=einheit)
    rows = results.indicator_rows(k, unit_type, unit_id)
    if not rows:
        raise HTTPException(404, f"Für „{einheit}“ gibt es keine Werte der Kennzahl {k}.")
    if not ctx.can("figures.unsuppressed"):
        rows = suppress(rows)
    return k, unit_type, unit_id, rows


def page(ctx: PageCtx, k: str = "", einheit: str = "", geschlecht: str = "all") -> Response:
    k, unit_type, unit_id, rows = selection(ctx, k, einheit)
    if geschlecht not in SEXES:
        geschlecht = "all"
    info = catalogue().get(k)
    unit_key = f"{unit_type}:{unit_id}"
    shown = [r for r in rows if r["sex"] == geschlecht] or [r for r in rows if r["sex"] == "all"]
    chart_rows = [r for r in rows if r["sex"] in SEXES]
    unit_label = dict(_unit_choices(ctx)).get(unit_key, unit_key)
    y_title = (info.unit + (", gleitend (12 Monate)" if info.rolling else "")) if info else "Wert"
    spec = charts.line_chart(chart_rows, f"{k} – {unit_label}", y_title)
    chart = charts.embed(spec, "kennzahl-chart", f"Verlauf der Kennzahl {label(k)} für {unit_label}")
    meta = ctx.request.app.state.results.meta() or {}
    comparison = _comparison(ctx, k, geschlecht, rows[-1]["month"] if rows else "")
    return ctx.render(
        "indicators.html", comparison=comparison, value_text=lambda v: value_text(v, info), k=k, info=info, codes=ctx.request.app.state.results.indicators(),
        labels={c: label(c) for c in ctx.request.app.state.results.indicators()},
        units=_unit_choices(ctx), unit=unit_key, unit_label=unit_label, sex=geschlecht,
        rows=list(reversed(shown)), chart=chart, meta=meta,
        sex_labels=charts.SEX_LABELS,
    )


def value_text(v: Any, info: Any) -> str:
    """A value of the table in its unit's convention (domain.german): rates "25,3 %", rates of change with
    sign "+0,4 %"; the suppression mark and missing values pass through."""
    from zielwerk.domain import german

    from ..formats import number

    if v is None or isinstance(v, str) or info is None:
        return number(v)
    return german.with_unit(float(v), info.unit, change_rate=info.value_kind == "change")


def _comparison(ctx: Ctx, k: str, sex: str, month: str) -> list[dict[str, Any]]:
    """All units the user may see for one indicator, sex and month (C10 applied), for comparison."""
    results = ctx.request.app.state.results
    names = (results.meta() or {}).get("unit_names", {})
    out = []
    for key, label_text in _unit_choices(ctx):
        unit_type, _, unit_id = key.partition(":")
        rows = [r for r in results.indicator_rows(k, unit_type, unit_id) if r["month"] == month]
        if not ctx.can("figures.unsuppressed"):
            rows = suppress(rows)
        row = next((r for r in rows if r["sex"] == sex), None)
        if row is not None:
            out.append({**row, "label": label_text, "name": names.get(key, unit_id), "key": key})
    return out


def definition(ctx: PageCtx, code: str) -> Response:
    ctx.require("indicators.view")
    info = catalogue().get(code)
    if info is None:
        raise HTTPException(404, f"Unbekannte Kennzahl „{code}“.")
    return ctx.render("definition.html", info=info)


def indicator_page(ctx: PageCtx, code: str) -> Response:
    """``/kennzahlen/<code>``: every indicator of the catalogue has a page (issue 13). Indicators of the
    engine's table go to the Kennzahlen page; local indicators (``LZB_JD``, ``L_U25_AUSB``, ``ELTERN_2J``,
    ``RANDZEIT``, ``K3_JD``) show their definition and, for roles that read the agreement, the Jobcenter's
    monthly actual values the monitoring uses (the generation's ``series.json``)."""
    from fastapi.responses import RedirectResponse

    ctx.require("indicators.view")
    results = ctx.request.app.state.results
    if code in results.indicators():
        return RedirectResponse(f"/kennzahlen?k={code}", status_code=303)
    info = catalogue().get(code)
    if info is None:
        raise HTTPException(404, f"Unbekannte Kennzahl „{code}“.")
    years: list[dict[str, Any]] = []
    if ctx.can("agreement.view"):
        names = (results.meta() or {}).get("unit_names", {})
        for jc, raw in sorted((results.series() or {}).items()):
            for key, by_year in sorted(raw.get("values", {}).items()):
                k, _, sex = key.partition("|")
                if k != code:
                    continue
                for year, values in sorted(by_year.items(), reverse=True):
                    years.append({"unit": names.get(f"jobcenter:{jc}", jc), "year": year,
                                  "sex": charts.SEX_LABELS.get(sex, sex), "values": values})
    return ctx.render("indicator_local.html", info=info, years=years)


HEADER = ["Einheit", "Einheit-ID", "Monat", "Kennzahl", "Geschlecht", "Zähler", "Nenner", "Wert",
          "vorläufig"]


def _table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["unit_type"], r["unit_id"], german_month(r["month"]), r["indicator"],
             charts.SEX_LABELS.get(r["sex"], r["sex"]), r["numerator"], r["denominator"], r["value"],
             bool(r["provisional"])] for r in rows]


def download_csv(ctx: PageCtx, k: str = "", einheit: str = "") -> Response:
    k, unit_type, unit_id, rows = selection(ctx, k, einheit)
    ctx.audit("indicators.download", object_type="indicator", object_id=f"{k}:{unit_type}:{unit_id}",
              after={"format": "csv"})
    body = csv_german(HEADER, _table(rows))
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{k}_{unit_id}.csv"'})


def download_xlsx(ctx: PageCtx, k: str = "", einheit: str = "") -> Response:
    from openpyxl import Workbook

    k, unit_type, unit_id, rows = selection(ctx, k, einheit)
    ctx.audit("indicators.download", object_type="indicator", object_id=f"{k}:{unit_type}:{unit_id}",
              after={"format": "xlsx"})
    from zielwerk import xlsx

    wb = Workbook()
    ws = wb.active
    ws.title = k
    ws.append(HEADER)
    for r, row in zip(rows, _table(rows)):
        row[2] = xlsx.month_date(r["month"])  # a real date (MM.YYYY), sorts as a month
        row[5], row[6] = xlsx.whole(row[5]), xlsx.whole(row[6])  # whole numerators/denominators: counts
        ws.append(["ja" if v is True else "nein" if v is False else v for v in row])
    for cell in ws["C"][1:]:
        cell.number_format = xlsx.MONTH
    for col in ("F", "G", "H"):
        for cell in ws[col][1:]:
            if isinstance(cell.value, int):
                cell.number_format = xlsx.COUNT
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.0"
    xlsx.finish_table(ws, 1, len(HEADER), 1 + len(rows))
    buf = io.BytesIO()
    neutralise_workbook(wb)  # no text cell is read as a formula (domain/cells.py)
    wb.save(buf)
    return Response(buf.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="{k}_{unit_id}.xlsx"'})


__all__ = ["definition", "download_csv", "download_xlsx", "number", "page"]
