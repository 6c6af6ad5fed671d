"""hardening: atomic login counters, hash-chained audit log, one-time passwords

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

* ``login_counters`` replaces ``login_attempts``: one row per counted key, changed only by an atomic
  upsert (``store/throttle.py``), so parallel logins cannot overtake the limit.
* ``users.must_change_password``: an account created by an administrator gets a one-time password.
* ``audit_log.prev_hash``/``row_hash`` and the one-row table ``audit_chain_head``: the hash chain
  (``store/audit.py``). Existing rows are chained once here, in id order. Triggers accept only the next
  row of the chain (this refuses ``REPLACE INTO``/``INSERT OR REPLACE`` on SQLite, whose implicit delete
  fires no DELETE trigger, upserts on both stores and forged rows), and let the head only move forward
  to an existing row with that hash.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_REFUSED = "audit_log: only the next row of the hash chain may be appended"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempts_username"))
        batch_op.drop_index(batch_op.f("ix_login_attempts_at"))
    op.drop_table("login_attempts")
    op.create_table(
        "login_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_login_counters_window_start", "login_counters", ["window_start"], unique=False)
    # plain ADD COLUMN (no batch copy: that would lose the audit triggers on SQLite)
    op.add_column("users", sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default=""))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=False, server_default=""))
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    last_id, last_hash = _chain_existing_rows(dialect)
    op.get_bind().execute(sa.text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, :i, :h)"),
                          {"i": last_id, "h": last_hash})
    _chain_triggers(dialect)


def _chain_existing_rows(dialect: str) -> tuple[int, str]:
    """Chain the rows written before this migration (the update trigger is lifted for this only)."""
    from zielwerk.store.audit import GENESIS, canonical_fields, row_hash

    bind = op.get_bind()
    table = sa.table(
        "audit_log", sa.column("id", sa.Integer()), sa.column("at", sa.DateTime(timezone=True)),
        *(sa.column(n, sa.String()) for n in ("username", "role", "action", "object_type", "object_id",
                                              "outcome", "client", "prev_hash", "row_hash")),
        sa.column("before", sa.JSON()), sa.column("after", sa.JSON()),
    )
    rows = [dict(r) for r in bind.execute(sa.select(table).order_by(table.c.id)).mappings()]
    prev = GENESIS
    last_id = 0
    if rows:
        if dialect == "sqlite":
            op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        elif dialect == "postgresql":
            op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        for row in rows:
            row["prev_hash"] = prev
            prev = row_hash(canonical_fields(row))
            bind.execute(sa.update(table).where(table.c.id == row["id"]).values(prev_hash=row["prev_hash"],
                                                                                row_hash=prev))
            last_id = int(row["id"])
        if dialect == "sqlite":
            op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
        elif dialect == "postgresql":
            op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    return last_id, prev


def _chain_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        # BEFORE INSERT triggers run before SQLite's REPLACE conflict handling: REPLACE INTO with an
        # existing id is refused here (tests/store/test_audit_chain.py)
        op.execute(
            "CREATE TRIGGER audit_log_chain_insert BEFORE INSERT ON audit_log "
            "WHEN NEW.id IS NULL OR NEW.id IS NOT (SELECT last_id + 1 FROM audit_chain_head WHERE id = 1) "
            "OR NEW.prev_hash IS NOT (SELECT last_hash FROM audit_chain_head WHERE id = 1) "
            "OR EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_chain_head_insert BEFORE INSERT ON audit_chain_head "
            "WHEN EXISTS (SELECT 1 FROM audit_chain_head) "
            "BEGIN SELECT RAISE(ABORT, 'audit_chain_head has one row'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_chain_head_update BEFORE UPDATE ON audit_chain_head "
            "WHEN NEW.id IS NOT OLD.id OR NEW.last_id < OLD.last_id OR (NEW.last_id <> OLD.last_id AND NOT EXISTS "
            "(SELECT 1 FROM audit_log WHERE id = NEW.last_id AND row_hash = NEW.last_hash)) "
            "BEGIN SELECT RAISE(ABORT, 'audit_chain_head only moves forward to an existing row'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_chain_head_delete BEFORE DELETE ON audit_chain_head "
            "BEGIN SELECT RAISE(ABORT, 'audit_chain_head cannot be deleted'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_chain_insert() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "DECLARE head_id integer; head_hash varchar; "
            "BEGIN "
            "SELECT last_id, last_hash INTO head_id, head_hash FROM audit_chain_head WHERE id = 1; "
            "IF NEW.id IS DISTINCT FROM head_id + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN "
            f"RAISE EXCEPTION '{_REFUSED}'; END IF; "
            "RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_chain_insert BEFORE INSERT ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_chain_insert()"
        )
        op.execute(
            "CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP = 'UPDATE' THEN "
            "IF NEW.id IS DISTINCT FROM OLD.id OR NEW.last_id < OLD.last_id OR (NEW.last_id <> OLD.last_id "
            "AND NOT EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.last_id AND row_hash = NEW.last_hash)) THEN "
            "RAISE EXCEPTION 'audit_chain_head only moves forward to an existing row'; END IF; "
            "RETURN NEW; "
            "ELSIF TG_OP = 'INSERT' THEN "
            "IF EXISTS (SELECT 1 FROM audit_chain_head) THEN "
            "RAISE EXCEPTION 'audit_chain_head has one row'; END IF; "
            "RETURN NEW; "
            "END IF; "
            "RAISE EXCEPTION 'audit_chain_head cannot be deleted'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_chain_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_head "
            "FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard()"
        )
        op.execute(
            "CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("audit_log_chain_insert", "audit_chain_head_insert", "audit_chain_head_update",
                     "audit_chain_head_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_chain_insert ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_guard ON audit_chain_head")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head")
        op.execute("DROP FUNCTION IF EXISTS audit_log_chain_insert()")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head_guard()")
    op.drop_table("audit_chain_head")
    # SQLite ≥ 3.35 drops columns natively (no table copy, the append-only triggers stay)
    op.drop_column("audit_log", "row_hash")
    op.drop_column("audit_log", "prev_hash")
    op.drop_column("users", "must_change_password")
    op.drop_index("ix_login_counters_window_start", table_name="login_counters")
    op.drop_table("login_counters")
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempts_at", "login_attempts", ["at"], unique=False)
    op.create_index("ix_login_attempts_username", "login_attempts", ["username"], unique=False)
