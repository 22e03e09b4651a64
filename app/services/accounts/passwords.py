"""Passwords: the rule a new one must meet, argon2 hashing, checking one at sign-in, changing it."""

import hashlib
import hmac
import threading
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from app.extensions import db
from app.models import User
from app.services.accounts import AccountError
from app.services.audit import trail as audit

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

# argon2id with argon2-cffi's defaults (64 MiB, t=3, p=4) meets OWASP ASVS 5.0; the suite uses cheap
# parameters so that hundreds of sign-ins stay fast.
_HASHERS = {"production": PasswordHasher(), "fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)}
# A real hash, made with the same parameters as users' hashes, to verify against when the email is
# unknown: both paths then do the same work and take the same time. Made on the first sign-in that needs it,
# once per process, never at import: a production hash costs about 300 ms of CPU and 64 MiB, which every
# command and every worker start would otherwise pay.
_DUMMY: dict[str, str] = {}
_DUMMY_LOCK = threading.Lock()


def _dummy_hash(name: str) -> str:
    with _DUMMY_LOCK:
        if name not in _DUMMY:
            _DUMMY[name] = _HASHERS[name].hash("not-a-real-password-for-timing")
        return _DUMMY[name]


def _hasher_name() -> str:
    return "fast" if current_app.config.get("PASSWORD_HASH_FAST") else "production"


def _hasher() -> PasswordHasher:
    return _HASHERS[_hasher_name()]


def hash_secret(secret: str) -> str:
    """An argon2 hash of a password, with the deployment's parameters."""
    return _hasher().hash(secret)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased (OWASP ASVS 5.0 6.2.4)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None. Passwords are checked exactly as typed: no trimming."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    if password.lower() in common_passwords():
        return "That password is too common and easy to guess. Choose a different one, such as three random words"
    return None


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Takes the same time for an unknown email.

    A hash made with older parameters is upgraded (and committed) while the password is at hand."""
    user = db.session.scalar(db.select(User).filter_by(email=email.strip().lower()))
    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(_hasher_name()), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
        db.session.commit()
    return user


def typed_address_label(typed: str) -> str:
    """How a typed email goes into the logs: as typed when it is a user's, else a marker and a keyed digest.

    People type passwords into the email box; a typed value that is nobody's address is never stored, but
    the digest (keyed with the secret key, so it cannot be reversed by trying guesses) still shows an
    operator that one unknown value was tried again and again.
    """
    email = typed.strip().lower()[:254]
    if email and db.session.scalar(db.select(User.id).filter_by(email=email)):
        return email
    key = hashlib.sha256(b"typed-address:" + str(current_app.secret_key).encode()).digest()
    return "unknown address " + hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:12]


def record_wrong_current_password(user: User) -> None:
    """Audit a wrong current password on the change-password page (committed): a stolen session guessing."""
    audit.record("password_change.failure", user=user, record_type="user", record_id=user.id, detail="wrong current")
    db.session.commit()


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this user; commit."""
    if problem := password_problem(new_password):
        raise AccountError(problem, "password")
    user.password_hash = hash_secret(new_password)
    user.rotate_session_token()
    audit.record("user.password_change", user=user, record_type="user", record_id=user.id)
    db.session.commit()
