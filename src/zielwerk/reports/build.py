"""One call from dataset + agreement to the written report (used by the CLI and the web app)."""

from __future__ import annotations

from pathlib import Path

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.targets import Agreement, Monitoring, collect, monitor

from .context import report_context
from .render import CHART_KIND, write_report


def monitoring_for(ds: Dataset, agreement: Agreement, month: Month) -> Monitoring:
    """Actual series from the engine (plus the two local counts) and the monitoring of every target."""
    return monitor(agreement, collect(ds, agreement, month), month)


def monthly_report(ds: Dataset, agreement: Agreement, month: Month, out: str | Path) -> Monitoring:
    """Compute and write the monthly report for ``month`` to ``out`` (.pdf, .html, .xlsx)."""
    mon = monitoring_for(ds, agreement, month)
    charts = CHART_KIND.get(Path(out).suffix.lower().lstrip("."), "png")
    from .sections import extra_sections

    context = report_context(mon, as_of=ds.as_of, charts=charts)
    context.update(extra_sections(ds, agreement, month, mon))  # Arbeitskreis, teams (issue 15)
    write_report(context, out)
    return mon
