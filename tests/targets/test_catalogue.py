"""The targets catalogue is a view of the indicator records; expected facts from the specification texts
(data-contract.md: K1 and K1E1 only for sex "all"; docs/zielvereinbarung.md: sources and seasonal methods)."""

from __future__ import annotations

from zielwerk.targets.catalogue import COUNT, PERCENT, get, target_indicators

#: issue 15: the Kreis's § 16a services (all, and by kind)
L16A = {"L16A", "L16A_KB", "L16A_SB", "L16A_PSB", "L16A_SUCHT"}
OFFICIAL = ["K1", "K1E1", "K1E2", "K1E3", "K1E4", "K2", "K2E1", "K2E2", "K2E3", "K2E4", "K3", "K3E1", "K3E2",
            "K3E3", "K3E4"]


def test_every_code_an_agreement_may_use():
    assert set(target_indicators()) == {*OFFICIAL, "LZB_JD", "K3_JD", "U25_AUSB", "ELTERN_2J", "RANDZEIT",
                                          "JUNGE_ELTERN_QUALI", "HEMMNIS_BEARB", *L16A}


def test_sources_as_in_the_measurement_table():
    by_source: dict[str, set[str]] = {}
    for code, spec in target_indicators().items():
        by_source.setdefault(spec.source, set()).add(code)
    assert by_source["jfw"] == {"K2", "K2E4", "K3E1", "LZB_JD", "K3_JD"}
    assert by_source["lokal"] == {"ELTERN_2J", "RANDZEIT", "JUNGE_ELTERN_QUALI", "HEMMNIS_BEARB", *L16A}
    assert by_source["monat"] == set(OFFICIAL) - {"K2", "K2E4", "K3E1"} | {"U25_AUSB"}
    assert get("U25_AUSB").engine_code == "L_U25_AUSB"


def test_sex_unit_and_annual_average():
    # payments of the BG (K1, K1E1) and childcare needs have no sex; every other indicator has
    assert {c for c, s in target_indicators().items() if not s.by_sex} == {"K1", "K1E1", "RANDZEIT"}
    assert {c for c, s in target_indicators().items() if s.unit == COUNT} == {
        "LZB_JD", "U25_AUSB", "ELTERN_2J", "RANDZEIT", "JUNGE_ELTERN_QUALI", *L16A}
    assert all(get(c).unit == PERCENT for c in [*OFFICIAL, "K3_JD", "HEMMNIS_BEARB"])
    # only the LZB annual average allows "change of the annual average"
    assert [c for c, s in target_indicators().items() if s.annual_average] == ["LZB_JD"]


def test_seasonal_method():
    # multiplicative for counts and year-to-date quotas (they grow through the year), additive for rolling
    # and point-in-time quotas and change rates
    mult = {c for c, s in target_indicators().items() if s.seasonal == "mult"}
    assert mult == {"K2", "K2E4", "K3E1", "LZB_JD", "U25_AUSB", "ELTERN_2J", "RANDZEIT", "JUNGE_ELTERN_QUALI",
                    *L16A}
    # the obstacle share is a point-in-time quota: additive
    assert get("HEMMNIS_BEARB").seasonal == "add"
    assert get("K2").name.endswith("(Jahresfortschrittswert)")
