"""The data version: one row whose number changes in every transaction that writes (#18).

The plans page, the dashboard, the review queue and the traceability pages keep their whole-plan counts in each
worker process for as long as this number is unchanged (app/services/data_version.py).

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


def downgrade():
    op.drop_table("data_version")
