"""An authenticator code is good once; history tables refuse UPDATE and DELETE in the database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:26:50

"""

import sqlalchemy as sa
from alembic import op

from app.models.guards import APPEND_ONLY_TABLES, statements

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        for statement in statements(dialect, table.name):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            for verb in ("update", "delete"):
                op.execute(f'DROP TRIGGER IF EXISTS "{table.name}_append_only_{verb}"')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS "{table.name}_append_only" ON "{table.name}"')
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS refuse_change_to_history()")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
