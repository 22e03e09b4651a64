"""Filters, search and pages on the plan page: in the URL, and rules shared with the dashboard."""

import re
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import ActionStatus, Framework, Rag, Strand, Update
from app.plans.pagination import page_numbers
from app.services.plans import filters as plan_filters
from app.services.plans.filters import PlanFilter, filter_actions
from app.services.plans.reading import last_update_dates
from app.services.reviewing import rag_rules
from tests.factories import make_action, make_plan, make_user
from tests.pages import check_page

TODAY = date(2025, 9, 15)


@pytest.fixture
def owner(app_context, app):
    return make_user("owner", name="DCI Chisholm")


@pytest.fixture
def plan(owner):
    plan = make_plan(title="MDS Local Delivery Plan", actions=0)
    rows = [
        (Strand.PREPARE, "1", Rag.RED, TODAY - timedelta(days=1), "Open a reception centre", None),
        (Strand.PREPARE, "2", Rag.GREEN, None, "Brief 100% of response officers", owner),
        (Strand.PREVENT, "1", Rag.AMBER, TODAY + timedelta(days=5), "Train_staff on the NRM", owner),
        (Strand.PROTECT, "1", Rag.BLUE, TODAY - timedelta(days=9), "Victim care contract", None),
        (Strand.PURSUE, "1", None, None, "Disrupt organised crime groups", None),
    ]
    for i, (strand, ref, rag, target, what, who) in enumerate(rows):
        make_action(plan, strand=strand, ref=ref, position=i, rag=rag, target_date=target, what=what, owner=who)
    actions = plan.actions
    actions[0].updates.append(Update(as_at=TODAY - timedelta(days=2), text="Site visit to the Salvation Army"))
    actions[1].updates.append(Update(as_at=TODAY - timedelta(days=45), text="Briefing slides drafted"))
    actions[4].updates.append(Update(as_at=TODAY, text="Operation Bluebird arrests", restricted=True))
    actions[4].links.append(_link(Framework.PCC, "1.2.2"))
    db.session.commit()
    return plan


def _link(framework, code):
    from app.models import StrategicLink

    return StrategicLink(framework=framework, code=code, text=f"{framework} {code}")


def refs(plan, include_restricted=True, **criteria) -> list[str]:
    found = filter_actions(plan, PlanFilter(**criteria), include_restricted=include_restricted, today=TODAY)
    return [a.display_ref for a in found.actions]


def test_reading_the_filter_from_the_url_ignores_junk():
    args = MultiDict(
        [("strand", "Prepare"), ("rag", "purple"), ("owner", "12"), ("only", "stale"), ("only", "drop table")]
    )
    assert PlanFilter.from_args(args) == PlanFilter(strand="Prepare", owner_id=12, only=frozenset({"stale"}))
    assert PlanFilter.from_args(MultiDict([("owner", "x"), ("q", "  two   words ")])) == PlanFilter(q="two words")
    assert not PlanFilter.from_args(MultiDict()).active
    for owner in ("²", "9" * 30, "-1"):
        assert PlanFilter.from_args(MultiDict([("owner", owner)])).owner_id is None


def test_each_filter(plan, owner):
    assert refs(plan) == ["Prepare 1", "Prepare 2", "Prevent 1", "Protect 1", "Pursue 1"]
    assert refs(plan, strand="Prepare") == ["Prepare 1", "Prepare 2"]
    assert refs(plan, rag="amber") == ["Prevent 1"]
    assert refs(plan, rag="none") == ["Pursue 1"]
    assert refs(plan, owner_id=owner.id) == ["Prepare 2", "Prevent 1"]
    assert refs(plan, only=frozenset({"overdue"})) == ["Prepare 1"]  # Protect 1 is Blue
    assert refs(plan, only=frozenset({"stale"})) == ["Prepare 2", "Prevent 1"]  # 45 days, and never
    assert refs(plan, only=frozenset({"unresolved"})) == ["Pursue 1"]
    assert refs(plan, strand="Prepare", rag="green", owner_id=owner.id) == ["Prepare 2"]


def test_text_search_covers_what_how_and_updates_case_insensitively(plan):
    assert refs(plan, q="RECEPTION") == ["Prepare 1"]  # what
    assert refs(plan, q="salvation army") == ["Prepare 1"]  # an update
    assert refs(plan, q="we will do it") == ["Prepare 1", "Prepare 2", "Prevent 1", "Protect 1", "Pursue 1"]  # how
    assert refs(plan, q="100%") == ["Prepare 2"]  # % and _ are matched literally, not as wildcards
    assert refs(plan, q="of_response") == []  # "_" would match the space as a wildcard
    assert refs(plan, q="Train_staff") == ["Prevent 1"]


def test_search_never_finds_what_a_viewer_may_not_see(plan):
    plan.actions[3].restricted = True
    db.session.commit()
    assert refs(plan, q="Bluebird") == ["Pursue 1"]
    assert refs(plan, q="Bluebird", include_restricted=False) == []
    assert refs(plan, q="Victim care", include_restricted=False) == []


def test_the_sql_and_python_rules_agree(plan):
    plan.actions[1].status = ActionStatus.CARRIED_FORWARD
    db.session.commit()
    last = last_update_dates([a.id for a in plan.actions])
    for today in (TODAY - timedelta(days=20), TODAY, TODAY + timedelta(days=30)):
        found = {
            only: set(
                a.id
                for a in filter_actions(
                    plan, PlanFilter(only=frozenset({only})), include_restricted=True, today=today
                ).actions
            )
            for only in ("overdue", "stale")
        }
        facts = {a.id: rag_rules.ActionFacts.of(a, last.get(a.id)) for a in plan.actions}
        assert found["overdue"] == {i for i, f in facts.items() if rag_rules.is_overdue(f, today)}, today
        assert found["stale"] == {i for i, f in facts.items() if rag_rules.is_stale(f, today)}, today


def test_the_url_carries_the_filter_and_the_form_shows_it(client, login_as, plan, app):
    app.config["TODAY"] = TODAY
    login_as("viewer")
    page = check_page(client.get(f"/plans/{plan.id}?strand=Prepare&only=overdue&q=centre"))
    assert "Showing 1 of 5 actions." in page
    assert "Open a reception centre" in page and "Brief 100%" not in page
    assert re.search(r'<option value="Prepare" selected', page)
    assert re.search(r'value="overdue"[^>]*checked', page)
    assert 'value="centre"' in page
    assert ">Prevent</h2>" not in page  # empty strands are left out of a filtered list
    assert "Clear filters" in page


def test_no_match_says_so(client, login_as, plan):
    login_as("viewer")
    page = check_page(client.get(f"/plans/{plan.id}?q=nothing+like+this"))
    assert "Showing 0 of 5 actions. No action matches these filters." in page


def test_every_dashboard_count_links_to_a_list_of_that_many(client, login_as, plan, app):
    app.config["TODAY"] = TODAY
    login_as("lead")
    dashboard = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    links = re.findall(rf'href="(/plans/{plan.id}\?[^"]+)">(\d+)<', dashboard)
    assert len(links) >= 10
    for url, count in links:
        page = check_page(client.get(url.replace("&amp;", "&")))
        assert f"Showing {count} of 5 actions." in page, url


# Pages: a plan of thousands of actions is read a hundred at a time


def test_page_numbers_show_the_ends_and_the_neighbours_of_the_current_page():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(2, 4) == [1, 2, 3, 4]
    assert page_numbers(1, 5) == [1, 2, None, 5]
    assert page_numbers(5, 50) == [1, None, 4, 5, 6, None, 50]
    assert page_numbers(50, 50) == [1, None, 49, 50]


def test_a_long_plan_is_read_a_page_at_a_time(client, login_as, plan, monkeypatch):
    monkeypatch.setattr(plan_filters, "PER_PAGE", 2)
    login_as("viewer")
    first = check_page(client.get(f"/plans/{plan.id}"))
    assert "Showing actions 1 to 2 of 5, 2 a page." in first
    assert "Open a reception centre" in first and "Brief 100% of response officers" in first
    assert "Train_staff on the NRM" not in first
    assert "No actions in this strand" not in first  # only the strands this page holds
    assert '<nav class="govuk-pagination" aria-label="Pages of actions">' in first
    assert f'href="/plans/{plan.id}?page=2" rel="next"' in first and 'rel="prev"' not in first

    last = check_page(client.get(f"/plans/{plan.id}?page=3"))
    assert "(page 3 of 3)" in last.split("</title>")[0]
    assert "Showing actions 5 to 5 of 5, 2 a page." in last and "Disrupt organised crime groups" in last
    assert f'href="/plans/{plan.id}?page=2" rel="prev"' in last and 'rel="next"' not in last
    assert 'aria-label="Page 3" aria-current="page"' in last


def test_a_page_past_the_end_shows_the_last_and_a_page_that_is_not_a_number_the_first(
    client, login_as, plan, monkeypatch
):
    monkeypatch.setattr(plan_filters, "PER_PAGE", 2)
    login_as("viewer")
    assert "Showing actions 5 to 5 of 5" in check_page(client.get(f"/plans/{plan.id}?page=99999999999999999999"))
    assert "Showing actions 1 to 2 of 5" in check_page(client.get(f"/plans/{plan.id}?page=two"))
    assert "Showing actions 1 to 2 of 5" in check_page(client.get(f"/plans/{plan.id}?page=-3"))


def test_page_links_keep_the_filters(client, login_as, plan, monkeypatch, app):
    app.config["TODAY"] = TODAY
    monkeypatch.setattr(plan_filters, "PER_PAGE", 1)
    login_as("viewer")
    first = check_page(client.get(f"/plans/{plan.id}?only=stale&only=unknown&q=e"))
    assert "Showing 2 of 5 actions. This is page 1 of 2: actions 1 to 1." in first
    next_page = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "only=stale&only=unknown&q=e&page=2" in next_page
    second = check_page(client.get(next_page))
    assert "Showing 2 of 5 actions. This is page 2 of 2: actions 2 to 2." in second
    assert re.search(r'value="stale"[^>]*checked', second)  # the form still shows the filters


def test_a_plan_that_fits_on_one_page_shows_every_strand_and_no_page_links(client, login_as, plan):
    login_as("viewer")
    page = check_page(client.get(f"/plans/{plan.id}"))
    assert "govuk-pagination" not in page and "Showing actions" not in page
    assert all(f">{strand.value}</h2>" in page for strand in Strand)
