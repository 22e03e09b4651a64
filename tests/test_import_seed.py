"""The real plan (West Midlands Police, Modern Day Slavery, 2015-16) imports as its people read it."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Action, AuditEvent, Framework, Objective, Plan, PlanKind, Strand, StrategicLink, Update
from app.services.importing.saving import import_workbook
from app.services.importing.workbook import read_workbook
from tests.conftest import SEED_WORKBOOK
from tests.workbooks import red

SEED_NAME = "wmp-modern-slavery-delivery-plan-2015-16.xlsx"
LOCAL_TITLE = "Public Protection Delivery Plan 2015-16"
PCC_REFS = [
    "1.2.1", "1.2.3", "1.2.4", "1.4.1", "1.4.2", "1.4.3", "3.3.5", "3.3.6", "3.3.7", "3.3.8",
    "3.3c.1", "3.3c.2", "3.3c.3", "3.7a.1", "3.7a.2", "3.7b.1", "3.7b.2",
]  # fmt: skip


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    with open(SEED_WORKBOOK, "rb") as stream:
        return stream.read()


@pytest.fixture(scope="module")
def reading(seed_bytes):
    return read_workbook(seed_bytes, SEED_NAME)


def local(reading):
    return next(plan for plan in reading.plans if plan.kind is PlanKind.LOCAL)


def pcc(reading):
    return next(plan for plan in reading.plans if plan.kind is PlanKind.PCC)


def stored_action(display_ref: str) -> Action:
    strand, _, ref = display_ref.rpartition(" ")
    query = db.select(Action).join(Plan).where(Action.ref == ref)
    query = query.where(Action.strand == Strand(strand)) if strand else query.where(Plan.kind == PlanKind.PCC)
    return db.session.scalars(query).one()


def counts() -> dict:
    models = (Plan, Objective, Action, Update, StrategicLink, AuditEvent)
    return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model)) for model in models}


def test_the_seed_holds_a_local_plan_and_the_pcc_deliverables(reading):
    assert [plan.kind for plan in reading.plans] == [PlanKind.LOCAL, PlanKind.PCC]
    plan = local(reading)
    assert plan.title == LOCAL_TITLE
    assert plan.priority == "Modern Day Slavery"
    assert plan.lead == "Detective Superintendent Walton"
    assert (plan.period_label, plan.period_start, plan.period_end) == ("2015-16", date(2015, 4, 1), date(2016, 3, 31))
    assert pcc(reading).period_label == "2015-16"
    assert "PCC Deliverables" in pcc(reading).title


def test_refs_per_strand_keep_the_plans_gaps(reading):
    refs = {}
    for action in local(reading).actions:
        refs.setdefault(action.strand, []).append(action.ref)
    assert refs == {
        Strand.PREPARE: ["1", "2", "8", "9"],
        Strand.PREVENT: ["1", "2", "3", "4"],
        Strand.PROTECT: ["1", "2", "3"],
        Strand.PURSUE: ["1", "2"],
    }
    assert local(reading).actions_per_group() == {"Prepare": 4, "Prevent": 4, "Protect": 3, "Pursue": 2}


def test_responsibility_italics_are_just_text(reading):
    prepare_1 = local(reading).actions[0]
    assert prepare_1.responsibility == "MDS Lead DSupt Walton & MDS Bronze DCI Chisholm"
    assert prepare_1.what.startswith("Engage with the local with Local community groups")
    assert prepare_1.how.startswith("We will: \n• Develop partnership arrangements (NS).")


def test_prepare_1_keeps_its_base_text_and_each_italic_later_update(seed_bytes, reading):
    updates = local(reading).actions[0].updates
    assert len(updates) == 3  # the base text, then two italic passages
    assert updates[0].text.startswith("• WMP now has a MDS operational group")
    assert updates[0].text.endswith("Hope for Justice (expected audience 250).")
    assert updates[1].text.startswith("• As on previous document Very successful event")
    assert updates[2].text == "• DCI Chisholm has taken part in numerous media releases to raise awareness of MDS."
    assert all(update.as_at is None and update.author_name == "" for update in updates)
    # nothing lost or repeated: every word of the cell is in exactly one update
    cell = load_workbook(io.BytesIO(seed_bytes), rich_text=True)["Local Delivery Plan"]["F7"].value
    assert "".join(str(cell).split()) == "".join("".join(update.text for update in updates).split())


def test_pcc_deliverables_are_the_numbered_sub_items_grouped_under_their_aims(reading):
    plan = pcc(reading)
    assert [action.ref for action in plan.actions] == PCC_REFS
    assert all(action.strand is None for action in plan.actions)
    assert [objective.ref for objective in plan.objectives] == ["1.2", "1.4", "3.3", "3.3c", "3.7a", "3.7b"]
    aim = plan.objectives[0]
    assert aim.title.startswith("We will enact our delivery plans")  # the aim's number is its ref
    assert aim.description.startswith("We will look at increasing reporting amongst vulnerable people")
    first = plan.actions[0]
    assert first.objective_ref == "1.2"
    assert first.what.startswith("We will carry out victim surveys")
    assert plan.actions[4].what.startswith("We will ‘dip-sample’")  # "1.4.2." lost only its stray dot


def test_pcc_1_2_3_red_evidence_is_a_later_update(reading):
    deliverable = next(action for action in pcc(reading).actions if action.ref == "1.2.3")
    assert len(deliverable.updates) == 2
    assert deliverable.updates[0].text.startswith("• The Sentinel KIN is an established network")
    assert deliverable.updates[1].text.startswith("• Very successful event in which over 200 partners")
    assert deliverable.updates[1].text.endswith("Excellent feedback received.")


def test_evidence_goes_to_its_own_number(reading):
    by_ref = {action.ref: action for action in pcc(reading).actions}
    assert by_ref["1.4.1"].updates[0].text.startswith("• WMP now has a MDS operational group")  # "1.4.1 • text"
    assert "[REDACTED]" in by_ref["1.4.3"].updates[0].text
    assert by_ref["3.3.7"].updates == []
    assert [update.text[:20] for update in by_ref["3.3.5"].updates] == [
        "• WMP have invested ",
        "• Intelligence submi",
        "• Training has been ",
    ]


def test_a_line_numbered_like_an_aim_is_kept_and_reported(reading):
    deliverable = next(action for action in pcc(reading).actions if action.ref == "3.3.5")
    assert "1.2 We will continue to increase organisational understanding" in deliverable.what
    assert any(w.row == 9 and "1.2 We will continue" in w.message for w in pcc(reading).warnings)


def test_prepare_1_links_resolve_to_the_pcc_deliverable(app_context, app, seed_bytes):
    import_workbook(seed_bytes, SEED_NAME)
    links = stored_action("Prepare 1").links
    assert [(link.framework, link.code) for link in links] == [
        (Framework.NS, None),
        (Framework.SENTINEL, None),
        (Framework.PCC, "3.3.7"),
    ]
    assert links[2].target is stored_action("3.3.7")
    assert links[2].target.plan.kind is PlanKind.PCC


def test_pcc_deliverables_are_stored_under_their_aims(app_context, app, seed_bytes):
    import_workbook(seed_bytes, SEED_NAME)
    deliverable = stored_action("1.2.1")
    assert deliverable.objective.ref == "1.2"
    assert deliverable.objective.title.startswith("We will enact our delivery plans")
    assert deliverable.objective.description.startswith("We will look at increasing reporting")
    assert db.session.scalar(db.select(db.func.count()).select_from(Objective)) == 6


def test_protect_2_keeps_its_unresolved_pcc_link(app_context, app, seed_bytes):
    report = import_workbook(seed_bytes, SEED_NAME)
    links = stored_action("Protect 2").links
    assert [(link.code, link.resolved) for link in links] == [("1.2.2", False), ("3.3.6", True)]
    assert links[1].target is stored_action("3.3.6")
    assert report.plans[0].pcc_unresolved == ["Protect 2 → PCC 1.2.2"]
    assert "Protect 2 → PCC 1.2.2" in "\n".join(report.summary_lines())


def test_import_stores_updates_as_imported_history(app_context, app, seed_bytes):
    import_workbook(seed_bytes, SEED_NAME)
    updates = stored_action("Prepare 1").updates
    assert len(updates) == 3
    assert {(update.source, update.as_at, update.author_name) for update in updates} == {("import", None, "")}
    assert [update.text for update in stored_action("1.2.3").updates][1].startswith("• Very successful event")


def test_import_records_an_audit_event_per_plan(app_context, app, seed_bytes):
    import_workbook(seed_bytes, SEED_NAME)
    events = db.session.scalars(db.select(AuditEvent).filter_by(verb="plan.import")).all()
    assert len(events) == 2
    assert events[0].actor == "cli"
    assert events[0].new["actions_created"] == 13


def test_re_importing_the_same_file_changes_nothing(app_context, app, seed_bytes):
    first = import_workbook(seed_bytes, SEED_NAME)
    before = counts()
    versions = dict(db.session.execute(db.select(Action.id, Action.version)).all())
    again = import_workbook(seed_bytes, SEED_NAME)
    after = counts()
    assert after == before  # not even an audit event: nothing happened
    assert dict(db.session.execute(db.select(Action.id, Action.version)).all()) == versions
    assert [plan.plan_id for plan in again.plans] == [plan.plan_id for plan in first.plans]
    assert [(plan.is_new, plan.actions_created, plan.actions_changed, plan.updates_added) for plan in again.plans] == [
        (False, 0, [], 0),
        (False, 0, [], 0),
    ]


def test_a_dry_run_writes_nothing_and_reports_the_same(app_context, app, seed_bytes):
    report = import_workbook(seed_bytes, SEED_NAME, dry_run=True)
    assert set(counts().values()) == {0}
    assert report.dry_run and report.plans[0].is_new and report.plans[0].plan_id is None
    assert report.plans[0].updates_added == 17
    assert report.plans[0].pcc_unresolved == ["Protect 2 → PCC 1.2.2"]
    assert report.summary_lines()[0].endswith("dry run, nothing was saved")


def test_a_changed_file_updates_changed_fields_and_appends_new_updates(app_context, app, seed_bytes):
    import_workbook(seed_bytes, SEED_NAME)
    app_update = Update(action=stored_action("Prepare 2"), text="Written in the tracker", as_at=date(2016, 1, 5))
    db.session.add(app_update)
    db.session.commit()
    workbook = load_workbook(io.BytesIO(seed_bytes), rich_text=True)
    sheet = workbook["Local Delivery Plan"]
    sheet["C8"] = "Ensure reception centres are planned with every Local Authority."
    sheet["F8"] = sheet["F8"].value + "\n"
    sheet["F8"].value = _append_red(sheet["F8"].value, "31/01/2016: Two reception centres agreed.")
    stream = io.BytesIO()
    workbook.save(stream)

    report = import_workbook(stream.getvalue(), SEED_NAME)

    assert report.plans[0].actions_changed == ["Prepare 2 (what)"]
    assert report.plans[0].updates_added == 1
    prepare_2 = stored_action("Prepare 2")
    assert prepare_2.what == "Ensure reception centres are planned with every Local Authority."
    texts = [(update.source, update.as_at, update.text) for update in prepare_2.updates]
    assert ("app", date(2016, 1, 5), "Written in the tracker") in texts
    assert ("import", date(2016, 1, 31), "Two reception centres agreed.") in texts
    assert len(texts) == 3


def _append_red(text: str, passage: str):
    from openpyxl.cell.rich_text import CellRichText

    return CellRichText(text, red(passage))


def test_links_imported_earlier_resolve_when_the_pcc_plan_arrives(app_context, app, seed_bytes):
    import_workbook(_only_sheet(seed_bytes, "Local Delivery Plan"), "local.xlsx")
    assert not stored_action("Prepare 1").links[2].resolved
    report = import_workbook(_only_sheet(seed_bytes, "PCC Deliverables"), "pcc.xlsx")
    assert stored_action("Prepare 1").links[2].target is stored_action("3.3.7")
    assert f"Prepare 1 of {LOCAL_TITLE} → PCC 3.3.7" in report.earlier_links_resolved
    assert not stored_action("Protect 2").links[0].resolved


def _only_sheet(data: bytes, name: str) -> bytes:
    workbook = load_workbook(io.BytesIO(data), rich_text=True)
    for sheet in list(workbook.worksheets):
        if sheet.title != name:
            workbook.remove(sheet)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_cli_import_prints_what_it_read(app_context, app, runner):
    result = runner.invoke(args=["plans", "import", SEED_WORKBOOK])
    assert result.exit_code == 0, result.output
    assert f"{LOCAL_TITLE} (2015-16): new local plan from sheet 'Local Delivery Plan'" in result.output
    assert "Actions: 13 (Prepare: 4, Prevent: 4, Protect: 3, Pursue: 2); 13 new, 0 changed" in result.output
    assert "Actions: 17 (Aim 1.2: 3, Aim 1.4: 3, Aim 3.3: 4, Aim 3.3c: 3, Aim 3.7a: 2, Aim 3.7b: 2)" in result.output
    assert "PCC links resolved 6, unresolved 1 (Protect 2 → PCC 1.2.2)" in result.output
    assert "Sheet 'PCC Deliverables' row 9:" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Plan)) == 2


def test_cli_dry_run_writes_nothing(app_context, app, runner):
    result = runner.invoke(args=["plans", "import", SEED_WORKBOOK, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing was saved" in result.output
    assert "Updates: 17 to add" in result.output
    assert set(counts().values()) == {0}


def test_cli_refuses_a_file_that_is_not_a_workbook(app_context, app, runner, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_text("Strand,No,What\nPrepare,1,Engage\n")
    result = runner.invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: The file is not an Excel workbook (.xlsx): open it in Excel and save it as an Excel Workbook"
    ]
    assert set(counts().values()) == {0}


def test_demo_loads_plans_and_gives_the_demo_people_their_plan(app_context, app, runner):
    app.config["PLANS_DIR"] = SEED_WORKBOOK.rsplit("/", 1)[0]
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"{LOCAL_TITLE} (13 actions)" in result.output
    plans = db.session.scalars(db.select(Plan)).all()
    assert {plan.lead_user.email for plan in plans} == {"lead@example.police.uk"}
    owned = db.session.scalars(db.select(Action).where(Action.owners.any(email="owner@example.police.uk"))).all()
    assert {action.display_ref for action in owned} >= {"Prepare 1", "Prepare 9", "Protect 3"}
    assert all("Chisholm" in action.responsibility for action in owned)
    assert runner.invoke(args=["demo"]).exit_code == 0  # a second run imports nothing new
    # The two plans of the seed workbook, and the example partnership plan the demo builds.
    assert db.session.scalar(db.select(db.func.count()).select_from(Plan)) == 3
