"""Vega-Lite specs built on the server; the page renders them with the locally served bundle."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

SEX_LABELS = {"all": "insgesamt", "f": "Frauen", "m": "Männer"}


def line_chart(rows: list[dict[str, Any]], title: str, y_title: str, height: int = 220) -> dict[str, Any]:
    """One line per sex over the months; suppressed or empty values are left out."""
    values = [
        {"Monat": r["month"] + "-01", "Wert": r["value"], "Gruppe": SEX_LABELS.get(r["sex"], r["sex"])}
        for r in rows if isinstance(r.get("value"), (int, float))
    ]
    months = len({v["Monat"] for v in values})
    # one tick per month (or per quarter/year on long series), never ticks between months
    step = 1 if months <= 13 else 3 if months <= 40 else 12
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": "container",
        "height": height,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "Monat", "type": "temporal", "title": "Monat",
                  "axis": {"format": "%m/%Y", "tickCount": {"interval": "month", "step": step}}},
            "y": {"field": "Wert", "type": "quantitative", "title": y_title},
            "color": {"field": "Gruppe", "type": "nominal", "title": None,
                      "scale": {"range": ["#1f4e79", "#c0392b", "#2e7d32"]}},
            "tooltip": [{"field": "Monat", "type": "temporal", "format": "%m/%Y"},
                        {"field": "Gruppe"}, {"field": "Wert", "format": ",.1f"}],
        },
    }


def embed(spec: dict[str, Any], chart_id: str, description: str) -> Markup:
    """A chart container plus its spec as inert JSON (no inline script; static/app.js renders it)."""
    data = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
    return Markup(
        f'<figure class="chart-figure"><div class="chart" id="{chart_id}" data-spec="{chart_id}-spec" '
        f'role="img" aria-label="{Markup.escape(description)}"></div>'
        f'<figcaption>{Markup.escape(description)}</figcaption></figure>'
        f'<script type="application/json" id="{chart_id}-spec">{data}</script>'
    )
