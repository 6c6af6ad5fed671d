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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zielwerk.domain.calendar import Month
from zielwerk.domain.law import (
    FKV_2011,
    FKV_2019,
    LZB_MIN_DAYS,
    LZB_WINDOW_DAYS,
    MERGE_GAP_DAYS,
    U25_AGE_LIMIT,
)

# Window sentinel for the denominator of rolling quotas: the BA practice S_{t-12}..S_{t-1}, or,
# with ``literal_window=True``, the regulation's literal reading S_{t-11}..S_t (C7).
ROLLING_STOCK = "rolling_stock"

FKV = "§ 48a SGB II i. V. m. SGB2§48aFKV"


@dataclass(frozen=True)
class Block:
    """A built-in building block (documentation of what the engine computes)."""

    code: str
    name: str
    description: str
    source: str
    convention: str


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
class Indicator:
    """One indicator: numerator/denominator, presentation, legal source and validity."""

    code: str
    name: str
    numerator: Term
    denominator: Term | None
    #: "percent" = num/den·100; "change" = (num/den − 1)·100; "count" = the numerator itself.
    value: str
    numerator_text: str
    denominator_text: str
    time_logic: str
    source: str
    valid_from: Month = FKV_2011.first_month
    valid_to: Month | None = None
    #: False for amounts that have no sex (K1, K1E1: payments of the BG)
    by_sex: bool = True
    official: bool = True
    #: month-dependent names (K2E3): (regulation key, name)
    names_by_regulation: tuple[tuple[str, str], ...] = field(default=())

    def name_for(self, month: Month) -> str:
        """The German name in force for ``month``."""
        from zielwerk.domain.law import regulation_for

        reg = regulation_for(month)
        for key, name in self.names_by_regulation:
            if key == reg.key:
                return name
        return self.name


BLOCKS: dict[str, Block] = {
    b.code: b
    for b in (
        Block("elb", "eLb-Bestand", "Personen mit eLb-Zeitraum am Stichtag S_t; einmal gezählt, in der Einheit des "
              "zuletzt begonnenen Zeitraums (bei gleichem Beginn größere BG-Nummer).", "§ 7 SGB II; § 48a SGB II", "C1, C2"),
        Block("lzb", "LZB-Bestand", f"eLb am S_t mit mindestens {LZB_MIN_DAYS} eLb-Tagen (über alle BG, Orte, "
              f"Jobcenter; ohne nEf) im Fenster der {LZB_WINDOW_DAYS} Tage bis S_t.", "§ 48a SGB II; SGB2§48aFKV Anlage; "
              "BA-Statistik (tagesgenau)", "C3"),
        Block("ae", "Bestand Alleinerziehende", "eLb am S_t, die Kopf einer BG vom Typ alleinerziehend sind.",
              "§ 48a SGB II i. V. m. SGB2§48aFKV (K2E4)", "C2, C6"),
        Block("lzb_active", "LZB in aktiver Maßnahme", "LZB am S_t mit einer am S_t laufenden aktiven "
              "arbeitsmarktpolitischen Maßnahme (Instrumentenliste der geltenden FKV).", FKV + " (K3E2)", "C3"),
        Block("elb_in", "eLb-Zugänge", f"Beginn eines zusammengeführten eLb-Zeitraums je Person und Berichtseinheit "
              f"(Lücken bis {MERGE_GAP_DAYS} Tage überbrückt) im Fenster (S_t-1, S_t].", FKV + " (K1E3)", "C4"),
        Block("elb_out", "eLb-Abgänge", "Tag nach dem Ende eines zusammengeführten eLb-Zeitraums im Fenster "
              "(S_t-1, S_t].", FKV + " (K1E4)", "C4"),
        Block("lzb_in", "LZB-Zugänge", "LZB am S_t und nicht LZB am S_t-1 (irgendwo); gezählt am Ort zu S_t.",
              FKV + " (K3E3)", "C5"),
        Block("lzb_out", "LZB-Abgänge", "LZB am S_t-1 und nicht LZB am S_t (irgendwo); gezählt am Ort zu S_t-1.",
              FKV + " (K3E4)", "C5"),
        Block("k2e3_num", "Nachhaltige/kontinuierliche svB-Integrationen", "svB-Integrationen der 12 Monate bis "
              "t−L, die am Stichtag 12 Monate später (FKV 2011) bzw. an jedem der 6 folgenden Stichtage "
              "(FKV 2019) sozialversicherungspflichtig beschäftigt sind.", FKV + " (K2E3)", "C8"),
        Block("k2e3_den", "svB-Integrationen (Basis K2E3)", "svB-Integrationen der 12 Monate bis t−L.",
              FKV + " (K2E3)", "C8"),
        Block("llu", "Leistungen zum Lebensunterhalt", "Summe der Ansprüche nach §§ 20, 21, 23, 24 Abs. 1 SGB II im "
              "Monat (vor Sanktionen).", "§ 48a SGB II i. V. m. SGB2§48aFKV (K1)", "—"),
        Block("luh", "Leistungen für Unterkunft und Heizung", "Summe der Ansprüche nach § 22 Abs. 1, 2, 6, 8 SGB II "
              "im Monat.", "§ 48a SGB II i. V. m. SGB2§48aFKV (K1E1)", "—"),
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

_ROLL = (-11, 0)
_K2E3_NAMES = ((FKV_2011.key, FKV_2011.k2e3_name), (FKV_2019.key, FKV_2019.k2e3_name))


def _change(code: str, name: str, block: str, what: str, source: str, by_sex: bool = True) -> Indicator:
    return Indicator(code, name, Term(block), Term(block, (-12, -12)), "change", f"{what} im Monat t",
                     f"{what} im Monat t−12", "Veränderungsrate gegenüber dem Vorjahresmonat", source, by_sex=by_sex)


def _quota(code: str, name: str, events: str, stock: str, num_text: str, den_text: str) -> Indicator:
    return Indicator(code, name, Term(events, _ROLL), Term(stock, ROLLING_STOCK, "avg"), "percent", num_text,
                     den_text, "gleitende 12-Monats-Summe über den durchschnittlichen Bestand der Vormonate (C7)",
                     FKV + f" ({code})")


def _rate(code: str, name: str, events: str, stock: str, prev: bool, num_text: str, den_text: str) -> Indicator:
    return Indicator(code, name, Term(events, _ROLL), Term(stock, (-12, -1) if prev else _ROLL), "percent",
                     num_text, den_text, "12-Monats-Durchschnitt, bestandsgewichtet (C7)", FKV + f" ({code})")


_OFFICIAL: tuple[Indicator, ...] = (
    _change("K1", "Veränderung der Summe der Leistungen zum Lebensunterhalt", "llu",
            "Summe der Leistungen zum Lebensunterhalt", FKV + " (K1)", by_sex=False),
    _change("K1E1", "Veränderung der Summe der Leistungen für Unterkunft und Heizung", "luh",
            "Summe der Leistungen für Unterkunft und Heizung", FKV + " (K1E1)", by_sex=False),
    _change("K1E2", "Veränderung der Zahl der erwerbsfähigen Leistungsberechtigten", "elb",
            "eLb-Bestand am Stichtag", FKV + " (K1E2)"),
    _rate("K1E3", "Durchschnittliche Zugangsrate der erwerbsfähigen Leistungsberechtigten", "elb_in", "elb", False,
          "eLb-Zugänge der Monate t−11 bis t", "eLb-Bestand an den Stichtagen derselben Monate"),
    _rate("K1E4", "Durchschnittliche Abgangsrate der erwerbsfähigen Leistungsberechtigten", "elb_out", "elb", True,
          "eLb-Abgänge der Monate t−11 bis t", "eLb-Bestand an den Stichtagen der jeweiligen Vormonate"),
    _quota("K2", "Integrationsquote", "integ", "elb", "Integrationen der Monate t−11 bis t",
           "durchschnittlicher eLb-Bestand"),
    _quota("K2E1", "Quote der Eintritte in geringfügige Beschäftigung", "marg", "elb",
           "Eintritte in geringfügige Beschäftigung der Monate t−11 bis t", "durchschnittlicher eLb-Bestand"),
    _quota("K2E2", "Quote der Eintritte in öffentlich geförderte Beschäftigung", "pub", "elb",
           "Eintritte in öffentlich geförderte Beschäftigung der Monate t−11 bis t", "durchschnittlicher eLb-Bestand"),
    Indicator("K2E3", "Nachhaltigkeit der Integrationen / Kontinuierliche Beschäftigung nach Integration",
              Term("k2e3_num"), Term("k2e3_den"), "percent",
              "svB-Integrationen der 12 Monate bis t−L, die nachhaltig (FKV 2011: am Stichtag 12 Monate später) bzw. "
              "kontinuierlich (FKV 2019: an jedem der 6 folgenden Stichtage) svB-beschäftigt sind",
              "svB-Integrationen der 12 Monate bis t−L (L = 12 bzw. 6)",
              "gleitend, um L Monate verzögert; Version nach dem Berichtsmonat (C8)", FKV + " (K2E3)",
              names_by_regulation=_K2E3_NAMES),
    _quota("K2E4", "Integrationsquote der Alleinerziehenden", "integ_ae", "ae",
           "Integrationen von Alleinerziehenden der Monate t−11 bis t",
           "durchschnittlicher Bestand alleinerziehender eLb"),
    _change("K3", "Veränderung des Bestands an Langzeitleistungsbeziehenden", "lzb", "LZB-Bestand am Stichtag",
            FKV + " (K3)"),
    _quota("K3E1", "Integrationsquote der Langzeitleistungsbeziehenden", "integ_lzb", "lzb",
           "Integrationen von LZB der Monate t−11 bis t", "durchschnittlicher LZB-Bestand"),
    Indicator("K3E2", "Aktivierungsquote der Langzeitleistungsbeziehenden", Term("lzb_active"), Term("lzb"),
              "percent", "LZB in einer aktiven Maßnahme am Stichtag", "LZB-Bestand am Stichtag", "Stichtagswert",
              FKV + " (K3E2)"),
    _rate("K3E3", "Durchschnittliche Zugangsrate der Langzeitleistungsbeziehenden", "lzb_in", "lzb", False,
          "LZB-Zugänge der Monate t−11 bis t", "LZB-Bestand an den Stichtagen derselben Monate"),
    _rate("K3E4", "Durchschnittliche Abgangsrate der Langzeitleistungsbeziehenden", "lzb_out", "lzb", True,
          "LZB-Abgänge der Monate t−11 bis t", "LZB-Bestand an den Stichtagen der jeweiligen Vormonate"),
)

#: Local indicators: declarative additions (here: the Siegen-Wittgenstein U25 training goal as a count).
_LOCAL: tuple[Indicator, ...] = (
    Indicator("L_U25_AUSB", "Integrationen unter 25-Jähriger in Ausbildung (12 Monate)",
              Term("integ_u25_training", _ROLL), None, "count",
              "Integrationen in voll qualifizierende Ausbildung von eLb unter 25 Jahren, Monate t−11 bis t", "—",
              "gleitende 12-Monats-Summe", "§ 3 Abs. 2 SGB II; lokale Zielvereinbarung", official=False),
)

#: The catalogue: code → definition. Official § 48a indicators first, then local ones.
INDICATORS: dict[str, Indicator] = {i.code: i for i in _OFFICIAL + _LOCAL}
OFFICIAL_CODES: tuple[str, ...] = tuple(i.code for i in _OFFICIAL)


def stock_window(literal: bool) -> tuple[int, int]:
    """The denominator window of rolling quotas (C7)."""
    return (-11, 0) if literal else (-12, -1)


def resolve_window(term: Term, literal: bool) -> tuple[int, int]:
    return stock_window(literal) if term.window == ROLLING_STOCK else term.window  # type: ignore[return-value]
