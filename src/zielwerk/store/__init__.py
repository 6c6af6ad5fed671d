"""Operational store: SQLAlchemy models and Alembic migrations (users, roles, sessions, audit log,
agreements and versions, case records). See ``docs/web.md`` for the tables and their use.

Entry point: :func:`open_store(url)` → (engine, session factory), schema migrated to head.
"""

from .db import default_url, make_engine, migrate, open_store, session_factory
from .models import (
    ActionPlan,
    Agreement,
    AgreementVersion,
    ApiToken,
    AuditChainHead,
    AuditEntry,
    Base,
    CaseContact,
    LoginCounter,
    User,
    WebSession,
)

__all__ = [
    "ActionPlan",
    "Agreement",
    "AgreementVersion",
    "ApiToken",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "CaseContact",
    "LoginCounter",
    "User",
    "WebSession",
    "default_url",
    "make_engine",
    "migrate",
    "open_store",
    "session_factory",
]
