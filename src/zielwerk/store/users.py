"""User accounts: argon2 password hashes (pwdlib), roles, scopes, API tokens.

Passwords must pass :func:`zielwerk.store.passwords.check` (length, not the user name, zxcvbn
strength). An account created by an administrator gets a one-time password
(``must_change_password``): the user must choose a new one (:func:`change_own_password`) before using
the application. API tokens are issued only to their owner (the web routes enforce this).
"""

from __future__ import annotations

import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import passwords
from .models import ApiToken, User

_HASHER = PasswordHash((Argon2Hasher(),))
#: a hash of a random password, verified against when the user does not exist (equal timing)
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


class UserError(ValueError):
    """A user cannot be created or changed (German message)."""


class WrongPassword(UserError):
    """The old password given for a self-service change is wrong (counted by the throttle)."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """The one place a password is verified against a hash (the login throttle is tested by counting
    calls of this function)."""
    return _HASHER.verify(password, password_hash)


def check_password_rules(password: str, username: str = "", full_name: str = "") -> None:
    """Raise :class:`UserError` (German message) unless the password meets the rules."""
    try:
        passwords.check(password, username, full_name=full_name)
    except passwords.WeakPassword as exc:
        raise UserError(str(exc)) from exc


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
    one_time_password: bool = False,
) -> User:
    """Create a user; the role must be one of ``known_roles`` if given.

    ``one_time_password``: the password was chosen by someone else (an administrator); the user must
    change it at the first login."""
    username = username.strip()
    if not username or len(username) > 80:
        raise UserError("Der Benutzername fehlt oder ist länger als 80 Zeichen.")
    if known_roles is not None and role not in known_roles:
        raise UserError(f"Unbekannte Rolle „{role}“. Erlaubt: {', '.join(known_roles)}.")
    check_password_rules(password, username, full_name)
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
        must_change_password=one_time_password,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (constant work either way)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, user.password_hash) or not user.active:
        return None
    return user


def set_password(session: Session, user: User, password: str, *, one_time: bool = False) -> None:
    """Set a password (rules checked); ``one_time``: set by someone else, to be changed at next login."""
    check_password_rules(password, user.username, user.full_name)
    user.password_hash = hash_password(password)
    user.must_change_password = one_time
    session.flush()


def change_own_password(session: Session, user: User, old: str, new: str, repeat: str) -> None:
    """Self-service change: the old password must be right, the new one meet the rules and differ."""
    if not verify_password(old, user.password_hash):
        raise WrongPassword("Das bisherige Passwort ist falsch.")
    if new != repeat:
        raise UserError("Die beiden neuen Passwörter stimmen nicht überein.")
    if new == old:
        raise UserError("Das neue Passwort muss sich vom bisherigen unterscheiden.")
    set_password(session, user, new)


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
    if row is None or not row.user.active or row.user.must_change_password:
        return None
    return row.user


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken | None:
    """Delete one of ``user``'s tokens; returns it (None if it is not theirs)."""
    row = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if row is not None:
        session.delete(row)
        session.flush()
    return row
