"""What each import read, per action and per plan: the base of the three-way merge on re-import.

Actions and plans imported before this revision have no baseline: their next re-import shows every field the
file and the tracker disagree on as a conflict for the administrator to settle, rather than guessing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:45:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "action_baseline",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_baseline_action_id_action"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_action_baseline")),
    )
    op.create_table(
        "plan_baseline",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_baseline_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_baseline")),
    )


def downgrade():
    op.drop_table("plan_baseline")
    op.drop_table("action_baseline")
