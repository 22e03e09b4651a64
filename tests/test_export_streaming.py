"""The Excel export streams a plan's updates: it reads them a few hundred actions at a time as each sheet goes
down the plan, never all at once, and keeps only their dates and RAGs for the sheets that count them. The
workbook is the one an export holding every update in memory writes, byte for byte, for either audience."""

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import PlanKind, Rag, Update
from app.services.exporting import content as content_module
from app.services.exporting.content import Redactor, load_plan_content
from app.services.exporting.excel import build_workbook
from tests.factories import make_plan, make_review

ON = date(2026, 1, 15)


def plan_with_history(kind: PlanKind):
    plan = make_plan(actions=11, kind=kind, updates_per_action=3)
    first, second = plan.actions[0], plan.actions[5]
    second.restricted = True
    first.updates.append(Update(as_at=date(2025, 12, 1), text="Informant met the team", restricted=True, rag=Rag.RED))
    first.updates.append(Update(as_at=None, text="The plan's imported commentary"))
    plan.actions[2].updates.append(
        Update(as_at=date(2025, 12, 20), text="OFFICIAL-SENSITIVE: the address", rag=Rag.AMBER)
    )
    db.session.commit()
    make_review(plan, held_on=date(2025, 11, 30))
    return plan


def sheets(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def update_queries():
    """Counts the statements that read update text while the block runs."""
    seen = []

    def heard(conn, cursor, statement, parameters, context, executemany):
        if "update.text" in statement.replace('"', ""):
            seen.append(statement)

    return seen, heard


@pytest.mark.parametrize("kind", [PlanKind.LOCAL, PlanKind.PCC])
@pytest.mark.parametrize("audience", ["internal", "pcc"])
def test_a_streamed_export_is_the_export_that_holds_every_update(app_context, app, monkeypatch, kind, audience):
    plan = plan_with_history(kind)
    held = build_workbook(load_plan_content(plan, with_reviews=True), Redactor(audience), ON)

    monkeypatch.setattr(content_module, "STREAM_ACTIONS", 4)  # 11 actions: three reads a sheet
    seen, heard = update_queries()
    event.listen(db.engine, "before_cursor_execute", heard)
    try:
        streamed_content = load_plan_content(plan, with_reviews=True, streamed=True)
        assert streamed_content.updates == {} and seen == []  # nothing of the updates read up front
        streamed = build_workbook(streamed_content, Redactor(audience), ON)
    finally:
        event.remove(db.engine, "before_cursor_execute", heard)
    sheets_reading_updates = 2  # the Plan sheet's commentary, then the Updates sheet
    assert len(seen) == sheets_reading_updates * 3
    assert sheets(streamed) == sheets(held)
    written = b"".join(sheets(streamed).values())
    assert (b"Informant met the team" in written) is (audience == "internal")  # the audience's redaction holds


def test_streamed_content_refuses_to_be_read_whole(app_context, app):
    plan = plan_with_history(PlanKind.LOCAL)
    content = load_plan_content(plan, streamed=True)
    with pytest.raises(RuntimeError, match="streamed"):
        content.updates_of(plan.actions[0])
    with pytest.raises(RuntimeError, match="not been streamed yet"):
        content.facts_of(plan.actions[0])
    actions = list(content.actions)
    streamed = list(content.stream_updates(actions))
    assert [len(updates) for updates in streamed] == [len(action.updates) for action in actions]
    assert [fact.id for fact in content.facts_of(actions[0])] == [u.id for u in streamed[0]]
