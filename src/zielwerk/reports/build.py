"""One call from dataset + agreement to the written report (used by the CLI and the web app)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.targets import Agreement, Monitoring, collect, monitor

from .context import report_context
from .render import CHART_KIND, write_report


def monitoring_for(ds: Dataset | None, agreement: Agreement, month: Month, official: Any = None) -> Monitoring:
    """Actual series from the engine (plus the two local counts) and the monitoring of every target; an
    agreement with ``reihe = "amtlich"`` is monitored on the official figures ``official`` (long table,
    :func:`zielwerk.store.official.official_table`; issue 14). ValueError (German) if it has none.
    ``ds`` None (no person-level data): only an agreement on the official series can be monitored."""
    from zielwerk.targets.model import OFFICIAL_SERIES

    if agreement.series == OFFICIAL_SERIES:
        from zielwerk.official.series import official_series_set

        if official is None or official.num_rows == 0:
            raise ValueError("Die Zielvereinbarung verwendet die amtliche Statistik (reihe = \"amtlich\"), es sind "
                             "aber keine amtlichen Kennzahlen eingelesen (zielwerk amtlich einlesen).")
        return monitor(agreement, official_series_set(agreement, official, month), month)
    if ds is None:
        raise ValueError("Ohne Datensatz (personenbezogene Daten) kann nur eine Zielvereinbarung auf der amtlichen "
                         "Statistik (reihe = \"amtlich\") berichtet werden.")
    return monitor(agreement, collect(ds, agreement, month), month)


def monthly_report(ds: Dataset | None, agreement: Agreement, month: Month, out: str | Path, official: Any = None,
                   peers: Any = None) -> Monitoring:
    """Compute and write the monthly report for ``month`` to ``out`` (.pdf, .html, .xlsx); ``official``: the
    official figures (long table) for the official series and the reconciliation lines (issue 14); ``ds`` None:
    no person-level data (an agreement on the official series; the sections needing own data are left out
    with a note)."""
    mon = monitoring_for(ds, agreement, month, official)
    charts = CHART_KIND.get(Path(out).suffix.lower().lstrip("."), "png")
    from .sections import extra_sections, no_person_data_sections

    context = report_context(mon, as_of=ds.as_of if ds is not None else None, charts=charts)
    # Arbeitskreis, teams (issue 15); without person-level data left out with a note (issue 14 item 5)
    context.update(extra_sections(ds, agreement, month, mon) if ds is not None else no_person_data_sections(agreement))
    from .abgleich import abgleich_section, own_table_for  # data basis, reconciliation (issue 14)

    own = own_table_for(ds, mon) if official is not None and ds is not None else None
    context.update(abgleich_section(mon, own, official))
    from .vergleich import vergleich_section  # the Vergleichstyp (issue 14; peers: official rows with types)

    context.update(vergleich_section(peers, agreement, month))
    write_report(context, out)
    return mon
