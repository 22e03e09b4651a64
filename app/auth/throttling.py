"""Throttling sign-in: failed attempts counted per address and per account, in Flask-Limiter's storage.

Only failures count, so colleagues behind one address are not locked out by each other's sign-ins. Yet
the count cannot wait for the answer: forty requests sent at once would all be checked before the first
failure was counted. So each attempt takes its place in the window *before* the password or code is
checked, in one atomic step of the storage (a lock in memory, a Lua script in Redis), and gives it back
afterwards unless it failed. A burst beyond the limit is refused at once, whatever the timing.

The account is the email typed at the password step, whether or not it exists, so throttling says
nothing about which emails have accounts. At the code step it is the email of the pending sign-in, held
in the signed session, never a form field. Password and two-factor code failures share both counters.
"""

from functools import wraps

from flask import abort, current_app, g, request, session
from limits import parse_many
from limits.storage import MemoryStorage, RedisStorage
from redis import Redis
from redis.cluster import RedisCluster

from app.auth.signing_in import PENDING_KEY
from app.extensions import limiter

ADDRESS_SCOPE = "sign-in-address"
ACCOUNT_SCOPE = "sign-in-account"


def count_failure() -> None:
    """Mark this request as a failed attempt: its places in the windows are kept."""
    g.sign_in_failed = True


def account_key(email: str) -> str:
    return email.strip().lower()[:254]


def typed_email() -> str:
    """The account of the password step: the email typed."""
    return account_key(request.form.get("email", ""))


def pending_email() -> str:
    """The account of the code step: the person half-way through signing in, from the signed session only."""
    pending = session.get(PENDING_KEY) or {}
    return account_key(pending.get("email", ""))


def throttled(account):
    """Decorate a view whose POSTs check a secret: at most the configured failures per address and account.

    `account` is called during the request and returns the account's key.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method != "POST" or not limiter.enabled:
                return view(*args, **kwargs)
            taken = _take_places(account())
            try:
                response = view(*args, **kwargs)
            except BaseException:
                _give_back(taken)
                raise
            if not g.get("sign_in_failed"):
                _give_back(taken)
            return response

        return wrapper

    return decorate


def _windows(account: str) -> list[tuple]:
    config = current_app.config
    address = request.remote_addr or "unknown"
    return [
        *((item, ADDRESS_SCOPE, address) for item in parse_many(config["SIGN_IN_LIMIT_PER_ADDRESS"])),
        *((item, ACCOUNT_SCOPE, account) for item in parse_many(config["SIGN_IN_LIMIT_PER_ACCOUNT"])),
    ]


def _take_places(account: str) -> list[tuple]:
    """Count this attempt in every window, atomically per window; 429 (with nothing kept) when one is full."""
    taken: list[tuple] = []
    for item, scope, key in _windows(account):
        if not limiter.limiter.hit(item, scope, key):
            _give_back(taken)
            abort(429)
        taken.append((item, scope, key))
    return taken


def _give_back(taken: list[tuple]) -> None:
    """Remove this attempt's entries again (a success, or a form that checked no secret)."""
    storage = limiter.storage
    for item, scope, key in taken:
        storage_key = item.key_for(scope, key)
        if isinstance(storage, MemoryStorage):  # memory://: a list of entries per key, newest first, under its lock
            with storage.locks[storage_key]:
                entries = storage.events.get(storage_key)
                if entries:
                    entries.pop(0)
        elif isinstance(storage, RedisStorage):  # redis:// (and its cluster and sentinel kinds): LPUSHed lists
            connection = storage.get_connection()
            assert isinstance(connection, Redis | RedisCluster)  # the redis package's clients (requirements.txt)
            connection.lpop(storage.prefixed_key(storage_key))
        else:  # ProductionConfig accepts only these two (config.py); any other store keeps the entry
            raise TypeError(f"Cannot give back a sign-in attempt in {type(storage).__name__}")


RESET_ADDRESS_SCOPE = "password-reset-address"
RESET_ACCOUNT_SCOPE = "password-reset-account"


def count_reset_attempt(account: str | None) -> None:
    """Count a request for a password reset link (or a link that did not work) per address, and per account when
    one is named (the typed email, whether or not it exists); 429 when a window is full. Every attempt counts,
    in the same shared store as the sign-in throttle."""
    if not limiter.enabled:
        return
    config = current_app.config
    windows = [
        (item, RESET_ADDRESS_SCOPE, request.remote_addr or "unknown")
        for item in parse_many(config["PASSWORD_RESET_LIMIT_PER_ADDRESS"])
    ]
    if account is not None:
        windows += [
            (item, RESET_ACCOUNT_SCOPE, account_key(account))
            for item in parse_many(config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"])
        ]
    taken: list[tuple] = []
    for item, scope, key in windows:
        if not limiter.limiter.hit(item, scope, key):
            _give_back(taken)
            abort(429)
        taken.append((item, scope, key))
