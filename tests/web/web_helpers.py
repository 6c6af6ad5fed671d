"""Web test helpers: an app on a temporary data folder with hand-made results, one user per role.

The indicator results and the caseload are written by hand (values chosen for the tests), so the
web tests do not depend on the engine; ``test_batch.py`` runs the real batch on the generated
Siegen-Wittgenstein dataset.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from zielwerk.web import WebConfig, create_app
from zielwerk.web.results import write_results

HERE = Path(__file__).parent
PASSWORD = "Passwort-123"
AGREEMENT_TOML = (HERE / "agreement_fixture.toml").read_text("utf-8")

#: username → (role, scope)
USERS = {
    "admin": ("admin", {}),
    "gf": ("geschaeftsfuehrung", {"jobcenter_id": "JC1"}),
    "controlling": ("controlling", {"jobcenter_id": "JC1"}),
    "traeger": ("traeger", {}),
    "kommune": ("kommune", {"municipality_id": "05970040"}),
    "fm1": ("fallmanagement", {"caseworker_id": "CW1", "team": "T1"}),
    # team lead of T1: role fallmanagement with a team and no caseworker id (permissions.person_scope)
    "tl1": ("fallmanagement", {"team": "T1"}),
    # supervising body (issue 14): assigned JC1 and JC2 (SUPERVISED), not JC9
    "rd1": ("aufsicht", {}),
}
#: users tested as a variant of their role (key of the ``clients`` fixture)
VARIANTS = {"tl1": "teamleitung"}
ROLE_USER = {VARIANTS.get(name, role): name for name, (role, _) in USERS.items()}

KZ_SCHEMA = pa.schema([("unit_type", pa.string()), ("unit_id", pa.string()), ("month", pa.string()),
                       ("indicator", pa.string()), ("sex", pa.string()), ("numerator", pa.float64()),
                       ("denominator", pa.float64()), ("value", pa.float64()), ("provisional", pa.bool_())])


def kennzahlen_rows() -> list[dict]:
    """K2 and K3 for the Jobcenter and two municipalities, 2016-01..2016-12.

    Municipality 05970008 is tiny: its K2 numerator for women is 2 (suppressed outside controlling)
    and for men 5 (secondarily suppressed), total 7 (shown).
    """
    rows = []
    for m in range(1, 13):
        month = f"2016-{m:02d}"
        prov = m >= 10
        for unit_type, unit_id, scale in (("jobcenter", "JC1", 100), ("municipality", "05970040", 10)):
            for sex, share in (("all", 1.0), ("f", 0.5), ("m", 0.5)):
                num = 20.0 * scale * share + m
                den = 100.0 * scale * share
                rows.append({"unit_type": unit_type, "unit_id": unit_id, "month": month, "indicator": "K2", "sex": sex,
                                 "numerator": num, "denominator": den, "value": 100 * num / den, "provisional": prov})
                num3, den3 = 40.0 * scale * share - m, 40.0 * scale * share
                rows.append({"unit_type": unit_type, "unit_id": unit_id, "month": month, "indicator": "K3", "sex": sex,
                                 "numerator": num3, "denominator": den3, "value": 100 * (num3 / den3 - 1), "provisional": prov})
        for sex, num, den in (("all", 7.0, 70.0), ("f", 2.0, 30.0), ("m", 5.0, 38.0)):
            rows.append({"unit_type": "municipality", "unit_id": "05970008", "month": month, "indicator": "K2", "sex": sex,
                             "numerator": num, "denominator": den, "value": 100 * num / den, "provisional": prov})
    return rows


def caseload() -> pa.Table:
    rows = [
        ("P1", "CW1", "T1", "05970040", "f", date(1985, 3, 1), date(2016, 1, 1)),
        ("P2", "CW1", "T1", "05970040", "m", date(1990, 7, 9), date(2016, 5, 1)),
        ("P3", "CW2", "T2", "05970008", "f", date(1978, 12, 24), date(2015, 2, 1)),
    ]
    names = ["person_id", "caseworker_id", "team", "municipality_id", "sex", "birth_date", "assigned_since"]
    return pa.Table.from_pylist([dict(zip(names, r)) for r in rows])


def series() -> dict:
    """Hand-made actual series for the monitoring of the fixture agreement (JC1, 2013–2016).

    K2 (year-to-date integration rate) grows by 2 points a month, reaching 24 in December 2016;
    K3 (change of the LZB stock) falls from −1 to −3.2 % over 2016.
    """
    def k2(year: int) -> list[float]:
        return [2.0 * m - (2016 - year) * 0.5 for m in range(1, 13)]

    def k3(year: int) -> list[float]:
        return [-1.0 - 0.2 * (m - 1) + (2016 - year) * 0.3 for m in range(1, 13)]

    values = {}
    for sex in ("all", "f", "m"):
        values[f"K2|{sex}"] = {str(y): k2(y) for y in range(2012, 2017)}
        values[f"K3|{sex}"] = {str(y): k3(y) for y in range(2012, 2017)}
    return {"JC1": {"values": values, "provisional": ["2016-10", "2016-11", "2016-12"]}}


def write_fixture_results(data_dir: Path) -> None:
    meta = {"as_of": "2016-12-31", "stichtag_day": 15, "first_month": "2016-01", "last_month": "2016-12",
            "provisional_months": ["2016-12", "2016-11", "2016-10"], "computed_at": "2017-01-05T08:00:00+00:00",
            "source": str(data_dir),
            "unit_names": {"jobcenter:JC1": "Jobcenter Testkreis", "municipality:05970040": "Bad Berleburg",
                           "municipality:05970008": "Klein-Dorf"}}
    write_results(data_dir, pa.Table.from_pylist(kennzahlen_rows(), schema=KZ_SCHEMA), caseload(),
                  json.loads(json.dumps(meta)), series())


@functools.cache
def _password_hash() -> str:
    from zielwerk.store.users import hash_password

    return hash_password(PASSWORD)


def write_fixture_lists(data_dir: Path) -> None:
    """Two hand-made work lists in the casework batch format: a person list and an aggregate."""
    from zielwerk.web.results import lists_dir

    out = lists_dir(data_dir)  # inside the live generation written by write_fixture_results
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([
        {"person_id": "P1", "caseworker_id": "CW1", "lzb_am": date(2017, 2, 15), "tage_bis_lzb": 45},
        {"person_id": "P3", "caseworker_id": "CW2", "lzb_am": date(2017, 4, 15), "tage_bis_lzb": 104},
    ]), out / "lzb-praevention.parquet")
    pq.write_table(pa.Table.from_pylist([
        {"caseworker_id": "CW1", "personen": 2, "schluessel": 150},
        {"caseworker_id": "CW2", "personen": 1, "schluessel": 75},
    ]), out / "fallbelastung.parquet")
    (out / "meta.json").write_text(json.dumps({"stichtag": "2016-12-15", "as_of": "2016-12-31", "lists": {
        "lzb-praevention": {"rows": 2, "goal": "LZB"}, "fallbelastung": {"rows": 2, "goal": "Fallarbeit"}}}))


#: issue 14: the Jobcenters assigned to the supervision user rd1
SUPERVISED = ("JC1", "JC2")


def official_rows() -> list[dict]:
    """Hand-made official figures 2015-01..2016-09: JC1 "Jobcenter Testkreis" and JC2..JC5 of type IIb,
    JC9 of type Ia. K2 (sex all) of 2016-09: JC1 20 %, JC2 30 %, JC3 40 %, JC4 10 %, JC5 2 of 10 = 20 %
    (below 3 persons: C10 hides it outside controlling); K3 (change of the LZB stock), K1E2 (eLb stock
    as numerator) and K2E4 (single-parent stock as denominator) for the neighbours."""
    jcs = (("JC1", "Jobcenter Testkreis", "IIb", 1000, 0.20), ("JC2", "Jobcenter Nachbarkreis", "IIb", 800, 0.30),
           ("JC3", "Jobcenter Bergkreis", "IIb", 1200, 0.40), ("JC4", "Jobcenter Talkreis", "IIb", 600, 0.10),
           ("JC5", "Jobcenter Kleinkreis", "IIb", 10, 0.20), ("JC9", "Jobcenter Großstadt", "Ia", 9000, 0.25))
    rows = []
    for year in (2015, 2016):
        for m in range(1, 13 if year == 2015 else 10):
            month = f"{year}-{m:02d}"
            for jid, name, vtyp, elb, rate in jcs:
                r = rate - (0.01 if year == 2015 else 0.0)
                for sex, share in (("all", 1.0), ("f", 0.5), ("m", 0.5)):
                    den = elb * share
                    num = round(den * r)
                    lzb = round(den * 0.6)
                    for code, n, d, v in (("K2", num, den, 100 * num / den),
                                          ("K3", lzb, lzb + 10, 100 * (lzb / (lzb + 10) - 1)),
                                          ("K1E2", den, den, 0.0),
                                          ("K2E4", 1, den * 0.15, 100 / (den * 0.15))):
                        rows.append({"jobcenter_id": jid, "jobcenter_name": name, "vergleichstyp": vtyp,
                                     "month": month, "indicator": code, "sex": sex, "numerator": float(n),
                                     "denominator": float(d), "value": round(v, 1)})
    return rows


def insert_official(session, rows: list[dict]) -> None:
    from zielwerk.store.models import OfficialFigure

    for r in rows:
        session.add(OfficialFigure(**r, source="test", imported_by="test"))


def build_app(data_dir: Path, db_url: str | None = None):
    write_fixture_results(data_dir)
    write_fixture_lists(data_dir)
    app = create_app(WebConfig(data_dir=data_dir, db_url=db_url))
    from zielwerk.store import agreements
    from zielwerk.store.models import User

    with app.state.sessions.begin() as s:
        for name, (role, scope) in USERS.items():
            # one argon2 hash for all fixture users keeps the tests fast (users.create_user is tested in
            # tests/store and through the Verwaltung page)
            s.add(User(username=name, full_name=name.title(), password_hash=_password_hash(), role=role,
                       **scope))
        agreements.create(s, key="testkreis-2016", title="Zielvereinbarung 2016 Testkreis", jobcenter_id="JC1",
                          year=2016, document=AGREEMENT_TOML, created_by="controlling")
        insert_official(s, official_rows())
    from sqlalchemy import select

    from zielwerk.store.models import SupervisionAssignment

    with app.state.sessions.begin() as s:
        rd1 = s.scalar(select(User).where(User.username == "rd1"))
        for jid in SUPERVISED:
            s.add(SupervisionAssignment(user_id=rd1.id, jobcenter_id=jid))
    return app


def login(client: TestClient, username: str, password: str = PASSWORD, next: str = ""):
    page = client.get("/anmelden")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/anmelden", data={"username": username, "password": password, "csrf_token": token,
                                          "next": next}, follow_redirects=False)


def csrf_of(client: TestClient, path: str = "/kennzahlen") -> str:
    """The session's CSRF token, read from the hx-headers attribute of a page."""
    html = client.get(path).text
    return re.search(r'"X-CSRF-Token": "([^"]+)"', html).group(1)




def own_token(client: TestClient, label: str = "Test") -> str:
    """An API token the logged-in user makes for itself under "Mein Konto" (shown once)."""
    html = client.post("/konto/token", data={"label": label, "csrf_token": csrf_of(client, "/konto")}).text
    return re.search(r"<code>(zw_[^<]+)</code>", html).group(1)


def audit_rows(app, **where) -> list:
    from sqlalchemy import select

    from zielwerk.store.models import AuditEntry

    with app.state.sessions() as s:
        q = select(AuditEntry)
        for k, v in where.items():
            q = q.where(getattr(AuditEntry, k) == v)
        return list(s.scalars(q.order_by(AuditEntry.id)))


def build_app_with_every_list(data_dir: Path):
    """:func:`build_app` with a file for every work list (the fixture's prevention list copied), so that a
    crawl reaches every list page."""
    import json

    import pyarrow.parquet as pq

    from zielwerk.casework.catalog import LISTS
    from zielwerk.web.results import lists_dir

    app = build_app(data_dir)
    out = lists_dir(data_dir)
    person_list = pq.read_table(out / "lzb-praevention.parquet")
    meta = json.loads((out / "meta.json").read_text())
    for name in LISTS:
        if not (out / f"{name}.parquet").exists():
            pq.write_table(person_list, out / f"{name}.parquet")
            meta["lists"][name] = {"rows": person_list.num_rows, "goal": "LZB"}
    (out / "meta.json").write_text(json.dumps(meta))
    return app


def browser_login(browser, server: str, username: str, password: str = PASSWORD, **context_args):
    """A new Playwright context (German locale) logged in as ``username``; returns (context, page)."""
    ctx = browser.new_context(locale="de-DE", **context_args)
    page = ctx.new_page()
    page.goto(f"{server}/anmelden")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return ctx, page
