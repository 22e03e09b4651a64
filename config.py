"""Configuration read from the environment.

`Config` is for a laptop (SQLite under instance/), `TestConfig` for the suite and
`ProductionConfig` for a multi-user deployment, which refuses to start half-configured.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _database_url(variable: str = "DATABASE_URL") -> str:
    url = os.environ.get(variable, "")
    if url.startswith("postgres://"):  # Heroku-style URLs; SQLAlchemy needs the driver named
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{BASE_DIR / 'instance' / 'tracker.db'}"


class Config:
    # None: the app makes a random key on its first start and keeps it in instance/secret_key (app/secret_key.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    PORT = int(os.environ.get("PORT", "5000"))

    # Sessions: nothing lives in the web process; the cookie carries a per-user token that is rotated at sign-out.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)  # idle: the cookie is re-signed on every request
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)  # however busy: sign in again after a long day
    REMEMBER_COOKIE_DURATION = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Sign-in throttling: failed attempts per address and per account, counted in Flask-Limiter's storage
    # (app/auth/throttling.py). "memory://" suits one process; several workers or machines must share one
    # store: Redis, RATELIMIT_STORAGE_URI=redis://host:6379/0. ProductionConfig insists on it.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "moving-window"  # the throttle counts and checks in one step: it needs this strategy
    SIGN_IN_LIMIT_PER_ADDRESS = os.environ.get("SIGN_IN_LIMIT_PER_ADDRESS", "5 per minute; 30 per hour")
    SIGN_IN_LIMIT_PER_ACCOUNT = os.environ.get("SIGN_IN_LIMIT_PER_ACCOUNT", "10 per hour")
    # Behind a load balancer, the number of proxies that add X-Forwarded-For/-Proto: without it every
    # request seems to come from the proxy, and throttling per address would throttle everybody at once.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    # Uploads: a plan workbook is a few hundred KB; 20 MB leaves room and refuses anything absurd.
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    # E-mail (reminders, decisions, the lead's digest, password reset links): any SMTP server. MAIL_USE_TLS=1
    # upgrades the connection with STARTTLS (port 587), MAIL_USE_SSL=1 speaks TLS from the start (port 465).
    # Without MAIL_SERVER and MAIL_FROM nothing is e-mailed: `flask reminders send` says so and fails.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 0)  # 0: 587 with STARTTLS, 465 with SSL, else 25
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "")
    MAIL_TIMEOUT_SECONDS = 20
    # The address people reach the tracker at, for the links in e-mails ("https://tracker.force.police.uk").
    # Links are never built from the request's Host header, which whoever sends the request chooses.
    BASE_URL = os.environ.get("BASE_URL", "")
    PASSWORD_RESET_HOURS = 1
    PASSWORD_RESET_LIMIT_PER_ADDRESS = os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10 per hour")
    PASSWORD_RESET_LIMIT_PER_ACCOUNT = os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "3 per hour")

    EXPORTS_DIR = BASE_DIR / "exports"
    # A large plan's export runs in a process of its own (app/services/exporting/jobs.py): "process" starts
    # `flask plans run-export JOB`; "none" only writes the job, for a caller that runs it itself (the suite).
    EXPORT_JOBS_LAUNCH = "process"
    # The exporting process shows it is alive this often; a job silent for longer than the second is lost.
    EXPORT_JOB_HEARTBEAT_SECONDS = 20
    EXPORT_JOB_CHECK_MS = 3000  # how often a job's page asks whether the file is ready (static/export_job.js)
    EXPORT_JOB_SILENT_SECONDS = 120
    PLANS_DIR = BASE_DIR / "plans"
    SQLITE_BUSY_TIMEOUT_MS = 5000
    PREFERRED_URL_SCHEME = "http"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = secrets.token_hex(32)  # new for every run of the suite
    # The suite runs on a throwaway SQLite file unless TEST_DATABASE_URL points it at a PostgreSQL database
    # whose name ends in _test (see .ci/run and tests/conftest.py). It never reads DATABASE_URL: that is the
    # deployment's database, and the suite drops tables.
    SQLALCHEMY_DATABASE_URI = _database_url("TEST_DATABASE_URL") if os.environ.get("TEST_DATABASE_URL") else "sqlite://"
    PASSWORD_HASH_FAST = True
    MAIL_SERVER = MAIL_FROM = BASE_URL = ""  # never the environment's: tests start their own SMTP server
    WTF_CSRF_ENABLED = True
    EXPORT_JOBS_LAUNCH = "none"  # the tests run each export job as `flask plans run-export` would
    EXPORT_JOB_CHECK_MS = 200  # the browser tests wait for the page to check in place: not three seconds of it


class ProductionConfig(Config):
    PRODUCTION = True  # refuses `flask demo`, whose accounts share a published password
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Refuse to run a shared deployment on a development secret or an implicit SQLite file."""
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"ProductionConfig needs {' and '.join(missing)} set in the environment")
        from app.secret_key import MIN_LENGTH, is_strong

        if not is_strong(os.environ["SECRET_KEY"]):
            raise RuntimeError(f"ProductionConfig needs a SECRET_KEY of {MIN_LENGTH} random characters or more")
        cls.SECRET_KEY = os.environ["SECRET_KEY"]
        cls.SQLALCHEMY_DATABASE_URI = _database_url()
        cls.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        if problem := rate_limit_store_problem(cls.RATELIMIT_STORAGE_URI, os.environ.get("RATELIMIT_SINGLE_PROCESS")):
            raise RuntimeError(problem)


def rate_limit_store_problem(uri: str, single_process: str | None) -> str | None:
    """Why a production deployment may not count sign-in failures in `uri`, or None.

    Each gunicorn worker has its own memory: with memory:// every worker would count on its own, and an
    attacker would get the limit once per worker. So production needs Redis, shared by every worker and
    machine, unless the operator says there is only one process (RATELIMIT_SINGLE_PROCESS=1, e.g.
    `gunicorn -w 1` on one machine). Only Redis is accepted besides: the throttle needs its moving window.
    """
    scheme = uri.split("://", 1)[0]
    if scheme == "memory":
        if single_process == "1":
            return None
        return (
            "ProductionConfig needs RATELIMIT_STORAGE_URI=redis://host:6379/0, a store that every worker shares; "
            "set RATELIMIT_SINGLE_PROCESS=1 instead only if a single process serves the tracker"
        )
    if scheme not in ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster"):
        return f"RATELIMIT_STORAGE_URI must be redis://… (or memory:// for one process), not {scheme}://"
    return None
