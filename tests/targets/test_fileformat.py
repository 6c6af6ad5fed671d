"""The TOML file format: the example validates, round trip, German errors with exact line numbers."""

from __future__ import annotations

from datetime import date

import pytest

from zielwerk.targets.fileformat import AgreementFileInvalid, dumps_agreement, load_agreement, parse_agreement

from .conftest import EXAMPLE, line_of


def _problems(text: str) -> list[str]:
    with pytest.raises(AgreementFileInvalid) as exc:
        parse_agreement(text, "ziele.toml")
    return [str(p) for p in exc.value.problems]


def test_example_agreement_validates():
    a = load_agreement(EXAMPLE)
    assert a.year == 2016 and a.jobcenter_id == "05970" and a.status == "unterzeichnet"
    codes = {t.indicator for _, t in a.targets()}
    # the seed agreement: LZB average, LZB entries, K3E2, K3E1, parents, childcare, U25, K2 by sex, K1 monitoring
    assert {"LZB_JD", "K3E3", "K3E2", "K3E1", "ELTERN_2J", "RANDZEIT", "U25_AUSB", "K2", "K1"} <= codes
    assert {t.sex for _, t in a.targets() if t.indicator == "K2"} == {"all", "f", "m"}
    assert [t.form for _, t in a.targets() if t.indicator == "K1"] == ["beobachtung"]
    owners = {g.id: g.owners for g in a.goals}
    # a link from a Kreis-only goal to an Agentur-only goal (the joint agreement's point)
    assert any(owners[lk.source] == ("kreis",) and owners[lk.target] == ("agentur",) for lk in a.links)
    assert {s.party for s in a.signatories} == {"kreis", "agentur", "jobcenter"}
    assert all(s.signed_on == date(2016, 3, 14) for s in a.signatories)


def test_round_trip_example_and_small(small_text):
    for a in (load_agreement(EXAMPLE), parse_agreement(small_text)):
        text = dumps_agreement(a)
        assert parse_agreement(text) == a
        assert dumps_agreement(parse_agreement(text)) == text


def test_unknown_indicator_names_the_line(small_text):
    text = small_text.replace('kennzahl = "K2"\n  form = "absolut"', 'kennzahl = "K9"\n  form = "absolut"')
    probs = _problems(text)
    assert len(probs) == 1
    line = line_of(text, 'kennzahl = "K9"')
    assert probs[0].startswith(f"ziele.toml:{line}: Unbekannte Kennzahl 'K9'")


def test_several_problems_each_with_its_line(small_text):
    text = (small_text
            .replace('traeger = ["agentur"]', 'traeger = ["stadt"]')
            .replace("obergrenze = 22.0", "obergrenze = 19.0")
            .replace('nach = "lzb"', 'nach = "gibtsnicht"')
            .replace('id = "J1"', 'id = "J1"\nfarbe = "blau"'))
    probs = _problems(text)
    expect = [
        (line_of(text, 'farbe = "blau"'), "Unbekannter Schlüssel 'farbe'"),
        (line_of(text, 'traeger = ["stadt"]'), "'traeger' muss eine Liste"),
        (line_of(text, "obergrenze = 19.0"), "'obergrenze' muss größer als 'untergrenze' sein"),
        (line_of(text, 'nach = "gibtsnicht"'), "Unbekanntes Ziel 'gibtsnicht'"),
    ]
    assert len(probs) == len(expect)
    for p, (line, msg) in zip(probs, expect):
        assert p.startswith(f"ziele.toml:{line}: {msg}"), p


def test_missing_key_points_at_its_table(small_text):
    text = small_text.replace('  wert = 25.0\n', '')
    probs = _problems(text)
    # the [[ziele.zielwerte]] header of the K2 target (2nd target table in the file)
    assert probs == [f"ziele.toml:{line_of(text, '[[ziele.zielwerte]]', 2)}: Zielform 'absolut' braucht 'wert'"]


def test_form_rules(small_text):
    # change of the annual average only for an annual-average indicator; points only for percent indicators
    text = small_text.replace('form = "absolut"\n  wert = 25.0',
                              'form = "veraenderung_jahresdurchschnitt"\n  veraenderung_prozent = 2.0')
    text = text.replace("veraenderung_prozent = -2.0", "veraenderung_punkte = -2.0")
    probs = _problems(text)
    assert any(p.startswith(f"ziele.toml:{line_of(text, 'veraenderung_punkte = -2.0')}: 'veraenderung_punkte' nur")
               for p in probs), probs
    assert any("K2 ist kein Jahresdurchschnitt" in p for p in probs), probs


def test_toml_syntax_error_line(small_text):
    text = small_text.replace('wert = 25.0', 'wert = 25,0')
    probs = _problems(text)
    assert len(probs) == 1
    assert probs[0].startswith(f"ziele.toml:{line_of(text, 'wert = 25,0')}: TOML-Syntaxfehler")


def test_signed_needs_all_signatures_with_dates(small_text):
    text = small_text.replace('status = "entwurf"', 'status = "unterzeichnet"') + (
        '\n[[unterzeichner]]\nname = "A"\nfunktion = "Landrat"\npartei = "kreis"\n')
    probs = _problems(text)
    assert any(p.startswith(f"ziele.toml:{line_of(text, 'status = ')}: Eine unterzeichnete Vereinbarung braucht "
                            "Unterschriften von: Agentur für Arbeit, Geschäftsführung des Jobcenters")
               for p in probs), probs
    assert any("Pflichtangabe 'datum' fehlt" in p and p.startswith(f"ziele.toml:{line_of(text, '[[unterzeichner]]')}:")
               for p in probs), probs


def test_duplicate_ids_and_self_link(small_text):
    text = small_text.replace('id = "k2-korridor"', 'id = "k2"').replace('von = "integ"', 'von = "lzb"')
    probs = _problems(text)
    line = line_of(text, 'id = "k2"', 2)
    assert f"ziele.toml:{line}: Zielwert-ID 'k2' ist doppelt" in probs
    assert any("kann sich nicht selbst unterstützen" in p for p in probs)


def test_missing_file(tmp_path):
    with pytest.raises(AgreementFileInvalid) as exc:
        load_agreement(tmp_path / "fehlt.toml")
    assert "Datei nicht gefunden" in str(exc.value)


def test_history_cannot_be_ahead_of_the_version(small_text):
    text = small_text + '\n[[versionen]]\nversion = 3\nautor = "X"\ndatum = 2016-01-05\naenderung = "neu"\n'
    probs = _problems(text)
    line = line_of(text, "version = 3")
    assert probs == [f"ziele.toml:{line}: Versionseintrag 3 liegt nach der aktuellen Version 1"]
