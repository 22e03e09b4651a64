"""The steps of signing in: password, then (for some) a second factor, then a fresh session.

Between the password and the code the person is *not* signed in. The cookie is signed, not encrypted, so
anybody holding it can read it: the pending marker holds the user's id and email, and a keyed digest of
their session token (a rotation voids it, yet nothing in it can be turned into a signed-in cookie). It
expires after five minutes. The session token itself is made new at every completed sign-in, so the
token a cookie names exists only once every factor has been checked.
"""

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from flask import current_app, session, url_for
from flask_login import login_user

from app.extensions import db
from app.models import User
from app.security_events import security_event
from app.services.accounts import sessions

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 5 * 60
SIGNED_IN_AT_KEY = "signed_in_at"


def safe_next(target: str | None) -> str:
    """Only follow `next` within this site: a path, never another host or scheme.

    Browsers read a backslash as a slash and drop tabs and newlines inside a URL, so a backslash or
    a tab after the first slash would leave the site: any backslash, space or control character is refused.
    """
    if target and target.startswith("/") and "\\" not in target and target.isprintable() and " " not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not target.startswith("//"):
            return target
    return url_for("plans.home")


def _token_digest(user: User) -> str:
    key = hashlib.sha256(b"pending-sign-in:" + str(current_app.secret_key).encode()).digest()
    return hmac.new(key, user.session_token.encode(), hashlib.sha256).hexdigest()


def _clear_session() -> None:
    """A new session; only the text of a form sent after the last one ended is carried over."""
    from app.kept_text import KEPT_KEY

    kept = session.get(KEPT_KEY)
    session.clear()
    if kept:
        session[KEPT_KEY] = kept


def start_pending(user: User, next_url: str) -> None:
    """Password right, second factor to come: a new session that only remembers who is half-way in."""
    _clear_session()
    session[PENDING_KEY] = {
        "user_id": user.id,
        "check": _token_digest(user),
        "email": user.email,
        "at": int(time.time()),
        "next": next_url,
    }


def pending_user() -> User | None:
    """The person half-way through signing in, or None when there is none, it has expired or it was voided."""
    pending = session.get(PENDING_KEY)
    if not pending or not isinstance(pending.get("user_id"), int):
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user_id"])
    if user is None or not user.active or not hmac.compare_digest(_token_digest(user), str(pending.get("check"))):
        return None  # deactivated, reset or signed out everywhere since the password step
    return user


def abandon_pending() -> bool:
    """Forget a half-way sign-in that can no longer finish; True when there was one."""
    return session.pop(PENDING_KEY, None) is not None


def start_session(user: User) -> None:
    """A brand-new signed-in session: nothing carried over, an idle timeout, and a stamp for the absolute one.

    The session is permanent so that Flask refuses a cookie signed longer ago than PERMANENT_SESSION_LIFETIME
    (refreshed on each request: an idle timeout); `session_expired` caps its whole life.
    """
    _clear_session()
    login_user(user)
    session.permanent = True
    session[SIGNED_IN_AT_KEY] = int(time.time())


def session_expired() -> bool:
    """True once a signed-in session is older than SESSION_ABSOLUTE_LIFETIME, however busy it has been."""
    started = session.get(SIGNED_IN_AT_KEY)
    limit = current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds()
    return started is None or time.time() - started > limit


def complete_sign_in(user: User, how: str, next_url: str | None = None) -> str:
    """Sign the person in on a brand-new session; returns where they were going."""
    next_url = next_url or session.get(PENDING_KEY, {}).get("next") or url_for("plans.home")
    user.rotate_session_token()  # a token nobody has seen, issued only now that every factor is checked
    start_session(user)  # nothing carried over from before, including the pending marker
    sessions.signed_in(user, how)
    security_event("sign_in", user_id=user.id, how=how)
    return next_url
