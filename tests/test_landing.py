"""The lead's landing: each plan's proposals awaiting a decision, Red, overdue, stale and new updates since the
last review, on the plans page and the dashboard, each linking to the plan page filtered to the same actions;
and the review queue showing the latest update beside Confirm."""

import html
import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import ActionStatus, Rag, Review, Update
from app.services.actions import updating
from app.services.plans import filters as plan_filters
from app.services.reporting import landing
from app.services.reviewing import decisions, standing
from app.services.reviewing.queue import review_queue
from tests.factories import make_action, make_plan, make_review, make_user
from tests.pages import check_page, text_of

TODAY = date(2025, 9, 15)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def board(app_context, app):
    """A plan as a lead finds it a fortnight after the review of 1 September."""
    app.config["TODAY"] = TODAY
    lead = make_user("lead", name="DSupt Walton")
    owner = make_user("owner", name="DCI Chisholm")
    plan = make_plan(title="MDS Local Delivery Plan", actions=0, lead_user=lead)
    rows = [  # ref, RAG, target days from today, last update days ago, status
        ("1", Rag.RED, 40, 3, None),
        ("2", Rag.RED, -10, 50, None),  # Red, overdue and stale
        ("3", Rag.AMBER, -5, 2, None),  # overdue
        ("4", Rag.GREEN, 60, 45, None),  # stale
        ("5", Rag.GREEN, -30, 80, ActionStatus.COMPLETE),  # closed: neither overdue nor stale
        ("6", Rag.BLUE, 10, None, None),  # complete
        ("7", None, 90, None, None),  # never updated: stale
    ]
    actions = {}
    for i, (ref, rag, target, last, status) in enumerate(rows):
        action = make_action(plan, ref=ref, position=i, rag=rag, owner=owner, target_date=TODAY + timedelta(target))
        action.status = status
        if last is not None:
            action.updates.append(Update(as_at=days_ago(last), text="Earlier progress", author_name="DCI Chisholm"))
        actions[ref] = action
    db.session.commit()
    make_review(plan, held_on=date(2025, 9, 1))
    propose = dict(text="Partners withdrew", as_at=TODAY, today=TODAY)
    updating.add_update(actions["1"], owner, rag=Rag.AMBER, seen_version=actions["1"].version, **propose)
    updating.add_update(actions["4"], owner, rag=Rag.RED, seen_version=actions["4"].version, **propose)
    updating.add_update(actions["3"], owner, rag=Rag.GREEN, seen_version=actions["3"].version, **propose)
    decisions.decide_rag(actions["3"], lead, rag=Rag.GREEN, reason="", seen_version=actions["3"].version, today=TODAY)
    updating.add_update(
        actions["4"],
        owner,
        rag=None,
        restricted=True,
        text="Covert phase",
        as_at=TODAY,
        seen_version=actions["4"].version,
        today=TODAY,
    )
    return plan, lead, owner, actions


def matched(plan, **args) -> int:
    criteria = plan_filters.PlanFilter.from_args(args)
    return plan_filters.filter_actions(plan, criteria, include_restricted=True, today=TODAY).matched


def test_the_counts_are_those_of_the_rules_and_match_the_filtered_lists(board):
    plan, *_ = board
    counts = landing.landing(plan, include_restricted=True, today=TODAY)
    # 1 and 4 await a decision (3's was confirmed); 1 and 2 are Red; 2 and 3 overdue (5 is complete); 2 and 7
    # stale (4's proposal today is an update; 6 is Blue); six updates dated after 1 September, on 1, 3 and 4.
    assert (counts.awaiting, counts.red, counts.overdue, counts.stale) == (2, 2, 2, 2)
    assert counts.last_review == date(2025, 9, 1)
    assert (counts.updates, counts.updated) == (6, 3)
    assert counts.awaiting == matched(plan, only=["proposed"])
    assert counts.red == matched(plan, rag="red")
    assert counts.overdue == matched(plan, only=["overdue"])
    assert counts.stale == matched(plan, only=["stale"])
    assert counts.updated == matched(plan, only=["updated"])


def test_awaiting_is_the_review_queues_and_the_owners_rule(board):
    plan, *_ = board
    counts = landing.landing(plan, include_restricted=True, today=TODAY)
    queued = [item for item in review_queue(plan, today=TODAY).items if item.proposal]
    waiting = [s for s in standing.standings(plan.actions).values() if s.kind == standing.AWAITING]
    assert counts.awaiting == len(queued) == len(waiting)


def test_the_pcc_office_count_leaves_out_restricted_updates(board):
    plan, *_ = board
    counts = landing.landing(plan, include_restricted=False, today=TODAY)
    assert (counts.updates, counts.updated) == (5, 3)  # the restricted one on 4 is not counted


def test_each_plan_is_counted_by_its_own_interval_in_the_same_queries(board):
    plan, *_ = board
    weekly = make_plan(title="Weekly plan", actions=0)
    weekly.update_interval_days = 7
    action = make_action(weekly, ref="1", rag=Rag.GREEN)
    action.updates.append(Update(as_at=days_ago(10), text="Ten days ago"))
    db.session.commit()
    counts = landing.landings([plan, weekly], include_restricted=True, today=TODAY)
    assert counts[plan.id].stale == 2
    assert counts[weekly.id].stale == 1  # 10 days without an update is stale at 7, not at 30
    assert counts[weekly.id].last_review is None
    assert (counts[weekly.id].updates, counts[weekly.id].updated) == (1, 1)  # never reviewed: every dated update


def links(page: str) -> dict[str, str]:
    """The landing list's links: their text (without the hidden words) to their URL."""
    found = {}
    block = page[page.index('class="govuk-list app-landing"') :]
    block = block[: block.index("</ul>")]
    for href, text in re.findall(r'<a class="govuk-link" href="([^"]+)">(.*?)</a>', block, re.S):
        found[text_of(re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", text))] = html.unescape(href)
    return found


def test_plans_page_and_dashboard_show_the_counts_linked_to_the_filtered_lists(client, auth, board):
    plan, lead, *_ = board
    auth.login(lead)
    for url in ("/plans", f"/plans/{plan.id}/dashboard"):
        found = links(check_page(client.get(url)))
        assert list(found) == [
            "2 proposals awaiting a decision",
            "2 Red",
            "2 overdue",
            "2 not updated within 30 days",
            "6 new updates since the review on 1 September 2025",
        ]
        for text, href in found.items():
            listed = text_of(check_page(client.get(href)))
            expected = 3 if "updates" in text else int(text.split()[0])  # the updates are on three actions
            assert f"Showing {expected} of 7 actions" in listed, (text, href)


def test_a_count_of_nothing_is_said_without_a_link(client, login_as, app):
    app.config["TODAY"] = TODAY
    make_plan(title="Quiet plan", actions=2, rag=Rag.GREEN)
    login_as("viewer")
    page = check_page(client.get("/plans"))
    assert list(links(page)) == ["2 not updated within 30 days"]
    assert "0 proposals awaiting a decision" in text_of(page)
    assert "No new updates (no review recorded yet)" in text_of(page)


def test_the_queue_shows_the_latest_update_beside_confirm_and_opens_it_whole(client, auth, board):
    plan, lead, owner, actions = board
    long_text = "Two partners withdrew their funding for the reception centre. " * 8 + "The END of the update."
    updating.add_update(
        actions["1"], owner, text=long_text, as_at=TODAY, rag=Rag.AMBER, seen_version=actions["1"].version, today=TODAY
    )
    auth.login(lead)
    page = check_page(client.get(f"/plans/{plan.id}/review"))
    rows = page.split('<tr class="govuk-table__row">')[2:]
    first = next(row for row in rows if f"/actions/{actions['1'].id}/decide" in row)
    opening = first[first.index("app-queue-update") : first.index("<details")]
    assert "Two partners withdrew their funding" in opening and "The END" not in opening
    assert "Read the whole update" in first and "The END of the update." in first
    assert first.index("app-queue-update") < first.index("Confirm Amber")  # beside the button, before it
    second = next(row for row in rows if f"/actions/{actions['4'].id}/decide" in row)
    assert "Covert phase" in second and "<details" not in second  # short: shown whole


@pytest.mark.parametrize("include_restricted", [True, False])
def test_the_dashboard_counts_what_the_plans_page_counts(board, include_restricted):
    """The dashboard takes Red, overdue and stale from its matrix and lists and the review's date from its last
    review: the same counts as landing() makes on its own."""
    from app.services.reporting import dashboard

    plan, *_ = board
    counts = dashboard.build(plan, include_restricted=include_restricted, today=TODAY).counts
    assert counts == landing.landing(plan, include_restricted=include_restricted, today=TODAY)
    assert (counts.awaiting, counts.red, counts.overdue, counts.stale) == (2, 2, 2, 2)


@pytest.mark.parametrize("include_restricted", [True, False])
def test_updates_since_the_review_are_counted_plan_by_plan_whatever_the_review_dates(board, include_restricted):
    """Plans reviewed on different days, on the same day, and never: each plan's updates dated after its own
    last review (every dated one when never reviewed), restricted ones only for those who may read them, counted
    in one statement however the plans are grouped, and the same as counting them one by one in Python."""
    plan, *_ = board
    plans = [plan]
    for title, reviewed_on in (
        ("Reviewed in August", date(2025, 8, 1)),
        ("Also reviewed in August", date(2025, 8, 1)),
        ("Never reviewed", None),
        ("Never reviewed, never updated", None),
    ):
        other = make_plan(title=title, actions=0)
        for ref, dates in (("1", [days_ago(60), days_ago(30), None]), ("2", [days_ago(5)]), ("3", [])):
            action = make_action(other, ref=ref, rag=Rag.GREEN)
            if title.endswith("never updated"):
                continue
            for n, as_at in enumerate(dates):
                action.updates.append(Update(as_at=as_at, text="Progress", author_name="A", restricted=n == 1))
        db.session.commit()
        if reviewed_on:
            make_review(other, held_on=reviewed_on)
        plans.append(other)
    db.session.expire_all()

    def by_hand(each):
        reviews = db.session.scalars(db.select(Review.held_on).where(Review.plan_id == each.id))
        held_on = max(reviews, default=None)
        counted = [
            update
            for action in each.actions
            for update in action.updates
            if update.as_at is not None
            and (held_on is None or update.as_at > held_on)
            and (include_restricted or not update.restricted)
        ]
        return len(counted), len({update.action_id for update in counted})

    counts = landing.landings(plans, include_restricted=include_restricted, today=TODAY)
    assert {p.title: (counts[p.id].updates, counts[p.id].updated) for p in plans} == {
        p.title: by_hand(p) for p in plans
    }
    assert counts[plans[3].id].updates == (3 if include_restricted else 2)  # never reviewed: every dated update
    assert counts[plans[1].id].updates == (2 if include_restricted else 1)  # after 1 August: 30 and 5 days ago
    assert (counts[plans[4].id].updates, counts[plans[4].id].updated) == (0, 0)
