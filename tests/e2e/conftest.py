"""Browser tests: the app served on 127.0.0.1 by a real HTTP server, driven by Debian's chromium.

Without /usr/bin/chromium (or CHROMIUM_PATH) the browser tests are deselected and the run says so in one
line; the rest of the suite runs as usual. `.ci/run` installs chromium, so CI always runs them.
"""

import os
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from tests.conftest import CHROMIUM

MISSING_KEY = pytest.StashKey[int]()


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)
    if chromium_available():
        return
    browser_tests = [item for item in items if item.get_closest_marker("e2e")]
    if browser_tests:
        config.stash[MISSING_KEY] = len(browser_tests)
        items[:] = [item for item in items if not item.get_closest_marker("e2e")]
        config.hook.pytest_deselected(items=browser_tests)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    missing = config.stash.get(MISSING_KEY, 0)
    if missing:
        terminalreporter.write_line(
            f"Browser tests not run: {CHROMIUM} is missing ({missing} deselected; apt-get install chromium)",
            yellow=True,
        )


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture
def live_server(app):
    """The test's app (CSRF on, its own database) on a free port of 127.0.0.1, one thread a request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Every person gets a context of their own on the live server's URL (see browsing.open_browser).
    args = {key: value for key, value in browser_context_args.items() if key != "base_url"}
    return {**args, "viewport": {"width": 1280, "height": 900}, "accept_downloads": True, "locale": "en-GB"}
