"""User accounts: argon2 password hashes (pwdlib), roles, scopes, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApiToken, User

_HASHER = PasswordHash((Argon2Hasher(),))
#: a hash of a random password, verified against when the user does not exist (equal timing)
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10


class UserError(ValueError):
    """A user cannot be created or changed (German message)."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.")


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    full_name: str = "",
    jobcenter_id: str | None = None,
    municipality_id: str | None = None,
    caseworker_id: str | None = None,
    team: str | None = None,
    known_roles: tuple[str, ...] | None = None,
) -> User:
    """Create a user; the role must be one of ``known_roles`` if given."""
    username = username.strip()
    if not username or len(username) > 80:
        raise UserError("Der Benutzername fehlt oder ist länger als 80 Zeichen.")
    if known_roles is not None and role not in known_roles:
        raise UserError(f"Unbekannte Rolle „{role}“. Erlaubt: {', '.join(known_roles)}.")
    check_password_rules(password)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise UserError(f"Den Benutzer „{username}“ gibt es schon.")
    user = User(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        jobcenter_id=jobcenter_id or None,
        municipality_id=municipality_id or None,
        caseworker_id=caseworker_id or None,
        team=team or None,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (constant work either way)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        _HASHER.verify(password, _DUMMY_HASH)
        return None
    if not _HASHER.verify(password, user.password_hash) or not user.active:
        return None
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)
    session.flush()


def by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, label: str = "") -> str:
    """Create an API token for ``user``; the clear token is returned once, only its hash stored."""
    token = "zw_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_sha256=_token_digest(token), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _token_digest(token)))
    if row is None or not row.user.active:
        return None
    return row.user
