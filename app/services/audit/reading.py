"""Reading the audit log: filtered, newest first, a page at a time. There is deliberately no writer here
other than `audit.trail.record`, and nothing that edits or deletes an event."""

from datetime import UTC, date, datetime, time, timedelta

from app.extensions import db
from app.models import AuditEvent, User

PER_PAGE = 50


def search(
    *,
    verb: str | None = None,
    user_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
):
    """A page of audit events matching every filter given; dates are whole UTC days, both ends included."""
    query = db.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if verb:
        query = query.where(AuditEvent.verb == verb)
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    if date_from:
        query = query.where(AuditEvent.at >= datetime.combine(date_from, time.min, UTC))
    if date_to and date_to < date.max:  # the last day there is has no day after it: no upper bound then
        query = query.where(AuditEvent.at < datetime.combine(date_to + timedelta(days=1), time.min, UTC))
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False, count=True)


def verbs() -> list[str]:
    """Every kind of event recorded so far, for the filter."""
    return list(db.session.scalars(db.select(AuditEvent.verb).distinct().order_by(AuditEvent.verb)))


def people() -> list[User]:
    return list(db.session.scalars(db.select(User).order_by(User.name, User.id)))
