"""A delivery plan and the objectives under its strands."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, UTCDateTime, enum_type, utcnow
from app.models.enums import PlanKind, Strand

if TYPE_CHECKING:
    from app.models.action import Action
    from app.models.user import User


def title_with_period(title: str, period_label: str | None) -> str:
    """A plan's title with its period, unless the title already says it ("… Plan 2015-16", not "… 2015-16 2015-16")."""
    if not period_label or period_label in title:
        return title
    return f"{title} ({period_label})"


ACTIVE, CLOSED, ARCHIVED = "Active", "Closed", "Archived"


class Plan(Model):
    __table_args__ = (UniqueConstraint("title", "period_label", name="uq_plan_title_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[PlanKind] = mapped_column(enum_type(PlanKind, "kind"), default=PlanKind.LOCAL)
    priority: Mapped[str | None] = mapped_column(String(200))
    lead: Mapped[str | None] = mapped_column(
        String(200)
    )  # as written on the plan, e.g. "Detective Superintendent Walton"
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    period_label: Mapped[str] = mapped_column(String(40), default="")  # as written, e.g. "2015-16"
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(40), default=ACTIVE)  # Active, Closed (carried forward), Archived
    # The plan this one was started from ("Start the 2016-17 plan from this one").
    previous_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    update_interval_days: Mapped[int] = mapped_column(default=30)
    # Owners are e-mailed this many days before an action's update is due (0: only once it is overdue).
    reminder_days_before: Mapped[int] = mapped_column(default=7, server_default="7")
    source_filename: Mapped[str | None] = mapped_column(String(255))
    source_sheet: Mapped[str | None] = mapped_column(String(100))
    # What the admin said columns of this plan's workbook mean (normalised heading -> meaning), used again on the
    # next import of the plan.
    column_mapping: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    lead_user: Mapped["User | None"] = relationship("User")
    previous_plan: Mapped["Plan | None"] = relationship("Plan", remote_side=[id])
    objectives: Mapped[list["Objective"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Objective.position"
    )
    actions: Mapped[list["Action"]] = relationship(
        "Action", back_populates="plan", cascade="all, delete-orphan", order_by="Action.position"
    )

    @property
    def is_active(self) -> bool:
        """Archived and closed plans stay readable and exportable but are left out of the active lists."""
        return self.status == ACTIVE

    @property
    def full_title(self) -> str:
        return title_with_period(self.title, self.period_label)

    def __repr__(self) -> str:
        return f"<Plan {self.id} {self.title!r}>"


class Objective(Model):
    """A named aim under a strand (or, in a PCC plan, an aim such as "1.2) We will …") with its outcomes."""

    __table_args__ = (Index("ix_objective_plan_ref", "plan_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    strand: Mapped[Strand | None] = mapped_column(enum_type(Strand, "objective_strand"))
    ref: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)  # e.g. a PCC aim's "What are you going to do?"
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="objectives")
