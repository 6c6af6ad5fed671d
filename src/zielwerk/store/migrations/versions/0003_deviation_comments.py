"""deviation comments (Abweichungsbegründung per agreement, month and goal; issue 13)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deviation_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_key", sa.String(length=120), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("goal_id", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deviation_comments_agreement_key", "deviation_comments", ["agreement_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deviation_comments_agreement_key", table_name="deviation_comments")
    op.drop_table("deviation_comments")
