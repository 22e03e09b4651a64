"""The Updates sheet of the tracker's own export, read back where a plan cell points to it, and for the mark of
each restricted update.

A commentary cell holds at most what Excel can show (32,767 characters, and a row 409 points tall). When an
action has more updates than that, the export keeps the newest that fit after a pointer line ("Earlier updates:
see the Updates sheet (Prepare 2) for all 40 updates.") and writes every update in full on the Updates sheet, one
a row, named by strand (or aim) and ref. Reading such a cell alone would bring back only the newest updates, so
the reader takes that action's updates from the Updates sheet instead; when the sheet is missing or does not name
the action, it says so with the plan sheet and row, and keeps what the cell holds.
"""

from collections import defaultdict

from app.services.importing.findings import ActionRead, ReadWarning, UpdateRead
from app.services.importing.passages import normalise
from app.services.importing.wording import date_of

HEADINGS = {
    "ref": "ref",
    "as at": "as_at",
    "author": "author",
    "update": "text",
    "strand": "group",
    "aim": "group",
    "restricted": "restricted",
}
YES = {"yes", "y", "true"}
# The export writes its two title rows, then the headings. A sheet whose headings are not in its first rows is
# not the export's Updates sheet, and its other rows (up to the guard's cap of 400,000) are not read at all.
HEADINGS_WITHIN_ROWS = 20


def updates_by_action(worksheet, epoch=None) -> dict[tuple[str, str], list[UpdateRead]] | None:
    """(strand or aim, ref) -> that action's updates in the sheet's order; None if it is not in the export's form
    (no Ref, Update and Strand or Aim headings in its first HEADINGS_WITHIN_ROWS rows)."""
    rows = worksheet.iter_rows(values_only=True)
    columns: dict[str, int] = {}
    for number, values in enumerate(rows, start=1):
        found = {HEADINGS[text]: index for index, text in _headings(values) if text in HEADINGS}
        if {"ref", "text", "group"} <= found.keys():
            columns = found
            break
        if number >= HEADINGS_WITHIN_ROWS:
            break
    if not columns:
        return None
    result: dict[tuple[str, str], list[UpdateRead]] = defaultdict(list)
    for values in rows:
        text = _cell(values, columns["text"])
        ref = _cell(values, columns["ref"])
        if not text or not ref:
            continue
        as_at = date_of(values[columns["as_at"]], epoch)[0] if "as_at" in columns else None
        author = _cell(values, columns.get("author"))
        restricted = _cell(values, columns.get("restricted")).lower() in YES
        result[(_cell(values, columns["group"]), ref)].append(UpdateRead(text, as_at, author, restricted))
    return result


def take_updates_from_sheet(
    actions: list[ActionRead], sheet_updates: dict[tuple[str, str], list[UpdateRead]] | None, group_of
) -> list[ReadWarning]:
    """Give each action whose cell pointed to the Updates sheet its full history from there, and mark the
    updates the sheet says are restricted as restricted (a cell cannot say so)."""
    warnings = []
    for action in actions:
        found = (sheet_updates or {}).get((group_of(action), action.ref))
        if not action.updates_elsewhere:
            withheld = {normalise(u.text) for u in found or () if u.restricted}
            for update in action.updates if withheld else ():
                update.restricted = normalise(update.text) in withheld
            continue
        if found:
            action.updates = [UpdateRead(u.text, u.as_at, u.author_name, u.restricted) for u in found]
            continue
        where = "is not in the workbook" if sheet_updates is None else f"has no updates for {action.display_ref}"
        warnings.append(
            ReadWarning(
                f"the commentary points to the Updates sheet, which {where}: only the {len(action.updates)} "
                "updates in the cell were read",
                action.sheet,
                action.row,
            )
        )
    return warnings


def _headings(values) -> list[tuple[int, str]]:
    return [(index, " ".join(str(value).split()).lower()) for index, value in enumerate(values) if value is not None]


def _cell(values, index: int | None) -> str:
    if index is None or index >= len(values) or values[index] is None:
        return ""
    value = values[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
