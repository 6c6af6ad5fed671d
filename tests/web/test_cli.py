"""``zielwerk benutzer anlegen`` and the demo provisioning helpers."""

from __future__ import annotations

from typer.testing import CliRunner
from web_helpers import write_fixture_results

from zielwerk.cli import app
from zielwerk.store import default_url, open_store, peers, users
from zielwerk.web import provision


def test_benutzer_anlegen(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["benutzer", "anlegen", "klara", "--rolle", "kommune", "--kommune", "05970040",
                            "--data", str(tmp_path)], input="lang-genug-123\nlang-genug-123\n")
    assert r.exit_code == 0, r.output
    assert "angelegt" in r.output
    engine, sessions = open_store(default_url(tmp_path))
    with sessions() as s:
        u = users.authenticate(s, "klara", "lang-genug-123")
        assert u.role == "kommune" and u.municipality_id == "05970040"
    engine.dispose()
    r = runner.invoke(app, ["benutzer", "anlegen", "x", "--rolle", "chef", "--data", str(tmp_path)],
                      input="lang-genug-123\nlang-genug-123\n")
    assert r.exit_code == 2 and "Unbekannte Rolle" in r.output
    r = runner.invoke(app, ["benutzer", "anlegen", "y", "--rolle", "fallmanagement", "--data", str(tmp_path)])
    assert r.exit_code == 2 and "--fachkraft" in r.output
    # a team lead: fallmanagement with a team and no caseworker id
    r = runner.invoke(app, ["benutzer", "anlegen", "lea", "--rolle", "fallmanagement", "--team", "T1",
                            "--data", str(tmp_path)], input="lang-genug-123\nlang-genug-123\n")
    assert r.exit_code == 0, r.output
    engine, sessions = open_store(default_url(tmp_path))
    with sessions() as s:
        u = users.authenticate(s, "lea", "lang-genug-123")
        assert u.role == "fallmanagement" and u.team == "T1" and not u.caseworker_id
    engine.dispose()


def test_demo_users_one_per_role_with_scopes(tmp_path):
    write_fixture_results(tmp_path)
    engine, sessions = open_store(default_url(tmp_path))
    accounts = provision.ensure_demo_users(sessions, tmp_path, password=lambda n: f"{n}-passwort-1")
    assert sorted(role for _, role, _ in accounts) == sorted(
        ["admin", "geschaeftsfuehrung", "controlling", "traeger", "kommune", "fallmanagement", "aufsicht"])
    with sessions() as s:
        fm = users.authenticate(s, "fallmanagement", "fallmanagement-passwort-1")
        # the fixture caseload: CW1 has two persons, CW2 one → the largest caseload is CW1
        assert fm.caseworker_id == "CW1" and fm.team == "T1"
        assert users.by_name(s, "kommune").municipality_id == "05970008"  # first AGS in sort order
        # issue 14: without official figures the supervision user oversees Siegen-Wittgenstein alone
        assert peers.assigned(s, users.by_name(s, "aufsicht").id) == ["05970"]
    # a second run resets the passwords instead of failing
    again = provision.ensure_demo_users(sessions, tmp_path, password=lambda n: f"{n}-neu-passwort")
    assert len(again) == 7
    with sessions() as s:
        assert users.authenticate(s, "admin", "admin-neu-passwort") is not None
    engine.dispose()


def test_example_agreement_loads_once(tmp_path):
    engine, sessions = open_store(default_url(tmp_path))
    assert provision.load_agreement_file(sessions, provision.EXAMPLE_AGREEMENT, provision.EXAMPLE_KEY)
    assert not provision.load_agreement_file(sessions, provision.EXAMPLE_AGREEMENT, provision.EXAMPLE_KEY)
    engine.dispose()
