"""An index of updates by the date they are as at, carrying their action and restricted flag (#18).

The plans page and the dashboard count each plan's updates dated after its last review. With the date a
constant, PostgreSQL reads only those updates off this index (an index-only scan: the action and the flag are
in it) instead of reading every update of every plan and joining each plan's review date to it.

Plain CREATE and DROP INDEX, outside batch mode, so SQLite never rebuilds a table (and the append-only
triggers on "update" stay as they are); INCLUDE is PostgreSQL's, and SQLite gets the index on as_at alone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:40:00

"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_update_as_at", "update", ["as_at"], unique=False, postgresql_include=["action_id", "restricted"])


def downgrade():
    op.drop_index("ix_update_as_at", table_name="update")
