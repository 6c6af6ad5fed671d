"""Code lists of the canonical dataset (docs/data-contract.md). Defined once, used everywhere."""

from __future__ import annotations

JOBCENTER_FORMS = ("gE", "zkT")
SEXES = ("f", "m", "d")
CITIZENSHIPS = ("de", "eu", "non_eu")
SCHOOL_DEGREES = ("none", "hauptschule", "realschule", "abitur")
VOCATIONAL_DEGREES = ("none", "vocational", "academic")
SPELL_STATUSES = ("elb", "nef")
BG_ROLES = ("head", "partner", "child", "other")
BG_TYPES = ("single", "single_parent", "couple", "couple_children", "other")
EMPLOYMENT_KINDS = ("svb", "training", "self_employed", "marginal", "public_funded")
SUBSIDIES = ("none", "egz", "esg", "16e_new", "agh", "fav", "16i", "other")
INSTRUMENTS = (
    "activation",  # § 16 SGB II with § 45 SGB III
    "vocational_further_training",  # § 16 SGB II with § 81 SGB III
    "placement_budget",  # § 16 SGB II with § 44 SGB III
    "agh",  # § 16d SGB II Arbeitsgelegenheiten
    "fav",  # § 16e SGB II old version (Förderung von Arbeitsverhältnissen)
    "16e_new",  # § 16e SGB II new version (from 2019)
    "16f",  # § 16f SGB II freie Förderung
    "16h",  # § 16h SGB II schwer zu erreichende junge Menschen
    "16i",  # § 16i SGB II Teilhabe am Arbeitsmarkt (from 2019)
    "egz",  # Eingliederungszuschuss
    "esg",  # § 16b SGB II Einstiegsgeld
    "other_active",
)
OBSTACLE_CATEGORIES = (
    "health_physical",
    "health_mental",
    "addiction",
    "childcare",
    "care_of_relatives",
    "debt",
    "housing",
    "language",
    "school_qualification",
    "vocational_qualification",
    "work_experience",
    "motivation",
    "mobility",
    "other",
)
CHILDCARE_SLOTS = ("early", "late", "weekend", "night")
PROVIDER_KINDS = ("kita", "tagespflege", "other")
SEX_GROUPS = ("all", "f", "m")  # C9: output groups
UNIT_TYPES = ("jobcenter", "municipality", "total")

# German labels for what users see.
SEX_LABELS = {"all": "insgesamt", "f": "Frauen", "m": "Männer", "d": "divers"}
SLOT_LABELS = {
    "early": "früh (vor 7 Uhr)",
    "late": "spät (nach 17 Uhr)",
    "weekend": "Wochenende",
    "night": "Nacht",
}
OBSTACLE_LABELS = {
    "health_physical": "Gesundheit (körperlich)",
    "health_mental": "Gesundheit (psychisch)",
    "addiction": "Sucht",
    "childcare": "Kinderbetreuung",
    "care_of_relatives": "Pflege von Angehörigen",
    "debt": "Schulden",
    "housing": "Wohnen",
    "language": "Sprache",
    "school_qualification": "Schulabschluss",
    "vocational_qualification": "Berufsabschluss",
    "work_experience": "Berufserfahrung",
    "motivation": "Motivation",
    "mobility": "Mobilität",
    "other": "Sonstiges",
}
