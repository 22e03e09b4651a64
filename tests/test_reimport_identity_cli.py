"""Which plan a file is (title and period; asked when the title is only the file's name), and the command line:
`--dry-run` says what the check page says, questions are answered with options or the import refuses."""

import pytest

from app.extensions import db
from app.models import Action, Plan
from app.services.importing.choices import ImportChoices
from app.services.importing.saving import ImportNeedsAnswers, import_workbook
from tests.reimporting import HEADER, plan_file, row, state
from tests.test_reimport import first_version, renumbered
from tests.workbooks import Sheet, make_workbook


def untitled(rows=None) -> bytes:
    """A plan sheet with no title rows on a sheet called 'Sheet1': the reader can only name it after the file."""
    rows = rows or [row("Prepare", 1, "Map the night-time economy venues"), row("Pursue", 1, "Disrupt county lines")]
    return make_workbook(Sheet("Sheet1", header=HEADER, rows=rows))


def plan_count() -> int:
    return db.session.scalar(db.select(db.func.count(Plan.id)))


def action_count() -> int:
    return db.session.scalar(db.select(db.func.count(Action.id)))


# 6. Plan identity --------------------------------------------------------------------------------------------


def test_a_plan_is_matched_on_its_title_and_period(app_context, app):
    import_workbook(plan_file([row("Prepare", 1, "Engage")]), "a.xlsx")
    import_workbook(plan_file([row("Prepare", 1, "Engage")]), "renamed.xlsx")  # same title: same plan
    assert plan_count() == 1
    import_workbook(plan_file([row("Prepare", 1, "Engage")], title="Modern Slavery Delivery Plan 2021-22"), "b.xlsx")
    assert plan_count() == 2  # another period is another plan


def test_a_plan_renamed_in_the_tracker_is_still_the_plan_its_file_names(app_context, app):
    from app.services.plans import settings as plan_settings
    from tests.factories import make_user

    data = plan_file([row("Prepare", 1, "Engage"), row("Pursue", 1, "Disrupt")])
    import_workbook(data, "a.xlsx")
    plan = db.session.scalars(db.select(Plan)).one()
    renamed = plan_settings.PlanSettings(
        update_interval_days=plan.update_interval_days, lead_user_id=None, title="Modern Slavery Local Delivery Plan"
    )
    assert plan_settings.change_settings(plan, make_user("admin"), renamed) == ["title"]
    before = state()

    report = import_workbook(data, "a.xlsx")

    assert plan_count() == 1 and action_count() == 2  # the same plan, not a second one
    assert report.plans[0].plan_id == plan.id and not report.changes_anything
    assert state() == before
    assert db.session.get(Plan, plan.id).title == "Modern Slavery Local Delivery Plan"  # the tracker's name stands


def test_a_renamed_file_titled_only_by_its_name_is_asked_about_not_made_a_second_plan(app_context, app):
    import_workbook(untitled(), "serious-violence-2020-21.xlsx")
    [plan] = db.session.scalars(db.select(Plan)).all()
    assert plan.title == "serious-violence-2020-21"
    before = state()

    preview = import_workbook(untitled(), "serious-violence-2020-21 v2.xlsx", dry_run=True)
    question = preview.plans[0].plan_question
    assert question.candidates == [(plan.id, plan.full_title)] and question.default is None
    assert str(question).startswith("'serious-violence-2020-21 v2' is only the file's name: is it a new plan")
    assert preview.worth_importing
    with pytest.raises(ImportNeedsAnswers, match="is only the file's name"):
        import_workbook(untitled(), "serious-violence-2020-21 v2.xlsx")
    assert state() == before

    report = import_workbook(untitled(), "serious-violence-2020-21 v2.xlsx", choices=ImportChoices(plans={0: plan.id}))
    assert plan_count() == 1 and action_count() == 2  # every action once
    assert report.plans[0].plan_id == plan.id and not report.plans[0].new_actions
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).title == "serious-violence-2020-21"  # the tracker's title stands


def test_the_administrator_can_say_it_is_a_new_plan(app_context, app):
    import_workbook(untitled(), "serious-violence-2020-21.xlsx")
    import_workbook(untitled(), "county-lines-2020-21.xlsx", choices=ImportChoices(plans={0: 0}))
    assert plan_count() == 2 and action_count() == 4


def test_the_same_file_name_again_is_the_same_plan_and_still_shown_as_a_choice(app_context, app):
    import_workbook(untitled(), "serious-violence-2020-21.xlsx")
    plan_id = db.session.scalar(db.select(Plan.id))
    preview = import_workbook(untitled(), "serious-violence-2020-21.xlsx", dry_run=True)
    assert preview.plans[0].plan_question.default == plan_id
    assert not preview.unanswered
    import_workbook(untitled(), "serious-violence-2020-21.xlsx")
    assert plan_count() == 1


def test_a_first_file_titled_by_its_name_asks_nothing_when_there_is_no_plan_it_could_be(app_context, app):
    report = import_workbook(untitled(), "serious-violence-2020-21.xlsx")
    assert report.plans[0].plan_question is None and report.plans[0].is_new


# The command line ---------------------------------------------------------------------------------------------


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_cli_refuses_to_guess_which_plan_and_plan_id_says_which(app_context, app, runner, tmp_path):
    runner.invoke(args=["plans", "import", write(tmp_path, "serious-violence-2020-21.xlsx", untitled())])
    plan_id = db.session.scalar(db.select(Plan.id))
    renamed = write(tmp_path, "serious-violence-2020-21 final.xlsx", untitled())

    refused = runner.invoke(args=["plans", "import", renamed])
    assert refused.exit_code == 1
    assert "is only the file's name: is it a new plan, or one of these?" in refused.output
    assert f"{plan_id}: serious-violence-2020-21" in refused.output
    assert "Nothing was imported: the import will not guess" in refused.output
    assert plan_count() == 1 and action_count() == 2

    result = runner.invoke(args=["plans", "import", renamed, "--plan", str(plan_id)])
    assert result.exit_code == 0, result.output
    assert plan_count() == 1 and action_count() == 2
    assert "Nothing changes" in result.output

    missing = runner.invoke(args=["plans", "import", renamed, "--plan", "999"])
    assert missing.output.startswith("Error: There is no plan 999")


def test_cli_dry_run_prints_each_change_with_old_and_new_values(app, runner, tmp_path):
    runner.invoke(args=["plans", "import", write(tmp_path, "plan.xlsx", first_version())])
    result = runner.invoke(args=["plans", "import", write(tmp_path, "plan.xlsx", renumbered()), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "What changes:" in result.output
    assert "new action Prevent 1 'Train sports coaches to spot exploitation'" in result.output
    assert "Prevent 1 → Prevent 2 ('Brief nail bar and car wash owners on the signs o…'), renumbered" in result.output
    assert "Prevent 1: new update ('Course booked.')" in result.output

    changed = write(tmp_path, "plan.xlsx", first_version(how="• Two workshops", responsibility="DS Khan"))
    result = runner.invoke(args=["plans", "import", changed, "--dry-run"])
    assert "Prepare 1: how '• How' → '• Two workshops'" in result.output
    assert "Prepare 1: responsibility 'DCI Chisholm' → 'DS Khan'" in result.output


def test_cli_refuses_an_unclear_renumbering_until_answered(app_context, app, runner, tmp_path):
    runner.invoke(args=["plans", "import", write(tmp_path, "plan.xlsx", first_version())])
    nail_bars = db.session.scalar(db.select(Action.id).where(Action.what.startswith("Brief nail bar")))
    path = write(tmp_path, "plan.xlsx", renumbered("Brief nail bar, car wash and hand car wash owners on the signs"))

    refused = runner.invoke(args=["plans", "import", path])
    assert refused.exit_code == 1
    assert "Prevent 2 in the file reads like Prevent 1 in the tracker: renumbered?" in refused.output
    assert "[Prevent 2 <- Prevent 1]" in refused.output

    result = runner.invoke(args=["plans", "import", path, "--renumbered", "Prevent 2 <- Prevent 1"])
    assert result.exit_code == 0, result.output
    assert "Prevent 1 → Prevent 2" in result.output
    db.session.expire_all()
    assert db.session.get(Action, nail_bars).ref == "2"


def test_cli_says_when_a_file_changes_nothing(app, runner, tmp_path):
    path = write(tmp_path, "plan.xlsx", first_version())
    runner.invoke(args=["plans", "import", path])
    result = runner.invoke(args=["plans", "import", path, "--dry-run"])
    assert "Nothing changes: the tracker already holds everything in this plan" in result.output
