"""Sessions: the cookie names a per-user token; rotating it ends every session that named the old one."""

from app.extensions import db
from app.models import User
from app.services.audit import trail as audit


def sign_out(user: User) -> None:
    """Rotate the session token so that a copy of the cookie no longer signs anybody in; commit."""
    user.rotate_session_token()
    audit.record("sign_out", user=user, record_type="user", record_id=user.id)
    db.session.commit()


def sign_in_refused(email: str) -> None:
    """Audit a sign-in refused for a wrong email or password (the person is not known: `actor` anonymous)."""
    audit.record("sign_in.failure", user=None, detail=email.strip().lower()[:254], actor="anonymous")
    db.session.commit()


def signed_in(user: User, how: str) -> None:
    """Audit a completed sign-in; `how` is "password", "app", "recovery code" or "new authenticator app"."""
    audit.record("sign_in", user=user, record_type="user", record_id=user.id, detail=how)
    db.session.commit()
