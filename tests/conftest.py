import os
import re
import shutil

import pytest
from flask import g, request_started

from app import create_app
from app.extensions import db as _db
from config import TestConfig
from tests.factories import PASSWORD, make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SEED_WORKBOOK = os.path.join(os.path.dirname(__file__), "..", "plans", "wmp-modern-slavery-delivery-plan-2015-16.xlsx")


def _test_config(tmp_path) -> type:
    class Config(TestConfig):
        pass

    if not os.environ.get("DATABASE_URL"):
        # A file, not :memory:, so that threads (the live server, concurrency tests) share it.
        Config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'test.db'}"
    Config.EXPORTS_DIR = tmp_path / "exports"
    return Config


def _fresh_g(sender, **extra) -> None:
    """Give every test request an empty `g`, as a deployment does.

    The `app` fixture keeps one app context open for the whole test, and Flask reuses it for each test
    request, so without this `g` would carry the cached CSRF token and signed-in user from one request
    to the next (a token generated before sign-in cleared the session would then fail every POST).
    """
    for name in list(g):
        g.pop(name)


@pytest.fixture
def app(tmp_path):
    app = create_app(_test_config(tmp_path))
    request_started.connect(_fresh_g, app)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/sign-in") -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = PASSWORD):
        token = csrf_token(self.client, "/sign-in")
        return self.client.post("/sign-in", data={"email": user.email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/plans")
        return self.client.post("/sign-out", data={"csrf_token": token})

    def post(self, url: str, data: dict | None = None, *, form_url: str | None = None, **kwargs):
        """POST with the CSRF token taken from the page the form lives on (default: the same URL)."""
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(self.client, form_url or url))
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(auth):
    """Sign the test client in as a new user of the role; returns the user."""

    def login(role="owner", **kwargs):
        user = make_user(role, **kwargs)
        response = auth.login(user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
