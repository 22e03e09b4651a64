"""Owners write dated updates on their own actions; nobody edits or deletes what was written."""

from datetime import date, timedelta

import pytest
from sqlalchemy import text as sql

from app.extensions import db
from app.models import Action, AuditEvent, Rag, Update
from app.services.actions import updating
from app.services.actions.conflicts import ConflictError
from app.services.errors import NotAllowed
from tests.factories import make_action, make_plan, make_user
from tests.pages import check_page, field_value, textarea_value

TODAY = date(2025, 9, 15)


@pytest.fixture
def frozen(app):
    app.config["TODAY"] = TODAY
    return TODAY


def update_count(action_id: int) -> int:
    return db.session.scalar(db.select(db.func.count(Update.id)).where(Update.action_id == action_id))


def post_update(client, action_id: int, text: str, *, as_at=TODAY, rag="amber", version=None, restricted=False):
    """Fill in the form on the action page as a browser would (the version comes from the page)."""
    page = client.get(f"/actions/{action_id}").get_data(as_text=True)
    data = {
        "csrf_token": field_value(page, "csrf_token"),
        "version": version if version is not None else field_value(page, "version"),
        "as_at": [str(as_at.day), str(as_at.month), str(as_at.year)] if isinstance(as_at, date) else as_at,
        "text": text,
        "rag": rag,
    }
    if restricted:
        data["restricted"] = "y"
    return client.post(f"/actions/{action_id}/updates", data=data)


# My actions


def test_my_actions_lists_owned_actions_across_plans_with_update_due(app_context, app, frozen):
    owner = make_user("owner")
    other = make_user("owner")
    first = make_plan(title="A plan", actions=0)
    second = make_plan(title="B plan", actions=0)
    fresh = make_action(first, ref="1", owner=owner)
    fresh.updates.append(Update(as_at=TODAY - timedelta(days=30), text="On track"))
    stale = make_action(first, ref="2", owner=owner)
    stale.updates.append(Update(as_at=TODAY - timedelta(days=31), text="Last summer"))
    never = make_action(second, ref="1", owner=owner)
    make_action(second, ref="2", owner=other)
    db.session.commit()

    plans = updating.my_actions(owner, today=TODAY)

    assert [p.plan.title for p in plans] == ["A plan", "B plan"]
    rows = {row.action.id: row for p in plans for row in p.actions}
    assert set(rows) == {fresh.id, stale.id, never.id}
    assert rows[fresh.id].update_due is False and rows[fresh.id].last_update == TODAY - timedelta(days=30)
    assert rows[stale.id].update_due is True
    assert rows[never.id].update_due is True and rows[never.id].last_update is None


def test_my_actions_are_read_a_page_at_a_time_in_plan_order(app_context, client, auth, frozen, monkeypatch):
    """Five owned actions in two plans, two a page: the pages follow plan order across the plans; a page past
    the end shows the last."""
    monkeypatch.setattr(updating, "MY_ACTIONS_PAGE", 2)
    owner = make_user("owner")
    first = make_plan(title="A plan", actions=0)
    second = make_plan(title="B plan", actions=0)
    for plan, refs in ((first, ["1", "2", "3"]), (second, ["1", "2"])):
        for position, ref in enumerate(refs):
            make_action(plan, ref=ref, position=position, what=f"{plan.title} action {ref}", owner=owner)
    make_action(second, ref="3", position=2, what="Someone else's")
    db.session.commit()

    def shown(mine):
        return [(p.plan.title, row.action.ref) for p in mine.plans for row in p.actions]

    page = updating.my_actions_page(owner, 2, today=TODAY)
    assert shown(page) == [("A plan", "3"), ("B plan", "1")]
    assert (page.total, page.page, page.pages, page.first, page.last) == (5, 2, 3, 3, 4)
    last = updating.my_actions_page(owner, 9, today=TODAY)
    assert shown(last) == [("B plan", "2")] and (last.page, last.first, last.last) == (3, 5, 5)
    assert len([row for p in updating.my_actions(owner, today=TODAY) for row in p.actions]) == 5
    assert updating.my_actions_page(make_user("owner"), 3, today=TODAY).total == 0

    auth.login(owner)
    html = check_page(client.get("/my-actions?page=2"))
    assert "A plan action 3" in html and "B plan action 1" in html and "A plan action 1" not in html
    assert "Showing actions 3 to 4 of 5, 2 a page." in html and 'href="/my-actions?page=3"' in html
    assert "(page 2 of 3)" in html and "Someone else" not in html


def test_owner_lands_on_my_actions_and_sees_update_due(app_context, client, auth, frozen):
    owner = make_user("owner")
    plan = make_plan(title="Modern Day Slavery", actions=0)
    make_action(plan, ref="7", what="Train frontline officers", owner=owner, target_date=date(2026, 3, 31))
    db.session.commit()
    response = auth.login(owner)
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/my-actions"
    page = check_page(client.get("/my-actions"))
    assert "Train frontline officers" in page and "Modern Day Slavery" in page
    assert "31 March 2026" in page and "Update due" in page and ">Green<" in page
    assert "Modern Day Slavery (2025-26)</h2>" in page, "the plan's period, once"


@pytest.mark.parametrize("role", ["lead", "admin", "viewer"])
def test_everyone_else_lands_on_the_plans(client, login_as, role):
    login_as(role)
    assert client.get("/").headers["Location"] == "/plans"


def test_my_actions_page_without_actions_says_so(client, login_as):
    login_as("owner")
    assert "You do not own any actions yet" in check_page(client.get("/my-actions"))


# Adding an update


def test_owner_adds_an_update_that_appears_in_the_history(app_context, client, login_as, frozen):
    owner = login_as("owner")
    action = make_plan(actions=1, owner=owner).actions[0]
    page = check_page(client.get(f"/actions/{action.id}"))
    assert field_value(page, "as_at") == "15"  # the day box defaults to today
    response = post_update(client, action.id, "Referral pathway agreed with <b>partners</b>", restricted=True)
    assert response.status_code == 302
    page = check_page(client.get(response.headers["Location"]))
    assert "Your update has been added" in page
    assert "Referral pathway agreed with &lt;b&gt;partners&lt;/b&gt;" in page
    update = db.session.scalar(db.select(Update).where(Update.action_id == action.id))
    assert (update.as_at, update.rag, update.restricted, update.author_id) == (TODAY, Rag.AMBER, True, owner.id)
    assert update.author_name == owner.name and update.source == "app"
    assert db.session.get(Action, action.id).version == 2  # adding an update moves the version on
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "update.add"))
    assert event.record_id == action.id and event.new["version"] == 2


def test_owner_cannot_update_an_action_they_do_not_own(client, login_as, frozen):
    login_as("owner")
    action = make_plan(actions=1, owner=make_user("owner")).actions[0]
    page = check_page(client.get(f"/actions/{action.id}"))
    assert "Add an update" not in page
    response = post_update(client, action.id, "Not mine to write", version="1")
    assert response.status_code == 403
    assert update_count(action.id) == 0
    assert db.session.get(Action, action.id).version == 1


def test_service_refuses_an_owner_who_does_not_own_the_action(app_context, app):
    stranger = make_user("owner")
    action = make_plan(actions=1, owner=make_user("owner")).actions[0]
    with pytest.raises(NotAllowed):
        updating.add_update(action, stranger, text="x", as_at=TODAY, rag=Rag.RED, seen_version=1, today=TODAY)
    db.session.rollback()
    assert update_count(action.id) == 0


def test_lead_updates_any_action_of_their_plan_but_not_of_another(app_context, client, auth, frozen):
    lead = make_user("lead")
    mine = make_plan(actions=1, lead_user=lead).actions[0]
    theirs = make_plan(actions=1, lead_user=make_user("lead")).actions[0]
    auth.login(lead)
    assert post_update(client, mine.id, "Lead's note").status_code == 302
    assert post_update(client, theirs.id, "Not my plan", version="1").status_code == 403
    assert update_count(mine.id) == 1 and update_count(theirs.id) == 0


def test_viewer_cannot_post_an_update(client, login_as, frozen):
    login_as("viewer")
    action = make_plan(actions=1).actions[0]
    assert post_update(client, action.id, "Hello", version="1").status_code == 403
    assert update_count(action.id) == 0


@pytest.mark.parametrize(
    ("text", "as_at", "message"),
    [
        ("   ", TODAY, "Enter the update"),
        ("Tomorrow's news", TODAY + timedelta(days=1), "The as-at date must be today or in the past"),
        ("Pasted from Word\x0b", TODAY, "characters that cannot be saved"),
        ("x" * 10_001, TODAY, "10,000 characters or fewer"),
        ("No date", ["31", "2", "2025"], "Enter the as-at date as a real date, like 31 3 2026"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_the_text_kept(client, login_as, frozen, text, as_at, message):
    owner = login_as("owner")
    action = make_plan(actions=1, owner=owner).actions[0]
    response = post_update(client, action.id, text, as_at=as_at)
    page = check_page(response)
    assert page.count(message) >= 2  # in the error summary and beside the field
    assert "<title>Error:" in page
    if text.strip() and "\x0b" not in text:
        assert textarea_value(page, "text") == text
    assert update_count(action.id) == 0


def test_proposed_rag_is_required(client, login_as, frozen):
    owner = login_as("owner")
    action = make_plan(actions=1, owner=owner).actions[0]
    page = check_page(post_update(client, action.id, "Progress", rag=""))
    assert "Select the RAG you propose" in page and textarea_value(page, "text") == "Progress"


def test_history_is_in_as_at_order_whatever_order_it_was_written(client, login_as, frozen):
    owner = login_as("owner")
    action = make_plan(actions=1, owner=owner).actions[0]
    assert post_update(client, action.id, "Second, written first", as_at=date(2025, 9, 10)).status_code == 302
    assert post_update(client, action.id, "First, written late", as_at=date(2025, 8, 1)).status_code == 302
    assert post_update(client, action.id, "Third", as_at=date(2025, 9, 12)).status_code == 302
    page = check_page(client.get(f"/actions/{action.id}"))
    history = page[page.index('id="updates"') :]
    positions = [history.index(t) for t in ("Third", "Second, written first", "First, written late")]
    assert positions == sorted(positions)  # latest as-at date first
    assert [u.text for u in db.session.get(Action, action.id).updates][0] == "First, written late"


# Conflicts


def test_a_stale_form_is_refused_with_what_changed_and_the_text_kept(client, login_as, frozen):
    owner = login_as("owner")
    action = make_plan(actions=1, owner=owner).actions[0]
    opened = check_page(client.get(f"/actions/{action.id}"))
    colleague = make_user("owner", name="DCI Chisholm")
    action.owners.append(colleague)
    db.session.commit()
    updating.add_update(
        action, colleague, text="Mine got in first", as_at=TODAY, rag=Rag.RED, seen_version=1, today=TODAY
    )

    typed = "Three victims referred to the NRM\nand a reception centre identified"
    response = client.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": field_value(opened, "csrf_token"),
            "version": field_value(opened, "version"),
            "as_at": ["15", "9", "2025"],
            "text": typed,
            "rag": "green",
        },
    )
    page = check_page(response, 409)
    assert "Your update has not been saved" in page
    assert "DCI Chisholm added an update as at 15 September 2025, proposing Red" in page
    assert textarea_value(page, "text") == typed
    assert field_value(page, "version") == "2"  # sending it again now works
    assert [u.text for u in db.session.get(Action, action.id).updates] == ["Mine got in first"]

    again = client.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": field_value(page, "csrf_token"),
            "version": field_value(page, "version"),
            "as_at": ["15", "9", "2025"],
            "text": textarea_value(page, "text"),
            "rag": "green",
        },
    )
    assert again.status_code == 302
    assert update_count(action.id) == 2


def test_a_writer_who_loses_the_race_after_checking_gets_a_conflict(app_context, app):
    owner = make_user("owner")
    action = make_plan(actions=1, owner=owner).actions[0]
    assert action.version == 1
    # Another worker moves the version on between our read and our write.
    with db.engine.begin() as other:
        other.execute(sql("UPDATE action SET version = version + 1 WHERE id = :id"), {"id": action.id})
    with pytest.raises(ConflictError) as raised:
        updating.add_update(action, owner, text="Too late", as_at=TODAY, rag=Rag.GREEN, seen_version=1, today=TODAY)
    assert raised.value.current_version == 2
    assert update_count(action.id) == 0


# Append-only


def test_no_route_edits_or_deletes_an_update(app, client, login_as, frozen):
    owner = login_as("owner")
    action = make_plan(actions=1, owner=owner, updates_per_action=1).actions[0]
    update_routes = [rule for rule in app.url_map.iter_rules() if "update" in rule.rule]
    assert [(r.rule, sorted(r.methods - {"OPTIONS"})) for r in update_routes] == [
        ("/actions/<int:action_id>/updates", ["POST"])
    ]
    assert not any("update_id" in rule.arguments for rule in app.url_map.iter_rules())
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.open(f"/actions/{action.id}/updates", method=method).status_code == 405
    assert [u.text for u in db.session.get(Action, action.id).updates] == ["Progress 1"]


@pytest.mark.parametrize("as_at", ["15", ["15", "9", "2025", "1"]])
def test_a_date_posted_as_other_than_three_boxes_is_refused_not_a_crash(client, login_as, frozen, as_at):
    owner = login_as("owner")
    action = make_plan(actions=1, owner=owner).actions[0]
    page = check_page(post_update(client, action.id, "Kept", as_at=as_at))
    assert "Enter the as-at date as a real date, like 31 3 2026" in page
    assert textarea_value(page, "text") == "Kept" and update_count(action.id) == 0


def test_extra_fields_in_an_update_post_change_nothing_but_the_update(app_context, client, auth, frozen):
    """Mass assignment: an owner adds fields the form does not have; the RAG stays the lead's to decide."""
    owner = make_user("owner")
    plan = make_plan(actions=1, owner=owner, rag=Rag.RED)
    action = plan.actions[0]
    intruder = make_user("owner")
    auth.login(owner)
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    response = client.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": field_value(page, "csrf_token"),
            "version": field_value(page, "version"),
            "as_at": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
            "text": "Progress as planned",
            "rag": "green",
            "current_rag": "green",
            "owner_id": str(intruder.id),
            "owners": str(intruder.id),
            "restricted_action": "y",
            "author_id": str(intruder.id),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Action, action.id)
    assert stored.rag is Rag.RED  # proposed, not decided
    assert [o.id for o in stored.owners] == [owner.id] and stored.restricted is False
    update = stored.updates[-1]
    assert update.author_id == owner.id and update.rag is Rag.GREEN
