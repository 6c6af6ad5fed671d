"""Versioning rules: a signed version is immutable; changes make a new version with a reason; diff."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date

import pytest

from zielwerk.targets.fileformat import parse_agreement
from zielwerk.targets.model import (
    DRAFT,
    SIGNED,
    SUPERSEDED,
    AgreementError,
    AgreementRecord,
    Signatory,
    SignedVersionImmutable,
    diff_versions,
)

SIGS = (Signatory("A. Kreis", "Landrat", "kreis", date(2016, 3, 14)),
        Signatory("B. Agentur", "Vorsitzende der GF", "agentur", date(2016, 3, 14)),
        Signatory("C. Jobcenter", "Geschäftsführer", "jobcenter", date(2016, 3, 15)))


@pytest.fixture
def record(small_text):
    return AgreementRecord.start(parse_agreement(small_text), "Controlling", date(2016, 2, 1))


def _with_change(a, pct):
    g = a.goals[0]
    t = replace(g.targets[0], change_pct=pct)
    return tuple([replace(g, targets=(t,))] + list(a.goals[1:]))


def test_values_are_frozen(record):
    with pytest.raises(FrozenInstanceError):
        record.current.year = 2017  # type: ignore[misc]


def test_draft_edits_keep_version_and_are_logged(record):
    a = record.current
    new = record.edit("Controlling", date(2016, 2, 10), goals=_with_change(a, -3.0))
    assert new.version == 1 and new.status == DRAFT and len(record.versions) == 1
    assert new.history[-1].author == "Controlling" and new.history[-1].on == date(2016, 2, 10)
    assert "ziele[lzb].zielwerte[lzb-jd].veraenderung_prozent: −2 → −3" in new.history[-1].change


def test_signed_version_is_immutable(record):
    record.sign("GF", date(2016, 3, 15), SIGS)
    v1 = record.current
    assert v1.status == SIGNED
    with pytest.raises(SignedVersionImmutable, match="unveränderlich"):
        record.edit("Controlling", date(2016, 6, 1), goals=_with_change(v1, -1.0))
    assert record.current == v1 and len(record.versions) == 1

    v2 = record.edit("Controlling", date(2016, 6, 1), reason="Arbeitsmarkt schwächer als erwartet",
                     goals=_with_change(v1, -1.0))
    assert (v2.version, v2.status) == (2, DRAFT)
    assert record.version(1) == v1  # the signed version is untouched
    assert v2.history[-1].reason == "Arbeitsmarkt schwächer als erwartet"
    assert all(s.signed_on is None for s in v2.signatories)  # signatures do not carry over

    record.sign("GF", date(2016, 6, 20), tuple(replace(s, signed_on=date(2016, 6, 20)) for s in SIGS))
    assert record.version(1).status == SUPERSEDED and record.version(2).status == SIGNED
    changes = record.compare(1, 2)
    assert [c.path for c in changes if "veraenderung_prozent" in c.path] == ["ziele[lzb].zielwerte[lzb-jd].veraenderung_prozent"]
    assert [(c.old, c.new) for c in changes if "veraenderung_prozent" in c.path] == [(-2.0, -1.0)]


def test_sign_needs_every_party_with_date(record):
    with pytest.raises(AgreementError, match="Geschäftsführung des Jobcenters"):
        record.sign("GF", date(2016, 3, 15), SIGS[:2])
    with pytest.raises(AgreementError, match="Datum"):
        record.sign("GF", date(2016, 3, 15), (replace(SIGS[0], signed_on=None),) + SIGS[1:])
    record.sign("GF", date(2016, 3, 15), SIGS)
    with pytest.raises(SignedVersionImmutable):
        record.sign("GF", date(2016, 3, 16), SIGS)


def test_diff_added_and_removed(small_text):
    a = parse_agreement(small_text)
    b = replace(a, links=(), notes="neu")
    changes = {c.path: c for c in diff_versions(a, b)}
    assert changes["verknuepfungen[integ->lzb]"].new is None
    assert changes["anmerkungen"].describe() == "anmerkungen: hinzugefügt (neu)"
    assert diff_versions(a, a) == []
