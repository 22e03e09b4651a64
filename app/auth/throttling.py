"""Throttling sign-in (Flask-Limiter): failed attempts counted per address and per account.

Only failures count (a successful step redirects), so colleagues behind one address are not locked out
by each other's sign-ins. The account is the email typed, whether or not it exists, so throttling says
nothing about which emails have accounts. The password and the two-factor code share both counters.
"""

from flask import current_app, request, session

from app.extensions import limiter

PENDING_KEY = "pending_sign_in"


def _failed(response) -> bool:
    return response.status_code != 302


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
