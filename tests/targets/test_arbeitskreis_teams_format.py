"""Issue 15 items 5-6 in the agreement file: [arbeitskreis], [teams], vorjahresziel/vorjahresergebnis —
round trip, backwards compatibility, German messages naming the field at its line, version diffs, and the
example's signatories and dated BBiG citation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from typer.testing import CliRunner

from zielwerk.cli import app
from zielwerk.domain import law
from zielwerk.targets.fileformat import AgreementFileInvalid, dumps_agreement, load_agreement, parse_agreement
from zielwerk.targets.model import (
    Arbeitskreis,
    MunicipalTarget,
    Participant,
    TeamBreakdown,
    TeamOverride,
    diff_versions,
)

from .conftest import EXAMPLE, line_of

SECTIONS = '''
[arbeitskreis]
titel = "AK"
kennzahlen = ["K3", "K2"]

  [[arbeitskreis.teilnehmer]]
  gemeinde = "05970044"
  gemeinde_name = "Wilnsdorf"
  name = "Christa Schuppler"
  funktion = "Bürgermeisterin"

  [[arbeitskreis.teilnehmer]]
  gemeinde = "05970004"
  gemeinde_name = "Bad Berleburg"

  [[arbeitskreis.gemeindeziele]]
  id = "w-lzb"
  gemeinde = "05970044"
  kennzahl = "K3"
  titel = "LZB nicht steigend"
  wert = 0.0

[teams]
zielwerte = ["lzb-jd", "k2"]

  [[teams.vorgaben]]
  team = "Team A"
  zielwert = "lzb-jd"
  wert = 120.0
  begruendung = "kleiner Bezirk"
'''


def _problems(text: str) -> list[str]:
    with pytest.raises(AgreementFileInvalid) as exc:
        parse_agreement(text, "ziele.toml")
    return [str(p) for p in exc.value.problems]


def test_sections_parse_into_the_model(small_text):
    a = parse_agreement(small_text + SECTIONS)
    assert a.arbeitskreis == Arbeitskreis(
        "AK", "", (Participant("05970044", "Wilnsdorf", "Christa Schuppler", "Bürgermeisterin"),
                   Participant("05970004", "Bad Berleburg")),
        ("K3", "K2"), (MunicipalTarget("w-lzb", "05970044", "K3", "LZB nicht steigend", 0.0),))
    assert a.teams == TeamBreakdown(("lzb-jd", "k2"), "fallbestand",
                                    (TeamOverride("Team A", "lzb-jd", 120.0, "kleiner Bezirk"),))


def test_round_trip_with_sections(small_text):
    a = parse_agreement(small_text + SECTIONS)
    text = dumps_agreement(a)
    assert parse_agreement(text) == a
    assert dumps_agreement(parse_agreement(text)) == text


def test_files_without_the_new_sections_are_unchanged(small_text):
    a = parse_agreement(small_text)
    assert a.arbeitskreis is None and a.teams is None
    assert all(t.prev_target is None and t.prev_result is None for _, t in a.targets())
    text = dumps_agreement(a)
    assert "arbeitskreis" not in text and "teams" not in text and "vorjahres" not in text


@pytest.mark.parametrize(("old", "new", "anchor", "message"), [
    ('gemeinde = "05970004"', 'gemeinde = "5970004"', 'gemeinde = "5970004"',
     "Gemeinde ('gemeinde') muss ein achtstelliger Gemeindeschlüssel sein, nicht '5970004'"),
    ('  gemeinde = "05970044"\n  kennzahl', '  gemeinde = "05970040"\n  kennzahl', 'gemeinde = "05970040"',
     "Gemeinde '05970040' nimmt nicht am Arbeitskreis teil"),
    ('kennzahl = "K3"\n  titel', 'kennzahl = "LZB_JD"\n  titel', 'kennzahl = "LZB_JD"',
     "Kennzahl 'LZB_JD' gibt es nicht je Gemeinde"),
    ('wert = 0.0', 'wert = inf', 'wert = inf', "'wert' muss eine endliche Zahl sein, nicht inf"),
    ('wert = 0.0', 'wert = 5000.0', 'wert = 5000.0',
     "Zielwert ('wert') muss bei einer Veränderungsrate zwischen −100 und 1.000 liegen, nicht 5.000"),
    ('kennzahlen = ["K3", "K2"]', 'kennzahlen = ["K3", "K9"]', 'kennzahlen',
     "Unbekannte Kennzahl 'K9' in 'kennzahlen'"),
    ('  funktion = "Bürgermeisterin"\n', '', '[[arbeitskreis.teilnehmer]]',
     "Eine genannte Person ('name') braucht ihre Funktion ('funktion')"),
    ('zielwerte = ["lzb-jd", "k2"]', 'zielwerte = ["lzb-jd", "k2", "gibt-es-nicht"]', 'zielwerte = [',
     "Unbekannter Zielwert 'gibt-es-nicht' in 'zielwerte'"),
    ('zielwert = "lzb-jd"', 'zielwert = "k2-korridor"', 'zielwert = "k2-korridor"',
     "Zielwert 'k2-korridor' wird nicht auf Teams aufgeteilt"),
    ('wert = 120.0', 'wert = -5.0', 'wert = -5.0',
     "Teamzielwert ('wert') muss bei einer Anzahl zwischen 0 und 10.000.000 liegen, nicht −5"),
    ('wert = 120.0', 'wert = "viel"', 'wert = "viel"', "'wert' muss eine Zahl sein, nicht 'viel'"),
    ('zielwerte = ["lzb-jd", "k2"]', 'zielwerte = ["lzb-jd", "k2"]\naufteilung = "kopfzahl"', 'aufteilung',
     "Unbekannte Aufteilung 'kopfzahl' (erlaubt: fallbestand)"),
])
def test_german_messages_name_the_field_at_its_line(small_text, old, new, anchor, message):
    sections = SECTIONS.replace(old, new, 1)
    assert sections != SECTIONS
    text = small_text + sections
    problems = _problems(text)
    line = len(small_text.splitlines()) + line_of(sections, anchor)  # counted in the new sections only
    assert any(p.startswith(f"ziele.toml:{line}: ") and message in p for p in problems), problems


def test_previous_year_figures_validated_and_deviation(small_text):
    text = small_text.replace("veraenderung_prozent = -2.0", "veraenderung_prozent = -2.0\n"
                              "  vorjahresziel = 120.0\n  vorjahresergebnis = 145.0")
    t = parse_agreement(text).goal("lzb").targets[0]
    assert (t.prev_target, t.prev_result) == (120.0, 145.0)
    assert t.prev_deviation_pct == pytest.approx(25 / 120 * 100)  # 145/120 − 1 = 20.83 %
    bad = text.replace("vorjahresziel = 120.0", "vorjahresziel = -1.0")
    assert any(f"ziele.toml:{line_of(bad, 'vorjahresziel')}: Vorjahresziel ('vorjahresziel') muss bei einer "
               "Anzahl zwischen 0 und 10.000.000 liegen, nicht −1" in p for p in _problems(bad))


def test_version_diff_names_the_file_keys(small_text):
    a = parse_agreement(small_text + SECTIONS)
    b = replace(a, teams=replace(a.teams, overrides=(TeamOverride("Team A", "lzb-jd", 130.0, "kleiner Bezirk"),)),
                arbeitskreis=replace(a.arbeitskreis, goals=(replace(a.arbeitskreis.goals[0], value=-1.0),)))
    paths = {c.path: (c.old, c.new) for c in diff_versions(a, b)}
    assert paths == {"teams.vorgaben[Team A:lzb-jd].wert": (120.0, 130.0),
                     "arbeitskreis.gemeindeziele[w-lzb].wert": (0.0, -1.0)}
    gone = diff_versions(a, replace(a, teams=None))
    assert [c.describe() for c in gone] == ["teams: entfernt (war Aufteilung auf Teams (lzb-jd, k2))"]


def test_example_names_the_public_signatories_and_the_arbeitskreis():
    a = load_agreement(EXAMPLE)
    assert {(s.party, s.name) for s in a.signatories} == {
        ("kreis", "Andreas Müller"), ("agentur", "Dr. Bettina Wolf"), ("jobcenter", "Stephanie Krömer")}
    named = {(p.municipality, p.function, p.name) for p in a.arbeitskreis.participants if p.name}
    assert named == {("Wilnsdorf", "Bürgermeisterin", "Christa Schuppler"),
                     ("Bad Laasphe", "Bürgermeister", "Dr. Torsten Spillmann")}
    assert {g.municipality_id for g in a.arbeitskreis.goals} <= {p.municipality_id for p in a.arbeitskreis.participants}
    codes = {t.indicator for _, t in a.targets()}
    assert {"JUNGE_ELTERN_QUALI", "HEMMNIS_BEARB"} <= codes
    u25 = next(t for _, t in a.targets() if t.indicator == "U25_AUSB")
    assert round(u25.prev_deviation_pct, 1) == 20.8
    assert a.teams is not None and "lzb-jd" in a.teams.targets


def test_example_cites_the_bbig_paragraph_in_force_in_2016():
    text = EXAMPLE.read_text(encoding="utf-8")
    cited = law.casework_rule("part_time_training", date(2016, 1, 1)).citation
    assert cited == "§ 8 Abs. 1 Satz 2 BBiG"
    assert cited in text and "§ 7a" not in text


def test_cli_pruefen_passes_for_the_example():
    res = CliRunner().invoke(app, ["ziele", "pruefen", str(EXAMPLE)])
    assert res.exit_code == 0, res.output
    assert "gültig" in res.output and "13 Zielwerte" in res.output and "3 Unterschriften" in res.output
