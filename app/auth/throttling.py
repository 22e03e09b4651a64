"""Throttling sign-in (Flask-Limiter): failed attempts counted per address and per account.

Only failures count (the view calls `count_failure()`), so colleagues behind one address are not
locked out by each other's sign-ins. The account is the email typed, whether or not it exists, so
throttling says nothing about which emails have accounts. Password and two-factor code failures share
both counters.
"""

from flask import current_app, g, request, session

from app.auth.signing_in import PENDING_KEY
from app.extensions import limiter


def count_failure() -> None:
    """Mark this request as a failed sign-in attempt, to be counted once the response is ready."""
    g.sign_in_failed = True


def _failed(response) -> bool:
    return bool(g.get("sign_in_failed"))


def _account_key() -> str:
    email = request.form.get("email") or session.get(PENDING_KEY, {}).get("email") or ""
    return "account:" + email.strip().lower()[:254]


per_address = limiter.shared_limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"],
    scope="sign-in-address",
    methods=["POST"],
    deduct_when=_failed,
)
per_account = limiter.shared_limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
    scope="sign-in-account",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
