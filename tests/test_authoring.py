"""Leads and admins write plans in the tracker: plans, objectives, actions, order, closing, archiving."""

from datetime import date

import pytest

from app.extensions import db
from app.models import Action, ActionStatus, AuditEvent, Contact, Objective, Plan, Rag, Strand, Update
from app.services.actions import authoring as action_authoring
from app.services.plans import authoring as plan_authoring
from app.services.plans import reading as plan_reading
from tests.factories import make_action, make_plan, make_user
from tests.pages import check_page, field_value, textarea_value


@pytest.fixture
def lead(app_context, app):
    return make_user("lead", name="DSupt Walton")


@pytest.fixture
def plan(lead):
    return make_plan(title="Modern Slavery Local Delivery Plan 2015-16", period_label="2015-16", lead_user=lead)


def verbs() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.verb).order_by(AuditEvent.id)))


def test_a_lead_creates_a_plan_they_lead(client, auth, lead):
    auth.login(lead)
    page = check_page(client.get("/plans/new"))
    data = {
        "csrf_token": field_value(page, "csrf_token"),
        "title": "Modern Slavery Local Delivery Plan 2016-17",
        "priority": "Modern Day Slavery",
        "lead_user_id": str(lead.id),
        "period_label": "2016-17",
        "update_interval_days": "28",
    }
    response = client.post("/plans/new", data=data)
    plan = db.session.scalar(db.select(Plan))
    assert response.headers["Location"] == f"/plans/{plan.id}"
    assert (plan.lead_user_id, plan.period_start, plan.period_end) == (lead.id, date(2016, 4, 1), date(2017, 3, 31))
    assert plan.update_interval_days == 28 and plan.priority == "Modern Day Slavery" and plan.lead == "DSupt Walton"
    assert "plan.create" in verbs()
    assert "Write this plan" in check_page(client.get(f"/plans/{plan.id}"))


def test_an_admin_names_the_lead_and_a_clash_keeps_what_was_typed(client, auth, lead):
    admin = make_user("admin")
    make_plan(title="Existing plan", period_label="2016-17")
    auth.login(admin)
    page = check_page(client.get("/plans/new"))
    data = {
        "csrf_token": field_value(page, "csrf_token"),
        "title": "Existing plan",
        "priority": "Typed priority",
        "lead_user_id": str(lead.id),
        "period_label": "2016-17",
        "update_interval_days": "30",
    }
    page = check_page(client.post("/plans/new", data=data))
    assert "There is already a plan called Existing plan for 2016-17: change the title or the period" in page
    assert field_value(page, "priority") == "Typed priority"
    bad_period = check_page(client.post("/plans/new", data={**data, "title": "New plan", "period_label": "2016"}))
    assert "Enter the period as a financial year, like 2016-17" in bad_period
    client.post("/plans/new", data={**data, "title": "New plan"})
    assert db.session.scalar(db.select(Plan).filter_by(title="New plan")).lead_user_id == lead.id


def test_a_lead_cannot_write_another_leads_plan(client, auth, plan):
    other = make_user("lead")
    auth.login(other)
    assert client.get(f"/plans/{plan.id}/actions/new").status_code == 403
    with pytest.raises(plan_authoring.NotAllowed):
        action_authoring.add_action(plan, other, action_authoring.NewAction(Strand.PREPARE, "9", "Do it"))


def test_objectives_are_added_and_edited(client, auth, plan, lead):
    auth.login(lead)
    page = check_page(client.get(f"/plans/{plan.id}/objectives/new"))
    data = {
        "csrf_token": field_value(page, "csrf_token"),
        "strand": "Prevent",
        "ref": "2",
        "title": "Raise awareness among frontline staff",
        "outcomes": "Staff spot the signs\nMore referrals to the NRM\n",
    }
    client.post(f"/plans/{plan.id}/objectives/new", data=data)
    objective = db.session.scalar(db.select(Objective))
    assert (objective.strand, objective.ref, objective.outcomes) == (
        Strand.PREVENT,
        "2",
        ["Staff spot the signs", "More referrals to the NRM"],
    )
    page = check_page(client.get(f"/plans/{plan.id}/objectives/{objective.id}"))
    assert textarea_value(page, "outcomes") == "Staff spot the signs\nMore referrals to the NRM"
    client.post(f"/plans/{plan.id}/objectives/{objective.id}", data={**data, "title": "Raise awareness"})
    assert db.session.get(Objective, objective.id).title == "Raise awareness"
    clash = check_page(client.post(f"/plans/{plan.id}/objectives/new", data=data))
    assert "The plan already has an objective Prevent 2: enter another number" in clash
    assert verbs().count("objective.add") == 1 and verbs().count("objective.edit") == 1


def test_adding_an_action_suggests_the_next_number_and_keeps_typing_on_error(client, auth, plan, lead):
    contact = Contact(name="Esther Martin", role="Intel")
    owner = make_user("owner", name="DCI Chisholm")
    db.session.add(contact)
    db.session.commit()
    auth.login(lead)
    page = check_page(client.get(f"/plans/{plan.id}/actions/new?strand=Prevent"))
    assert field_value(page, "ref") == "2"  # the plan has Prevent 1
    data = {
        "csrf_token": field_value(page, "csrf_token"),
        "strand": "Prevent",
        "objective": "",
        "ref": "1",
        "what": "Train call handlers to spot modern slavery",
        "how": "• Two sessions a quarter",
        "responsibility": "DCI Chisholm / Intel Esther Martin",
        "owners": str(owner.id),
        "contacts": str(contact.id),
        "target_date": ["31", "3", "2016"],
        "links": "PCC 1.4.3\nNational Strategy (NS)",
        "partners": "Hope for Justice\nSandwell Council",
    }
    page = check_page(client.post(f"/plans/{plan.id}/actions/new", data=data))
    assert "Prevent 1 is already an action of this plan: the next free number is Prevent 2" in page
    assert textarea_value(page, "what") == data["what"] and textarea_value(page, "partners").startswith("Hope")
    response = client.post(f"/plans/{plan.id}/actions/new", data={**data, "ref": "2"})
    action = db.session.scalar(db.select(Action).filter_by(strand=Strand.PREVENT, ref="2"))
    assert response.headers["Location"] == f"/actions/{action.id}"
    assert action.owner_names == ["DCI Chisholm", "Esther Martin"] and action.target_date == date(2016, 3, 31)
    assert [p.name for p in action.partners] == ["Hope for Justice", "Sandwell Council"]
    assert [link.label for link in action.links] == ["PCC 1.4.3", "NS"]
    assert action.status is ActionStatus.NOT_STARTED
    # At the end of Prevent, as the plan page groups it.
    in_order = db.session.scalars(db.select(Action).filter_by(plan_id=plan.id).order_by(Action.position, Action.id))
    groups = plan_reading.group_actions(plan, list(in_order))
    assert [a.ref for a in next(g for g in groups if g.strand is Strand.PREVENT).actions] == ["1", "2"]
    page = check_page(client.get(f"/actions/{action.id}"))
    assert "Hope for Justice, Sandwell Council" in page and "DCI Chisholm, Esther Martin" in page
    assert verbs()[-1] == "action.add"


def test_actions_are_put_in_order_within_a_strand(client, auth, plan, lead):
    second = make_action(plan, strand=Strand.PREPARE, ref="2", position=10)
    db.session.commit()
    first = next(a for a in plan.actions if a.display_ref == "Prepare 1")
    auth.login(lead)
    page = check_page(client.get(f"/plans/{plan.id}/order/Prepare"))
    token = field_value(page, "order")
    move = {"csrf_token": field_value(page, "csrf_token"), "action_id": second.id, "direction": "up", "order": token}
    assert client.post(f"/plans/{plan.id}/order/Prepare", data=move).status_code == 302
    assert [a.ref for a in action_authoring.strand_order(plan, Strand.PREPARE)] == ["2", "1"]
    stale = client.post(f"/plans/{plan.id}/order/Prepare", data={**move, "action_id": first.id})
    assert stale.status_code == 409 and "Someone changed the order" in stale.get_data(as_text=True)
    assert [a.ref for a in action_authoring.strand_order(plan, Strand.PREPARE)] == ["2", "1"]
    assert "action.move" in verbs()


def test_closing_an_action_keeps_it_and_its_updates(client, auth, plan, lead):
    action = plan.actions[0]
    action.updates.append(Update(as_at=date(2025, 6, 1), text="Progress", author_name="DCI Chisholm"))
    db.session.commit()
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/close"))
    data = {
        "csrf_token": field_value(page, "csrf_token"),
        "as_status": "Withdrawn",
        "reason": "",
        "version": action.version,
    }
    page = check_page(client.post(f"/actions/{action.id}/close", data=data))
    assert "Enter the reason" in page
    response = client.post(f"/actions/{action.id}/close", data={**data, "reason": "Covered by the regional team"})
    assert response.status_code == 302
    action = db.session.get(Action, action.id)
    assert (action.status, action.closed_reason, len(action.updates)) == (
        ActionStatus.WITHDRAWN,
        "Covered by the regional team",
        1,
    )
    assert "Covered by the regional team" in check_page(client.get(f"/actions/{action.id}"))
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "action.close"))
    assert event.old["status"] is None and event.new["status"] == "Withdrawn"


def test_closing_as_complete_makes_it_blue_and_a_stale_form_keeps_the_reason(client, auth, plan, lead):
    action = plan.actions[1]
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/close"))
    data = {"csrf_token": field_value(page, "csrf_token"), "as_status": "Complete", "reason": "Delivered in May"}
    stale = client.post(f"/actions/{action.id}/close", data={**data, "version": action.version - 1 or 99})
    assert stale.status_code == 409 and textarea_value(stale.get_data(as_text=True), "reason") == "Delivered in May"
    client.post(f"/actions/{action.id}/close", data={**data, "version": action.version})
    action = db.session.get(Action, action.id)
    assert (action.status, action.rag, action.rag_changes[-1].reason) == (
        ActionStatus.COMPLETE,
        Rag.BLUE,
        "Delivered in May",
    )


def test_no_route_deletes_an_action(app):
    for rule in app.url_map.iter_rules():
        assert "DELETE" not in rule.methods, rule.endpoint
        assert "delete" not in rule.endpoint, rule.endpoint


def test_an_archived_plan_is_readable_exportable_and_out_of_the_active_lists(client, auth, plan, lead):
    owner = make_user("owner")
    plan.actions[0].owners.append(owner)
    db.session.commit()
    auth.login(lead)
    page = check_page(client.get(f"/plans/{plan.id}/archive"))
    client.post(f"/plans/{plan.id}/archive", data={"csrf_token": field_value(page, "csrf_token")})
    assert db.session.get(Plan, plan.id).status == "Archived" and "plan.archive" in verbs()
    assert "This plan is archived" in check_page(client.get(f"/plans/{plan.id}"))
    assert client.get(f"/plans/{plan.id}/export.xlsx").status_code == 200
    index = check_page(client.get("/plans"))
    active = index[: index.index("Archived plans")] if "Archived plans" in index else index
    assert plan.title not in active and plan.title in index
    assert plan not in plan_reading.all_plans() and plan in plan_reading.all_plans(include_archived=True)
    auth.logout()
    auth.login(owner)
    assert plan.title not in check_page(client.get("/my-actions"))
