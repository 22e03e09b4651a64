"""Page values kept behind the data version (app/services/data_version.py) that the first rounds did not keep.

On random plans, before and after random writes, each kept value equals the value computed with the cache off,
for a reader who sees restricted work and one who does not, and the second reading is the kept one.
"""

import random

import pytest

from app.extensions import db
from app.models import Framework, Plan, PlanKind, Rag, StrategicLink
from app.services.redaction import Reader
from app.services.reporting import traceability
from tests.factories import make_plan, make_user
from tests.test_data_version import TODAY, _random_plan, _random_writes, kept_as_drawn_afresh


def _resolve_some(rng: random.Random, plans: list[Plan], deliverables: dict[str, int]) -> None:
    """Point some PCC links at the deliverable of their number, as the importer and the edit page do."""
    for plan in plans:
        for action in plan.actions:
            for link in action.links:
                if link.framework is Framework.PCC and link.code in deliverables:
                    link.target_action_id = deliverables[link.code] if rng.random() < 0.7 else None
    db.session.commit()


def _link_writes(rng: random.Random, plans: list[Plan], deliverables: dict[str, int]) -> None:
    """Links added, removed, resolved and unresolved."""
    actions = [action for plan in plans for action in plan.actions]
    for action in rng.sample(actions, k=min(4, len(actions))):
        if action.links and rng.random() < 0.5:
            db.session.delete(action.links[0])
        else:
            code = rng.choice([*deliverables, "9.9.9"])
            action.links.append(
                StrategicLink(
                    framework=Framework.PCC,
                    code=code,
                    text=f"PCC {code}",
                    position=len(action.links),
                    target_action_id=deliverables.get(code) if rng.random() < 0.8 else None,
                )
            )
    db.session.commit()


def _cross_checks() -> list:
    out: list = []
    for withholds in (False, True):
        db.session.rollback()  # as a new request would: a transaction of its own
        reader = Reader(withholds=withholds)
        unlinked = traceability.unlinked_deliverables(reader)
        unresolved = traceability.unresolved_links(reader)
        out.append(
            (
                [(action.id, action.ref, action.plan.title) for action in unlinked],
                unlinked.total,
                [(link.id, link.code, link.action.id, link.action.plan.title) for link in unresolved],
                unresolved.total,
            )
        )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_cross_checks_equal_the_lists_computed_afresh_on_random_plans(app_context, app, seed, monkeypatch):
    app.config["TODAY"] = TODAY
    monkeypatch.setattr(traceability, "LIST_LIMIT", 3)  # the lists are cut short, and the totals still count all
    rng = random.Random(seed)
    lead, owner = make_user("lead"), make_user("owner")
    pcc = make_plan(actions=4, kind=PlanKind.PCC, title="PCC deliverables")
    deliverables = {action.ref: action.id for action in pcc.actions}
    codes = [*deliverables, "9.9.9", None]
    plans = [_random_plan(rng, owner, rng.randint(5, 25)) for _ in range(2)]
    for plan in plans:
        for action in plan.actions:
            for link in action.links:
                if link.framework is Framework.PCC:
                    link.code = rng.choice(codes)
    db.session.commit()
    _resolve_some(rng, plans, deliverables)
    seen = set()
    for _ in range(4):
        afresh = kept_as_drawn_afresh(app, lambda: _cross_checks())
        seen.add(repr(afresh))
        _random_writes(rng, plans, lead)
        _link_writes(rng, plans, deliverables)
    assert len(seen) > 1  # the writes changed what the lists show


def test_the_dashboard_matrix_links_are_the_addresses_url_for_builds(app):
    from flask import url_for

    from app.dashboard.routes import filter_hrefs
    from app.models import Strand
    from app.services.reporting import charts

    with app.test_request_context():
        hrefs = filter_hrefs(42)
        strands = [None, *(strand.value for strand in Strand), "none"]
        rags = [None, *(series.key for series in charts.RAG_SERIES)]
        assert set(hrefs) == {(strand, rag) for strand in strands for rag in rags}
        for (strand, rag), href in hrefs.items():
            assert href == url_for("plans.show", plan_id=42, strand=strand, rag=rag)


def _dashboard_extras(plan_ids: list[int]) -> list:
    """The dashboard's recent updates (which ones, in order, as each reader sees them) and its RAG mix at each
    of the latest reviews."""
    from app.services.reporting import dashboard

    out: list = []
    for include_restricted in (True, False):
        db.session.rollback()
        for plan_id in plan_ids:
            board = dashboard.build(db.session.get(Plan, plan_id), include_restricted=include_restricted)
            out.append(
                (
                    [(update.id, update.action.id, update.text) for update in board.recent_updates],
                    [(row.label, dict(row.counts)) for row in board.review_mix],
                )
            )
    return out


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_kept_recent_updates_and_review_mix_equal_them_computed_afresh(app_context, app, seed):
    from datetime import timedelta

    from app.models import Update
    from tests.factories import make_review

    app.config["TODAY"] = TODAY
    rng = random.Random(seed)
    lead, owner = make_user("lead"), make_user("owner")
    plans = [_random_plan(rng, owner, rng.randint(5, 25)) for _ in range(2)]
    for plan in plans:
        for days in rng.sample(range(41, 120), k=rng.randint(0, 9)):  # more reviews than the chart holds, at times
            make_review(plan, held_on=TODAY - timedelta(days=days))
    ids = [plan.id for plan in plans]
    seen = set()
    for _ in range(4):
        afresh = kept_as_drawn_afresh(app, lambda: _dashboard_extras(ids))
        seen.add(repr(afresh))
        _random_writes(rng, plans, lead)
        plan = db.session.get(Plan, rng.choice(ids))
        for action in rng.sample(plan.actions, k=min(3, len(plan.actions))):  # news, restricted or not
            db.session.add(Update(action_id=action.id, as_at=TODAY, text="Latest", restricted=rng.random() < 0.5))
        db.session.commit()
        if rng.random() < 0.5:
            make_review(plan, held_on=TODAY - timedelta(days=rng.randint(0, 40)))
    assert len(seen) > 1


def _dashboard_bodies(app, plan_ids: list[int], users: list) -> list:
    """The dashboard's content as each person sees it (a lead of the plan, a viewer, an owner, an admin)."""
    from flask_login import login_user, logout_user

    from app.dashboard.routes import body
    from app.models import User

    out = []
    for user_id in users:
        for plan_id in plan_ids:
            db.session.rollback()  # as a new request would: a transaction of its own
            with app.test_request_context(f"/plans/{plan_id}/dashboard"):
                login_user(db.session.get(User, user_id))
                out.append((user_id, plan_id, str(body(db.session.get(Plan, plan_id)))))
                logout_user()
    return out


@pytest.mark.parametrize("seed", [7, 8])
def test_the_kept_dashboard_is_the_dashboard_drawn_afresh_for_each_reader(app_context, app, seed):
    from datetime import timedelta

    from app.models import Update
    from tests.factories import make_measure, make_review

    app.config["TODAY"] = TODAY
    rng = random.Random(seed)
    lead, owner, viewer, admin = make_user("lead"), make_user("owner"), make_user("viewer"), make_user("admin")
    plans = [_random_plan(rng, owner, rng.randint(5, 30)) for _ in range(2)]
    plans[0].lead_user = lead
    make_measure(plans[0], actions=[plans[0].actions[0]])
    db.session.commit()
    ids, users = [plan.id for plan in plans], [lead.id, owner.id, viewer.id, admin.id]
    seen = set()
    for round_ in range(5):
        afresh = kept_as_drawn_afresh(app, lambda: _dashboard_bodies(app, ids, users))
        seen.add(repr(afresh))
        if round_ == 2:  # another day and nothing written: what is due and overdue moves on all the same
            app.config["TODAY"] = TODAY + timedelta(days=20)
            continue
        # What the dashboard shows moves on: decisions, proposals, restricted flips, target dates, new updates,
        # a review, a renamed plan and owner.
        _random_writes(rng, plans, lead)
        plan = db.session.get(Plan, rng.choice(ids))
        for action in rng.sample(plan.actions, k=min(3, len(plan.actions))):
            db.session.add(Update(action_id=action.id, as_at=TODAY, text="Latest", restricted=rng.random() < 0.5))
        plan.title = f"Renamed {round_}"
        db.session.get(type(owner), owner.id).name = f"Owner {round_}"
        db.session.commit()
        if rng.random() < 0.5:
            make_review(plan, held_on=TODAY - timedelta(days=rng.randint(0, 40)))
    assert len(seen) > 1
    # Each person's own content: the lead may edit the plan, the viewer has restricted work withheld.
    last = {(user_id, plan_id): html for user_id, plan_id, html in afresh}
    assert "Review queue" in last[(lead.id, ids[0])] and "Review queue" not in last[(owner.id, ids[0])]


def _framework_bodies(app, users: list) -> list:
    """Each framework's content, on its first, second and a page past its last, as each person sees it."""
    from flask_login import login_user, logout_user

    from app.links.routes import framework_body
    from app.models import User

    out = []
    for user_id in users:
        for framework in (Framework.PCC, Framework.NS):
            for page in (1, 2, 99):
                db.session.rollback()
                with app.test_request_context(f"/links/{framework.value}?page={page}"):
                    user = db.session.get(User, user_id)
                    login_user(user)
                    html, shown, pages = framework_body(framework, Reader.for_user(user), page)
                    out.append((user_id, framework.value, page, str(html), shown, pages))
                    logout_user()
    return out


@pytest.mark.parametrize("seed", [9, 10])
def test_the_kept_traceability_pages_are_the_pages_drawn_afresh_for_each_reader(app_context, app, seed, monkeypatch):
    monkeypatch.setattr(traceability, "LIST_LIMIT", 3)
    monkeypatch.setattr(traceability, "CODES_PER_PAGE", 2)  # several pages of codes
    app.config["TODAY"] = TODAY
    rng = random.Random(seed)
    lead, owner, viewer = make_user("lead"), make_user("owner"), make_user("viewer")
    pcc = make_plan(actions=4, kind=PlanKind.PCC, title="PCC deliverables")
    deliverables = {action.ref: action.id for action in pcc.actions}
    plans = [_random_plan(rng, owner, rng.randint(8, 25)) for _ in range(2)]
    for plan in plans:
        for action in plan.actions:
            for link in action.links:
                if link.framework is Framework.PCC:
                    link.code = rng.choice([*deliverables, "9.9.9", None])
    db.session.commit()
    _resolve_some(rng, plans, deliverables)
    users = [lead.id, viewer.id]
    seen = set()
    for _ in range(4):
        afresh = kept_as_drawn_afresh(app, lambda: _framework_bodies(app, users))
        seen.add(repr(afresh))
        _random_writes(rng, plans, lead)
        _link_writes(rng, plans, deliverables)
    assert len(seen) > 1
    by = {(user_id, name, page): (html, shown, pages) for user_id, name, page, html, shown, pages in afresh}
    assert by[(lead.id, "PCC", 99)][1] == by[(lead.id, "PCC", 99)][2] > 1  # past the last page: the last
    assert "Restricted local actions are not shown" in by[(viewer.id, "NS", 1)][0]
    assert "Restricted local actions are not shown" not in by[(lead.id, "NS", 1)][0]


def _plan_bodies(app, plan_ids: list[int], users: list, queries: list[str]) -> list:
    """The plan page's content for each person, plan and query string (filters, search, pages)."""
    from flask_login import login_user, logout_user

    from app.models import User
    from app.plans.routes import plan_body

    out = []
    for user_id in users:
        for plan_id in plan_ids:
            for query in queries:
                db.session.rollback()
                with app.test_request_context(f"/plans/{plan_id}?{query}"):
                    login_user(db.session.get(User, user_id))
                    html, page, pages = plan_body(db.session.get(Plan, plan_id))
                    out.append((user_id, plan_id, query, str(html), page, pages))
                    logout_user()
    return out


@pytest.mark.parametrize("seed", [11, 12])
def test_the_kept_plan_page_is_the_page_drawn_afresh_for_each_reader_and_filter(app_context, app, seed, monkeypatch):
    from datetime import timedelta

    from app.models import Update
    from app.services.plans import filters as plan_filters
    from tests.factories import make_review

    monkeypatch.setattr(plan_filters, "PER_PAGE", 4)  # several pages
    app.config["TODAY"] = TODAY
    rng = random.Random(seed)
    lead, owner, viewer = make_user("lead"), make_user("owner"), make_user("viewer")
    plans = [_random_plan(rng, owner, rng.randint(8, 25)) for _ in range(2)]
    plans[0].lead_user = lead
    db.session.commit()
    ids, users = [plan.id for plan in plans], [lead.id, owner.id, viewer.id]
    queries = [
        "",
        "only=stale",
        "only=overdue&only=proposed",
        "only=updated",
        "q=Progress",
        "q=Latest&rag=red",
        "strand=Prepare&rag=none",
        f"owner={owner.id}",
        "page=2",
        "page=99",
        "rag=nonsense",  # refused by the form: its error is drawn
    ]
    seen = set()
    for round_ in range(4):
        afresh = kept_as_drawn_afresh(app, lambda: _plan_bodies(app, ids, users, queries))
        seen.add(repr(afresh))
        if round_ == 1:  # another day and nothing written: what is stale and overdue moves on
            app.config["TODAY"] = TODAY + timedelta(days=25)
            continue
        _random_writes(rng, plans, lead)
        plan = db.session.get(Plan, rng.choice(ids))
        for action in rng.sample(plan.actions, k=min(3, len(plan.actions))):
            db.session.add(Update(action_id=action.id, as_at=TODAY, text="Latest", restricted=rng.random() < 0.5))
        db.session.get(type(owner), owner.id).name = f"Owner {round_}"
        db.session.commit()
        if rng.random() < 0.5:
            make_review(plan, held_on=TODAY - timedelta(days=rng.randint(0, 40)))
    assert len(seen) > 1


def _my_actions_bodies(app, users: list) -> list:
    from flask_login import login_user, logout_user

    from app.models import User
    from app.updates.routes import my_actions_body

    out = []
    for user_id in users:
        for page in (1, 2, 99):
            db.session.rollback()
            with app.test_request_context(f"/my-actions?page={page}"):
                login_user(db.session.get(User, user_id))
                html, shown, pages = my_actions_body(page)
                out.append((user_id, page, str(html), shown, pages))
                logout_user()
    return out


@pytest.mark.parametrize("seed", [13, 14])
def test_the_kept_my_actions_is_the_page_drawn_afresh_for_each_person(app_context, app, seed, monkeypatch):
    from datetime import timedelta

    from app.models import Role, Update
    from app.services.actions import updating

    monkeypatch.setattr(updating, "MY_ACTIONS_PAGE", 4)  # several pages
    app.config["TODAY"] = TODAY
    rng = random.Random(seed)
    lead, owner, other = make_user("lead"), make_user("owner"), make_user("owner")
    plans = [_random_plan(rng, owner, rng.randint(8, 25)), _random_plan(rng, other, rng.randint(8, 25))]
    db.session.commit()
    users = [lead.id, owner.id, other.id]
    seen = set()
    for round_ in range(5):
        afresh = kept_as_drawn_afresh(app, lambda: _my_actions_bodies(app, users))
        seen.add(repr(afresh))
        if round_ == 1:  # another day and nothing written: updates fall due
            app.config["TODAY"] = TODAY + timedelta(days=45)
            continue
        _random_writes(rng, plans, lead)
        plan = rng.choice(plans)
        for action in rng.sample(plan.actions, k=min(3, len(plan.actions))):
            db.session.add(
                Update(action_id=action.id, as_at=app.config["TODAY"], text="Latest", rag=rng.choice([None, *Rag]))
            )
            if rng.random() < 0.5:
                action.owners.append(db.session.get(type(owner), rng.choice([owner.id, other.id])))
        if round_ == 3:
            db.session.get(type(other), other.id).role = Role.VIEWER  # no return sheets for a viewer
        db.session.commit()
    assert len(seen) > 1


def _queue_bodies(app, plan_ids: list[int], users: list, tokens: set) -> list:
    """The review queue's content for each lead and plan, asked for at two addresses, with the request's own
    CSRF token (which is then written as TOKEN, each request having a token of its own)."""
    from flask import g
    from flask_login import login_user, logout_user
    from flask_wtf.csrf import generate_csrf

    from app import kept_pages
    from app.models import User
    from app.reviews.routes import queue_body

    out = []
    for user_id in users:
        for plan_id in plan_ids:
            for query in ("", "?from=dashboard"):
                db.session.rollback()
                with app.test_request_context(f"/plans/{plan_id}/review{query}"):
                    g.pop("csrf_token", None)  # the test's app context is shared: each request a token of its own
                    login_user(db.session.get(User, user_id))
                    html = str(queue_body(db.session.get(Plan, plan_id)))
                    token = generate_csrf()
                    assert kept_pages.TOKEN_HOLE not in html
                    assert (token in html) == ('name="csrf_token"' in html)
                    tokens.add(token)
                    out.append((user_id, plan_id, query, html.replace(token, "TOKEN")))
                    logout_user()
    return out


@pytest.mark.parametrize("seed", [15, 16])
def test_the_kept_review_queue_is_the_queue_drawn_afresh_with_each_requests_token(app_context, app, seed):
    from datetime import timedelta

    from app.models import Update

    app.config["TODAY"] = TODAY
    rng = random.Random(seed)
    lead, admin, owner = make_user("lead"), make_user("admin"), make_user("owner")
    plans = [_random_plan(rng, owner, rng.randint(8, 25)) for _ in range(2)]
    for plan in plans:
        plan.lead_user = lead
    db.session.commit()
    ids, users = [plan.id for plan in plans], [lead.id, admin.id]
    seen, tokens = set(), set()
    for round_ in range(5):
        afresh = kept_as_drawn_afresh(app, lambda: _queue_bodies(app, ids, users, tokens))
        seen.add(repr(afresh))
        if round_ == 1:  # another day and nothing written: the rules suggest other RAGs
            app.config["TODAY"] = TODAY + timedelta(days=45)
            continue
        _random_writes(rng, plans, lead)
        plan = rng.choice(plans)
        for action in rng.sample(plan.actions, k=min(4, len(plan.actions))):
            db.session.add(
                Update(action_id=action.id, as_at=app.config["TODAY"], text="Proposed", rag=rng.choice([*Rag]))
            )
        db.session.commit()
    assert len(seen) > 1
    assert any('name="csrf_token"' in html for *_, html in afresh)  # some forms were drawn (the kept ones equal them)
    assert len(tokens) > 100  # every request had a token of its own


def _action_bodies(app, action_ids: list[int], users: list, tokens: set) -> list:
    """The action page's content (its update form with the request's own CSRF token, written as TOKEN) for each
    person and action."""
    from flask import g
    from flask_login import login_user, logout_user
    from flask_wtf.csrf import generate_csrf

    from app import kept_pages
    from app.models import Action, User
    from app.plans.routes import render_action_page

    out = []
    for user_id in users:
        for action_id in action_ids:
            db.session.rollback()
            with app.test_request_context(f"/actions/{action_id}"):
                g.pop("csrf_token", None)  # the test's app context is shared: each request a token of its own
                login_user(db.session.get(User, user_id))
                html, status = render_action_page(db.session.get(Action, action_id))
                token = generate_csrf()
                assert kept_pages.TOKEN_HOLE not in html and status == 200
                main = html[html.index("<main") : html.index("</main>")]  # the page around it is drawn each time
                if 'name="csrf_token"' in main:
                    assert token in main
                    tokens.add(token)
                out.append((user_id, action_id, main.replace(token, "TOKEN")))
                logout_user()
    return out


@pytest.mark.parametrize("seed", [17, 18])
def test_the_kept_action_page_is_the_page_drawn_afresh_for_each_reader(app_context, app, seed):
    from datetime import timedelta

    from app.models import Update

    app.config["TODAY"] = TODAY
    rng = random.Random(seed)
    lead, owner, viewer = make_user("lead"), make_user("owner"), make_user("viewer")
    pcc = make_plan(actions=2, kind=PlanKind.PCC, title="PCC deliverables")
    plans = [_random_plan(rng, owner, rng.randint(6, 15)) for _ in range(2)]
    plans[0].lead_user = lead
    for action in plans[0].actions[:3]:  # local actions delivering a deliverable, shown on its page
        action.links.append(StrategicLink(framework=Framework.PCC, code="1.1.1", text="PCC 1.1.1", position=9))
        action.links[-1].target_action_id = pcc.actions[0].id
    db.session.commit()
    action_ids = [a.id for plan in plans for a in rng.sample(plan.actions, k=4)] + [pcc.actions[0].id]
    users = [lead.id, owner.id, viewer.id]
    seen, tokens = set(), set()
    for round_ in range(5):
        afresh = kept_as_drawn_afresh(app, lambda: _action_bodies(app, action_ids, users, tokens))
        seen.add(repr(afresh))
        if round_ == 1:  # another day and nothing written: the form's date is today's
            app.config["TODAY"] = TODAY + timedelta(days=3)
            continue
        _random_writes(rng, plans, lead)
        for action_id in rng.sample(action_ids, k=3):
            db.session.add(
                Update(
                    action_id=action_id,
                    as_at=app.config["TODAY"],
                    text=f"News {round_}",
                    rag=rng.choice([None, *Rag]),
                    restricted=rng.random() < 0.4,
                )
            )
        db.session.commit()
    assert len(seen) > 1
    assert len(tokens) > 20  # the update form was drawn, each time with the request's own token
