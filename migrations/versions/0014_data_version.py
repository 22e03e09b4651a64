"""The data version: one row whose number changes in every transaction that writes; an index of proposals (#18).

The plans page, the dashboard, the review queue and the traceability pages keep their whole-plan counts in each
worker process for as long as this number is unchanged (app/services/data_version.py).

Each action's latest proposal (its latest update with a RAG: "awaiting a decision", the review queue) is read off
a partial index of the updates that carry a RAG, with the RAG in it (INCLUDE, PostgreSQL's): one index entry a
probe, where the (action_id, created_at, id) index walked past the updates without one and read each from the
table. Plain CREATE and DROP INDEX, outside batch mode, so SQLite never rebuilds the table (nor its append-only
triggers).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 18:40:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": secrets.randbits(62)}])
    op.create_index(
        "ix_update_proposal",
        "update",
        ["action_id", "created_at", "id"],
        unique=False,
        postgresql_include=["rag"],
        postgresql_where=sa.text("rag IS NOT NULL"),
        sqlite_where=sa.text("rag IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_update_proposal", table_name="update")
    op.drop_table("data_version")
