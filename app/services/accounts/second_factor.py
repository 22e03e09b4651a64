"""Two-factor sign-in: a TOTP authenticator app, with one-time recovery codes for a lost phone.

Required for admins and plan leads (they can change users, plans and RAG decisions), optional for
everyone else. The secret is stored only once the person has proved their app works by typing a code;
recovery codes are shown once and stored as keyed digests, one a line, each crossed off when used.

Recovery codes are random (about 50 bits), so a slow password hash buys nothing against guessing and costs
a lot when a wrong code is checked against all ten: HMAC-SHA256 with a key derived from the secret key
checks them in microseconds, and a stolen database alone cannot be searched for them.

Every code is good once, even when the same code arrives in several requests at the same moment: the step
of an authenticator code and the crossing-off of a recovery code are each one conditional UPDATE ("only if
nobody has used it yet"), committed at once, which the database applies to one request and refuses to the
others (the row lock on PostgreSQL, the write lock on SQLite).
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import pyotp
from flask import current_app
from sqlalchemy import CursorResult, Update

from app.extensions import db
from app.models import Role, User
from app.services.audit import trail as audit
from app.services.errors import ServiceError

REQUIRED_ROLES = frozenset({Role.ADMIN, Role.LEAD})
ISSUER = "Delivery Plan Tracker"
RECOVERY_CODE_COUNT = 10
# No 0/O or 1/l/i: recovery codes are typed from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class TwoFactorError(ServiceError):
    """A code that does not work, worded for the person typing it."""


def _execute_update(statement: Update) -> CursorResult:
    """Run an UPDATE; its result says how many rows it changed (a CursorResult, whatever the static type)."""
    result = db.session.execute(statement)
    assert isinstance(result, CursorResult)
    return result


def required_for(user: User) -> bool:
    return user.role in REQUIRED_ROLES


def is_enrolled(user: User) -> bool:
    return bool(user.totp_secret)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """The QR code as inline SVG, drawn here: the secret never goes to a third-party QR service."""
    import segno  # drawn only on the enrolment page; not loaded by every worker and command

    return segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app", svgclass="app-qr")


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _totp_step(secret: str, code: str) -> int | None:
    """The time step whose code this is, or None. One step either side allows for a phone clock 30 seconds out."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC)
    for offset in (-1, 0, 1):
        moment = now + timedelta(seconds=offset * totp.interval)
        if hmac.compare_digest(totp.at(moment), code):
            return totp.timecode(moment)
    return None


RECOVERY_DIGEST_PREFIX = "hmac-sha256$"


def recovery_code_digest(code: str) -> str:
    """The stored form of a recovery code: HMAC-SHA256 under a key derived from the secret key."""
    key = hashlib.sha256(b"recovery-codes:" + str(current_app.secret_key).encode()).digest()
    return RECOVERY_DIGEST_PREFIX + hmac.new(key, _normalise(code).encode(), hashlib.sha256).hexdigest()


def _stored_digests(user: User) -> list[str]:
    """The usable recovery codes' digests. Lines in an older format (argon2) are not checked: see docs."""
    return [line for line in (user.recovery_codes or "").splitlines() if line.startswith(RECOVERY_DIGEST_PREFIX)]


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor sign-in on once `code` proves the app holds `secret`; returns the recovery codes.

    The code's time step is recorded, so the same code cannot then sign in. Every other session of the
    user ends. Committed here; the caller shows the codes once.
    """
    step = _totp_step(secret, _normalise(code))
    if step is None:
        raise TwoFactorError("The code is not right. Enter the 6-digit code your authenticator app shows now")
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    turned_on = _execute_update(
        db.update(User)
        .where(User.id == user.id, User.totp_secret.is_(None))
        .values(totp_secret=secret, recovery_codes="\n".join(map(recovery_code_digest, codes)), totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if turned_on.rowcount != 1:
        db.session.rollback()
        raise TwoFactorError("Two-factor sign-in is already on for this account. Sign in with your app's code")
    db.session.expire(user, ["totp_secret", "recovery_codes", "totp_last_step"])
    user.rotate_session_token()
    audit.record("user.two_factor_enable", user=user, record_type="user", record_id=user.id)
    db.session.commit()
    return codes


def verify(user: User, code: str) -> str | None:
    """Check a sign-in code: "app" for an authenticator code, "recovery code" for a recovery code, None when
    it matches neither or was used already. A code that works is used up and committed here."""
    code = _normalise(code)
    if not user.totp_secret or not code:  # not enrolled
        return None
    step = _totp_step(user.totp_secret, code)
    if step is not None:
        return "app" if _use_step(user, step) else None
    digests = _stored_digests(user)
    typed = recovery_code_digest(code)
    for i, digest in enumerate(digests):
        if hmac.compare_digest(digest, typed):
            return "recovery code" if _use_recovery_code(user, digests[:i] + digests[i + 1 :]) else None
    return None


def _use_step(user: User, step: int) -> bool:
    """Record `step` as used unless it, or a later one, already was (a replayed or concurrent request)."""
    used = _execute_update(
        db.update(User)
        .where(User.id == user.id, db.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return _settle(user, used.rowcount == 1, "totp_last_step")


def _use_recovery_code(user: User, remaining: list[str]) -> bool:
    """Cross the code off, unless another request changed the list since it was read (then it was used)."""
    used = _execute_update(
        db.update(User)
        .where(User.id == user.id, User.recovery_codes == user.recovery_codes)
        .values(recovery_codes="\n".join(remaining))
        .execution_options(synchronize_session=False)
    )
    if used.rowcount == 1:
        audit.record(
            "user.recovery_code_used",
            user=user,
            record_type="user",
            record_id=user.id,
            detail=f"{len(remaining)} recovery codes left",
        )
    return _settle(user, used.rowcount == 1, "recovery_codes")


def _settle(user: User, used: bool, attribute: str) -> bool:
    """Commit a code used up (or roll back a refusal) at once, so that the row is not held locked."""
    if used:
        db.session.commit()
    else:
        db.session.rollback()
    db.session.expire(user, [attribute])
    return used


def code_refused(user: User) -> None:
    """Audit a wrong (or used) code at sign-in; committed."""
    audit.record("sign_in.failure", user=user, record_type="user", record_id=user.id, detail="wrong code")
    db.session.commit()


def recovery_codes_left(user: User) -> int:
    return len(_stored_digests(user))


def reset(user: User, *, by: User | None) -> None:
    """Turn two-factor sign-in off (an admin helping someone who lost their phone and codes).

    The user's sessions end; admins and leads set it up again at their next sign-in. `by` is the administrator;
    commits.
    """
    user.totp_secret = None
    user.recovery_codes = None
    user.rotate_session_token()
    audit.record("user.two_factor_reset", user=by, record_type="user", record_id=user.id, detail=user.email)
    db.session.commit()


def _recovery_code() -> str:
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"
