"""Engine creation and schema migration for the operational store.

Default: SQLite in WAL mode at ``<data folder>/zielwerk.db``; PostgreSQL (or any SQLAlchemy URL) by
``--db`` / ``ZIELWERK_DB_URL``. The schema is created and upgraded only through the Alembic
migrations shipped in ``zielwerk/store/migrations``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def default_url(data_dir: Path) -> str:
    """The database URL: ``ZIELWERK_DB_URL`` if set, else SQLite in the data folder."""
    env = os.environ.get("ZIELWERK_DB_URL")
    if env:
        return env
    return f"sqlite:///{Path(data_dir).resolve() / 'zielwerk.db'}"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database schema to ``revision`` (idempotent)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def open_store(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Create the engine, migrate to head and return it with a session factory."""
    engine = make_engine(url)
    migrate(engine)
    return engine, session_factory(engine)
