"""Sign-in throttling with several workers: one count in Redis, shared by all of them.

Runs against the Redis on 127.0.0.1:6379 (.ci/run starts it when it is not running), under a key prefix of
its own that is removed afterwards.
"""

import secrets

import pytest

from app import create_app
from app.extensions import db, limiter
from app.services.accounts import passwords
from config import TestConfig, rate_limit_store_problem
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.test_sign_in_attacks import SlowSpyHasher, in_threads

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def workers(tmp_path):
    """Two apps, as two gunicorn workers are: one database, one Redis, nothing else in common."""

    class Worker(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'shared.db'}"
        RATELIMIT_STORAGE_URI = REDIS
        RATELIMIT_STORAGE_OPTIONS = {"key_prefix": f"tracker-test-{secrets.token_hex(6)}"}

    apps = [create_app(Worker), create_app(Worker)]
    with apps[0].app_context():
        db.create_all()
    yield apps
    for app in apps:
        with app.app_context():
            limiter.reset()  # this run's keys only (its prefix)
    with apps[0].app_context():
        db.drop_all()
        db.engine.dispose()


def wrong_password(client, email: str):
    data = {"email": email, "password": "not the password", "csrf_token": csrf_token(client)}
    return client.post("/sign-in", data=data).status_code


def test_two_workers_share_one_count(workers):
    with workers[0].app_context():
        email = make_user("owner").email
    clients = [app.test_client() for app in workers]
    statuses = [wrong_password(clients[i % 2], email) for i in range(7)]
    assert statuses == [200] * 5 + [429] * 2  # 5 a minute from one address, whichever worker answers
    with workers[1].app_context():
        assert "redis" in type(limiter.storage).__name__.lower()


def test_successes_are_given_back_in_redis(workers):
    with workers[0].app_context():
        email = make_user("owner").email
    client = workers[1].test_client()
    for _ in range(8):
        data = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(client)}
        assert client.post("/sign-in", data=data).status_code == 302
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/plans")})


def test_a_burst_across_workers_is_counted_before_it_is_checked(workers, monkeypatch):
    for app in workers:
        app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "1000 per minute"
    with workers[0].app_context():
        email = make_user("owner").email
    spy = SlowSpyHasher(passwords._HASHERS["fast"])
    monkeypatch.setitem(passwords._HASHERS, "fast", spy)
    clients = [workers[i % 2].test_client() for i in range(40)]
    tokens = [csrf_token(c) for c in clients]

    def attempt(i, barrier):
        barrier.wait()
        data = {"email": email, "password": f"guess {i}", "csrf_token": tokens[i]}
        return clients[i].post("/sign-in", data=data).status_code

    statuses = in_threads(attempt, 40)
    assert sorted(map(str, statuses)) == ["200"] * 10 + ["429"] * 30, statuses
    assert spy.calls == 10


@pytest.mark.parametrize(
    ("uri", "single", "refused"),
    [
        ("memory://", None, "needs RATELIMIT_STORAGE_URI=redis://"),
        ("memory://", "1", None),
        ("redis://cache.internal:6379/0", None, None),
        ("rediss://cache.internal:6380/0", None, None),
        ("memcached://cache.internal:11211", None, "must be redis://"),
    ],
)
def test_production_needs_a_shared_store(uri, single, refused):
    problem = rate_limit_store_problem(uri, single)
    assert (problem is None) if refused is None else (refused in problem)


def test_production_refuses_to_start_on_memory(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("RATELIMIT_SINGLE_PROCESS", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    from config import ProductionConfig

    with pytest.raises(RuntimeError, match="a store that every worker shares"):
        create_app(ProductionConfig)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", REDIS)
    assert create_app(ProductionConfig).config["RATELIMIT_STORAGE_URI"] == REDIS
