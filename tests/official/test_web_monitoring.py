"""The web's monitoring of a stored agreement with ``reihe = "amtlich"`` reads the official figures of the
store (web.monitoring.monitoring_for with the session; issue 14 item 5)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from zielwerk.store import official as store
from zielwerk.targets.fileformat import dumps_agreement
from zielwerk.web.monitoring import monitoring_for

from .test_series import _agreement, _rows


class _NoResults:
    def meta(self):
        return None

    def series(self):
        return None


def test_official_agreement_monitored_from_the_store(sessions):
    doc = dumps_agreement(_agreement())
    with sessions() as s:
        mon, why = monitoring_for(_NoResults(), 1, doc, db=s)
        assert mon is None and "keine amtlichen Kennzahlen eingelesen" in why
    with sessions() as s, s.begin():
        store.replace_months(s, _rows(), source="amtlich.csv", username="t")
    with sessions() as s:
        mon, why = monitoring_for(_NoResults(), 1, doc, db=s)
    assert why == ""
    assert str(mon.report) == "2016-09"  # the newest published month of the agreement year
    k2e1 = mon.targets[0]
    assert k2e1.current.actual == pytest.approx(11.5) and k2e1.current.status == "im Plan"


def test_own_series_agreement_still_reads_the_results(sessions):
    doc = dumps_agreement(replace(_agreement(), series="eigen"))
    with sessions() as s:
        mon, why = monitoring_for(_NoResults(), 1, doc, db=s)
    assert mon is None and why == "Es liegen noch keine berechneten Kennzahlen vor."
