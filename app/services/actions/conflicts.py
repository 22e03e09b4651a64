"""Optimistic locking on actions: a form carries the version it was opened at, and a stale one is refused.

Every service that changes an action records an audit event on it that names the version it produced,
so a refused writer can be told exactly what happened while their form was open.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Action, AuditEvent, Rag, User
from app.services.audit import trail as audit
from app.services.errors import Conflict


@dataclass(frozen=True)
class Change:
    """One thing that happened to an action, worded for the person whose form went stale."""

    who: str
    when: datetime
    what: str


class ConflictError(Conflict):
    """Someone else changed the action after this form was opened; `changes` says what they did."""

    def __init__(self, action: Action, seen_version: int | None):
        self.action_id = action.id
        self.current_version = action.version
        self.changes = changes_since(action, seen_version or 0)
        super().__init__(
            f"Someone else changed action {action.display_ref} while your form was open (version {seen_version}, "
            f"now {action.version}): check what they changed and send yours again"
        )


def check_version(action: Action, seen_version: int | None) -> None:
    """Refuse the write when the form was opened at another version of the action."""
    if seen_version != action.version:
        raise ConflictError(action, seen_version)


def check_stored_version(action: Action, seen_version: int | None) -> None:
    """Like check_version, against the database rather than the copy this session loaded: call it before
    refusing a write for a reason that other writers' changes, committed since the load, could explain."""
    stored = db.session.scalar(db.select(Action.version).where(Action.id == action.id))
    if stored != seen_version:
        db.session.refresh(action)
        raise ConflictError(action, seen_version)


def flush_action(action: Action, seen_version: int | None) -> None:
    """Write the action; if another writer got there between our check and our write, roll back and refuse."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConflictError(db.session.get(Action, action.id) or action, seen_version) from None


def record_change(verb: str, action: Action, user: User, *, old: dict | None = None, new: dict | None = None) -> None:
    """An audit event on the action that names the version it produced (call after `flush_action`)."""
    new = {**(new or {}), "version": action.version}
    audit.record(verb, user=user, record_type="action", record_id=action.id, old=old, new=new)


def changes_since(action: Action, version: int) -> list[Change]:
    """What was done to the action after the given version, oldest first."""
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.record_type == "action", AuditEvent.record_id == action.id)
        .order_by(AuditEvent.id)
    )
    changes = [
        Change(event.user.name if event.user else event.actor, event.at, _describe(event))
        for event in events
        if int((event.new or {}).get("version", 0)) > version
    ]
    if not changes:
        changes = [Change("Someone", action.updated_at, "changed this action")]
    return changes


def _rag_label(value: str | None) -> str:
    return Rag(value).label if value else "Not set"


def _uk_date(iso: str | None) -> str:
    if not iso:
        return "no date"
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _describe(event: AuditEvent) -> str:
    old, new = event.old or {}, event.new or {}
    if event.verb == "update.add":
        proposal = f", proposing {_rag_label(new.get('rag'))}" if new.get("rag") else ""
        return f"added an update as at {_uk_date(new.get('as_at'))}{proposal}"
    if event.verb == "rag.decide":
        reason = f" ({new['reason']})" if new.get("reason") else ""
        return f"set the RAG from {_rag_label(old.get('rag'))} to {_rag_label(new.get('rag'))}{reason}"
    if event.verb == "action.edit":
        fields = [name.replace("_", " ") for name in new if name != "version"]
        return "changed the " + ", ".join(fields) if fields else "edited the action"
    return event.verb.replace(".", " ")
