"""The roles of user accounts (key → German label); ``zielwerk.web.permissions`` maps them to permissions."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "admin": "Administration",
    "geschaeftsfuehrung": "Geschäftsführung",
    "controlling": "Controlling",
    "traeger": "Trägervertretung",
    "kommune": "Kommune",
    "fallmanagement": "Fallmanagement",
    # supervising body (Regionaldirektion, Land; issue 14): its assigned Jobcenters, aggregates only
    "aufsicht": "Aufsicht (Regionaldirektion, Land)",
}
