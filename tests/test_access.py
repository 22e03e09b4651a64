"""Every route × every role: one table says what each role gets, so a new route without a rule fails here."""

import pytest

from tests.route_walk import PUBLIC, ROLES

ALL = dict.fromkeys(ROLES, 200)
ADMIN_ONLY = {role: 200 if role == "admin" else 403 for role in ROLES}
ADMIN_ONLY_POST = {**ADMIN_ONLY, "admin": 302}
LEADS_ONLY = {"admin": 200, "lead": 200, "owner": 403, "viewer": 403}

# endpoint -> {role: expected status of a GET (or of the POST for POST-only routes)}.
# Record ids come from `records` (tests/conftest.py): a plan the signed-in user leads when they are a lead, an
# action they own when they are an owner, a pending import they uploaded when they are the admin. The requests
# are made once for the whole run by tests/route_walk.py (CSRF off: permission, not CSRF, is under test).
ROUTE_EXPECTATIONS: dict[str, dict[str, int]] = {
    "plans.home": dict.fromkeys(ROLES, 302),
    "plans.index": ALL,
    "plans.show": ALL,
    "plans.action": ALL,
    "admin.users": ADMIN_ONLY,
    "admin.new_user": ADMIN_ONLY,
    "admin.deactivate_user": ADMIN_ONLY_POST,
    "admin.reset_two_factor": ADMIN_ONLY_POST,
    # The page that shows the link once (test_password_reset); here the owner was deactivated by the route
    # before it (admin.deactivate_user), so the admin is sent back to the users page.
    "admin.issue_reset_link": ADMIN_ONLY_POST,
    "admin.audit": ADMIN_ONLY,
    "auth.account": ALL,
    "auth.change_password": ALL,
    "auth.notifications": ALL,
    # Admins and leads already have an authenticator app (required for them): sent back to their account.
    "auth.set_up_two_factor": {"admin": 302, "lead": 302, "owner": 200, "viewer": 200},
    "auth.sign_out": dict.fromkeys(ROLES, 302),
    "imports.new": ADMIN_ONLY,
    "imports.check": ADMIN_ONLY,
    "imports.confirm": {**ADMIN_ONLY, "admin": 302},
    "exports.plan_xlsx": ALL,  # the PCC copy by default; the internal copy is refused to viewers (test_export_web)
    "exports.board_pack": ALL,  # the PCC copy by default; the internal copy is refused to viewers (test_board_pack)
    "exports.board_pack_page": ALL,
    # An export job is its owner's only (records: the owner's); anybody else is told there is no such page.
    "exports.export_job": {"admin": 404, "lead": 404, "owner": 200, "viewer": 404},
    "exports.export_job_file": {"admin": 404, "lead": 404, "owner": 200, "viewer": 404},
    "updates.my_actions": ALL,
    "returns.index": {"admin": 200, "lead": 200, "owner": 200, "viewer": 403},
    "returns.download": {"admin": 200, "lead": 200, "owner": 200, "viewer": 403},
    "returns.upload": {"admin": 200, "lead": 200, "owner": 200, "viewer": 403},  # no file: the form again
    "returns.confirm": {"admin": 302, "lead": 302, "owner": 302, "viewer": 403},  # nothing to add
    "dashboard.show": ALL,
    "reviews.queue": LEADS_ONLY,
    "reviews.decide": LEADS_ONLY,
    "reviews.new": LEADS_ONLY,
    "reviews.show": ALL,
    "authoring.new_plan": LEADS_ONLY,
    "authoring.archive": LEADS_ONLY,
    "authoring.new_objective": LEADS_ONLY,
    "authoring.objective": LEADS_ONLY,
    "authoring.new_action": LEADS_ONLY,
    "authoring.order": LEADS_ONLY,
    "authoring.close": LEADS_ONLY,
    "authoring.next_year": LEADS_ONLY,
    "authoring.closing_summary": ALL,
    "people.index": LEADS_ONLY,
    "people.new_contact": LEADS_ONLY,
    "people.contact": ADMIN_ONLY,
    "people.account": ADMIN_ONLY,
    "links.framework": ALL,
    "actions.edit": LEADS_ONLY,
    "plans.settings": LEADS_ONLY,
    "measures.index": ALL,
    "measures.show": ALL,
    "measures.new": LEADS_ONLY,
    "measures.edit": LEADS_ONLY,
    "measures.import_sheet": ADMIN_ONLY,
    "measures.check_import": ADMIN_ONLY,  # the records' upload is a plan workbook: its figures page says so
    "measures.confirm_import": ADMIN_ONLY_POST,
    "measures.annual_report_page": ALL,
    "measures.annual_report_docx": ALL,  # the copy for publication by default; the internal one is refused to viewers
    "measures.annual_report_edit": LEADS_ONLY,
    # Owners of the measure's actions enter its figures (records: the owner owns the action it measures).
    "measures.enter": {"admin": 200, "lead": 200, "owner": 200, "viewer": 403},
    # POST with no fields: the form comes back with its errors (200) for those who may write; nothing is saved.
    "updates.add": {"admin": 200, "lead": 200, "owner": 200, "viewer": 403},
}


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - PUBLIC
    missing = endpoints - ROUTE_EXPECTATIONS.keys()
    assert not missing, f"routes with no access expectation: {sorted(missing)}"


def test_every_view_is_marked_public_or_guarded(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert getattr(view, "public", False) or hasattr(view, "roles"), f"{endpoint} has no permission mark"


@pytest.mark.parametrize("role", ["anonymous"])
def test_nothing_answers_without_sign_in(route_walk, role):
    visits = route_walk[role].phase("access")
    assert {visit.endpoint for visit in visits} == route_walk.endpoints - PUBLIC  # every route was tried
    for visit in visits:
        assert visit.status == 302, visit.endpoint
        assert "/sign-in" in visit.headers["Location"], visit.endpoint


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_expected(route_walk, role):
    visits = route_walk[role].phase("access")
    assert {visit.endpoint for visit in visits} == route_walk.endpoints - PUBLIC - {"auth.sign_out"}
    failures = []
    for visit in visits:
        expected = ROUTE_EXPECTATIONS[visit.endpoint][role]
        if visit.status != expected:
            failures.append(f"{visit.method} {visit.endpoint}: {visit.status}, expected {expected}")
    assert not failures, failures
