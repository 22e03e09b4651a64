"""The sign-in attacks of an outside test, replayed: each would succeed on the code they were found in.

Forged cookies, a throttle keyed on a form field, bursts that beat a check-then-count throttle, wrong codes
that cost ten argon2 checks, one code used by several requests at once, unthrottled guesses at the current
password, and a password typed into the email box ending up in the log.
"""

import json
import logging
import os
import re
import subprocess
import sys
import threading
import time

import pyotp
import pytest
from flask_login.utils import _create_identifier

from app import create_app
from app.extensions import db
from app.models import AuditEvent, User
from app.services.accounts import passwords, second_factor
from config import ProductionConfig, TestConfig
from tests.conftest import CSRF_RE, AuthActions, csrf_token
from tests.factories import PASSWORD, make_user

WRONG = "Enter a correct email address and password"
MANY = "1000 per minute"


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def password_step(client, user, address: str = "127.0.0.1"):
    token = CSRF_RE.search(client.get("/sign-in", environ_base={"REMOTE_ADDR": address}).get_data(True)).group(1)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    return client.post("/sign-in", data=data, environ_base={"REMOTE_ADDR": address})


def cookie_data(app, client) -> dict:
    return app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)


def forge(app, client, data: dict) -> None:
    """Write a session cookie as somebody who knows the secret key would."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": "forger"}):
        data = {"_id": _create_identifier(), "_fresh": True, "signed_in_at": int(time.time()), **data}
    client.set_cookie("session", app.session_interface.get_signing_serializer(app).dumps(data))


# 1. Two-factor bypass ---------------------------------------------------------------------------------


def test_the_half_way_cookie_holds_no_session_token(app_context, app, client):
    admin = make_user("admin")
    before = fresh(admin).session_token
    assert password_step(client, admin).headers["Location"] == "/sign-in/code"
    raw = json.dumps(cookie_data(app, client))
    assert before not in raw and fresh(admin).session_token not in raw


def test_knowing_the_password_and_the_old_public_key_does_not_reach_admin(app_context, app, client):
    """The outside tester's attack: password step, read the pending cookie, forge {"_user_id": token}."""
    app.secret_key = app.config["SECRET_KEY"] = "dev-only-not-secret"
    admin = make_user("admin")
    password_step(client, admin)
    pending = cookie_data(app, client)["pending_sign_in"]
    attacker = app.test_client()
    for guess in [*map(str, pending.values()), str(admin.id)]:
        forge(app, attacker, {"_user_id": guess})
        response = attacker.get("/admin/users", headers={"User-Agent": "forger"})
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    forge(app, attacker, {"_user_id": fresh(admin).session_token})  # the forgery itself works with the token...
    assert attacker.get("/admin/users", headers={"User-Agent": "forger"}).status_code == 200
    AuthActions(client).enter_code(fresh(admin))  # ...but the token is new once the code is right
    assert attacker.get("/admin/users", headers={"User-Agent": "forger"}).status_code == 302


def test_the_session_token_is_new_at_every_sign_in(app_context, client, auth):
    owner = make_user("owner")
    tokens = {fresh(owner).session_token}
    for _ in range(3):
        assert auth.login(fresh(owner)).status_code == 302
        tokens.add(fresh(owner).session_token)
        auth.logout()
        tokens.add(fresh(owner).session_token)
    assert len(tokens) == 7  # the one it was made with, and per sign-in one new and one at sign-out


@pytest.mark.parametrize("key", ["dev-only-not-secret", "short-key"])
def test_a_key_the_app_did_not_make_serves_this_computer_only(tmp_path, key):
    class Published(TestConfig):
        SECRET_KEY = key
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'published.db'}"

    client = create_app(Published).test_client()
    assert client.get("/sign-in").status_code == 200
    assert client.get("/sign-in", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    refused = client.get("/sign-in", environ_base={"REMOTE_ADDR": "192.168.1.20"})
    assert refused.status_code == 403 and "answers only on this computer" in refused.get_data(True)
    assert client.get("/sign-in", headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 403  # via a proxy


def test_first_run_makes_a_random_key_in_instance_and_keeps_it(tmp_path):
    class Laptop(TestConfig):
        SECRET_KEY = None
        INSTANCE_PATH = str(tmp_path / "instance")
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'laptop.db'}"

    first = create_app(Laptop)
    key_file = tmp_path / "instance" / "secret_key"
    assert first.secret_key == key_file.read_text().strip() and len(first.secret_key) == 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert create_app(Laptop).secret_key == first.secret_key  # the next start reads it back
    client = first.test_client()
    assert client.get("/sign-in", environ_base={"REMOTE_ADDR": "192.168.1.20"}).status_code == 200


def test_the_default_config_ships_no_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_CONFIG")}
    code = "from config import Config; print(repr(Config.SECRET_KEY))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "None"


@pytest.mark.parametrize("key", ["dev-only-not-secret", "s" * 31])
def test_production_refuses_a_short_or_published_key(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY of 32 random characters or more"):
        ProductionConfig.check()


# 2. The code step's throttle is keyed on the pending sign-in ---------------------------------------------


def test_a_posted_email_does_not_get_round_the_code_throttle(app_context, app, client, auth):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = MANY  # only the per-account limit is under test
    lead = make_user("lead")
    password_step(client, lead)
    statuses = []
    for n in range(12):
        data = {"code": f"{n:06d}", "email": f"random{n}@example.org"}
        statuses.append(auth.post("/sign-in/code", data).status_code)
    assert statuses == [200] * 10 + [429] * 2


# 3. A burst is counted before it is checked -------------------------------------------------------------


class SlowSpyHasher:
    """Counts argon2 verifications; each takes 50 ms, as a real one takes longer still, to widen any race."""

    def __init__(self, real):
        self.real, self.calls, self.lock = real, 0, threading.Lock()

    def verify(self, hash_, password):
        with self.lock:
            self.calls += 1
        time.sleep(0.05)
        return self.real.verify(hash_, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


def in_threads(work, count: int) -> list:
    barrier = threading.Barrier(count, timeout=30)
    results: list = [None] * count

    def run(i):
        try:
            results[i] = work(i, barrier)
        except BaseException as error:  # handed back to the test
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_forty_concurrent_wrong_passwords_against_ten_an_hour_are_mostly_refused(app_context, app, monkeypatch):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = MANY
    email = make_user("owner").email
    spy = SlowSpyHasher(passwords._HASHERS["fast"])
    monkeypatch.setitem(passwords._HASHERS, "fast", spy)
    clients = [app.test_client() for _ in range(40)]
    tokens = [csrf_token(c) for c in clients]

    def attempt(i, barrier):
        barrier.wait()
        data = {"email": email, "password": f"wrong guess {i}", "csrf_token": tokens[i]}
        return clients[i].post("/sign-in", data=data).status_code

    statuses = in_threads(attempt, 40)
    assert sorted(map(str, statuses)) == ["200"] * 10 + ["429"] * 30, statuses
    assert spy.calls == 10  # only ten passwords were ever checked


# 4. A wrong code costs no argon2 work ---------------------------------------------------------------------


class CountingHasher:
    def __init__(self, real):
        self.real, self.calls = real, 0

    def verify(self, *args):
        self.calls += 1
        return self.real.verify(*args)

    def hash(self, *args):
        self.calls += 1
        return self.real.hash(*args)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_wrong_code_costs_no_argon2_check(app_context, client, auth, monkeypatch):
    lead = make_user("lead", two_factor=False)
    secret = pyotp.random_base32()
    codes = second_factor.enable(lead, secret, pyotp.TOTP(secret).now())
    password_step(client, lead)
    counters = {name: CountingHasher(real) for name, real in passwords._HASHERS.items()}
    for name, counter in counters.items():
        monkeypatch.setitem(passwords._HASHERS, name, counter)
    for wrong in ("abcde-fghjk", "123456", "zzzzzzzzzzzzzzzzzzzz"):
        assert "The code is not right" in auth.post("/sign-in/code", {"code": wrong}).get_data(True)
    assert auth.post("/sign-in/code", {"code": codes[9]}).status_code == 302  # a right recovery code: no argon2
    assert sum(c.calls for c in counters.values()) == 0
    stored = fresh(lead).recovery_codes.splitlines()
    assert len(stored) == 9 and all(line.startswith("hmac-sha256$") for line in stored)


def test_recovery_codes_of_the_argon2_era_are_not_checked(app_context, client, auth, monkeypatch):
    lead = make_user("lead")
    old = passwords.hash_secret("abcdefghjk")
    db.session.execute(db.update(User).where(User.id == lead.id).values(recovery_codes=old))
    db.session.commit()
    password_step(client, lead)
    counter = CountingHasher(passwords._HASHERS["fast"])
    monkeypatch.setitem(passwords._HASHERS, "fast", counter)
    assert "The code is not right" in auth.post("/sign-in/code", {"code": "abcde-fghjk"}).get_data(True)
    assert counter.calls == 0 and second_factor.recovery_codes_left(fresh(lead)) == 0


# 5. One code, one session, however many requests carry it ---------------------------------------------


def _half_way_clients(app, lead, count: int) -> list:
    clients = [app.test_client() for _ in range(count)]
    for c in clients:
        assert password_step(c, lead).headers["Location"] == "/sign-in/code"
    return clients


def _at_once(clients, code: str) -> list[str]:
    """What each of the clients was answered: "signed in", or how it was refused. A request that reads the account
    after another has signed in finds its half-way sign-in voided (the session token is new at every sign-in) and
    is sent back to the sign-in page; one that read it before finds the code used."""
    tokens = [csrf_token(c, "/sign-in/code") for c in clients]

    def enter(i, barrier):
        barrier.wait()
        response = clients[i].post("/sign-in/code", data={"code": code, "csrf_token": tokens[i]})
        if response.status_code != 302:
            return str(response.status_code)
        return "back to sign in" if response.headers["Location"].endswith("/sign-in") else "signed in"

    return in_threads(enter, len(clients))


def _signed_in(clients) -> int:
    return sum(c.get("/plans").status_code == 200 for c in clients)


def test_one_authenticator_code_sent_four_times_at_once_signs_in_once(app_context, app):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = MANY
    lead = make_user("lead")
    clients = _half_way_clients(app, lead, 4)
    answers = _at_once(clients, pyotp.TOTP(fresh(lead).totp_secret).now())
    assert answers.count("signed in") == 1, answers
    assert _signed_in(clients) == 1


def test_one_recovery_code_sent_three_times_at_once_signs_in_once(app_context, app):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = MANY
    lead = make_user("lead", two_factor=False)
    secret = pyotp.random_base32()
    codes = second_factor.enable(lead, secret, pyotp.TOTP(secret).now())
    clients = _half_way_clients(app, lead, 3)
    answers = _at_once(clients, codes[0])
    assert answers.count("signed in") == 1, answers
    assert _signed_in(clients) == 1
    assert second_factor.recovery_codes_left(fresh(lead)) == 9
    used = db.session.scalars(db.select(AuditEvent).filter_by(verb="user.recovery_code_used", record_id=lead.id))
    assert len(used.all()) == 1


def test_the_enrolment_code_cannot_sign_in_again(app_context, client, auth):
    admin = make_user("admin", two_factor=False)
    password_step(client, admin)
    page = client.get("/sign-in/set-up-two-factor").get_data(True)
    secret = "".join(re.search(r'id="totp-secret">([^<]+)<', page).group(1).split())
    code = pyotp.TOTP(secret).now()
    assert auth.post("/sign-in/set-up-two-factor", {"code": code}).status_code == 200  # the recovery codes
    step = fresh(admin).totp_last_step
    assert step is not None and pyotp.TOTP(secret).at(step * 30) == code
    auth.logout()
    password_step(client, admin)  # someone who watched the set-up tries the same code
    assert "The code is not right" in auth.post("/sign-in/code", {"code": code}).get_data(True)


# 6. Changing the password ---------------------------------------------------------------------------------


def test_wrong_current_passwords_are_throttled_and_audited(app, client, login_as, caplog):
    caplog.set_level(logging.WARNING, logger="app.security")
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = MANY
    owner = login_as("owner")
    auth = AuthActions(client)
    form = {"current_password": "a wrong guess", "new_password": "a brand new passphrase", "confirm": ""}
    form["confirm"] = form["new_password"]
    statuses = [auth.post("/account/password", form).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    failures = db.session.scalars(db.select(AuditEvent).filter_by(verb="password_change.failure", user_id=owner.id))
    assert len(failures.all()) == 10
    assert sum('"event": "password_change.failure"' in r.getMessage() for r in caplog.records) == 10
    assert passwords.authenticate(owner.email, PASSWORD) is not None  # unchanged


# 7. The security log -----------------------------------------------------------------------------------


def test_a_password_typed_into_the_email_box_is_never_logged(app_context, client, caplog):
    caplog.set_level(logging.DEBUG)
    make_user("owner", email="real@example.police.uk")
    typed = "Correct Horse Battery 42"
    for email in (typed, typed + "\n", "ghost@example.police.uk"):
        token = csrf_token(client)
        client.post("/sign-in", data={"email": email, "password": "whatever it is", "csrf_token": token})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    audited = " ".join(e.detail for e in db.session.scalars(db.select(AuditEvent)))
    for text in (logged, audited):
        assert typed.lower() not in text.lower() and "ghost@" not in text
        assert "unknown address " in text
    lines = [json.loads(m.removeprefix("security ")) for m in logged.splitlines() if "sign_in.failure" in m]
    assert lines[0]["email"] == lines[1]["email"] != lines[2]["email"]  # the same value tried again shows


def test_a_users_own_address_is_logged_as_typed(app_context, client, caplog):
    caplog.set_level(logging.WARNING, logger="app.security")
    make_user("owner", email="real@example.police.uk")
    token = csrf_token(client)
    client.post("/sign-in", data={"email": "Real@Example.police.uk", "password": "not it, sorry", "csrf_token": token})
    assert any('"email": "real@example.police.uk"' in r.getMessage() for r in caplog.records)


def test_migration_0006_withdraws_argon2_recovery_codes(tmp_path):
    url = f"sqlite:///{tmp_path / 'upgraded.db'}"
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": url, "SECRET_KEY": "k" * 40}
    flask = [sys.executable, "-m", "flask", "db", "upgrade"]
    subprocess.run([*flask, "0005"], env=env, capture_output=True, text=True, check=True)
    import sqlite3

    argon2_line = passwords._HASHERS["fast"].hash("abcdefghjk")
    with sqlite3.connect(tmp_path / "upgraded.db") as connection:
        for n, codes in enumerate([argon2_line + "\n" + argon2_line, "hmac-sha256$" + "0" * 64, None]):
            connection.execute(
                "INSERT INTO user (email, name, role, password_hash, active, session_token, recovery_codes) "
                "VALUES (?, ?, 'lead', 'x', 1, ?, ?)",
                (f"u{n}@example.police.uk", f"U{n}", f"token{n}", codes),
            )
    subprocess.run(flask, env=env, capture_output=True, text=True, check=True)
    with sqlite3.connect(tmp_path / "upgraded.db") as connection:
        rows = [r[0] for r in connection.execute("SELECT recovery_codes FROM user ORDER BY email")]
    assert rows == [None, "hmac-sha256$" + "0" * 64, None]


def test_a_half_way_sign_in_is_voided_once_another_finishes(app_context, app):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = MANY
    lead = make_user("lead", two_factor=False)
    secret = pyotp.random_base32()
    codes = second_factor.enable(lead, secret, pyotp.TOTP(secret).now())
    first, second = _half_way_clients(app, lead, 2)

    assert _at_once([first], codes[0]) == ["signed in"]
    # Each request in a thread of its own, as a worker serves it: a fresh database session, no test context.
    assert _at_once([second], codes[1]) == ["back to sign in"]  # even with a good code

    assert _signed_in([first, second]) == 1
