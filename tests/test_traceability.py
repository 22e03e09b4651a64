"""Traceability: which local actions deliver which strategy, rolled-up RAG, and the PCC cross-checks."""

import pytest

from app.extensions import db
from app.models import Action, Framework, Plan, PlanKind, Rag, Strand
from app.services.importing.saving import import_workbook
from app.services.reporting import traceability
from tests.conftest import SEED_WORKBOOK
from tests.factories import make_action, make_plan
from tests.pages import check_page


@pytest.mark.parametrize(
    ("rags", "rolled_up"),
    [
        ([Rag.GREEN, Rag.RED, Rag.AMBER], Rag.RED),
        ([Rag.GREEN, Rag.BLUE], Rag.GREEN),
        ([Rag.BLUE, Rag.BLUE], Rag.BLUE),
        ([Rag.BLUE, None], None),  # not all complete, and nothing worse known: incomplete
        ([Rag.GREEN, None], None),  # never Green while one is unknown: incomplete
        ([Rag.AMBER, Rag.GREEN, None], Rag.AMBER),  # already Amber at best; the page counts the unknown
        ([Rag.RED, None], Rag.RED),
        ([None], None),
        ([], None),
    ],
)
def test_rollup_is_the_worst_and_blue_only_when_all_blue(rags, rolled_up):
    assert traceability.rollup(rags) is rolled_up


def test_codes_sort_as_numbers():
    codes = ["3.3c.1", "1.10.1", "1.2.3", "3.3.7", "1.2.10"]
    assert sorted(codes, key=traceability.code_order) == ["1.2.3", "1.2.10", "1.10.1", "3.3.7", "3.3c.1"]


def resolve(plan: Plan) -> None:
    for action in plan.actions:
        for link in action.links:
            if link.framework is Framework.PCC:
                target = traceability.resolve_pcc_code(link.code, plan)
                link.target_action_id = target.id if target else None
    db.session.commit()


@pytest.fixture
def plans(app, app_context):
    pcc = make_plan(title="PCC Deliverables", kind=PlanKind.PCC, actions=3, rag=None)  # 1.1.1, 1.1.2, 1.1.3
    local = make_plan(title="Local Delivery Plan", actions=0)
    links = {
        "1": ([(Framework.PCC, "1.1.1"), (Framework.NS, None)], Rag.GREEN),
        "2": ([(Framework.PCC, "1.1.1")], Rag.RED),
        "3": ([(Framework.PCC, "1.1.2"), (Framework.SENTINEL, None)], Rag.BLUE),
        "4": ([(Framework.PCC, "1.1.2"), (Framework.PCC, "9.9.9")], Rag.BLUE),
        "5": ([(Framework.HMIC, "R12")], Rag.AMBER),
    }
    for position, (ref, (link_list, rag)) in enumerate(links.items()):
        make_action(local, strand=Strand.PROTECT, ref=ref, position=position, rag=rag, links=link_list)
    db.session.commit()
    resolve(local)
    return local, pcc


def test_pcc_codes_roll_up_from_the_local_actions(plans):
    local, pcc = plans
    rows = {row.label: row for row in traceability.code_rows(Framework.PCC)}
    assert list(rows) == ["PCC 1.1.1", "PCC 1.1.2", "PCC 9.9.9"]
    assert [a.ref for a in rows["PCC 1.1.1"].actions] == ["2", "1"] and rows["PCC 1.1.1"].rag is Rag.RED  # worst first
    assert rows["PCC 1.1.2"].rag is Rag.BLUE and rows["PCC 1.1.2"].deliverable.ref == "1.1.2"
    assert rows["PCC 9.9.9"].deliverable is None


def test_frameworks_without_codes_gather_in_one_row(plans):
    assert [(r.label, len(r.actions), r.rag) for r in traceability.code_rows(Framework.NS)] == [("NS", 1, Rag.GREEN)]
    assert [(r.label, r.rag) for r in traceability.code_rows(Framework.HMIC)] == [("HMIC R12", Rag.AMBER)]


def test_unlinked_deliverables_and_unresolved_links(plans):
    assert [a.ref for a in traceability.unlinked_deliverables()] == ["1.1.3"]
    assert [(link.action.ref, link.code) for link in traceability.unresolved_links()] == [("4", "9.9.9")]


def test_a_pcc_code_resolves_to_the_deliverable_of_the_same_period(app_context, app):
    older = make_plan(title="PCC", kind=PlanKind.PCC, actions=1, period_label="2015-16")
    newer = make_plan(title="PCC", kind=PlanKind.PCC, actions=1, period_label="2016-17")
    local = make_plan(actions=0, period_label="2015-16")
    assert traceability.resolve_pcc_code("1.1.1", local).plan_id == older.id
    local.period_label = "2019-20"
    assert traceability.resolve_pcc_code("1.1.1", local).plan_id == newer.id
    assert traceability.resolve_pcc_code("7.7.7", local) is None


def test_the_pcc_page_and_a_deliverables_page(client, login_as, plans):
    local, pcc = plans
    login_as("viewer")
    page = check_page(client.get("/links/PCC"))
    assert "PCC 1.1.1" in page and "No such PCC deliverable" in page
    unlinked = page[page.index('id="unlinked"') : page.index('id="unresolved"')]
    assert "1.1.3" in unlinked and "1.1.1" not in unlinked
    assert "PCC 9.9.9" in page[page.index('id="unresolved"') :]
    deliverable = next(a for a in pcc.actions if a.ref == "1.1.1")
    page = check_page(client.get(f"/actions/{deliverable.id}"))
    delivering = page[page.index('id="delivered-by"') :]
    assert "Protect 1" in delivering and "Protect 2" in delivering and "Protect 3" not in delivering


def test_framework_names_in_urls(client, login_as, plans):
    login_as("owner")
    assert "Strategic links: National Strategy (NS)" in check_page(client.get("/links/ns"))
    assert "HMIC R12" in check_page(client.get("/links/HMIC"))
    check_page(client.get("/links/Other"), 404)


def test_restricted_local_actions_are_redacted_for_viewers(client, login_as, plans):
    local, _ = plans
    local.actions[0].restricted = True
    local.actions[0].what = "Covert operation Bluebird"
    db.session.commit()
    login_as("viewer")
    page = check_page(client.get("/links/NS"))
    assert "Bluebird" not in page


# The seed plan, imported as the PCC office would


@pytest.fixture
def seed(app, app_context):
    with open(SEED_WORKBOOK, "rb") as workbook:
        import_workbook(workbook.read(), "wmp-modern-slavery-delivery-plan-2015-16.xlsx")
    local = db.session.scalar(db.select(Plan).where(Plan.kind == PlanKind.LOCAL))
    pcc = db.session.scalar(db.select(Plan).where(Plan.kind == PlanKind.PCC))
    return local, pcc


def by_ref(plan: Plan) -> dict[str, Action]:
    return {action.display_ref: action for action in plan.actions}


def test_seed_plan_traceability(seed):
    local, _ = seed
    actions = by_ref(local)
    actions["Prevent 3"].rag = Rag.GREEN
    actions["Protect 2"].rag = Rag.RED
    actions["Prepare 8"].rag = Rag.BLUE
    actions["Protect 1"].rag = Rag.BLUE
    db.session.commit()

    rows = {row.label: row for row in traceability.code_rows(Framework.PCC)}
    assert list(rows) == ["PCC 1.2.2", "PCC 1.2.3", "PCC 1.4.3", "PCC 3.3.6", "PCC 3.3.7"]
    assert [a.display_ref for a in rows["PCC 3.3.6"].actions] == ["Protect 2", "Prevent 3"]  # Red before Green
    assert rows["PCC 3.3.6"].rag is Rag.RED
    assert rows["PCC 1.4.3"].rag is Rag.BLUE  # Prepare 8 and Protect 1, both complete
    assert rows["PCC 3.3.7"].rag is None  # Prepare 1 has no RAG yet
    assert rows["PCC 1.2.2"].deliverable is None

    assert [a.ref for a in traceability.unlinked_deliverables()] == [
        "1.2.1", "1.2.4", "1.4.1", "1.4.2", "3.3.5", "3.3.8",
        "3.3c.1", "3.3c.2", "3.3c.3", "3.7a.1", "3.7a.2", "3.7b.1", "3.7b.2",
    ]  # fmt: skip
    assert [(link.action.display_ref, link.text) for link in traceability.unresolved_links()] == [
        ("Protect 2", "PCC 1.2.2")
    ]
    ns = traceability.code_rows(Framework.NS)
    assert len(ns) == 1 and ns[0].total == 12 and len(ns[0].actions) == traceability.SHOWN_PER_CODE


def test_seed_deliverable_page_lists_the_local_actions_delivering_it(client, login_as, seed):
    _, pcc = seed
    login_as("owner")
    page = check_page(client.get(f"/actions/{by_ref(pcc)['3.3.6'].id}"))
    delivering = page[page.index('id="delivered-by"') :]
    assert "Prevent 3" in delivering and "Protect 2" in delivering
    page = check_page(client.get(f"/actions/{by_ref(pcc)['1.2.1'].id}"))
    assert "No local action links to this deliverable yet" in page


def test_a_code_delivered_by_many_actions_shows_the_worst_and_counts_them_all(client, login_as, monkeypatch):
    monkeypatch.setattr(traceability, "SHOWN_PER_CODE", 2)
    monkeypatch.setattr(traceability, "LIST_LIMIT", 1)
    local = make_plan(title="Local Delivery Plan", actions=0)
    for position, rag in enumerate([Rag.GREEN, Rag.AMBER, Rag.GREEN, None, Rag.RED]):
        links = [(Framework.NS, None), (Framework.PCC, f"9.9.{position}")]
        make_action(local, strand=Strand.PURSUE, ref=str(position + 1), position=position, rag=rag, links=links)
    db.session.commit()
    [row] = traceability.code_rows(Framework.NS)
    assert (row.total, row.rag) == (5, Rag.RED)
    assert [a.ref for a in row.actions] == ["5", "2"]  # Red, then Amber
    assert row.rag_counts() == [(Rag.RED, 1), (Rag.AMBER, 1), (Rag.GREEN, 2), (None, 1)]
    login_as("viewer")
    page = check_page(client.get("/links/NS"))
    assert "The 2 most urgent of 5 local actions. All of them: 1 Red, 1 Amber, 2 Green, 1 Not set." in " ".join(
        page.split()
    )
    pcc_page = check_page(client.get("/links/PCC"))
    unresolved = pcc_page[pcc_page.index('id="unresolved"') :]
    assert "Showing the first 1 of 5." in unresolved


def test_a_code_with_an_unrated_action_is_never_called_green(client, login_as):
    """PCC 3.3.6 in the seed: one delivering action Green, the other Not set."""
    pcc = make_plan(title="PCC Deliverables", kind=PlanKind.PCC, actions=0)
    make_action(pcc, strand=None, ref="3.3.6", rag=None)
    make_action(pcc, strand=None, ref="3.3.7", position=1, rag=None)
    local = make_plan(title="Local Delivery Plan", actions=0)
    make_action(local, strand=Strand.PREVENT, ref="3", rag=Rag.GREEN, links=[(Framework.PCC, "3.3.6")])
    make_action(local, strand=Strand.PROTECT, ref="2", position=1, rag=None, links=[(Framework.PCC, "3.3.6")])
    make_action(local, strand=Strand.PURSUE, ref="1", position=2, rag=Rag.AMBER, links=[(Framework.PCC, "3.3.7")])
    make_action(local, strand=Strand.PURSUE, ref="2", position=3, rag=None, links=[(Framework.PCC, "3.3.7")])
    db.session.commit()
    resolve(local)
    rows = {row.label: row for row in traceability.code_rows(Framework.PCC)}
    assert (rows["PCC 3.3.6"].rag, rows["PCC 3.3.6"].incomplete, rows["PCC 3.3.6"].unknown) == (None, True, 1)
    assert (rows["PCC 3.3.7"].rag, rows["PCC 3.3.7"].incomplete, rows["PCC 3.3.7"].unknown) == (Rag.AMBER, False, 1)
    login_as("viewer")
    page = check_page(client.get("/links/PCC"))
    row = " ".join(page[page.index(">PCC 3.3.6<") : page.index(">PCC 3.3.7<")].split())
    assert ">Incomplete<" in row and "1 of 2 not set" in row and ">Green<" not in row.split("</ul>")[-1]
    later = " ".join(page[page.index(">PCC 3.3.7<") :].split())
    assert ">Amber<" in later and "1 of 2 not set" in later
    assert "it shows as Incomplete" in page  # the rule is explained on the page


def test_the_codes_are_read_a_page_at_a_time_in_code_order(client, login_as, plans, monkeypatch):
    """Three codes, two a page: page 1 has 1.1.1 and 1.1.2 and the cross-checks, page 2 has 9.9.9 (which no
    deliverable has) and points back to the cross-checks; a page past the end shows the last."""
    monkeypatch.setattr(traceability, "CODES_PER_PAGE", 2)
    first = traceability.code_page(Framework.PCC)
    assert [row.label for row in first.rows] == ["PCC 1.1.1", "PCC 1.1.2"]
    assert (first.total, first.page, first.pages, first.first, first.last) == (3, 1, 2, 1, 2)
    second = traceability.code_page(Framework.PCC, page=2)
    assert [row.label for row in second.rows] == ["PCC 9.9.9"] and second.rows[0].deliverable is None
    assert [a.ref for a in second.rows[0].actions] == ["4"] and (second.first, second.last) == (3, 3)
    assert traceability.code_page(Framework.PCC, page=7).page == 2
    assert [row.label for row in traceability.code_rows(Framework.PCC)] == ["PCC 1.1.1", "PCC 1.1.2", "PCC 9.9.9"]

    login_as("viewer")
    page = check_page(client.get("/links/PCC"))
    codes = page[page.index('id="codes"') : page.index('id="unlinked"')]
    assert ">PCC 1.1.1<" in codes and ">PCC 1.1.2<" in codes and ">PCC 9.9.9<" not in codes
    assert "Showing 1 to 2 of 3 numbers" in page and 'href="/links/PCC?page=2"' in page
    assert "1.1.3" in page[page.index('id="unlinked"') : page.index('id="unresolved"')]
    page = check_page(client.get("/links/PCC?page=2"))
    assert ">PCC 9.9.9<" in page and ">PCC 1.1.1<" not in page and "(page 2 of 2)" in page
    assert "Showing 3 to 3 of 3 numbers" in page
    assert 'href="/links/PCC#unlinked"' in page and "1.1.3" not in page  # the cross-checks stay on page 1
    assert ">PCC 9.9.9<" in check_page(client.get("/links/PCC?page=99"))


def test_the_pcc_page_withholds_marked_deliverables_and_restricted_actions_from_viewers(client, auth, login_as, plans):
    """The PCC page's cells are written out rather than through components/action.html's macros: they withhold
    what those do. A marked deliverable (linked, and unlinked) says [REDACTED]; a restricted local action's
    unresolved link is not listed."""
    local, pcc = plans
    by_ref = {a.ref: a for a in pcc.actions}
    by_ref["1.1.1"].what = "OFFICIAL-SENSITIVE: the Bluebird deliverable"
    by_ref["1.1.3"].what = "OFFICIAL SENSITIVE – the Kestrel deliverable"
    fourth = next(a for a in local.actions if a.ref == "4")
    fourth.restricted, fourth.what = True, "Covert operation Magpie"
    db.session.commit()
    login_as("viewer")
    page = check_page(client.get("/links/PCC"))
    assert "Bluebird" not in page and "Kestrel" not in page and "Magpie" not in page
    codes = page[page.index('id="codes"') : page.index('id="unlinked"')]
    assert "[REDACTED]" in codes.split(">PCC 1.1.1<")[1].split("</tr>")[0]
    assert "[REDACTED]" in page[page.index('id="unlinked"') : page.index('id="unresolved"')]
    assert "Every PCC link points at a deliverable." in page  # 9.9.9's only link is on the restricted action
    auth.logout()
    login_as("lead")
    page = check_page(client.get("/links/PCC"))
    assert "Bluebird" in page and "Kestrel" in page and "Magpie" in page
