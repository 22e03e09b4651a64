"""The corpus's re-import sequence (14-reimport-sequence.step1..4): after each step the plan matches the step's
expected file, the report says what `changes_expected` says and nothing of `changes_not_expected`, and importing
the same step again changes nothing at all."""

import pytest

from app.extensions import db
from app.models import Plan, Role
from app.services.importing.choices import ImportChoices
from app.services.importing.saving import import_workbook
from app.services.reviewing.queue import review_queue
from tests.factories import make_user
from tests.reimporting import corpus_problems, counts, expected, state, step_bytes, step_name

TITLE = "Glenholm Police – Modern Slavery Delivery Plan 2018-19"
AS_LEAD = ImportChoices(rag_decisions=True)


def the_plan() -> Plan:
    db.session.expire_all()
    return db.session.scalars(db.select(Plan).filter_by(title=TITLE)).one()


def import_steps(upto: int, user=None, choices=None):
    """Import step 1, give the plan its lead, then the later steps up to `upto`; the last step's report."""
    report = import_workbook(step_bytes(1), step_name(1), user=user)
    for step in range(2, upto + 1):
        report = import_workbook(step_bytes(step), step_name(step), user=user, choices=choices)
    return report


@pytest.fixture
def lead(app_context, app):
    return make_user(Role.LEAD, name="Alan Birch", email="birch@example.police.uk", two_factor=False)


def led_by(lead):
    import_workbook(step_bytes(1), step_name(1), user=lead)
    plan = the_plan()
    plan.lead_user_id = lead.id
    db.session.commit()


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_after_each_step_the_plan_matches_the_steps_expected_file_and_the_report_says_what_changed(
    app, lead, tmp_path, step
):
    led_by(lead)
    report = None
    for later in range(2, step + 1):
        report = import_workbook(step_bytes(later), step_name(later), user=lead, choices=AS_LEAD)
    # The plan after re-importing each step is exactly the step's expected file: every action, field, link and
    # passage with its date, with nothing tolerated.
    assert corpus_problems(step, the_plan(), tmp_path) == []
    if report is None:
        return
    lines = report.plans[0].change_lines()
    plan = report.plans[0]
    if step == 2:
        assert len(lines) == 2 and lines[0] == "Pursue 1: RAG Amber → Red, decided by the plan's lead"
        assert lines[1].startswith("Protect 1: new update (07/12/2018 '") and "19 further referrals in Q3" in lines[1]
        assert plan.updates_added == 1 and not plan.new_actions and not plan.field_changes
    if step == 3:
        assert lines == []
        assert plan.reworded_updates == ["Prepare 2: 'E-learning package bought from the College of Policing; 60%…'"]
        assert not report.changes_anything and not report.worth_importing
    if step == 4:
        assert lines[:3] == [
            "new action Prevent 2 'Train hotel staff and short-let hosts to spot tra…'",
            "Prevent 2 → Prevent 3 ('Brief nail bar and car wash owners on the Modern…'), renumbered, history kept",
            "Prevent 3 → Prevent 4 ('Run a 'Hidden in Plain Sight' campaign at the bus…'), renumbered, history kept",
        ]
        assert [update.ref for update in plan.new_updates] == ["Prevent 2"]  # the new action's own, nothing else
        assert plan.actions_not_in_file == 0 and not plan.questions


def test_the_sequence_keeps_every_passage_once_and_moves_history_with_the_text(app, lead):
    led_by(lead)
    for step in (2, 3, 4):
        import_workbook(step_bytes(step), step_name(step), user=lead, choices=AS_LEAD)
    actions = {action.display_ref: action for action in the_plan().actions}
    protect_1 = [(update.as_at, update.text[:30]) for update in actions["Protect 1"].updates]
    assert len(protect_1) == 3, protect_1  # step 3's black 14/09 line is not new; step 2's 07/12 line came once
    assert protect_1[-1][0].isoformat() == "2018-12-07"
    assert [update.text[:30] for update in actions["Prevent 3"].updates][0] == "Joint visits planned with Trad"
    assert actions["Prevent 3"].what.startswith("Brief nail bar")
    assert [update.text[:30] for update in actions["Prevent 2"].updates] == ["Sessions booked with the Glenh"]
    assert len(actions["Prepare 2"].updates) == 1  # the corrected typo is not a new update
    assert actions["Pursue 1"].rag.value == "red"
    assert sum(len(action.updates) for action in actions.values()) == expected(4)["plans"][0]["counts"]["updates"]


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_importing_the_same_step_twice_changes_nothing(app, lead, step):
    led_by(lead)
    for later in range(2, step + 1):
        import_workbook(step_bytes(later), step_name(later), user=lead, choices=AS_LEAD)
    before, before_counts = state(), counts()

    again = import_workbook(step_bytes(step), step_name(step), user=lead, choices=AS_LEAD)

    assert state() == before  # every row of every table, and the whole JSON export
    assert counts() == before_counts  # audit events, updates, action versions
    assert not again.changes_anything and not again.worth_importing
    assert "Nothing changes" in "\n".join(again.summary_lines())


def test_imported_by_an_administrator_the_rag_change_waits_in_the_leads_queue(app, lead):
    led_by(lead)
    admin = make_user(Role.ADMIN, name="Alex Admin", two_factor=False)
    report = import_workbook(step_bytes(2), step_name(2), user=admin, choices=AS_LEAD)  # not the lead: ignored

    assert report.plans[0].change_lines()[0] == "Pursue 1: RAG Amber → Red, proposed for the lead's review"
    plan = the_plan()
    pursue_1 = next(action for action in plan.actions if action.display_ref == "Pursue 1")
    assert pursue_1.rag.value == "amber"
    item = next(item for item in review_queue(plan).items if item.action.id == pursue_1.id)
    assert item.proposal.rag.value == "red"
    assert item.proposal.author_id == admin.id
    assert item.proposal.author_name == "14-reimport-sequence.step2.xlsx (imported by Alex Admin)"
    assert item.proposal.as_at is None  # a proposal is not news: it never makes the action look updated
