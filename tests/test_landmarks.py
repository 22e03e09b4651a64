"""Every page keeps its content inside landmarks: the Back link sits in <main>, as on GOV.UK pages.

Routes are walked from the URL map as an admin (who reaches every page), so a page added later is checked too.
The browser tests run axe on the pages of each journey and fail on a finding of any impact.
"""

import re

from app.extensions import db

BACK_LINK = re.compile(r'<a [^>]*class="govuk-back-link"')


def test_every_back_link_is_inside_the_main_landmark(app, client, auth, records):
    assert auth.login(records["admin"]).status_code == 302
    with_back_link = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in ("static", "auth.sign_out") or "GET" not in rule.methods:
            continue
        response = client.get(rule.build({name: records[name] for name in rule.arguments})[1])
        page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        db.session.rollback()
        for link in BACK_LINK.finditer(page):
            main = re.search(r"<main\b.*?</main>", page, re.S)
            assert main and main.start() < link.start() < main.end(), f"{rule.endpoint}: Back link outside <main>"
            with_back_link.append(rule.endpoint)
    assert {"plans.show", "plans.action", "dashboard.show", "actions.edit"} <= set(with_back_link)
