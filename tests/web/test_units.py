"""Pure helpers: C10 suppression, German formats, the permission table's shape, agreement documents."""

from __future__ import annotations

import csv
import io

import pytest

from zielwerk.indicators.suppression import suppress
from zielwerk.web import permissions
from zielwerk.web.agreement_doc import DocumentError, compare, graph_svg, parse
from zielwerk.web.formats import csv_german, german_date, german_month, number


def _row(sex, num, den, unit="05970008", indicator="K2"):
    return {"unit_type": "municipality", "unit_id": unit, "month": "2016-05", "indicator": indicator, "sex": sex,
            "numerator": num, "denominator": den, "value": None if not den else 100 * num / den, "provisional": False}


def test_primary_suppression_of_one_and_two_but_not_zero_or_three():
    out = suppress([_row("all", 1, 50), _row("all", 2, 50, unit="B"), _row("all", 0, 50, unit="C"),
                    _row("all", 3, 50, unit="D"), _row("all", 5, 2, unit="E")])
    assert [r["numerator"] for r in out] == ["*", "*", 0, 3, "*"]
    assert out[0]["value"] == "*" and out[0]["denominator"] == "*"
    assert out[3]["value"] == pytest.approx(6.0)


def test_secondary_suppression_hides_the_other_sex():
    # women 2 (primary), men 5, all 7 → men would reveal women (7 − 5): suppressed too
    out = {r["sex"]: r for r in suppress([_row("all", 7, 70), _row("f", 2, 30), _row("m", 5, 38)])}
    assert out["f"]["numerator"] == "*" and out["m"]["numerator"] == "*" and out["all"]["numerator"] == 7


def test_no_secondary_suppression_when_total_is_suppressed_or_both_are():
    out = {r["sex"]: r for r in suppress([_row("all", 2, 70), _row("f", 1, 30), _row("m", 1, 38)])}
    assert {r["numerator"] for r in out.values()} == {"*"}
    out = {r["sex"]: r for r in suppress([_row("all", 9, 70), _row("f", 4, 30), _row("m", 5, 38)])}
    assert [out[s]["numerator"] for s in ("all", "f", "m")] == [9, 4, 5]


def test_money_amounts_are_not_person_counts():
    out = suppress([_row("all", 2.5, 1.0, indicator="K1")])
    assert out[0]["numerator"] == 2.5


def test_suppress_does_not_modify_its_input():
    rows = [_row("all", 1, 50)]
    suppress(rows)
    assert rows[0]["numerator"] == 1


@pytest.mark.parametrize("value,digits,text", [(1234.56, 1, "1.234,6"), (0.5, 1, "0,5"), (-2.25, 2, "-2,25"),
                                               (1234567, 0, "1.234.567"), (None, 1, "–"), ("*", 1, "*"),
                                               (float("nan"), 1, "–")])
def test_german_numbers(value, digits, text):
    assert number(value, digits) == text


def test_german_dates_and_months():
    from datetime import date

    assert german_date(date(2016, 9, 15)) == "15.09.2016"
    assert german_date("2016-09-15") == "15.09.2016"
    assert german_month("2016-09") == "09/2016"


def test_csv_german_dialect():
    text = csv_german(["a", "b", "c"], [[1.5, True, None], ["x;y", 2, 3.0]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["a", "b", "c"], ["1,5", "ja", ""], ["x;y", "2", "3,0"]]


def test_permission_table_is_complete_and_closed():
    assert set(permissions.ROLES) == {"admin", "geschaeftsfuehrung", "controlling", "traeger", "kommune",
                                      "fallmanagement", "aufsicht"}
    for perm, roles in permissions.PERMISSIONS.items():
        assert roles <= set(permissions.ROLES), perm
    for _, _, perm in permissions.NAVIGATION:
        assert perm in permissions.PERMISSIONS
    with pytest.raises(KeyError):
        permissions.has("admin", "gibt.es.nicht")


def test_person_scope_rules():
    assert permissions.may_read_person("fallmanagement", "CW1", "CW1")
    assert not permissions.may_read_person("fallmanagement", "CW1", "CW2")
    assert not permissions.may_read_person("fallmanagement", None, None)
    assert permissions.may_read_person("controlling", None, "CW2")
    assert not permissions.may_read_person("kommune", None, "CW2")
    assert not permissions.may_read_person("admin", None, "CW2")


def test_agreement_document_parse_compare_and_graph():
    from web_helpers import AGREEMENT_TOML

    doc = parse(AGREEMENT_TOML)
    assert [g.id for g in doc.goals] == ["integration", "lzb"] and doc.jobcenter_id == "JC1"
    assert doc.links == [("integration", "lzb", "Wer in Arbeit kommt, verlässt den Langzeitbezug.")]
    changes = compare(AGREEMENT_TOML, AGREEMENT_TOML.replace("wert = 25.0", "wert = 27.5"))
    assert len(changes) == 1 and "25" in changes[0] and "27,5" in changes[0].replace("27.5", "27,5")
    svg = graph_svg(doc)
    assert svg.count("<rect") == 2 and svg.count("marker-end=") == 1 and "Integration verbessern" in svg
    with pytest.raises(DocumentError):
        parse("jahr = ")
    with pytest.raises(DocumentError):
        parse(AGREEMENT_TOML.replace('nach = "lzb"', 'nach = "gibt-es-nicht"'))


def test_store_case_records_feed_the_casework_lists(tmp_path):
    from datetime import date

    from zielwerk.store import caserecords, default_url, open_store
    from zielwerk.web.results import store_case_records

    engine, sessions = open_store(default_url(tmp_path))
    with sessions.begin() as s:
        caserecords.add_contact(s, person_id="P1", caseworker_id="CW1", created_by="fm", outcome="erschienen",
                                channel="telefon")
        caserecords.add_action_plan(s, person_id="P1", caseworker_id="CW1", created_by="fm",
                                    agreed_on=date(2016, 3, 1))
    with sessions() as s:
        rec = store_case_records(s)
    assert rec.contacts.to_pylist()[0]["kind"] == "telefon"
    assert rec.action_plans.to_pylist() == [{"person_id": "P1", "agreed_on": date(2016, 3, 1),
                                             "review_on": date(2016, 9, 1), "reviewed_on": None, "ended_on": None}]
    engine.dispose()
