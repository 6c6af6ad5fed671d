"""The goals of the target agreement that the work lists serve (docs/domain.md §§ 1, 4).

Each list names one of these goals, so that case managers see why a person is on a list and
management can relate a list's outcome to the goal (the "loop" of issue 6).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    key: str
    #: German title shown to users
    title: str
    #: the indicator or local target it is measured by (German)
    measured_by: str


GOALS: dict[str, Goal] = {
    g.key: g
    for g in (
        Goal(
            "lzb",
            "Langzeitleistungsbezug verringern und neuen Langzeitbezug vermeiden",
            "K3 Bestand an Langzeitleistungsbeziehenden (Jahresdurchschnitt), K3E3 Zugangsrate LZB",
        ),
        Goal(
            "lzb_activation",
            "Langzeitleistungsbeziehende intensiv betreuen, aktivieren und integrieren",
            "K3E2 Aktivierungsquote der LZB, K3E1 Integrationsquote der LZB",
        ),
        Goal(
            "parents",
            "Eltern ab dem zweiten Jahr der Erziehungszeit beraten; junge Eltern zu einem Berufsabschluss führen",
            "K2 Integrationsquote, K2E4 Integrationsquote der Alleinerziehenden",
        ),
        Goal(
            "childcare",
            "Kinderbetreuung in Randzeiten sichern (§ 16a SGB II, Kreis und Träger der Jugendhilfe)",
            "örtliches Ziel: gedeckte Betreuungsbedarfe in Randzeiten",
        ),
        Goal(
            "u25",
            "Junge Menschen unter 25 in Ausbildung: mindestens so viele Integrationen in Ausbildung wie im Vorjahr",
            "örtliches Ziel: Integrationen U25 in Ausbildung (kumuliert, Vorjahresvergleich)",
        ),
        Goal(
            "casework",
            "Kooperationsplan spätestens alle 6 Monate überprüfen (§ 15 SGB II); Betreuungsschlüssel 1:75 / 1:150",
            "Fallsteuerung: fristgerechte Überprüfungen, Betreuungsschlüssel",
        ),
    )
}
