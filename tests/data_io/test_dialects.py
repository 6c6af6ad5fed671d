"""Both CSV dialects, UTF-8 with BOM and Parquet load to identical, typed Datasets."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from zielwerk.data.dataset import arrow_schema
from zielwerk.data.reader import load_dataset, read_dataset
from zielwerk.data.schema import EXTENSION_TABLES, TABLES, TABLES_BY_NAME

VARIANTS = ("office", "bom", "parquet")


def test_office_files_really_are_office_files(corpus):
    raw = (corpus / "office" / "municipalities.csv").read_bytes()
    assert b"Erndtebr\xfcck" in raw and b"\r\n" in raw and b";" in raw  # Windows-1252, CRLF, semicolon
    assert (corpus / "bom" / "payments.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"641,50" in (corpus / "office" / "payments.csv").read_bytes()


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_loads_identical_to_canonical(corpus, variant):
    base = load_dataset(corpus / "base")
    other = load_dataset(corpus / variant)
    # the extension tables (issue 15) are tested in test_extension_tables.py, not part of the corpus
    assert other.present == base.present == frozenset(t.name for t in TABLES if t.name not in EXTENSION_TABLES)
    for t in TABLES:
        assert other[t.name].equals(base[t.name]), t.name
    assert (other.as_of, other.stichtag_day) == (date(2017, 12, 31), 15)


def test_values_are_typed_and_identifiers_keep_leading_zeros(corpus):
    ds = load_dataset(corpus / "office")
    for t in TABLES:
        assert ds[t.name].schema == arrow_schema(TABLES_BY_NAME[t.name])
    persons = ds["persons"].to_pylist()
    assert persons[-1]["person_id"] == "007"
    assert persons[0]["birth_date"] == date(1980, 3, 15)
    assert ds["municipalities"]["municipality_id"].to_pylist()[0] == "05970040"
    assert ds["municipalities"]["name"].to_pylist()[1] == "Erndtebrück"
    pay = ds["payments"].to_pylist()[2]
    assert (pay["month"], pay["llu"], pay["luh"]) == ("2016-01", 727.2, 510.75)
    assert ds["childcare_providers"]["capacity"].type == pa.int64()
    assert ds["childcare_providers"].to_pylist()[0]["name"] == "Kita Sonnenblume, Siegen"
    assert ds["childcare_providers"].to_pylist()[1]["slots"] is None
    assert ds["elb_spells"].to_pylist()[1]["end"] is None  # open spell


def test_dialect_is_detected_and_described_per_file(corpus):
    described = {f.file: f.describe() for f in read_dataset(corpus / "office").files}
    assert described["municipalities.csv"] == "Semikolon, Windows-1252"
    assert described["payments.csv"] == "Semikolon, Dezimalkomma, ASCII"
    assert described["persons.csv"] == "Semikolon, ASCII, Datum TT.MM.JJJJ"
    described = {f.file: f.describe() for f in read_dataset(corpus / "bom").files}
    assert described["payments.csv"] == "Semikolon, Dezimalkomma, UTF-8 mit BOM"
    described = {f.file: f.describe() for f in read_dataset(corpus / "base").files}
    assert described["payments.csv"] == "Komma, Dezimalpunkt, ASCII"
    assert described["caseworkers.csv"] == "Komma, UTF-8"
    assert described["elb_spells.csv"] == "Komma, ASCII, Datum JJJJ-MM-TT"
    assert {f.describe() for f in read_dataset(corpus / "parquet").files} == {"Parquet"}


def test_german_dialect_with_windows_1252_dates_and_decimal_comma(tmp_path, corpus):
    """A payments file exactly as the spec describes it: semicolon, decimal comma, cp1252, DD.MM.YYYY."""
    import shutil

    folder = tmp_path / "ds"
    shutil.copytree(corpus / "base", folder)
    text = "person_id;instrument;start;end\r\nP0001;activation;1.5.2015;31.07.2015\r\n"
    (folder / "measures.csv").write_bytes(text.encode("cp1252"))
    (folder / "jobcenters.csv").write_bytes(
        "jobcenter_id;name;form;vergleichstyp\r\n05970;Jobcenter Kreis Siegen-Wittgenstein – Süd;zkT;\r\n".encode(
            "cp1252"
        )
    )
    report = read_dataset(folder)
    assert report.ok, [str(p) for p in report.problems]
    described = {f.file: f.describe() for f in report.files}
    assert described["measures.csv"] == "Semikolon, ASCII, Datum TT.MM.JJJJ"
    assert described["jobcenters.csv"] == "Semikolon, Windows-1252"
    assert report.dataset["measures"].to_pylist() == [
        {
            "person_id": "P0001",
            "instrument": "activation",
            "start": date(2015, 5, 1),
            "end": date(2015, 7, 31),
        }
    ]
    assert report.dataset["jobcenters"]["name"][0].as_py().endswith("– Süd")
    assert report.dataset["jobcenters"]["vergleichstyp"][0].as_py() is None


def test_unknown_columns_and_files_are_ignored_with_a_note(tmp_path, corpus):
    import shutil

    folder = tmp_path / "ds"
    shutil.copytree(corpus / "base", folder)
    (folder / "jobcenters.csv").write_text(
        "jobcenter_id,name,form,region\n05970,JC,gE,Süd\n", encoding="utf-8"
    )
    (folder / "notizen.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    report = read_dataset(folder)
    assert report.ok
    assert report.notes == [
        "notizen.csv: keine Tabelle des Datenvertrags – ignoriert",
        "jobcenters.csv: unbekannte Spalte(n) ignoriert: region",
    ]
    assert report.dataset["jobcenters"].column_names == ["jobcenter_id", "name", "form", "vergleichstyp"]


def test_optional_tables_may_be_absent_and_as_of_defaults_to_latest_date(tmp_path, corpus):
    import shutil

    folder = tmp_path / "ds"
    shutil.copytree(corpus / "base", folder)
    for name in ("caseworkers", "assignments", "obstacles", "childcare_needs", "childcare_providers"):
        (folder / f"{name}.csv").unlink()
    (folder / "dataset.toml").unlink()
    ds = load_dataset(folder)
    assert not ds.has("caseworkers") and ds["caseworkers"].num_rows == 0
    assert ds.as_of == date(2017, 12, 31)  # latest date: the end of P0004's spell in BG06
    assert ds.stichtag_day == 15


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_dataset_write_round_trip(tmp_path, corpus, fmt):
    base = load_dataset(corpus / "base")
    base.write(tmp_path / fmt, fmt)
    again = load_dataset(tmp_path / fmt)
    for t in TABLES:
        assert again[t.name].equals(base[t.name]), t.name
