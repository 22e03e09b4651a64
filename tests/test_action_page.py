"""The action page as an owner reads it: the heading, the latest update first, the target date as written."""

from datetime import date

from app.extensions import db
from app.models import Update
from tests.factories import make_action, make_plan
from tests.pages import H1_RE, check_page, text_of


def test_the_heading_does_not_repeat_the_plan_under_its_caption(client, login_as):
    login_as("owner")
    plan = make_plan(actions=1, title="Public Protection Delivery Plan")
    page = check_page(client.get(f"/actions/{plan.actions[0].id}"))
    assert text_of(H1_RE.search(page).group(1)) == "Prepare 1"
    assert 'class="govuk-caption-l">Public Protection Delivery Plan<' in page


def test_the_latest_update_comes_first_and_is_summarised_at_the_top(client, login_as):
    owner = login_as("owner")
    plan = make_plan(actions=0)
    action = make_action(plan, owner=owner)
    action.updates += [
        Update(as_at=None, text="Imported base text"),
        Update(as_at=date(2025, 5, 1), text="May: referral pathway drafted", author_name="DCI Chisholm"),
        Update(as_at=date(2025, 7, 1), text="July: pathway agreed with partners", author_name="DCI Chisholm"),
        Update(as_at=date(2025, 6, 1), text="June: pathway consulted on", author_name="DCI Chisholm"),
    ]
    db.session.commit()
    page = check_page(client.get(f"/actions/{action.id}"))
    latest = page[page.index('id="latest-update"') : page.index('id="add-update"')]
    assert "1 July 2025" in latest and "July: pathway agreed with partners" in latest  # above the form
    history = page[page.index('id="updates"') :]
    order = [history.index(text) for text in ("July:", "June:", "May:", "Imported base text")]
    assert order == sorted(order)


def test_a_target_date_kept_as_text_is_shown_where_the_date_would_be(client, login_as):
    login_as("viewer")
    plan = make_plan(actions=0)
    as_text = make_action(plan, ref="1")
    as_text.target_date_text = "Q4 2019/20"
    dated = make_action(plan, ref="2", position=1, target_date=date(2020, 3, 31))
    dated.target_date_text = "Q4 2019/20"
    db.session.commit()
    row = _target_row(check_page(client.get(f"/actions/{as_text.id}")))
    assert "Q4 2019/20" in row
    row = _target_row(check_page(client.get(f"/actions/{dated.id}")))
    assert "31 March 2020" in row and "Q4 2019/20" in row


def _target_row(page: str) -> str:
    start = page.index(">Target date<")
    return text_of(page[start : page.index("</div>", start)])
