"""Reading a filled-in return workbook, and adding what the person confirmed.

The file passes the import guard first (size, zip and XML bombs, encrypted or old files). Then each row is one of:
- **add**: an update (and RAG proposal) on an action the owner still owns, unchanged since the download;
- **conflict**: the action changed since the download (its version differs): never applied; the typed text is
  kept and offered again beside what changed;
- **refused**: the row's action is not one the person may write on (not the owner, nor the plan's lead);
- **mistake**: a RAG that is not Red, Amber, Green or Blue, or an id that is not a number: said with sheet and row.
Rows with nothing typed in "This update" nor "RAG" are left out.
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

from app.extensions import db
from app.models import Action, Rag, Role, User
from app.services import clock
from app.services.access import leads_plan
from app.services.actions import updating
from app.services.actions.conflicts import ConflictError
from app.services.audit import trail as audit
from app.services.errors import ServiceError
from app.services.importing.guard import WorkbookRejected, check_workbook
from app.services.plain_text import without_control_characters
from app.services.returns import HEADERS, SHEET

MAX_UPDATE_LENGTH = 20_000


class ReturnError(ServiceError):
    """A return workbook that cannot be read at all, worded for the person who uploaded it."""


@dataclass
class ReturnRow:
    row: int  # the spreadsheet's row number
    kind: str  # add, conflict, refused, mistake
    text: str = ""
    rag: Rag | None = None
    action: Action | None = None
    owner: User | None = None
    version: int | None = None  # as downloaded
    message: str = ""

    @property
    def where(self) -> str:
        return f"Sheet {SHEET}, row {self.row}"


@dataclass
class ReturnPreview:
    rows: list[ReturnRow] = field(default_factory=list)

    def of(self, kind: str) -> list[ReturnRow]:
        return [row for row in self.rows if row.kind == kind]


def _number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _rag(value) -> tuple[Rag | None, bool]:
    text = str(value or "").strip().lower()
    if not text:
        return None, True
    for rag in Rag:
        if text in (rag.value, rag.value[0]):
            return rag, True
    return None, False


def read(data: bytes, person: User) -> ReturnPreview:
    """Sort the workbook's rows; ReturnError when it is not a return workbook at all. Writes nothing."""
    try:
        check_workbook(data)
        from openpyxl import load_workbook  # loaded when a return is read, not by every worker at start-up

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except WorkbookRejected as error:
        raise ReturnError(error.message) from error
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ReturnError("The file is damaged: download the return sheet again and type into that") from error
    if SHEET not in book.sheetnames:
        raise ReturnError(f"The file has no sheet called {SHEET}: upload the return sheet the tracker gave you")
    cells = book[SHEET].iter_rows()
    header = [str(c.value or "").strip() for c in next(cells, ())]
    if header[: len(HEADERS)] != HEADERS:
        raise ReturnError(f"Sheet {SHEET}, row 1 is not the return sheet's headings: download it again")
    col = {name: i for i, name in enumerate(HEADERS)}
    preview = ReturnPreview()
    for number, row_cells in enumerate(cells, start=2):
        row_cells = tuple(row_cells)
        values = tuple(c.value for c in row_cells) + (None,) * (len(HEADERS) - len(row_cells))
        formula = any(getattr(c, "data_type", "") == "f" for c in row_cells[col["This update"] : col["RAG"] + 1])
        text = without_control_characters(str(values[col["This update"]] or "")).strip()
        typed_rag = values[col["RAG"]]
        if not text and not str(typed_rag or "").strip():
            continue
        rag, known = _rag(typed_rag)
        item = ReturnRow(number, "add", text=text, rag=rag)
        action_id, version, owner_id = (_number(values[col[n]]) for n in ("Id", "Version", "Owner id"))
        if formula:
            item.kind = "mistake"
            item.message = (
                f"{item.where}: “This update” or “RAG” holds a formula ({text[:40]}): type the update as text, "
                "starting with an apostrophe if it must begin with ="
            )
        elif not known:
            item.kind = "mistake"
            item.message = f"{item.where}: the RAG “{str(typed_rag).strip()}” is not Red, Amber, Green or Blue"
        elif action_id is None or version is None or owner_id is None:
            item.kind = "mistake"
            item.message = f"{item.where}: the hidden Id, Version or Owner id column was changed: download it again"
        elif len(text) > MAX_UPDATE_LENGTH:
            item.kind = "mistake"
            item.message = f"{item.where}: the update is longer than {MAX_UPDATE_LENGTH:,} characters"
        else:
            _classify(item, action_id, version, owner_id, person)
        preview.rows.append(item)
    return preview


def _classify(item: ReturnRow, action_id: int, version: int, owner_id: int, person: User) -> None:
    action, owner = db.session.get(Action, action_id), db.session.get(User, owner_id)
    item.action, item.owner, item.version = action, owner, version
    owns = action is not None and owner is not None and any(o.id == owner.id for o in action.owners)
    allowed = owns and owner is not None and (owner.id == person.id or leads_plan(person, action.plan))  # type: ignore[union-attr]
    if action is None or not allowed or person.role is Role.VIEWER:
        item.kind = "refused"
        ref = action.display_ref if action is not None else f"action {action_id}"
        item.message = f"{item.where}: you cannot add an update to {ref}: it is not an action you own or lead"
        return
    if action.version != version:
        item.kind = "conflict"
        item.message = (
            f"{item.where}: {action.display_ref} changed after you downloaded the sheet. "
            "Your text is kept below: read the latest, then add it again"
        )


@dataclass(frozen=True)
class Confirmed:
    action_id: int
    owner_id: int
    version: int
    text: str
    rag: Rag | None


def apply(confirmed: list[Confirmed], person: User, today: date | None = None) -> tuple[int, ReturnPreview]:
    """Add each confirmed update, dated today, in the owner's name. Returns how many were added, and the rows not
    added with their text kept: conflicts (changed again meanwhile: never applied over that) and refusals.
    Each update commits on its own."""
    today = today or clock.today()
    added, left = 0, ReturnPreview()
    for number, row in enumerate(confirmed, start=1):
        action, owner = db.session.get(Action, row.action_id), db.session.get(User, row.owner_id)
        kept = ReturnRow(number, "refused", text=row.text, rag=row.rag, action=action, owner=owner, version=row.version)
        if (
            action is None
            or owner is None
            or not any(o.id == owner.id for o in action.owners)
            or (owner.id != person.id and not leads_plan(person, action.plan))
        ):
            kept.message = "You cannot add an update to this action: it is not one you own or lead"
            left.rows.append(kept)
            continue
        text = row.text or (f"RAG proposed: {row.rag.label}" if row.rag else "")
        try:
            updating.add_update(
                action, owner, text=text, as_at=today, rag=row.rag, seen_version=row.version, today=today
            )
        except ConflictError:
            db.session.rollback()
            kept.kind = "conflict"
            kept.message = f"{action.display_ref} changed again while you were checking. Your text is kept below"
            left.rows.append(kept)
            continue
        except ServiceError as error:
            db.session.rollback()
            kept.kind = "mistake"
            kept.message = f"{action.display_ref}: {error.message}"
            left.rows.append(kept)
            continue
        added += 1
    audit.record("return.upload", user=person, detail=f"{added} updates added, {len(left.rows)} not added")
    db.session.commit()
    return added, left
