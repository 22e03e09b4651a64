"""Changing an id in the URL never gives data or changes anything; restricted text never reaches viewers.

The tests walk the URL map, so routes added later are covered without editing this file: a route that
changes records must refuse a record that belongs to another plan or owner; a route that shows pages
must never show a viewer a restricted update or a restricted action's text.
"""

import io
import zipfile

import pytest
from pypdf import PdfReader

from tests.conftest import make_records
from tests.route_walk import MISSING_ID, POST_OPEN_TO_ALL, SECRETS, make_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def world(app_context, app):
    """Two plans. Ours is led by `lead` with an action owned by `owner`; theirs belongs to other people and
    holds restricted material (tests/route_walk.py, which walked every route with these same records)."""
    return make_world(make_records())


@pytest.mark.parametrize("role", ["lead", "owner", "viewer"])
def test_changes_to_other_peoples_records_are_refused(route_walk, role):
    walked = route_walk[role]
    visits = walked.phase("others")
    assert {visit.endpoint for visit in visits} == route_walk.endpoints_with(
        "POST"
    ) & route_walk.with_ids - POST_OPEN_TO_ALL
    failures = [f"POST {visit.endpoint}: {visit.status}" for visit in visits if visit.status not in (403, 404)]
    assert not failures, failures
    assert walked.rows_after_others == walked.rows_before_others


@pytest.mark.parametrize("role", ["admin", "lead", "owner", "viewer"])
def test_ids_that_do_not_exist_give_404_or_403_never_data(route_walk, role):
    visits = route_walk[role].phase("missing")
    assert {visit.endpoint for visit in visits} == route_walk.with_ids
    assert all(str(MISSING_ID) in visit.url for visit in visits)
    failures = [
        f"{visit.method} {visit.endpoint}: {visit.status}" for visit in visits if visit.status not in (403, 404)
    ]
    assert not failures, failures


def _readable_text(visit) -> str:
    """What a person could read in the response: the page, every part of a downloaded workbook, a PDF's text."""
    if visit.mimetype in (XLSX, DOCX):
        with zipfile.ZipFile(io.BytesIO(visit.data)) as workbook:
            return "".join(workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist())
    if visit.mimetype == "application/pdf":
        return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(visit.data)).pages)
    return visit.text


@pytest.mark.parametrize("role", ["viewer"])
def test_restricted_text_never_reaches_a_viewer_on_any_page(route_walk, role):
    visits = route_walk[role].phase("pages")
    assert {visit.endpoint for visit in visits} == route_walk.endpoints_with("GET")
    seen = 0
    for visit in visits:
        page = _readable_text(visit)
        leaked = [s for s in SECRETS if s in page]
        assert not leaked, f"{visit.endpoint} shows {leaked} to a viewer"
        seen += visit.status == 200
    assert seen >= 4
    by_url = {visit.url: visit for visit in visits}
    world = route_walk.world
    assert "[REDACTED]" in by_url[f"/actions/{world['secret_action_id']}"].text
    assert "1 restricted update is withheld" in by_url[f"/actions/{world['theirs']['action_id']}"].text


def test_restricted_text_is_there_for_the_people_who_need_it(client, auth, world):
    """The same pages do show it to staff: the viewer test above is not passing because nothing is shown."""
    auth.login(world["users"]["lead"])
    assert "Operation Bluebird" in client.get(f"/actions/{world['theirs']['action_id']}").text
    assert "12 Acacia Avenue" in client.get(f"/actions/{world['secret_action_id']}").text
