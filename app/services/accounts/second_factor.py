"""Two-factor sign-in: a TOTP authenticator app, with one-time recovery codes for a lost phone.

Required for admins and plan leads (they can change users, plans and RAG decisions), optional for
everyone else. The secret is stored only once the person has proved their app works by typing a code;
recovery codes are shown once and stored as argon2 hashes, one a line, each crossed off when used.
"""

import hmac
import secrets
from datetime import UTC, datetime, timedelta

import pyotp
import segno

from app.extensions import db
from app.models import Role, User
from app.services.accounts import passwords
from app.services.audit import trail as audit
from app.services.errors import ServiceError

REQUIRED_ROLES = frozenset({Role.ADMIN, Role.LEAD})
ISSUER = "Delivery Plan Tracker"
RECOVERY_CODE_COUNT = 10
# No 0/O or 1/l/i: recovery codes are typed from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class TwoFactorError(ServiceError):
    """A code that does not work, worded for the person typing it."""


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


def _totp_matches(secret: str, code: str) -> bool:
    return _totp_step(secret, code) is not None


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor sign-in on once `code` proves the app holds `secret`; returns the recovery codes.

    Every other session of the user ends. Commits; the caller then shows the codes once.
    """
    if not _totp_matches(secret, _normalise(code)):
        raise TwoFactorError("The code is not right. Enter the 6-digit code your authenticator app shows now")
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    user.totp_secret = secret
    user.recovery_codes = "\n".join(passwords.hash_secret(_normalise(c)) for c in codes)
    user.rotate_session_token()
    audit.record("user.two_factor_enable", user=user, record_type="user", record_id=user.id)
    db.session.commit()
    return codes


def verify(user: User, code: str) -> str | None:
    """Check a sign-in code: "app" for an authenticator code, "recovery code" for a recovery code
    (which is then used up), None when it matches neither (the caller then calls code_refused). Commits what
    a match uses up."""
    code = _normalise(code)
    if not user.totp_secret or not code:  # not enrolled
        return None
    step = _totp_step(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return None  # the same code again (someone watching over a shoulder, a replayed request)
        user.totp_last_step = step
        db.session.commit()
        return "app"
    hashes = (user.recovery_codes or "").splitlines()
    for i, code_hash in enumerate(hashes):
        if passwords.secret_matches(code_hash, code):
            user.recovery_codes = "\n".join(hashes[:i] + hashes[i + 1 :])
            audit.record(
                "user.recovery_code_used",
                user=user,
                record_type="user",
                record_id=user.id,
                detail=f"{len(hashes) - 1} recovery codes left",
            )
            db.session.commit()
            return "recovery code"
    return None


def code_refused(user: User) -> None:
    """Audit a sign-in stopped at the code step (a wrong, replayed or empty code)."""
    audit.record("sign_in.failure", user=user, record_type="user", record_id=user.id, detail="wrong code")
    db.session.commit()


def recovery_codes_left(user: User) -> int:
    return len((user.recovery_codes or "").splitlines())


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
