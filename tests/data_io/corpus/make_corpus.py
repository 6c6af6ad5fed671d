"""Writes the test corpus under tests/data_io/corpus/ (run once; the files are committed).

``base/``     a small valid dataset written by hand (canonical dialect: UTF-8, comma, ISO dates),
``office/``   the same data as German office software writes it (Windows-1252, semicolon, decimal
              comma, DD.MM.YYYY dates, months as MM.YYYY),
``bom/``      the same data as UTF-8 with BOM, semicolon, decimal comma, DD.MM.YYYY,
``parquet/``  the same data as Parquet with native types (written with pyarrow directly),
``cases/NAME/`` one defect each: files that replace the base's files (a file ``DELETE`` lists
              base files to remove). The expected ``table:line:column`` of every case is written
              down by hand in ``test_corpus.py``.

    .venv/bin/python tests/data_io/corpus/make_corpus.py
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent

BASE: dict[str, str] = {
    "jobcenters": """\
jobcenter_id,name,form,vergleichstyp
05970,Jobcenter Kreis Siegen-Wittgenstein,zkT,IIb
""",
    "municipalities": """\
municipality_id,name,jobcenter_id
05970040,Siegen,05970
05970012,Erndtebrück,05970
05970004,Bad Berleburg,05970
05970016,Freudenberg,05970
05970008,Burbach,05970
""",
    "persons": """\
person_id,birth_date,sex,citizenship,school_degree,vocational_degree
P0001,1980-03-15,f,de,realschule,vocational
P0002,1978-11-02,m,eu,hauptschule,none
P0003,2005-06-30,m,de,,
P0004,1995-01-20,f,non_eu,abitur,academic
P0005,1960-07-07,d,de,none,none
007,1999-12-31,m,,,
""",
    "elb_spells": """\
person_id,bg_id,municipality_id,status,role,start,end
P0001,BG01,05970040,elb,head,2014-01-01,2016-06-30
P0001,BG01,05970040,elb,head,2016-08-01,
P0003,BG01,05970040,nef,child,2014-01-01,
P0002,BG02,05970012,elb,head,2015-03-01,2017-02-28
P0004,BG02,05970012,elb,partner,2015-03-01,2017-02-28
P0005,BG03,05970004,elb,head,2012-01-01,
007,BG04,05970040,elb,head,2016-01-01,2016-12-31
P0002,BG05,05970040,elb,head,2017-03-01,
P0004,BG06,05970040,elb,head,2017-03-01,2017-12-31
""",
    "households": """\
bg_id,bg_type,start,end
BG01,single_parent,2014-01-01,
BG02,couple,2015-03-01,2017-02-28
BG03,single,2012-01-01,
BG04,single,2016-01-01,2016-12-31
BG05,single,2017-03-01,
""",
    "payments": """\
bg_id,month,municipality_id,llu,luh
BG01,2016-01,05970040,641.5,420
BG01,2016-02,05970040,641.5,420
BG02,2016-01,05970012,727.2,510.75
BG03,2016-01,05970004,404,310
BG04,2016-01,05970040,404,0
BG05,2017-03,05970040,409,355.4
""",
    "employment": """\
person_id,kind,subsidy,start,end
P0001,svb,none,2016-07-01,2016-07-31
P0004,marginal,none,2016-03-01,
P0002,svb,egz,2017-01-15,2017-02-28
""",
    "measures": """\
person_id,instrument,start,end
P0001,activation,2015-05-01,2015-07-31
P0005,agh,2016-02-01,2016-07-31
P0002,vocational_further_training,2016-09-01,
""",
    "children": """\
person_id,child_birth_date
P0001,2005-06-30
P0004,2015-10-01
""",
    "caseworkers": """\
caseworker_id,name,team,jobcenter_id
CW01,Jürgen Müller,Team Süd,05970
CW02,Anna Schäfer,U25,05970
""",
    "assignments": """\
person_id,caseworker_id,start,end
P0001,CW01,2014-01-01,
P0004,CW01,2015-03-01,2017-02-28
""",
    "obstacles": """\
person_id,category,start,end
P0005,health_physical,2013-01-01,
P0004,language,2015-03-01,
""",
    "childcare_needs": """\
person_id,child_birth_date,slots,start,end
P0004,2015-10-01,early late,2016-10-01,
""",
    "childcare_providers": """\
provider_id,name,municipality_id,kind,slots,min_age_months,max_age_months,capacity,free_places
KITA1,"Kita Sonnenblume, Siegen",05970040,kita,early,12,72,80,3
TP1,Tagespflege Weiß,05970012,tagespflege,,0,36,5,0
""",
}
TOML = "as_of = 2017-12-31\nstichtag_day = 15\n"

# The same data as German office software writes it (typed by hand, not converted).
OFFICE: dict[str, str] = {
    "jobcenters": """\
jobcenter_id;name;form;vergleichstyp
05970;Jobcenter Kreis Siegen-Wittgenstein;zkT;IIb
""",
    "municipalities": """\
municipality_id;name;jobcenter_id
05970040;Siegen;05970
05970012;Erndtebrück;05970
05970004;Bad Berleburg;05970
05970016;Freudenberg;05970
05970008;Burbach;05970
""",
    "persons": """\
person_id;birth_date;sex;citizenship;school_degree;vocational_degree
P0001;15.03.1980;f;de;realschule;vocational
P0002;02.11.1978;m;eu;hauptschule;none
P0003;30.06.2005;m;de;;
P0004;20.01.1995;f;non_eu;abitur;academic
P0005;07.07.1960;d;de;none;none
007;31.12.1999;m;;;
""",
    "elb_spells": """\
person_id;bg_id;municipality_id;status;role;start;end
P0001;BG01;05970040;elb;head;01.01.2014;30.06.2016
P0001;BG01;05970040;elb;head;01.08.2016;
P0003;BG01;05970040;nef;child;01.01.2014;
P0002;BG02;05970012;elb;head;01.03.2015;28.02.2017
P0004;BG02;05970012;elb;partner;01.03.2015;28.02.2017
P0005;BG03;05970004;elb;head;01.01.2012;
007;BG04;05970040;elb;head;01.01.2016;31.12.2016
P0002;BG05;05970040;elb;head;01.03.2017;
P0004;BG06;05970040;elb;head;01.03.2017;31.12.2017
""",
    "households": """\
bg_id;bg_type;start;end
BG01;single_parent;01.01.2014;
BG02;couple;01.03.2015;28.02.2017
BG03;single;01.01.2012;
BG04;single;01.01.2016;31.12.2016
BG05;single;01.03.2017;
""",
    "payments": """\
bg_id;month;municipality_id;llu;luh
BG01;01.2016;05970040;641,50;420,00
BG01;02.2016;05970040;641,50;420,00
BG02;01.2016;05970012;727,20;510,75
BG03;01.2016;05970004;404,00;310,00
BG04;01.2016;05970040;404,00;0,00
BG05;03.2017;05970040;409,00;355,40
""",
    "employment": """\
person_id;kind;subsidy;start;end
P0001;svb;none;01.07.2016;31.07.2016
P0004;marginal;none;01.03.2016;
P0002;svb;egz;15.01.2017;28.02.2017
""",
    "measures": """\
person_id;instrument;start;end
P0001;activation;01.05.2015;31.07.2015
P0005;agh;01.02.2016;31.07.2016
P0002;vocational_further_training;01.09.2016;
""",
    "children": """\
person_id;child_birth_date
P0001;30.06.2005
P0004;01.10.2015
""",
    "caseworkers": """\
caseworker_id;name;team;jobcenter_id
CW01;Jürgen Müller;Team Süd;05970
CW02;Anna Schäfer;U25;05970
""",
    "assignments": """\
person_id;caseworker_id;start;end
P0001;CW01;01.01.2014;
P0004;CW01;01.03.2015;28.02.2017
""",
    "obstacles": """\
person_id;category;start;end
P0005;health_physical;01.01.2013;
P0004;language;01.03.2015;
""",
    "childcare_needs": """\
person_id;child_birth_date;slots;start;end
P0004;01.10.2015;early late;01.10.2016;
""",
    "childcare_providers": """\
provider_id;name;municipality_id;kind;slots;min_age_months;max_age_months;capacity;free_places
KITA1;Kita Sonnenblume, Siegen;05970040;kita;early;12;72;80;3
TP1;Tagespflege Weiß;05970012;tagespflege;;0;36;5;0
""",
}


def _write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode(encoding))


def _replace_line(text: str, line: int, new: str) -> str:
    """Replace file line ``line`` (header = 1)."""
    lines = text.split("\n")
    lines[line - 1] = new
    return "\n".join(lines)


def _append(text: str, new: str) -> str:
    return text + new + "\n"


def write_variants() -> None:
    for name in ("base", "office", "bom", "parquet", "cases"):
        shutil.rmtree(HERE / name, ignore_errors=True)
    for table, text in BASE.items():
        _write(HERE / "base" / f"{table}.csv", text)
    _write(HERE / "base" / "dataset.toml", TOML)
    for table, text in OFFICE.items():
        _write(HERE / "office" / f"{table}.csv", text, encoding="cp1252", newline="\r\n")
        _write(HERE / "bom" / f"{table}.csv", text, encoding="utf-8-sig", newline="\r\n")
    _write(HERE / "office" / "dataset.toml", TOML)
    _write(HERE / "bom" / "dataset.toml", TOML)
    _write_parquet(HERE / "parquet")


def _write_parquet(out: Path) -> None:
    """Native Parquet types, written column by column (not through the product's reader)."""
    import csv
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "birth_date": "date",
        "start": "date",
        "end": "date",
        "child_birth_date": "date",
        "llu": "float",
        "luh": "float",
        "min_age_months": "int",
        "max_age_months": "int",
        "capacity": "int",
        "free_places": "int",
    }
    out.mkdir(parents=True, exist_ok=True)
    for table, text in BASE.items():
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        cols = {}
        for i, name in enumerate(header):
            raw = [r[i] or None for r in body]
            kind = types.get(name)
            if kind == "date":
                cols[name] = pa.array([date.fromisoformat(v) if v else None for v in raw], pa.date32())
            elif kind == "float":
                cols[name] = pa.array([float(v) if v else None for v in raw], pa.float64())
            elif kind == "int":
                cols[name] = pa.array([int(v) if v else None for v in raw], pa.int32())
            else:
                cols[name] = pa.array(raw, pa.string())
        pq.write_table(pa.table(cols), out / f"{table}.parquet")
    _write(out / "dataset.toml", TOML)


def case(name: str, files: dict[str, bytes | str], delete: tuple[str, ...] = ()) -> None:
    d = HERE / "cases" / name
    d.mkdir(parents=True, exist_ok=True)
    for fname, content in files.items():
        (d / fname).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if delete:
        (d / "DELETE").write_text("\n".join(delete) + "\n")


def write_cases() -> None:
    B = BASE
    # --- encodings
    case(
        "utf8_invalid_byte",
        {"caseworkers.csv": B["caseworkers"].encode().replace("Schäfer".encode(), b"Sch\xe4fer")},
    )
    case(
        "cp1252_undefined_byte",
        {
            "municipalities.csv": OFFICE["municipalities"]
            .encode("cp1252")
            .replace(b"Freudenberg", b"Freuden\x81berg")
        },
    )
    case("utf16_file", {"jobcenters.csv": B["jobcenters"].encode("utf-16")})
    case("empty_file", {"children.csv": b""})
    # --- structure
    case("tab_separator", {"persons.csv": B["persons"].replace(",", "\t")})
    case(
        "wrong_separator_in_row",
        {"persons.csv": _replace_line(B["persons"], 3, "P0002;1978-11-02;m;eu;hauptschule;none")},
    )
    case("truncated_file", {"payments.csv": B["payments"][: B["payments"].rindex("0597") + 4]})
    case(
        "stray_separator",
        {"employment.csv": _replace_line(B["employment"], 3, "P0004,marginal,none,2016-03-01,,")},
    )
    case(
        "open_quote",
        {"municipalities.csv": _replace_line(B["municipalities"], 5, '05970016,"Freudenberg,05970')},
    )
    case("empty_line", {"children.csv": _replace_line(B["children"], 3, "\nP0004,2015-10-01")})
    case(
        "office_stray_separator",
        {
            "measures.csv": _replace_line(OFFICE["measures"], 3, "P0005;agh;01.02.2016;;31.07.2016")
            .replace("\n", "\r\n")
            .encode("cp1252")
        },
    )
    case(
        "duplicate_header_column", {"jobcenters.csv": "jobcenter_id,name,form,name\n05970,Jobcenter,zkT,x\n"}
    )
    case(
        "missing_required_column",
        {
            "households.csv": "\n".join(
                ",".join(l.split(",")[:3]) for l in B["households"].strip().split("\n")
            )
            + "\n"
        },
    )
    case("missing_required_file", {}, delete=("children.csv",))
    case(
        "missing_column_other_rules_still_run",
        {
            "persons.csv": "\n".join(",".join(l.split(",")[:2]) for l in B["persons"].strip().split("\n"))
            + "\n",
            "employment.csv": _append(B["employment"], "P9999,svb,none,2016-01-01,"),
        },
    )
    case(
        "csv_and_parquet",
        {"jobcenters.parquet": _parquet_bytes({"jobcenter_id": ["05970"], "name": ["JC"], "form": ["zkT"]})},
    )
    case("missing_optional_parent", {}, delete=("caseworkers.csv",))
    # --- values
    case(
        "bad_date", {"persons.csv": _replace_line(B["persons"], 3, "P0002,1978-02-30,m,eu,hauptschule,none")}
    )
    case(
        "bad_date_format",
        {
            "elb_spells.csv": _replace_line(
                B["elb_spells"], 2, "P0001,BG01,05970040,elb,head,2014/01/01,2016-06-30"
            )
        },
    )
    case(
        "office_bad_date",
        {
            "measures.csv": _replace_line(OFFICE["measures"], 3, "P0005;agh;01.02.2016;31.02.2016")
            .replace("\n", "\r\n")
            .encode("cp1252")
        },
    )
    case(
        "office_iso_date_mixed",
        {"children.csv": _replace_line(OFFICE["children"], 3, "P0004;2015-10-01").encode("cp1252")},
    )
    case("bad_month", {"payments.csv": _replace_line(B["payments"], 3, "BG01,2016-13,05970040,641.5,420")})
    case("bad_number", {"payments.csv": _replace_line(B["payments"], 2, "BG01,2016-01,05970040,abc,420")})
    case(
        "decimal_comma_in_comma_file",
        {"payments.csv": _replace_line(B["payments"], 4, 'BG02,2016-01,05970012,"727,2",510.75')},
    )
    case(
        "office_decimal_point",
        {
            "payments.csv": _replace_line(OFFICE["payments"], 7, "BG05;03.2017;05970040;409.5;355,40").encode(
                "cp1252"
            )
        },
    )
    case(
        "bad_int",
        {
            "childcare_providers.csv": _replace_line(
                B["childcare_providers"], 3, "TP1,Tagespflege Weiß,05970012,tagespflege,,0,36,5.5,0"
            )
        },
    )
    case(
        "unknown_code_sex",
        {"persons.csv": _replace_line(B["persons"], 2, "P0001,1980-03-15,w,de,realschule,vocational")},
    )
    case(
        "unknown_code_status",
        {
            "elb_spells.csv": _replace_line(
                B["elb_spells"], 8, "007,BG04,05970040,ELB,head,2016-01-01,2016-12-31"
            )
        },
    )
    case(
        "unknown_slot",
        {
            "childcare_needs.csv": _replace_line(
                B["childcare_needs"], 2, "P0004,2015-10-01,early evening,2016-10-01,"
            )
        },
    )
    case("empty_required_value", {"persons.csv": _replace_line(B["persons"], 4, "P0003,,m,de,,")})
    # --- rows and tables
    case(
        "end_before_start",
        {"employment.csv": _replace_line(B["employment"], 2, "P0001,svb,none,2016-07-01,2016-06-30")},
    )
    case("duplicate_key", {"persons.csv": _append(B["persons"], "P0002,1978-11-02,m,eu,hauptschule,none")})
    case("duplicate_composite_key", {"payments.csv": _append(B["payments"], "BG01,2016-01,05970040,1.0,2.0")})
    case(
        "missing_reference_municipality",
        {
            "elb_spells.csv": _replace_line(
                B["elb_spells"], 2, "P0001,BG01,05970099,elb,head,2014-01-01,2016-06-30"
            )
        },
    )
    case(
        "missing_reference_person", {"employment.csv": _append(B["employment"], "P9999,svb,none,2016-01-01,")}
    )
    case(
        "household_bg_not_in_spells", {"households.csv": _append(B["households"], "BG99,single,2016-01-01,")}
    )
    case(
        "payment_bg_not_in_spells", {"payments.csv": _append(B["payments"], "BG99,2016-01,05970040,404,300")}
    )
    case(
        "overlapping_spells",
        {"elb_spells.csv": _append(B["elb_spells"], "P0001,BG01,05970040,elb,head,2016-06-01,2016-09-30")},
    )
    case(
        "elb_and_nef_same_day",
        {"elb_spells.csv": _append(B["elb_spells"], "P0003,BG07,05970040,elb,head,2017-06-30,")},
    )
    case(
        "household_types_overlap",
        {"households.csv": _append(B["households"], "BG01,couple_children,2016-01-01,")},
    )
    case(
        "negative_amount",
        {"payments.csv": _replace_line(B["payments"], 4, "BG02,2016-01,05970012,727.2,-10.5")},
    )
    case(
        "free_places_above_capacity",
        {
            "childcare_providers.csv": _replace_line(
                B["childcare_providers"],
                2,
                'KITA1,"Kita Sonnenblume, Siegen",05970040,kita,early,12,72,80,90',
            )
        },
    )
    case(
        "min_age_above_max_age",
        {
            "childcare_providers.csv": _replace_line(
                B["childcare_providers"], 3, "TP1,Tagespflege Weiß,05970012,tagespflege,,40,36,5,0"
            )
        },
    )
    case(
        "negative_capacity",
        {
            "childcare_providers.csv": _replace_line(
                B["childcare_providers"], 3, "TP1,Tagespflege Weiß,05970012,tagespflege,,0,36,-5,0"
            )
        },
    )
    # --- dataset.toml
    case("toml_unknown_key", {"dataset.toml": "as_of = 2017-12-31\nstichtag_day = 15\nstichtag = 15\n"})
    case("toml_bad_values", {"dataset.toml": 'as_of = "31.12.2017"\nstichtag_day = 0\n'})
    case("toml_syntax_error", {"dataset.toml": "as_of = 2017-12-31\nstichtag_day 15\n"})
    # --- Parquet
    case(
        "parquet_wrong_type",
        {
            "persons.parquet": _parquet_bytes(
                {"person_id": [1, 2], "birth_date": [date(1980, 1, 1)] * 2, "sex": ["f", "m"]}
            )
        },
        delete=("persons.csv",),
    )
    case(
        "parquet_unknown_code",
        {
            "persons.parquet": _parquet_bytes(
                {
                    "person_id": ["P0001", "P0002", "P0003", "P0004", "P0005", "007"],
                    "birth_date": [
                        date(1980, 3, 15),
                        date(1978, 11, 2),
                        date(2005, 6, 30),
                        date(1995, 1, 20),
                        date(1960, 7, 7),
                        date(1999, 12, 31),
                    ],
                    "sex": ["f", "m", "x", "f", "d", "m"],
                }
            )
        },
        delete=("persons.csv",),
    )
    case(
        "parquet_missing_column",
        {"children.parquet": _parquet_bytes({"person_id": ["P0001"]})},
        delete=("children.csv",),
    )
    case(
        "parquet_corrupt",
        {"persons.parquet": (HERE / "parquet" / "persons.parquet").read_bytes()[:300]},
        delete=("persons.csv",),
    )
    case(
        "parquet_float_for_int",
        {
            "childcare_providers.parquet": _parquet_bytes(
                {
                    "provider_id": ["KITA1", "TP1"],
                    "name": ["Kita Sonnenblume, Siegen", "Tagespflege Weiß"],
                    "municipality_id": ["05970040", "05970012"],
                    "kind": ["kita", "tagespflege"],
                    "slots": ["early", None],
                    "min_age_months": [12.0, 0.0],
                    "max_age_months": [72.0, 36.0],
                    "capacity": [80.0, 5.5],
                    "free_places": [3.0, 0.0],
                }
            )
        },
        delete=("childcare_providers.csv",),
    )
    case("header_without_known_columns", {"persons.csv": "id,geburt,geschlecht\nP0001,1980-03-15,f\n"})


def _parquet_bytes(columns: dict[str, list]) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


if __name__ == "__main__":
    write_variants()
    write_cases()
    print("corpus written:", len(list((HERE / "cases").iterdir())), "cases")
