"""Roles and permissions: the ONE table the server enforces (role → permissions).

Person-level data is gated separately by :func:`may_read_person` (scope: own caseload), and
municipality users by :func:`allowed_units` (their municipality only; C10 suppression applies).
Hiding a link is never the rule: every route calls ``ctx.require(<permission>)``.
"""

from __future__ import annotations

ROLES: dict[str, str] = {
    "admin": "Administration",
    "geschaeftsfuehrung": "Geschäftsführung",
    "controlling": "Controlling",
    "traeger": "Trägervertretung",
    "kommune": "Kommune",
    "fallmanagement": "Fallmanagement",
}

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
    "api.token": _ALL,
}

#: the page a role lands on after login
LANDING: dict[str, str] = {
    "admin": "/",
    "geschaeftsfuehrung": "/",
    "controlling": "/",
    "traeger": "/",
    "kommune": "/kennzahlen",
    "fallmanagement": "/fallsteuerung",
}

#: navigation: (label, path, permission)
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("Überblick", "/", "overview.view"),
    ("Kennzahlen", "/kennzahlen", "indicators.view"),
    ("Zielvereinbarung", "/zielvereinbarung", "agreement.view"),
    ("Berichte", "/berichte", "reports.view"),
    ("Daten", "/daten", "data.view"),
    ("Fallsteuerung", "/fallsteuerung", "casework.view"),
    ("Verwaltung", "/verwaltung", "admin.users"),
)


def has(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (unknown permissions are a programming error)."""
    return role in PERMISSIONS[permission]


def may_read_person(role: str, user_caseworker_id: str | None, person_caseworker_id: str | None) -> bool:
    """Person-level access: lead roles all persons; case managers only their own caseload."""
    if not has(role, "person.read"):
        return False
    if role == "fallmanagement":
        return user_caseworker_id is not None and user_caseworker_id == person_caseworker_id
    return True


def allowed_units(role: str, municipality_id: str | None) -> tuple[str, str] | None:
    """``None`` = every unit; else the only (unit_type, unit_id) the role may see."""
    if role == "kommune":
        return ("municipality", municipality_id or "")
    return None
