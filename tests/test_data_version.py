"""The data version and the whole-plan counts kept behind it (app/services/data_version.py).

A transaction that writes, by any route, moves the version on as it commits, and one that only reads or rolls
back does not; a write by another process or another app (another worker, with a cache of its own) makes the
kept counts stale at once; what a viewer may not see never reaches them from a lead's kept counts; and on
randomised plans, before and after random writes, every kept value equals the value computed afresh.
"""

import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, text, update

from app import create_app
from app.extensions import db
from app.models import ActionStatus, Framework, Plan, PlanKind, Rag, RagChange, Strand, Update
from app.services import data_version
from app.services.redaction import Reader
from app.services.reporting import dashboard, landing, traceability
from app.services.reviewing.queue import review_queue
from tests.conftest import _test_config
from tests.factories import make_action, make_plan, make_review, make_user

TODAY = date(2025, 9, 15)
ROOT = Path(__file__).resolve().parent.parent


def version() -> int | None:
    db.session.rollback()  # a transaction of its own: what is committed now
    return db.session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar()


def cache(app) -> data_version.VersionedCache:
    return app.extensions["data_version_cache"]


def test_every_way_of_writing_moves_the_version_on_and_reading_or_rolling_back_does_not(app_context):
    plan = make_plan(actions=2)
    action_id = plan.actions[0].id
    before = version()
    assert before is not None

    db.session.execute(text("SELECT count(*) FROM action")).scalar()  # a transaction that only reads
    db.session.commit()
    assert version() == before

    db.session.add(Update(action_id=action_id, as_at=TODAY, text="Rolled back"))  # written, then rolled back
    db.session.flush()
    db.session.rollback()
    assert version() == before

    steps = [
        lambda: db.session.add(Update(action_id=action_id, as_at=TODAY, text="ORM")),  # the ORM's flush
        lambda: db.session.execute(
            insert(Update).values(action_id=action_id, plan_id=plan.id, as_at=TODAY, text="Core")
        ),  # Core
        lambda: db.session.execute(update(Plan).where(Plan.id == plan.id).values(update_interval_days=45)),
        lambda: db.session.execute(text("UPDATE action SET what = 'Text SQL' WHERE id = :id"), {"id": action_id}),
    ]
    seen = [before]
    for step in steps:
        step()
        db.session.commit()
        seen.append(version())
    assert all(later > earlier for earlier, later in zip(seen, seen[1:], strict=False)), seen


def test_a_write_by_another_process_makes_the_kept_counts_stale(app_context, app):
    app.config["TODAY"] = TODAY
    plan = make_plan(actions=3, rag=Rag.GREEN)
    make_review(plan, held_on=TODAY - timedelta(days=10))
    action_id = plan.actions[0].id
    db.session.commit()

    def counts():
        db.session.rollback()  # as a new request would: a transaction of its own
        return landing.landing(db.session.get(Plan, plan.id), include_restricted=True)

    first = counts()
    assert counts() == first and cache(app).hits >= 1  # the second is the kept one
    assert (first.awaiting, first.updates) == (0, 0)

    # Another process (another gunicorn worker: an app, an engine and a cache of its own) writes a proposal.
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from app import create_app\n"
        "from app.extensions import db\n"
        "from app.models import Rag, Update\n"
        "from config import TestConfig\n"
        "class Other(TestConfig):\n"
        "    SQLALCHEMY_DATABASE_URI = sys.argv[1]\n"
        "app = create_app(Other)\n"
        "with app.app_context():\n"
        "    db.session.add(Update(action_id=int(sys.argv[2]), as_at=date(2025, 9, 14), text='Elsewhere',"
        " rag=Rag.RED))\n"
        "    db.session.commit()\n"
    )
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-c", script, url, str(action_id)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    after = counts()
    assert (after.awaiting, after.updates, after.updated) == (1, 1, 1)


def test_a_write_through_another_app_makes_every_kept_page_value_stale(app_context, app, client, auth, tmp_path):
    """Two apps on one database, as two workers: the second writes through the service layer, the first's pages
    show it on their next request."""
    app.config["TODAY"] = TODAY
    lead = make_user("lead")
    plan = make_plan(actions=4, lead_user=lead, rag=Rag.GREEN)
    for action in plan.actions:
        action.links.append(_link(Framework.NS, None))
    db.session.commit()
    action_id = plan.actions[1].id
    auth.login(lead)
    pages = [f"/plans/{plan.id}/dashboard", "/plans", f"/plans/{plan.id}/review", "/links/NS"]
    for path in pages * 2:
        assert client.get(path).status_code == 200
    assert cache(app).hits >= len(pages)

    other = create_app(_test_config(tmp_path / "other", app.config["SQLALCHEMY_DATABASE_URI"]))
    with other.app_context():
        from app.models import Action

        action = db.session.get(Action, action_id)
        action.rag = Rag.RED
        db.session.commit()
    with other.app_context():
        db.engine.dispose()

    dashboard_page = client.get(f"/plans/{plan.id}/dashboard").get_data(as_text=True)
    assert "Red" in dashboard_page
    db.session.rollback()
    board = dashboard.build(db.session.get(Plan, plan.id), include_restricted=True)
    assert board.totals.counts["red"] == 1 and board.attention.total == 1
    rows = traceability.code_rows(Framework.NS)
    assert rows[0].counts[Rag.RED] == 1


def _link(framework: Framework, code: str | None):
    from app.models import StrategicLink

    return StrategicLink(framework=framework, code=code, text=f"{framework} {code or ''}", position=0)


def test_a_viewer_never_gets_the_counts_kept_for_a_lead(app_context, app):
    """Restricted updates and restricted actions' links count for a lead; a viewer asking right after (and
    before) gets their own counts, kept apart."""
    app.config["TODAY"] = TODAY
    plan = make_plan(actions=4, rag=Rag.GREEN)
    make_review(plan, held_on=TODAY - timedelta(days=20))
    hidden = plan.actions[0]
    hidden.restricted = True
    hidden.links.append(_link(Framework.PCC, "1.1.1"))
    plan.actions[1].links.append(_link(Framework.PCC, "1.1.1"))
    db.session.add(Update(action_id=plan.actions[2].id, as_at=TODAY, text="Restricted news", restricted=True))
    db.session.add(Update(action_id=plan.actions[3].id, as_at=TODAY, text="Open news"))
    db.session.commit()
    viewer, lead = Reader(withholds=True), Reader(withholds=False)

    for order in ([True, False, True, False], [False, True, False, True]):
        for include_restricted in order:
            db.session.rollback()
            plan = db.session.get(Plan, plan.id)
            row = landing.landing(plan, include_restricted=include_restricted)
            assert (row.updates, row.updated) == ((2, 2) if include_restricted else (1, 1))
            board = dashboard.build(plan, include_restricted=include_restricted)
            assert board.counts.updates == (2 if include_restricted else 1)
            assert board.changed.total == (2 if include_restricted else 1)
            rows = traceability.code_rows(Framework.PCC, lead if include_restricted else viewer)
            assert rows[0].total == (2 if include_restricted else 1)
        cache(app).clear()
    assert cache(app).hits > 0


RAGS = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, None]


def _random_plan(rng: random.Random, owner, n: int) -> Plan:
    plan = make_plan(actions=0, title=f"Random plan {rng.random():.6f}")
    plan.update_interval_days = rng.choice([14, 30, 60])
    codes = ["1.1.1", "1.1.2", "2.1.1", "3.3c.1", None]
    for i in range(n):
        action = make_action(
            plan,
            strand=rng.choice([*Strand, None]),
            ref=str(i + 1),
            position=i,
            owner=owner if rng.random() < 0.5 else None,
            rag=rng.choice(RAGS),
            target_date=TODAY + timedelta(days=rng.randint(-60, 60)) if rng.random() < 0.8 else None,
            restricted=rng.random() < 0.2,
            links=[(rng.choice([Framework.PCC, Framework.NS]), rng.choice(codes)) for _ in range(rng.randint(0, 2))],
            flush=False,
        )
        action.status = rng.choice([None, None, ActionStatus.COMPLETE, ActionStatus.IN_PROGRESS])
        for _ in range(rng.randint(0, 4)):
            action.updates.append(
                Update(
                    as_at=TODAY - timedelta(days=rng.randint(0, 90)) if rng.random() < 0.9 else None,
                    text="Progress",
                    rag=rng.choice(RAGS) if rng.random() < 0.4 else None,
                    restricted=rng.random() < 0.2,
                )
            )
    db.session.commit()
    if rng.random() < 0.7:
        make_review(plan, held_on=TODAY - timedelta(days=rng.randint(1, 40)))
    return plan


def _random_writes(rng: random.Random, plans: list[Plan], lead) -> None:
    actions = [action for plan in plans for action in plan.actions]
    for action in rng.sample(actions, k=min(6, len(actions))):
        kind = rng.randrange(4)
        if kind == 0:
            action.rag = rng.choice(RAGS)
            db.session.add(RagChange(action_id=action.id, to_rag=action.rag, user_id=lead.id, reason="Decided"))
        elif kind == 1:
            db.session.add(
                Update(
                    action_id=action.id, as_at=TODAY, text="New", rag=rng.choice(RAGS), restricted=rng.random() < 0.3
                )
            )
        elif kind == 2:
            action.target_date = TODAY - timedelta(days=rng.randint(1, 10))
        else:
            action.restricted = not action.restricted
    db.session.commit()


def _everything(plans: list[Plan]) -> list:
    """What the pages show of the kept values, as plain data, for both kinds of reader."""
    ids = [plan.id for plan in plans]
    out: list = []
    for include_restricted in (True, False):
        db.session.rollback()
        fresh = [db.session.get(Plan, plan_id) for plan_id in ids]
        kept = landing.landings(fresh, include_restricted=include_restricted)
        out.append([sorted(vars(row).items()) for row in kept.values()])
        for plan in fresh:
            board = dashboard.build(plan, include_restricted=include_restricted)
            out.append(
                (
                    [(row.label, dict(row.counts)) for row in board.by_strand],
                    dict(board.totals.counts),
                    [
                        ([line.action.id for line in listing.rows], listing.total)
                        for listing in (board.attention, board.overdue, board.stale)
                    ],
                    [(line.action.id, line.what_changed) for line in board.changed.rows],
                    board.changed.total,
                    sorted(vars(board.counts).items()),
                )
            )
            queue = review_queue(plan)
            out.append(([(item.action.id, item.proposed) for item in queue.items], queue.total))
        reader = Reader(withholds=not include_restricted)
        for framework in (Framework.PCC, Framework.NS):
            out.append(
                [
                    (row.label, dict(row.counts), [a.id for a in row.actions])
                    for row in traceability.code_rows(framework, reader)
                ]
            )
    return out


def kept_as_drawn_afresh(app, draw):
    """draw() with the cache off and every SQL statement built afresh (app/services/statements.py), then twice
    with both on: the first is computed and kept, the second is read from the cache (its hits go up), and both
    equal what was drawn afresh. Returns that. The statements the first uses may have been built in an earlier
    round, before writes or on another day: a statement kept under a key that leaves out something it was built
    from shows here."""
    app.config["PAGE_CACHE"] = False
    store, app.extensions["statements"] = app.extensions["statements"], None
    try:
        afresh = draw()
    finally:
        app.extensions["statements"] = store
    app.config["PAGE_CACHE"] = True
    first = draw()  # computed and kept
    hits = cache(app).hits
    again = draw()  # the kept value
    assert cache(app).hits > hits
    assert first == afresh
    assert again == afresh
    return afresh


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_equal_the_counts_computed_afresh_on_random_plans(app_context, app, seed):
    app.config["TODAY"] = TODAY
    rng = random.Random(seed)
    lead, owner = make_user("lead"), make_user("owner")
    make_plan(actions=2, kind=PlanKind.PCC, title="PCC deliverables")
    plans = [_random_plan(rng, owner, rng.randint(5, 25)) for _ in range(2)]
    for _ in range(3):
        kept_as_drawn_afresh(app, lambda: _everything(plans))
        _random_writes(rng, plans, lead)


def test_nothing_is_kept_from_a_session_holding_uncommitted_changes(app_context, app):
    app.config["TODAY"] = TODAY
    plan = make_plan(actions=2)
    db.session.commit()
    db.session.add(Update(action_id=plan.actions[0].id, as_at=TODAY, text="Not committed"))
    db.session.flush()
    assert data_version.current() is None
    landing.landing(plan, include_restricted=True)
    db.session.rollback()
    plan = db.session.get(Plan, plan.id)
    assert landing.landing(plan, include_restricted=True).updates == 0


def test_the_cache_keeps_the_newest_value_and_forgets_the_least_recently_used():
    kept = data_version.VersionedCache(max_entries=2)
    kept.put("a", 5, "at 5")
    kept.put("a", 4, "at 4, computed by a request that read the version earlier")  # never replaces a newer one
    assert kept.get("a", 5) == (True, "at 5")
    assert kept.get("a", 6) == (False, None)  # another version: computed again
    kept.put("b", 5, "b")
    kept.get("a", 5)
    kept.put("c", 5, "c")  # "b" was used least recently
    assert kept.get("b", 5) == (False, None)
    assert kept.get("a", 5) == (True, "at 5") and kept.get("c", 5) == (True, "c")


def test_values_of_an_older_version_are_let_go_when_a_newer_one_is_kept():
    kept = data_version.VersionedCache(max_entries=10)
    for key in "abc":
        kept.put(key, 5, f"{key} at 5")
    kept.put("d", 4, "d at 4, computed by a request that read the version before the last write")
    assert len(kept._entries) == 4  # nothing newer than 5 seen yet: all kept
    kept.put("a", 6, "a at 6")
    assert list(kept._entries) == ["a"]  # the pages of versions 4 and 5 are not held until they are pushed out
    assert kept.get("b", 5) == (False, None) and kept.get("a", 6) == (True, "a at 6")
    kept.put("b", 5, "b at 5, from a request still on version 5")  # kept, and let go at the next newer version
    assert kept.get("b", 5) == (True, "b at 5, from a request still on version 5")
    kept.put("c", 7, "c at 7")
    assert list(kept._entries) == ["c"]
