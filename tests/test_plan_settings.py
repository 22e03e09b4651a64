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
