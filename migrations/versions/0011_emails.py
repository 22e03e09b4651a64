"""E-mails: what was sent (the reminders' idempotence), people's opt-outs, password reset links, and each
plan's "remind owners this many days before an update is due".

The plan column is added with plain ALTER TABLE (no batch rebuild of a table others point at: on SQLite the
rebuild would drop it, and ON DELETE CASCADE would take the actions with it).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 04:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "email_opt_out",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_email_opt_out_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_email_opt_out")),
    )
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["user.id"], name=op.f("fk_password_reset_issued_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_password_reset_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_password_reset_token_digest")),
    )
    op.create_index(op.f("ix_password_reset_user_id"), "password_reset", ["user_id"], unique=False)
    op.create_table(
        "sent_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=120), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("week", sa.String(length=10), nullable=True),
        _timestamp("claimed_at"),
        _timestamp("sent_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_sent_email_action_id_action"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["rag_change.id"], name=op.f("fk_sent_email_decision_id_rag_change"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_sent_email_plan_id_plan"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_sent_email_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_email")),
        sa.UniqueConstraint("kind", "user_id", "subject_key", name="uq_sent_email_kind_user_subject"),
    )
    for column in ("action_id", "decision_id", "plan_id", "user_id"):
        op.create_index(op.f(f"ix_sent_email_{column}"), "sent_email", [column], unique=False)
    op.add_column("plan", sa.Column("reminder_days_before", sa.Integer(), server_default="7", nullable=False))


def downgrade():
    op.drop_column("plan", "reminder_days_before")  # ALTER TABLE … DROP COLUMN: no rebuild of the plan table
    op.drop_table("sent_email")
    op.drop_table("password_reset")
    op.drop_table("email_opt_out")
