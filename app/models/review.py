"""A review meeting of a plan, with a snapshot of every action's RAG at that moment."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, UTCDateTime, enum_type, utcnow
from app.models.enums import Rag

if TYPE_CHECKING:
    from app.models.plan import Plan
    from app.models.user import User


class Review(Model):
    # One review of a plan a day: a second would give the chart and the Summary two columns for one day.
    __table_args__ = (Index("uq_review_plan_held_on", "plan_id", "held_on", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    attendees: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    decisions: Mapped[str] = mapped_column(Text, default="", server_default="")  # actions agreed, owners told
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped["Plan"] = relationship("Plan")
    recorded_by: Mapped["User | None"] = relationship("User")
    snapshots: Mapped[list["ReviewSnapshot"]] = relationship(back_populates="review", cascade="all, delete-orphan")


class ReviewSnapshot(Model):
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True, index=True)
    rag: Mapped[Rag | None] = mapped_column(enum_type(Rag, "snapshot_rag"))
    status: Mapped[str | None] = mapped_column(String(40))
    target_date: Mapped[date | None]

    review: Mapped[Review] = relationship(back_populates="snapshots")
