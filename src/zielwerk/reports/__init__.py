"""Reports: the monthly monitoring report of a target agreement as HTML, PDF and Excel.

- :func:`report_context` builds the German view model from a :class:`zielwerk.targets.Monitoring`;
- :func:`render_html`, :func:`render_pdf` (same Jinja2 template), :func:`write_report` (by suffix);
- :mod:`zielwerk.reports.charts`: one Altair chart per target, rendered offline by vl-convert.
"""

from __future__ import annotations

from .context import report_context
from .render import FORMATS, render_html, render_pdf, write_report

__all__ = ["FORMATS", "render_html", "render_pdf", "report_context", "write_report"]
