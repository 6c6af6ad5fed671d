"""Target agreements and their versions. A change never overwrites: it adds a version."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Agreement, AgreementVersion, utcnow


class AgreementError(ValueError):
    """An agreement operation was refused (German message)."""


def get(session: Session, key: str) -> Agreement | None:
    return session.scalar(select(Agreement).where(Agreement.key == key))


def all_agreements(session: Session) -> list[Agreement]:
    return list(session.scalars(select(Agreement).order_by(Agreement.year.desc(), Agreement.key)))


def create(
    session: Session,
    *,
    key: str,
    title: str,
    jobcenter_id: str,
    year: int,
    document: str,
    created_by: str,
    document_format: str = "toml",
    reason: str = "Erstfassung",
) -> Agreement:
    """Create an agreement with its first version."""
    if get(session, key) is not None:
        raise AgreementError(f"Die Zielvereinbarung „{key}“ gibt es schon.")
    agreement = Agreement(key=key, title=title, jobcenter_id=jobcenter_id, year=year)
    session.add(agreement)
    session.flush()
    add_version(
        session, agreement, document, reason=reason, created_by=created_by, document_format=document_format
    )
    return agreement


def add_version(
    session: Session,
    agreement: Agreement,
    document: str,
    *,
    reason: str,
    created_by: str,
    document_format: str = "toml",
) -> AgreementVersion:
    """Append a new version; a reason is required for every version after the first."""
    if agreement.versions and not reason.strip():
        raise AgreementError("Für eine neue Fassung ist eine Begründung nötig.")
    number = (agreement.versions[-1].number + 1) if agreement.versions else 1
    version = AgreementVersion(
        agreement_id=agreement.id,
        number=number,
        document=document,
        document_format=document_format,
        reason=reason.strip(),
        created_by=created_by,
        signatures=[],
    )
    session.add(version)
    session.flush()
    session.refresh(agreement)
    return version


def sign(session: Session, version: AgreementVersion, username: str, role: str, party: str = "",
         name: str = "") -> AgreementVersion:
    """Add a signature to a version (once per user; with ``party``, once per party)."""
    if any(s["username"] == username for s in version.signatures):
        raise AgreementError("Diese Fassung ist von Ihnen bereits unterzeichnet.")
    if party and any(s.get("party") == party for s in version.signatures):
        raise AgreementError("Für diese Partei ist die Fassung bereits unterzeichnet.")
    entry = {"username": username, "role": role, "at": utcnow().isoformat()}
    if party:
        entry.update(party=party, name=name or username)
    version.signatures = [*version.signatures, entry]
    session.flush()
    return version
