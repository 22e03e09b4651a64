"""Setting a new password with a link: asked for on the sign-in page (sent by e-mail), or issued by an admin.

A link holds a random token (256 bits) and works once, within PASSWORD_RESET_HOURS. Only a keyed digest of the
token is stored (HMAC-SHA256 with a key derived from the secret key, as the recovery codes are), so a copy of
the database holds no working link. Using a link sets a password under the usual rule, ends every session of
the person (the session token is rotated) and voids their other links; it does not sign them in, so an
authenticator app is still asked for at sign-in.

Asking gives the same answer, after the same work, whether or not the address has an account: a token is made
and digested, a row written and committed either way, and the e-mail goes on a thread of its own.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app

from app.extensions import db
from app.models import PasswordReset, User
from app.services import clock
from app.services.accounts import AccountError
from app.services.accounts.passwords import hash_secret, password_problem, typed_address_label
from app.services.audit import trail as audit
from app.services.errors import ServiceError

DEFAULT_HOURS = 1


class ResetLinkError(ServiceError):
    """A reset link that does not work (unknown, used or expired), worded for the person who opened it."""


def link_hours() -> float:
    return float(current_app.config.get("PASSWORD_RESET_HOURS") or DEFAULT_HOURS)


def token_digest(token: str) -> str:
    key = hashlib.sha256(b"password-reset:" + str(current_app.secret_key).encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def _new_link(user: User, how: str, by: User | None) -> str:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        PasswordReset(
            user_id=user.id,
            token_digest=token_digest(token),
            how=how,
            issued_by_id=by.id if by else None,
            created_at=now,
            expires_at=now + timedelta(hours=link_hours()),
        )
    )
    return token


def request_by_email(typed: str) -> tuple[User | None, str | None]:
    """Someone asked for a link for the address `typed`: the active user and the link's token, or (None, None).

    Audited either way (`password_reset.request`, the address as passwords.typed_address_label logs it); commits.
    """
    email = typed.strip().lower()[:254]
    user = db.session.scalar(db.select(User).filter_by(email=email, active=True)) if email else None
    if user is None:
        token_digest(secrets.token_urlsafe(32))  # the same work as for an address with an account
        audit.record("password_reset.request", user=None, actor="anonymous", detail=typed_address_label(typed))
        db.session.commit()
        return None, None
    token = _new_link(user, "email", None)
    audit.record(
        "password_reset.request", user=None, actor="anonymous", record_type="user", record_id=user.id, detail=email
    )
    db.session.commit()
    return user, token


def issue_by_admin(user: User, *, by: User) -> str:
    """An admin's link for `user`, to pass on in person (shown once); audited `password_reset.issue`; commits."""
    if not user.active:
        raise AccountError(f"{user.name}'s account is deactivated: it cannot be given a password reset link")
    token = _new_link(user, "admin", by)
    audit.record("password_reset.issue", user=by, record_type="user", record_id=user.id, detail=user.email)
    db.session.commit()
    return token


def _problem(reset: PasswordReset | None) -> str | None:
    if reset is None:
        return "unknown"
    if reset.used_at is not None:
        return "used"
    if reset.expires_at <= clock.now():
        return "expired"
    if not reset.user.active:
        return "deactivated"
    return None


REFUSAL = "This link to set a new password has expired or has already been used. Ask for a new one"


def check(token: str) -> PasswordReset:
    """The link's reset when it works; otherwise audit `password_reset.invalid` (why), commit, ResetLinkError."""
    reset = db.session.scalar(db.select(PasswordReset).filter_by(token_digest=token_digest(token)))
    if problem := _problem(reset):
        audit.record(
            "password_reset.invalid",
            user=None,
            actor="anonymous",
            record_type="user" if reset else None,
            record_id=reset.user_id if reset else None,
            detail=problem,
        )
        db.session.commit()
        raise ResetLinkError(REFUSAL)
    assert reset is not None
    return reset


def use(token: str, new_password: str) -> User:
    """Set the new password with the link, once: ends every session of the person and voids their other links.

    AccountError (field "new_password") for a password the rule refuses, leaving the link usable; ResetLinkError
    when the link does not work, including when another request used it a moment before. Commits."""
    reset = check(token)
    if problem := password_problem(new_password):
        raise AccountError(problem, "new_password")
    now = clock.now()
    # One conditional UPDATE: of two requests with the same link, the database lets one through.
    claimed = db.session.execute(
        db.update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        db.session.rollback()
        audit.record("password_reset.invalid", user=None, actor="anonymous", detail="used")
        db.session.commit()
        raise ResetLinkError(REFUSAL)
    user = reset.user
    db.session.execute(
        db.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    user.password_hash = hash_secret(new_password)
    user.rotate_session_token()
    audit.record("password_reset.use", user=user, record_type="user", record_id=user.id, detail=reset.how)
    db.session.commit()
    return user


def email_text(user: User, link: str) -> tuple[str, str]:
    """The subject and body of the e-mail that carries the link."""
    hours = link_hours()
    within = "1 hour" if hours == 1 else f"{hours:g} hours"
    body = (
        f"Hello {user.name},\n\n"
        "Somebody, probably you, asked to set a new password for your Delivery Plan Tracker account.\n\n"
        f"Open this link within {within} to set it (it works once):\n{link}\n\n"
        "If you did not ask, ignore this e-mail: your password stays as it is.\n\n"
        "If you use an authenticator app to sign in, you will still need it.\n\n"
        "Delivery Plan Tracker\n"
    )
    return "Set a new password for the Delivery Plan Tracker", body
