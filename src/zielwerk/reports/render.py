"""Writing the monthly monitoring report as HTML, PDF (WeasyPrint, same template) or Excel."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from zielwerk.atomic import write_bytes_atomically

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
