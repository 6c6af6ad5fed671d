"""Abgleich (issue 14 item 4): own figures beside the official ones of the statistics office per month,
indicator and sex, with the difference and its explanation category (:mod:`zielwerk.official.reconcile`).

For controlling: permission ``indicators.view``; a role limited to one municipality (``kommune``) sees no
Jobcenter figures and is refused. Values only (percent), no counts, so the small-number rule (C10) has
nothing to hide here.
"""

from __future__ import annotations

from fastapi.responses import Response

from zielwerk.indicators.definitions import INDICATORS
from zielwerk.official.reconcile import CATEGORIES, EXPLANATIONS, reconcile, summary
from zielwerk.store.official import official_table

from .. import supervision
from ..context import PageCtx
from ..permissions import allowed_units

SEX_LABEL = {"all": "Insgesamt", "f": "Frauen", "m": "Männer"}


def page(ctx: PageCtx, jobcenter: str = "", monat: str = "") -> Response:
    ctx.require("indicators.view")
    if allowed_units(ctx.role, ctx.user.municipality_id) is not None:
        ctx.deny("indicators.view", object_type="page", object_id="abgleich")
    results = ctx.request.app.state.results
    mine = supervision.own_jobcenters(ctx.db, ctx.user, results)
    if jobcenter and jobcenter not in mine:
        ctx.deny("indicators.view", object_type="jobcenter", object_id=jobcenter)
    chosen = jobcenter or (mine[0] if mine else "")
    own = results.kennzahlen()
    rows, message = [], ""
    if not chosen:
        message = "Es gibt kein Jobcenter, dessen Zahlen Sie abgleichen können."
    elif own is None:
        message = "Es liegen noch keine eigenen Kennzahlen vor (Seite „Daten“)."
    else:
        official = official_table(ctx.db, [chosen])
        if official.num_rows == 0:
            message = ("Für dieses Jobcenter sind keine amtlichen Kennzahlen eingelesen "
                       "(„zielwerk amtlich einlesen DATEI --daten DATENORDNER“).")
        else:
            rows = reconcile(own, official, [chosen])
            if not rows:
                message = "Kein Monat hat zugleich eigene und amtliche Werte."
    months = sorted({r.month for r in rows}, reverse=True)
    month = monat if monat in months else (months[0] if months else "")
    shown = [r for r in rows if r.month == month]
    names = (results.meta() or {}).get("unit_names", {})
    return ctx.render("abgleich.html", jobcenters=mine, chosen=chosen, names=names, months=months, month=month,
                      rows=shown, total=summary(rows), month_summary=summary(shown), categories=CATEGORIES,
                      explanations=EXPLANATIONS, indicators=INDICATORS, sexes=SEX_LABEL, message=message)
