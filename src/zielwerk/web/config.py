"""Configuration of one web application instance."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

#: environment variable with the trusted reverse proxies (comma-separated addresses or networks)
TRUSTED_PROXIES_ENV = "ZIELWERK_TRUSTED_PROXIES"
#: environment variable with the import root (server folder below which "import a folder" may read)
IMPORT_ROOT_ENV = "ZIELWERK_IMPORT_ROOT"
#: the import root's default, relative to the data folder
DEFAULT_IMPORT_FOLDER = "import"


def trusted_proxies_from_env() -> tuple[str, ...]:
    """``ZIELWERK_TRUSTED_PROXIES`` split at commas (empty or unset: no proxy is trusted)."""
    return tuple(p.strip() for p in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if p.strip())


@dataclass(frozen=True)
class WebConfig:
    """Where data and database are, and the security settings.

    ``data_dir``: the dataset folder (results are written below ``.zielwerk/``);
    ``db_url``: SQLAlchemy URL (default: SQLite ``zielwerk.db`` in the data folder);
    ``secure_cookies``: set the ``Secure`` flag (browsers accept it on http://127.0.0.1 too);
    ``import_root``: server folder below which "import a folder" may read (``ZIELWERK_IMPORT_ROOT`` if
    set, else ``<data_dir>/import``, created at the first use; see :meth:`import_root_dir`);
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
    import_root: Path | None = field(default_factory=lambda: Path(os.environ[IMPORT_ROOT_ENV])
                                     if os.environ.get(IMPORT_ROOT_ENV, "").strip() else None)
    max_upload_bytes: int = 200 * 1024 * 1024
    trusted_proxies: tuple[str, ...] = field(default_factory=trusted_proxies_from_env)

    def __post_init__(self) -> None:
        from .security import parse_proxies

        object.__setattr__(self, "trusted_proxies", tuple(self.trusted_proxies))
        parse_proxies(self.trusted_proxies)  # a bad entry stops the start with a German message

    def import_root_dir(self) -> Path:
        """The import root (symbolic links of the configured path itself resolved); the default
        ``<data_dir>/import`` is created if missing."""
        if self.import_root is not None:
            return Path(self.import_root).expanduser().resolve()
        root = Path(self.data_dir) / DEFAULT_IMPORT_FOLDER
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # e.g. a read-only data folder: every folder import is then refused as missing
        return root.resolve()
