"""SQLAlchemy 2 models of Zielwerk's operational data.

Tables (documented for other areas in ``docs/web.md``):

* ``users`` – local accounts (argon2 hash), one role, and a scope (jobcenter, municipality,
  caseworker_id, team) that narrows what the role may see.
* ``web_sessions`` – server-side login sessions (the cookie holds only the random id) with the
  synchroniser CSRF token.
* ``api_tokens`` – bearer tokens for the JSON API (only a SHA-256 hash is stored).
* ``login_counters`` – atomic counters of login attempts (throttling per account and per client) and
  of failures per (account, client, time window) for the aggregated audit rows (``throttle.py``).
* ``audit_log`` – append-only and hash-chained: who, when, action, object, before/after as JSON, the
  hash of the previous row and of this row (``audit.py``); ``audit_chain_head`` holds the chain's end.
* ``agreements`` / ``agreement_versions`` – a target agreement and its immutable versions; the
  document itself is the targets module's TOML text, plus reason, author and signatures.
* ``case_contacts`` / ``action_plans`` – generic case records for the casework area.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (stored as UTC everywhere)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of all store tables."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(40))
    #: scope: a user's data is limited to these (None = not limited by this dimension)
    jobcenter_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    municipality_id: Mapped[str | None] = mapped_column(String(8), nullable=True)
    caseworker_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    team: Mapped[str | None] = mapped_column(String(80), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: a one-time password set by an administrator: the user must choose a new one before anything else
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def scope(self) -> dict[str, str | None]:
        """The scope as a plain dict (for audit entries and templates)."""
        return {
            "jobcenter_id": self.jobcenter_id,
            "municipality_id": self.municipality_id,
            "caseworker_id": self.caseworker_id,
            "team": self.team,
        }


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class LoginCounter(Base):
    """A counter that is only ever changed by one atomic upsert (see ``throttle.py``).

    ``key`` names what is counted (``konto:<name>``, ``client:<address>``, ``failed:<name>|<address>`` …);
    ``window_start`` is when the current counting window began (an expired window restarts at 1).
    """

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEntry(Base):
    """One audit record. Append-only: the store offers no update or delete (see ``audit.py``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(80), default="")
    object_id: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(20), default="ok")  # ok | denied | failed
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    client: Mapped[str] = mapped_column(String(80), default="")
    #: SHA-256 of the previous row (hex; 64 zeros for the first row) and of this row (``audit.row_hash``)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    row_hash: Mapped[str] = mapped_column(String(64), default="")


class AuditChainHead(Base):
    """The single row (id 1) naming the last audit row and its hash: writers lock it, so the chain is
    linear on every store; a deleted tail of the log shows as a head pointing past the last row."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Agreement(Base):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # e.g. "siegen-wittgenstein-2016"
    title: Mapped[str] = mapped_column(String(300))
    jobcenter_id: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", order_by="AgreementVersion.number", lazy="selectin"
    )

    @property
    def current(self) -> AgreementVersion | None:
        return self.versions[-1] if self.versions else None


class AgreementVersion(Base):
    """An immutable version of an agreement document (a change creates a new version)."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    document_format: Mapped[str] = mapped_column(String(10), default="toml")  # toml | json
    document: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: signatures: list of {"username", "role", "at"} (append-only through ``agreements.sign``)
    signatures: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    agreement: Mapped[Agreement] = relationship(back_populates="versions")


class CaseContact(Base):
    """A contact with a customer: who, when, channel, outcome, free note."""

    __tablename__ = "case_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(40), index=True)
    caseworker_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    channel: Mapped[str] = mapped_column(String(40), default="persoenlich")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80))


class ActionPlan(Base):
    """An action plan (Kooperationsplan) with its next review date (at least every 6 months)."""

    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(40), index=True)
    caseworker_id: Mapped[str] = mapped_column(String(40))
    agreed_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date] = mapped_column(Date)
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="aktiv")  # aktiv | abgeschlossen
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OfficialFigure(Base):
    """One published Kennzahl cell of the statistics office (issue 14): Jobcenter, month, indicator, sex.

    Filled only by ``zielwerk amtlich einlesen``; a re-import of a month replaces that month's rows.
    ``sex`` uses the indicator output's values (``all``/``f``/``m``); ``value`` is in percent as published.
    """

    __tablename__ = "official_figures"
    __table_args__ = (
        UniqueConstraint("jobcenter_id", "month", "indicator", "sex", name="uq_official_figures_cell"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jobcenter_id: Mapped[str] = mapped_column(String(40), index=True)
    jobcenter_name: Mapped[str] = mapped_column(String(200))
    vergleichstyp: Mapped[str | None] = mapped_column(String(20), nullable=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    indicator: Mapped[str] = mapped_column(String(12))
    sex: Mapped[str] = mapped_column(String(3))
    numerator: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator: Mapped[float | None] = mapped_column(Float, nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(300))
    imported_by: Mapped[str] = mapped_column(String(80))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SupervisionAssignment(Base):
    """A Jobcenter assigned to a user of the role ``aufsicht`` (Regionaldirektion, Land; issue 14)."""

    __tablename__ = "supervision_assignments"
    __table_args__ = (UniqueConstraint("user_id", "jobcenter_id", name="uq_supervision_user_jobcenter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    jobcenter_id: Mapped[str] = mapped_column(String(40))
