"""An authenticator code is good once; history tables refuse UPDATE and DELETE in the database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:26:50

"""

import sqlalchemy as sa
from alembic import op

# The triggers' DDL as it was when this revision was written, copied here rather than imported from the models,
# so that a later change to app/models/guards.py cannot rewrite what this revision did.
APPEND_ONLY_TABLES = ("audit_event", "update")

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_change_to_history() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: add a new row instead', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def statements(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f'CREATE TRIGGER "{table}_append_only_{verb.lower()}" BEFORE {verb} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: add a new row instead'); END"
            for verb in ("UPDATE", "DELETE")
        ]
    return [
        POSTGRESQL_FUNCTION,
        f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()",
    ]

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        for statement in statements(dialect, table):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            for verb in ("update", "delete"):
                op.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only_{verb}"')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS refuse_change_to_history()")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
