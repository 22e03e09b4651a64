"""The suite's fixtures, and its guard: it never touches a database that is not its own.

DATABASE_URL names the deployment's database (the README tells deployers to set it), and the suite drops
tables, so it is forgotten before anything can read it. The suite runs on a throwaway SQLite file, or on the
database TEST_DATABASE_URL names, which must end in `_test`.
"""

import contextvars
import os
import re
import shutil
import threading
from datetime import date

os.environ.pop("DATABASE_URL", None)  # before config.py is imported: nothing in the suite can reach it


def worker_database_url(url: str, worker: str) -> str:
    """The database of one pytest-xdist worker: `tracker_test` becomes `tracker_gw0_test` (still ..._test)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(database=f"{(parsed.database or '').removesuffix('_test')}_{worker}_test").render_as_string(
        hide_password=False
    )


# Under pytest-xdist each worker runs on a PostgreSQL database of its own (made on first use, see
# suite_database below), named here before config.py reads TEST_DATABASE_URL, so that tests which read the
# variable themselves (the migrations test) use the worker's database too. The base name is checked first.
# (This module is imported twice, as pytest's conftest and as tests.conftest: the renaming happens once.)
if (
    os.environ.get("TEST_DATABASE_URL")
    and os.environ.get("PYTEST_XDIST_WORKER")
    and "SUITE_BASE_DATABASE_URL" not in os.environ
):
    os.environ["SUITE_BASE_DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    os.environ["TEST_DATABASE_URL"] = worker_database_url(
        os.environ["TEST_DATABASE_URL"], os.environ["PYTEST_XDIST_WORKER"]
    )

import pyotp  # noqa: E402
import pytest  # noqa: E402
from flask import appcontext_popped  # noqa: E402
from flask.testing import FlaskCliRunner  # noqa: E402
from jinja2.bccache import Bucket, BytecodeCache  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db as _db  # noqa: E402
from app.models import Contact, ExportJob, Objective, Strand, User  # noqa: E402
from config import TestConfig  # noqa: E402
from tests.url_builders import share_url_builders  # noqa: E402

share_url_builders()  # once per process, however often this module is imported

from tests.factories import (  # noqa: E402
    PASSWORD,
    make_measure,
    make_pending_import,
    make_plan,
    make_review,
    make_user,
)

# `--dist loadgroup` honours xdist_group marks with pytest 9.2 (tests/xdist_groups.py).
pytest_plugins = ["tests.xdist_groups"]

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SEED_WORKBOOK = os.path.join(os.path.dirname(__file__), "..", "plans", "wmp-modern-slavery-delivery-plan-2015-16.xlsx")


def suite_database_problem(url: str) -> str | None:
    """Why the suite must not run on `url`, or None. Only a database named ..._test is the suite's own."""
    try:
        name = make_url(url).database or ""
    except Exception:  # noqa: BLE001  (any unreadable URL is refused, with its reason)
        return f"TEST_DATABASE_URL is not a database URL: {url!r}"
    if not os.path.splitext(os.path.basename(name))[0].endswith("_test"):
        return f"TEST_DATABASE_URL names the database {name!r}: the suite only runs on one whose name ends in _test"
    return None


def drop_suite_schema(url: str) -> None:
    """Everything in the suite's own PostgreSQL database dropped (the migrations tests start from nothing); the
    next test's `app` gives it the schema again."""
    assert suite_database_problem(url) is None, url  # never a database that is not the suite's own
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def pytest_configure(config):
    for variable in ("SUITE_BASE_DATABASE_URL", "TEST_DATABASE_URL"):
        url = os.environ.get(variable)
        if url and (problem := suite_database_problem(url)):
            raise pytest.UsageError(problem + ". It drops tables: never point it at a database that holds data.")


def _test_config(tmp_path, database_url: str | None = None) -> type:
    class Config(TestConfig):
        pass

    # A file, not :memory:, so that threads (the live server, concurrency tests) share it.
    Config.SQLALCHEMY_DATABASE_URI = database_url or f"sqlite:///{tmp_path / 'test.db'}"
    Config.EXPORTS_DIR = tmp_path / "exports"
    return Config


def _create_postgresql_database(url: str, via: str | None = None) -> None:
    """CREATE DATABASE for a suite database (a worker's, or the route walk's) when it is missing, connected
    through `via` (a database that exists) or the suite's own base database."""
    base = via or os.environ.get("SUITE_BASE_DATABASE_URL")
    name = make_url(url).database
    if not base or suite_database_problem(url):
        return
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def _give_schema(url: str, tmp_path_factory) -> None:
    """The schema in an empty database: on PostgreSQL the public schema is emptied first."""
    app = create_app(_test_config(tmp_path_factory.mktemp("schema-exports"), url))
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        _db.create_all()
        _db.session.remove()
        _db.engine.dispose()  # on SQLite the last close checkpoints the WAL into the file


@pytest.fixture(scope="session")
def suite_database(tmp_path_factory):
    """The schema, created once for the whole run (per pytest-xdist worker).

    On SQLite: an empty database file with the schema, of which each test gets a fresh copy. On PostgreSQL
    (TEST_DATABASE_URL): the suite's database, emptied to its public schema once, then given the schema;
    each test starts from empty tables (see `app`).
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _create_postgresql_database(url)
        template = None
    else:
        template = tmp_path_factory.mktemp("schema") / "template.db"
        url = f"sqlite:///{template}"
    _give_schema(url, tmp_path_factory)
    return template or url


def walk_database_url(url: str) -> str:
    """The PostgreSQL database of the route walk beside a suite database: `tracker_gw0_test` has
    `tracker_gw0_walk_test` (still ..._test)."""
    parsed = make_url(url)
    name = (parsed.database or "").removesuffix("_test")
    return parsed.set(database=f"{name}_walk_test").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def walk_database(suite_database, tmp_path_factory):
    """Where the route walk's roles each get a fresh database, apart from the tests' own, so that a role can be
    walked in the middle of a test (tests/route_walk.py). On SQLite: the schema file, copied for each role, as
    for each test. On PostgreSQL: a database of the walk's own beside the suite's, given the schema once."""
    if not isinstance(suite_database, str):
        return suite_database
    url = walk_database_url(suite_database)
    _create_postgresql_database(url, via=suite_database)
    _give_schema(url, tmp_path_factory)
    return url


def _empty_postgresql_tables() -> None:
    """Every table emptied, ids restarted: what a new schema would hold. A test that dropped the schema (the
    migrations test) leaves it to be created again."""
    tables = _db.metadata.sorted_tables
    if not {table.name for table in tables} <= set(inspect(_db.engine).get_table_names()):
        _db.drop_all()
        _db.create_all()
        return
    names = ", ".join(_db.engine.dialect.identifier_preparer.quote(table.name) for table in tables)
    _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))  # no row triggers fire
    _db.session.commit()


def fresh_database(suite_database, tmp_path) -> str:
    """A URL of a database holding the schema and no rows, for one test."""
    if isinstance(suite_database, str):
        return suite_database
    copy = tmp_path / "test.db"
    shutil.copyfile(suite_database, copy)
    return f"sqlite:///{copy}"


class RequestsApart:
    """WSGI middleware: each request is handled in a `contextvars` context of its own, as a server's worker
    thread handles it, whatever context the test itself has pushed.

    Flask reuses an app context that is already pushed for a request, so a request made while a test holds
    one (the `app_context` fixture) would share its `g` (Flask-Login's current user, Flask-WTF's CSRF token,
    the rate limiter's bookkeeping) and its database session with the test and with every other request.
    Here no context is current when the request starts: Flask pushes a new app context for it, with a fresh
    `g` and a database session of its own, and pops it when the request ends, as in production. The body
    is read in the same context, so a streamed response's generator runs there too.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        context = contextvars.Context()
        return _BodyInContext(context, context.run(self.wsgi_app, environ, start_response))


class _BodyInContext:
    """A response body whose every chunk (and close) is made in the request's own context."""

    def __init__(self, context: contextvars.Context, body):
        self.context, self.body = context, body
        self.chunks = None

    def __iter__(self):
        return self

    def __next__(self):
        if self.chunks is None:
            self.chunks = self.context.run(iter, self.body)
        return self.context.run(next, self.chunks)

    def close(self):
        if hasattr(self.body, "close"):
            self.context.run(self.body.close)


class CommandRunner(FlaskCliRunner):
    """Runs a command as `flask` runs it: in an app context of its own, which FlaskGroup pushes for every
    command (flask/cli.py, FlaskGroup.get_command) and app.cli, the AppGroup a test runner invokes, does
    not. A command is then a process of its own, as at a terminal, whatever context the test has pushed."""

    def invoke(self, cli=None, args=None, **kwargs):
        with self.app.app_context():
            return super().invoke(cli, args, **kwargs)


def serve_requests_apart(app):
    """`app`, its requests each handled in a context of its own (RequestsApart); returns `app`."""
    app.wsgi_app = RequestsApart(app.wsgi_app)
    return app


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept for the whole run. Each test has an app, and so a Jinja environment, of its own,
    which would compile every template it renders again (the GOV.UK macros are large); the key holds the
    template's source checksum, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = MemoryBytecodeCache()


def make_test_app(tmp_path, suite_database):
    """An app of the suite's own on a fresh database (see `fresh_database`), sharing the compiled templates."""
    app = create_app(_test_config(tmp_path, fresh_database(suite_database, tmp_path)))
    app.jinja_env.bytecode_cache = TEMPLATES
    app.test_cli_runner_class = CommandRunner
    return serve_requests_apart(app)


@pytest.fixture
def app(tmp_path, suite_database):
    """The test's app on a fresh database, as in Flask's tutorial (flaskr): no app context is left pushed.
    A test that uses the database, the factories or url_for outside a request asks for `app_context`."""
    app = make_test_app(tmp_path, suite_database)
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            _empty_postgresql_tables()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app_context(app):
    """An app context of the test's own, pushed for the whole test, with its own database session. The
    client's requests never run in it: each has an app context, a `g` and a session of its own
    (RequestsApart).

    When one of the test's requests ends (its app context is popped), the test's session forgets what it
    had read (expire_all): what the test reads next comes from the database as the request left it, never
    from an object loaded before (a request that wrongly changed a row cannot hide behind a stale copy).
    Requests served on other threads (the live server) are left alone: the session is the test thread's.
    """
    with app.app_context() as context:
        session = _db.session()
        thread = threading.get_ident()

        def forget_what_was_read(sender, **extra) -> None:
            if threading.get_ident() == thread:
                session.expire_all()

        appcontext_popped.connect(forget_what_was_read, app, weak=False)
        try:
            yield context
        finally:
            appcontext_popped.disconnect(forget_what_was_read, app)


@pytest.fixture
def db(app_context):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7]{4}(?: [A-Z2-7]{1,4})*)<')  # shown in groups of four


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
        """Sign in as a person would, typing the authenticator code too when one is asked for.

        Returns the last response: a 302 once signed in (the recovery codes page, 200, straight after
        setting up an authenticator app for an admin or lead made without one), the sign-in page on failure.
        """
        token = csrf_token(self.client, "/sign-in")
        response = self.client.post("/sign-in", data={"email": user.email, "password": password, "csrf_token": token})
        location = response.headers.get("Location", "") if response.status_code == 302 else ""
        if location.endswith("/sign-in/code"):
            return self.enter_code(user)
        if location.endswith("/sign-in/set-up-two-factor"):
            return self.set_up_two_factor("/sign-in/set-up-two-factor")
        return response

    def enter_code(self, user):
        # A code is accepted once only; tests sign the same person in several times within 30 seconds, so
        # forget the last step used, as if the next code had come round (test_two_factor tests the refusal).
        with self.client.application.app_context():  # the helper's own, whatever the test has pushed
            _db.session.execute(_db.update(User).where(User.id == user.id).values(totp_last_step=None))
            _db.session.commit()
            secret = _db.session.scalar(_db.select(User.totp_secret).filter_by(id=user.id))
        return self.post("/sign-in/code", {"code": pyotp.TOTP(secret).now()})

    def set_up_two_factor(self, url: str = "/account/two-factor"):
        """Scan the QR code (read the key off the page) and confirm with the app's code."""
        secret = SECRET_RE.search(self.client.get(url).get_data(as_text=True)).group(1).replace(" ", "")
        return self.post(url, {"code": pyotp.TOTP(secret).now()})

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
def login_as(auth, app_context):
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


@pytest.fixture(scope="session")
def route_walk(walk_database, tmp_path_factory):
    """Every route as every role: each role walked once a run, by the worker that runs its tests, when first
    asked for (tests/route_walk.py)."""
    from tests.route_walk import Walk

    return Walk(walk_database, tmp_path_factory)


@pytest.fixture
def records(app_context):
    """One record for every kind of id a URL takes, so route-wide tests can build every URL (make_records)."""
    return make_records()


def make_records() -> dict:
    """One record for every kind of id a URL takes, so route-wide tests can build every URL.

    The lead leads the plan, the owner owns its first action, the admin uploaded the pending import.
    A route with a new kind of id must add it here.
    """
    lead = make_user("lead", email="lead@example.police.uk")
    owner = make_user("owner", email="owner@example.police.uk")
    admin = make_user("admin", email="admin@example.police.uk")
    plan = make_plan(actions=4, lead_user=lead, owner=owner, updates_per_action=1)
    pending = make_pending_import(admin)
    objective = Objective(plan=plan, strand=Strand.PREPARE, ref="1", title="Raise awareness")
    contact = Contact(name="Esther Martin", role="Intel")
    _db.session.add_all([objective, contact])
    _db.session.commit()
    measure = make_measure(plan, actions=[plan.actions[0]])
    # The owner's export job, done: its page and file are the owner's alone.
    job = ExportJob(plan_id=plan.id, user_id=owner.id, audience="pcc", as_at=date(2025, 11, 25), status="done")
    job.content, job.filename = b"PK", "export.xlsx"
    _db.session.add(job)
    _db.session.commit()
    return {
        "job_id": job.id,
        "measure_id": measure.id,
        "year": 2025,
        "review_id": make_review(plan).id,
        "objective_id": objective.id,
        "contact_id": contact.id,
        "strand": "Prepare",
        "plan_id": plan.id,
        "action_id": plan.actions[0].id,
        "pending_id": pending.id,
        "lead": lead,
        "owner": owner,
        "admin": admin,
        "user_id": owner.id,
        "framework": "PCC",
        "token": "not-a-reset-token",
    }


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1, and the app configured to send through it; yields its Mailbox."""
    from tests.mail_server import start

    controller, mailbox = start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_FROM="Delivery Plan Tracker <tracker@example.police.uk>",
        BASE_URL="https://tracker.example.police.uk",
    )
    yield mailbox
    controller.stop()
