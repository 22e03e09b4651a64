"""Re-importing a plan never corrupts what the tracker holds: workbooks built here, one case a test."""

import io
from datetime import date

import pytest

from app.extensions import db
from app.models import Action, ActionBaseline, Strand
from app.services.importing.choices import ImportChoices
from app.services.importing.saving import ImportNeedsAnswers, import_workbook
from tests.reimporting import TITLE, action, counts, plan_file, row, state, texts
from tests.workbooks import red, rich

BASE = "Pathway drafted and circulated."
Q2 = "14/09/2018 – 31 NRM referrals in Q1–Q2, up from 12 last year."
Q3 = "07/12/2018 – 19 further referrals in Q3; the first from the council."


def holds(ref: str, *fragments: str) -> None:
    """The action's updates, oldest first, are these passages (the reader may keep or strip a date label)."""
    stored = texts(ref)
    assert len(stored) == len(fragments), stored
    for text, fragment in zip(stored, fragments, strict=True):
        assert fragment.split(" – ")[-1] in text, (text, fragment)


def first_version(commentary=None, **kwargs) -> bytes:
    commentary = commentary if commentary is not None else rich(BASE + "\n", red(Q2))
    return plan_file(
        [
            row("Prepare", 1, "Agree a referral pathway with the council", commentary, **kwargs),
            row("Prevent", 1, "Brief nail bar and car wash owners on the signs of slavery", "Visits planned."),
            row("Prevent", 2, "Run a 'Hidden in Plain Sight' campaign at the bus station", "Design agreed."),
        ]
    )


def import_again(data: bytes, **kwargs):
    return import_workbook(data, "plan.xlsx", **kwargs)


# 1. Updates keep their identity ------------------------------------------------------------------------------


def test_last_quarters_red_turned_black_adds_nothing(app_context, app):
    import_again(first_version())
    before = state()
    report = import_again(first_version(f"{BASE}\n{Q2}"))  # all black now
    assert state() == before
    assert report.plans[0].updates_added == 0 and report.plans[0].updates_already_there >= 3


def test_a_new_red_line_typed_straight_after_last_quarters_adds_only_the_new_line(app_context, app):
    import_again(first_version())
    report = import_again(first_version(rich(BASE + "\n", red(f"{Q2}\n{Q3}"))))
    holds("Prepare 1", BASE, Q2, Q3)
    assert action("Prepare 1").updates[-1].as_at == date(2018, 12, 7)
    [new] = [str(update) for update in report.plans[0].new_updates]
    assert new.startswith("Prepare 1: new update (07/12/2018 '") and "19 further referrals in Q3" in new


def test_last_quarters_red_turned_black_with_this_quarters_red_beside_it_adds_only_this_quarters(app_context, app):
    import_again(first_version())
    import_again(first_version(rich(f"{BASE}\n{Q2}\n", red(Q3))))
    holds("Prepare 1", BASE, Q2, Q3)


@pytest.mark.parametrize(
    "same_words",
    [
        f"• {BASE}_x000D_\n- {Q2}",  # bullets, Excel's carriage return
        f"{BASE}\r\n\r\n{Q2}   ",  # CR LF, blank lines, trailing spaces
        f"  {BASE.upper()}\n\u00a0{Q2}",  # case, a non-breaking space
        rich(red(Q2 + "\n"), BASE),  # the order and the colours swapped
    ],
    ids=["bullets-x000D", "crlf-spaces", "case-nbsp", "moved-and-recoloured"],
)
def test_a_passage_the_tracker_holds_is_never_added_again_whatever_its_formatting(app_context, app, same_words):
    import_again(first_version())
    before, before_counts = state(), counts()
    import_again(first_version(same_words))
    assert state() == before and counts() == before_counts


def test_a_typo_fixed_in_an_old_passage_is_not_a_new_update(app_context, app):
    import_again(first_version(rich(BASE + "\n", red("Two workers recruted and trained in Q2."))))
    report = import_again(first_version(rich(BASE + "\n", red("Two workers recruited and trained in Q2."))))
    assert len(texts("Prepare 1")) == 2
    assert report.plans[0].reworded_updates == ["Prepare 1: 'Two workers recruited and trained in Q2.'"]


def test_a_passage_written_in_the_app_is_not_added_again_from_the_tracker_export(app_context, app):
    import_again(first_version())
    from app.models import Update

    db.session.add(Update(action=action("Prepare 1"), text="Met the council on 3 March.", as_at=date(2021, 3, 3)))
    db.session.commit()
    import_again(first_version(rich(BASE + "\n", red(Q2 + "\n03/03/2021 – Met the council on 3 March."))))
    holds("Prepare 1", BASE, Q2, "Met the council on 3 March.")


# 2. History follows the action, not the number ----------------------------------------------------------------


def renumbered(what_prevent_2: str = "Brief nail bar and car wash owners on the signs of slavery") -> bytes:
    return plan_file(
        [
            row("Prepare", 1, "Agree a referral pathway with the council", rich(BASE + "\n", red(Q2))),
            row("Prevent", 1, "Train sports coaches to spot exploitation", "Course booked."),
            row("Prevent", 2, what_prevent_2, "Visits planned."),
            row("Prevent", 3, "Run a 'Hidden in Plain Sight' campaign at the bus station", "Design agreed."),
        ]
    )


def test_a_new_action_inserted_moves_the_old_ones_with_their_history(app_context, app):
    import_again(first_version())
    nail_bars, campaign = action("Prevent 1").id, action("Prevent 2").id
    import_again(first_version(rich(BASE + "\n", red(Q2))))
    db.session.add_all([])
    report = import_again(renumbered())

    assert action("Prevent 1").what.startswith("Train sports coaches")
    assert texts("Prevent 1") == ["Course booked."]  # the new action inherits nobody's history
    assert action("Prevent 2").id == nail_bars and texts("Prevent 2") == ["Visits planned."]
    assert action("Prevent 3").id == campaign and texts("Prevent 3") == ["Design agreed."]
    assert report.plans[0].change_lines() == [
        "new action Prevent 1 'Train sports coaches to spot exploitation'",
        "Prevent 1 → Prevent 2 ('Brief nail bar and car wash owners on the signs o…'), renumbered, history kept",
        "Prevent 2 → Prevent 3 ('Run a 'Hidden in Plain Sight' campaign at the bus…'), renumbered, history kept",
        "Prevent 1: new update ('Course booked.')",
    ]
    assert not report.plans[0].questions


def test_an_unclear_renumbering_is_asked_and_nothing_is_saved_until_it_is_answered(app_context, app):
    import_again(first_version())
    nail_bars = action("Prevent 1").id
    reworded = renumbered("Brief nail bar, car wash and hand car wash owners on the signs of slavery")
    before = state()

    preview = import_again(reworded, dry_run=True)
    [question] = preview.plans[0].questions
    assert str(question).startswith("Prevent 2 in the file reads like Prevent 1 in the tracker: renumbered?")
    assert question.key == "Prevent 2 <- Prevent 1" and question.answer is None
    with pytest.raises(ImportNeedsAnswers, match="Prevent 2 in the file reads like Prevent 1 in the tracker"):
        import_again(reworded)
    assert state() == before

    import_again(reworded, choices=ImportChoices(renumbered={question.key: True}))
    assert action("Prevent 2").id == nail_bars and texts("Prevent 2") == ["Visits planned."]
    assert action("Prevent 2").what.startswith("Brief nail bar, car wash and hand car wash")


def test_answering_no_keeps_the_numbers(app_context, app):
    import_again(first_version())
    nail_bars = action("Prevent 1").id
    reworded = renumbered("Brief nail bar, car wash and hand car wash owners on the signs of slavery")
    import_again(reworded, choices=ImportChoices(none_renumbered=True))
    assert action("Prevent 1").id == nail_bars  # kept its number: the file's Prevent 1 is this action reworded


# 3. Three-way merge --------------------------------------------------------------------------------------------


def edit_in_the_app(ref: str, **values) -> None:
    stored = action(ref)
    for name, value in values.items():
        setattr(stored, name, value)
    db.session.commit()


def test_edits_made_in_the_app_survive_re_importing_the_same_file(app_context, app):
    data = first_version()
    import_again(data)
    edit_in_the_app(
        "Prepare 1",
        what="Agree a referral pathway with the council and health",
        how="Workshops",
        responsibility="DI Safeguarding",
        target_date=date(2021, 6, 30),
    )
    before, before_counts = state(), counts()
    report = import_again(data)
    assert state() == before and counts() == before_counts
    assert not report.plans[0].conflicts and not report.changes_anything


def test_only_what_the_file_changed_is_applied_and_the_apps_edits_stand(app_context, app):
    import_again(first_version())
    edit_in_the_app("Prepare 1", responsibility="DI Safeguarding", target_date=date(2021, 6, 30))
    report = import_again(first_version(how="• Two workshops with the council"))
    stored = action("Prepare 1")
    assert stored.how == "• Two workshops with the council"
    assert (stored.responsibility, stored.target_date) == ("DI Safeguarding", date(2021, 6, 30))
    assert [str(change) for change in report.plans[0].field_changes] == [
        "Prepare 1: how '• How' → '• Two workshops with the council'"
    ]


def test_a_field_changed_in_both_is_a_conflict_where_the_tracker_stands_unless_the_file_is_picked(app_context, app):
    import_again(first_version())
    edit_in_the_app("Prepare 1", responsibility="DI Safeguarding")
    changed = first_version(responsibility="DS Khan")

    report = import_again(changed, dry_run=True)
    [conflict] = report.plans[0].conflicts
    assert (conflict.key, conflict.tracker, conflict.file, conflict.base) == (
        "0:Prepare 1|responsibility",
        "'DI Safeguarding'",
        "'DS Khan'",
        "'DCI Chisholm'",
    )
    assert report.worth_importing

    import_again(changed)
    assert action("Prepare 1").responsibility == "DI Safeguarding"  # the tracker's value stands
    again = import_again(changed)
    assert not again.plans[0].conflicts  # settled: the same file does not ask again

    picked = ImportChoices(take_file=frozenset({"0:Prepare 1|responsibility"}))
    report = import_again(first_version(responsibility="DS Patel"), choices=picked)  # both changed it again
    assert action("Prepare 1").responsibility == "DS Patel"  # the admin picked the file's
    assert [str(change) for change in report.plans[0].field_changes] == [
        "Prepare 1: responsibility 'DI Safeguarding' → 'DS Patel'"
    ]


def test_each_import_keeps_what_it_read_as_the_next_ones_baseline(app_context, app):
    import_again(first_version())
    baseline = db.session.get(ActionBaseline, action("Prepare 1").id)
    assert baseline.values["responsibility"] == "DCI Chisholm" and baseline.values["rag"] == "green"
    assert baseline.values["links"] == [["NS", None, "NS"]]
    import_again(first_version(responsibility="DS Khan"))
    db.session.expire_all()
    assert db.session.get(ActionBaseline, action("Prepare 1").id).values["responsibility"] == "DS Khan"


def test_an_action_with_no_baseline_asks_rather_than_overwrites(app_context, app):
    import_again(first_version())
    db.session.execute(db.delete(ActionBaseline))  # as if imported before baselines were kept
    db.session.commit()
    report = import_again(first_version(responsibility="DS Khan"))
    assert [conflict.key for conflict in report.plans[0].conflicts] == ["0:Prepare 1|responsibility"]
    assert action("Prepare 1").responsibility == "DCI Chisholm"


def test_an_empty_cell_never_clears_the_tracker(app_context, app):
    import_again(first_version())
    import_again(first_version(responsibility=""))
    assert action("Prepare 1").responsibility == "DCI Chisholm"
    assert action("Prepare 1").strand is Strand.PREPARE
    assert TITLE


def test_an_action_dropped_from_the_file_whose_number_another_takes_is_kept_under_its_old_number(app_context, app):
    import_again(first_version())
    nail_bars, campaign = action("Prevent 1").id, action("Prevent 2").id
    dropped = plan_file(
        [
            row("Prepare", 1, "Agree a referral pathway with the council", rich(BASE + "\n", red(Q2))),
            row("Prevent", 1, "Run a 'Hidden in Plain Sight' campaign at the bus station", "Design agreed."),
        ]
    )
    report = import_again(dropped)
    assert action("Prevent 1").id == campaign and texts("Prevent 1") == ["Design agreed."]
    kept = db.session.get(Action, nail_bars)
    assert kept.display_ref == "Prevent 1 (old)" and [update.text for update in kept.updates] == ["Visits planned."]
    assert report.plans[0].refs_not_in_file == ["Prevent 1 (kept as Prevent 1 (old))"]
    assert "not in the file (kept): Prevent 1 (kept as Prevent 1 (old))" in "\n".join(report.summary_lines())


# Objectives are merged three ways too -------------------------------------------------------------------------

OBJECTIVES_FILE = "tests/fixtures/corpus/07-objective-separator-rows.xlsx"
FIRST_TITLE = "Objective 1.1: Understand where, when and why serious violence happens"


def objectives_file(title: str = FIRST_TITLE) -> bytes:
    """The corpus's objective-separator layout with objective 1.1's heading row (A7) as given."""
    from openpyxl import load_workbook

    workbook = load_workbook(OBJECTIVES_FILE)
    workbook.active["A7"] = title
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def objective_1_1():
    from app.models import Objective

    db.session.expire_all()
    return db.session.scalars(db.select(Objective).filter_by(strand=Strand.PREPARE, ref="1.1")).one()


def test_an_objective_title_edited_in_the_app_survives_re_importing_the_same_file(app_context, app):
    import_workbook(objectives_file(), "sv.xlsx")
    objective_1_1().title = "Know where and why serious violence happens"
    db.session.commit()

    report = import_workbook(objectives_file(), "sv.xlsx")

    assert objective_1_1().title == "Know where and why serious violence happens"
    assert not report.plans[0].conflicts and not report.changes_anything


def test_an_objective_title_the_file_changed_is_applied_and_said(app_context, app):
    import_workbook(objectives_file(), "sv.xlsx")
    before = counts()

    report = import_workbook(objectives_file("Objective 1.1: Understand serious violence and its causes"), "sv.xlsx")

    assert objective_1_1().title == "Understand serious violence and its causes"
    assert report.plans[0].change_lines() == [
        "Prepare objective 1.1: title 'Understand where, when and why serious violence h…' → "
        "'Understand serious violence and its causes'"
    ]
    assert counts()["updates"] == before["updates"]
    again = import_workbook(objectives_file("Objective 1.1: Understand serious violence and its causes"), "sv.xlsx")
    assert not again.changes_anything


def test_an_objective_title_changed_in_both_is_a_conflict_where_the_tracker_stands_unless_the_file_is_picked(
    app_context, app
):
    import_workbook(objectives_file(), "sv.xlsx")
    objective_1_1().title = "Know where and why serious violence happens"
    db.session.commit()
    changed = objectives_file("Objective 1.1: Understand serious violence and its causes")

    report = import_workbook(changed, "sv.xlsx", dry_run=True)  # the check page

    [conflict] = report.plans[0].conflicts
    assert conflict.key == "0:Prepare objective 1.1|title"
    assert str(conflict) == (
        "Prepare objective 1.1: title is 'Know where and why serious violence happens' in the tracker but "
        "'Understand serious violence and its causes' in the file (both changed it since the last import, which "
        "read 'Understand where, when and why serious violence h…'): the tracker's value stands"
    )
    assert objective_1_1().title == "Know where and why serious violence happens"

    import_workbook(changed, "sv.xlsx", choices=ImportChoices(take_file=frozenset({conflict.key})))
    assert objective_1_1().title == "Understand serious violence and its causes"  # the admin picked the file's
    assert not import_workbook(changed, "sv.xlsx").plans[0].conflicts  # settled: the same file does not ask again


def test_an_objective_conflict_left_to_the_tracker_is_settled(app_context, app):
    import_workbook(objectives_file(), "sv.xlsx")
    objective_1_1().title = "Know where and why serious violence happens"
    db.session.commit()
    changed = objectives_file("Objective 1.1: Understand serious violence and its causes")

    import_workbook(changed, "sv.xlsx")

    assert objective_1_1().title == "Know where and why serious violence happens"
    assert not import_workbook(changed, "sv.xlsx").plans[0].conflicts
