"""Fuzz every form: random, oversized, control-character, unicode and HTML values never give a 500,
and whatever comes back shows the text escaped.

Forms are found, not listed: each route's page is fetched and the names of its form fields read, so a
form added later is fuzzed too. POST-only routes get the same values under made-up field names.
"""

import random
import re

import pytest

from app.extensions import db, limiter
from app.models import User
from tests.conftest import CSRF_RE, AuthActions
from tests.factories import PASSWORD, make_plan, make_user
from tests.pages import check_page

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
FIXED_VALUES = [
    "",
    "   ",
    "A" * 100_000,
    "\x00\x01\x02\x0b\x0c\x1b\x7f",
    "line one\r\nline two\rthree\nfour",
    "Zażółć gęślą jaźń 🚓 \u202eevil\u202c \ufeff e\u0301 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    SCRIPT,
    IMG,
    "{{ 7 * 7 }}{% raw %}",
    "' OR 1=1 --; DROP TABLE user;",
    "javascript:alert(1)",
    "-1",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "../../../../etc/passwd",
    "%00%0d%0a",
]
FIELD_RE = re.compile(r'<(?:input|select|textarea|button)[^>]*\bname="([^"]+)"', re.I)
FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
RANDOM_ALPHABET = [chr(c) for c in range(0, 0x250)] + ["🚓", "\u202e", "<", ">", '"', "'", "&", "%"]


def random_values(seed: int, count: int = 6) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(RANDOM_ALPHABET) for _ in range(rng.choice([1, 10, 300, 5000]))) for _ in range(count)]


def values() -> list[str]:
    return FIXED_VALUES + random_values(2026)


def forms_on(page: str, url: str) -> list[tuple[str, set[str]]]:
    """(method, field names) of each form on the page that submits to the page itself, without the CSRF token."""
    found = []
    for attributes, body in FORM_RE.findall(page):
        action = re.search(r'action="([^"]*)"', attributes)
        if action and action.group(1) not in ("", url):
            continue  # e.g. the footer's sign-out button: fuzzed at its own route
        method = "get" if re.search(r'method="get"', attributes, re.I) else "post"
        found.append((method, set(FIELD_RE.findall(body)) - {"csrf_token"}))
    return found


def assert_safe(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        assert SCRIPT not in page and IMG not in page, f"{what}: unescaped user text"


def fuzz_route(client, url: str, methods: set[str], token: str) -> int:
    """Send every value to every field of every form at `url`; returns how many requests were made."""
    sent = 0
    page = client.get(url).get_data(as_text=True) if "GET" in methods else ""
    forms = forms_on(page, url) or [("post", set())]
    for method, fields in forms:
        if method == "post" and "POST" not in methods:
            continue
        fields = fields or {"name", "code", "text"}  # POST-only routes: made-up fields must be harmless too
        for value in values():
            limiter.reset()  # throttling is tested elsewhere; here every request must reach the form
            data = dict.fromkeys(fields, value)
            if method == "get":
                response = client.get(url, query_string=data)
            else:
                response = client.post(url, data={**data, "csrf_token": token})
                assert "Your form has expired" not in response.get_data(as_text=True), f"{url}: CSRF, not fuzzed"
            assert_safe(response, f"{method.upper()} {url} with {value[:30]!r}")
            sent += 1
        db.session.rollback()
    return sent


@pytest.fixture
def records(app):
    owner = make_user("owner")
    plan = make_plan(actions=2, owner=owner, updates_per_action=1)
    return {"plan_id": plan.id, "action_id": plan.actions[0].id, "user_id": owner.id, "framework": "PCC"}


@pytest.mark.parametrize("role", ["admin", "lead", "owner", "viewer"])
def test_every_form_survives_hostile_input(app, client, records, role):
    user = make_user(role)
    auth = AuthActions(client)
    assert auth.login(user).status_code == 302
    token = CSRF_RE.search(client.get("/account").get_data(as_text=True)).group(1)
    sent = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in ("static", "auth.sign_out"):
            continue
        url = rule.build({name: records[name] for name in rule.arguments})[1]
        sent += fuzz_route(client, url, rule.methods, token)
        if not client.get("/account").status_code == 200:  # e.g. the admin reset their own app
            assert auth.login(db.session.get(User, user.id)).status_code in (200, 302)
    assert sent > 100
    assert client.get("/plans").status_code == 200


def test_sign_in_survives_hostile_input(client):
    make_user("owner", email="real@example.police.uk")
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    assert fuzz_route(client, "/sign-in", {"GET", "POST"}, token) > 20
    assert client.get("/plans").status_code == 302  # nobody signed in by any of it


@pytest.mark.parametrize("url", ["/sign-in/code", "/sign-in/set-up-two-factor"])
def test_second_step_survives_hostile_input(client, url):
    user = make_user("lead", two_factor=url.endswith("code"))
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(url)
    assert page.status_code == 200
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)  # the password step started a new session
    assert fuzz_route(client, url, {"GET", "POST"}, token) > 20
    assert client.get("/plans").status_code == 302


def test_invalid_utf8_and_repeated_fields(client):
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    body = f"email=%FF%FE%C0%AF&email=second&password=%ED%A0%80&csrf_token={token}"
    response = client.post("/sign-in", data=body, content_type="application/x-www-form-urlencoded")
    assert_safe(response, "invalid UTF-8")
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_oversized_multipart_gets_the_too_big_page(client):
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    response = client.post(
        "/sign-in",
        data={"email": "x" * 2_000_000, "password": "y", "csrf_token": token},
        content_type="multipart/form-data",
    )
    check_page(response, 413)


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/account/password", "current_password", "Password must be 128 characters or fewer"),
        ("/account/password", "new_password", "Password must be between 12 and 128 characters"),
        ("/admin/users/new", "name", "Name must be 120 characters or fewer"),
        ("/admin/users/new", "email", "Email address must be 254 characters or fewer"),
        ("/admin/users/new", "password", "Password must be between 12 and 128 characters"),
    ],
)
def test_oversized_values_get_a_clear_message(client, login_as, url, field, message):
    login_as("admin")
    token = CSRF_RE.search(client.get(url).get_data(as_text=True)).group(1)
    page = check_page(client.post(url, data={field: "x" * 100_000, "csrf_token": token}))
    assert message in page and "govuk-error-summary" in page


def test_oversized_sign_in_and_code_get_a_clear_message(client):
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    page = check_page(client.post("/sign-in", data={"email": "x" * 100_000, "password": "p", "csrf_token": token}))
    assert "Email address is too long" in page
    user = make_user("lead")
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    token = CSRF_RE.search(client.get("/sign-in/code").get_data(as_text=True)).group(1)  # a new session
    page = check_page(client.post("/sign-in/code", data={"code": "9" * 100_000, "csrf_token": token}))
    assert "Enter a 6-digit code or a recovery code" in page


def test_typed_html_comes_back_as_text(client, login_as):
    login_as("admin")
    token = CSRF_RE.search(client.get("/admin/users/new").get_data(as_text=True)).group(1)
    form = {"name": SCRIPT, "email": IMG, "role": "owner", "password": "short", "csrf_token": token}
    page = check_page(client.post("/admin/users/new", data=form))
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page  # kept, shown as text
    assert SCRIPT not in page and IMG not in page
