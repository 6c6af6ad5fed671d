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
#: The Kreis's own services (§ 16a SGB II, kommunale Eingliederungsleistungen), recorded as instruments of
#: ``measures``. They are not § 16 SGB II, so never a measure of active labour-market policy in the sense of
#: the Kennzahlenverordnung (§ 2 Abs. 2 Nr. 1; K3E2 does not count them); local indicators count them.
KREIS_SERVICES = (
    "16a_childcare",  # § 16a Nr. 1 SGB II: care of minor or disabled children, home care of relatives
    "16a_debt",  # § 16a Nr. 2 SGB II: debt counselling
    "16a_psychosocial",  # § 16a Nr. 3 SGB II: psychosocial care
    "16a_addiction",  # § 16a Nr. 4 SGB II: addiction counselling
)
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
    *KREIS_SERVICES,
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
# --- contract extension (issue 15 item 1, docs/data.md "Extension tables") ---
#: school attended (school_attendance.school_type): general-education school (allgemeinbildende
#: Schule), vocational school full time (Berufskolleg/Berufsfachschule), other (e.g. evening school)
SCHOOL_TYPES = ("general", "vocational", "other")
#: reasons of § 10 SGB II exemptions (exemptions.reason): Abs. 1 Nr. 3 upbringing of a child under 3,
#: Nr. 4 care of a relative, Nr. 5 "wichtiger Grund" school/training, others (Nr. 1, 2, 5 otherwise)
EXEMPTION_REASONS = ("child_under_3", "care_of_relative", "school_training", "other")
#: profile stages of the four-phase model (4PM) of the BA (profile_stages.stage), from close to
#: the labour market to complex
PROFILE_STAGES = ("market", "activation", "promotion", "development", "stabilisation", "support")
#: 4PM: Marktprofil, Aktivierungsprofil, Förderprofil are "integrationsnahe Profile"; Entwicklungs-,
#: Stabilisierungs- and Unterstützungsprofil are "komplexe Profile"
INTEGRATION_NEAR_PROFILES = ("market", "activation", "promotion")
COMPLEX_PROFILES = ("development", "stabilisation", "support")

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

SCHOOL_TYPE_LABELS = {"general": "allgemeinbildende Schule", "vocational": "Berufskolleg (Vollzeit)",
                      "other": "sonstige Schule"}
EXEMPTION_LABELS = {
    "child_under_3": "Erziehung eines Kindes unter 3 Jahren (§ 10 Abs. 1 Nr. 3 SGB II)",
    "care_of_relative": "Pflege eines Angehörigen (§ 10 Abs. 1 Nr. 4 SGB II)",
    "school_training": "Schule oder Ausbildung (§ 10 Abs. 1 Nr. 5 SGB II)",
    "other": "sonstiger Grund (§ 10 SGB II)",
}
PROFILE_LABELS = {
    "market": "Marktprofil",
    "activation": "Aktivierungsprofil",
    "promotion": "Förderprofil",
    "development": "Entwicklungsprofil",
    "stabilisation": "Stabilisierungsprofil",
    "support": "Unterstützungsprofil",
}
KREIS_SERVICE_LABELS = {
    "16a_childcare": "Kinderbetreuung/Pflege (§ 16a Nr. 1 SGB II)",
    "16a_debt": "Schuldnerberatung (§ 16a Nr. 2 SGB II)",
    "16a_psychosocial": "psychosoziale Betreuung (§ 16a Nr. 3 SGB II)",
    "16a_addiction": "Suchtberatung (§ 16a Nr. 4 SGB II)",
}
