"""Next year's plan: open actions copied and linked to where they came from, the old plan closed with a summary."""

from datetime import date
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Action, ActionStatus, AuditEvent, Contact, Plan, Strand
from app.services.actions import authoring as action_authoring
from app.services.exporting.excel import export_workbook
from app.services.exporting.json_plan import plan_as_dict
from app.services.importing.saving import import_workbook
from app.services.plans import carry_forward
from app.services.plans import reading as plan_reading
from tests.conftest import SEED_WORKBOOK
from tests.factories import make_user
from tests.pages import check_page, field_value


@pytest.fixture
def lead(app_context, app):
    return make_user("lead", name="DSupt Walton")


@pytest.fixture
def seed(lead):
    """The seed workbook's local plan (13 actions), led by the lead; Prepare 1 completed, Prepare 2 withdrawn."""
    import_workbook(Path(SEED_WORKBOOK).read_bytes(), "wmp-modern-slavery-delivery-plan-2015-16.xlsx")
    plan = db.session.scalar(db.select(Plan).filter_by(title="Public Protection Delivery Plan 2015-16"))
    plan.lead_user = lead
    db.session.commit()
    by_ref = {a.display_ref: a for a in plan.actions}
    for ref, status, reason in (
        ("Prepare 1", ActionStatus.COMPLETE, "Awareness week held"),
        ("Prepare 2", ActionStatus.WITHDRAWN, "Taken over by the region"),
    ):
        action = by_ref[ref]
        if action.is_open:
            action_authoring.close_action(action, lead, as_status=status, reason=reason, seen_version=action.version)
    return plan


def test_open_actions_are_copied_into_next_years_plan_and_linked_back(seed, lead):
    open_before = [a for a in seed.actions if a.is_open]
    closed_before = {a.display_ref for a in seed.actions if not a.is_open}
    assert {"Prepare 1", "Prepare 2"} <= closed_before and open_before
    chisholm = make_user("owner", name="DCI Chisholm")
    open_before[0].owners.append(chisholm)
    open_before[0].contacts.append(Contact(name="Esther Martin", role="Intel"))
    db.session.commit()

    new = carry_forward.start_next_plan(seed, lead)
    assert (new.title, new.period_label, new.period_start) == (
        "Public Protection Delivery Plan 2016-17",
        "2016-17",
        date(2016, 4, 1),
    )
    assert new.previous_plan_id == seed.id and new.lead_user_id == lead.id and seed.status == "Closed"
    copies = {a.display_ref: a for a in new.actions}
    assert set(copies) == {a.display_ref for a in open_before}
    for old in open_before:
        old = db.session.get(Action, old.id)
        copy = copies[old.display_ref]
        assert old.status is ActionStatus.CARRIED_FORWARD and old.successor_id == copy.id
        assert (copy.what, copy.how, copy.rag, copy.target_date) == (old.what, old.how, old.rag, old.target_date)
        assert [link.label for link in copy.links] == [link.label for link in old.links]
        assert carry_forward.carried_from(copy) == [old]
    first = copies[open_before[0].display_ref]
    assert first.owner_names == ["DCI Chisholm", "Esther Martin"]
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.verb == "plan.carry_forward")).record_id == seed.id
    assert seed not in plan_reading.all_plans() and new in plan_reading.all_plans()
    with pytest.raises(carry_forward.AuthoringError, match="only an active plan is carried forward"):
        carry_forward.start_next_plan(seed, lead)


def test_the_closing_summary_lists_what_was_completed_and_left_behind(client, auth, seed, lead):
    new = carry_forward.start_next_plan(seed, lead)
    summary = carry_forward.closing_summary(seed)
    assert "Prepare 1" in {a.display_ref for a in summary.completed}
    assert "Prepare 2" in {a.display_ref for a in summary.withdrawn}
    assert len(summary.carried_forward) == len(new.actions) and not summary.still_open
    auth.login(lead)
    page = check_page(client.get(f"/plans/{seed.id}/closing-summary"))
    assert "Awareness week held" in page and "Taken over by the region" in page
    assert f"of {new.full_title}" in page


def test_the_copy_links_to_the_earlier_history_in_one_click(client, auth, seed, lead):
    new = carry_forward.start_next_plan(seed, lead)
    copy = new.actions[0]
    old = carry_forward.carried_from(copy)[0]
    auth.login(lead)
    page = check_page(client.get(f"/actions/{copy.id}"))
    assert f'href="/actions/{old.id}#updates"' in page and "its earlier history" in page
    old_page = check_page(client.get(f"/actions/{old.id}"))
    assert old.updates[0].text[:40] in old_page


def test_the_lead_starts_next_years_plan_from_the_page(client, auth, seed, lead):
    auth.login(lead)
    page = check_page(client.get(f"/plans/{seed.id}/next-year"))
    assert field_value(page, "period_label") == "2016-17" and "Start the 2016-17 plan from this one" in page
    bad = check_page(
        client.post(
            f"/plans/{seed.id}/next-year", data={"csrf_token": field_value(page, "csrf_token"), "period_label": "next"}
        )
    )
    assert "Enter the period as a financial year, like 2016-17" in bad and field_value(bad, "period_label") == "next"
    response = client.post(
        f"/plans/{seed.id}/next-year", data={"csrf_token": field_value(page, "csrf_token"), "period_label": "2016-17"}
    )
    new = db.session.scalar(db.select(Plan).filter_by(period_label="2016-17"))
    assert response.headers["Location"] == f"/plans/{new.id}"
    assert "Started from" in check_page(client.get(f"/plans/{new.id}"))


def test_the_new_plan_exports_and_reimports_cleanly(seed, lead):
    new = carry_forward.start_next_plan(seed, lead)
    exported = export_workbook(new, audience="internal", as_at=date(2016, 4, 2))
    before, count, title = plan_as_dict(new, audience="internal"), len(new.actions), new.title

    again = import_workbook(exported, "2016-17.xlsx")  # into the same tracker: the same plan, nothing changed
    outcome = next(p for p in again.plans if p.title == title)
    assert (outcome.is_new, outcome.actions_created, outcome.actions_changed, outcome.updates_added) == (
        False,
        0,
        [],
        0,
    )
    db.session.expire_all()
    assert plan_as_dict(db.session.get(Plan, new.id), audience="internal") == before

    db.session.remove()
    db.drop_all()
    db.create_all()
    import_workbook(exported, "2016-17.xlsx")  # and into an empty one: the same actions
    fresh = db.session.scalar(db.select(Plan).filter_by(title=title, period_label="2016-17"))
    keyed = {
        (a["strand"], a["ref"]): (a["what"], a["rag"], a["status"])
        for a in plan_as_dict(fresh, audience="internal")["actions"]
    }
    assert keyed == {(a["strand"], a["ref"]): (a["what"], a["rag"], a["status"]) for a in before["actions"]}
    assert len(keyed) == count and Strand.PREPARE.value in {strand for strand, _ in keyed}
