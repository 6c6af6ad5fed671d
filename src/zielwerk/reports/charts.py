"""One chart per target: actual vs seasonal target path with tolerance band and year-end forecast.

Built with Vega-Altair and rendered offline with vl-convert (no browser), German number locale.
"""

from __future__ import annotations

import base64

import altair as alt
import vl_convert as vlc

from zielwerk.domain.german import MONTH_ABBR
from zielwerk.targets.monitoring import TargetMonitor

LOCALE = "de-DE"
COLORS = {"Ist": "#1f4e79", "Zielpfad": "#c55a11", "Vorjahr": "#9e9e9e", "Prognose": "#2e7d32"}


def chart_spec(tm: TargetMonitor, width: int = 520, height: int = 150) -> dict:
    """The Vega-Lite spec (dict) of the target chart."""
    months = MONTH_ABBR
    rows = []
    for i, r in enumerate(tm.rows):
        base = {"monat": months[i], "nr": i + 1}
        if r.actual is not None:
            rows.append({**base, "reihe": "Ist", "wert": r.actual})
        if r.path is not None:
            rows.append({**base, "reihe": "Zielpfad", "wert": r.path})
        if tm.previous_year[i] is not None:
            rows.append({**base, "reihe": "Vorjahr", "wert": tm.previous_year[i]})
    band = [{"monat": months[i], "unten": r.band_low, "oben": r.band_high} for i, r in enumerate(tm.rows)
            if r.band_low is not None and r.band_high is not None]
    cur = tm.current
    fc = []
    if cur.forecast is not None:
        lo, hi = cur.interval if cur.interval is not None else (cur.forecast, cur.forecast)
        fc.append({"monat": months[11], "wert": cur.forecast, "unten": lo, "oben": hi, "reihe": "Prognose"})
    x = alt.X("monat:N", sort=list(months), title=None, axis=alt.Axis(labelAngle=0))
    domain = ["Ist", "Zielpfad", "Vorjahr", "Prognose"]
    color = alt.Color("reihe:N", title=None, scale=alt.Scale(domain=domain, range=[COLORS[d] for d in domain]),
                      legend=alt.Legend(orient="bottom", direction="horizontal"))
    unit = tm.spec.record.unit  # the indicator's display unit: %, Personen, Bedarfe
    y = alt.Y("wert:Q", title=unit, scale=alt.Scale(zero=False), axis=alt.Axis(format=",.1~f"))
    layers = []
    if band:
        layers.append(alt.Chart(alt.Data(values=band)).mark_area(opacity=0.18, color=COLORS["Zielpfad"]).encode(
            x=x, y=alt.Y("unten:Q", title=unit, scale=alt.Scale(zero=False)), y2="oben:Q"))
    line = alt.Chart(alt.Data(values=rows)).encode(x=x, y=y, color=color,
                                                    strokeDash=alt.condition("datum.reihe == 'Zielpfad'",
                                                                             alt.value([5, 3]), alt.value([1, 0])))
    layers.append(line.mark_line(point=alt.OverlayMarkDef(size=18)))
    if fc:
        f = alt.Chart(alt.Data(values=fc))
        layers.append(f.mark_rule(color=COLORS["Prognose"], strokeWidth=2).encode(x=x, y="unten:Q", y2="oben:Q"))
        layers.append(f.mark_point(shape="diamond", size=90, filled=True).encode(x=x, y="wert:Q", color=color))
    chart = alt.layer(*layers).properties(width=width, height=height).configure_view(stroke=None).configure_axis(
        labelFontSize=10, titleFontSize=10).configure_legend(labelFontSize=10)
    return chart.to_dict()


def svg(tm: TargetMonitor) -> str:
    return vlc.vegalite_to_svg(chart_spec(tm), format_locale=LOCALE, time_format_locale=LOCALE)


def png(tm: TargetMonitor, scale: float = 2.0) -> bytes:
    return vlc.vegalite_to_png(chart_spec(tm), scale=scale, format_locale=LOCALE, time_format_locale=LOCALE)


def png_data_uri(tm: TargetMonitor, scale: float = 2.0) -> str:
    return "data:image/png;base64," + base64.b64encode(png(tm, scale)).decode("ascii")
