"""Plans run in the app: contacts and partners own and deliver actions, actions are closed or withdrawn with a
reason, a plan knows the plan it was started from, and a review keeps notes, decisions, target dates and one
review a plan a day.

No table that others point at is rebuilt: on SQLite a rebuild drops the old table, and the foreign keys'
ON DELETE CASCADE would take every update with it (the append-only triggers refuse that anyway). So columns
are added with plain ALTER TABLE, the one-a-day rule is a unique index, and the wider CHECK on action.status
("Withdrawn" added) is written into SQLite's schema in place, the procedure SQLite documents for changing a
constraint that leaves the stored rows as they are; PostgreSQL drops and re-adds the constraint.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_STATUSES = ("Not started", "In progress", "Ongoing", "Complete", "Superseded", "Carried forward")
NEW_STATUSES = OLD_STATUSES + ("Withdrawn",)
FK_SQL = (
    ", \n\tCONSTRAINT fk_plan_previous_plan_id_plan FOREIGN KEY(previous_plan_id) REFERENCES plan (id) "
    "ON DELETE SET NULL"
)
_LAST_PARENTHESIS = None


def upgrade():
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_contact_user_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    op.create_index(op.f("ix_contact_user_id"), "contact", ["user_id"], unique=False)
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("name", name=op.f("uq_partner_name")),
    )
    for table, other in (("action_contact", "contact"), ("action_partner", "partner")):
        op.create_table(
            table,
            sa.Column("action_id", sa.Integer(), nullable=False),
            sa.Column(f"{other}_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["action_id"], ["action.id"], name=op.f(f"fk_{table}_action_id_action"), ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                [f"{other}_id"], [f"{other}.id"], name=op.f(f"fk_{table}_{other}_id_{other}"), ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("action_id", f"{other}_id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_{other}_id"), table, [f"{other}_id"], unique=False)

    op.add_column("action", sa.Column("closed_reason", sa.Text(), nullable=True))
    op.add_column("action", sa.Column("closed_on", sa.Date(), nullable=True))
    op.add_column("review", sa.Column("notes", sa.Text(), server_default="", nullable=False))
    op.add_column("review", sa.Column("decisions", sa.Text(), server_default="", nullable=False))
    op.add_column("review_snapshot", sa.Column("target_date", sa.Date(), nullable=True))
    op.create_index("uq_review_plan_held_on", "review", ["plan_id", "held_on"], unique=True)
    if op.get_bind().dialect.name == "sqlite":
        # Every row's new column is NULL, so the named table constraint holds as soon as it is written in.
        op.execute("ALTER TABLE plan ADD COLUMN previous_plan_id INTEGER")
        _edit_sqlite_schema("plan", _LAST_PARENTHESIS, FK_SQL + "\n)")
    else:
        op.add_column("plan", sa.Column("previous_plan_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_plan_previous_plan_id_plan"), "plan", "plan", ["previous_plan_id"], ["id"], ondelete="SET NULL"
        )
    _status_check(OLD_STATUSES, NEW_STATUSES)


def downgrade():
    withdrawn = op.get_bind().scalar(sa.text("SELECT count(*) FROM action WHERE status = 'Withdrawn'"))
    if withdrawn:
        raise RuntimeError(f"{withdrawn} actions are Withdrawn, a status the earlier schema does not have")
    _status_check(NEW_STATUSES, OLD_STATUSES)
    if op.get_bind().dialect.name == "sqlite":
        _edit_sqlite_schema("plan", FK_SQL + "\n)", ")")
        op.execute("ALTER TABLE plan DROP COLUMN previous_plan_id")
    else:
        op.drop_constraint(op.f("fk_plan_previous_plan_id_plan"), "plan", type_="foreignkey")
        op.drop_column("plan", "previous_plan_id")
    op.drop_index("uq_review_plan_held_on", table_name="review")
    op.drop_column("review_snapshot", "target_date")
    op.drop_column("review", "decisions")
    op.drop_column("review", "notes")
    op.drop_column("action", "closed_on")
    op.drop_column("action", "closed_reason")
    for table, other in (("action_partner", "partner"), ("action_contact", "contact")):
        op.drop_index(op.f(f"ix_{table}_{other}_id"), table_name=table)
        op.drop_table(table)
    op.drop_table("partner")
    op.drop_index(op.f("ix_contact_user_id"), table_name="contact")
    op.drop_table("contact")


def _in_list(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _status_check(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute('ALTER TABLE action DROP CONSTRAINT IF EXISTS "ck_action_status"')
        op.execute(f'ALTER TABLE action ADD CONSTRAINT "ck_action_status" CHECK ({_in_list(new)})')
        return
    old_sql = ", ".join(f"'{value}'" for value in old) + ")"
    new_sql = ", ".join(f"'{value}'" for value in new) + ")"
    _edit_sqlite_schema("action", old_sql, new_sql)


def _edit_sqlite_schema(table: str, old: str | None, new: str) -> None:
    """Rewrite a table's CREATE statement in place (`old` None: its closing parenthesis), as SQLite documents for
    constraint changes that every stored row already meets; the schema version moves on so connections reload."""
    bind = op.get_bind()
    table_sql = bind.scalar(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table})
    if old is None:
        edited = table_sql.rstrip().removesuffix(")").rstrip() + new
    elif old in table_sql:
        edited = table_sql.replace(old, new, 1)
    else:
        raise RuntimeError(f"The table {table} is not the one this migration expects: {old!r} is not in it")
    version = bind.scalar(sa.text("PRAGMA schema_version"))
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"), {"sql": edited, "t": table}
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))
