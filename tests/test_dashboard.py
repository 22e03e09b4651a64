"""The plan lead's dashboard, computed against a frozen today."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.models import ActionStatus, Rag, Strand, Update
from app.services.reporting import dashboard
from tests.charts import chart_figures, svg_chart, table_figures
from tests.factories import make_action, make_plan, make_review, make_user
from tests.pages import check_page

TODAY = date(2025, 9, 15)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def plan(app_context, app):
    """Eight actions chosen so that each list on the dashboard has something in and something out."""
    plan = make_plan(title="MDS Local Delivery Plan", actions=0, lead_user=make_user("lead"))
    rows = [
        # strand, ref, rag, target date, last update, status
        (Strand.PREPARE, "1", Rag.RED, days_ago(1), days_ago(3), None),  # overdue
        (Strand.PREPARE, "2", Rag.GREEN, days_ago(10), days_ago(31), None),  # overdue and stale
        (Strand.PREPARE, "3", Rag.BLUE, days_ago(10), None, None),  # complete: neither
        (Strand.PREVENT, "1", Rag.AMBER, TODAY, days_ago(30), None),  # due today: not overdue; 30 days: not stale
        (Strand.PREVENT, "2", Rag.GREEN, days_ago(5), None, ActionStatus.SUPERSEDED),  # closed: neither
        (Strand.PROTECT, "1", Rag.AMBER, None, None, None),  # never updated: stale
        (Strand.PURSUE, "1", Rag.RED, date(2026, 3, 31), days_ago(1), None),
        (Strand.PURSUE, "2", None, None, days_ago(2), None),
    ]
    for i, (strand, ref, rag, target, last, status) in enumerate(rows):
        action = make_action(plan, strand=strand, ref=ref, position=i, rag=rag, target_date=target)
        action.status = status
        if last:
            written = datetime(last.year, last.month, last.day, 9, tzinfo=UTC)  # written on the day it is as at
            action.updates.append(
                Update(as_at=last, text=f"{strand.value} {ref} news", author_name="DCI Chisholm", created_at=written)
            )
    db.session.commit()
    return plan


def refs(listing) -> list[str]:
    return [line.action.display_ref for line in listing.rows]


def test_matrix_counts_each_strand_by_rag(plan):
    board = dashboard.build(plan, include_restricted=True, today=TODAY)
    matrix = {row.label: dict(row.counts) for row in board.by_strand}
    assert matrix == {
        "Prepare": {"red": 1, "green": 1, "blue": 1},
        "Prevent": {"amber": 1, "green": 1},
        "Protect": {"amber": 1},
        "Pursue": {"red": 1, "none": 1},
    }
    assert board.totals.total == 8 and board.totals.counts["red"] == 2


def test_reds_then_ambers(plan):
    board = dashboard.build(plan, include_restricted=True, today=TODAY)
    assert refs(board.attention) == ["Prepare 1", "Pursue 1", "Prevent 1", "Protect 1"]


def test_overdue_and_stale_against_a_frozen_today(plan):
    board = dashboard.build(plan, include_restricted=True, today=TODAY)
    assert refs(board.overdue) == ["Prepare 2", "Prepare 1"]  # longest overdue first
    assert refs(board.stale) == ["Protect 1", "Prepare 2"]  # never updated first
    tomorrow = dashboard.build(plan, include_restricted=True, today=TODAY + timedelta(days=1))
    assert "Prevent 1" in refs(tomorrow.overdue) and "Prevent 1" in refs(tomorrow.stale)


def test_stale_follows_the_plans_own_interval(plan):
    plan.update_interval_days = 2
    db.session.commit()
    board = dashboard.build(plan, include_restricted=True, today=TODAY)
    assert refs(board.stale) == ["Protect 1", "Prepare 2", "Prevent 1", "Prepare 1"]


def test_changed_since_the_last_review(plan):
    """Against the latest review: RAG moved, added since, and the updates written after it (as at 12 Sep and on)."""
    by_ref = {a.display_ref: a for a in plan.actions}
    make_review(plan, held_on=date(2025, 3, 31), rags={by_ref["Pursue 1"].id: Rag.BLUE})  # older: ignored
    make_review(plan, held_on=days_ago(4), rags={by_ref["Prepare 1"].id: Rag.GREEN})
    added = make_action(plan, strand=Strand.PROTECT, ref="9", position=99, rag=Rag.GREEN)
    db.session.commit()
    board = dashboard.build(plan, include_restricted=True, today=TODAY)
    assert board.last_review.held_on == days_ago(4)
    moves = {m.action.display_ref: (m.before, m.after, m.reviewed, m.what_changed) for m in board.changed.rows}
    assert moves == {
        "Prepare 1": (Rag.GREEN, Rag.RED, True, ["RAG Green → Red", "1 new update"]),
        "Pursue 1": (Rag.RED, Rag.RED, True, ["1 new update"]),
        "Pursue 2": (None, None, True, ["1 new update"]),
        "Protect 9": (None, Rag.GREEN, False, ["Added since the review"]),
    }
    assert added.id in {m.action.id for m in board.changed.rows} and board.changed.total == 4


def test_rag_mix_over_reviews_comes_from_snapshots(plan):
    by_ref = {a.display_ref: a for a in plan.actions}
    make_review(plan, held_on=date(2025, 6, 30), rags={by_ref["Pursue 2"].id: Rag.GREEN})
    make_review(plan, held_on=date(2025, 3, 31), rags={a.id: Rag.GREEN for a in plan.actions})
    board = dashboard.build(plan, include_restricted=True, today=TODAY)
    assert [row.label for row in board.review_mix] == ["31 Mar 2025", "30 Jun 2025", "Today"]
    assert dict(board.review_mix[0].counts) == {"green": 8}
    assert dict(board.review_mix[1].counts) == {"red": 2, "amber": 2, "green": 3, "blue": 1}
    assert board.review_mix[2].counts["none"] == 1


def test_recent_updates_newest_first_and_restricted_withheld(plan):
    action = plan.actions[0]
    action.updates.append(Update(as_at=TODAY, text="Operation Bluebird", restricted=True))
    db.session.commit()
    lead_view = dashboard.build(plan, include_restricted=True, today=TODAY)
    assert lead_view.recent_updates[0].text == "Operation Bluebird"
    viewer_view = dashboard.build(plan, include_restricted=False, today=TODAY)
    assert "Operation Bluebird" not in [u.text for u in viewer_view.recent_updates]


def test_dashboard_page_links_counts_to_the_filtered_plan(client, login_as, plan, app):
    app.config["TODAY"] = TODAY
    login_as("viewer")
    page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    assert f'href="/plans/{plan.id}?strand=Prepare&amp;rag=red">1<' in page
    assert f'href="/plans/{plan.id}?strand=Pursue&amp;rag=none">1<' in page
    assert f'href="/plans/{plan.id}?rag=red">2<' in page  # all strands
    assert "8 actions as at 15 September 2025" in page
    overdue = page[page.index(">Overdue</h2>") : page.index("Not updated for 30 days")]
    assert "Prepare 2" in overdue and "Prepare 1" in overdue and "Prepare 3" not in overdue


def test_svg_charts_show_the_same_numbers_as_their_tables(client, login_as, plan, app):
    app.config["TODAY"] = TODAY
    make_review(plan, held_on=date(2025, 6, 30), rags={a.id: Rag.AMBER for a in plan.actions[:3]})
    login_as("lead")
    page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    assert "style=" not in page  # the Content-Security-Policy forbids inline styles

    strand_svg = svg_chart(page, "rag-by-strand")
    assert strand_svg.get("role") == "img"
    assert strand_svg.get("aria-labelledby") == "rag-by-strand-title rag-by-strand-desc"
    assert strand_svg.find("{http://www.w3.org/2000/svg}title").text == "RAG by strand: MDS Local Delivery Plan"
    in_chart = chart_figures(strand_svg)
    in_table = table_figures(page, "rag-by-strand-table")
    assert in_chart == {key: n for key, n in in_table.items() if key[0] != "All strands" and key[1] != "Total"}
    assert in_chart[("Prepare", "Red")] == 1 and in_chart[("Pursue", "Not set")] == 1

    review_svg = svg_chart(page, "rag-over-reviews")
    in_chart = chart_figures(review_svg)
    in_table = table_figures(page, "rag-over-reviews-table")
    assert in_chart == {key: n for key, n in in_table.items() if key[1] != "Total"}
    assert in_chart[("30 Jun 2025", "Amber")] == 5 and in_chart[("Today", "Amber")] == 2
    # the visible labels on the bars are the same counts
    labels = [t.text for t in review_svg.iter("{http://www.w3.org/2000/svg}text") if "value" in t.get("class")]
    assert "8" in labels and "5" in labels


def test_dashboard_of_an_empty_plan(client, login_as):
    login_as("viewer")
    plan = make_plan(actions=0)
    page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    assert "0 actions" in page and "No review has been recorded yet" in page
    assert re.search(r'<svg[^>]*id="rag-by-strand"', page)


def test_dashboard_of_a_missing_plan_is_not_found(client, login_as):
    login_as("lead")
    check_page(client.get("/plans/999999/dashboard"), 404)


def test_long_lists_show_the_first_rows_and_link_to_the_rest(client, login_as, app, monkeypatch):
    app.config["TODAY"] = TODAY
    monkeypatch.setattr(dashboard, "LIST_LIMIT", 2)
    plan = make_plan(actions=5)
    for action in plan.actions:
        action.target_date = days_ago(3)
    db.session.commit()
    login_as("viewer")
    page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    overdue = page[page.index(">Overdue</h2>") : page.index("Not updated for 30 days")]
    assert "Showing the first 2 of 5." in overdue
    assert f'href="/plans/{plan.id}?only=overdue">See all 5 in the plan' in overdue
    assert overdue.count('<tr class="govuk-table__row">') == 3  # heading and two actions


def test_the_lists_withhold_restricted_and_marked_text_from_viewers(client, auth, login_as, app, plan):
    """The dashboard's rows are written out in the template rather than through components/action.html's
    macros: they must withhold exactly what those do. A restricted Red action keeps its ref, RAG and date but
    not its text or owners; an open action's marked text and marked target date as written say [REDACTED]."""
    app.config["TODAY"] = TODAY
    hidden = make_user(name="Detective Hidden")
    by_ref = {a.display_ref: a for a in plan.actions}
    make_review(plan, held_on=days_ago(20))
    secret = by_ref["Prepare 1"]  # Red, overdue and changed since the review (a new update)
    secret.what, secret.restricted = "Covert deployment at the car wash", True
    secret.owners.append(hidden)
    marked = by_ref["Protect 1"]  # Amber and stale
    marked.what, marked.target_date_text = "OFFICIAL-SENSITIVE: the safe house", "OFFICIAL SENSITIVE: when it closes"
    marked.responsibility = "OFFICIAL-SENSITIVE: DS Quiet"
    db.session.commit()

    login_as("viewer")
    page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    for text in ("car wash", "Detective Hidden", "safe house", "DS Quiet", "when it closes"):
        assert text not in page
    red_amber = page[page.index(">Red and Amber</h2>") : page.index(">Overdue</h2>")]
    secret_row = red_amber[red_amber.index(f'href="/actions/{secret.id}"') :].split("</tr>")[0]
    assert secret_row.count("[REDACTED]") == 2 and "Red</strong>" in secret_row  # what and owners; the RAG stays
    marked_row = red_amber[red_amber.index(f'href="/actions/{marked.id}"') :].split("</tr>")[0]
    assert marked_row.count("[REDACTED]") == 3  # what, responsibility and the target date as written
    changed = page[page.index('id="changed-since"') :]
    assert f'href="/actions/{secret.id}">Prepare 1</a>' in changed

    auth.logout()
    login_as("lead")
    page = check_page(client.get(f"/plans/{plan.id}/dashboard"))
    for text in ("car wash", "Detective Hidden", "safe house", "DS Quiet", "when it closes"):
        assert text in page
