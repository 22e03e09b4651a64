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
from tests.factories import PASSWORD, make_user
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


def page_of(response) -> str:
    return response.get_data(as_text=True) if response is not None and response.mimetype == "text/html" else ""


def walked_page(route_walk, role: str, endpoint: str) -> str:
    """The page of a GET route as the role found it on the shared walk (tests/route_walk.py), else ""."""
    walked = route_walk[role]
    visits = [v for v in walked.phase("access") + walked.phase("public") if v.endpoint == endpoint]
    return visits[0].text if visits and visits[0].method == "GET" and visits[0].mimetype == "text/html" else ""


def walked_user(records: dict, role: str):
    """The person the shared walk signed in as for the role (the plan's lead, the action's owner, the admin who
    uploaded the pending import; any viewer), on this test's own copy of the same records."""
    return records[role] if role in ("admin", "lead", "owner") else make_user(role)


def fuzz_route(client, url: str, methods: set[str], token: str, page: str | None = None) -> int:
    """Send every value to every field of every form at `url` (found on its `page`, fetched when not given);
    returns how many requests were made."""
    sent = 0
    if page is None:
        page = page_of(client.get(url)) if "GET" in methods else ""
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


@pytest.mark.parametrize("role", ["admin", "lead", "owner", "viewer"])
def test_every_form_survives_hostile_input(app, client, records, route_walk, role):
    user = walked_user(records, role)
    auth = AuthActions(client)
    assert auth.login(user).status_code == 302
    token = CSRF_RE.search(client.get("/account").get_data(as_text=True)).group(1)
    sent = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in ("static", "auth.sign_out"):
            continue
        url = rule.build({name: records[name] for name in rule.arguments})[1]
        sent += fuzz_route(client, url, rule.methods, token, walked_page(route_walk, role, rule.endpoint))
        if not client.get("/account").status_code == 200:  # e.g. the admin reset their own app
            assert auth.login(db.session.get(User, user.id)).status_code in (200, 302)
    assert sent > 100
    assert client.get("/plans").status_code == 200


def test_sign_in_survives_hostile_input(app_context, client):
    make_user("owner", email="real@example.police.uk")
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    assert fuzz_route(client, "/sign-in", {"GET", "POST"}, token) > 20
    assert client.get("/plans").status_code == 302  # nobody signed in by any of it


@pytest.mark.parametrize("url", ["/sign-in/code", "/sign-in/set-up-two-factor"])
def test_second_step_survives_hostile_input(app_context, client, url):
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


def test_oversized_sign_in_and_code_get_a_clear_message(app_context, client):
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


# The query string of every GET route ----------------------------------------------------------------------

HOSTILE_QUERIES = [
    "_external=1",
    "_anchor=x",
    "_anchor=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "_scheme=javascript",
    "_method=POST",
    "_external=1&_scheme=https&_anchor=top",
    "page=99999999999999999999",
    "page=-1",
    "page=0",
    "page=abc",
    "page=1e9",
    "page=2&page=3",
    "date_to=31&date_to=12&date_to=9999",
    "date_from=31&date_from=12&date_from=9999&date_to=31&date_to=12&date_to=9999",
    "date_from=1&date_from=1&date_from=1",
    "date_to=99999999999999999999&date_to=1&date_to=2026",
    "date_from=0&date_from=0&date_from=0",
    "date_to=29&date_to=2&date_to=2025",
    "owner=99999999999999999999",
    "user=99999999999999999999",
    "user=-1",
    "strand=%FF%FE",
    "rag=x&rag=y",
    "only=x&only=overdue&only=overdue",
    "q=" + "a" * 5000,
    "audience=x",
    "audience=",
    "next=//evil.example",
    "verb=" + "v" * 3000,
]
QUERY_VALUES = ["", "   ", SCRIPT, "99999999999999999999999999", "-1", "1e309", "Zażółć 🚓 \u202eevil", "A" * 5000]
GET_FORM_RE = re.compile(r'<form\b[^>]*method="get"[^>]*>(.*?)</form>', re.S | re.I)


def hostile_queries(page: str) -> list:
    """The fixed hostile queries, and every field of the page's GET forms with each fixed hostile value."""
    fields = set()
    for body in GET_FORM_RE.findall(page):
        fields |= set(FIELD_RE.findall(body))
    per_field = [{name: value} for name in sorted(fields) for value in QUERY_VALUES]
    return HOSTILE_QUERIES + per_field + [dict.fromkeys(fields, value) for value in FIXED_VALUES if fields]


class RenderEachHtmlOnce:
    """The board pack's HTML-to-PDF step (WeasyPrint, a pure function of the HTML it is given) done once for
    each distinct HTML. Every request still runs the whole route (its query parsing, the pack, its template, the
    export audit, the response); only a second WeasyPrint render of HTML already rendered is saved. HTML that a
    query string changed is rendered afresh."""

    def __init__(self, render):
        self.render = render
        self.pdfs: dict[str, bytes] = {}
        self.calls = 0

    def __call__(self, html: str) -> bytes:
        self.calls += 1
        if html not in self.pdfs:
            self.pdfs[html] = self.render(html)
        return self.pdfs[html]


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_every_get_route_survives_a_hostile_query_string(app, client, records, route_walk, role, monkeypatch):
    """Each GET route's answer without a query string is the one the role had on the shared walk."""
    from app.services.reporting import board_pack_pdf

    # The role is walked first (its walk prints the board pack too), so that only this test's PDFs are counted.
    walked = route_walk[role]
    renders = RenderEachHtmlOnce(board_pack_pdf.html_to_pdf)
    monkeypatch.setattr(board_pack_pdf, "html_to_pdf", renders)
    pdfs = 0
    user = walked_user(records, role)
    auth = AuthActions(client)
    assert auth.login(user).status_code == 302
    baselines = {v.endpoint: v for v in walked.phase("access") + walked.phase("public") if v.method == "GET"}
    sent = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.build({name: records[name] for name in rule.arguments})[1]
        baseline = baselines[rule.endpoint]
        page = baseline.text if baseline.mimetype == "text/html" else ""
        for query in hostile_queries(page):
            limiter.reset()
            response = client.get(url, query_string=query)
            what = f"GET {url}?{str(query)[:60]}"
            assert response.status_code in (baseline.status, 400), f"{what}: {response.status_code}"
            if response.mimetype == "text/html":
                body = response.get_data(as_text=True)
                assert "http://localhost" not in body, f"{what}: a link built from the Host header"
                assert SCRIPT not in body and "<script>alert(1)" not in body, f"{what}: unescaped"
            if response.mimetype == "application/pdf":
                assert response.get_data().startswith(b"%PDF-"), f"{what}: not a PDF"
                pdfs += 1
            sent += 1
        db.session.rollback()
        if client.get("/account").status_code != 200:  # a GET never signs anybody out; this is a guard
            assert auth.login(db.session.get(User, user.id)).status_code in (200, 302)
    assert sent > 200
    # Every PDF answered was printed from the HTML its request rendered; that HTML shows no query text unescaped.
    assert pdfs > 20 and renders.calls == pdfs and renders.pdfs, (pdfs, renders.calls)
    for html in renders.pdfs:
        assert SCRIPT not in html and "<script>alert(1)" not in html, "board pack: unescaped"


def test_underscore_parameters_never_reach_the_links_of_a_long_plan(client, login_as):
    from tests.factories import make_plan

    login_as("viewer")
    plan = make_plan(actions=102)  # two pages of actions: the page links are built from the query string
    for query in ("_anchor=x&strand=Prevent", "_external=1", "_scheme=ftp&_external=1&page=2"):
        page = check_page(client.get(f"/plans/{plan.id}", query_string=query))
        assert "http://localhost" not in page and "ftp:" not in page and "#x" not in page
        assert "_anchor" not in page and "_external" not in page and "_scheme" not in page
    page = check_page(client.get(f"/plans/{plan.id}", query_string="page=99999999999999999999"))
    assert 'aria-current="page"' in page or "Pages of actions" in page


def test_impossible_audit_dates_and_pages_are_ignored(client, login_as):
    login_as("admin")
    for query in (
        "date_to=31&date_to=12&date_to=9999",
        "page=99999999999999999999",
        "date_from=31&date_from=12&date_from=9999",
    ):
        assert client.get("/admin/audit", query_string=query).status_code == 200
