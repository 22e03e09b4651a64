"""`flask demo`: example activity on top of the seed plans, marked as example data, with the seed text untouched."""

from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Plan, RagChange, Review, Update, User
from app.services import clock
from app.services.demo_partnership import TITLE as PARTNERSHIP
from app.services.importing.saving import import_workbook
from app.services.reporting import dashboard
from app.services.reviewing.queue import review_queue
from tests.conftest import SEED_WORKBOOK

LOCAL = "Public Protection Delivery Plan 2015-16"


def seed_text() -> dict:
    """Every action's text and imported updates, as the seed workbook gives them (the example partnership plan is
    built by the demo itself, tests/test_demo_partnership.py)."""
    plans = db.session.scalars(db.select(Plan).where(Plan.title != PARTNERSHIP).order_by(Plan.title))
    return {
        (plan.title, action.display_ref): (
            action.what,
            action.how,
            action.responsibility,
            action.target_date,
            action.target_date_text,
            action.status,
            [(u.as_at, u.text) for u in action.updates if u.source == "import"],
        )
        for plan in plans
        for action in plan.actions
    }


@pytest.fixture
def demo(app_context, app, runner):
    app.config["PLANS_DIR"] = SEED_WORKBOOK.rsplit("/", 1)[0]
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Example activity added" in result.output
    return db.session.scalar(db.select(Plan).filter_by(title=LOCAL))


def test_the_seed_text_is_exactly_as_imported(demo, app):
    with_examples = seed_text()
    db.session.remove()
    db.drop_all()
    db.create_all()
    import_workbook(Path(SEED_WORKBOOK).read_bytes(), "wmp-modern-slavery-delivery-plan-2015-16.xlsx")
    assert with_examples == seed_text()


def test_every_example_is_marked_as_example_data(demo):
    written = db.session.scalars(db.select(Update).where(Update.source == "app")).all()
    assert written and all(u.text.startswith("Example:") for u in written)
    assert {u.author.email for u in written} == {"owner@example.police.uk"}
    decisions = db.session.scalars(db.select(RagChange).where(RagChange.user_id.is_not(None))).all()
    assert decisions and all(change.reason.startswith("Example:") for change in decisions)
    review = db.session.scalar(db.select(Review))
    assert review.notes.startswith("Example data:") and review.decisions.startswith("Example:")


def test_the_past_review_shows_the_rag_of_its_day(demo):
    review = db.session.scalar(db.select(Review))
    assert review.held_on == clock.today() - timedelta(days=42)
    by_ref = {a.id: a.display_ref for a in demo.actions}
    rags = {by_ref[s.action_id]: s.rag.value for s in review.snapshots if s.rag}
    assert rags == {"Prepare 1": "green", "Prevent 2": "amber", "Protect 3": "red"}  # not today's Amber


def test_the_dashboard_queue_and_changes_show_what_the_tracker_is_for(demo, client, auth):
    board = dashboard.build(demo, include_restricted=True)
    assert board.totals.counts["amber"] >= 1 and board.totals.counts["green"] >= 1
    changed = {line.action.display_ref: line.what_changed for line in board.changed.rows}
    assert changed["Protect 3"] == ["RAG Red → Amber", "1 new update"]
    assert changed["Prevent 2"] == ["1 new update"] and "Prepare 9" in changed
    assert [row.label for row in board.review_mix][-1] == "Today" and len(board.review_mix) == 2
    queue = {item.action.display_ref: item.proposed.value for item in review_queue(demo).items if item.proposal}
    assert queue == {"Prevent 2": "green", "Prepare 9": "amber"}
    lead = db.session.scalar(db.select(User).filter_by(email="lead@example.police.uk"))
    assert lead is not None


def test_running_the_demo_again_adds_no_second_story(demo, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 1
