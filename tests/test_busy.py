"""SQLite lets one writer in at a time: whoever meets a long write is told to send it again, with their text."""

import sqlite3

from app import create_app
from app.extensions import db
from app.models import Update
from config import TestConfig
from tests.conftest import AuthActions, serve_requests_apart
from tests.factories import make_plan, make_user
from tests.pages import check_page, field_value


def test_a_locked_database_gives_a_busy_page_with_the_typed_text(tmp_path):
    path = tmp_path / "busy.db"

    class BusyConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        SQLITE_BUSY_TIMEOUT_MS = 50

    app = serve_requests_apart(create_app(BusyConfig))
    with app.app_context():
        db.create_all()
        owner = make_user("owner")
        plan = make_plan(actions=1, owner=owner)
        action_id = plan.actions[0].id
        client = app.test_client()
        assert AuthActions(client).login(owner).status_code == 302
        page = client.get(f"/actions/{action_id}").get_data(as_text=True)
        form = {
            "csrf_token": field_value(page, "csrf_token"),
            "version": field_value(page, "version"),
            "as_at": ["1", "6", "2025"],
            "text": "Safeguarding visit done with the council",
            "rag": "green",
        }
        importer = sqlite3.connect(path)  # another writer, e.g. a long import, holds the write lock
        importer.execute("BEGIN IMMEDIATE")
        try:
            response = client.post(f"/actions/{action_id}/updates", data=form)
        finally:
            importer.rollback()
            importer.close()
        page = check_page(response, 503)
        assert "The tracker is busy" in page
        assert "Safeguarding visit done with the council" in page  # nothing typed is lost
        assert db.session.scalar(db.select(db.func.count(Update.id))) == 0
        assert client.post(f"/actions/{action_id}/updates", data=form).status_code == 302  # sent again, it saves
        db.session.remove()
        db.engine.dispose()
