"""The canonical dataset's tables, columns, codes, keys and references (docs/data-contract.md).

This module is the single machine-readable copy of the contract. Readers, the validator, the
synthetic generators and the engine all take column names, types and code lists from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zielwerk.domain import codes

# Column types: "str" identifier/text, "date" ISO date, "month" YYYY-MM, "float" decimal number,
# "int" whole number, "slots" space-separated list of CHILDCARE_SLOTS.
ColumnType = str


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "str"
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # an empty value is allowed
    codes: tuple[str, ...] | None = None
    max_length: int | None = None  # text: at most this many characters


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    required: bool = True  # core table (must exist) or optional casework table
    key: tuple[str, ...] = ()  # unique key, if any
    references: tuple[ForeignKey, ...] = field(default=())

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


#: longest first or last name accepted (characters)
NAME_MAX_LENGTH = 100


def _c(name: str, type: ColumnType = "str", **kw) -> Column:
    return Column(name, type, **kw)


TABLES: tuple[Table, ...] = (
    Table(
        "jobcenters",
        (
            _c("jobcenter_id"),
            _c("name"),
            _c("form", codes=codes.JOBCENTER_FORMS),
            _c("vergleichstyp", required=False, nullable=True),
        ),
        key=("jobcenter_id",),
    ),
    Table(
        "municipalities",
        (_c("municipality_id"), _c("name"), _c("jobcenter_id")),
        key=("municipality_id",),
        references=(ForeignKey("jobcenter_id", "jobcenters", "jobcenter_id"),),
    ),
    Table(
        "persons",
        (
            _c("person_id"),
            _c("birth_date", "date"),
            _c("sex", codes=codes.SEXES),
            _c("citizenship", required=False, nullable=True, codes=codes.CITIZENSHIPS),
            _c("school_degree", required=False, nullable=True, codes=codes.SCHOOL_DEGREES),
            _c("vocational_degree", required=False, nullable=True, codes=codes.VOCATIONAL_DEGREES),
            # person-level data (docs/data.md, "Person names"): shown only to roles with person.read
            _c("first_name", required=False, nullable=True, max_length=NAME_MAX_LENGTH),
            _c("last_name", required=False, nullable=True, max_length=NAME_MAX_LENGTH),
        ),
        key=("person_id",),
    ),
    Table(
        "elb_spells",
        (
            _c("person_id"),
            _c("bg_id"),
            _c("municipality_id"),
            _c("status", codes=codes.SPELL_STATUSES),
            _c("role", codes=codes.BG_ROLES),
            _c("start", "date"),
            _c("end", "date", nullable=True),
        ),
        references=(
            ForeignKey("person_id", "persons", "person_id"),
            ForeignKey("municipality_id", "municipalities", "municipality_id"),
        ),
    ),
    Table(
        "households",
        (_c("bg_id"), _c("bg_type", codes=codes.BG_TYPES), _c("start", "date"), _c("end", "date", nullable=True)),
    ),
    Table(
        "payments",
        (_c("bg_id"), _c("month", "month"), _c("municipality_id"), _c("llu", "float"), _c("luh", "float")),
        key=("bg_id", "month"),
        references=(ForeignKey("municipality_id", "municipalities", "municipality_id"),),
    ),
    Table(
        "employment",
        (
            _c("person_id"),
            _c("kind", codes=codes.EMPLOYMENT_KINDS),
            _c("subsidy", codes=codes.SUBSIDIES),
            _c("start", "date"),
            _c("end", "date", nullable=True),
        ),
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    Table(
        "measures",
        (_c("person_id"), _c("instrument", codes=codes.INSTRUMENTS), _c("start", "date"), _c("end", "date", nullable=True)),
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    Table(
        "children",
        (_c("person_id"), _c("child_birth_date", "date")),
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    # --- casework tables (optional) ---
    Table(
        "caseworkers",
        (_c("caseworker_id"), _c("name"), _c("team"), _c("jobcenter_id")),
        required=False,
        key=("caseworker_id",),
        references=(ForeignKey("jobcenter_id", "jobcenters", "jobcenter_id"),),
    ),
    Table(
        "assignments",
        (_c("person_id"), _c("caseworker_id"), _c("start", "date"), _c("end", "date", nullable=True)),
        required=False,
        references=(
            ForeignKey("person_id", "persons", "person_id"),
            ForeignKey("caseworker_id", "caseworkers", "caseworker_id"),
        ),
    ),
    Table(
        "obstacles",
        (
            _c("person_id"),
            _c("category", codes=codes.OBSTACLE_CATEGORIES),
            _c("start", "date"),
            _c("end", "date", nullable=True),
        ),
        required=False,
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    Table(
        "childcare_needs",
        (
            _c("person_id"),
            _c("child_birth_date", "date"),
            _c("slots", "slots"),
            _c("start", "date"),
            _c("end", "date", nullable=True),
        ),
        required=False,
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    Table(
        "childcare_providers",
        (
            _c("provider_id"),
            _c("name"),
            _c("municipality_id"),
            _c("kind", codes=codes.PROVIDER_KINDS),
            _c("slots", "slots", nullable=True),
            _c("min_age_months", "int"),
            _c("max_age_months", "int"),
            _c("capacity", "int"),
            _c("free_places", "int"),
        ),
        required=False,
        key=("provider_id",),
        references=(ForeignKey("municipality_id", "municipalities", "municipality_id"),),
    ),
    # --- extension tables (optional, issue 15 item 1; docs/data.md "Extension tables") ---
    Table(
        "unemployment_spells",  # registered as unemployed (arbeitslos gemeldet, § 16 SGB III)
        (_c("person_id"), _c("start", "date"), _c("end", "date", nullable=True)),
        required=False,
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    Table(
        "school_attendance",
        (
            _c("person_id"),
            _c("school_type", codes=codes.SCHOOL_TYPES),
            _c("start", "date"),
            _c("end", "date", nullable=True),
        ),
        required=False,
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    Table(
        "exemptions",  # § 10 SGB II: work cannot reasonably be required (Unzumutbarkeit)
        (
            _c("person_id"),
            _c("reason", codes=codes.EXEMPTION_REASONS),
            _c("start", "date"),
            _c("end", "date", nullable=True),
        ),
        required=False,
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    Table(
        "profile_stages",  # four-phase model: the stage assessed on a day holds until the next assessment
        (_c("person_id"), _c("stage", codes=codes.PROFILE_STAGES), _c("assessed_on", "date")),
        required=False,
        key=("person_id", "assessed_on"),
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
    Table(
        "action_plan_periods",  # Eingliederungsvereinbarung (until 30.06.2023) / Kooperationsplan
        (_c("person_id"), _c("start", "date"), _c("end", "date", nullable=True)),
        required=False,
        references=(ForeignKey("person_id", "persons", "person_id"),),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
CORE_TABLES = tuple(t.name for t in TABLES if t.required)
#: optional tables: the casework tables and the extension tables
CASEWORK_TABLES = tuple(t.name for t in TABLES if not t.required)
#: the optional tables of the contract extension (issue 15 item 1)
EXTENSION_TABLES = ("unemployment_spells", "school_attendance", "exemptions", "profile_stages",
                    "action_plan_periods")
