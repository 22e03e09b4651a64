"""Who did what, when, to which record. Written by services; never edited or deleted by the app."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.models.base import Model, UTCDateTime, utcnow
from app.models.update import AppendOnlyError

if TYPE_CHECKING:
    from app.models.user import User


class AuditEvent(Model):
    __table_args__ = (Index("ix_audit_event_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(254), default="")  # email or "cli", kept if the user goes
    verb: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "sign_in", "plan.import", "rag.decide"
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None]
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(String(1000), default="")

    user: Mapped["User | None"] = relationship("User")


@event.listens_for(AuditEvent, "before_update")
def _refuse_edit(mapper, connection, target) -> None:
    raise AppendOnlyError("Audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AppendOnlyError("Audit events cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_edit(state) -> None:
    # `update(AuditEvent)` / `delete(AuditEvent)` statements skip the per-object events above.
    if (state.is_update or state.is_delete) and state.bind_mapper is AuditEvent.__mapper__:
        raise AppendOnlyError("Audit events cannot be changed or deleted")
