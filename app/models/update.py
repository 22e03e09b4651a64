"""Dated commentary on an action. Append-only: a correction is a new entry."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, event, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, UTCDateTime, enum_type, utcnow
from app.models.enums import Rag

if TYPE_CHECKING:
    from app.models.action import Action
    from app.models.user import User


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete what somebody wrote."""


class Update(Model):
    __table_args__ = (
        Index("ix_update_action_as_at", "action_id", "as_at"),  # each action's latest update date
        Index("ix_update_action_created_id", "action_id", "created_at", "id"),  # each action's latest update
        # each action's latest proposal (an update with a RAG), its RAG read off the index (migration 0014)
        Index(
            "ix_update_proposal",
            "action_id",
            "created_at",
            "id",
            postgresql_include=["rag"],
            postgresql_where=sql_text("rag IS NOT NULL"),
            sqlite_where=sql_text("rag IS NOT NULL"),
        ),
        # a plan's latest updates, newest first, read off the index alone whatever the other plans hold (0016)
        Index("ix_update_plan_created", "plan_id", "created_at", "id"),
        # a plan's updates dated after its review (the plans page, the dashboard), read off the index alone (0016)
        Index("ix_update_plan_as_at", "plan_id", "as_at", postgresql_include=["action_id", "restricted"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    # The action's plan, copied in when the update is written (`_plan_of_its_action`; a Core insert names it):
    # an action never changes plan, and an update is never changed.
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    as_at: Mapped[date | None]  # imported history may carry no date
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200), default="")  # who wrote it, as shown
    text: Mapped[str] = mapped_column(Text)
    rag: Mapped[Rag | None] = mapped_column(enum_type(Rag, "proposed_rag"))  # the RAG proposed with it
    restricted: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(20), default="app")  # "app" or "import"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action: Mapped["Action"] = relationship("Action", back_populates="updates")
    author: Mapped["User | None"] = relationship("User")


@event.listens_for(Update, "before_insert")
def _plan_of_its_action(mapper, connection, target: Update) -> None:
    if target.plan_id is not None:
        return
    action = target.__dict__.get("action")  # as loaded or given; never a lazy load inside the flush
    if action is not None and action.plan_id is not None:
        target.plan_id = action.plan_id
        return
    actions = mapper.local_table.metadata.tables["action"]
    target.plan_id = connection.scalar(select(actions.c.plan_id).where(actions.c.id == target.action_id))


@event.listens_for(Update, "before_update")
def _refuse_edit(mapper, connection, target: Update) -> None:
    raise AppendOnlyError("Updates are append-only: add a new update that corrects it")


@event.listens_for(Update, "before_delete")
def _refuse_delete(mapper, connection, target: Update) -> None:
    # Deleting a whole plan cascades in the database; the ORM never deletes a single update.
    raise AppendOnlyError("Updates are append-only: they cannot be deleted")
