"""Database triggers that keep append-only tables append-only, whatever connects to the database.

The ORM already refuses to change an Update or an AuditEvent; these triggers refuse it in the database
too (an ad-hoc SQL session, a bulk statement, another program), on SQLite and PostgreSQL alike.
Deleting a whole plan still cascades: the triggers refuse single-row edits and deletes of history, and
the tracker has no feature that deletes plans.
"""

from sqlalchemy import DDL, Table, event

from app.models.audit import AuditEvent
from app.models.measure import MeasureValue
from app.models.update import Update


def _table_of(model: type[AuditEvent] | type[Update] | type[MeasureValue]) -> Table:
    table = model.__table__  # a declarative model's own Table (typed as a FromClause)
    assert isinstance(table, Table)
    return table


APPEND_ONLY_TABLES = (_table_of(AuditEvent), _table_of(Update))
# Made append-only by later migrations, each with its own copy of the statements (0008: measure values).
LATER_APPEND_ONLY_TABLES = (_table_of(MeasureValue),)

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_change_to_history() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: add a new row instead', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def sqlite_triggers(table: str) -> list[str]:
    return [
        f'CREATE TRIGGER "{table}_append_only_{verb.lower()}" BEFORE {verb} ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: add a new row instead'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def postgresql_triggers(table: str) -> list[str]:
    return [
        POSTGRESQL_FUNCTION,
        f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()",
    ]


def statements(dialect: str, table: str) -> list[str]:
    return sqlite_triggers(table) if dialect == "sqlite" else postgresql_triggers(table)


for _table in APPEND_ONLY_TABLES + LATER_APPEND_ONLY_TABLES:
    for _statement in sqlite_triggers(_table.name):
        event.listen(_table, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
    for _statement in postgresql_triggers(_table.name):
        # DDL() formats its text with %, so the message's own % placeholder is doubled here.
        event.listen(_table, "after_create", DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"))
