"""What the tracker e-mails people: a record of every e-mail sent, people's opt-outs, and password resets."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class SentEmail(Model):
    """One thing an e-mail told one person about: claimed before the e-mail is sent, marked sent after.

    The unique key (kind, user, subject) is what makes `flask reminders send` idempotent: a second run, or
    one running at the same time, cannot claim the same reminder, decision or weekly digest again.
    `subject_key` spells the subject out ("action 12 due 2026-12-09", "decision 40", "week 2026-W49") because
    a unique constraint over nullable columns would let NULLs repeat.
    """

    __table_args__ = (UniqueConstraint("kind", "user_id", "subject_key", name="uq_sent_email_kind_user_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    subject_key: Mapped[str] = mapped_column(String(120))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date | None]
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("rag_change.id", ondelete="CASCADE"), index=True)
    week: Mapped[str | None] = mapped_column(String(10))  # ISO week of a digest, "2026-W49"
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailOptOut(Model):
    """A kind of e-mail a person has turned off (only the kinds that are not required can be)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PasswordReset(Model):
    """A link that sets a new password once, within its time. Only a keyed digest of its token is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    how: Mapped[str] = mapped_column(String(20))  # "email" (asked for on the sign-in page) or "admin"
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped["User"] = relationship("User", foreign_keys=[user_id])
