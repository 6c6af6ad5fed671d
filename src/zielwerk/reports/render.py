"""Writing the monthly monitoring report as HTML, PDF (WeasyPrint, same template) or Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

from zielwerk.atomic import write_bytes_atomically

if TYPE_CHECKING:
    from zielwerk.targets import Monitoring

FORMATS = (".html", ".pdf", ".xlsx")


def _env() -> Environment:
    return Environment(loader=PackageLoader("zielwerk.reports", "templates"),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)


def render_html(context: dict, pdf: bool = False) -> str:
    """The report as one self-contained HTML page (charts inline as SVG, or PNG for the PDF)."""
    return _env().get_template("bericht.html.j2").render(**context, pdf=pdf)


def render_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(context, pdf=True)).write_pdf()


#: the chart kind each format embeds: SVG in HTML (inline) and PDF (vector image: rasterising to PNG
#: and WeasyPrint's re-encoding of the PNG took about 40 % of a report's render time); PNG in the workbook
CHART_KIND = {"html": "svg", "pdf": "svg", "xlsx": "png"}


def render_monitoring(mon: Monitoring, as_of: date | None, fmt: str, comments: dict | None = None,
                      extra: dict | None = None) -> bytes:
    """One report as bytes in ``fmt`` (html, pdf, xlsx), with only the chart kind that format uses;
    ``comments``: goal id → deviation comment (Abweichungsbegründung) printed beside the deviation;
    ``extra``: more sections of the context (issue 14: ``vergleich``).

    A module-level function of picklable arguments: the web app runs it in a worker process.
    """
    from .context import report_context

    if fmt not in CHART_KIND:
        raise ValueError(f"Unbekanntes Berichtsformat '{fmt}' (erlaubt: html, pdf, xlsx)")
    context = report_context(mon, as_of=as_of, charts=CHART_KIND[fmt], comments=comments)
    context.update(extra or {})
    if fmt == "html":
        return render_html(context).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(context)
    from .excel import workbook_bytes

    return workbook_bytes(context)


def warm_up() -> None:
    """Load the renderers and the fonts once (a render worker process calls this when it starts)."""
    from weasyprint import HTML

    from . import excel  # noqa: F401

    HTML(string="<p style='font-family: \"DejaVu Sans\"'>Zielwerk</p>").write_pdf()


def write_report(context: dict, out: str | Path) -> Path:
    """Write by the suffix of ``out`` (.html, .pdf, .xlsx), atomically (temporary file, then rename)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"Unbekanntes Ausgabeformat '{out.suffix}' (erlaubt: .pdf, .html, .xlsx)")
    if suffix == ".html":
        data = render_html(context).encode("utf-8")
    elif suffix == ".pdf":
        data = render_pdf(context)
    else:
        from .excel import workbook_bytes

        data = workbook_bytes(context)
    write_bytes_atomically(out, data)
    return out
