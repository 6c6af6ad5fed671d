"""A small web data folder for the work-list pages: dataset-derived results, precomputed lists and
two case managers (CW1, CW2) plus a lead user. Shared by the TestClient and the browser tests."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from zielwerk.casework.batch import write_lists
from zielwerk.store.models import User
from zielwerk.store.users import hash_password
from zielwerk.web import WebConfig, create_app
from zielwerk.web.results import caseload_table, lists_dir, write_casefiles, write_results

from .helpers import make_ds, person, spell

PASSWORD = "Passwort-123"

KZ_SCHEMA = pa.schema([("unit_type", pa.string()), ("unit_id", pa.string()), ("month", pa.string()),
                       ("indicator", pa.string()), ("sex", pa.string()), ("numerator", pa.float64()),
                       ("denominator", pa.float64()), ("value", pa.float64()), ("provisional", pa.bool_())])


def dataset():
    core_empty = {t: [] for t in ("households", "payments", "measures", "children", "employment")}
    return make_ds(
        [person(p) for p in ("A", "B", "C")],
        [spell("A", "2014-01-01"), spell("B", "2014-01-01"), spell("C", "2012-01-01")],
        as_of="2015-06-30",
        caseworkers=[{"caseworker_id": "CW1", "name": "Frau Eins", "team": "T1", "jobcenter_id": "05970"},
                     {"caseworker_id": "CW2", "name": "Herr Zwei", "team": "T1", "jobcenter_id": "05970"}],
        assignments=[{"person_id": "A", "caseworker_id": "CW1", "start": "2014-01-01"},
                     {"person_id": "B", "caseworker_id": "CW2", "start": "2014-01-01"},
                     {"person_id": "C", "caseworker_id": "CW1", "start": "2014-01-01"}],
        obstacles=[{"person_id": "C", "category": "debt", "start": "2014-01-01"}],
        **core_empty,
    )


def kennzahlen() -> pa.Table:
    rows = [{"unit_type": "total", "unit_id": "total", "month": m, "indicator": "K3", "sex": "all", "numerator": n,
                 "denominator": 100.0, "value": n - 100.0, "provisional": False}
            for m, n in (("2015-05", 97.0), ("2015-06", 98.0), ("2015-07", 99.0))]
    return pa.Table.from_pylist(rows, schema=KZ_SCHEMA)


def build(data_dir: Path):
    ds = dataset()
    write_results(data_dir, kennzahlen(), caseload_table(ds),
                  {"as_of": "2015-06-30", "stichtag_day": 15, "first_month": "2015-05", "last_month": "2015-07",
                   "provisional_months": [], "computed_at": "2015-07-01T00:00:00+00:00", "source": str(data_dir),
                   "unit_names": {}})
    meta = write_lists(ds, lists_dir(data_dir))
    assert meta["stichtag"] == "2015-06-15"
    assert write_casefiles(ds, data_dir) is None
    app = create_app(WebConfig(data_dir=data_dir))
    h = hash_password(PASSWORD)
    with app.state.sessions.begin() as s:
        s.add(User(username="fm1", full_name="Frau Eins", password_hash=h, role="fallmanagement", caseworker_id="CW1"))
        s.add(User(username="fm2", full_name="Herr Zwei", password_hash=h, role="fallmanagement", caseworker_id="CW2"))
        s.add(User(username="gf", full_name="GF", password_hash=h, role="geschaeftsfuehrung", jobcenter_id="05970"))
    return app
