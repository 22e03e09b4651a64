"""The check page says exactly what importing will do, asks what only a person can say, and offers no Import
button when the file changes nothing."""

from app.extensions import db
from app.models import Action, Plan
from app.services.importing.saving import import_workbook
from tests.conftest import csrf_token
from tests.pages import check_page, text_of
from tests.reimporting import action
from tests.test_import_web import upload
from tests.test_reimport import first_version, renumbered
from tests.test_reimport_identity_cli import untitled


def check(client, data: bytes, filename: str = "plan.xlsx") -> tuple[str, str]:
    url = upload(client, data, filename).headers["Location"]
    return url, check_page(client.get(url))


def confirm(client, url: str, **fields):
    return client.post(f"{url}/confirm", data={"csrf_token": csrf_token(client, url), **fields})


def test_the_check_page_shows_old_and_new_values_new_actions_and_new_updates(client, login_as):
    login_as("admin")
    import_workbook(first_version(), "plan.xlsx")
    _, page = check(client, renumbered())
    text = text_of(page)
    assert "What will change" in text
    assert "new action Prevent 1 'Train sports coaches to spot exploitation'" in text
    assert "Prevent 1 → Prevent 2 ('Brief nail bar and car wash owners on the signs o…'), renumbered" in text
    assert "Prevent 1: new update ('Course booked.')" in text

    _, page = check(client, first_version(how="• Two workshops", responsibility="DS Khan"))
    text = text_of(page)
    assert "Prepare 1: how '• How' → '• Two workshops'" in text
    assert "Prepare 1: responsibility 'DCI Chisholm' → 'DS Khan'" in text


def test_a_file_that_changes_nothing_says_so_and_offers_no_import_button(client, login_as):
    login_as("admin")
    import_workbook(first_version(), "plan.xlsx")
    _, page = check(client, first_version())
    assert "Importing it again changes nothing." in text_of(page)
    assert 'value="Import"' not in page and ">Import<" not in page


def test_a_conflict_is_shown_with_both_values_and_the_file_wins_only_when_picked(client, login_as):
    login_as("admin")
    import_workbook(first_version(), "plan.xlsx")
    stored = action("Prepare 1")
    stored.responsibility = "DI Safeguarding"
    db.session.commit()

    url, page = check(client, first_version(responsibility="DS Khan"))
    assert (
        "Prepare 1, responsibility: use the file's 'DS Khan' instead of the tracker's 'DI Safeguarding' "
        "(the last import read 'DCI Chisholm')" in text_of(page)
    )
    assert 'name="take_file" type="checkbox" value="0:Prepare 1|responsibility"' in page
    response = confirm(client, url, take_file="0:Prepare 1|responsibility")
    assert response.status_code == 302
    assert action("Prepare 1").responsibility == "DS Khan"


def test_a_conflict_left_unticked_keeps_the_trackers_value(client, login_as):
    login_as("admin")
    import_workbook(first_version(), "plan.xlsx")
    stored = action("Prepare 1")
    stored.responsibility = "DI Safeguarding"
    db.session.commit()
    url, _ = check(client, first_version(responsibility="DS Khan"))
    assert confirm(client, url).status_code == 302
    assert action("Prepare 1").responsibility == "DI Safeguarding"


def test_a_possible_renumbering_is_asked_and_must_be_answered(client, login_as):
    login_as("admin")
    import_workbook(first_version(), "plan.xlsx")
    nail_bars = action("Prevent 1").id
    url, page = check(client, renumbered("Brief nail bar, car wash and hand car wash owners on the signs"))
    assert "Prevent 2 in the file reads like Prevent 1 in the tracker: renumbered?" in text_of(page)

    unanswered = confirm(client, url)
    page = check_page(unanswered)
    assert "Answer every question on this page, then select Import" in text_of(page)
    assert action("Prevent 1").id == nail_bars and action("Prevent 1").what.startswith("Brief nail bar and")

    assert confirm(client, url, **{"renumbered:Prevent 2 <- Prevent 1": "yes"}).status_code == 302
    assert action("Prevent 2").id == nail_bars


def test_a_plan_titled_only_by_its_file_name_is_asked_about(client, login_as):
    login_as("admin")
    import_workbook(untitled(), "serious-violence-2020-21.xlsx")
    plan_id = db.session.scalar(db.select(Plan.id))
    url, page = check(client, untitled(), "serious-violence-2020-21 v2.xlsx")
    text = text_of(page)
    asked = "is only the file's name. Is this a new plan, or one the tracker holds?"
    assert f'"serious-violence-2020-21 v2" {asked}' in text
    assert f'name="plan-0" type="radio" value="{plan_id}"' in page and "A new plan" in text

    assert "Answer every question" in text_of(check_page(confirm(client, url)))
    assert confirm(client, url, **{"plan-0": str(plan_id)}).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Plan.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 2


def test_only_the_plans_lead_is_offered_to_decide_the_files_rags(client, login_as, app):
    admin = login_as("admin")
    import_workbook(first_version(), "plan.xlsx")
    _, page = check(client, first_version(rag="Red"))
    assert 'name="rag_decisions"' not in page
    plan = db.session.scalars(db.select(Plan)).one()
    plan.lead_user_id = admin.id
    db.session.commit()
    url, page = check(client, first_version(rag="Red"))
    assert "As the plan's lead, the RAGs in this file are my decisions" in text_of(page)
    assert confirm(client, url, rag_decisions="y").status_code == 302
    assert action("Prepare 1").rag.value == "red"
