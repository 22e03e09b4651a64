"""The secret key that signs sessions and CSRF tokens: the operator's, or one the app made for itself.

Session cookies are signed, not encrypted, and anybody who knows the key can write one. So the app never
ships a key: given none (`make run`, a laptop), it makes a random one on first start and keeps it in
`instance/secret_key` (readable by its owner only; instance/ is never committed). A key it did not make
is trusted only when it is long and not one published anywhere; any other key (short, or a value from a
README or a test) still works on this computer but every request from elsewhere is refused, so a
forgotten development setting can never serve a network. ProductionConfig refuses such a key outright.
"""

import ipaddress
import logging
import os
import secrets
from pathlib import Path

from flask import Flask, request

log = logging.getLogger(__name__)

KEY_FILE = "secret_key"
MIN_LENGTH = 32
# Keys that have appeared in this project's code or docs: knowing one is knowing how to forge a session.
PUBLISHED = frozenset({"dev-only-not-secret", "test-secret", "bench-only", "changeme", "secret", "dev", ""})

LOOPBACK_ONLY = (
    "This tracker signs sessions with a secret key it did not make, which is too short or published, so it "
    "answers only on this computer. Set SECRET_KEY to a long random value (48 characters from "
    "secrets.token_urlsafe), or unset it and the tracker makes one in instance/.\n"
)


def is_strong(key: str) -> bool:
    return len(key) >= MIN_LENGTH and key not in PUBLISHED


def init_app(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create(Path(app.instance_path) / KEY_FILE)
        app.config["SECRET_KEY_GENERATED"] = True
    if not app.config.get("SECRET_KEY_GENERATED") and not is_strong(str(app.config["SECRET_KEY"])):
        log.warning("SECRET_KEY is short or published: answering requests from this computer only")
        app.before_request(_loopback_only)


def load_or_create(path: Path) -> str:
    """The key kept in `path`, made (random, 256 bits, mode 0600) when there is none yet.

    Several workers starting at once agree on one key: each writes its own file and links it into
    place, and whoever finds the place taken reads the winner's key.
    """
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(32) + "\n")
    try:
        os.link(draft, path)
        log.warning("Made a new secret key in %s", path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text(encoding="ascii").strip()


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def _loopback_only():
    """Refuse anything from another computer, or relayed by a proxy on this one."""
    if not _is_loopback(request.remote_addr) or "X-Forwarded-For" in request.headers:
        return LOOPBACK_ONLY, 403, {"Content-Type": "text/plain; charset=utf-8"}
    return None
