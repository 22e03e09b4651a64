"""Checks every page the client fetches must pass: one <h1>, a <title> that starts with it."""

import html
import re

H1_RE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)
TAG_RE = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(TAG_RE.sub(" ", fragment)).split())


def check_page(response, status: int = 200) -> str:
    """Assert the page is well formed for GOV.UK and return its HTML."""
    assert response.status_code == status, response.status_code
    page = response.get_data(as_text=True)
    h1s = H1_RE.findall(page)
    assert len(h1s) == 1, f"expected one <h1>, found {len(h1s)}"
    title = text_of(TITLE_RE.search(page).group(1))
    heading = text_of(h1s[0])
    assert title.removeprefix("Error: ").startswith(heading), f"title {title!r} does not start with {heading!r}"
    return page


def field_value(page: str, name: str) -> str:
    """The value of the (first) input with this name, as a browser would submit it."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert match, f"no input named {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def textarea_value(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea named {name}"
    return html.unescape(match.group(1)).strip("\n")
