"""The readable version diff (targets/diff.py): expected sentences written out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from zielwerk.domain import german
from zielwerk.targets.diff import carriers_text, readable_diff
from zielwerk.targets.model import Agreement, Goal, Link, Signatory, Target


def _agreement() -> Agreement:
    k2 = Target("k2", "K2", "veraenderung_vorjahresmonat", "all", change_pct=2.0)
    k2f = Target("k2-frauen", "K2", "veraenderung_vorjahresmonat", "f", change_pct=3.0)
    k3e1 = Target("k3e1", "K3E1", "veraenderung_vorjahresmonat", change_points=0.5)
    lzb = Target("lzb-jd", "LZB_JD", "absolut", value=6500.0)
    return Agreement(
        2016, "05970", "Jobcenter X", (("kreis", "Kreis X"), ("agentur", "Agentur X"), ("jobcenter", "GF X")),
        (Goal("integration", "Integration verbessern", ("agentur",), "integration", "", (k2, k2f, k3e1)),
         Goal("lzb", "Weniger Langzeitbezug", ("kreis", "agentur"), "langzeitbezug", "", (lzb,))),
        (Link("lzb", "integration", "weil"),),
        (Signatory("A", "Landrätin", "kreis", date(2016, 3, 14)),))


def test_changed_target_figure_with_unit_and_sign():
    a = _agreement()
    g = a.goals[0]
    b = replace(a, goals=(replace(g, targets=(g.targets[0], replace(g.targets[1], change_pct=2.5), g.targets[2])),
                          a.goals[1]))
    assert readable_diff(a, b) == ["Zielwert K2 Frauen: +3,0 % → +2,5 %"]


def test_points_level_and_count_units():
    a = _agreement()
    g0, g1 = a.goals
    b = replace(a, goals=(replace(g0, targets=(g0.targets[0], g0.targets[1],
                                               replace(g0.targets[2], change_points=-0.3))),
                          replace(g1, targets=(replace(g1.targets[0], value=6234.0),))))
    assert readable_diff(a, b) == ["Zielwert K3E1: +0,5 Pp. → −0,3 Pp.",
                                   "Zielwert LZB_JD: 6.500 Personen → 6.234 Personen"]


def test_goal_added_removed_carriers_and_links():
    a = _agreement()
    new_goal = Goal("eltern", "Eltern im 2. Jahr", ("kreis",), None, "",
                    (Target("k2-m", "K2", "korridor", "m", lower=20.0, upper=24.5),))
    b = replace(a, goals=(replace(a.goals[0], owners=("kreis", "agentur")), new_goal),
                links=(Link("eltern", "integration", "Betreuung"),),
                signatories=(), status="unterzeichnet", version=2)
    assert readable_diff(a, b) == [
        "Ziel entfernt: „Weniger Langzeitbezug“",
        "Träger von „Integration verbessern“: Agentur für Arbeit → gemeinsam (Kreis und Agentur für Arbeit)",
        ("Ziel hinzugefügt: „Eltern im 2. Jahr“ (Träger: Kreis; Zielwerte: K2 Männer Zielkorridor "
        "Untergrenze 20,0 %, Obergrenze 24,5 %)"),
        "Verknüpfung entfernt: „Weniger Langzeitbezug“ unterstützt „Integration verbessern“",
        "Verknüpfung hinzugefügt: „Eltern im 2. Jahr“ unterstützt „Integration verbessern“ (Betreuung)",
    ]


def test_signatures_status_and_version_are_not_content():
    a = _agreement()
    b = replace(a, signatories=(), status="abgeloest", version=5)
    assert readable_diff(a, b) == []


def test_change_rate_level_carries_sign_and_form_change_shows_both():
    a = _agreement()
    k1 = Target("k1", "K1", "absolut", value=-2.0, better="niedriger")
    a = replace(a, goals=a.goals + (Goal("k1", "Kosten", ("kreis",), None, "", (k1,)),))
    b = replace(a, goals=a.goals[:2] + (replace(a.goals[2], targets=(replace(k1, value=1.5, tolerance=0.5),)),))
    assert readable_diff(a, b) == ["Zielwert K1: −2,0 % → +1,5 %", "Zielwert K1, Toleranz: – → 0,5 Pp."]
    c = replace(a, goals=a.goals[:2] + (replace(a.goals[2], targets=(
        Target("k1", "K1", "veraenderung_vorjahresmonat", change_pct=-1.0, better="niedriger"),)),))
    assert readable_diff(a, c) == [
        "Zielwert K1: absoluter Zielwert −2,0 % → Veränderung gegenüber dem Vorjahreswert (Berichtsmonat) −1,0 %"]


def test_carriers_text():
    assert carriers_text(("agentur", "kreis")) == "gemeinsam (Kreis und Agentur für Arbeit)"
    assert carriers_text(("kreis",)) == "Kreis"


def test_german_units():
    assert german.points(-0.34) == "−0,3 Pp."
    assert german.points(2.0) == "+2,0 Pp."
    assert german.euro(1234567.4) == "1.234.567 €"
    assert german.persons(1234) == "1.234 Personen"
    assert german.with_unit(0.44, "%", change_rate=True) == "+0,4 %"
    assert german.with_unit(25.26, "%") == "25,3 %"
    assert german.difference(-2.6, "%") == "−2,6 Pp."
    assert german.difference(-233, "Personen") == "−233 Personen"
    assert german.with_unit(None, "%") == "–"
