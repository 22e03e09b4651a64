"""Exporting a plan and importing the export gives back the same plan (docs/design.md, Export for the PCC office)."""

import io
import random
import re
import zipfile
from datetime import date
from pathlib import Path

from sqlalchemy import insert

from app.extensions import db
from app.models import Framework, Plan, Rag, Strand, Update
from app.services.exporting.excel import export_workbook
from app.services.exporting.json_plan import plan_as_dict
from app.services.exporting.sheets import POINTER
from app.services.importing import guard
from app.services.importing.saving import import_workbook
from tests.conftest import SEED_WORKBOOK
from tests.factories import make_action, make_plan

AS_AT = date(2025, 11, 25)


def plans_as_dicts() -> list[dict]:
    return [plan_as_dict(plan, audience="internal") for plan in db.session.scalars(db.select(Plan).order_by(Plan.id))]


def export_all() -> list[bytes]:
    return [
        export_workbook(plan, audience="internal", as_at=AS_AT)
        for plan in db.session.scalars(db.select(Plan).order_by(Plan.id))
    ]


def import_into_a_fresh_database(exports: list[bytes]) -> None:
    db.session.remove()
    db.drop_all()
    db.create_all()
    for index, data in enumerate(exports):
        import_workbook(data, f"export-{index}.xlsx")


def by_action(plan: dict) -> dict:
    """What the issue says must survive, per action: keyed by strand and ref."""
    return {
        (action["strand"], action["ref"]): {
            "what": action["what"],
            "how": action["how"],
            "responsibility": action["responsibility"],
            "links": [(link["framework"], link["code"], link["resolved"]) for link in action["links"]],
            "rag": action["rag"],
            "updates": [(update["as_at"], update["text"]) for update in action["updates"]],
        }
        for action in plan["actions"]
    }


def test_the_seed_plans_survive_export_and_import(app_context, app):
    import_workbook(Path(SEED_WORKBOOK).read_bytes(), "wmp-modern-slavery-delivery-plan-2015-16.xlsx")
    before = plans_as_dicts()
    assert [len(plan["actions"]) for plan in before] == [13, 17]
    assert sum(len(action["updates"]) for plan in before for action in plan["actions"]) == 34

    import_into_a_fresh_database(export_all())
    after = plans_as_dicts()

    assert [(p["title"], p["priority"], p["lead"]) for p in after] == [
        (p["title"], p["priority"], p["lead"]) for p in before
    ]
    for original, again in zip(before, after, strict=True):
        assert by_action(again) == by_action(original)
    local = by_action(after[0])
    assert [ref for strand, ref in local if strand == "Prepare"] == ["1", "2", "8", "9"]
    assert local[("Prepare", "1")]["links"] == [("NS", None, False), ("Sentinel", None, False), ("PCC", "3.3.7", True)]
    assert len(local[("Prepare", "1")]["updates"]) == 3  # the base text and its two italic later updates
    assert after == before  # and nothing else changed either: objectives, dates, periods, owners, statuses


def test_a_plan_written_in_the_tracker_survives_export_and_import(app_context, app):
    plan = make_plan(actions=0, title="Serious Violence Delivery Plan 2025-26", period_label="2025-26")
    action = make_action(
        plan,
        strand=Strand.PROTECT,
        ref="3",
        what="=SUM(A1) looks like a formula",
        rag=Rag.AMBER,
        target_date=date(2026, 3, 31),
        links=[(Framework.NS, None), (Framework.PCC, "1.2.2"), (Framework.HMIC, "Rec 4")],
    )
    action.how = "• First step\n• Second step"
    action.links[0].text = "National Strategy (NS)"
    action.links[1].text = "PCC 1.2.2"
    action.links[2].text = "HMIC Rec 4"
    action.updates.extend(
        [
            Update(as_at=None, text="• Base text as the plan had it", author_name=""),
            Update(as_at=date(2025, 7, 1), text="Two lines:\n• training booked", author_name="DCI Chisholm"),
            Update(as_at=date(2025, 10, 1), text="#N/A is what the old sheet showed", author_name="DCI Chisholm"),
            Update(as_at=date(2025, 11, 20), text="+1 more referral", author_name="DCI Chisholm", restricted=True),
        ]
    )
    make_action(plan, strand=Strand.PURSUE, ref="1", what="Target the OCG", rag=Rag.BLUE, position=1)
    db.session.commit()
    before = plans_as_dicts()

    import_into_a_fresh_database(export_all())

    (again,) = plans_as_dicts()
    assert by_action(again) == by_action(before[0])
    assert again["period_start"] == "2025-04-01"


def test_the_trackers_own_export_of_a_force_sized_plan_is_not_refused(app_context, app):
    """A plan of 400 actions with 21,000 updates: more update rows than the guard's row cap, as a force has."""
    plan = make_plan(actions=400, updates_per_action=0, title="Force Delivery Plan 2025-26", period_label="2025-26")
    ids = [action.id for action in plan.actions]
    db.session.execute(
        insert(Update),
        [
            {
                "action_id": ids[n % len(ids)],
                "plan_id": plan.id,
                "as_at": date(2025, 1 + n % 12, 1 + n % 28),
                "text": f"Step {n}",
            }
            for n in range(21_000)
        ],
    )
    db.session.commit()
    data = export_workbook(plan, audience="internal", as_at=AS_AT)
    before = plans_as_dicts()
    plan_sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert (
        plan_sheet.count(POINTER.split(": ")[1]) == 400
    )  # 52 updates are more than a cell shows: all are on the Updates sheet
    import_into_a_fresh_database([data])
    (again,) = plans_as_dicts()
    assert len(again["actions"]) == 400
    assert sum(len(action["updates"]) for action in again["actions"]) == 21_000
    assert by_action(again) == by_action(before[0])


WORDS = (
    "partnership intelligence victims reporting safeguarding training awareness operational group regional "
    "network referrals tasking Sentinel problem profile disruption offenders community outreach NRM"
).split()


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def test_the_guard_is_sized_for_the_trackers_own_export_of_20000_actions(app_context, app):
    """200 actions written as a force writes them (the bench's texts: a 25-word action, three bullets of how,
    10 updates of 40 words each), exported, measured part by part and scaled to 20,000 actions: what openpyxl
    parses, the Updates sheet it streams, the plan sheet's rows and cells all fit the guard's caps with a
    fifth to spare. Then the export comes back whole: every update, from the Updates sheet."""
    rng, actions, scale = random.Random(18), 200, 20_000 / 200
    plan = make_plan(actions=0, title="Force Delivery Plan 2025-26", period_label="2025-26")
    strands = list(Strand)
    for n in range(actions):
        action = make_action(
            plan, strand=strands[n % 4], ref=str(n // 4 + 1), position=n, what=sentence(rng, 25), rag=Rag.AMBER
        )
        action.how = "\n".join(f"• {sentence(rng, 8)} (NS)" for _ in range(3))
        action.updates.extend(
            Update(as_at=date(2025, 1 + u, 1 + n % 28), text=sentence(rng, 40), author_name="DCI Chisholm")
            for u in range(10)
        )
    db.session.commit()
    before = plans_as_dicts()
    data = export_workbook(plan, audience="internal", as_at=AS_AT)

    facts = guard.check_workbook(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    sizes = {part.filename: part.file_size for part in archive.infolist()}
    plan_sheet = archive.read("xl/worksheets/sheet1.xml")
    assert facts.updates_sheet and facts.updates_sheet not in ("xl/worksheets/sheet1.xml",)
    parsed = [name for name in sizes if name not in facts.record_sheets]
    assert "xl/worksheets/sheet1.xml" in parsed
    margin = 1.2
    assert sizes["xl/worksheets/sheet1.xml"] * scale * margin < guard.MAX_PART_BYTES
    assert sum(sizes[name] for name in parsed) * scale * margin < guard.MAX_TOTAL_BYTES
    assert sizes[facts.updates_sheet] * scale * margin < guard.MAX_STREAMED_PART_BYTES
    assert len(guard.CELL_RE.findall(plan_sheet)) * scale * margin < guard.MAX_CELLS
    last_row = max(int(row) for row in re.findall(rb'<row r="(\d+)"', plan_sheet))
    assert last_row - actions < guard.TITLE_ROWS  # the title and header rows above the actions
    assert actions * scale <= guard.MAX_DATA_ROWS
    assert 10 * actions * scale * margin < guard.MAX_RECORD_ROWS
    assert plan_sheet.decode().count(POINTER.split(": ")[1]) == actions  # each cell shows its newest updates only

    import_into_a_fresh_database([data])
    (again,) = plans_as_dicts()
    assert by_action(again) == by_action(before[0])
    assert sum(len(action["updates"]) for action in again["actions"]) == 10 * actions


def test_two_updates_that_differ_only_by_a_number_both_come_back(app_context, app):
    plan = make_plan(actions=0, title="Serious Violence Delivery Plan 2025-26", period_label="2025-26")
    make_action(plan, strand=Strand.PURSUE, ref="2", what="Disrupt the network", rag=Rag.BLUE, updates=2)
    db.session.commit()
    before = plans_as_dicts()
    import_into_a_fresh_database(export_all())
    assert by_action(plans_as_dicts()[0]) == by_action(before[0])


def a_plan_with_more_updates_than_a_cell_shows(restricted: int | None = None) -> Plan:
    plan = make_plan(actions=0, title="Serious Violence Delivery Plan 2025-26", period_label="2025-26")
    busy = make_action(plan, strand=Strand.PREVENT, ref="2", what="Brief the car washes", rag=Rag.GREEN)
    busy.updates.extend(
        Update(
            as_at=date(2025, 4 + n // 28, 1 + n % 28),
            text=f"Visit {n}: {'leaflets left. ' * (n % 5 + 1)}".strip(),
            restricted=n == restricted,
        )
        for n in range(60)
    )
    long_note = ("A long note. " * 400).strip()
    busy.updates.append(Update(as_at=date(2025, 11, 20), text=long_note, author_name="DCI Chisholm"))
    make_action(plan, strand=Strand.PURSUE, ref="1", what="Target the OCG", rag=Rag.BLUE, position=1, updates=2)
    db.session.commit()
    return plan


def test_an_action_with_more_updates_than_its_cell_shows_comes_back_whole_from_the_updates_sheet(app_context, app):
    plan = a_plan_with_more_updates_than_a_cell_shows()
    before = plans_as_dicts()
    data = export_workbook(plan, audience="internal", as_at=AS_AT)
    cell = str(open_workbook_bytes(data)["Plan"]["F8"].value)
    assert cell.startswith("Earlier updates: see the Updates sheet (Prevent 2) for all 61 updates.")

    import_into_a_fresh_database([data])

    (again,) = plans_as_dicts()
    assert by_action(again) == by_action(before[0])
    assert len(by_action(again)[("Prevent", "2")]["updates"]) == 61


def test_a_cell_that_points_to_a_missing_updates_sheet_says_so_and_keeps_what_the_cell_holds(app_context, app):
    plan = a_plan_with_more_updates_than_a_cell_shows()
    workbook = open_workbook_bytes(export_workbook(plan, audience="internal", as_at=AS_AT))
    del workbook["Updates"]
    stream = io.BytesIO()
    workbook.save(stream)

    db.session.remove()
    db.drop_all()
    db.create_all()
    report = import_workbook(stream.getvalue(), "export.xlsx")

    (again,) = plans_as_dicts()
    kept = by_action(again)[("Prevent", "2")]["updates"]
    assert 0 < len(kept) < 61 and kept[-1][1].startswith("A long note.")
    assert (
        "Sheet 'Plan' row 8: the commentary points to the Updates sheet, which is not in the workbook: only the "
        f"{len(kept)} updates in the cell were read"
    ) in "\n".join(report.summary_lines())


def open_workbook_bytes(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), rich_text=True)


def test_a_restricted_update_comes_back_restricted_from_the_internal_export(app_context, app):
    plan = a_plan_with_more_updates_than_a_cell_shows(restricted=3)  # Prevent 2's cell points to the Updates sheet
    quiet = plan.actions[1]  # its cell holds every update
    quiet.updates.append(Update(as_at=date(2025, 11, 20), text="Operation SIERRA referral", restricted=True))
    db.session.commit()
    before = plans_as_dicts()

    import_into_a_fresh_database(export_all())

    updates = db.session.scalars(db.select(Update).order_by(Update.id)).all()
    assert sorted(update.text for update in updates if update.restricted) == [
        "Operation SIERRA referral",
        "Visit 3: leaflets left. leaflets left. leaflets left. leaflets left.",
    ]
    assert by_action(plans_as_dicts()[0]) == by_action(before[0])  # nothing lost either
