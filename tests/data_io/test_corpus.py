"""The malformed corpus: every case is refused as a whole, with exactly the expected positions.

The expected ``table:line:column`` of each case was worked out by hand from the file written in
``corpus/make_corpus.py`` (header = line 1; Parquet rows from 1; ``0``/``-`` for file-level problems).
"""

from __future__ import annotations

import pytest

from zielwerk.data.reader import load_dataset, read_dataset
from zielwerk.data.validate import DatasetInvalid

from .conftest import CORPUS, assemble_case

# case -> (expected positions, a fragment the message of the first one must contain)
EXPECTED: dict[str, tuple[set[str], str]] = {
    # encodings
    "utf8_invalid_byte": ({"caseworkers:3:-"}, "Zeichenkodierung (UTF-8): Byte 0xE4"),
    "cp1252_undefined_byte": ({"municipalities:5:-"}, "Zeichenkodierung (Windows-1252): Byte 0x81"),
    "utf16_file": ({"jobcenters:0:-"}, "UTF-16"),
    "empty_file": ({"children:0:-"}, "leer"),
    # structure
    "tab_separator": ({"persons:1:-"}, "Trennzeichen nicht erkannt"),
    "wrong_separator_in_row": (
        {
            "persons:3:-",
            # P0002's line is lost, so everything referring to P0002 is reported too
            "elb_spells:5:person_id",
            "elb_spells:9:person_id",
            "employment:4:person_id",
            "measures:4:person_id",
        },
        "1 Feld statt 6",
    ),
    "truncated_file": ({"payments:7:-"}, "3 Felder statt 5"),
    "stray_separator": ({"employment:3:-"}, "6 Felder statt 5"),
    "open_quote": ({"municipalities:5:-"}, "Anführungszeichen"),
    "empty_line": ({"children:3:-"}, "leere Zeile"),
    "office_stray_separator": ({"measures:3:-"}, "5 Felder statt 4"),
    "duplicate_header_column": ({"jobcenters:1:name"}, "doppelt"),
    "missing_required_column": ({"households:1:end"}, "Pflichtspalte fehlt"),
    "missing_required_file": ({"children:0:-"}, "Pflichtdatei fehlt"),
    "header_without_known_columns": (
        {"persons:1:person_id", "persons:1:birth_date", "persons:1:sex"},
        "Pflichtspalte fehlt",
    ),
    # persons lacks sex (and the optional columns): the person_id references are still checked
    "missing_column_other_rules_still_run": ({"persons:1:sex", "employment:5:person_id"}, "„P9999“"),
    "csv_and_parquet": ({"jobcenters:0:-"}, "beide"),
    "missing_optional_parent": ({"assignments:0:caseworker_id"}, "caseworkers"),
    # values
    "bad_date": ({"persons:3:birth_date"}, "„1978-02-30“"),
    "bad_date_format": ({"elb_spells:2:start"}, "„2014/01/01“"),
    "office_bad_date": ({"measures:3:end"}, "„31.02.2016“ (erwartet TT.MM.JJJJ)"),
    "office_iso_date_mixed": ({"children:3:child_birth_date"}, "„2015-10-01“ (erwartet TT.MM.JJJJ)"),
    "bad_month": ({"payments:3:month"}, "„2016-13“"),
    "bad_number": ({"payments:2:llu"}, "„abc“"),
    "decimal_comma_in_comma_file": ({"payments:4:llu"}, "„727,2“"),
    "office_decimal_point": ({"payments:7:llu"}, "Dezimalkomma"),
    "bad_int": ({"childcare_providers:3:capacity"}, "ganze Zahl"),
    "unknown_code_sex": ({"persons:2:sex"}, "unbekannter Code „w“"),
    "unknown_code_status": ({"elb_spells:8:status"}, "unbekannter Code „ELB“"),
    "unknown_slot": ({"childcare_needs:2:slots"}, "early evening"),
    "empty_required_value": ({"persons:4:birth_date"}, "Pflichtwert fehlt"),
    # rows and tables
    "end_before_start": ({"employment:2:end"}, "Ende 30.06.2016 liegt vor dem Beginn 01.07.2016"),
    "duplicate_key": ({"persons:8:person_id"}, "schon in Zeile 3"),
    "duplicate_composite_key": ({"payments:8:month"}, "schon in Zeile 2"),
    "missing_reference_municipality": (
        {"elb_spells:2:municipality_id"},
        "„05970099“ fehlt in municipalities",
    ),
    "missing_reference_person": ({"employment:5:person_id"}, "„P9999“ fehlt in persons"),
    "household_bg_not_in_spells": ({"households:7:bg_id"}, "„BG99“ fehlt in elb_spells"),
    "payment_bg_not_in_spells": ({"payments:8:bg_id"}, "„BG99“ fehlt in elb_spells"),
    # the added spell (line 11) overlaps line 2 and reaches into line 3's period
    "overlapping_spells": ({"elb_spells:3:start", "elb_spells:11:start"}, "Zeile 11"),
    "elb_and_nef_same_day": (
        {"elb_spells:4:status"},
        "am 30.06.2017 zugleich nEf (diese Zeile) und eLb (Zeile 11)",
    ),
    "negative_amount": ({"payments:4:luh"}, "-10,5"),
    "free_places_above_capacity": (
        {"childcare_providers:2:free_places"},
        "(90) übersteigen die Kapazität (80)",
    ),
    "min_age_above_max_age": ({"childcare_providers:3:max_age_months"}, "Mindestalter (40 Monate)"),
    "negative_capacity": ({"childcare_providers:3:capacity"}, "negative Kapazität -5"),
    # dataset.toml
    "toml_unknown_key": ({"dataset.toml:3:stichtag"}, "unbekannter Schlüssel"),
    "toml_bad_values": ({"dataset.toml:1:as_of", "dataset.toml:2:stichtag_day"}, "ungültiges Datum"),
    "toml_syntax_error": ({"dataset.toml:2:-"}, "kein gültiges TOML"),
    # Parquet
    "parquet_wrong_type": ({"persons:0:person_id"}, "int64"),
    "parquet_unknown_code": ({"persons:3:sex"}, "„x“"),
    "parquet_missing_column": ({"children:0:child_birth_date"}, "Pflichtspalte fehlt"),
    "parquet_corrupt": ({"persons:0:-"}, "Parquet-Datei nicht lesbar"),
    # whole floats are accepted for integer columns (pandas writes them so), 5.5 is not
    "parquet_float_for_int": ({"childcare_providers:2:capacity"}, "„5.5“ (erwartet ganze Zahl)"),
}


def _position(p) -> str:
    return f"{p.table}:{p.line}:{p.column}"


def test_corpus_is_complete():
    on_disk = {d.name for d in (CORPUS / "cases").iterdir()} - {"household_types_overlap"}
    assert on_disk == set(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_malformed_case_is_refused_with_exact_positions(case, tmp_path):
    folder = assemble_case(case, tmp_path / "ds")
    positions, fragment = EXPECTED[case]
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(folder)
    problems = info.value.problems
    assert {_position(p) for p in problems} == positions
    assert info.value.total == len(problems) == len(positions)
    first = min(problems, key=lambda p: (p.line, p.column))
    assert fragment in " | ".join(str(p) for p in problems), first
    # every problem renders as table:line:column: message
    for p in problems:
        assert str(p).startswith(f"{_position(p)}: ") and len(p.message) > 5


def test_household_types_overlap_is_a_warning_only(tmp_path):
    """The contract does not list it as a rule: the dataset loads, the CLI warns."""
    report = read_dataset(assemble_case("household_types_overlap", tmp_path / "ds"))
    assert report.ok and report.dataset is not None
    assert [_position(w) for w in report.warnings] == ["households:7:start"]
    assert "BG BG01 hat ab 01.01.2016 zwei Typen" in report.warnings[0].message


def test_missing_folder_is_a_problem(tmp_path):
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(tmp_path / "gibt-es-nicht")
    assert [str(p).split(": ")[0] for p in info.value.problems] == ["dataset:0:-"]
