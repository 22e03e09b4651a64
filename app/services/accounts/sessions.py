"""Sessions: the cookie names a per-user token; rotating it ends every session that named the old one."""

from app.models import User
from app.services.audit import trail as audit


def sign_out(user: User) -> None:
    """Rotate the session token so that a copy of the cookie no longer signs anybody in."""
    user.rotate_session_token()
    audit.record("sign_out", user=user, record_type="user", record_id=user.id)
