"""The Excel export reads the plan as plain rows (exporting.content.load_export_content: column selects fetched in
batches, the updates streamed), not as ORM objects, and writes the same workbook as before, byte for byte.

The plan here has what the redaction rule and the writer have to get right: a restricted action, marked text in an
action, an update, an author, a target date and a RAG reason, flagged updates, rich commentary (and a cell too full,
whose first line points to the Updates sheet), strategic links with and without their wording, a formula-like
text, Excel's own `_x0041_` escape, a control character, an emoji, a review and RAG decisions. Each sheet of both
copies (internal, PCC) of a local and a PCC plan is held to:

- the workbook that reading the actions as ORM objects, with every update in memory, writes (load_plan_content);
- the digests in tests/fixtures/export_golden.json, written by the export as it was before it read plain rows
  (commit 79fddfc): set EXPORT_GOLDEN_WRITE=path to write them again, deliberately, after a change to the look.
"""

import hashlib
import io
import itertools
import json
import os
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Action, Framework, Objective, Plan, PlanKind, Rag, RagChange, Strand, StrategicLink, Update
from app.services.exporting import content as content_module
from app.services.exporting.content import ActionRow, Redactor, load_export_content, load_plan_content
from app.services.exporting.excel import build_workbook, export_workbook
from app.services.measures.reading import measures_of
from tests.factories import make_review, make_user

ON = date(2026, 1, 15)
GOLDEN = Path(__file__).parent / "fixtures" / "export_golden.json"
_plans = itertools.count(1)
LONG = "Partnership intelligence shared with the regional organised crime unit & <partners> " * 3


def _update(action: Action, on: date | None, text: str, **fields) -> None:
    action.updates.append(Update(as_at=on, text=text, author_name=fields.pop("author", "DCI Chisholm"), **fields))


def _links(action: Action, *links: tuple[Framework, str | None, str]) -> None:
    for position, (framework, code, text) in enumerate(links):
        action.links.append(StrategicLink(framework=framework, code=code, text=text, position=position))


def golden_plan(kind: PlanKind, title: str = "") -> Plan:
    """The same plan every time (names, dates and words fixed; ids aside, which no sheet shows)."""
    serial = next(_plans)  # emails must differ (no sheet shows them); names are the same every time
    lead = make_user("lead", email=f"golden-lead-{serial}@example.police.uk", name="Golden Lead")
    plan = Plan(
        title=title or f"Golden {kind.value} delivery plan",
        kind=kind,
        priority="Modern Day Slavery",
        lead="Detective Superintendent Walton OFFICIAL-SENSITIVE",  # plan-level text: the marking alone goes
        period_label="2025-26",
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        update_interval_days=30,
    )
    db.session.add(plan)
    objectives = []
    if kind is PlanKind.PCC:
        for n in (1, 2):
            objective = Objective(plan=plan, ref=f"{n}", title=f"Aim {n}: protect victims", position=n)
            objective.description = f"What we will achieve for aim {n}"
            objectives.append(objective)
            db.session.add(objective)
    strands = list(Strand)
    actions = []
    for i in range(9):
        local = kind is PlanKind.LOCAL
        action = Action(
            plan=plan,
            strand=(strands[i % 4] if i != 8 else None) if local else None,
            objective=None if local else objectives[i % 2],
            ref=(str(i // 4 + 1) if i != 8 else "3.3c.1") if local else f"{i % 2 + 1}.{i // 2 + 1}.1",
            position=i,
            what=f"Action {i}: raise awareness",
            how="• We will train\n• We will brief",
            responsibility="MDS Lead DSupt Walton",
            rag=[Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, None][i % 5],
            target_date=date(2025, 12, 1 + i) if i % 3 else None,
            target_date_text=None if i % 3 else ("Spring 2026" if i != 6 else "OFFICIAL-SENSITIVE: when raided"),
        )
        db.session.add(action)
        actions.append(action)
    first, restricted, marked, full, loose = actions[0], actions[1], actions[2], actions[5], actions[8]
    restricted.restricted = True
    restricted.what = "The informant's address"
    marked.how = "Official\u2013Sensitive: the safe house"  # an en dash, not flagged
    loose.what = "=SUM(A1) looks like a formula, _x0041_ is Excel's escape, \x07 a bell, 🙂 an emoji"
    loose.responsibility = " leading and trailing spaces "
    _links(
        first,
        (Framework.NS, None, "National Strategy (NS)"),
        (Framework.SENTINEL, None, ""),
        (Framework.PCC, "1.1.1", ""),
    )
    _links(restricted, (Framework.HMIC, "R4", "HMIC recommendation 4"))
    author = make_user("owner", email=f"golden-owner-{serial}@example.police.uk", name="Golden Owner")
    _update(first, None, "The plan's imported commentary")
    _update(first, date(2025, 10, 1), "Started & <going>", rag=Rag.AMBER)
    _update(first, date(2025, 11, 1), "Informant met the team", restricted=True, rag=Rag.RED)
    _update(first, date(2025, 12, 1), "Newest: training booked", rag=Rag.GREEN)
    first.updates.append(Update(as_at=date(2025, 12, 2), text="Written by a user", author_id=author.id))
    _update(restricted, date(2025, 11, 5), "Not flagged, on a restricted action")
    _update(marked, date(2025, 12, 20), "OFFICIAL-SENSITIVE: the address", rag=Rag.AMBER)
    _update(marked, date(2025, 12, 21), "An update by a marked author", author="OFFICIAL SENSITIVE source")
    _update(actions[3], None, "Imported commentary only, plain")
    for n in range(40):  # more than a Commentary cell shows: it points to the Updates sheet
        _update(full, date(2025, 1 + n % 12, 1 + n // 12), f"{n + 1}. {LONG}", rag=Rag.GREEN if n % 7 else None)
    _update(loose, date(2025, 9, 9), " =starts like a formula, with spaces around ")
    db.session.commit()
    reasons = [
        (first, "Confirmed at the board"),
        (restricted, "Because of the operation"),
        (marked, "Official-sensitive"),
    ]
    for n, (action, reason) in enumerate(reasons):
        db.session.add(
            RagChange(
                action_id=action.id,
                from_rag=Rag.AMBER,
                to_rag=action.rag,
                user_id=lead.id,
                changed_at=datetime(2025, 12, 10 + n, 9, 30, tzinfo=UTC),
                reason=reason,
            )
        )
    db.session.commit()
    make_review(plan, held_on=date(2025, 11, 30), rags={first.id: Rag.RED}, attendees="DSupt Walton, DCI Chisholm")
    return plan


def parts(data: bytes) -> dict[str, bytes]:
    """Every part of the package but its creation time."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def digests(data: bytes) -> dict[str, str]:
    return {name: hashlib.sha256(body).hexdigest() for name, body in sorted(parts(data).items())}


CASES = [(kind, audience) for kind in (PlanKind.LOCAL, PlanKind.PCC) for audience in ("internal", "pcc")]


@pytest.mark.parametrize(("kind", "audience"), CASES)
def test_the_export_read_as_rows_is_the_export_read_as_orm_objects(app_context, app, kind, audience):
    plan = golden_plan(kind)
    redactor = Redactor(audience)
    as_orm_objects = build_workbook(
        load_plan_content(plan, with_reviews=True), redactor, ON, measures=measures_of(plan, redactor.reader, ON)
    )
    db.session.expire_all()
    exported = export_workbook(plan, audience=audience, as_at=ON)
    assert parts(exported) == parts(as_orm_objects)
    written = b"".join(parts(exported).values())
    for withheld in (b"The informant", b"Informant met the team", b"safe house", b"the address", b"when raided"):
        assert (withheld in written) is (audience == "internal"), withheld  # the audience's redaction holds
    assert b"Because of the operation" not in written or audience == "internal"
    assert b"[REDACTED]" in written if audience == "pcc" else b"[REDACTED]" not in written


def test_the_export_is_the_one_written_before_it_read_rows(app_context, app):
    """Byte for byte what the export wrote before (the digests were written by commit 79fddfc's export)."""
    found = {}
    for kind, audience in CASES:
        plan = golden_plan(kind, f"Golden {kind.value} delivery plan, {audience} copy")  # titles are unique
        found[f"{kind.value} {audience}"] = digests(export_workbook(plan, audience=audience, as_at=ON))
        db.session.expire_all()
    if os.environ.get("EXPORT_GOLDEN_WRITE"):
        Path(os.environ["EXPORT_GOLDEN_WRITE"]).write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    expected = json.loads(GOLDEN.read_text())
    for case, names in expected.items():
        for name, digest in names.items():
            assert found[case].get(name) == digest, f"{case}: {name} differs from the export before"
    assert found == expected


def test_the_export_reads_no_action_as_an_orm_object_and_streams_words_and_updates(app_context, app, monkeypatch):
    plan = golden_plan(PlanKind.LOCAL)
    plan_id = plan.id
    db.session.expunge_all()
    loaded = []
    seen: dict[str, list[str]] = {"update.text": [], "action.what": []}

    def on_load(target, context):
        loaded.append(target)

    def heard(conn, cursor, statement, parameters, context, executemany):
        for column, statements in seen.items():
            if column in statement.replace('"', ""):
                statements.append(statement)

    monkeypatch.setattr(content_module, "STREAM_ACTIONS", 4)  # 9 actions: three reads a sheet
    monkeypatch.setattr(content_module, "FETCH_ROWS", 2)  # the actions fetched two rows at a time
    event.listen(Action, "load", on_load)
    event.listen(db.engine, "before_cursor_execute", heard)
    try:
        content = load_export_content(db.session.get_one(Plan, plan_id))
        assert all(isinstance(action, ActionRow) for action in content.actions) and len(content.actions) == 9
        assert seen == {"update.text": [], "action.what": []}  # no words nor updates read up front
        data = build_workbook(content, Redactor("internal"), ON)
        words = content_module._read_words([action.id for action in content.actions])
    finally:
        event.remove(Action, "load", on_load)
        event.remove(db.engine, "before_cursor_execute", heard)
    assert loaded == []
    assert len(seen["update.text"]) == 2 * 3  # the Plan sheet's commentary, then the Updates sheet, 4 actions a read
    assert len(seen["action.what"]) == 3 + 1  # the Plan sheet's words, four actions a read (and the read just above)
    [first] = [each for each in words.values() if each.what.startswith("Action 0")]
    assert [link.label for link in first.links] == ["NS", "Sentinel", "PCC 1.1.1"]
    assert b"Informant met the team" in b"".join(parts(data).values())
