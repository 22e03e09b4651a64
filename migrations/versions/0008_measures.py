"""A plan's outcome measures, their values (append-only: a correction is a new row, the latest wins) and the lead's
edits of an annual report (year-end commentary and key achievements, kept for that report only).

measure_value refuses UPDATE and DELETE in the database, as update and audit_event do (0002): the trigger DDL is
copied here rather than imported, so that a later change to the models cannot rewrite what this revision did.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:27:39

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("measure_value",)

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

def upgrade():
    op.create_table('measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('frequency', sa.Enum('monthly', 'quarterly', 'yearly', name='frequency', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('strand', sa.Enum('Prepare', 'Prevent', 'Protect', 'Pursue', name='measure_strand', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('objective_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.Enum('more', 'less', 'range', name='direction', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('target', sa.Double(), nullable=True),
    sa.Column('target_low', sa.Double(), nullable=True),
    sa.Column('target_high', sa.Double(), nullable=True),
    sa.Column('amber_margin_percent', sa.Integer(), server_default='10', nullable=False),
    sa.Column('dimension', sa.String(length=100), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['objective.id'], name=op.f('fk_measure_objective_id_objective'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_measure_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure'))
    )
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index('ix_measure_plan_position', ['plan_id', 'position'], unique=False)

    op.create_table('measure_action',
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_measure_action_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_measure_action_measure_id_measure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure_id', 'action_id', name=op.f('pk_measure_action'))
    )
    with op.batch_alter_table('measure_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_action_action_id'), ['action_id'], unique=False)

    op.create_table('measure_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_name', sa.String(length=200), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_measure_value_entered_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_measure_value_measure_id_measure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_value'))
    )
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.create_index('ix_measure_value_measure_period', ['measure_id', 'period_start', 'category'], unique=False)

    op.create_table('report_edit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('objective_id', sa.Integer(), nullable=True),
    sa.Column('strand', sa.Enum('Prepare', 'Prevent', 'Protect', 'Pursue', name='report_edit_strand', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('edited_by_name', sa.String(length=200), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_report_edit_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edited_by_id'], ['user.id'], name=op.f('fk_report_edit_edited_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['objective_id'], ['objective.id'], name=op.f('fk_report_edit_objective_id_objective'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_report_edit_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_edit'))
    )
    with op.batch_alter_table('report_edit', schema=None) as batch_op:
        batch_op.create_index('ix_report_edit_plan_year', ['plan_id', 'year'], unique=False)

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
    with op.batch_alter_table('report_edit', schema=None) as batch_op:
        batch_op.drop_index('ix_report_edit_plan_year')

    op.drop_table('report_edit')
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_value_measure_period')

    op.drop_table('measure_value')
    with op.batch_alter_table('measure_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_action_action_id'))

    op.drop_table('measure_action')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_plan_position')
        batch_op.drop_index(batch_op.f('ix_measure_objective_id'))

    op.drop_table('measure')
