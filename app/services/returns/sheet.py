"""Writing the return workbook with XlsxWriter: text as literal strings, the person's own redaction."""

import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Action, Plan, Role, Update, User, action_owner
from app.models.plan import ACTIVE
from app.services import clock
from app.services.access import leads_plan
from app.services.audit import trail as audit
from app.services.errors import NotAllowed
from app.services.redaction import Reader
from app.services.returns import HEADERS, RAGS, SHEET
from app.services.reviewing import rag_rules


@dataclass(frozen=True)
class Row:
    action: Action
    owner: User
    latest: str


def rows_for(person: User, owners: list[User]) -> list[Row]:
    """The open actions of active plans that `owners` own; a person who is not one of them must lead the plan."""
    owner_ids = [owner.id for owner in owners]
    found = db.session.execute(
        db.select(Action, User)
        .join(action_owner, action_owner.c.action_id == Action.id)
        .join(User, User.id == action_owner.c.user_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(action_owner.c.user_id.in_(owner_ids), Plan.status == ACTIVE)
        .options(joinedload(Action.plan), selectinload(Action.updates))
        .order_by(User.name, Plan.title, Plan.id, Action.position, Action.id)
    ).all()
    reader = Reader.for_user(person)
    rows = []
    for action, owner in found:
        if owner.id != person.id and not leads_plan(person, action.plan):
            continue
        if rag_rules.is_closed(rag_rules.ActionFacts.of(action, None)):
            continue
        rows.append(Row(action, owner, latest_update(action, reader)))
    return rows


def latest_update(action: Action, reader: Reader) -> str:
    """The latest update the reader may see, as "31/01/2016: text"; empty when there is none."""
    visible = [
        u
        for u in action.updates
        if not reader.update_withheld(action, restricted=u.restricted, text=u.text, author=u.author_name)
    ]
    if not visible:
        return ""
    last: Update = visible[-1]
    when = last.as_at.strftime("%d/%m/%Y") if last.as_at else "Undated"
    return f"{when}: {last.text}"


def build(person: User, owners: list[User], today: date | None = None) -> tuple[bytes, int]:
    """The return workbook for `owners`' actions, as `person` may see them, and its number of rows. Audited."""
    if person.role is Role.VIEWER:
        raise NotAllowed("Viewers have no actions to return")
    today = today or clock.today()
    rows = rows_for(person, owners)
    reader = Reader.for_user(person)
    stream = io.BytesIO()
    # Loaded when a sheet is asked for, not by every worker and command at start-up (tests/test_startup.py).
    from xlsxwriter.workbook import Workbook

    from app.services.exporting.safe_text import clean

    book = Workbook(stream, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "locked": True})
    open_cell = book.add_format({"text_wrap": True, "valign": "top", "locked": False, "bg_color": "#FFF7BF"})
    head = book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1, "text_wrap": True})
    sheet = book.add_worksheet(SHEET)
    for column, heading in enumerate(HEADERS):
        sheet.write_string(0, column, heading, head)
    widths = [24, 10, 18, 50, 50, 50, 10, 8, 8, 8]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width, None, {"hidden": column >= 7})
    for number, row in enumerate(rows, start=1):
        action = row.action
        values = [
            action.plan.full_title,
            action.display_ref,
            row.owner.name,
            reader.field(action, action.what),
            row.latest,
        ]
        for column, value in enumerate(values):
            sheet.write_string(number, column, clean(value), wrap)
        sheet.write_blank(number, 5, None, open_cell)
        sheet.write_blank(number, 6, None, open_cell)
        sheet.write_number(number, 7, action.version, wrap)
        sheet.write_number(number, 8, action.id, wrap)
        sheet.write_number(number, 9, row.owner.id, wrap)
    if rows:
        sheet.data_validation(
            1,
            6,
            len(rows),
            6,
            {
                "validate": "list",
                "source": RAGS,
                "error_title": "RAG",
                "error_message": "Choose Red, Amber, Green or Blue, or leave it empty",
            },
        )
    sheet.freeze_panes(1, 0)
    sheet.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})
    sheet.write_comment(0, 5, "Write this period's update here; leave it empty to add nothing for the action")
    book.set_properties({"title": f"Return {today.isoformat()}", "comments": "Delivery Plan Tracker return sheet"})
    book.close()
    audit.record("return.download", user=person, detail=f"{len(rows)} actions for {len(owners)} owner(s)")
    db.session.commit()
    return stream.getvalue(), len(rows)


def owners_for(person: User) -> list[User]:
    """Whose return sheet the person may download: their own; a lead's or admin's also the owners (with an
    account) of open actions in the active plans they lead."""
    if person.role is Role.OWNER:
        return [person]
    query = (
        db.select(User)
        .join(action_owner, action_owner.c.user_id == User.id)
        .join(Action, Action.id == action_owner.c.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.status == ACTIVE, User.active.is_(True))
        .distinct()
        .order_by(User.name)
    )
    if person.role is not Role.ADMIN:
        query = query.where(Plan.lead_user_id == person.id)
    owners = list(db.session.scalars(query))
    return owners if any(o.id == person.id for o in owners) else [person, *owners]
