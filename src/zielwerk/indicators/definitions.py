"""The § 48a SGB II indicators as data: building blocks and ratios, each with its legal source.

Nothing here executes anything (no DuckDB import): the web app shows the catalogue
:data:`INDICATORS`, and the executor (:mod:`zielwerk.indicators.engine`) compiles the definitions
to SQL. The same definitions could be compiled to Spark SQL (docs/kennzahlen.md).

Vocabulary
----------
*Block*: a per-month count (or sum) per reporting unit and sex, e.g. the eLb stock at S_t or the
integrations counted in month t. Blocks are either built in (the engine knows how to compute
them, :data:`BLOCKS` documents them) or *event blocks* (:class:`EventBlock`): filters over the
employment starts counted by the BA operationalisation (C6), which is how a local indicator is
added declaratively.

*Term*: a block aggregated over a window of months relative to the reporting month t (offsets
``(a, b)`` mean months t+a .. t+b), as a sum or an average.

*Indicator*: numerator term / denominator term, shown as percent, change rate or count.

*Year-to-date rule* (:class:`YearToDate`): the Jahresfortschrittswert of an indicator, terms over
the months January..m of the year; :mod:`zielwerk.indicators.ytd` computes it from these terms.

One record per indicator
------------------------
:class:`Indicator` carries every fact the other packages need: whether it exists by sex, which
direction is better, the year-to-date rule, what numerator and denominator measure (persons or
money), the display unit (%, percentage points for differences, €, persons), the warm-up months and
whether it is official or local. Whatever follows from the terms is derived from them (by sex, money,
unit, warm-up); only what no term can say (direction, the year-to-date rule) is declared. Targets,
web, reports, casework and the small-number suppression read these records and keep no lists of
their own. Local indicators (the engine's ``L_U25_AUSB``, the year-to-date ``LZB_JD``/``K3_JD`` and
the two counts computed in :mod:`zielwerk.targets.local`) are records of the same catalogue.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from zielwerk.domain import law
from zielwerk.domain.calendar import Month
from zielwerk.domain.law import (
    FKV_2011,
    LZB_MIN_DAYS,
    LZB_WINDOW_DAYS,
    MERGE_GAP_DAYS,
    U25_AGE_LIMIT,
)

# Window sentinel for the denominator of rolling quotas: the BA practice S_{t-12}..S_{t-1}, or,
# with ``literal_window=True``, the regulation's literal reading S_{t-11}..S_t (C7).
ROLLING_STOCK = "rolling_stock"

FKV = "§ 48a SGB II i. V. m. SGB2§48aFKV"

# --- the vocabulary of the facts ----------------------------------------------------------------
#: which direction of the value is an improvement (None: no natural direction, monitoring only)
HIGHER, LOWER = "higher", "lower"
#: what a block counts: persons at a Stichtag (stock), persons with an event in a month (flow), or a
#: money amount of the month (payments of the BG: no sex)
STOCK, FLOW, MONEY = "stock", "flow", "money"
#: what numerator and denominator measure (C10 suppresses groups of persons, never money)
PERSONS, NEEDS = "persons", "needs"
#: display units of a value; differences of percentages are percentage points
UNIT_PERCENT, UNIT_POINTS, UNIT_EURO, UNIT_PERSONS, UNIT_NEEDS = "%", "Prozentpunkte", "€", "Personen", "Bedarfe"
_MEASURE_UNITS = {PERSONS: UNIT_PERSONS, MONEY: UNIT_EURO, NEEDS: UNIT_NEEDS}
#: value kinds: percent = num/den·100, change = (num/den − 1)·100, count = the numerator itself,
#: ratio = num/den (an average, e.g. the sum of 3 stocks over 3 months)
PERCENT, CHANGE, COUNT, RATIO = "percent", "change", "count", "ratio"
#: pseudo block of year-to-date rules: 1 per month, its sum over a window is the number of months
MONTHS = "months"


@dataclass(frozen=True)
class Block:
    """A built-in building block (documentation of what the engine computes)."""

    code: str
    name: str
    description: str
    source: str
    convention: str
    #: STOCK (persons at S_t), FLOW (persons with an event in (S_{t−1}, S_t]) or MONEY
    kind: str = STOCK
    #: the block needs the LZB status (C3), i.e. the 730 days before the Stichtag
    uses_lzb: bool = False
    #: months of integrations before t the block reads besides month t (K2E3: L + base − 1)
    reach: int = 0


@dataclass(frozen=True)
class EventBlock:
    """A count of persons with an employment start counted in month t by the BA rule (C6).

    ``event_class`` is one of ``integration``, ``marginal``, ``public_funded`` (classified by the
    regulation in force for the counting month, :func:`zielwerk.domain.law.is_integration` etc.).
    Optional filters: ``kinds`` (employment kinds of the start), ``person`` (``lzb`` = LZB at
    S_{t-1}; ``single_parent`` = head of a single-parent BG at S_{t-1}), ``max_age`` (age in
    completed years at the start below this). At most one per person and month.
    """

    code: str
    name: str
    event_class: str
    source: str
    kinds: frozenset[str] | None = None
    person: str | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class Term:
    """``agg`` ("sum"|"avg") of ``block`` over months t+window[0] .. t+window[1]."""

    block: str
    window: tuple[int, int] | str = (0, 0)
    agg: str = "sum"


@dataclass(frozen=True)
class YtdTerm:
    """``agg`` ("sum"|"avg") of ``block`` over the months January+window[0] .. m+window[1] of the
    year-to-date range January..m. ``ROLLING_STOCK``: the stocks of the m preceding months
    S_{Dec}..S_{m−1} (BA practice), with ``literal_window`` S_Jan..S_m (C7). ``block`` may be
    :data:`MONTHS` (1 per month)."""

    block: str
    window: tuple[int, int] | str = (0, 0)
    agg: str = "sum"


@dataclass(frozen=True)
class YearToDate:
    """The year-to-date value (Jahresfortschrittswert) of an indicator for month m of a year."""

    numerator: YtdTerm
    denominator: YtdTerm | None
    #: PERCENT, CHANGE, RATIO or COUNT (see :data:`PERCENT`)
    value: str
    #: German description shown to users
    text: str

    @property
    def terms(self) -> tuple[YtdTerm, ...]:
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    @property
    def grows(self) -> bool:
        """The numerator is a sum of events since January (starts at zero, grows through the year)."""
        return self.numerator.agg == "sum" and block_kind(self.numerator.block) == FLOW

    @property
    def annual_average(self) -> bool:
        """The value is the average of a stock over January..m (an annual average in December)."""
        d = self.denominator
        return (self.value == RATIO and d is not None and d.block == MONTHS and d.agg == "sum"
                and self.numerator.agg == "sum" and self.numerator.window == d.window
                and block_kind(self.numerator.block) == STOCK)


@dataclass(frozen=True)
class Indicator:
    """One indicator: numerator/denominator, presentation, legal source, validity and every fact
    the other packages need (see the module docstring). An indicator without monthly terms
    (``numerator`` None) exists only as a year-to-date value (``ytd``) or is computed outside the
    engine (``computed_by``)."""

    code: str
    name: str
    numerator: Term | None
    denominator: Term | None
    #: PERCENT = num/den·100; CHANGE = (num/den − 1)·100; COUNT = the numerator itself; RATIO = num/den.
    value: str
    numerator_text: str
    denominator_text: str
    time_logic: str
    source: str
    valid_from: Month = FKV_2011.first_month
    valid_to: Month | None = None
    official: bool = True
    #: month-dependent names (K2E3): (regulation key, name)
    names_by_regulation: tuple[tuple[str, str], ...] = field(default=())
    #: which direction of the value is an improvement: HIGHER, LOWER or None (no natural direction)
    better: str | None = None
    #: the year-to-date rule (Jahresfortschrittswert), where the indicator has one
    ytd: YearToDate | None = None
    #: the code an agreement uses for the indicator, where it differs from ``code``
    agreement_code: str | None = None
    #: "engine" (this package) or the module that computes an indicator without terms
    computed_by: str = "engine"
    #: only for indicators without terms (computed elsewhere): what they count and whether by sex;
    #: for all others both follow from the blocks
    declared_measure: str = PERSONS
    declared_by_sex: bool = True

    def name_for(self, month: Month) -> str:
        """The German name in force for ``month``."""
        from zielwerk.domain.law import regulation_for

        reg = regulation_for(month)
        for key, name in self.names_by_regulation:
            if key == reg.key:
                return name
        return self.name

    # --- facts derived from the terms ------------------------------------------------------------
    @property
    def terms(self) -> tuple[Term, ...]:
        """The monthly terms (numerator, denominator)."""
        return tuple(t for t in (self.numerator, self.denominator) if t is not None)

    @property
    def blocks(self) -> tuple[str, ...]:
        """Every block the indicator reads, monthly and year-to-date."""
        ytd = self.ytd.terms if self.ytd is not None else ()
        return tuple(dict.fromkeys(t.block for t in (*self.terms, *ytd) if t.block != MONTHS))

    @property
    def monthly(self) -> bool:
        """The engine computes a value per reporting month (:func:`compute_kennzahlen`)."""
        return self.numerator is not None and self.computed_by == "engine"

    @property
    def measure(self) -> str:
        """What numerator and denominator measure: MONEY (payments) or PERSONS (or NEEDS)."""
        if not self.blocks:
            return self.declared_measure
        return MONEY if any(block_kind(b) == MONEY for b in self.blocks) else PERSONS

    @property
    def by_sex(self) -> bool:
        """Money amounts are payments of the BG and have no sex (K1, K1E1)."""
        if not self.blocks:
            return self.declared_by_sex
        return self.measure != MONEY

    @property
    def shown_value(self) -> str:
        """The value kind users see: the monthly one, else the year-to-date one."""
        return self.value if self.numerator is not None or self.ytd is None else self.ytd.value

    @property
    def kind(self) -> str:
        """"rate" (a percentage or change rate), "money" (an amount) or "count" (persons or needs)."""
        if self.shown_value in (PERCENT, CHANGE):
            return "rate"
        return "money" if self.measure == MONEY else "count"

    @property
    def unit(self) -> str:
        """Display unit of the value: %, € or persons (needs)."""
        return UNIT_PERCENT if self.kind == "rate" else _MEASURE_UNITS[self.measure]

    @property
    def difference_unit(self) -> str:
        """Unit of a difference of two values: percentage points for rates, else the unit itself."""
        return UNIT_POINTS if self.unit == UNIT_PERCENT else self.unit

    @property
    def warmup_months(self) -> int:
        """Months after the first month of the data before the monthly value is meaningful: per term,
        the block's own warm-up plus how far the window reads back (either reading of C7)."""
        return max((block_warmup(t.block) - min(resolve_window(t, lit)[0] for lit in (False, True))
                    for t in self.terms), default=0)

    @property
    def ytd_warmup_months(self) -> int:
        """Months after the first month of the data that January must lie for the year-to-date value
        to be meaningful (January..m reads back to January + the earliest window start)."""
        if self.ytd is None:
            return 0
        return max(0, max(block_warmup(t.block) - min(resolve_ytd_window(t, lit)[0] for lit in (False, True))
                          for t in self.ytd.terms))


def _months_spanning(days: int) -> int:
    """The least k such that any k consecutive calendar months (first day to first day) span at
    least ``days`` days."""
    def span(m: int, k: int) -> int:
        return (date(2000 + (m + k) // 12, (m + k) % 12 + 1, 1) - date(2000 + m // 12, m % 12 + 1, 1)).days

    k = 0
    while min(span(m, k) for m in range(48)) < days:  # 48 months: every month of a leap-year cycle
        k += 1
    return k


#: Months of data before a Stichtag that the LZB status reads (C3): its window of
#: ``lzb_window_days`` days ending at S_t lies in the data once S_t is this many months after the
#: first month of the data (730 days → 24 months).
LZB_HISTORY_MONTHS = _months_spanning(max(r.lzb_window_days for r in law.REGULATIONS) - 1)
#: K2E3 reads the integrations of the months t − L − base + 1 .. t − L (C8), the largest reach of
#: any version of the regulation.
_K2E3_REACH = max(r.k2e3_lag_months + r.k2e3_base_months - 1 for r in law.REGULATIONS)
#: Months of a rolling window ("in den vergangenen zwölf Monaten", ``Regulation.rolling_months``): the
#: catalogue has one window per indicator, so the versions must agree (an error at import otherwise).
_R = law.common_value(law.REGULATIONS, "rolling_months")
#: the months of a rolling window ending at t, as users read it
_LAST_R = f"t−{_R - 1} bis t"


def _label(reg: law.Regulation) -> str:
    return reg.key.replace("FKV", "FKV ")


def _by_version(text) -> str:
    """``text(reg)`` for each version of the regulation, e.g. "FKV 2011: …; FKV 2019: …"."""
    return "; ".join(f"{_label(r)}: {text(r)}" for r in law.REGULATIONS)


#: German words for the contract's codes in generated texts (data-contract.md)
_CODE_TEXT = {"svb": "svB", "training": "Ausbildung", "self_employed": "Selbständigkeit", "marginal": "geringfügig",
              "public_funded": "öffentlich gefördert", "activation": "Aktivierung (§ 16 mit § 45 SGB III)",
              "vocational_further_training": "berufliche Weiterbildung (§ 16 mit § 81 SGB III)",
              "placement_budget": "Vermittlungsbudget", "other_active": "sonstige nach § 16", "agh": "§ 16d",
              "fav": "§ 16e a. F.", "16e_new": "§ 16e n. F.", "16f": "§ 16f", "16h": "§ 16h", "16i": "§ 16i",
              "egz": "EGZ", "esg": "§ 16b"}


def _kinds_text(kinds: frozenset[str]) -> str:
    return ", ".join(_CODE_TEXT.get(k, k) for k in sorted(kinds))


def _k2e3_base_text(r: law.Regulation) -> str:
    """C8: the base of K2E3 under ``r`` (§ 5 Abs. 2 Nr. 3), generated from its parameters."""
    return (f"Integrationen ({_kinds_text(r.k2e3_base_kinds)}) der {r.k2e3_base_months} Monate bis "
            f"t−{r.k2e3_lag_months}")


def _k2e3_check_text(r: law.Regulation) -> str:
    """C8: the check of K2E3 under ``r``."""
    when = (f"am Stichtag {r.k2e3_lag_months} Monate nach dem Integrationsmonat" if r.k2e3_rule == "at_lag"
            else f"an jedem der {r.k2e3_lag_months} folgenden Stichtage")
    return f"{when} ({_kinds_text(r.k2e3_check_kinds)})"


def _names(code: str) -> tuple[tuple[str, str], ...]:
    """The names of ``code`` by version, as the versions of the regulation word them."""
    return tuple((r.key, dict(r.indicator_names)[code]) for r in law.REGULATIONS if code in dict(r.indicator_names))


def _name(code: str) -> str:
    """The name in the version in force today."""
    return dict(law.CURRENT.indicator_names)[code]

BLOCKS: dict[str, Block] = {
    b.code: b
    for b in (
        Block("elb", "eLb-Bestand", "Personen mit eLb-Zeitraum am Stichtag S_t; einmal gezählt, in der Einheit des "
              "zuletzt begonnenen Zeitraums (bei gleichem Beginn größere BG-Nummer).", "§ 7 SGB II; § 48a SGB II", "C1, C2"),
        Block("lzb", "LZB-Bestand", f"eLb am S_t mit mindestens {LZB_MIN_DAYS} eLb-Tagen (über alle BG, Orte, "
              f"Jobcenter; ohne nEf) im Fenster der {LZB_WINDOW_DAYS} Tage bis S_t.", "§ 6 Abs. 1 SGB2§48aFKV; "
              "BA-Statistik (tagesgenau)", "C3", uses_lzb=True),
        Block("ae", "Bestand Alleinerziehende", "eLb am S_t, die Kopf einer BG vom Typ alleinerziehend sind.",
              "§ 48a SGB II i. V. m. SGB2§48aFKV (K2E4)", "C2, C6"),
        Block("lzb_active", "LZB in aktiver Maßnahme", "LZB am S_t mit einer am S_t laufenden Maßnahme der aktiven "
              "Arbeitsförderung nach der Fassung für t (" + _by_version(lambda r: _kinds_text(r.active_instruments))
              + ").", "§ 6 Abs. 2 Nr. 2, § 2 Abs. 2 Nr. 1 SGB2§48aFKV (K3E2)", "C3, C12", uses_lzb=True),
        Block("elb_in", "eLb-Zugänge", f"Beginn eines zusammengeführten eLb-Zeitraums je Person und Berichtseinheit "
              f"(Lücken bis {MERGE_GAP_DAYS} Tage überbrückt) im Fenster (S_t-1, S_t].", FKV + " (K1E3)", "C4", FLOW),
        Block("elb_out", "eLb-Abgänge", "Tag nach dem Ende eines zusammengeführten eLb-Zeitraums im Fenster "
              "(S_t-1, S_t].", FKV + " (K1E4)", "C4", FLOW),
        Block("lzb_in", "LZB-Zugänge", "LZB am S_t und nicht LZB am S_t-1 (irgendwo); gezählt am Ort zu S_t.",
              FKV + " (K3E3)", "C5", FLOW, uses_lzb=True),
        Block("lzb_out", "LZB-Abgänge", "LZB am S_t-1 und nicht LZB am S_t (irgendwo); gezählt am Ort zu S_t-1.",
              FKV + " (K3E4)", "C5", FLOW, uses_lzb=True),
        Block("k2e3_num", "Nachhaltige/kontinuierliche svB-Integrationen", "Integrationen der Basis, die "
              "sozialversicherungspflichtig beschäftigt sind (Fassung nach t; "
              + _by_version(lambda r: f"{_k2e3_base_text(r)}, beschäftigt {_k2e3_check_text(r)}") + ").",
              "§ 5 Abs. 2 Nr. 3 SGB2§48aFKV (K2E3)", "C8", FLOW, reach=_K2E3_REACH),
        Block("k2e3_den", "svB-Integrationen (Basis K2E3)", "Aufnahmen einer sozialversicherungspflichtigen "
              "Beschäftigung (Fassung nach t; " + _by_version(_k2e3_base_text) + ").",
              "§ 5 Abs. 2 Nr. 3 SGB2§48aFKV (K2E3)", "C8", FLOW, reach=_K2E3_REACH),
        Block("llu", "Leistungen zum Lebensunterhalt", "Summe der Ansprüche nach §§ 20, 21, 23, 24 Abs. 1 SGB II im "
              "Monat (vor Sanktionen).", "§ 48a SGB II i. V. m. SGB2§48aFKV (K1)", "—", MONEY),
        Block("luh", "Leistungen für Unterkunft und Heizung", "Summe der Ansprüche nach § 22 Abs. 1, 2, 6, 8 SGB II "
              "im Monat.", "§ 48a SGB II i. V. m. SGB2§48aFKV (K1E1)", "—", MONEY),
    )
}

#: Employment starts counted by the BA operationalisation (C6); local ones may be added here.
EVENT_BLOCKS: dict[str, EventBlock] = {
    e.code: e
    for e in (
        EventBlock("integ", "Integrationen", "integration", FKV + " (K2)"),
        EventBlock("integ_lzb", "Integrationen von LZB", "integration", FKV + " (K3E1)", person="lzb"),
        EventBlock("integ_ae", "Integrationen von Alleinerziehenden", "integration", FKV + " (K2E4)",
                   person="single_parent"),
        EventBlock("marg", "Eintritte in geringfügige Beschäftigung", "marginal", FKV + " (K2E1)"),
        EventBlock("pub", "Eintritte in öffentlich geförderte Beschäftigung", "public_funded", FKV + " (K2E2)"),
        # Local block (not § 48a): the Siegen-Wittgenstein goal "U25 in Ausbildung" (§ 3 Abs. 2 SGB II).
        EventBlock("integ_u25_training", "Integrationen U25 in Ausbildung", "integration",
                   "§ 3 Abs. 2 SGB II (lokales Ziel)", kinds=frozenset({"training"}), max_age=U25_AGE_LIMIT),
    )
}

_ROLL = (-(_R - 1), 0)


def _change(code: str, name: str, block: str, what: str, source: str, better: str | None) -> Indicator:
    return Indicator(code, name, Term(block), Term(block, (-12, -12)), CHANGE, f"{what} im Monat t",
                     f"{what} im Monat t−12", "Veränderungsrate gegenüber dem Vorjahresmonat", source, better=better)


def _ytd_quota(events: str, stock: str) -> YearToDate:
    """Year-to-date value of a rolling quota: the events of January..m over the average stock of the
    m preceding Stichtage S_{Dec}..S_{m−1} (BA practice; literal reading S_Jan..S_m, C7)."""
    what = EVENT_BLOCKS[events].name if events in EVENT_BLOCKS else BLOCKS[events].name
    return YearToDate(YtdTerm(events), YtdTerm(stock, ROLLING_STOCK, "avg"), PERCENT,
                      f"{what} der Monate Januar bis Berichtsmonat über den durchschnittlichen Bestand "
                      f"({BLOCKS[stock].name}) an den Stichtagen der jeweiligen Vormonate (Dezember des Vorjahres "
                      "bis Vormonat)")


def _quota(code: str, name: str, events: str, stock: str, num_text: str, den_text: str, better: str | None,
           ytd: bool = False) -> Indicator:
    return Indicator(code, name, Term(events, _ROLL), Term(stock, ROLLING_STOCK, "avg"), PERCENT, num_text,
                     den_text, f"gleitende {_R}-Monats-Summe über den durchschnittlichen Bestand der Vormonate (C7)",
                     FKV + f" ({code})", better=better, ytd=_ytd_quota(events, stock) if ytd else None)


def _rate(code: str, name: str, events: str, stock: str, prev: bool, num_text: str, den_text: str,
          better: str | None) -> Indicator:
    return Indicator(code, name, Term(events, _ROLL), Term(stock, (-_R, -1) if prev else _ROLL), PERCENT,
                     num_text, den_text, f"{_R}-Monats-Durchschnitt, bestandsgewichtet (C7)", FKV + f" ({code})",
                     better=better)


_OFFICIAL: tuple[Indicator, ...] = (
    _change("K1", "Veränderung der Summe der Leistungen zum Lebensunterhalt (ohne Leistungen für Unterkunft und "
            "Heizung)", "llu",
            "Summe der Leistungen zum Lebensunterhalt", FKV + " (K1)", LOWER),
    _change("K1E1", "Veränderung der Summe der Leistungen für Unterkunft und Heizung", "luh",
            "Summe der Leistungen für Unterkunft und Heizung", FKV + " (K1E1)", LOWER),
    _change("K1E2", "Veränderung der Zahl der erwerbsfähigen Leistungsberechtigten", "elb",
            "eLb-Bestand am Stichtag", FKV + " (K1E2)", LOWER),
    _rate("K1E3", "Durchschnittliche Zugangsrate der erwerbsfähigen Leistungsberechtigten", "elb_in", "elb", False,
          f"eLb-Zugänge der Monate {_LAST_R}", "eLb-Bestand an den Stichtagen derselben Monate", LOWER),
    _rate("K1E4", "Durchschnittliche Abgangsrate der erwerbsfähigen Leistungsberechtigten", "elb_out", "elb", True,
          f"eLb-Abgänge der Monate {_LAST_R}", "eLb-Bestand an den Stichtagen der jeweiligen Vormonate", HIGHER),
    _quota("K2", "Integrationsquote", "integ", "elb", f"Integrationen der Monate {_LAST_R}",
           "durchschnittlicher eLb-Bestand", HIGHER, ytd=True),
    _quota("K2E1", "Quote der Eintritte in geringfügige Beschäftigung", "marg", "elb",
           f"Eintritte in geringfügige Beschäftigung der Monate {_LAST_R}", "durchschnittlicher eLb-Bestand",
           HIGHER),
    _quota("K2E2", "Quote der Eintritte in öffentlich geförderte Beschäftigung", "pub", "elb",
           f"Eintritte in öffentlich geförderte Beschäftigung der Monate {_LAST_R}", "durchschnittlicher eLb-Bestand",
           None),
    Indicator("K2E3", " / ".join(name for _, name in _names("K2E3")),
              Term("k2e3_num"), Term("k2e3_den"), "percent",
              "Integrationen des Nenners, die danach sozialversicherungspflichtig beschäftigt sind ("
              + _by_version(_k2e3_check_text) + ")",
              "Aufnahmen einer sozialversicherungspflichtigen Beschäftigung (" + _by_version(_k2e3_base_text)
              + "); Aufnahmen einer Ausbildung zählen nicht",
              "gleitend, um L Monate verzögert; Fassung nach dem Berichtsmonat (C8)", FKV + " (K2E3)",
              names_by_regulation=_names("K2E3"), better=HIGHER),
    _quota("K2E4", "Integrationsquote der Alleinerziehenden", "integ_ae", "ae",
           f"Integrationen von Alleinerziehenden der Monate {_LAST_R}",
           "durchschnittlicher Bestand alleinerziehender eLb", HIGHER, ytd=True),
    dataclasses.replace(_change("K3", _name("K3"), "lzb", "LZB-Bestand am Stichtag", FKV + " (K3)", LOWER),
                        names_by_regulation=_names("K3")),
    dataclasses.replace(_quota("K3E1", _name("K3E1"), "integ_lzb", "lzb", f"Integrationen von LZB der Monate {_LAST_R}",
                               "durchschnittlicher LZB-Bestand", HIGHER, ytd=True), names_by_regulation=_names("K3E1")),
    Indicator("K3E2", _name("K3E2"), Term("lzb_active"), Term("lzb"),
              "percent", "LZB in einer Maßnahme der aktiven Arbeitsförderung am Stichtag", "LZB-Bestand am Stichtag",
              "Stichtagswert", FKV + " (K3E2)", better=HIGHER, names_by_regulation=_names("K3E2")),
    dataclasses.replace(_rate("K3E3", _name("K3E3"), "lzb_in", "lzb", False, f"LZB-Zugänge der Monate {_LAST_R}",
                              "LZB-Bestand an den Stichtagen derselben Monate", LOWER), names_by_regulation=_names("K3E3")),
    dataclasses.replace(_rate("K3E4", _name("K3E4"), "lzb_out", "lzb", True, f"LZB-Abgänge der Monate {_LAST_R}",
                              "LZB-Bestand an den Stichtagen der jeweiligen Vormonate", HIGHER),
                        names_by_regulation=_names("K3E4")),
)

#: Local indicators: declarative additions (the Siegen-Wittgenstein goals): the U25 training goal as a
#: count, the LZB annual average and its change (year-to-date rules only), and the two year-to-date
#: counts computed in :mod:`zielwerk.targets.local` (no terms here).
_LOCAL_SOURCE = "lokale Zielvereinbarung"
_LOCAL: tuple[Indicator, ...] = (
    Indicator("L_U25_AUSB", "Integrationen unter 25-Jähriger in Ausbildung (12 Monate)",
              Term("integ_u25_training", _ROLL), None, COUNT,
              f"Integrationen in voll qualifizierende Ausbildung von eLb unter 25 Jahren, Monate {_LAST_R}", "—",
              "gleitende 12-Monats-Summe; im Dezember der Jahreswert", f"§ 3 Abs. 2 SGB II; {_LOCAL_SOURCE}",
              official=False, better=HIGHER, agreement_code="U25_AUSB"),
    Indicator("LZB_JD", "Durchschnittlicher Bestand an Langzeitleistungsbeziehenden (Jahresdurchschnitt)",
              None, None, RATIO, "Summe der LZB-Bestände an den Stichtagen Januar bis Berichtsmonat",
              "Zahl der Monate Januar bis Berichtsmonat",
              "Jahresfortschrittswert; im Dezember der Jahresdurchschnitt", f"§ 48a SGB II (K3); {_LOCAL_SOURCE}",
              official=False, better=LOWER,
              ytd=YearToDate(YtdTerm("lzb"), YtdTerm(MONTHS), RATIO,
                             "Durchschnitt der LZB-Bestände an den Stichtagen Januar bis Berichtsmonat.")),
    Indicator("K3_JD", "Veränderung des durchschnittlichen LZB-Bestands gegenüber dem Vorjahr", None, None, CHANGE,
              "durchschnittlicher LZB-Bestand an den Stichtagen Januar bis Berichtsmonat",
              "durchschnittlicher LZB-Bestand an den Stichtagen derselben Monate des Vorjahres",
              "Jahresfortschrittswert; im Dezember die Veränderung des Jahresdurchschnitts",
              f"§ 48a SGB II (K3); {_LOCAL_SOURCE}", official=False, better=LOWER,
              ytd=YearToDate(YtdTerm("lzb", (0, 0), "avg"), YtdTerm("lzb", (-12, -12), "avg"), CHANGE,
                             "Veränderung des durchschnittlichen LZB-Bestands (Stichtage Januar bis "
                             "Berichtsmonat) gegenüber denselben Monaten des Vorjahres.")),
    Indicator("ELTERN_2J", "Erreichte Eltern ab dem 2. Erziehungsjahr", None, None, COUNT,
              "eLb mit jüngstem Kind im Alter von 12 bis 35 Monaten, die seit Jahresbeginn ein Beratungs- oder "
              "Unterstützungsangebot erhalten haben (Maßnahmebeginn Aktivierung § 45 SGB III, § 16f SGB II, "
              "sonstige aktive Maßnahme; erfasste Beratungskontakte und Angebote) (Personen)", "—", "kumuliert seit Januar (Jahresfortschrittswert)",
              f"§ 10 Abs. 1 Nr. 3 SGB II; {_LOCAL_SOURCE}", official=False, better=HIGHER,
              computed_by="zielwerk.targets.local"),
    Indicator("RANDZEIT", "Gelöste Betreuungsbedarfe in Randzeiten", None, None, COUNT,
              "Seit Jahresbeginn beendete Betreuungsbedarfe in Randzeiten (früh, spät, Wochenende, Nacht), "
              "deren Elternteil beim Ende noch Leistungen bezog", "—", "kumuliert seit Januar (Jahresfortschrittswert)",
              f"§ 16a Nr. 1 SGB II; {_LOCAL_SOURCE}", official=False, better=HIGHER,
              computed_by="zielwerk.targets.local", declared_measure=NEEDS, declared_by_sex=False),
    # issue 15 item 5: the agreement's targets for young parents' qualification and placement obstacles
    Indicator("JUNGE_ELTERN_QUALI", "Junge Eltern in Qualifizierung", None, None, COUNT,
              "eLb unter 25 Jahren ohne Berufsabschluss mit Kind, die seit Jahresbeginn eine Qualifizierung "
              "beginnen (berufliche Weiterbildung § 81 SGB III, betriebliche Ausbildung auch in Teilzeit) "
              "(Personen)", "—", "kumuliert seit Januar (Jahresfortschrittswert)",
              f"§ 3 Abs. 2 SGB II; § 8 Abs. 1 S. 2 BBiG (bis 2019) / § 7a BBiG (ab 2020); {_LOCAL_SOURCE}",
              official=False, better=HIGHER, computed_by="zielwerk.targets.local"),
    Indicator("HEMMNIS_BEARB", "LZB mit bearbeitetem Vermittlungshemmnis (Anteil)", None, None, PERCENT,
              "LZB mit offenem Handlungsbedarf Gesundheit, Kinderbetreuung oder Sucht, für den ein Schritt "
              "erfasst ist (Beratungs-/Unterstützungsmaßnahme oder passende kommunale Leistung nach § 16a SGB II "
              "laufend oder in den 6 Monaten vor dem Stichtag "
              "begonnen, bearbeiteter Betreuungsbedarf, Eingliederungsvereinbarung, die ihn aufnimmt)",
              "LZB mit offenem Handlungsbedarf Gesundheit, Kinderbetreuung oder Sucht am Stichtag",
              "Stichtagswert", f"§ 16a SGB II, § 15 SGB II; {_LOCAL_SOURCE}", official=False, better=HIGHER,
              computed_by="zielwerk.targets.local"),
    # issue 15 item 1: the Kreis's own services under § 16a SGB II (not § 48a measures; targets/local.py)
    *(Indicator(code, name, None, None, COUNT,
                f"Seit Jahresbeginn begonnene {what} nach § 16a {nr}SGB II (kommunale Eingliederungsleistungen) "
                "von eLb (Leistungen, nicht Personen)", "—", "kumuliert seit Januar (Jahresfortschrittswert)",
                f"§ 16a {nr}SGB II; {_LOCAL_SOURCE}", official=False, better=HIGHER,
                computed_by="zielwerk.targets.local")
      for code, name, what, nr in (
          ("L16A", "Kommunale Eingliederungsleistungen (§ 16a SGB II) begonnen", "Leistungen", ""),
          ("L16A_KB", "Kinderbetreuung/Pflege (§ 16a Nr. 1 SGB II) begonnen",
           "Betreuungsleistungen für Kinder oder Pflege von Angehörigen", "Nr. 1 "),
          ("L16A_SB", "Schuldnerberatung (§ 16a Nr. 2 SGB II) begonnen", "Schuldnerberatungen", "Nr. 2 "),
          ("L16A_PSB", "Psychosoziale Betreuung (§ 16a Nr. 3 SGB II) begonnen", "psychosoziale Betreuungen",
           "Nr. 3 "),
          ("L16A_SUCHT", "Suchtberatung (§ 16a Nr. 4 SGB II) begonnen", "Suchtberatungen", "Nr. 4 "))),
)

#: The catalogue: code → definition. Official § 48a indicators first, then local ones.
INDICATORS: dict[str, Indicator] = {i.code: i for i in _OFFICIAL + _LOCAL}
OFFICIAL_CODES: tuple[str, ...] = tuple(i.code for i in _OFFICIAL)
#: indicators with a year-to-date value (:func:`zielwerk.indicators.jahresfortschritt`)
YTD_CODES: tuple[str, ...] = tuple(c for c, i in INDICATORS.items() if i.ytd is not None)


def stock_window(literal: bool) -> tuple[int, int]:
    """The denominator window of rolling quotas (C7)."""
    return (-(_R - 1), 0) if literal else (-_R, -1)


def resolve_window(term: Term, literal: bool) -> tuple[int, int]:
    return stock_window(literal) if term.window == ROLLING_STOCK else term.window  # type: ignore[return-value]


def resolve_ytd_window(term: YtdTerm, literal: bool) -> tuple[int, int]:
    """The window of a year-to-date term relative to (January, m): ``ROLLING_STOCK`` is the stocks of
    the preceding months (−1, −1), literally the same months (0, 0) (C7)."""
    if term.window == ROLLING_STOCK:
        return (0, 0) if literal else (-1, -1)
    return term.window  # type: ignore[return-value]


def block_kind(code: str) -> str:
    """STOCK, FLOW or MONEY for a block of :data:`BLOCKS` or :data:`EVENT_BLOCKS` (employment starts:
    FLOW); :data:`MONTHS` for the month counter."""
    if code == MONTHS:
        return MONTHS
    if code in EVENT_BLOCKS:
        return FLOW
    return BLOCKS[code].kind


def block_warmup(code: str) -> int:
    """Months after the first month of the data (the earliest eLb spell start) from which the block's
    value for month t is meaningful: the LZB status reads :data:`LZB_HISTORY_MONTHS` before S_t; a flow
    reads the window (S_{t−1}, S_t] and the status at S_{t−1}, one month more; K2E3 reads the
    integrations of its base months before t (``reach``)."""
    if code == MONTHS:
        return 0
    if code in EVENT_BLOCKS:
        uses_lzb, reach = EVENT_BLOCKS[code].person == "lzb", 0
    else:
        uses_lzb, reach = BLOCKS[code].uses_lzb, BLOCKS[code].reach
    return (LZB_HISTORY_MONTHS if uses_lzb else 0) + (1 if block_kind(code) == FLOW else 0) + reach
