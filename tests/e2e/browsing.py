"""One person's browser on the live server: every page they reach is photographed and checked.

`Person.check(step)` is called on each page of a journey. It saves a screenshot under tests/screenshots/
(ignored by git), asserts the GOV.UK page shape (one <h1>, a title that starts with it), checks chart text
is in the page's font (SVG text falls back to serif otherwise), runs axe-core and fails on any violation
whatever its impact (minor and moderate too), and fails on any console error, which is how a page broken
by its own Content-Security-Policy shows itself.

axe is evaluated in the page through the DevTools protocol, which the page's CSP does not govern, so the
pages are audited exactly as served (a <script> tag added by the test would be blocked, as it should be).
"""

import re
import shutil
from pathlib import Path

import pyotp
from playwright.sync_api import Page

from tests.factories import PASSWORD

VENDOR = Path(__file__).parent / "vendor"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
SCREENSHOTS = Path(__file__).parents[1] / "screenshots"

AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


class Person:
    """A signed-out browser tab for one person, on its own cookie jar."""

    def __init__(self, page: Page, base_url: str, folder: str):
        self.page, self.base_url = page, base_url
        self.folder = SCREENSHOTS / folder
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.steps = 0
        self.console_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        # A page answered with 4xx (a 409 conflict page, a form with errors) is logged as a failed resource
        # too; failed sub-resources are caught by _on_response instead, with their URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def _on_response(self, response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.console_errors.append(f"{response.status} for {response.url}")

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def follow(self, locator) -> None:
        """Click a link or button that leads to another page, and wait until that page has loaded."""
        with self.page.expect_navigation():
            locator.click()

    def check(self, step: str) -> None:
        """Screenshot the page, then fail on a malformed page, an axe violation or a console error."""
        page = self.page
        self.steps += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        page.screenshot(path=str(self.folder / f"{self.steps:02d}-{name}.png"), full_page=True)
        h1s = page.locator("h1").all_inner_texts()
        assert len(h1s) == 1, f"{step}: expected one <h1>, found {h1s}"
        heading = " ".join(h1s[0].split())
        assert page.title().removeprefix("Error: ").startswith(heading), f"{step}: title {page.title()!r}"
        fonts = set(page.eval_on_selector_all("svg text", "els => els.map(e => getComputedStyle(e).fontFamily)"))
        assert all(f.startswith('"GDS Transport"') for f in fonts), (
            f"{step}: chart text in {fonts}, not the page's font"
        )
        violations = self.axe()
        assert not violations, f"{step}: axe found {violations}"
        assert not self.console_errors, f"{step}: the browser reported {self.console_errors}"

    def axe(self) -> list[dict]:
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        return self.page.evaluate(AXE_RUN)

    def sign_in(self, email: str, *, totp_secret: str | None = None, password: str = PASSWORD) -> None:
        """Sign in as a person would, typing the authenticator app's code when one is asked for."""
        page = self.page
        self.go("/sign-in")
        self.check("sign in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        self.follow(page.get_by_role("button", name="Sign in"))
        if totp_secret is not None:
            assert page.url.endswith("/sign-in/code"), page.url
            self.check("enter your sign-in code")
            page.get_by_label("Code").fill(pyotp.TOTP(totp_secret).now())
            self.follow(page.get_by_role("button", name="Continue"))

    def heading(self) -> str:
        return " ".join(self.page.locator("h1").inner_text().split())

    def banner(self) -> str:
        return " ".join(self.page.locator(".govuk-notification-banner").inner_text().split())


def open_browser(new_context, live_server, folder: str) -> Person:
    """A browser context of its own (cookies, downloads) for one person."""
    context = new_context()
    context.set_default_timeout(10_000)
    return Person(context.new_page(), live_server.url, folder)
