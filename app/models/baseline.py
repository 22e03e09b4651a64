"""What the last import of a plan's file read, field by field: the base of the three-way merge on re-import.

Re-importing compares three values of every field: the file now, the file at the last import (kept here) and
the tracker now. Only what changed in the file since the last import is applied, so an edit made in the app
is never undone by a file that did not touch that field. One row per action and one per plan, rewritten by
each import that reads them.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model, UTCDateTime, utcnow


class ActionBaseline(Model):
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)  # field name -> the value the file gave, as JSON
    filename: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanBaseline(Model):
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    filename: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
