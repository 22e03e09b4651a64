"""The main pages send the same number of SQL statements whatever the plan's size: no N+1 queries.

Each page is fetched once with a plan of 10 actions, then again after the plan has grown to 200 actions (past
a page of 100 and the dashboard's lists of 50) with more updates, owners, links, proposals and decisions; the
statements are counted with a SQLAlchemy `before_cursor_execute` listener (tests/queries.py). The timings at a
whole force's size are in `make bench`.
"""

from datetime import UTC, date, datetime, timedelta

from app.extensions import db
from app.models import Framework, PlanKind, Rag, RagChange, Strand, Update
from app.services.importing.pcc_links import resolve_pcc_links
from tests.factories import make_action, make_plan, make_review, make_user
from tests.queries import count_queries

TODAY = date(2025, 9, 15)
FILTERED = "?strand=Prepare&rag=green&only=stale&only=overdue&only=unresolved&q=progress&owner={owner}"
PAGES = {  # name: (URL, who fetches it)
    "plans list": ("/plans", "lead"),
    "plan page": ("/plans/{plan}", "lead"),
    "plan page 2": ("/plans/{plan}?page=2", "lead"),
    "filtered plan page": ("/plans/{plan}" + FILTERED, "lead"),
    "searched plan page": ("/plans/{plan}?q=Progress", "viewer"),
    "action page": ("/actions/{action}", "lead"),
    "action edit page": ("/actions/{action}/edit", "lead"),
    "PCC deliverable page": ("/actions/{deliverable}", "lead"),
    "dashboard": ("/plans/{plan}/dashboard", "lead"),
    "review queue": ("/plans/{plan}/review", "lead"),
    "my actions": ("/my-actions", "owner"),
    "traceability PCC": ("/links/PCC", "viewer"),
    "traceability NS": ("/links/NS", "viewer"),
}
RAGS = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.GREEN, Rag.BLUE, None]


def grow(plan, to: int, owner, deliverables: list[str]) -> None:
    """Add actions until the plan has `to`, each with updates, links, and (some) an owner, a proposal and a
    decision; the first action gets more updates too."""
    strands = list(Strand)
    for i in range(len(plan.actions), to):
        action = make_action(
            plan,
            strand=strands[i % 4],
            ref=str(i // 4 + 1),
            position=i,
            owner=owner if i % 2 == 0 else None,
            rag=RAGS[i % len(RAGS)],
            updates=1 + i % 3,
            links=[
                (Framework.PCC, deliverables[i % len(deliverables)]),
                (Framework.NS, None),
                (Framework.PCC, "9.9.9"),
            ],
            target_date=TODAY + timedelta(days=i % 60 - 20),
            restricted=i % 7 == 0,
        )
        action.updates.append(Update(as_at=TODAY, text="Progress, with a proposal", rag=RAGS[(i + 1) % 4]))
        if i % 3 == 0:
            action.rag_changes.append(RagChange(to_rag=action.rag, reason="Decided", changed_at=datetime.now(UTC)))
    first = plan.actions[0]
    first.updates.extend(
        Update(as_at=TODAY - timedelta(days=n), text=f"Progress {n}") for n in range(len(first.updates), to // 10)
    )
    db.session.commit()
    resolve_pcc_links({plan.id})
    db.session.commit()


def page_queries(client, auth, users: dict, ids: dict) -> dict[str, int]:
    counts = {}
    for role, user in users.items():
        auth.login(user)
        for name, (url, who) in PAGES.items():
            if who == role:
                counts[name] = count_queries(client, url.format(**ids))
        auth.logout()
    return counts


def test_main_pages_send_the_same_statements_when_the_plan_grows_from_10_to_200_actions(app_context, client, auth, app):
    app.config["TODAY"] = TODAY
    users = {role: make_user(role) for role in ("lead", "owner", "viewer")}
    pcc = make_plan(title="PCC deliverables", kind=PlanKind.PCC, actions=8)
    plan = make_plan(title="Local Delivery Plan", actions=0, lead_user=users["lead"])
    deliverables = [action.ref for action in pcc.actions]
    grow(plan, 10, users["owner"], deliverables)
    make_review(plan, held_on=TODAY - timedelta(days=30))
    ids = {"plan": plan.id, "action": plan.actions[0].id, "deliverable": pcc.actions[0].id, "owner": users["owner"].id}

    small = page_queries(client, auth, users, ids)
    grow(plan, 200, users["owner"], deliverables)
    assert len(plan.actions) == 200 and len(plan.actions[0].updates) >= 20
    large = page_queries(client, auth, users, ids)

    assert set(small) == set(PAGES)
    assert large == small


def test_main_pages_send_the_same_statements_at_800_actions_as_at_10(app_context, client, auth, app):
    """Past a page of the queue, several pages of the plan, and the traceability page's SHOWN_PER_CODE per code:
    nothing is looked up per action, per update or per link at any size."""
    app.config["TODAY"] = TODAY
    users = {role: make_user(role) for role in ("lead", "owner", "viewer")}
    pcc = make_plan(title="PCC deliverables", kind=PlanKind.PCC, actions=8)
    plan = make_plan(title="Local Delivery Plan", actions=0, lead_user=users["lead"])
    deliverables = [action.ref for action in pcc.actions]
    grow(plan, 10, users["owner"], deliverables)
    make_review(plan, held_on=TODAY - timedelta(days=30))
    ids = {"plan": plan.id, "action": plan.actions[0].id, "deliverable": pcc.actions[0].id, "owner": users["owner"].id}
    small = page_queries(client, auth, users, ids)
    grow(plan, 800, users["owner"], deliverables)
    assert len(plan.actions) == 800 and len(plan.actions[0].updates) >= 80
    assert page_queries(client, auth, users, ids) == small
