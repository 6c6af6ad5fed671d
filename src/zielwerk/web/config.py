"""Configuration of one web application instance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


@dataclass(frozen=True)
class WebConfig:
    """Where data and database are, and the security settings.

    ``data_dir``: the dataset folder (results are written below ``.zielwerk/``);
    ``db_url``: SQLAlchemy URL (default: SQLite ``zielwerk.db`` in the data folder);
    ``secure_cookies``: set the ``Secure`` flag (browsers accept it on http://127.0.0.1 too);
    ``import_root``: server folder below which "import a folder" may read (default: data_dir's parent).
    """

    data_dir: Path
    db_url: str | None = None
    secure_cookies: bool = True
    session_lifetime: timedelta = timedelta(hours=8)
    max_failed_logins: int = 5
    throttle_window: timedelta = timedelta(minutes=15)
    import_root: Path | None = None
    max_upload_bytes: int = 200 * 1024 * 1024
