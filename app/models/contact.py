"""People named in plans who have no account, and the partner organisations that deliver with the force."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class Contact(Model):
    """Somebody who owns actions without signing in (Intel Esther Martin, L&D CI Bruton, LPU Sentinel Bronze).

    When an administrator turns a contact into a user, `user_id` names the account and the contact's actions
    pass to it; the contact is kept so that the record of who owned what stays readable.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(200), default="")  # a role or organisation, e.g. "Intel", "GLAA"
    email: Mapped[str | None] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    user: Mapped["User | None"] = relationship("User")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.name!r}>"


class Partner(Model):
    """A partner organisation named on actions, e.g. Hope for Justice, the council, the GLAA."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    def __repr__(self) -> str:
        return f"<Partner {self.name!r}>"
