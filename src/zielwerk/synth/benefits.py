"""Benefit amounts used by the synthetic scenarios (plausible, not a benefit calculator).

Regular needs (Regelbedarfsstufen, RBS) per § 20 and § 23 SGB II with the Regelbedarfs-
Ermittlungsgesetz and the yearly RBS-Fortschreibungsverordnungen; the additional need of single
parents per § 21 (3) SGB II; the statutory retirement age per § 7a SGB II. These figures only shape
the synthetic data; the indicator engine never uses them.
"""

from __future__ import annotations

from datetime import date

#: Regelbedarfsstufen 1..6 in EUR per month by calendar year (§ 20 (2), § 23 Nr. 1 SGB II).
#: 1 single adult, 2 each partner, 3 adult (18-24) in the parents' BG, 4 age 14-17, 5 age 6-13, 6 age 0-5.
REGELBEDARF: dict[int, tuple[int, int, int, int, int, int]] = {
    2005: (345, 311, 276, 276, 207, 207),
    2006: (345, 311, 276, 276, 207, 207),
    2007: (347, 312, 278, 278, 208, 208),
    2008: (351, 316, 281, 281, 211, 211),
    2009: (359, 323, 287, 287, 251, 215),
    2010: (359, 323, 287, 287, 251, 215),
    2011: (364, 328, 291, 287, 251, 215),
    2012: (374, 337, 299, 287, 251, 219),
    2013: (382, 345, 306, 289, 255, 224),
    2014: (391, 353, 313, 296, 261, 229),
    2015: (399, 360, 320, 302, 267, 234),
    2016: (404, 364, 324, 306, 270, 237),
    2017: (409, 368, 327, 311, 291, 237),
}


def regelbedarf(year: int, stufe: int) -> int:
    """The regular need of Regelbedarfsstufe ``stufe`` (1..6) in ``year``."""
    table = REGELBEDARF[min(max(year, 2005), 2017)]
    return table[stufe - 1]


def child_stufe(age: int) -> int:
    """Regelbedarfsstufe of a child member by completed age (§ 23 Nr. 1 SGB II)."""
    if age <= 5:
        return 6
    if age <= 13:
        return 5
    if age <= 17:
        return 4
    return 3


def single_parent_supplement_share(child_ages: list[int]) -> float:
    """§ 21 (3) SGB II: share of RBS 1 as additional need of a single parent.

    36 % with one child under 7 or two or three children under 16; otherwise 12 % per minor child,
    at most 60 %. The larger of both applies.
    """
    minors = [a for a in child_ages if a < 18]
    if not minors:
        return 0.0
    a = 0.36 if (any(x < 7 for x in minors) or 2 <= sum(1 for x in minors if x < 16) <= 3) else 0.0
    b = min(0.12 * len(minors), 0.60)
    return max(a, b)


def retirement_date(birth: date) -> date:
    """First day after reaching the statutory retirement age (§ 7a SGB II): 65 years, plus one month
    per birth year after 1946 up to 1958 (12 months), then two months per year (67 for 1964+)."""
    y = birth.year
    extra = 0 if y <= 1946 else (y - 1946 if y <= 1958 else min(12 + 2 * (y - 1958), 24))
    months = birth.month - 1 + extra
    yy = y + 65 + months // 12
    mm = months % 12 + 1
    day = min(birth.day, 28)
    return date(yy, mm, day)


#: Warm rent per m² (EUR, 2016) by municipality, a plausible level for the Kreis (Siegen highest).
RENT_PER_SQM_2016: dict[str, float] = {
    "05970040": 7.9,  # Siegen
    "05970024": 7.4,  # Kreuztal
    "05970032": 7.1,  # Netphen
    "05970044": 7.2,  # Wilnsdorf
    "05970004": 6.6,  # Bad Berleburg
    "05970016": 7.0,  # Freudenberg
    "05970008": 6.9,  # Burbach
    "05970020": 6.8,  # Hilchenbach
    "05970028": 6.5,  # Bad Laasphe
    "05970036": 7.0,  # Neunkirchen
    "05970012": 6.4,  # Erndtebrück
}


def appropriate_area(persons: int) -> int:
    """Appropriate living space in m² by household size (NRW Wohnraumförderung: 50 m² for one
    person, 15 m² for each further person)."""
    return 50 + 15 * max(persons - 1, 0)


def rent_index(year: int) -> float:
    """Rent level relative to 2016 (about 1.5 % a year)."""
    return 1.015 ** (year - 2016)
