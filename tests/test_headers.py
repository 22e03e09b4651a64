"""What every response says about itself: security headers, no versions, error pages without stack traces."""

import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from flask import abort

from app import create_app
from app.permissions import public, requires
from config import ProductionConfig
from tests.pages import check_page
from tests.route_walk import Visit

INLINE_SCRIPT_RE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR_RE = re.compile(r"<[^>]+\sstyle=", re.I)
VERSION_RE = re.compile(r"werkzeug|python/\d|gunicorn/\d|flask/\d", re.I)


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def assert_hardened(response) -> None:
    csp = _csp(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert "Server" not in response.headers and "X-Powered-By" not in response.headers
    if response.mimetype.startswith("text/"):
        body = response.text if isinstance(response, Visit) else response.get_data(as_text=True)
        assert not VERSION_RE.search(body)


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_every_page_has_the_security_headers_and_no_inline_script_or_style(route_walk, role):
    """Every GET route, as the role walked it (tests/route_walk.py): the public sign-in pages too."""
    walked = route_walk[role]
    visits = [visit for visit in walked.phase("access") + walked.phase("public") if visit.method == "GET"]
    assert sorted(visit.endpoint for visit in visits) == sorted(route_walk.endpoints_with("GET"))  # each, once
    for visit in visits:
        assert_hardened(visit)
        if visit.mimetype != "text/html":  # a download: no page to look for inline script in
            continue
        page, url = visit.text, visit.url
        nonce = _csp(visit)["script-src"].split("'nonce-")[1].rstrip("'")
        for script in INLINE_SCRIPT_RE.findall(page):  # GOV.UK's one-line js-enabled switch, allowed by nonce
            assert f'nonce="{nonce}"' in script, f"inline <script> without this response's nonce on {url}"
        assert not STYLE_ATTR_RE.search(page), f"style= attribute on {url}"
        if visit.status == 200 and visit.mimetype == "text/html":
            assert visit.headers["Cache-Control"] == "no-store", url


def test_signed_out_pages_and_errors_have_the_headers_too(client):
    for response in (client.get("/sign-in"), client.get("/plans"), client.get("/no-such-page")):
        assert_hardened(response)


def test_each_response_gets_a_fresh_csp_nonce(client):
    first = _csp(client.get("/sign-in"))["script-src"]
    second = _csp(client.get("/sign-in"))["script-src"]
    assert "'nonce-" in first and first != second


def test_no_hsts_on_a_laptop(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


def test_production_sends_hsts_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    monkeypatch.setenv("DATABASE_URL", os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'prod.db'}")
    production = create_app(ProductionConfig)
    response = production.test_client().get("/sign-in", base_url="https://tracker.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_hardened(response)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_does_not_announce_versions(tmp_path):
    """The production server: `Server: gunicorn` and nothing that names a version."""
    port = _free_port()
    env = {**os.environ, "SECRET_KEY": "s" * 40}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2) as answer:
                    headers, body = answer.headers, answer.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert headers["Server"] == "gunicorn"
    assert not VERSION_RE.search(str(headers)) and not VERSION_RE.search(body)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


# Error pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def failing_routes(app):
    """Routes that exist only in these tests, registered before the app serves its first request."""

    @app.route("/test-only/boom")
    @public
    def boom():
        raise RuntimeError("database password is hunter2 at /srv/app/secret.py line 12")

    @app.route("/test-only/bad")
    @public
    def bad():
        abort(400)

    @app.route("/test-only/admin")
    @requires("admin")
    def admin_only():
        return "admins only"

    return app


def _no_leak(page: str) -> None:
    for leak in ("Traceback", 'File "', "hunter2", "secret.py", "RuntimeError", "werkzeug", "sqlalchemy"):
        assert leak not in page, leak


def test_500_page_has_an_incident_number_and_no_stack_trace(failing_routes, client, caplog):
    caplog.set_level(logging.ERROR)
    response = client.get("/test-only/boom")
    page = check_page(response, 500)
    assert "Sorry, there is a problem with the service" in page
    incident = re.search(r"Incident number: <strong>([0-9a-f]+)</strong>", page).group(1)
    _no_leak(page)
    assert_hardened(response)
    logged = [r for r in caplog.records if incident in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the trace goes to the log, not the page


def test_400_page(failing_routes, client):
    page = check_page(client.get("/test-only/bad"), 400)
    assert "Sorry, there is a problem with the request" in page
    _no_leak(page)


def test_403_page(failing_routes, client, login_as):
    login_as("viewer")
    page = check_page(client.get("/test-only/admin"), 403)
    assert "You do not have permission to see this page" in page
    _no_leak(page)


def test_403_is_logged(failing_routes, client, login_as, caplog):
    caplog.set_level(logging.WARNING, logger="app.security")
    user = login_as("viewer")
    client.get("/test-only/admin")
    assert any(
        '"event": "access.denied"' in r.getMessage() and f'"user_id": {user.id}' in r.getMessage()
        for r in caplog.records
    )


def test_404_page(client, login_as):
    login_as("viewer")
    page = check_page(client.get("/plans/999999999"), 404)
    assert "Page not found" in page
    _no_leak(page)


def test_unmarked_view_is_refused(app, client, login_as):
    @app.route("/test-only/forgotten")
    def forgotten():
        return "open door"

    login_as("admin")
    response = client.get("/test-only/forgotten")
    assert response.status_code == 403 and "open door" not in response.get_data(as_text=True)


def test_405_page(client, login_as):
    login_as("viewer")
    page = check_page(client.get("/sign-out"), 405)
    _no_leak(page)
