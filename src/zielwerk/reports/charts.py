"""One chart per target: actual vs seasonal target path with tolerance band and year-end forecast.

A plain Vega-Lite specification (the dict Vega-Altair would build: building it through Altair's
``to_dict`` cost about 0.2 s per chart, most of a report's render time), rendered offline with
vl-convert (no browser), German number locale. The PNG is rasterised from the SVG (one Vega run).
"""

from __future__ import annotations

import base64

import vl_convert as vlc

from zielwerk.domain.german import MONTH_ABBR
from zielwerk.targets.monitoring import TargetMonitor

LOCALE = "de-DE"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
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
    x = {"field": "monat", "type": "nominal", "sort": list(months), "title": None, "axis": {"labelAngle": 0}}
    domain = ["Ist", "Zielpfad", "Vorjahr", "Prognose"]
    color = {"field": "reihe", "type": "nominal", "title": None,
             "scale": {"domain": domain, "range": [COLORS[d] for d in domain]},
             "legend": {"orient": "bottom", "direction": "horizontal"}}
    unit = tm.spec.record.unit  # the indicator's display unit: %, Personen, Bedarfe
    layers: list[dict] = []
    if band:
        layers.append({"data": {"values": band},
                       "mark": {"type": "area", "color": COLORS["Zielpfad"], "opacity": 0.18},
                       "encoding": {"x": x, "y": {"field": "unten", "type": "quantitative", "title": unit,
                                                  "scale": {"zero": False}},
                                    "y2": {"field": "oben"}}})
    layers.append({"data": {"values": rows}, "mark": {"type": "line", "point": {"size": 18}},
                   "encoding": {"x": x, "color": color,
                                "y": {"field": "wert", "type": "quantitative", "title": unit,
                                      "scale": {"zero": False}, "axis": {"format": ",.1~f"}},
                                "strokeDash": {"condition": {"test": "datum.reihe == 'Zielpfad'", "value": [5, 3]},
                                               "value": [1, 0]}}})
    if fc:
        layers.append({"data": {"values": fc},
                       "mark": {"type": "rule", "color": COLORS["Prognose"], "strokeWidth": 2},
                       "encoding": {"x": x, "y": {"field": "unten", "type": "quantitative"},
                                    "y2": {"field": "oben"}}})
        layers.append({"data": {"values": fc},
                       "mark": {"type": "point", "shape": "diamond", "size": 90, "filled": True},
                       "encoding": {"x": x, "y": {"field": "wert", "type": "quantitative"}, "color": color}})
    return {"$schema": SCHEMA, "width": width, "height": height, "layer": layers,
            "config": {"view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
                       "axis": {"labelFontSize": 10, "titleFontSize": 10}, "legend": {"labelFontSize": 10}}}


def svg(tm: TargetMonitor) -> str:
    return vlc.vegalite_to_svg(chart_spec(tm), format_locale=LOCALE, time_format_locale=LOCALE)


def png(tm: TargetMonitor, scale: float = 2.0, svg_text: str | None = None) -> bytes:
    """The chart as PNG (from ``svg_text`` if the SVG was rendered already)."""
    return vlc.svg_to_png(svg_text if svg_text is not None else svg(tm), scale=scale)


def png_data_uri(tm: TargetMonitor, scale: float = 2.0) -> str:
    return "data:image/png;base64," + base64.b64encode(png(tm, scale)).decode("ascii")
