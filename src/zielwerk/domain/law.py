"""Legal definitions, each in one place, with its source and its period of validity.

The model is GETTSIM's dated parameters: every number and list the § 48a indicators depend on is a
field of the dated :class:`Regulation` (one record per version of the regulation, with its
BGBl. reference), and :func:`regulation_for` picks the version in force for a reporting month.
Reporting months up to 2018-12 use the regulation as amended in 2011 (FKV 2011); from 2019-01 the
version of 15.03.2019 applies (FKV 2019, docs/domain.md § 2). Everything else (the engine's lookback,
block texts, the reference implementation's loops) is derived from these fields.

Sources: SGB II §§ 3, 10, 15, 16a–16i, 48a, 48b; Verordnung zur Festlegung der Kennzahlen nach
§ 48a SGB II (SGB2§48aFKV) of 12.08.2010 (BGBl. I S. 1152), amended by Art. 10 of the law of
24.03.2011 (BGBl. I S. 453) and by Art. 1 of the regulation of 15.03.2019 (BGBl. I S. 339); text of
both versions as in the public mirror ``bundestag/gesetze``, ``s/sgb2_48afkv/index.md`` (commits
27ae8b60 for 2011, 5710c0a6 for 2019); BA Statistik, "Kennzahlen nach § 48a SGB II –
Detailbeschreibungen" (the day-exact operationalisations).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date

from .calendar import Month

# --- Publication ------------------------------------------------------------------------------
#: C11: BA Statistik "Wartezeit" — months within 3 months of the as-of date are provisional.
WAITING_MONTHS = 3
#: C10: groups of fewer than 3 persons are suppressed outside the controlling role.
SMALL_NUMBER_MIN = 3


def is_small_number(count: object) -> bool:
    """C10: ``count`` persons form a group to suppress — 1 or 2 (0 is shown: an empty group reveals
    nobody; None, NaN and text are no count)."""
    if count is None or isinstance(count, str):
        return False
    try:
        c = float(count)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not math.isnan(c) and 0 < c < SMALL_NUMBER_MIN

# --- Case management (docs/domain.md § 4) -----------------------------------------------------
#: § 3 (2) SGB II: under-25s are placed without delay; "U25" = younger than 25 years.
U25_AGE_LIMIT = 25
#: Staffing ratios of the Fachkonzept (§ 44c (4) SGB II context): 1:75 under 25, 1:150 from 25.
STAFFING_RATIO_U25 = 75
STAFFING_RATIO_25PLUS = 150
#: § 10 (1) Nr. 3 SGB II: work not required while raising a child under 3; the 2nd and 3rd year of
#: upbringing (youngest child aged 12 to 35 complete months) is the counselling window.
PARENT_WINDOW_MONTHS = (12, 35)
CHILD_UPBRINGING_AGE_YEARS = 3
#: § 24 SGB VIII: legal claim to a daycare place from age 1.
DAYCARE_CLAIM_AGE_MONTHS = 12
#: § 15 (3) SGB II: the Kooperationsplan (formerly Eingliederungsvereinbarung) is reviewed at
#: least every 6 months.
ACTION_PLAN_REVIEW_MONTHS = 6
#: Young parents (casework list, configurable): under 25.
YOUNG_PARENT_AGE_LIMIT = 25

# --- Employment and measure classes ------------------------------------------------------------
#: Kinds of employment whose start is an integration, unless publicly funded (§ 5 Abs. 1 Satz 1
#: SGB2§48aFKV, both versions: "sozialversicherungspflichtige Beschäftigung, eine voll
#: qualifizierende berufliche Ausbildung oder eine selbständige Tätigkeit").
INTEGRATION_KINDS = frozenset({"svb", "training", "self_employed"})
MARGINAL_KIND = "marginal"
PUBLIC_FUNDED_KIND = "public_funded"

#: Instruments (the contract's codes, data-contract.md) that are "Maßnahmen der aktiven
#: Arbeitsförderung" in both versions of § 2 Abs. 2 Nr. 1: measures under § 16 SGB II (with §§ 45, 81
#: SGB III: ``activation``, ``vocational_further_training``; other § 16 measures: ``other_active``),
#: § 16d (``agh``), § 16e in the version before 2019 (``fav``) and § 16f. Never counted: the
#: Vermittlungsbudget (``placement_budget``; 2011: "ohne Maßnahmen aus dem Vermittlungsbudget nach § 16
#: Absatz 1 … in Verbindung mit § 45 SGB III", the budget's paragraph before 2012; 2019: "keine
#: Förderungen aus dem Vermittlungsbudget nach § 16 Absatz 1 Satz 2 Nummer 2 … in Verbindung mit § 44
#: SGB III"), the employment-accompanying benefits of § 2 Abs. 2 Nr. 2 (``egz``, ``esg``, from 2019
#: ``16e_new``) and § 16h (``16h``), which neither version lists.
_ACTIVE_BOTH = frozenset({"activation", "vocational_further_training", "other_active", "agh", "fav", "16f"})


@dataclass(frozen=True)
class Regulation:
    """One version of the Kennzahlenverordnung: every number and list that depends on it, each with
    its paragraph. The fields are the only place these facts live."""

    key: str
    title: str
    #: Short citation shown beside figures.
    citation: str
    #: Full reference with the Bundesgesetzblatt.
    source: str
    first_month: Month
    last_month: Month | None

    # --- § 6 Abs. 1: LZB -----------------------------------------------------------------------
    #: LZB are eLb "die in den vergangenen 24 Monaten mindestens 21 Monate hilfebedürftig waren"
    #: (§ 6 Abs. 1 Satz 2). BA Statistik operationalises this day-exact: at least ``lzb_min_days`` eLb
    #: days in the ``lzb_window_days`` days ending at the Stichtag (convention C3).
    lzb_window_days: int
    lzb_min_days: int

    # --- § 4 Abs. 2 Nr. 3, 4: entries and exits --------------------------------------------------
    #: C4 (BA Statistik): eLb spells of a person in one reporting unit are one period when the gap
    #: between them is at most ``merge_gap_days`` days.
    merge_gap_days: int

    # --- rolling quotas and averages ------------------------------------------------------------
    #: "in den vergangenen zwölf Monaten" / "Durchschnitt der vergangenen zwölf Monate" (§ 4 Abs. 2
    #: Nr. 3, 4, § 5 Abs. 1, Abs. 2 Nr. 1, 2, 4, § 6 Abs. 2 Nr. 1, 3, 4): months of a rolling window.
    rolling_months: int

    # --- § 5 Abs. 2 Nr. 3: K2E3 -----------------------------------------------------------------
    #: Lag L in months between the integration month and the (last) check (C8).
    k2e3_lag_months: int
    #: "at_lag": in svB at S_{m+L} (2011: "nach zwölf Monaten sozialversicherungspflichtig
    #: beschäftigt"); "each_month": in svB at each of S_{m+1} .. S_{m+L} (2019: "in jedem der sechs
    #: auf die Integration folgenden Monate").
    k2e3_rule: str
    #: The base sums the integrations "in den vergangenen zwölf Monaten", here: up to t − L.
    k2e3_base_months: int
    #: Starts in the base: "Integration im Sinne dieser Ergänzungsgröße ist die Aufnahme einer
    #: sozialversicherungspflichtigen Beschäftigung" — svB only; the fully qualifying training is a
    #: separate kind of integration in § 5 Abs. 1 and not in this base (C8).
    k2e3_base_kinds: frozenset[str]
    #: Employment that counts as "sozialversicherungspflichtig beschäftigt" at the check: svB and
    #: vocational training (apprentices are subject to social insurance; C8).
    k2e3_check_kinds: frozenset[str]

    # --- § 2 Abs. 2: classes of employment and measures -------------------------------------------
    #: Kinds of employment whose start is an integration (§ 5 Abs. 1 Satz 1).
    integration_kinds: frozenset[str]
    #: Subsidies that accompany employment and leave it an integration (§ 2 Abs. 2 Nr. 2, § 5 Abs. 1
    #: Satz 2).
    accompanying_subsidies: frozenset[str]
    #: Subsidies that make employment publicly funded: never an integration, counted in K2E2
    #: (§ 2 Abs. 2 Nr. 3, § 5 Abs. 1 Satz 3).
    publicly_funded_subsidies: frozenset[str]
    #: "Maßnahmen der aktiven Arbeitsförderung" (§ 2 Abs. 2 Nr. 1), counted in K3E2 (§ 6 Abs. 2 Nr. 2).
    active_instruments: frozenset[str]

    #: Indicator names whose wording is specific to this version: (code, name) as in §§ 5, 6.
    indicator_names: tuple[tuple[str, str], ...] = ()

    def applies_to(self, month: Month) -> bool:
        return self.first_month <= month and (self.last_month is None or month <= self.last_month)

    @property
    def k2e3_name(self) -> str:
        return dict(self.indicator_names)["K2E3"]


def _lzb_names(dative: str, genitive: str) -> tuple[tuple[str, str], ...]:
    """The names of K3 and K3E1–K3E4 (§ 6 Abs. 1, Abs. 2 Nr. 1–4) with the version's word for LZB."""
    return (
        ("K3", f"Veränderung des Bestands an {dative}"),
        ("K3E1", f"Integrationsquote der {genitive}"),
        ("K3E2", f"Aktivierungsquote der {genitive}"),
        ("K3E3", f"Durchschnittliche Zugangsrate der {genitive}"),
        ("K3E4", f"Durchschnittliche Abgangsrate der {genitive}"),
    )


FKV_2011 = Regulation(
    key="FKV2011",
    title="Kennzahlenverordnung i. d. F. vom 24.03.2011",
    citation="SGB2§48aFKV i. d. F. des Gesetzes vom 24.03.2011",
    source="SGB2§48aFKV vom 12.08.2010 (BGBl. I S. 1152), geändert durch Art. 10 des Gesetzes vom "
           "24.03.2011 (BGBl. I S. 453)",
    first_month=Month(2011, 1),
    last_month=Month(2018, 12),
    lzb_window_days=730,
    lzb_min_days=638,
    merge_gap_days=7,
    rolling_months=12,
    k2e3_lag_months=12,
    k2e3_rule="at_lag",
    k2e3_base_months=12,
    k2e3_base_kinds=frozenset({"svb"}),
    k2e3_check_kinds=frozenset({"svb", "training"}),
    integration_kinds=INTEGRATION_KINDS,
    # § 2 Abs. 2 Nr. 2: EGZ (§ 16 Abs. 1 with §§ 218, 219, 223, 421f SGB III in the old numbering) and
    # Einstiegsgeld (§ 16b)
    accompanying_subsidies=frozenset({"none", "egz", "esg", "other"}),
    # § 2 Abs. 2 Nr. 3: § 16d, § 16e (old), Bürgerarbeit. § 16e new and § 16i did not exist before
    # 2019; should a dataset carry them earlier, they are treated like their predecessors (§ 16e old,
    # FAV): publicly funded.
    publicly_funded_subsidies=frozenset({"agh", "fav", "16e_new", "16i"}),
    # § 2 Abs. 2 Nr. 1: "alle Maßnahmen nach den §§ 16 und 16d Satz 1 sowie nach den §§ 16e und 16f …
    # sowie nach dem Programm ‚Bürgerarbeit' ohne Maßnahmen aus dem Vermittlungsbudget … und ohne
    # Beschäftigung begleitende Leistungen"
    active_instruments=_ACTIVE_BOTH,
    indicator_names=(("K2E3", "Nachhaltigkeit der Integrationen"),
                     *_lzb_names("Langzeitleistungsbeziehern", "Langzeitleistungsbezieher")),
)

FKV_2019 = Regulation(
    key="FKV2019",
    title="Kennzahlenverordnung i. d. F. vom 15.03.2019",
    citation="SGB2§48aFKV i. d. F. der Verordnung vom 15.03.2019",
    source="SGB2§48aFKV vom 12.08.2010 (BGBl. I S. 1152), zuletzt geändert durch Art. 1 der Verordnung "
           "vom 15.03.2019 (BGBl. I S. 339)",
    first_month=Month(2019, 1),
    last_month=None,
    lzb_window_days=730,
    lzb_min_days=638,
    merge_gap_days=7,
    rolling_months=12,
    k2e3_lag_months=6,
    k2e3_rule="each_month",
    k2e3_base_months=12,
    k2e3_base_kinds=frozenset({"svb"}),
    k2e3_check_kinds=frozenset({"svb", "training"}),
    integration_kinds=INTEGRATION_KINDS,
    # § 2 Abs. 2 Nr. 2: EGZ (§§ 88–90 SGB III), §§ 16b and 16e (new version, Teilhabechancengesetz),
    # ESF-Bundesprogramm
    accompanying_subsidies=frozenset({"none", "egz", "esg", "16e_new", "other"}),
    # § 2 Abs. 2 Nr. 3: §§ 16d, 16e (version until 31.12.2018), 16i, "Soziale Teilhabe am Arbeitsmarkt"
    publicly_funded_subsidies=frozenset({"agh", "fav", "16i"}),
    # § 2 Abs. 2 Nr. 1: "alle Maßnahmen nach den §§ 16, 16d, 16e in der bis 31. Dezember 2018 gültigen
    # Fassung, den §§ 16f und 16i … sowie nach dem Bundesprogramm ‚Soziale Teilhabe am Arbeitsmarkt';
    # jedoch keine Förderungen aus dem Vermittlungsbudget … und ohne Beschäftigung begleitende
    # Leistungen nach Nummer 2"
    active_instruments=_ACTIVE_BOTH | {"16i"},
    indicator_names=(("K2E3", "Kontinuierliche Beschäftigung nach Integration"),
                     *_lzb_names("Langzeitleistungsbeziehenden", "Langzeitleistungsbeziehenden")),
)

REGULATIONS: tuple[Regulation, ...] = (FKV_2011, FKV_2019)


def regulations_between(first: Month, last: Month) -> tuple[Regulation, ...]:
    """The versions in force for some month of ``first``..``last`` (history before the first version,
    needed as lookback, is read with the first version)."""
    regs = tuple(r for r in REGULATIONS if (r.last_month is None or first <= r.last_month) and r.first_month <= last)
    if first < REGULATIONS[0].first_month and REGULATIONS[0] not in regs:
        regs = (REGULATIONS[0], *regs)
    return regs


def common_value(regs, field: str):
    """The value of ``field`` shared by the versions ``regs``; a clear error where they differ (used
    where a computation supports no change of the value within one run)."""
    values = {getattr(r, field) for r in regs}
    if len(values) != 1:
        raise ValueError(f"Der Parameter {field} unterscheidet sich zwischen den Fassungen "
                         f"{', '.join(r.key for r in regs)} im angefragten Zeitraum; das wird nicht unterstützt.")
    return values.pop()


#: The version in force today, for callers that need no history (case lists, the benchmark's
#: baseline, texts). The indicator engine reads the dated fields of each version.
CURRENT = REGULATIONS[-1]
LZB_WINDOW_DAYS = CURRENT.lzb_window_days
LZB_MIN_DAYS = CURRENT.lzb_min_days
MERGE_GAP_DAYS = CURRENT.merge_gap_days


def regulation_for(month: Month) -> Regulation:
    """The regulation version in force for reporting month ``month``."""
    for reg in REGULATIONS:
        if reg.applies_to(month):
            return reg
    raise ValueError(f"Für den Berichtsmonat {month} gilt keine Kennzahlenverordnung (erst ab 2011-01).")


def is_integration(kind: str, subsidy: str, reg: Regulation) -> bool:
    """Employment that is an integration under ``reg`` (§ 5 Abs. 1 SGB2§48aFKV, domain.md § 2)."""
    return kind in reg.integration_kinds and subsidy not in reg.publicly_funded_subsidies


def is_publicly_funded(kind: str, subsidy: str, reg: Regulation) -> bool:
    """Entry into publicly funded employment (K2E2)."""
    return kind == PUBLIC_FUNDED_KIND or (kind != MARGINAL_KIND and subsidy in reg.publicly_funded_subsidies)


def is_marginal(kind: str, subsidy: str, reg: Regulation) -> bool:
    """Entry into marginal employment (K2E1)."""
    return kind == MARGINAL_KIND


def age_in_years(birth: date, on: date) -> int:
    """Completed years of age on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_in_months(birth: date, on: date) -> int:
    """Completed months of age on ``on`` (a child born 2015-03-31 is 1 month old on 2015-04-30)."""
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    # a month not yet complete, unless ``on`` is the last day of a month shorter than the birth day
    if on.day < birth.day and on.day != calendar.monthrange(on.year, on.month)[1]:
        months -= 1
    return months


# ================================================================================================
# Dated casework rules (issue 15 item 4): rules of case work that changed in time. Each entry is valid
# from ``valid_from`` to ``valid_to`` (inclusive, None = open) and is picked for a Stichtag by
# :func:`casework_rule`; texts shown in lists and case views follow the Stichtag. Kept apart from the
# :class:`Regulation` records above, which hold the indicator rules of the Kennzahlenverordnung.
# ================================================================================================


@dataclass(frozen=True)
class CaseworkRule:
    """One version of a time-bound casework rule: its value, the German text shown and the citation."""

    key: str
    valid_from: date
    valid_to: date | None
    #: German term or text shown to users (e.g. "Eingliederungsvereinbarung")
    text: str
    citation: str
    #: a number attached to the rule (months, years), if any
    value: int | None = None

    def applies_to(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


CASEWORK_RULES: tuple[CaseworkRule, ...] = (
    # § 15 SGB II a. F. (until 30.06.2023): the Eingliederungsvereinbarung. Until 31.07.2016 it "soll für
    # sechs Monate geschlossen werden" (§ 15 Abs. 1 Satz 3 a. F.); from 01.08.2016 (Neuntes Gesetz zur
    # Änderung des SGB II of 26.07.2016, BGBl. I S. 1824) it is "regelmäßig, spätestens jedoch nach Ablauf
    # von sechs Monaten" reviewed and updated (§ 15 Abs. 3 a. F.).
    CaseworkRule("action_plan", date(2005, 1, 1), date(2023, 6, 30), "Eingliederungsvereinbarung",
                 "§ 15 SGB II a. F. (bis 30.06.2023)"),
    # Bürgergeld-Gesetz of 16.12.2022 (BGBl. I S. 2328), § 15 in this version in force from 01.07.2023:
    # Kooperationsplan, reviewed regularly, "spätestens nach Ablauf von sechs Monaten" (§ 15 Abs. 3).
    CaseworkRule("action_plan", date(2023, 7, 1), None, "Kooperationsplan",
                 "§ 15 SGB II i. d. F. des Bürgergeld-Gesetzes (ab 01.07.2023)"),
    CaseworkRule("action_plan_review", date(2005, 1, 1), date(2016, 7, 31),
                 "Eingliederungsvereinbarung für 6 Monate geschlossen", "§ 15 Abs. 1 Satz 3 SGB II a. F.", 6),
    CaseworkRule("action_plan_review", date(2016, 8, 1), date(2023, 6, 30),
                 "Überprüfung der Eingliederungsvereinbarung spätestens nach 6 Monaten",
                 "§ 15 Abs. 3 SGB II i. d. F. vom 26.07.2016", 6),
    CaseworkRule("action_plan_review", date(2023, 7, 1), None,
                 "Überprüfung des Kooperationsplans spätestens nach 6 Monaten", "§ 15 Abs. 3 SGB II", 6),
    # Part-time vocational training: § 8 Abs. 1 Satz 2 BBiG (2005 version, shortening of the daily or
    # weekly training time "bei berechtigtem Interesse") until 31.12.2019; § 7a BBiG (Teilzeitberufsausbildung)
    # inserted by the Berufsbildungsmodernisierungsgesetz of 12.12.2019 (BGBl. I S. 2522), in force
    # 01.01.2020.
    CaseworkRule("part_time_training", date(2005, 4, 1), date(2019, 12, 31),
                 "Teilzeitberufsausbildung (Verkürzung der täglichen oder wöchentlichen Ausbildungszeit)",
                 "§ 8 Abs. 1 Satz 2 BBiG", None),
    CaseworkRule("part_time_training", date(2020, 1, 1), None,
                 "Teilzeitberufsausbildung (Ausbildungszeit um bis zu 50 % verkürzt, Dauer bis zum 1,5-Fachen)",
                 "§ 7a BBiG", None),
    # § 12a Satz 2 Nr. 1 SGB II (in force since 01.01.2008): no duty to claim an old-age pension early
    # before the 63rd birthday; from 63 the Jobcenter can require the early pension (Unbilligkeitsverordnung
    # of 14.04.2008 for the exceptions).
    CaseworkRule("early_pension_age", date(2008, 1, 1), None,
                 "ab 63 Jahren: Pflicht zur vorzeitigen Altersrente möglich", "§ 12a Satz 2 Nr. 1 SGB II", 63),
    # § 10 Abs. 1 Nr. 3 SGB II: work is not reasonable while it would endanger the upbringing of one's own
    # child or the partner's child under 3 (unchanged since 2005).
    CaseworkRule("child_upbringing_age", date(2005, 1, 1), None,
                 "Erziehung eines Kindes unter 3 Jahren in der Bedarfsgemeinschaft", "§ 10 Abs. 1 Nr. 3 SGB II", 3),
    # eLb from the 15th birthday (§ 7 Abs. 1 Satz 1 Nr. 1 SGB II). The contract has no school attendance,
    # so 15- to 17-year-olds are flagged as probable pupils (compulsory schooling incl. vocational school
    # until 18 in NRW, §§ 34, 38 SchulG NRW; school attendance is a "wichtiger Grund", § 10 Abs. 1 Nr. 5
    # SGB II). A proxy until the contract carries school attendance (issue 15 item 1).
    CaseworkRule("school_age_proxy", date(2005, 1, 1), None,
                 "15–17 Jahre (vermutlich Schüler/in)", "§ 7 Abs. 1 Nr. 1, § 10 Abs. 1 Nr. 5 SGB II; § 38 SchulG NRW",
                 18),
)


#: § 7 Abs. 1 Satz 1 Nr. 1 SGB II: eLb from the completed 15th year of age.
ELB_MIN_AGE = 15


def casework_rule(key: str, day: date) -> CaseworkRule:
    """The version of casework rule ``key`` in force on ``day``."""
    for r in CASEWORK_RULES:
        if r.key == key and r.applies_to(day):
            return r
    raise ValueError(f"Für die Regel {key!r} gibt es am {day:%d.%m.%Y} keine gültige Fassung.")


def action_plan_term(day: date) -> str:
    """"Eingliederungsvereinbarung" until 30.06.2023, "Kooperationsplan" from 01.07.2023 (§ 15 SGB II)."""
    return casework_rule("action_plan", day).text


def early_pension_age(day: date) -> int:
    """Age from which the early-pension duty of § 12a SGB II applies (63)."""
    value = casework_rule("early_pension_age", day).value
    assert value is not None
    return value
