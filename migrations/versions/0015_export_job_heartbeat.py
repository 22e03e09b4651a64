"""Export jobs say when their process last showed it was alive (`heartbeat_at`), so that a job whose process
died (killed, out of memory, the machine restarted) is told apart from one still writing, and its owner is told
it failed instead of waiting on a page that never changes (app/services/exporting/jobs.py).

A plain nullable ADD COLUMN: a job already there has no heartbeat and is judged by when it was made. Nothing
points at export_job, so the downgrade may rebuild it on SQLite.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 15:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("export_job", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
