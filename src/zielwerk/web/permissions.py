"""Roles and permissions: the ONE table the server enforces (role → permissions).

Person-level data is gated separately by :func:`person_scope` / :func:`may_read_person` (case
managers: their own caseload; team leads: their team's caseload), and
municipality users by :func:`allowed_units` (their municipality only; C10 suppression applies).
Supervision users (role ``aufsicht``, issue 14) see aggregates of the Jobcenters assigned to them
(``supervision_assignments``; :func:`zielwerk.web.supervision.assigned_jobcenters`): the status matrix,
a Jobcenter's overview without person-level data and the peer comparison, with C10 applied.
Hiding a link is never the rule: every route calls ``ctx.require(<permission>)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from zielwerk.store.roles import ROLES  # the role list lives in the store (the CLI needs it without web)

_ALL = frozenset(ROLES)
_LEAD = frozenset({"geschaeftsfuehrung", "controlling"})

#: permission → roles holding it
PERMISSIONS: dict[str, frozenset[str]] = {
    "overview.view": frozenset({"admin", "geschaeftsfuehrung", "controlling", "traeger"}),
    "indicators.view": frozenset({"admin", "geschaeftsfuehrung", "controlling", "traeger", "kommune"}),
    "agreement.view": frozenset({"admin", "geschaeftsfuehrung", "controlling", "traeger"}),
    "agreement.edit": _LEAD,
    "agreement.sign": frozenset({"geschaeftsfuehrung", "traeger"}),
    "reports.view": frozenset({"admin", "geschaeftsfuehrung", "controlling", "traeger"}),
    # deviation comments per goal and month (Abweichungsbegründung, issue 13)
    "report.comment": _LEAD,
    "data.view": frozenset({"admin", "controlling"}),
    "data.import": frozenset({"admin", "controlling"}),
    "admin.users": frozenset({"admin"}),
    "admin.audit": frozenset({"admin"}),
    # person-level data: only where needed (lead roles), case managers for their own caseload
    "casework.view": _LEAD | {"fallmanagement"},
    "person.read": _LEAD | {"fallmanagement"},
    "casework.write": frozenset({"fallmanagement"}),
    # C10: only controlling sees figures of groups below 3 persons unsuppressed
    "figures.unsuppressed": frozenset({"controlling"}),
    # own account: change the own password, own API tokens (issued only to their owner, issue 12)
    "account.self": _ALL,
    "api.token": _ALL,
    # issue 14: the Vergleichstyp peer comparison (aggregates of the official figures)
    "peers.view": frozenset({"admin", "geschaeftsfuehrung", "controlling", "traeger", "aufsicht"}),
    # issue 14: the status matrix and overviews of the Jobcenters assigned to a supervising body
    "supervision.view": frozenset({"aufsicht"}),
}

#: a user with a one-time password (set by an administrator) reaches only these paths until changed
PASSWORD_CHANGE_PATH = "/konto/passwort"
ONE_TIME_PASSWORD_PATHS = frozenset({PASSWORD_CHANGE_PATH, "/abmelden"})


class PasswordChangeRequired(Exception):
    """The user still has a one-time password (HTML: redirect to the change form; API: 403)."""

#: the page a role lands on after login
LANDING: dict[str, str] = {
    "admin": "/",
    "geschaeftsfuehrung": "/",
    "controlling": "/",
    "traeger": "/",
    "kommune": "/kennzahlen",
    "fallmanagement": "/fallsteuerung/heute",  # issue 13 item 5: "Heute" is the case managers' start page
    "aufsicht": "/aufsicht",  # issue 14: the status matrix of the assigned Jobcenters
}

#: navigation: (label, path, permission)
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("Überblick", "/", "overview.view"),
    ("Kennzahlen", "/kennzahlen", "indicators.view"),
    ("Zielvereinbarung", "/zielvereinbarung", "agreement.view"),
    ("Berichte", "/berichte", "reports.view"),
    ("Aufsicht", "/aufsicht", "supervision.view"),
    ("Vergleich", "/vergleich", "peers.view"),
    ("Daten", "/daten", "data.view"),
    ("Fallsteuerung", "/fallsteuerung", "casework.view"),
    ("Verwaltung", "/verwaltung", "admin.users"),
)


def start_page(role: str | None) -> str:
    """Where a role lands (logo, "Zur Startseite", ``/`` for roles without the overview)."""
    return LANDING.get(role or "", "/anmelden")


def navigation(role: str | None) -> list[tuple[str, str]]:
    """(label, path) of the main navigation: exactly the entries whose permission the role holds."""
    return [(label, path) for label, path, perm in NAVIGATION if role is not None and has(role, perm)]


def has(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (unknown permissions are a programming error)."""
    return role in PERMISSIONS[permission]


@dataclass(frozen=True)
class PersonScope:
    """Which persons a user may see: ``kind`` is ``all``, ``caseworker`` (``value`` = caseworker id),
    ``team`` (``value`` = team) or ``none``."""

    kind: str
    value: str = ""

    def admits(self, person_caseworker_id: str | None, person_team: str | None) -> bool:
        if self.kind == "all":
            return True
        if self.kind == "caseworker":
            return person_caseworker_id is not None and person_caseworker_id == self.value
        if self.kind == "team":
            return person_team is not None and person_team == self.value
        return False


def person_scope(role: str, caseworker_id: str | None, team: str | None = None) -> PersonScope:
    """The person scope of a user.

    Lead roles: all persons. Role ``fallmanagement``: with a caseworker id the user is a case manager
    and sees only that caseload; without a caseworker id but with a team the user is the team lead
    and sees the caseload of every caseworker of that team (team = the caseworker's ``team`` in the
    dataset); with neither, nobody. Roles without ``person.read``: nobody.
    """
    if not has(role, "person.read"):
        return PersonScope("none")
    if role == "fallmanagement":
        if caseworker_id:
            return PersonScope("caseworker", caseworker_id)
        if team:
            return PersonScope("team", team)
        return PersonScope("none")
    return PersonScope("all")


def may_read_person(role: str, user_caseworker_id: str | None, person_caseworker_id: str | None,
                    user_team: str | None = None, person_team: str | None = None) -> bool:
    """Person-level access: lead roles all persons; case managers only their own caseload; team leads
    (``fallmanagement`` with a team and no caseworker id) the caseload of their team."""
    return person_scope(role, user_caseworker_id, user_team).admits(person_caseworker_id, person_team)


def allowed_units(role: str, municipality_id: str | None) -> tuple[str, str] | None:
    """``None`` = every unit; else the only (unit_type, unit_id) the role may see."""
    if role == "kommune":
        return ("municipality", municipality_id or "")
    return None


def suppressed_figures(role: str) -> bool:
    """C10 applies to the figures this role is shown (every role but controlling)."""
    return not has(role, "figures.unsuppressed")
