"""People who sign in, and what their role lets them do."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model, UTCDateTime, enum_type, utcnow
from app.models.enums import Role


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Flask-Login's "alternative id": the cookie names this token, not the user id, so rotating it
    # (sign-out, password change, deactivation) ends every session that was copied before.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    recovery_codes: Mapped[str | None] = mapped_column(String(2000))  # argon2 hashes, one a line
    # The time step of the last authenticator code accepted: a code is good once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    def rotate_session_token(self) -> None:
        """End every existing session of this user."""
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
