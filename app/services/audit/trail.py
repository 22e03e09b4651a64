"""Recording who did what. Part of the caller's transaction, so a rolled-back change leaves no event."""

from flask_login import current_user

from app.extensions import db
from app.models import AuditEvent, User


def record(
    verb: str,
    *,
    user: User | None = None,
    record_type: str | None = None,
    record_id: int | None = None,
    old: dict | None = None,
    new: dict | None = None,
    detail: str = "",
    actor: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session. `user` defaults to whoever is signed in (none from the CLI)."""
    if user is None and current_user and getattr(current_user, "is_authenticated", False):
        user = current_user._get_current_object()
    event = AuditEvent(
        verb=verb,
        user_id=user.id if user else None,
        actor=actor or (user.email if user else "cli"),
        record_type=record_type,
        record_id=record_id,
        old=old,
        new=new,
        detail=detail[:1000],
    )
    db.session.add(event)
    return event
