"""Timing pages through the Flask test client, warm, and counting the SQL statements each one sends."""

import math
import re
import statistics
import time
from dataclasses import dataclass

import pyotp
from sqlalchemy import event, select, update

from app.extensions import db
from app.models import User
from bench.database import PASSWORD, BenchData

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WARM_UP = 3


@dataclass
class PageResult:
    name: str
    url: str
    p50_ms: float
    p95_ms: float
    queries: int
    queries_small: int | None  # the same page of the small (seed) plan


def pages(data: BenchData) -> list[tuple[str, str, str | None, str]]:
    """(name, URL on the big plan, the same URL on the small plan or None, who signs in)."""
    big, small = data.plan_id, data.small_plan_id
    lead, owner = data.lead_email, data.owner_email
    return [
        ("Plans list", "/plans", None, lead),
        ("Dashboard", f"/plans/{big}/dashboard", f"/plans/{small}/dashboard", lead),
        ("Plan page", f"/plans/{big}", f"/plans/{small}", lead),
        ("Plan page, filtered", f"/plans/{big}?rag=red&only=stale", f"/plans/{small}?rag=red&only=stale", lead),
        ("Plan page, searched", f"/plans/{big}?q=Sentinel", f"/plans/{small}?q=Sentinel", lead),
        ("Action page (50 updates)", f"/actions/{data.action_id}", f"/actions/{data.small_action_id}", lead),
        ("Action edit page", f"/actions/{data.action_id}/edit", f"/actions/{data.small_action_id}/edit", lead),
        ("Review queue", f"/plans/{big}/review", f"/plans/{small}/review", lead),
        ("My actions", "/my-actions", None, owner),
        ("Traceability: PCC", "/links/PCC", None, lead),
        ("Traceability: NS", "/links/NS", None, lead),
    ]


def sign_in(app, client, email: str) -> None:
    """Sign in as a person would, typing the authenticator code when one is asked for."""
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client)})
    if response.headers.get("Location", "").endswith("/sign-in/code"):
        with app.app_context():
            # A code works once; signing in again within 30 seconds (a second run) needs the next one to have come.
            db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
            db.session.commit()
            secret = db.session.scalar(select(User.totp_secret).where(User.email == email))
        response = client.post(
            "/sign-in/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": _csrf(client, "/sign-in/code")}
        )
    if response.status_code != 302:
        raise RuntimeError(f"Could not sign in as {email}: {response.status_code}")


def _csrf(client, url: str = "/sign-in") -> str:
    return CSRF_RE.search(client.get(url).get_data(as_text=True)).group(1)


def count_queries(app, client, url: str) -> int:
    """The statements one request of the page sends when it draws the page (counted with a before_cursor_execute
    listener), with nothing kept between requests: a kept page sends only the few statements that look it up, so
    the big plan's warm page and the small plan's first one would not compare."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    kept, app.config["PAGE_CACHE"] = app.config.get("PAGE_CACHE", True), False
    event.listen(engine, "before_cursor_execute", count)
    try:
        fetch(client, url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        app.config["PAGE_CACHE"] = kept
    return len(statements)


def fetch(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    response.get_data()


def time_pages(app, data: BenchData, runs: int) -> list[PageResult]:
    """Each page `runs` times after a warm-up, in turn (page A, page B, …, then again), signed in once per role.

    Called outside any app context: each request pushes its own, as in production.
    """
    clients = {}
    for _, _, _, email in pages(data):
        if email not in clients:
            clients[email] = app.test_client()
            sign_in(app, clients[email], email)
    timings: dict[str, list[float]] = {name: [] for name, *_ in pages(data)}
    for _, url, _, email in pages(data):
        for _ in range(WARM_UP):
            fetch(clients[email], url)
    for _ in range(runs):
        for name, url, _, email in pages(data):
            start = time.perf_counter()
            fetch(clients[email], url)
            timings[name].append((time.perf_counter() - start) * 1000)
    results = []
    for name, url, small_url, email in pages(data):
        client = clients[email]
        results.append(
            PageResult(
                name,
                url,
                statistics.median(timings[name]),
                percentile(timings[name], 95),
                count_queries(app, client, url),
                count_queries(app, client, small_url) if small_url else None,
            )
        )
    return results


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile: the value p% of the runs were at or under."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]
