"""One signed-in person's browser, for bench/load.py: cookies, CSRF tokens read from forms, timings.

Standard library only (http.client): one connection per client, reopened when gunicorn closes it.
"""

import html
import http.client
import random
import re
import time
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pyotp

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')


class Unexpected(Exception):
    """A response a person would see as the tracker going wrong."""


@dataclass
class Sample:
    page: str
    status: int
    seconds: float


@dataclass
class Person:
    """Who the client is and what they may open: a role, how to sign in, and the ids of their pages."""

    role: str
    email: str
    password: str
    plan_ids: list[int]
    action_ids: list[int]
    totp_secret: str | None = None


@dataclass
class Client:
    person: Person
    port: int
    rng: random.Random
    samples: list[Sample] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)  # the texts of updates the server said it saved
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.cookies: dict[str, str] = {}

    # HTTP

    def request(self, page: str, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """Send one request; returns (status, body, Location). Every request is timed and kept."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.samples.append(Sample(page, 0, time.perf_counter() - started))
            raise Unexpected(f"{method} {path}: {error!r}") from error
        self.samples.append(Sample(page, response.status, time.perf_counter() - started))
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.status >= 500:
            raise Unexpected(f"{method} {path}: {response.status}")
        return response.status, text, urlsplit(response.headers.get("Location", "")).path

    def get(self, page: str, path: str) -> str:
        status, text, _ = self.request(page, "GET", path)
        if status != 200:
            raise Unexpected(f"GET {path}: {status}")
        return text

    def post(self, page: str, path: str, form: dict, token_from: str) -> tuple[int, str, str]:
        """POST with the CSRF token the form's page carries, as a browser would."""
        return self.request(page, "POST", path, {**form, "csrf_token": csrf(token_from)})

    # People

    def sign_in(self) -> None:
        """Once per client: the sign-in throttle counts failures only, and nobody here fails."""
        person = self.person
        page = self.get("sign in", "/sign-in")
        status, _, where = self.post("sign in", "/sign-in", {"email": person.email, "password": person.password}, page)
        if status == 302 and where == "/sign-in/code" and person.totp_secret:
            page = self.get("sign in", "/sign-in/code")
            code = pyotp.TOTP(person.totp_secret).now()
            status, _, where = self.post("sign in", "/sign-in/code", {"code": code}, page)
        if status != 302 or where.startswith("/sign-in"):
            raise Unexpected(f"{person.email} could not sign in ({status} to {where})")

    def one_step(self, number: int) -> None:
        """One thing a person of this role does: mostly reading, and for owners, writing an update."""
        person, rng = self.person, self.rng
        plan_id, action_id = rng.choice(person.plan_ids), rng.choice(person.action_ids)
        views = {
            "plans": "/plans",
            "plan page": f"/plans/{plan_id}",
            "action page": f"/actions/{action_id}",
            "dashboard": f"/plans/{plan_id}/dashboard",
            "my actions": "/my-actions",
        }
        if person.role == "lead":
            views["review queue"] = f"/plans/{plan_id}/review"
        if person.role == "owner" and rng.random() < 0.3:
            self.add_update(action_id, number)
            return
        page = rng.choice(list(views))
        self.get(page, views[page])

    def add_update(self, action_id: int, number: int) -> None:
        form_page = self.get("action page", f"/actions/{action_id}")
        version = VERSION_RE.search(form_page)
        if version is None:
            raise Unexpected(f"no update form on action {action_id} for {self.person.email}")
        text = f"Load test: {self.person.email} update {number}"
        today = date.today()
        form = {
            "as_at": [str(today.day), str(today.month), str(today.year)],
            "text": text,
            "rag": self.rng.choice(["red", "amber", "green"]),
            "version": version.group(1),
        }
        status, body, _ = self.post("add update", f"/actions/{action_id}/updates", form, form_page)
        if status == 302:
            self.saved.append(text)
        elif status == 409 and "Your update has not been saved" in body:
            self.conflicts += 1  # someone else's update got in first; the person is told and keeps the text
        else:
            raise Unexpected(f"update on action {action_id}: {status}")

    def run_until(self, deadline: float) -> None:
        number = 0
        while time.monotonic() < deadline:
            number += 1
            try:
                self.one_step(number)
            except Unexpected as error:
                self.errors.append(str(error))


def csrf(page: str) -> str:
    match = CSRF_RE.search(page)
    if match is None:
        raise Unexpected("no CSRF token on the page")
    return html.unescape(match.group(1))
