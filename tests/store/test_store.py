"""Store behaviour on SQLite and PostgreSQL: migrations, users, audit append-only, agreements,
case records."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from zielwerk.store import agreements, audit, caserecords, open_store, users
from zielwerk.store.audit import AuditLogIsAppendOnly


@pytest.fixture
def store(store_url):
    engine, Session = open_store(store_url)
    yield engine, Session
    engine.dispose()


def test_migration_creates_all_tables_and_is_idempotent(store, store_url):
    engine, _ = store
    open_store(store_url)[0].dispose()  # second upgrade is a no-op
    names = set(inspect(engine).get_table_names())
    assert {
        "users",
        "web_sessions",
        "api_tokens",
        "login_counters",
        "audit_log",
        "audit_chain_head",
        "agreements",
        "agreement_versions",
        "case_contacts",
        "action_plans",
        "deviation_comments",  # 0003 (issue 13)
        "official_figures",  # 0004 (issue 14)
        "supervision_assignments",  # 0004 (issue 14)
        "alembic_version",
    } <= names
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0004"


def test_password_is_stored_as_argon2_and_verifies(store):
    _, Session = store
    with Session.begin() as s:
        users.create_user(s, "anna", "geheim-genug-1", "controlling")
    with Session() as s:
        u = users.by_name(s, "anna")
        assert u.password_hash.startswith("$argon2")
        assert "geheim" not in u.password_hash
        assert users.authenticate(s, "anna", "geheim-genug-1").username == "anna"
        assert users.authenticate(s, "anna", "falsch-falsch") is None
        assert users.authenticate(s, "niemand", "geheim-genug-1") is None


def test_user_rules(store):
    _, Session = store
    with Session.begin() as s:
        with pytest.raises(users.UserError, match="mindestens 10 Zeichen"):
            users.create_user(s, "kurz", "abc", "admin")
        with pytest.raises(users.UserError, match="Unbekannte Rolle"):
            users.create_user(s, "x", "lang-genug-123", "chef", known_roles=("admin",))
        users.create_user(s, "doppelt", "lang-genug-123", "admin")
        with pytest.raises(users.UserError, match="gibt es schon"):
            users.create_user(s, "doppelt", "lang-genug-123", "admin")


def test_api_token_only_hash_stored(store):
    engine, Session = store
    with Session.begin() as s:
        u = users.create_user(s, "api", "lang-genug-123", "controlling")
        token = users.issue_token(s, u, "Test")
    with Session() as s:
        assert users.user_for_token(s, token).username == "api"
        assert users.user_for_token(s, token + "x") is None
    with engine.connect() as conn:
        stored = conn.execute(text("select token_sha256 from api_tokens")).scalar()
    assert stored != token and len(stored) == 64


def test_audit_log_is_append_only_in_orm_and_database(store):
    engine, Session = store
    with Session.begin() as s:
        audit.record(
            s,
            username="anna",
            role="controlling",
            action="person.read",
            object_type="person",
            object_id="P1",
            before=None,
            after={"d": date(2016, 3, 15)},
        )
    with Session() as s:
        (entry,) = audit.entries(s)
        assert entry.after == {"d": "2016-03-15"}
        entry.action = "manipuliert"
        with pytest.raises(AuditLogIsAppendOnly):
            s.flush()
        s.rollback()
        s.delete(audit.entries(s)[0])
        with pytest.raises(AuditLogIsAppendOnly):
            s.flush()
    # bypassing the ORM: the database trigger refuses too
    for stmt in ("update audit_log set action = 'x'", "delete from audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(stmt))
    with Session() as s:
        assert audit.count(s) == 1 and audit.entries(s)[0].action == "person.read"


def test_agreement_versions_and_signatures(store):
    _, Session = store
    with Session.begin() as s:
        a = agreements.create(
            s,
            key="sw-2016",
            title="ZV 2016",
            jobcenter_id="JC1",
            year=2016,
            document="a = 1\n",
            created_by="anna",
        )
        assert [v.number for v in a.versions] == [1]
        with pytest.raises(agreements.AgreementError, match="Begründung"):
            agreements.add_version(s, a, "a = 2\n", reason=" ", created_by="anna")
        agreements.add_version(s, a, "a = 2\n", reason="Planwert angepasst", created_by="anna")
    with Session.begin() as s:
        a = agreements.get(s, "sw-2016")
        assert [v.number for v in a.versions] == [1, 2]
        assert a.versions[0].document == "a = 1\n"  # the old version is untouched
        assert a.current.reason == "Planwert angepasst"
        agreements.sign(s, a.current, "gf", "geschaeftsfuehrung")
        with pytest.raises(agreements.AgreementError, match="bereits"):
            agreements.sign(s, a.current, "gf", "geschaeftsfuehrung")
    with Session() as s:
        sig = agreements.get(s, "sw-2016").current.signatures
        assert [x["username"] for x in sig] == ["gf"]


def test_case_records_review_date_at_most_six_months(store):
    _, Session = store
    with Session.begin() as s:
        plan = caserecords.add_action_plan(
            s,
            person_id="P1",
            caseworker_id="CW1",
            created_by="fm",
            agreed_on=date(2016, 8, 31),
            goals=["Kita-Platz"],
        )
        assert plan.review_on == date(2017, 2, 28)  # 31 Aug + 6 months, end of February
        with pytest.raises(caserecords.CaseRecordError, match="28.02.2017"):
            caserecords.add_action_plan(
                s,
                person_id="P1",
                caseworker_id="CW1",
                created_by="fm",
                agreed_on=date(2016, 8, 31),
                review_on=date(2017, 3, 1),
            )
        caserecords.add_contact(
            s, person_id="P1", caseworker_id="CW1", created_by="fm", outcome="Termin wahrgenommen"
        )
    with Session() as s:
        assert [c.outcome for c in caserecords.contacts_of(s, "P1")] == ["Termin wahrgenommen"]
        assert caserecords.plans_of(s, "P1")[0].goals == ["Kita-Platz"]


def test_deviation_comments_newest_per_goal_and_month(store):
    from zielwerk.store import comments

    _, sessions = store
    with sessions.begin() as s:
        comments.add(s, agreement_key="zv", month="2016-06", goal_id="lzb", text="erste", created_by="c")
        comments.add(s, agreement_key="zv", month="2016-06", goal_id="lzb", text=" zweite \r\n", created_by="g")
        comments.add(s, agreement_key="zv", month="2016-07", goal_id="lzb", text="Juli", created_by="c")
        comments.add(s, agreement_key="zv", month="2016-06", goal_id="k2", text="weg", created_by="c")
        comments.add(s, agreement_key="zv", month="2016-06", goal_id="k2", text="", created_by="c")  # cleared
    with sessions() as s:
        now = comments.current(s, "zv", "2016-06")
        assert {k: (v.text, v.created_by) for k, v in now.items()} == {"lzb": ("zweite", "g")}
        with pytest.raises(comments.CommentError, match="zu lang"):
            comments.add(s, agreement_key="zv", month="2016-06", goal_id="lzb", text="x" * 2001, created_by="c")
