"""Legal definitions, each in one place, with its source and its period of validity.

The model is GETTSIM's dated policy functions: a definition that changed over time exists once per
version, and :func:`regulation_for` picks the version in force for a reporting month. Reporting
months up to 2018-12 use the Kennzahlenverordnung of 24 March 2011 (FKV 2011); from 2019-01 the
version of 15 March 2019 (FKV 2019) applies (docs/domain.md § 2).

Sources: SGB II §§ 3, 10, 15, 16a–16i, 48a, 48b; SGB2§48aFKV (Verordnung zur Festlegung der
Kennzahlen nach § 48a SGB II) in the versions of 24.3.2011 and 15.3.2019; BA Statistik,
"Kennzahlen nach § 48a SGB II – Detailbeschreibungen".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from .calendar import Month

# --- Long-term receipt (Langzeitleistungsbezug) -------------------------------------------------
#: § 48a SGB II with SGB2§48aFKV: LZB are eLb who received benefits in at least 21 of the last
#: 24 months. The official statistics operationalise this day-exact: at least 638 of the 730 days
#: ending at the Stichtag (convention C3).
LZB_WINDOW_DAYS = 730
LZB_MIN_DAYS = 638

# --- Entries and exits ------------------------------------------------------------------------
#: C4: eLb spells of a person in one reporting unit are merged when the gap is at most 7 days.
MERGE_GAP_DAYS = 7

# --- Publication ------------------------------------------------------------------------------
#: C11: BA Statistik "Wartezeit" — months within 3 months of the as-of date are provisional.
WAITING_MONTHS = 3
#: C10: groups of fewer than 3 persons are suppressed outside the controlling role.
SMALL_NUMBER_MIN = 3

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

# --- Employment classes ------------------------------------------------------------------------
#: Kinds of employment that are integrations (svB, fully qualifying vocational training,
#: self-employment) unless publicly funded (§ 48a SGB II with § 4 SGB2§48aFKV).
INTEGRATION_KINDS = frozenset({"svb", "training", "self_employed"})
#: Kinds that are employment subject to social insurance (for K2E3).
SVB_KINDS = frozenset({"svb", "training"})
MARGINAL_KIND = "marginal"
PUBLIC_FUNDED_KIND = "public_funded"


@dataclass(frozen=True)
class Regulation:
    """One version of the Kennzahlenverordnung with everything that depends on it."""

    key: str
    title: str
    citation: str
    first_month: Month
    last_month: Month | None
    #: K2E3 (C8): lag L in months between integration month and the end of the check.
    k2e3_lag_months: int
    #: "at_lag": in svB at S_{m+L} (Nachhaltigkeit, FKV 2011);
    #: "each_month": in svB at each S_{m+1} .. S_{m+L} (kontinuierliche Beschäftigung, FKV 2019).
    k2e3_rule: str
    k2e3_name: str
    #: Subsidies that accompany employment and leave it an integration.
    accompanying_subsidies: frozenset[str]
    #: Subsidies that make employment publicly funded: never an integration, counted in K2E2.
    publicly_funded_subsidies: frozenset[str]
    #: Instruments that count as an active labour-market measure (K3E2).
    active_instruments: frozenset[str]

    def applies_to(self, month: Month) -> bool:
        return self.first_month <= month and (self.last_month is None or month <= self.last_month)


_ALL_ACTIVE = frozenset(
    {
        "activation",
        "vocational_further_training",
        "placement_budget",
        "agh",
        "fav",
        "16e_new",
        "16f",
        "16h",
        "16i",
        "egz",
        "esg",
        "other_active",
    }
)

FKV_2011 = Regulation(
    key="FKV2011",
    title="Kennzahlenverordnung vom 24.03.2011",
    citation="SGB2§48aFKV i. d. F. vom 24.03.2011",
    first_month=Month(2011, 1),
    last_month=Month(2018, 12),
    k2e3_lag_months=12,
    k2e3_rule="at_lag",
    k2e3_name="Nachhaltigkeit der Integrationen",
    accompanying_subsidies=frozenset({"none", "egz", "esg", "other"}),
    # § 16e new and § 16i did not exist before 2019; should a dataset carry them earlier, they are
    # treated like their predecessors (§ 16e old, FAV): publicly funded.
    publicly_funded_subsidies=frozenset({"agh", "fav", "16e_new", "16i"}),
    active_instruments=_ALL_ACTIVE,
)

FKV_2019 = Regulation(
    key="FKV2019",
    title="Kennzahlenverordnung vom 15.03.2019",
    citation="SGB2§48aFKV i. d. F. vom 15.03.2019",
    first_month=Month(2019, 1),
    last_month=None,
    k2e3_lag_months=6,
    k2e3_rule="each_month",
    k2e3_name="Kontinuierliche Beschäftigung nach Integration",
    # § 16e new version (Teilhabechancengesetz) is employment-accompanying from 2019.
    accompanying_subsidies=frozenset({"none", "egz", "esg", "16e_new", "other"}),
    publicly_funded_subsidies=frozenset({"agh", "fav", "16i"}),
    active_instruments=_ALL_ACTIVE,
)

REGULATIONS: tuple[Regulation, ...] = (FKV_2011, FKV_2019)


def regulation_for(month: Month) -> Regulation:
    """The regulation version in force for reporting month ``month``."""
    for reg in REGULATIONS:
        if reg.applies_to(month):
            return reg
    raise ValueError(f"Für den Berichtsmonat {month} gilt keine Kennzahlenverordnung (erst ab 2011-01).")


def is_integration(kind: str, subsidy: str, reg: Regulation) -> bool:
    """Employment that is an integration under ``reg`` (§ 48a SGB II, domain.md § 2)."""
    return kind in INTEGRATION_KINDS and subsidy not in reg.publicly_funded_subsidies


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
