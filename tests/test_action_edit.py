"""Leads edit an action's number, words, links, owners, target date, status, objective and restriction; every
change audited."""

from datetime import date

import pytest

from app.extensions import db
from app.models import Action, ActionStatus, AuditEvent, Framework, Objective, PlanKind, Strand
from app.services.actions import editing as action_editing
from app.services.actions.conflicts import ConflictError
from app.services.errors import NotAllowed
from tests.factories import make_action, make_plan, make_user
from tests.pages import check_page, field_value, textarea_value


@pytest.fixture
def lead(app_context, app):
    return make_user("lead", name="DSupt Walton")


@pytest.fixture
def setting(lead):
    pcc = make_plan(title="PCC Deliverables", kind=PlanKind.PCC, actions=2)  # 1.1.1 and 1.1.2
    plan = make_plan(title="Local Delivery Plan", actions=0, lead_user=lead)
    plan.objectives.append(Objective(strand=Strand.PROTECT, ref="P1", title="Better victim care"))
    action = make_action(plan, strand=Strand.PROTECT, ref="1", links=[(Framework.NS, None)])
    next_year = make_plan(title="Local Delivery Plan", period_label="2026-27", actions=1)
    db.session.commit()
    return {"plan": plan, "action": action, "pcc": pcc, "next": next_year.actions[0]}


def edit_data(page: str, **changes) -> dict:
    data = {
        "csrf_token": field_value(page, "csrf_token"),
        "version": field_value(page, "version"),
        "ref": field_value(page, "ref"),
        "what": textarea_value(page, "what"),
        "how": textarea_value(page, "how"),
        "responsibility": field_value(page, "responsibility"),
        "links": textarea_value(page, "links"),
        "target_date": ["", "", ""],
        "status": "",
        "successor": "",
        "objective": "",
    }
    data.update(changes)
    return data


def test_lead_edits_every_field_and_each_change_is_audited(client, auth, lead, setting):
    owner = make_user("owner", name="DCI Chisholm")
    action, successor = setting["action"], setting["next"]
    objective = setting["plan"].objectives[0]
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    assert textarea_value(page, "links") == "NS"
    data = edit_data(
        page,
        links="PCC 1.1.2\nNational Strategy (NS)\nHMIC R12",
        owners=[str(owner.id)],
        target_date=["31", "3", "2026"],
        status="Carried forward",
        successor_plan=str(successor.plan_id),
        successor="prepare  1",
        objective=str(objective.id),
        restricted="y",
    )
    response = client.post(f"/actions/{action.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = check_page(client.get(response.headers["Location"]))
    assert "Changed the links, owners, target date, status, successor, objective, restricted" in page
    assert "31 March 2026" in page and "DCI Chisholm" in page and "Carried forward" in page

    action = db.session.get(Action, action.id)
    assert [(link.framework, link.code) for link in action.links] == [
        (Framework.PCC, "1.1.2"),
        (Framework.NS, None),
        (Framework.HMIC, "R12"),
    ]
    assert action.links[0].target_action_id == setting["pcc"].actions[1].id  # resolved to the deliverable
    assert (action.successor_id, action.objective_id, action.restricted) == (successor.id, objective.id, True)
    assert action.version == 2
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "action.edit"))
    assert event.old["target_date"] is None and event.new["target_date"] == "2026-03-31"
    assert event.old["links"] == ["NS"] and event.new["links"] == ["PCC 1.1.2", "NS", "HMIC R12"]
    assert event.new["owners"] == [owner.email] and event.new["status"] == "Carried forward"
    assert event.old["restricted"] is False and event.new["version"] == 2


def test_lead_edits_the_actions_number_and_words_and_each_change_is_audited(client, auth, lead, setting):
    action = setting["action"]
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    assert field_value(page, "ref") == "1" and textarea_value(page, "what") == action.what
    data = edit_data(
        page,
        ref=" 4 ",
        what="Agree a referral pathway with the council and the NHS trust",
        how="• Draft the pathway\n• Sign it off at the board",
        responsibility="DCI Chisholm / Safeguarding Lead",
    )
    response = client.post(f"/actions/{action.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = check_page(client.get(response.headers["Location"]))
    assert "Changed the number, what we are going to do, how we are going to do it, responsibility" in page

    action = db.session.get(Action, action.id)
    assert (action.display_ref, action.what, action.how, action.responsibility) == (
        "Protect 4",
        "Agree a referral pathway with the council and the NHS trust",
        "• Draft the pathway\n• Sign it off at the board",
        "DCI Chisholm / Safeguarding Lead",
    )
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "action.edit"))
    assert (event.old["ref"], event.new["ref"]) == ("1", "4")
    assert event.new["what"] == "Agree a referral pathway with the council and the NHS trust"
    assert set(event.new) >= {"ref", "what", "how", "responsibility"} and "links" not in event.new


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ref": "2"}, "ref", "Protect 2 is already an action of this plan: enter another number"),
        ({"ref": "  "}, "ref", "Enter the action's number, like 5"),
        ({"what": "   "}, "what", "Enter what the action will do"),
    ],
)
def test_a_taken_number_or_an_empty_what_is_refused_with_the_typed_text_kept(
    client, auth, lead, setting, changes, field, message
):
    action = setting["action"]
    make_action(setting["plan"], strand=Strand.PROTECT, ref="2", position=1)
    db.session.commit()
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    typed = "Brief every hotel in the city on the signs of trafficking"
    data = edit_data(page, **{"what": typed, "how": "Leaflets and a visit", **changes})
    page = check_page(client.post(f"/actions/{action.id}/edit", data=data))
    assert message.replace("'", "&#39;") in page and "<title>Error:" in page and f'href="#{field}"' in page
    if field != "what":
        assert textarea_value(page, "what") == typed
    assert textarea_value(page, "how") == "Leaflets and a visit"
    action = db.session.get(Action, action.id)
    assert (action.version, action.ref) == (1, "1")


def test_nothing_changed_writes_nothing(client, auth, lead, setting):
    action = setting["action"]
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    response = client.post(f"/actions/{action.id}/edit", data=edit_data(page))
    assert "Nothing was changed" in check_page(client.get(response.headers["Location"]))
    assert db.session.get(Action, action.id).version == 1
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "action.edit")) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "Superseded"}, "Enter the number of the action this was merged into, like Prevent 3"),
        ({"status": "Carried forward"}, "Enter the number of the action this was carried forward to, like Prevent 3"),
        ({"status": "In progress", "successor": "Prepare 1"}, "Only a Superseded or Carried forward action"),
        ({"status": "Superseded", "successor": "Pursue 9"}, "The plan has no action numbered Pursue 9"),
        ({"status": "Superseded", "successor": "Protect 1"}, "this one cannot be merged into itself"),
        ({"status": "Superseded", "successor": "1", "successor_plan": "0"}, "Select the plan of the action"),
        ({"target_date": ["31", "2", "2026"]}, "Enter a target date as a real date, like 31 3 2026"),
        ({"target_date": ["", "3", "2026"]}, "Enter a target date as a real date, like 31 3 2026"),
        ({"links": "PCC 1.1.1\x0b"}, "contains characters that cannot be saved"),
    ],
)
def test_bad_edits_are_refused_with_a_message_and_what_was_typed_kept(client, auth, lead, setting, changes, message):
    action = setting["action"]
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    data = edit_data(page, **{"links": "PCC 1.1.1\nSentinel", **changes})
    page = check_page(client.post(f"/actions/{action.id}/edit", data=data))
    assert message in page and "<title>Error:" in page
    if "\x0b" not in data["links"]:
        assert textarea_value(page, "links") == data["links"]
    action = db.session.get(Action, action.id)
    assert action.version == 1 and [link.code for link in action.links] == [None]


def test_clearing_the_target_date_and_the_links(client, auth, lead, setting):
    action = setting["action"]
    action.target_date = date(2026, 3, 31)
    db.session.commit()
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    assert field_value(page, "target_date") == "31"
    response = client.post(f"/actions/{action.id}/edit", data=edit_data(page, links=""))
    assert response.status_code == 302
    action = db.session.get(Action, action.id)
    assert action.target_date is None and action.links == []


def test_an_edit_on_a_stale_page_is_refused_and_kept(client, auth, lead, setting):
    action = setting["action"]
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    admin = make_user("admin", name="Alex Admin")
    action_editing.edit_action(
        action,
        admin,
        action_editing.ActionEdit("NS", (), date(2026, 1, 31), None, None, None, False),
        seen_version=1,
    )
    response = client.post(f"/actions/{action.id}/edit", data=edit_data(page, links="PCC 1.1.1"))
    page = check_page(response, 409)
    assert "Alex Admin changed the target date" in page
    assert textarea_value(page, "links") == "PCC 1.1.1" and field_value(page, "version") == "2"
    assert db.session.get(Action, action.id).links[0].framework is Framework.NS


def test_the_service_refuses_a_race_lost_between_check_and_write(lead, setting):
    action = setting["action"]
    with db.engine.begin() as other:
        other.execute(db.text("UPDATE action SET version = version + 1 WHERE id = :id"), {"id": action.id})
    with pytest.raises(ConflictError):
        action_editing.edit_action(
            action, lead, action_editing.ActionEdit("", (), None, None, None, None, True), seen_version=1
        )
    assert db.session.get(Action, action.id).restricted is False


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_owners_and_viewers_cannot_edit(client, login_as, setting, role):
    login_as(role)
    assert client.get(f"/actions/{setting['action'].id}/edit").status_code == 403


def test_a_lead_of_another_plan_cannot_edit(client, login_as, setting):
    other = login_as("lead")
    assert client.get(f"/actions/{setting['action'].id}/edit").status_code == 403
    with pytest.raises(NotAllowed):
        action_editing.edit_action(
            setting["action"], other, action_editing.ActionEdit("", (), None, None, None, None, True), seen_version=1
        )


def test_an_objective_of_another_plan_is_refused(lead, setting):
    stranger = Objective(plan=setting["pcc"], ref="1.1", title="PCC aim")
    db.session.add(stranger)
    db.session.commit()
    edit = action_editing.ActionEdit("NS", (), None, None, None, stranger.id, False)
    with pytest.raises(action_editing.EditError, match="objective of this plan"):
        action_editing.edit_action(setting["action"], lead, edit, seen_version=1)


def test_superseded_needs_and_keeps_its_successor(lead, setting):
    action, successor = setting["action"], setting["next"]
    edit = action_editing.ActionEdit(
        "NS", (), None, ActionStatus.SUPERSEDED, "Prepare 1", None, False, successor_plan_id=successor.plan_id
    )
    changes = action_editing.edit_action(action, lead, edit, seen_version=1)
    assert changes["status"] == (None, "Superseded")
    assert changes["successor"] == (None, "Local Delivery Plan: Prepare 1")
    assert db.session.get(Action, action.id).successor_id == successor.id


def test_the_successor_is_typed_as_its_number_in_any_plan(lead, setting):
    plan, pcc = setting["plan"], setting["pcc"]
    make_action(plan, strand=Strand.PREVENT, ref="2")
    make_action(plan, strand=Strand.PURSUE, ref="2")
    assert action_editing.find_action(plan.id, " protect   1 ").id == setting["action"].id
    assert action_editing.find_action(pcc.id, "1.1.2").id == pcc.actions[1].id
    assert action_editing.find_action(setting["next"].plan_id, "1").id == setting["next"].id  # one strand has a 1
    with pytest.raises(action_editing.EditError, match="numbered 2: add the strand, like Prevent 2"):
        action_editing.find_action(plan.id, "2")
    with pytest.raises(action_editing.EditError, match="no action numbered Prevent 7"):
        action_editing.find_action(plan.id, "Prevent 7")


def test_the_edit_page_shows_the_successor_as_a_plan_and_a_number(client, auth, lead, setting):
    action, successor = setting["action"], setting["next"]
    edit = action_editing.ActionEdit(
        "NS", (), None, ActionStatus.CARRIED_FORWARD, "Prepare 1", None, False, successor_plan_id=successor.plan_id
    )
    action_editing.edit_action(action, lead, edit, seen_version=1)
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    assert field_value(page, "successor") == "Prepare 1"
    assert f'<option value="{successor.plan_id}" selected>Local Delivery Plan (2026-27)</option>' in page
    assert page.count("<option") < 20  # plans and statuses, not every action of the force


def test_a_browsers_crlf_line_breaks_are_no_change(client, auth, lead, setting):
    action = setting["action"]
    action.how = "• First step\n• Second step"
    db.session.commit()
    version = action.version
    auth.login(lead)
    page = check_page(client.get(f"/actions/{action.id}/edit"))
    data = edit_data(page, how="• First step\r\n• Second step\r\n")
    response = client.post(f"/actions/{action.id}/edit", data=data)
    assert "Nothing was changed" in check_page(client.get(response.headers["Location"]))
    assert db.session.get(Action, action.id).version == version
