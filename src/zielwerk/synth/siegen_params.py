"""Parameters of the Siegen-Wittgenstein scenario: geography and the calibrated transition rates.

The geography is real (Kreis Siegen-Wittgenstein, Kreisschlüssel 05970, 11 municipalities with their
8-digit AGS and population 31.12.2019, docs/domain.md § 1). The rates are monthly hazards tuned so that
the written data meet the calibration targets of issue 2 at the Stichtage of 2016 (see
``zielwerk.synth.calibration.TARGETS``); they are plausible, not estimated from real micro data.
"""

from __future__ import annotations

JOBCENTER_ID = "05970"
JOBCENTER_NAME = "Jobcenter Kreis Siegen-Wittgenstein"
JOBCENTER_FORM = "gE"
VERGLEICHSTYP = "IIb"

#: (AGS, name, population 31.12.2019, region of the local office / team). AGS as in docs/domain.md § 1
#: (numbered by the old names: Bad Laasphe was Laasphe). Listed by today's name: this order is the
#: simulation's draw order (changing it changes every draw); the written table is sorted by AGS.
MUNICIPALITIES: tuple[tuple[str, str, int, str], ...] = (
    ("05970004", "Bad Berleburg", 18914, "Wittgenstein"),
    ("05970028", "Bad Laasphe", 13504, "Wittgenstein"),
    ("05970008", "Burbach", 14856, "Süd"),
    ("05970012", "Erndtebrück", 6934, "Wittgenstein"),
    ("05970016", "Freudenberg", 17711, "Nord"),
    ("05970020", "Hilchenbach", 14801, "Nord"),
    ("05970024", "Kreuztal", 31122, "Nord"),
    ("05970032", "Netphen", 23081, "Nord"),
    ("05970036", "Neunkirchen", 13165, "Süd"),
    ("05970040", "Siegen", 102770, "Siegen"),
    ("05970044", "Wilnsdorf", 20086, "Süd"),
)
SIEGEN_AGS = "05970040"
#: Benefit receipt per inhabitant is higher in the city (urban premium), as everywhere.
URBAN_PREMIUM = 1.45

# --- time frame -------------------------------------------------------------------------------
SIM_START = (2005, 1)  # SGB II came into force on 1 January 2005: the initial stock starts then
SIM_END = (2017, 12)
AS_OF = (2017, 12, 31)
FIRST_PAYMENT_MONTH = (2012, 1)
#: Rows (spells, employment, ...) that ended before this day are not written.
KEEP_FROM = (2010, 1, 1)

#: eLb stock the entry process steers to at each month end (persons).
TARGET_ELB = 10960
INITIAL_BGS = 8600

# --- persistence classes (latent): 0 short, 1 medium, 2 long-term ---------------------------
ENTRY_CLASS_SHARES = (0.67, 0.2, 0.13)
INITIAL_CLASS_SHARES = (0.22, 0.30, 0.48)
#: monthly hazard of leaving benefits for other reasons than an own integration (income of others,
#: moving away, other benefits) by class
EXIT_HAZARD = (0.175, 0.024, 0.003)
#: monthly hazard of an integration (svB, training, self-employment) of an eLb by class
INTEGRATION_HAZARD = (0.125, 0.062, 0.024)
INTEGRATION_SEX_FACTOR = {"f": 0.62, "m": 1.0, "d": 0.85}
#: parent (mostly mother) of a child under 3: work not required (§ 10 (1) Nr. 3 SGB II)
INTEGRATION_PARENT_U3_FACTOR = 0.25
INTEGRATION_AGE_55_FACTOR = 0.45
INTEGRATION_SCHOOL_AGE_FACTOR = 0.25  # 15-17, still at school
#: probability that the BG leaves benefits after an integration, by single/multi-person BG
EXIT_AFTER_INTEGRATION = {True: 0.62, False: 0.42}
#: monthly hazard of a former BG coming back within REENTRY_MONTHS after its exit, by class
REENTRY_HAZARD = (0.022, 0.03, 0.04)
REENTRY_MONTHS = 36

# --- household composition at entry --------------------------------------------------------
#: BG types at entry: single, single_parent, couple, couple_children, other (parent + adult child)
ENTRY_TYPE_SHARES = (0.685, 0.125, 0.08, 0.10, 0.01)
INITIAL_TYPE_SHARES = (0.63, 0.16, 0.09, 0.11, 0.01)
#: share of young (18-24) heads among single BG at entry
YOUNG_SINGLE_SHARE = 0.55
#: monthly hazards of household events
MOVE_HAZARD = 0.0025
PARTNER_JOINS_HAZARD = 0.0025
PARTNER_LEAVES_HAZARD = 0.005
BIRTH_HAZARD = 0.005
BIRTH_SINGLE_FACTOR = 0.3
ADULT_CHILD_LEAVES_HAZARD = 0.03
#: share of a leaving partner / adult child that forms an own BG in receipt
LEAVER_STAYS_IN_RECEIPT = 0.6

# --- employment and measures (monthly hazards) ------------------------------------------------
#: svB jobs after an integration: a mixture of short jobs (probation, seasonal) and lasting ones, so that
#: about 60 % are still in svB 12 months later (K2E3 Nachhaltigkeit)
JOB_SHORT_SHARE = 0.3
JOB_SHORT_MEAN_DAYS = 110
JOB_LONG_MEAN_DAYS = 1900
MARGINAL_HAZARD = 0.010
AGH_HAZARD_LONG = 0.0045
FAV_HAZARD_LONG = 0.0004
ACTIVATION_HAZARD = 0.022
FURTHER_TRAINING_HAZARD = 0.004
#: parents whose youngest child is 12-35 months old (docs/domain.md § 4)
PARENT_WINDOW_ACTIVATION_FACTOR = 1.8
PARENT_WINDOW_TRAINING_FACTOR = 2.5
PLACEMENT_BUDGET_HAZARD = 0.006
OTHER_ACTIVE_HAZARD = 0.002
U25_16H_HAZARD = 0.003
FREE_16F_HAZARD = 0.001

CITIZENSHIP_SHARES = (("de", 0.70), ("eu", 0.09), ("non_eu", 0.21))
