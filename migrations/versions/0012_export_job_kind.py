"""Export jobs say what they write: the Excel workbook ("xlsx", every job so far) or the board pack ("pdf").

A plain ADD COLUMN with a server default, so the rows already there read as the workbook jobs they were; nothing
points at export_job, so the downgrade may rebuild it on SQLite.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 07:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("export_job", sa.Column("kind", sa.String(length=10), nullable=False, server_default="xlsx"))


def downgrade():
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.drop_column("kind")
