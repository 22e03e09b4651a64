"""Each update names its action's plan (`update.plan_id`), and a plan's latest updates are read off an index of
(plan_id, created_at, id), its updates since a review off one of (plan_id, as_at) (#18).

The dashboard lists a plan's ten latest updates. Found through the join to the actions, PostgreSQL walked the
(created_at, id) index of every plan's updates backwards until ten were the plan's own: at once for the plan
everybody writes to, but through the whole table (50,000 updates, 50-60 ms) for a plan with few or old updates,
such as last year's plan beside this year's. The index of the plan's own updates answers in ten entries for any
plan. The plans page and the dashboard count a plan's updates dated after its last review: off (as_at) INCLUDE
(action_id, restricted) joined to the actions, now off (plan_id, as_at) with the same INCLUDE, and no join. An action never changes plan and an update is never changed, so the copy cannot go out of step.

The column is filled from the actions with the append-only trigger set aside for that one statement, then made
NOT NULL with its foreign key. SQLite cannot add a NOT NULL column that references another table, so there the
table is rebuilt (batch mode): its append-only triggers, which a rebuild drops, are made again as 0002 made
them, and its indexes are made again by batch mode (the partial one, ix_update_proposal, by hand: its WHERE
is not reflected).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 18:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The SQLite triggers as 0002 made them, copied here rather than imported (a later change must not rewrite this).
SQLITE_TRIGGERS = [
    f'CREATE TRIGGER "update_append_only_{verb.lower()}" BEFORE {verb} ON "update" '
    "BEGIN SELECT RAISE(ABORT, 'update is append-only: add a new row instead'); END"
    for verb in ("UPDATE", "DELETE")
]


def _proposal_index() -> None:
    op.create_index(
        "ix_update_proposal",
        "update",
        ["action_id", "created_at", "id"],
        unique=False,
        postgresql_include=["rag"],
        postgresql_where=sa.text("rag IS NOT NULL"),
        sqlite_where=sa.text("rag IS NOT NULL"),
    )


def _sqlite_rebuild(change, before: str | None = None) -> None:
    """Rebuild "update" on SQLite with `change(batch_op)`, keeping its triggers and its partial index; the
    statement `before`, when given, runs first with the append-only triggers set aside."""
    for verb in ("update", "delete"):
        op.execute(f'DROP TRIGGER IF EXISTS "update_append_only_{verb}"')
    if before:
        op.execute(before)
    op.drop_index("ix_update_proposal", table_name="update")
    with op.batch_alter_table("update", schema=None) as batch_op:
        change(batch_op)
    _proposal_index()
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("update", sa.Column("plan_id", sa.Integer(), nullable=True))
    fill = 'UPDATE "update" SET plan_id = (SELECT action.plan_id FROM action WHERE action.id = "update".action_id)'
    if sqlite:

        def change(batch_op):
            batch_op.alter_column("plan_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                batch_op.f("fk_update_plan_id_plan"), "plan", ["plan_id"], ["id"], ondelete="CASCADE"
            )

        _sqlite_rebuild(change, before=fill)
    else:
        op.execute('ALTER TABLE "update" DISABLE TRIGGER "update_append_only"')
        op.execute(fill)
        op.execute('ALTER TABLE "update" ENABLE TRIGGER "update_append_only"')
        op.alter_column("update", "plan_id", existing_type=sa.Integer(), nullable=False)
        op.create_foreign_key(op.f("fk_update_plan_id_plan"), "update", "plan", ["plan_id"], ["id"], ondelete="CASCADE")
    op.create_index("ix_update_plan_created", "update", ["plan_id", "created_at", "id"], unique=False)
    op.drop_index("ix_update_created", table_name="update")
    op.create_index(
        "ix_update_plan_as_at",
        "update",
        ["plan_id", "as_at"],
        unique=False,
        postgresql_include=["action_id", "restricted"],
    )
    op.drop_index("ix_update_as_at", table_name="update")


def downgrade():
    op.create_index("ix_update_as_at", "update", ["as_at"], unique=False, postgresql_include=["action_id", "restricted"])
    op.drop_index("ix_update_plan_as_at", table_name="update")
    op.create_index("ix_update_created", "update", ["created_at", "id"], unique=False)
    op.drop_index("ix_update_plan_created", table_name="update")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(lambda batch_op: batch_op.drop_column("plan_id"))
    else:
        op.drop_constraint(op.f("fk_update_plan_id_plan"), "update", type_="foreignkey")
        op.drop_column("update", "plan_id")
