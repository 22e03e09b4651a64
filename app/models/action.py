"""An action of a plan, its owners, its strategic links and its RAG history."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Model, UTCDateTime, enum_type, utcnow
from app.models.enums import ActionStatus, Framework, Rag, Strand

if TYPE_CHECKING:
    from app.models.contact import Contact, Partner
    from app.models.plan import Objective, Plan
    from app.models.update import Update
    from app.models.user import User

action_owner = Table(
    "action_owner",
    db.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)
# People without an account who own actions (a contact turned into a user hands these over to the user).
action_contact = Table(
    "action_contact",
    db.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True, index=True),
)
# Partner organisations named on an action (Hope for Justice, the council, the GLAA).
action_partner = Table(
    "action_partner",
    db.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Action(Model):
    __table_args__ = (
        # A ref is unique within its plan and strand; PCC deliverables have no strand, so a partial index
        # keeps their refs unique within the plan (NULLs never collide in a plain unique constraint).
        UniqueConstraint("plan_id", "strand", "ref", name="uq_action_plan_strand_ref"),
        # The pages read a plan's actions in plan order, a page at a time: this index hands them over in order.
        Index("ix_action_plan_position", "plan_id", "position", "id"),
        Index(
            "uq_action_plan_ref_no_strand",
            "plan_id",
            "ref",
            unique=True,
            sqlite_where=text("strand IS NULL"),
            postgresql_where=text("strand IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))  # ix_action_plan_position
    strand: Mapped[Strand | None] = mapped_column(enum_type(Strand, "strand"))
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id", ondelete="SET NULL"), index=True)
    ref: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    what: Mapped[str] = mapped_column(Text, default="")
    how: Mapped[str] = mapped_column(Text, default="")
    responsibility: Mapped[str] = mapped_column(Text, default="")  # as written on the plan
    target_date: Mapped[date | None]
    target_date_text: Mapped[str | None] = mapped_column(String(200))  # what the plan said when it was no date
    status: Mapped[ActionStatus | None] = mapped_column(enum_type(ActionStatus, "status"))
    rag: Mapped[Rag | None] = mapped_column(enum_type(Rag, "rag"))
    restricted: Mapped[bool] = mapped_column(default=False)
    # Where a Superseded or Carried forward action went.
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="SET NULL"))
    # Why the action was closed (Complete) or withdrawn in the app, and on which day.
    closed_reason: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]
    # Optimistic locking: a form carries the version it was opened at; a stale one is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped["Plan"] = relationship("Plan", back_populates="actions")
    objective: Mapped["Objective | None"] = relationship("Objective")
    successor: Mapped["Action | None"] = relationship("Action", remote_side=[id])
    owners: Mapped[list["User"]] = relationship("User", secondary=action_owner, order_by="User.name")
    contacts: Mapped[list["Contact"]] = relationship("Contact", secondary=action_contact, order_by="Contact.name")
    partners: Mapped[list["Partner"]] = relationship("Partner", secondary=action_partner, order_by="Partner.name")
    links: Mapped[list["StrategicLink"]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        foreign_keys="StrategicLink.action_id",
        order_by="StrategicLink.position",
    )
    # The database cascades a deleted action's updates; the ORM never deletes one (they are append-only).
    updates: Mapped[list["Update"]] = relationship(
        "Update",
        back_populates="action",
        cascade="save-update, merge",
        passive_deletes="all",
        # Undated updates first on every database (PostgreSQL would sort NULLs last, SQLite first).
        order_by="(Update.as_at.asc().nulls_first(), Update.id)",
    )
    rag_changes: Mapped[list["RagChange"]] = relationship(
        "RagChange", back_populates="action", cascade="all, delete-orphan", order_by="RagChange.id"
    )

    @property
    def owner_names(self) -> list[str]:
        """Everyone who owns the action, with an account or not."""
        return [owner.name for owner in self.owners] + [contact.name for contact in self.contacts]

    @property
    def is_open(self) -> bool:
        return self.status is None or self.status.is_open

    @property
    def display_ref(self) -> str:
        return f"{self.strand.value} {self.ref}" if self.strand else self.ref

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.display_ref}>"


class StrategicLink(Model):
    """A link from an action to a strategy: NS, Op Sentinel, a PCC plan number or an HMIC recommendation."""

    # The traceability pages and the plan page's "links to no PCC deliverable" filter look links up by these.
    __table_args__ = (Index("ix_strategic_link_framework_code", "framework", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    framework: Mapped[Framework] = mapped_column(enum_type(Framework, "framework"))
    code: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(String(500), default="")  # as written, e.g. "National Strategy (NS)"
    position: Mapped[int] = mapped_column(default=0)
    # A PCC code resolves to the PCC deliverable (an action of a PCC plan) with that number.
    target_action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="SET NULL"), index=True)

    action: Mapped[Action] = relationship("Action", back_populates="links", foreign_keys=[action_id])
    target: Mapped[Action | None] = relationship("Action", foreign_keys=[target_action_id])

    @property
    def resolved(self) -> bool:
        return self.target_action_id is not None

    @property
    def label(self) -> str:
        return self.framework.label(self.code)


class RagChange(Model):
    """One decision on an action's RAG: kept for ever, shown on the action page."""

    # The review queue asks for each action's latest decision.
    __table_args__ = (Index("ix_rag_change_action_changed", "action_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    from_rag: Mapped[Rag | None] = mapped_column(enum_type(Rag, "from_rag"))
    to_rag: Mapped[Rag | None] = mapped_column(enum_type(Rag, "to_rag"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[Action] = relationship("Action", back_populates="rag_changes")
    user: Mapped["User | None"] = relationship("User")
