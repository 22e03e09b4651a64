"""Several people writing on one action at the same moment: nothing is lost, and nobody overwrites anybody.

Each thread is one person's request: its own app context, so its own database session and connection.
The threads load the action, wait for each other at a barrier, then write at once. On PostgreSQL (`.ci/run`
runs the suite with DATABASE_URL set) the second writer's UPDATE waits on the first one's row lock; on SQLite
it waits on the database lock (the busy timeout). Either way the loser is refused with a ConflictError, never
silently overwritten, and a person who is refused sends their kept text again.
"""

import threading
from datetime import date

import pytest

from app.extensions import db
from app.models import Action, AuditEvent, Rag, RagChange, Update, User
from app.services.actions import updating
from app.services.actions.conflicts import ConflictError
from app.services.reviewing.decisions import decide_rag
from app.services.reviewing.queue import queue_item
from tests.conftest import AuthActions, csrf_token
from tests.factories import make_plan, make_user
from tests.pages import check_page, field_value

WRITERS = 8
UPDATES_EACH = 3
MAX_ATTEMPTS = 100  # a writer who keeps losing retries; this only stops a broken lock from spinning forever
TODAY = date.today()


def at_once(app, work: list) -> list:
    """Run each `work(barrier)` in a thread of its own, in an app context of its own; their results or errors."""
    barrier = threading.Barrier(len(work), timeout=30)
    results: list = [None] * len(work)

    def run(index: int) -> None:
        with app.app_context():
            try:
                results[index] = work[index](barrier)
            except BaseException as error:  # handed back to the test, which asserts on it
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,), name=f"writer-{i}") for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished: a lock was never released"
    return results


def owner_writing(action_id: int, owner_id: int, texts: list[str]):
    """An owner adding their updates one after another; refused, they send the same text again."""

    def work(barrier: threading.Barrier) -> dict:
        owner = db.session.get(User, owner_id)
        refused = 0
        for number, text in enumerate(texts):
            for attempt in range(MAX_ATTEMPTS):
                db.session.expire_all()  # the page as opened now
                action = db.session.get(Action, action_id)
                seen = action.version
                if number == 0 and attempt == 0:
                    barrier.wait()  # everybody has opened the page at the same version
                try:
                    updating.add_update(action, owner, text=text, as_at=TODAY, rag=Rag.AMBER, seen_version=seen)
                    break
                except ConflictError:
                    refused += 1
            else:
                raise AssertionError(f"{text!r} was refused {MAX_ATTEMPTS} times")
        return {"saved": len(texts), "refused": refused}

    return work


def test_owners_adding_updates_to_one_action_at_once_lose_none(app_context, app):
    owners = [make_user("owner", name=f"Owner {i}") for i in range(WRITERS)]
    plan = make_plan(actions=1, owner=owners[0])
    action = plan.actions[0]
    action.owners.extend(owners[1:])
    db.session.commit()
    texts = {owner.id: [f"{owner.name}, update {n}" for n in range(UPDATES_EACH)] for owner in owners}

    results = at_once(app, [owner_writing(action.id, owner.id, texts[owner.id]) for owner in owners])

    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    db.session.expire_all()
    stored = db.session.scalars(db.select(Update.text).filter_by(action_id=action.id)).all()
    assert sorted(stored) == sorted(text for each in texts.values() for text in each), "every update, once"
    assert sum(result["saved"] for result in results) == WRITERS * UPDATES_EACH
    # All opened the page at version 1 and wrote at once: one got in, the others were told and sent again.
    assert sum(result["refused"] for result in results) >= WRITERS - 1
    assert db.session.get(Action, action.id).version == 1 + WRITERS * UPDATES_EACH
    audited = db.select(db.func.count(AuditEvent.id)).filter_by(verb="update.add", record_id=action.id)
    assert db.session.scalar(audited) == WRITERS * UPDATES_EACH


def lead_deciding(action_id: int, user_id: int, rag: Rag, reason: str):
    def work(barrier: threading.Barrier):
        action = db.session.get(Action, action_id)
        user = db.session.get(User, user_id)
        seen = action.version
        queue_item(action)  # the decision page as it was opened
        barrier.wait()
        return decide_rag(action, user, rag=rag, reason=reason, seen_version=seen).id

    return work


def proposed(rag: Rag):
    """A plan whose lead, and an administrator, both look at an owner's proposal; returns (action, lead, admin)."""
    lead, admin, owner = make_user("lead", name="DSupt Walton"), make_user("admin", name="Alex Admin"), make_user()
    action = make_plan(actions=1, lead_user=lead, owner=owner, rag=Rag.GREEN).actions[0]
    updating.add_update(action, owner, text="Slipping", as_at=TODAY, rag=rag, seen_version=action.version)
    return action, lead, admin


def test_two_leads_deciding_one_rag_at_once_one_wins_the_other_is_told(app_context, app):
    action, lead, admin = proposed(Rag.AMBER)
    version = action.version

    results = at_once(
        app,
        [
            lead_deciding(action.id, lead.id, Rag.AMBER, ""),
            lead_deciding(action.id, admin.id, Rag.RED, "Escalated by the force"),
        ],
    )

    won = [result for result in results if isinstance(result, int)]
    lost = [result for result in results if isinstance(result, ConflictError)]
    assert len(won) == 1 and len(lost) == 1, results
    db.session.expire_all()
    decisions = db.session.scalars(db.select(RagChange).filter_by(action_id=action.id)).all()
    assert [decision.id for decision in decisions] == won, "exactly one decision is kept"
    winner = decisions[0]
    assert db.session.get(Action, action.id).rag is winner.to_rag
    assert db.session.get(Action, action.id).version == version + 1
    # The one refused is told who decided what, in words.
    told = [f"{change.who} {change.what}" for change in lost[0].changes]
    assert f"{winner.user.name} set the RAG from Green to {winner.to_rag.label}" in " ".join(told)


def test_a_lead_whose_decision_the_other_lead_overtook_is_told_so_not_asked_for_a_reason(app_context, app):
    # The slow lead loaded the action (version 2) and confirms the owner's Red with no reason, as is allowed;
    # the admin's decision lands in between. With Red no longer proposed, a reason would now be needed.
    action, lead, admin = proposed(Rag.RED)
    seen = action.version
    with app.app_context():
        other = db.session.get(Action, action.id)
        decide_rag(other, db.session.get(User, admin.id), rag=Rag.AMBER, reason="Caught up", seen_version=seen)
        db.session.remove()

    with pytest.raises(ConflictError) as refused:
        decide_rag(action, lead, rag=Rag.RED, reason="", seen_version=seen)
    assert [f"{change.who} {change.what}" for change in refused.value.changes] == [
        "Alex Admin set the RAG from Green to Amber (Caught up)"
    ]
    db.session.expire_all()
    assert db.session.get(Action, action.id).rag is Rag.AMBER


def test_two_leads_sending_the_decision_page_at_once_one_sees_the_conflict_message(app_context, app):
    action, lead, admin = proposed(Rag.RED)
    forms = []
    for person in (lead, admin):
        client = app.test_client()
        assert AuthActions(client).login(person).status_code == 302
        page = check_page(client.get(f"/actions/{action.id}/decide"))
        forms.append((client, {"csrf_token": csrf_token(client, f"/actions/{action.id}/decide")}, page))

    def sending(client, data: dict, page: str, rag: str, reason: str):
        def work(barrier: threading.Barrier):
            form = {**data, "version": field_value(page, "version"), "rag": rag, "reason": reason}
            barrier.wait()
            return client.post(f"/actions/{action.id}/decide", data=form)

        return work

    responses = at_once(
        app,
        [sending(*forms[0], "red", ""), sending(*forms[1], "amber", "The partners have caught up")],
    )

    assert sorted(response.status_code for response in responses) == [302, 409], responses
    refused = next(response for response in responses if response.status_code == 409)
    page = check_page(refused, 409)
    assert "Your decision has not been saved: someone changed this action after you opened the page" in page
    db.session.expire_all()
    assert len(db.session.scalars(db.select(RagChange).filter_by(action_id=action.id)).all()) == 1
