"""A plan remembers what the admin said its workbook's columns mean, for the next import.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("column_mapping", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("column_mapping")
