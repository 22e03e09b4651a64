"""Uploaded workbooks waiting between the check page and the confirmation.

The bytes live in the database (PendingImport), not in a web process or on its disk, so any worker can show the
check page or confirm it. Only the person who uploaded a file can see or confirm it.
"""

import hashlib
from datetime import timedelta
from pathlib import PureWindowsPath

from app.extensions import db
from app.models import PendingImport, Plan, User
from app.models.base import utcnow
from app.services.importing.choices import ImportChoices
from app.services.importing.guard import WorkbookRejected
from app.services.importing.report import ImportReport
from app.services.importing.saving import import_workbook

KEPT_FOR = timedelta(days=1)


def store_upload(user: User, filename: str, data: bytes) -> PendingImport:
    """Keep an uploaded workbook for checking, after making sure it holds a readable plan.

    Replaces the person's earlier upload, and forgets anybody's upload left unconfirmed for a day.
    Raises WorkbookRejected (nothing stored) when the file cannot be imported. Commits.
    """
    from app.services.importing.workbook import read_workbook  # openpyxl loads when a file is read, not before

    filename = PureWindowsPath(filename or "").name[:255] or "plan.xlsx"  # a browser may send a full Windows path
    read_workbook(data, filename)
    stale = (PendingImport.user_id == user.id) | (PendingImport.created_at < utcnow() - KEPT_FOR)
    for older in db.session.scalars(db.select(PendingImport).where(stale)):
        db.session.delete(older)
    pending = PendingImport(user_id=user.id, filename=filename, sha256=hashlib.sha256(data).hexdigest(), content=data)
    db.session.add(pending)
    db.session.commit()
    return pending


def get_pending(pending_id: int, user: User) -> PendingImport | None:
    """The upload, if this user made it; somebody else's upload is as good as missing."""
    pending = db.session.get(PendingImport, pending_id)
    return pending if pending is not None and pending.user_id == user.id else None


def preview(pending: PendingImport, user: User, choices: ImportChoices | None = None) -> ImportReport:
    """What confirming would create and change: the import run as a dry run (columns read as `choices` say)."""
    return import_workbook(pending.content, pending.filename, user=user, dry_run=True, choices=choices)


def decides_rags(report: ImportReport, user: User) -> bool:
    """Whether to offer "the RAGs in this file are my decisions": only to the lead of a plan the file updates."""
    ids = [plan.plan_id for plan in report.plans if plan.plan_id]
    return (
        bool(ids)
        and db.session.scalar(db.select(db.func.count(Plan.id)).where(Plan.id.in_(ids), Plan.lead_user_id == user.id))
        > 0
    )


def confirm(pending: PendingImport, user: User, choices: ImportChoices | None = None) -> ImportReport:
    """Import the upload and forget it, in the same transaction. Raises WorkbookRejected with nothing changed
    (ImportNeedsAnswers, with the report to show again, when a question on the check page is unanswered)."""
    data, filename = pending.content, pending.filename
    db.session.delete(pending)
    try:
        return import_workbook(data, filename, user=user, choices=choices)
    except WorkbookRejected:
        db.session.rollback()
        raise
