"""Vergleich (issue 14 item 3): a Jobcenter's official figures beside its Vergleichstyp (median,
quartiles, minimum, maximum, rank, previous year, distance to the best quartile in persons), a chart of
its series inside the type's band, and its nearest neighbours by structural features."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import Response

from zielwerk.indicators.definitions import INDICATORS, OFFICIAL_CODES
from zielwerk.peers import FEATURES, distance_text, value_text
from zielwerk.store import peers as peer_store

from .. import charts, supervision
from ..context import Ctx, PageCtx


def allowed_jobcenter(ctx: Ctx, jobcenter: str) -> tuple[list[str], str]:
    """(the Jobcenters the user may compare that have official figures, the chosen one; "" if none).
    A Jobcenter outside the user's set is refused (403, audited); one of the set without official figures
    is chosen (the page says that there are none)."""
    published = peer_store.official_jobcenters(ctx.db)
    allowed = supervision.own_jobcenters(ctx.db, ctx.user, ctx.request.app.state.results)
    if jobcenter and jobcenter not in allowed:
        ctx.deny("peers.view", object_type="jobcenter", object_id=jobcenter)
    mine = [j for j in allowed if j in published]
    return mine, jobcenter or (mine[0] if mine else "")


def page(ctx: PageCtx, jobcenter: str = "", k: str = "K2", monat: str = "", geschlecht: str = "all") -> Response:
    ctx.require("peers.view")
    mine, chosen = allowed_jobcenter(ctx, jobcenter)
    names = peer_store.official_jobcenters(ctx.db)
    view, chart, message = None, "", ""
    codes = supervision.indicators_of(ctx.db, chosen) if chosen else []
    if not chosen or not codes:
        message = (f"Für {'das Jobcenter ' + chosen if chosen else 'Ihre Jobcenter'} liegen keine amtlichen "
                   "Kennzahlen vor (Import mit „zielwerk amtlich einlesen“).")
    elif k in OFFICIAL_CODES and k not in codes:
        message = f"Für die Kennzahl {k} liegen für dieses Jobcenter keine amtlichen Werte vor."
    else:
        try:
            view = supervision.peer_view(ctx.db, ctx.role, chosen, k, monat, geschlecht, fallback=True)
        except supervision.SelectionError as exc:
            raise HTTPException(exc.status, str(exc)) from exc
        chart = charts.embed(supervision.band_chart(view), "vergleich-band",
                             f"{view.indicator}: Verlauf von {view.jobcenter_name} im Band des Vergleichstyps "
                             "(Minimum–Maximum, Quartile, Median)")
    return ctx.render("vergleich.html", view=view, chart=chart, message=message, jobcenters=mine, names=names,
                      codes=codes or OFFICIAL_CODES, indicators=INDICATORS, sexes=supervision.SEX_LABEL, chosen=chosen,
                      k=k, geschlecht=geschlecht, fmt=value_text, dist=distance_text, features=FEATURES,
                      month_name=supervision.german_month)
