"""Counting the SQL statements a page runs, to prove it does not grow with the plan."""

from sqlalchemy import event

from app.extensions import db
from tests.pages import check_page


def count_queries(client, url: str) -> int:
    """How many statements fetching the page sends to the database (the page must answer 200)."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        check_page(client.get(url))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)
