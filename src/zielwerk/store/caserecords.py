"""Generic case records for the casework area: contacts and action plans."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ActionPlan, CaseContact

#: an action plan is reviewed at least every 6 months (BA 4-phase model; § 15 SGB II)
MAX_REVIEW_MONTHS = 6


class CaseRecordError(ValueError):
    """A case record was refused (German message)."""


def add_contact(
    session: Session,
    *,
    person_id: str,
    caseworker_id: str,
    created_by: str,
    outcome: str,
    channel: str = "persoenlich",
    note: str = "",
    at: datetime | None = None,
) -> CaseContact:
    contact = CaseContact(
        person_id=person_id,
        caseworker_id=caseworker_id,
        created_by=created_by,
        outcome=outcome,
        channel=channel,
        note=note,
    )
    if at is not None:
        contact.at = at
    session.add(contact)
    session.flush()
    return contact


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_action_plan(
    session: Session,
    *,
    person_id: str,
    caseworker_id: str,
    created_by: str,
    agreed_on: date,
    review_on: date | None = None,
    goals: list[str] | None = None,
) -> ActionPlan:
    """Record an action plan; the review date defaults to, and may not exceed, 6 months later."""
    latest = _add_months(agreed_on, MAX_REVIEW_MONTHS)
    review_on = review_on or latest
    if review_on < agreed_on or review_on > latest:
        raise CaseRecordError(
            f"Das Überprüfungsdatum muss zwischen {agreed_on:%d.%m.%Y} und {latest:%d.%m.%Y} liegen."
        )
    plan = ActionPlan(
        person_id=person_id,
        caseworker_id=caseworker_id,
        created_by=created_by,
        agreed_on=agreed_on,
        review_on=review_on,
        goals=list(goals or []),
    )
    session.add(plan)
    session.flush()
    return plan


def contacts_of(session: Session, person_id: str) -> list[CaseContact]:
    return list(
        session.scalars(
            select(CaseContact).where(CaseContact.person_id == person_id).order_by(CaseContact.at.desc())
        )
    )


def plans_of(session: Session, person_id: str) -> list[ActionPlan]:
    return list(
        session.scalars(
            select(ActionPlan).where(ActionPlan.person_id == person_id).order_by(ActionPlan.agreed_on.desc())
        )
    )
