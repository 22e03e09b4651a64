"""Sign-in throttling: failures per address and per account, the same for real and unknown emails."""

import logging
import os
import re
import subprocess
import sys

from app.services.accounts import passwords
from tests.factories import PASSWORD, make_user
from tests.pages import check_page

WRONG = "Enter a correct email address and password"
NOISE_RE = re.compile(r'(value|nonce|content)="[^"]*"')


def attempt(client, email: str, password: str = "wrong password, sorry", address: str = "10.1.1.1"):
    environ = {"REMOTE_ADDR": address}
    page = client.get("/sign-in", environ_base=environ).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/sign-in", data=data, environ_base=environ)


def test_sixth_failure_from_one_address_is_throttled(client):
    statuses = [attempt(client, f"person{i}@example.police.uk").status_code for i in range(7)]
    assert statuses == [200] * 5 + [429] * 2


def test_throttled_page_says_what_to_do_and_signs_nobody_in(app_context, client):
    user = make_user("owner")
    for i in range(5):
        attempt(client, f"person{i}@example.police.uk")
    response = attempt(client, user.email, PASSWORD)  # even the right password waits
    page = check_page(response, 429)
    assert "Too many attempts" in page and "Wait a few minutes" in page
    assert client.get("/plans", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 302


def test_other_addresses_are_not_throttled_by_one_noisy_address(app_context, client):
    user = make_user("owner")
    for i in range(6):
        attempt(client, f"person{i}@example.police.uk")
    assert attempt(client, user.email, PASSWORD, address="10.9.9.9").status_code == 302


def test_eleventh_failure_against_one_account_from_many_addresses_is_throttled(app_context, client):
    user = make_user("owner")
    statuses = [attempt(client, user.email, address=f"10.2.0.{i}").status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]
    assert attempt(client, user.email.upper(), PASSWORD, address="10.3.0.1").status_code == 429  # same account
    assert attempt(client, make_user("owner").email, PASSWORD, address="10.3.0.2").status_code == 302


def test_unknown_and_real_emails_are_throttled_alike(app_context, client):
    make_user("owner", email="real@example.police.uk")
    pages = {}
    for email in ("real@example.police.uk", "ghost@example.police.uk"):
        responses = [attempt(client, email, address=f"10.4.{len(pages)}.{i}") for i in range(11)]
        pages[email] = [(r.status_code, NOISE_RE.sub("", r.get_data(as_text=True))) for r in responses]
    assert [s for s, _ in pages["real@example.police.uk"]] == [s for s, _ in pages["ghost@example.police.uk"]]
    real = [p.replace("real@", "X@") for _, p in pages["real@example.police.uk"]]
    ghost = [p.replace("ghost@", "X@") for _, p in pages["ghost@example.police.uk"]]
    assert real == ghost
    assert WRONG in real[0]


def test_successful_sign_ins_are_not_counted(app_context, client, auth):
    user = make_user("owner")
    for _ in range(8):
        assert attempt(client, user.email, PASSWORD).status_code == 302
        auth.logout()


def test_limits_come_from_configuration(app, client):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "2 per minute"
    statuses = [attempt(client, f"p{i}@example.police.uk").status_code for i in range(3)]
    assert statuses == [200, 200, 429]


def test_throttling_is_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger="app.security")
    for i in range(6):
        attempt(client, f"person{i}@example.police.uk")
    assert any('"event": "throttled"' in r.getMessage() for r in caplog.records)


def test_storage_is_configurable_for_several_workers():
    code = "from config import Config; print(Config.RATELIMIT_STORAGE_URI)"
    env = {**os.environ, "RATELIMIT_STORAGE_URI": "redis://cache.internal:6379/3"}
    shared = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert shared.stdout.strip() == "redis://cache.internal:6379/3"
    env.pop("RATELIMIT_STORAGE_URI")
    default = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert default.stdout.strip() == "memory://"


class SpyHasher:
    """Records which hash each verification was made against, then defers to the real hasher."""

    def __init__(self, real):
        self.real, self.verified = real, []

    def verify(self, hash_, password):
        self.verified.append(hash_)
        return self.real.verify(hash_, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


def _parameters(argon2_hash: str) -> str:
    return argon2_hash.rsplit("$", 2)[0]  # "$argon2id$v=19$m=…,t=…,p=…" without salt and digest


def test_unknown_email_does_the_same_password_work(app_context, app, monkeypatch):
    user = make_user("owner")
    spy = SpyHasher(passwords._HASHERS["fast"])
    monkeypatch.setitem(passwords._HASHERS, "fast", spy)
    assert passwords.authenticate(user.email, "wrong password, sorry") is None
    assert passwords.authenticate("ghost@example.police.uk", "wrong password, sorry") is None
    real, ghost = spy.verified
    assert _parameters(real) == _parameters(ghost)  # one argon2 verification each, at the same cost
