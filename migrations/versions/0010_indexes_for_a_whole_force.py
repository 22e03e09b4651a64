"""Indexes for the pages at 5,000 actions and 50,000 updates and more (#18, docs/performance.md).

- update (action_id, created_at, id) replaces (action_id, created_at): each action's latest RAG proposal is
  ordered by created_at then id, and with the id in the index the newest entry is read straight off it; without,
  PostgreSQL sorted each action's updates again to break ties (the review queue and the plans page, per action).
- update (created_at, id): a plan's latest updates (the dashboard) are read newest first off the index until
  ten are found, instead of sorting every update of the plan.

Plain CREATE and DROP INDEX, outside batch mode, so SQLite never rebuilds a table (and the append-only
triggers on "update" stay as they are).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:50:00

"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_update_action_created_id", "update", ["action_id", "created_at", "id"], unique=False)
    op.drop_index("ix_update_action_created", table_name="update")
    op.create_index("ix_update_created", "update", ["created_at", "id"], unique=False)


def downgrade():
    op.drop_index("ix_update_created", table_name="update")
    op.create_index("ix_update_action_created", "update", ["action_id", "created_at"], unique=False)
    op.drop_index("ix_update_action_created_id", table_name="update")
