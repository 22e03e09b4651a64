"""A force-sized database for the benchmarks: the 5,000-action plan imported, topped up to 50,000 updates.

Besides the big plan it holds what the pages need to have something to show: a PCC deliverables plan that
most links resolve to, owners on a slice of the actions, RAGs, target dates (some past), RAG proposals for
the review queue, a review meeting and some RAGs changed since it, and the seed plan as a small plan to
compare query counts against.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import bindparam, insert, select, update

from app import create_app
from app.extensions import db
from app.models import Action, ActionStatus, Plan, PlanKind, Rag, Review, ReviewSnapshot, Update, User, action_owner
from app.services.accounts import second_factor, users
from app.services.importing.saving import import_workbook
from config import Config

PASSWORD = "correct horse battery staple"
UPDATES = 50_000
UPDATES_ON_ACTION_PAGE = 50
SEED = Path(__file__).resolve().parent.parent / "plans" / "wmp-modern-slavery-delivery-plan-2015-16.xlsx"


@dataclass
class BenchData:
    """Ids the page benchmarks visit."""

    plan_id: int
    small_plan_id: int
    action_id: int  # an action of the big plan with UPDATES_ON_ACTION_PAGE updates
    small_action_id: int
    lead_email: str
    owner_email: str
    actions: int = 0
    small_actions: int = 0
    updates: int = 0


def make_app(path: Path):
    """The app on its own SQLite file (WAL, as `make run` uses), configured as a laptop runs it."""

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        SECRET_KEY = secrets.token_hex(32)
        PASSWORD_HASH_FAST = True  # sign-in is not what is measured

    return create_app(BenchConfig)


def make_user(email: str, name: str, role: str) -> User:
    """A user who can sign in; admins and leads get an authenticator app, as they must."""
    user = users.create_user(email, name, role, PASSWORD, by=None)
    if second_factor.required_for(user):
        secret = pyotp.random_base32()
        second_factor.enable(user, secret, pyotp.TOTP(secret).now())
    return user


def build(workbook: bytes, seed: int = 7, updates: int = UPDATES) -> BenchData:
    """Fill the empty database (inside an app context) and commit; the big plan gets `updates` updates in all."""
    rng = random.Random(seed)
    admin = make_user("admin@bench.police.uk", "Bench Admin", "admin")
    lead = make_user("lead@bench.police.uk", "Bench Lead", "lead")
    owners = [make_user(f"owner{n}@bench.police.uk", f"Owner {n:02}", "owner") for n in range(1, 21)]
    db.session.commit()
    _pcc_plan()
    report = import_workbook(workbook, "Bench-Delivery-Plan-2015-16.xlsx", user=admin)
    plan = db.session.get(Plan, report.plans[0].plan_id)
    seed = import_workbook(SEED.read_bytes(), SEED.name, user=admin)
    small = db.session.get(Plan, next(p.plan_id for p in seed.plans if p.kind is PlanKind.LOCAL))
    for each in (plan, small):
        each.lead_user = lead
    db.session.commit()
    action_ids = {
        p.id: list(db.session.scalars(select(Action.id).where(Action.plan_id == p.id).order_by(Action.position)))
        for p in (plan, small)
    }
    for ids in action_ids.values():
        _shape_actions(rng, ids, owners)
    _top_up_updates(rng, plan.id, action_ids[plan.id], lead, updates)
    for each in (plan, small):
        _review(rng, each, action_ids[each.id])
    db.session.commit()
    return BenchData(
        plan_id=plan.id,
        small_plan_id=small.id,
        action_id=action_ids[plan.id][0],
        small_action_id=action_ids[small.id][0],
        lead_email=lead.email,
        owner_email=owners[0].email,
        actions=len(action_ids[plan.id]),
        small_actions=len(action_ids[small.id]),
        updates=db.session.scalar(select(db.func.count(Update.id)).join(Action).where(Action.plan_id == plan.id)),
    )


def _pcc_plan() -> None:
    """PCC deliverables 1.1.1 to 3.7.8: the workbook's links to x.y.9 stay unresolved, as some do in life."""
    plan = Plan(title="Police and Crime Plan deliverables 2015-16", kind=PlanKind.PCC, period_label="2015-16")
    db.session.add(plan)
    db.session.flush()
    rows = [
        {"plan_id": plan.id, "ref": f"{a}.{b}.{c}", "position": i, "what": f"Deliverable {a}.{b}.{c}", "version": 1}
        for i, (a, b, c) in enumerate((a, b, c) for a in range(1, 4) for b in range(1, 8) for c in range(1, 9))
    ]
    db.session.execute(insert(Action), rows)
    db.session.commit()


def _shape_actions(rng: random.Random, ids: list[int], owners: list[User]) -> None:
    """RAGs, target dates (a fifth of them past), statuses and an owner on every other action."""
    today = date.today()
    rags = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.GREEN, Rag.GREEN, Rag.BLUE, None]
    rows = []
    for action_id in ids:
        rag = rng.choice(rags)
        rows.append(
            {
                "id": action_id,
                "rag": rag,
                "target_date": today + timedelta(days=rng.randint(-60, 300)),
                "status": ActionStatus.COMPLETE if rag is Rag.BLUE else ActionStatus.IN_PROGRESS,
            }
        )
    table = Action.__table__  # a Core UPDATE by primary key: seeding needs no optimistic locking
    db.session.execute(
        update(table).where(table.c.id == bindparam("b_id")),
        [{"b_id": row.pop("id"), **row} for row in rows],
    )
    db.session.execute(
        insert(action_owner), [{"action_id": a, "user_id": owners[i % len(owners)].id} for i, a in enumerate(ids[::2])]
    )
    db.session.commit()


def _top_up_updates(rng: random.Random, plan_id: int, ids: list[int], lead: User, updates: int = UPDATES) -> None:
    """Dated updates, some proposing a RAG, until the plan (`plan_id`, actions `ids`) holds `updates`; the first
    action gets exactly 50."""
    have = dict(
        db.session.execute(
            select(Update.action_id, db.func.count(Update.id))
            .where(Update.action_id.in_(ids))
            .group_by(Update.action_id)
        ).all()
    )
    total = sum(have.values())
    wanted = {ids[0]: UPDATES_ON_ACTION_PAGE - have.get(ids[0], 0)}
    spare = updates - total - wanted[ids[0]]
    others = ids[1:]
    for i in range(spare):
        action_id = others[i % len(others)]
        wanted[action_id] = wanted.get(action_id, 0) + 1
    today = date.today()
    rows = []
    for action_id, count in wanted.items():
        for n in range(count):
            rows.append(
                {
                    "action_id": action_id,
                    "plan_id": plan_id,
                    "as_at": today - timedelta(days=rng.randint(0, 400)),
                    "author_id": lead.id if n % 3 == 0 else None,
                    "author_name": "Bench Lead" if n % 3 == 0 else "DCI Chisholm",
                    "text": " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + ".",
                    "rag": rng.choice([None, None, None, Rag.RED, Rag.AMBER, Rag.GREEN]),
                    "restricted": rng.random() < 0.05,
                    "source": "app",
                }
            )
    for start in range(0, len(rows), 5_000):
        db.session.execute(insert(Update.__table__), rows[start : start + 5_000])
    db.session.commit()


def _review(rng: random.Random, plan: Plan, ids: list[int]) -> None:
    """A review a month ago that recorded every action's RAG; a tenth of them have moved since."""
    review = Review(plan_id=plan.id, held_on=date.today() - timedelta(days=30), attendees="Bench Lead")
    db.session.add(review)
    db.session.flush()
    current = dict(db.session.execute(select(Action.id, Action.rag).where(Action.plan_id == plan.id)).all())
    db.session.execute(
        insert(ReviewSnapshot),
        [
            {"review_id": review.id, "action_id": a, "rag": rng.choice(list(Rag)) if rng.random() < 0.1 else current[a]}
            for a in ids
        ],
    )


WORDS = (
    "partnership intelligence victims reporting safeguarding training awareness operational group regional "
    "network referrals tasking Sentinel problem profile disruption offenders community outreach NRM"
).split()
