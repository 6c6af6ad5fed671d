"""official Kennzahlen figures and supervision assignments (issue 14)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "official_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jobcenter_id", sa.String(length=40), nullable=False),
        sa.Column("jobcenter_name", sa.String(length=200), nullable=False),
        sa.Column("vergleichstyp", sa.String(length=20), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("indicator", sa.String(length=12), nullable=False),
        sa.Column("sex", sa.String(length=3), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jobcenter_id", "month", "indicator", "sex", name="uq_official_figures_cell"),
    )
    op.create_index("ix_official_figures_month", "official_figures", ["month"], unique=False)
    op.create_index("ix_official_figures_jobcenter_id", "official_figures", ["jobcenter_id"], unique=False)
    op.create_table(
        "supervision_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("jobcenter_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "jobcenter_id", name="uq_supervision_user_jobcenter"),
    )


def downgrade() -> None:
    op.drop_table("supervision_assignments")
    op.drop_index("ix_official_figures_jobcenter_id", table_name="official_figures")
    op.drop_index("ix_official_figures_month", table_name="official_figures")
    op.drop_table("official_figures")
