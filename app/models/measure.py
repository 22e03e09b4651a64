"""A partnership's figures: outcome measures of a plan and the values recorded against them, period by period.

Values are append-only like updates: a correction is a new row for the same measure, period and category, and
the latest row wins; every earlier one stays in the history with who entered it and when.
"""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Model, UTCDateTime, enum_type, utcnow
from app.models.enums import Strand
from app.models.update import AppendOnlyError

if TYPE_CHECKING:
    from app.models.action import Action
    from app.models.plan import Objective, Plan
    from app.models.user import User


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Direction(enum.StrEnum):
    """What good looks like against the target."""

    MORE = "more"  # more is better: at or above the target
    LESS = "less"  # less is better: at or below the target
    RANGE = "range"  # stay within low..high

    @property
    def label(self) -> str:
        return DIRECTION_LABELS[self]


DIRECTION_LABELS = {
    Direction.MORE: "More is better",
    Direction.LESS: "Less is better",
    Direction.RANGE: "Stay within a range",
}

measure_action = Table(
    "measure_action",
    db.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True, index=True),
)

TOTAL = ""  # the category of a value that is the measure's total (or the only value, without a breakdown)


class Measure(Model):
    __table_args__ = (Index("ix_measure_plan_position", "plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60))  # e.g. "concerns", "people", "%"
    frequency: Mapped[Frequency] = mapped_column(enum_type(Frequency, "frequency"))
    strand: Mapped[Strand | None] = mapped_column(enum_type(Strand, "measure_strand"))
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id", ondelete="SET NULL"), index=True)
    direction: Mapped[Direction | None] = mapped_column(enum_type(Direction, "direction"))
    target: Mapped[float | None]  # with MORE or LESS
    target_low: Mapped[float | None]  # with RANGE
    target_high: Mapped[float | None]
    # The thresholds RAG: within this many per cent of the target (or of the range) is Amber, further is Red.
    amber_margin_percent: Mapped[int] = mapped_column(default=10, server_default="10")
    dimension: Mapped[str | None] = mapped_column(String(100))  # the breakdown's name, e.g. "Location type"
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")  # e.g. where the figures come from
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped["Plan"] = relationship("Plan")
    objective: Mapped["Objective | None"] = relationship("Objective")
    actions: Mapped[list["Action"]] = relationship("Action", secondary=measure_action, order_by="Action.position")
    values: Mapped[list["MeasureValue"]] = relationship(
        back_populates="measure",
        cascade="save-update, merge",
        passive_deletes="all",
        order_by="MeasureValue.id",
    )

    @property
    def has_target(self) -> bool:
        if self.direction is Direction.RANGE:
            return self.target_low is not None and self.target_high is not None
        return self.direction is not None and self.target is not None

    def __repr__(self) -> str:
        return f"<Measure {self.id} {self.name!r}>"


class MeasureValue(Model):
    """One figure for one period (and one category of the breakdown, or the total): never changed, never deleted."""

    __table_args__ = (Index("ix_measure_value_measure_period", "measure_id", "period_start", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    period_start: Mapped[date]  # the first day of the month, quarter or (financial) year
    category: Mapped[str] = mapped_column(String(200), default=TOTAL)
    value: Mapped[float]
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="form")  # "form", "import" or "demo"
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    entered_by_name: Mapped[str] = mapped_column(String(200), default="")
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="values")
    entered_by: Mapped["User | None"] = relationship("User")


@event.listens_for(MeasureValue, "before_update")
def _refuse_edit(mapper, connection, target: MeasureValue) -> None:
    raise AppendOnlyError("Measure values are append-only: enter a new value that corrects it")


@event.listens_for(MeasureValue, "before_delete")
def _refuse_delete(mapper, connection, target: MeasureValue) -> None:
    raise AppendOnlyError("Measure values are append-only: they cannot be deleted")


class ReportEdit(Model):
    """What the lead wrote for one annual report: an action's year-end commentary or an objective's (or strand's)
    key achievements. Kept for that report only, never written into the updates; the latest edit wins."""

    __table_args__ = (Index("ix_report_edit_plan_year", "plan_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    year: Mapped[int]  # the year the report covers: from 1 April of this year to 31 March of the next
    kind: Mapped[str] = mapped_column(String(20))  # "commentary" (of an action) or "achievements"
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"))
    strand: Mapped[Strand | None] = mapped_column(enum_type(Strand, "report_edit_strand"))
    text: Mapped[str] = mapped_column(Text, default="")
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    edited_by_name: Mapped[str] = mapped_column(String(200), default="")
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
