"""One signature state per agreement version, shared by file import, web pages and the report (issue 13).

A version's signatures are, per party (``zielwerk.targets.model.PARTIES``: Kreis, Agentur für Arbeit,
Jobcenter), the dated ``[[unterzeichner]]`` entries of its TOML document (a signed file imported as it
is) and the signatures given in the web (``agreement_versions.signatures``, JSON entries with the
party). A party signs once; the file's entry wins over a later web entry for the same party.

Decision (the specification names parties, the users table does not): the role decides which parties a
user may sign for — ``geschaeftsfuehrung`` the Jobcenter, ``traeger`` the Kreis or the Agentur für
Arbeit (chosen on the confirmation page). Web signatures written before issue 13 carry no party: a
``geschaeftsfuehrung`` entry counts for the Jobcenter, a ``traeger`` entry for no party (shown, but
"Partei nicht erfasst").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from zielwerk.targets.model import PARTIES, SIGNED

#: role → parties a user of that role may sign for
ROLE_PARTIES: dict[str, tuple[str, ...]] = {"geschaeftsfuehrung": ("jobcenter",), "traeger": ("kreis", "agentur")}


@dataclass(frozen=True)
class Signature:
    party: str  # key of PARTIES, "" if unknown (old web entry)
    name: str
    function: str
    on: date | None
    source: str  # "Datei" | "Web"

    @property
    def party_label(self) -> str:
        return PARTIES.get(self.party, "Partei nicht erfasst")


def _web_date(text: str) -> date | None:
    try:
        return datetime.fromisoformat(text).date()
    except (TypeError, ValueError):
        return None


def signatures(version: Any, model: Any | None) -> list[Signature]:
    """The version's signatures: dated file entries, then web entries of parties not yet signed."""
    out: list[Signature] = []
    parties: set[str] = set()
    if model is not None:
        for s in model.signatories:
            if s.signed_on is not None and s.party not in parties:
                out.append(Signature(s.party, s.name, s.function, s.signed_on, "Datei"))
                parties.add(s.party)
    for entry in version.signatures or []:
        party = entry.get("party") or ("jobcenter" if entry.get("role") == "geschaeftsfuehrung" else "")
        if party and party in parties:
            continue
        out.append(Signature(party, entry.get("name") or entry.get("username", ""), entry.get("function", ""),
                             _web_date(entry.get("at", "")), "Web"))
        if party:
            parties.add(party)
    return out


def signed_parties(sigs: list[Signature]) -> set[str]:
    return {s.party for s in sigs if s.party}


def complete(sigs: list[Signature]) -> bool:
    """All three parties have signed."""
    return signed_parties(sigs) >= set(PARTIES)


def open_parties(role: str, sigs: list[Signature], username: str = "", version: Any = None) -> list[str]:
    """Parties ``role`` may still sign for (none once this user has signed the version)."""
    if version is not None and any(e.get("username") == username for e in version.signatures or []):
        return []
    done = signed_parties(sigs)
    return [p for p in ROLE_PARTIES.get(role, ()) if p not in done]


def parse_model(document: str) -> Any | None:
    """The document's agreement model, or None if it does not parse (figures are not checked)."""
    from zielwerk.targets import AgreementFileInvalid, parse_agreement

    try:
        return parse_agreement(document, check_figures=False)
    except (AgreementFileInvalid, ValueError):
        return None


def state_of(version: Any) -> list[Signature]:
    return signatures(version, parse_model(version.document))


def merged_model(model: Any, version: Any) -> Any:
    """``model`` with the version's signatures (file and web) as its signatories; status "unterzeichnet"
    once every party has signed — what the report prints."""
    from zielwerk.targets.model import Signatory

    sigs = signatures(version, model)
    signatories = tuple(Signatory(s.name, s.function or ("Unterzeichnet im Web" if s.source == "Web" else ""),
                                  s.party, s.on) for s in sigs if s.party)
    status = SIGNED if complete(sigs) else model.status
    return replace(model, signatories=signatories, status=status)


def merged_document(version: Any) -> str:
    """The version's TOML document with the one signature state: web signatures written as dated
    ``[[unterzeichner]]`` entries (status "unterzeichnet" once every party has signed), every other part
    unchanged. Unchanged text when the web added no signature."""
    import tomllib

    from .agreement_form import to_toml

    sigs = state_of(version)
    if not any(s.source == "Web" and s.party for s in sigs):
        return version.document
    raw = tomllib.loads(version.document)
    raw["unterzeichner"] = [{"name": s.name, "funktion": s.function or "Unterzeichnet im Web", "partei": s.party,
                             **({"datum": s.on} if s.on else {})} for s in sigs if s.party]
    if complete(sigs):
        raw["status"] = SIGNED
    head = version.document.splitlines()[0] if version.document.startswith("#") else ""
    return to_toml(raw, head.lstrip("# "))
