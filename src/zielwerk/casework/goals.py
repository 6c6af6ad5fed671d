"""The goals of the target agreement that the work lists serve (docs/domain.md §§ 1, 4).

Each list names one of these goals, so that case managers see why a person is on a list and
management can relate a list's outcome to the goal (the "loop" of issue 6). A goal only names the
codes of its indicators; everything about an indicator (name, unit, …) is read from its record in
:data:`zielwerk.indicators.INDICATORS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from zielwerk.domain.calendar import Month
from zielwerk.indicators.definitions import INDICATORS, UNIT_PERCENT


@dataclass(frozen=True)
class Goal:
    key: str
    #: German title shown to users
    title: str
    #: codes of the engine's indicators that show the goal's current status
    indicators: tuple[str, ...] = ()
    #: engine codes of the target-agreement indicators (``zielwerk.targets`` catalogue) whose targets
    #: serve this goal: the work-list page shows their monitoring status
    agreement_indicators: tuple[str, ...] = ()
    #: what the goal is measured by where no indicator measures it (German)
    measured_without_indicator: str = ""

    @property
    def measured_by(self) -> str:
        """The indicators (code and name from their records) or local figures the goal is measured by."""
        codes = self.agreement_indicators or self.indicators
        if not codes:
            return self.measured_without_indicator
        return ", ".join(f"{c} {INDICATORS[c].name}" for c in codes)


GOALS: dict[str, Goal] = {
    g.key: g
    for g in (
        Goal(
            "lzb",
            "Langzeitleistungsbezug verringern und neuen Langzeitbezug vermeiden",
            ("K3", "K3E3"),
            ("K3", "K3E3", "K3E4", "K3_JD", "LZB_JD"),
        ),
        Goal(
            "lzb_activation",
            "Langzeitleistungsbeziehende intensiv betreuen, aktivieren und integrieren",
            ("K3E2", "K3E1"),
            ("K3E2", "K3E1"),
        ),
        Goal(
            "parents",
            "Eltern ab dem zweiten Jahr der Erziehungszeit beraten; junge Eltern zu einem Berufsabschluss führen",
            ("K2", "K2E4"),
            ("ELTERN_2J", "K2E4", "K2"),
        ),
        Goal(
            "childcare",
            "Kinderbetreuung in Randzeiten sichern (§ 16a SGB II, Kreis und Träger der Jugendhilfe)",
            (),
            ("RANDZEIT",),
        ),
        Goal(
            "u25",
            "Junge Menschen unter 25 in Ausbildung: mindestens so viele Integrationen in Ausbildung wie im Vorjahr",
            ("L_U25_AUSB",),
            ("L_U25_AUSB",),
        ),
        Goal(
            "casework",
            "Kooperationsplan spätestens alle 6 Monate überprüfen (§ 15 SGB II); Betreuungsschlüssel 1:75 / 1:150",
            measured_without_indicator="Fallsteuerung: fristgerechte Überprüfungen, Betreuungsschlüssel",
        ),
    )
}


def goal_status(ds, stichtag, goal_key: str) -> list[dict]:
    """The current status of a goal: its indicators from the engine for the Stichtag's month,
    all units of the dataset together (``unit_type`` total, all sexes). One dict per indicator with
    ``indicator``, ``name``, ``month``, ``numerator``, ``denominator``, ``value``, ``provisional``."""
    goal = GOALS[goal_key]
    if not goal.indicators:
        return []

    from zielwerk.domain.calendar import stichtag as stichtag_of
    from zielwerk.indicators import compute_kennzahlen

    m = Month.of(stichtag)
    if stichtag < stichtag_of(m, ds.stichtag_day):
        m = m - 1  # the Stichtag of this month is not reached yet
    k = compute_kennzahlen(ds, m, m, level="jobcenter", indicators=list(goal.indicators))
    return status_from_table(k, goal_key, str(m))


def status_from_table(kennzahlen, goal_key: str, month: str) -> list[dict]:
    """The goal's indicators for the total unit (all sexes) from a long-format indicator table
    (the engine's output or the web app's stored results): the latest month on or before ``month``.
    ``unit``: the record's display unit (%, Personen, €)."""
    import pyarrow.compute as pc

    codes = GOALS[goal_key].indicators
    if kennzahlen is None or not codes:
        return []
    k = kennzahlen.filter(pc.and_(pc.and_(pc.equal(kennzahlen["unit_type"], "total"),
                                          pc.equal(kennzahlen["sex"], "all")),
                                  pc.and_(pc.is_in(kennzahlen["indicator"], pa_strings(codes)),
                                          pc.less_equal(kennzahlen["month"], month))))
    latest: dict[str, dict] = {}
    for r in k.to_pylist():
        if r["indicator"] not in latest or r["month"] > latest[r["indicator"]]["month"]:
            latest[r["indicator"]] = r
    out = []
    for code in codes:
        if code not in latest or code not in INDICATORS:
            continue
        r, ind = latest[code], INDICATORS[code]
        out.append({**{c: r[c] for c in ("indicator", "month", "numerator", "denominator", "value", "provisional")},
                    "name": ind.name_for(Month.parse(r["month"])), "unit": ind.unit})
    return out


def pa_strings(values):
    import pyarrow as pa

    return pa.array(list(values), pa.string())


def status_text(row: dict) -> str:
    """German one-liner: ``K3 Veränderung …: −2,1 % (Juni 2016, vorläufig)``."""
    from .export import german_month, german_number

    if row["unit"] != UNIT_PERCENT or row["value"] is None:
        val = german_number(int(row["numerator"])) if row["numerator"] is not None else "–"
    else:
        val = german_number(row["value"]) + " " + UNIT_PERCENT
    tail = german_month(row["month"]) + (", vorläufig" if row["provisional"] else "")
    return f"{row['indicator']} {row['name']}: {val} ({tail})"
