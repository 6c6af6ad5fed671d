"""Configuration of one web application instance."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

#: environment variable with the trusted reverse proxies (comma-separated addresses or networks)
TRUSTED_PROXIES_ENV = "ZIELWERK_TRUSTED_PROXIES"


def trusted_proxies_from_env() -> tuple[str, ...]:
    """``ZIELWERK_TRUSTED_PROXIES`` split at commas (empty or unset: no proxy is trusted)."""
    return tuple(p.strip() for p in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if p.strip())


@dataclass(frozen=True)
class WebConfig:
    """Where data and database are, and the security settings.

    ``data_dir``: the dataset folder (results are written below ``.zielwerk/``);
    ``db_url``: SQLAlchemy URL (default: SQLite ``zielwerk.db`` in the data folder);
    ``secure_cookies``: set the ``Secure`` flag (browsers accept it on http://127.0.0.1 too);
    ``import_root``: server folder below which "import a folder" may read (default: data_dir's parent);
    ``trusted_proxies``: addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``) of reverse proxies
    whose ``X-Forwarded-For`` header names the client (for the login throttle and the audit log).
    Default: none (``ZIELWERK_TRUSTED_PROXIES`` if set) — then the header is ignored and the client is
    the connection's peer address (``web/security.py``).
    """

    data_dir: Path
    db_url: str | None = None
    secure_cookies: bool = True
    session_lifetime: timedelta = timedelta(hours=8)
    max_failed_logins: int = 5
    throttle_window: timedelta = timedelta(minutes=15)
    import_root: Path | None = None
    max_upload_bytes: int = 200 * 1024 * 1024
    trusted_proxies: tuple[str, ...] = field(default_factory=trusted_proxies_from_env)

    def __post_init__(self) -> None:
        from .security import parse_proxies

        object.__setattr__(self, "trusted_proxies", tuple(self.trusted_proxies))
        parse_proxies(self.trusted_proxies)  # a bad entry stops the start with a German message
