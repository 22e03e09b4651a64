"""Sessions: the cookie names a per-user token; rotating it ends every session that named the old one."""

from app.extensions import db
from app.models import User
from app.services.accounts.passwords import typed_address_label
from app.services.audit import trail as audit


def sign_out(user: User) -> None:
    """Rotate the session token so that a copy of the cookie no longer signs anybody in; commit."""
    user.rotate_session_token()
    audit.record("sign_out", user=user, record_type="user", record_id=user.id)
    db.session.commit()


def sign_in_refused(email: str) -> str:
    """Audit a sign-in refused for a wrong email or password (the person is not known: `actor` anonymous);
    returns the address as it may be logged: as typed only when it is a user's (passwords.typed_address_label)."""
    label = typed_address_label(email)
    audit.record("sign_in.failure", user=None, detail=label, actor="anonymous")
    db.session.commit()
    return label


def signed_in(user: User, how: str) -> None:
    """Audit a completed sign-in; `how` is "password", "app", "recovery code" or "new authenticator app"."""
    audit.record("sign_in", user=user, record_type="user", record_id=user.id, detail=how)
    db.session.commit()
