from app.extensions import db
from app.models import AuditEvent, Plan
from tests.factories import make_plan, make_user
from tests.pages import check_page


def settings_url(plan) -> str:
    return f"/plans/{plan.id}/settings"


def test_lead_sets_the_update_interval_and_it_is_audited(client, auth, login_as):
    lead = login_as("lead")
    plan = make_plan(actions=1, lead_user=lead)
    check_page(client.get(settings_url(plan)))
    response = auth.post(settings_url(plan), {"update_interval_days": "14", "lead_user_id": str(lead.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).update_interval_days == 14
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="plan.settings")).one()
    assert event.old == {"update_interval_days": 30} and event.new == {"update_interval_days": 14}


def test_an_interval_out_of_range_is_refused_and_nothing_changes(client, auth, login_as):
    lead = login_as("lead")
    plan = make_plan(actions=1, lead_user=lead)
    for typed, message in (("0", "between 1 and 366"), ("thirty", "as a number of days"), ("", "as a number of days")):
        page = check_page(auth.post(settings_url(plan), {"update_interval_days": typed}))
        assert message in page
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).update_interval_days == 30


def test_only_an_admin_hands_a_plan_to_another_lead(client, auth, login_as):
    lead, other = make_user("lead"), make_user("lead")
    plan = make_plan(actions=1, lead_user=lead)
    auth.login(lead)
    auth.post(settings_url(plan), {"update_interval_days": "30", "lead_user_id": str(other.id)})
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).lead_user_id == lead.id  # a lead cannot give the plan away
    auth.logout()
    login_as("admin")
    assert (
        auth.post(settings_url(plan), {"update_interval_days": "30", "lead_user_id": str(other.id)}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).lead_user_id == other.id


def test_an_admin_cannot_make_a_non_lead_the_plan_lead(client, auth, login_as):
    login_as("admin")
    viewer = make_user("viewer")
    plan = make_plan(actions=1)
    page = check_page(auth.post(settings_url(plan), {"update_interval_days": "30", "lead_user_id": str(viewer.id)}))
    assert "Not a valid choice" in page or "Select a lead" in page
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).lead_user_id is None


def test_a_lead_cannot_change_a_plan_they_do_not_lead(client, auth, login_as):
    login_as("lead")
    plan = make_plan(actions=1, lead_user=make_user("lead"))
    assert client.get(settings_url(plan)).status_code == 403
    assert auth.post(settings_url(plan), {"update_interval_days": "7"}, form_url="/plans").status_code == 403
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).update_interval_days == 30


def test_the_lead_renames_the_plan_and_corrects_its_period_and_it_is_audited(client, auth, login_as):
    lead = login_as("lead")
    plan = make_plan(actions=1, lead_user=lead, title="Modern Slavery Plan", period_label="2025-26")
    form = {"update_interval_days": "30", "lead_user_id": str(lead.id)}
    page = check_page(client.get(settings_url(plan)))
    assert 'value="Modern Slavery Plan"' in page and 'value="2025-26"' in page
    changes = {
        "title": "  Modern Slavery Local Delivery Plan ",
        "priority": "Modern Day Slavery",
        "period_label": "2026-27",
    }
    response = auth.post(settings_url(plan), {**form, **changes})
    assert response.status_code == 302
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    assert (plan.title, plan.priority, plan.period_label) == (
        "Modern Slavery Local Delivery Plan",
        "Modern Day Slavery",
        "2026-27",
    )
    assert (plan.period_start.isoformat(), plan.period_end.isoformat()) == ("2026-04-01", "2027-03-31")
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="plan.settings")).one()
    assert event.old["title"] == "Modern Slavery Plan" and event.new["period_label"] == "2026-27"


def test_a_title_or_period_that_cannot_be_kept_is_refused_with_what_was_typed(client, auth, login_as):
    lead = login_as("lead")
    plan = make_plan(actions=1, lead_user=lead, title="Modern Slavery Plan", period_label="2025-26")
    make_plan(actions=0, title="Serious Violence Plan", period_label="2025-26")
    form = {"update_interval_days": "30", "lead_user_id": str(lead.id), "priority": "Kept priority"}
    cases = [
        ({"title": "  ", "period_label": "2025-26"}, "Enter the plan&#39;s title", "title"),
        ({"title": "Serious Violence Plan", "period_label": "2025-26"}, "There is already a plan called", "title"),
        (
            {"title": "Modern Slavery Plan", "period_label": "next year"},
            "as a financial year, like 2016-17",
            "period_label",
        ),
    ]
    for changes, message, field in cases:
        page = check_page(auth.post(settings_url(plan), {**form, **changes}))
        assert message in page and f'href="#{field}"' in page
        assert 'value="Kept priority"' in page  # what was typed stays
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).title == "Modern Slavery Plan"
    assert not db.session.scalars(db.select(AuditEvent).filter_by(verb="plan.settings")).all()
