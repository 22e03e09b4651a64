"""Recording who did what. Part of the caller's transaction, so a rolled-back change leaves no event.

The caller always says who acted: a service is handed the person by its view (or None by the command
line), and never looks up the signed-in user itself.
"""

from app.extensions import db
from app.models import AuditEvent, User


def record(
    verb: str,
    *,
    user: User | None,
    record_type: str | None = None,
    record_id: int | None = None,
    old: dict | None = None,
    new: dict | None = None,
    detail: str = "",
    actor: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session. `user` is who acted, None for the command line (`actor` "cli") or
    somebody not signed in (then `actor` says who they were, e.g. "anonymous")."""
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
