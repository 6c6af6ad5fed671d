"""Reading published Kennzahlen tables: both CSV dialects, Excel, the header mapping, and refusals with
exact ``datei:zeile:spalte`` positions (issue 14 item 1)."""

from __future__ import annotations

from datetime import datetime

import pytest

from zielwerk.domain.calendar import Month
from zielwerk.official.figures import OfficialRow
from zielwerk.official.reader import OfficialFileInvalid, read_official

from .conftest import write

TODAY = Month(2017, 12)

# three cells, values worked out by hand: K2 1234/20000·100 = 6.17 → 6,2; K2 Frauen 500/9000·100 = 5.56 → 5,6;
# K1 (change rate) 5250000/5000000 − 1 = +5.0 %
EXPECTED = [
    OfficialRow("05970", "Jobcenter Kreis Siegen-Wittgenstein", "IIb", "2016-09", "K2", "all", 1234.0, 20000.0, 6.2),
    OfficialRow("05970", "Jobcenter Kreis Siegen-Wittgenstein", "IIb", "2016-09", "K2", "f", 500.0, 9000.0, 5.6),
    OfficialRow("05970", "Jobcenter Kreis Siegen-Wittgenstein", "IIb", "2016-09", "K1", "all", 5250000.0, 5000000.0,
                5.0),
]

GERMAN = """Kennzahlen nach § 48a SGB II – Berichtsmonat September 2016
Statistik der Bundesagentur für Arbeit (synthetisch)

Jobcenter-Schlüssel;Jobcenter;Vergleichstyp;Berichtsmonat;Kennzahl;Geschlecht;Zähler;Nenner;Wert;Fußnote
05970;Jobcenter Kreis Siegen-Wittgenstein;IIb;September 2016;K2 Integrationsquote;Insgesamt;1.234;20.000;6,2;
05970;Jobcenter Kreis Siegen-Wittgenstein;IIb;09.2016;K2;Frauen;500;9.000;5,6;1)
05970;Jobcenter Kreis Siegen-Wittgenstein;IIb;2016-09;K1;Insgesamt;5.250.000;5.000.000;5,0;
"""

CANONICAL = """jobcenter_id,jobcenter_name,vergleichstyp,month,indicator,sex,numerator,denominator,value
05970,Jobcenter Kreis Siegen-Wittgenstein,IIb,2016-09,K2,all,1234,20000,6.2
05970,Jobcenter Kreis Siegen-Wittgenstein,IIb,2016-09,K2,f,500,9000,5.6
05970,Jobcenter Kreis Siegen-Wittgenstein,IIb,2016-09,K1,all,5250000,5000000,5.0
"""


def test_german_dialect_cp1252_with_title_lines_and_extra_column(tmp_path):
    res = read_official(write(tmp_path / "amtlich.csv", GERMAN, "cp1252"), today=TODAY)
    assert res.rows == EXPECTED
    assert res.layout.key == "ba"
    assert res.dialect == "CSV: Semikolon, Dezimalkomma, Windows-1252"
    assert res.ignored_columns == ["Fußnote"]


def test_canonical_dialect_contract_names(tmp_path):
    res = read_official(write(tmp_path / "official.csv", CANONICAL), today=TODAY)
    assert res.rows == EXPECTED
    assert res.layout.key == "contract"
    assert res.dialect.startswith("CSV: Komma, Dezimalpunkt")


def test_xlsx_native_cells_title_rows_and_lost_leading_zero(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Kennzahlen"
    ws.append(["Kennzahlen nach § 48a SGB II"])
    ws.append([])
    ws.append(["Regionalschlüssel", "Jobcenter", "Vergleichstyp", "Berichtsmonat", "Kennzahl", "Geschlecht",
               "Zähler", "Nenner", "Wert"])
    name = "Jobcenter Kreis Siegen-Wittgenstein"
    ws.append([5970, name, "IIb", datetime(2016, 9, 1), "K2", "Insgesamt", 1234, 20000, 6.2])
    ws.append(["05970", name, "IIb", "2016-09", "K2", "Frauen", 500, 9000, "5,6"])  # text in German form
    ws.append([5970, name, "IIb", datetime(2016, 9, 1), "K1", "Insgesamt", 5250000, 5000000, 5])
    path = tmp_path / "amtlich.xlsx"
    wb.save(path)
    res = read_official(path, today=TODAY)
    assert res.rows == EXPECTED
    assert res.dialect == "Excel: Blatt „Kennzahlen“"


def _problems(tmp_path, text, name="a.csv"):
    with pytest.raises(OfficialFileInvalid) as exc:
        read_official(write(tmp_path / name, text), today=TODAY)
    return [str(p) for p in exc.value.problems]


HEAD = "Jobcenter-Schlüssel;Jobcenter;Vergleichstyp;Berichtsmonat;Kennzahl;Geschlecht;Zähler;Nenner;Wert\n"


def test_malformed_cells_refused_with_exact_positions(tmp_path):
    text = HEAD + (
        "05970;JC;IIb;2016-09;K2;Insgesamt;1.234;20.000;6,2\n"       # line 2: fine
        "05970;JC;IIb;2016-13;K2;Insgesamt;1;2;50,0\n"               # 3: month 13
        "05970;JC;IIb;2016-09;K9;Insgesamt;1;2;50,0\n"               # 4: unknown indicator
        "05970;JC;IIb;2016-09;L_U25_AUSB;Insgesamt;1;2;50,0\n"       # 5: local indicator
        "05970;JC;IIb;2016-09;K2;divers;1;2;50,0\n"                  # 6: sex
        "05970;JC;IIb;2016-09;K1;Frauen;1;1;0,0\n"                   # 7: K1 not by sex
        "05970;JC;IIb;2016-09;K2E1;Insgesamt;1,5x;2;75,0\n"          # 8: not a number
        "05970;JC;IIb;2016-09;K2E2;Insgesamt;-1;2;0,0\n"             # 9: negative count
        "05970;JC;IIb;2016-09;K2E3;Insgesamt;100;1000;12,0\n"        # 10: 10.0 ≠ 12.0
        "05970;JC;IIb;2016-09;K3E2;Insgesamt;300;100;300,0\n"        # 11: a stock share above 100 %
        "05970;JC;IIb;2016-09;K2;Insgesamt;1234;20000;6,2\n"         # 12: duplicate of line 2
        ";JC;IIb;2016-09;K3;Insgesamt;1;1;0,0\n"                     # 13: key missing
        "05970;;IIb;2018-01;K3E1;Insgesamt;1;10;10,0\n"              # 14: name missing, month after today
        "05970;JC;IIb;2016-09;K3E2;Insgesamt;1;10;10,0;zu viel\n"    # 15: too many fields
    )
    assert _problems(tmp_path, text) == [
        "a.csv:3:Berichtsmonat: Berichtsmonat ist kein gültiger Monat: '2016-13'",
        ("a.csv:4:Kennzahl: Kennzahl: unbekannte Kennzahl 'K9' (erlaubt: K1, K1E1, K1E2, K1E3, K1E4, K2, K2E1, "
        "K2E2, K2E3, K2E4, K3, K3E1, K3E2, K3E3, K3E4)"),
        "a.csv:5:Kennzahl: Kennzahl: L_U25_AUSB ist eine lokale Kennzahl und wird nicht amtlich veröffentlicht",
        "a.csv:6:Geschlecht: Geschlecht: unbekanntes Geschlecht 'divers' (erlaubt: Insgesamt, Frauen, Männer)",
        "a.csv:7:Geschlecht: Die Kennzahl K1 gibt es nicht nach Geschlecht (nur Insgesamt)",
        "a.csv:8:Zähler: Zähler ist keine Zahl im deutschen Format (z. B. 1.234,5): '1,5x'",
        "a.csv:9:Zähler: Zähler −1 ist nicht plausibel (0 bis 10.000.000 Personen)",
        ("a.csv:10:Wert: Wert 12 passt nicht zu Zähler/Nenner (100/1.000 ergibt 10,00; mit Rundung möglich: "
         "9,90 bis 10,11)"),
        "a.csv:11:Wert: Wert 300 % ist bei einer Quote nicht plausibel (0 bis 100 %)",
        "a.csv:12:-: doppelte Zeile: Jobcenter 05970, 2016-09, K2, Insgesamt steht schon in Zeile 2",
        "a.csv:13:Jobcenter-Schlüssel: Jobcenter-Schlüssel fehlt",
        "a.csv:14:Jobcenter: Name des Jobcenters fehlt",
        "a.csv:14:Berichtsmonat: Monat 2018-01 liegt außerhalb des möglichen Zeitraums (2011-01 bis 2017-12)",
        "a.csv:15:-: Zeile hat 10 Felder, die Kopfzeile 9",
    ]


def test_non_finite_numbers_refused_canonical(tmp_path):
    text = ("jobcenter_id,jobcenter_name,month,indicator,sex,numerator,denominator,value\n"
            "05970,JC,2016-09,K2,all,inf,20000,6.2\n"
            "05970,JC,2016-09,K2E1,all,1,2,nan\n"
            "05970,JC,2016-09,K2E2,all,1,2,\"1,5\"\n")
    assert _problems(tmp_path, text) == [
        "a.csv:2:numerator: Zähler muss eine endliche Zahl sein, nicht 'inf'",
        "a.csv:3:value: Wert muss eine endliche Zahl sein, nicht 'nan'",
        "a.csv:4:value: Wert ist keine Zahl mit Dezimalpunkt (z. B. 1234.5): '1,5'",
    ]


def test_header_not_recognised_names_missing_columns(tmp_path):
    text = "Jobcenter-Schlüssel;Jobcenter;Monat;Kennzahl;Zähler;Nenner\n05970;JC;2016-09;K2;1;2\n"
    assert _problems(tmp_path, text) == [
        ("a.csv:1:-: Kopfzeile nicht erkannt: es fehlen die Spalten Geschlecht, Wert (Spaltenaufteilung "
        "„Statistik der Bundesagentur für Arbeit (deutsche Spaltennamen)“; siehe docs/official-figures.md)")]


def test_empty_and_unknown_format(tmp_path):
    assert _problems(tmp_path, "") == ["a.csv:0:-: Datei ist leer oder die Kopfzeile fehlt"]
    assert _problems(tmp_path, HEAD) == ["a.csv:0:-: Die Datei enthält keine Datenzeilen"]
    assert _problems(tmp_path, "x", name="a.ods") == [
        "a.ods:0:-: unbekanntes Dateiformat .ods: erlaubt sind .csv und .xlsx"]


def test_rounded_counts_within_tolerance_accepted(tmp_path):
    # whole-number figures 1234/20000 may stand for 1233.5..1234.5 over 19999.5..20000.5: values
    # 100·1233.5/20000.5 − 0.05 = 6.1174 … 100·1234.5/19999.5 + 0.05 = 6.2227 → 6,2 accepted, 6,3 refused
    ok = HEAD + "05970;JC;IIb;2016-09;K2;Insgesamt;1234;20000;6,2\n"
    assert len(read_official(write(tmp_path / "a.csv", ok), today=TODAY).rows) == 1
    bad = HEAD + "05970;JC;IIb;2016-09;K2;Insgesamt;1234;20000;6,3\n"
    assert _problems(tmp_path, bad) == [
        ("a.csv:2:Wert: Wert 6,3 passt nicht zu Zähler/Nenner (1.234/20.000 ergibt 6,17; mit Rundung möglich: "
         "6,12 bis 6,22)")]


def test_second_layout_is_a_mapping_entry(monkeypatch, tmp_path):
    """A layout with other headers is one entry of LAYOUTS; no code changes."""
    from zielwerk.official import reader

    other = reader.Layout("test", "Testlayout", {
        "jobcenter_id": ("JC",), "jobcenter_name": ("Name",), "vergleichstyp": ("Typ",), "month": ("Zeit",),
        "indicator": ("KZ",), "sex": ("Geschl",), "numerator": ("Z",), "denominator": ("N",), "value": ("W",)})
    monkeypatch.setattr(reader, "LAYOUTS", (*reader.LAYOUTS, other))
    text = "JC;Name;Typ;Zeit;KZ;Geschl;Z;N;W\n05970;Jobcenter Kreis Siegen-Wittgenstein;IIb;2016-09;K2;Frauen;500;9000;5,6\n"
    res = read_official(write(tmp_path / "a.csv", text), today=TODAY)
    assert res.layout.key == "test" and res.rows == [EXPECTED[1]]


def test_event_quota_of_a_small_group_may_exceed_100_but_not_1000(tmp_path):
    # 3 integrations in 12 months against an average stock of 2 single parents: 150 % is possible;
    # 15 against 1 (1500 %) is not a plausible quota; 1/0 (denominator below 0.5 before rounding) is accepted
    ok = HEAD + "05970;JC;IIb;2016-09;K2E4;Insgesamt;3;2;150,0\n05970;JC;IIb;2016-09;K2;Männer;1;0;\n"
    assert [r.value for r in read_official(write(tmp_path / "a.csv", ok), today=TODAY).rows] == [150.0, None]
    bad = HEAD + "05970;JC;IIb;2016-09;K2E4;Insgesamt;15;1;1500,0\n"
    assert _problems(tmp_path, bad) == ["a.csv:2:Wert: Wert 1.500 % ist bei einer Quote nicht plausibel (0 bis 1.000 %)"]


def test_open_quote_is_named_with_its_line(tmp_path):
    text = HEAD + ('05970;JC;IIb;2016-09;K2;Insgesamt;1.234;20.000;6,2\n'
                   '05970;"JC;IIb;2016-09;K2;Frauen;500;9.000;5,6\n'
                   '05970;JC;IIb;2016-09;K2;Männer;734;11.000;6,7\n')
    assert _problems(tmp_path, text) == ["a.csv:3:-: Zeile ist kein gültiges CSV (offenes Anführungszeichen)"]
