"""The tracker's one rule for transactions: a service owns its transaction and commits it; a view never commits.

A service that writes does all of its work, then commits once (a refusal raises before anything is written,
or rolls back what it had begun). `holds_changes` lets a service that writes only a small record of its own,
such as an export's audit event, refuse to commit someone else's unfinished work along with it.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

_FLUSHED = "flushed since the last commit"


@event.listens_for(Session, "after_flush")
def _mark_flushed(session: Session, flush_context) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _clear_flushed(session: Session) -> None:
    session.info.pop(_FLUSHED, None)


def holds_changes(session: Session | scoped_session) -> bool:
    """True when the session has changes not yet committed, pending or already flushed."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_FLUSHED))
