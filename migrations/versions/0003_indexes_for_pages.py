"""Indexes for the pages at the size of a whole force (the budgets in docs/design.md, Scale and deployment).

- action (plan_id, position, id): a plan's actions in plan order, a page at a time (plan page, dashboard lists,
  review queue); it replaces the index on plan_id alone, which it begins with.
- update (action_id, created_at): each action's latest RAG proposal (review queue) and a plan's latest updates
  (dashboard).
- rag_change (action_id, changed_at): each action's latest RAG decision (review queue); it replaces the index
  on action_id alone.
- strategic_link (framework, code): the traceability pages and the plan filter for PCC links with no
  deliverable.

Plain CREATE and DROP INDEX, outside batch mode, so SQLite never rebuilds a table (and the append-only
triggers on "update" stay as they are).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 00:07:48

"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_action_plan_position", "action", ["plan_id", "position", "id"], unique=False)
    op.drop_index("ix_action_plan_id", table_name="action")
    op.create_index("ix_update_action_created", "update", ["action_id", "created_at"], unique=False)
    op.create_index("ix_rag_change_action_changed", "rag_change", ["action_id", "changed_at"], unique=False)
    op.drop_index("ix_rag_change_action_id", table_name="rag_change")
    op.create_index("ix_strategic_link_framework_code", "strategic_link", ["framework", "code"], unique=False)


def downgrade():
    op.drop_index("ix_strategic_link_framework_code", table_name="strategic_link")
    op.create_index("ix_rag_change_action_id", "rag_change", ["action_id"], unique=False)
    op.drop_index("ix_rag_change_action_changed", table_name="rag_change")
    op.drop_index("ix_update_action_created", table_name="update")
    op.create_index("ix_action_plan_id", "action", ["plan_id"], unique=False)
    op.drop_index("ix_action_plan_position", table_name="action")
