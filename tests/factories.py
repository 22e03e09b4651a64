"""Test factories with keyword defaults: make_user(role="owner"), make_plan(actions=3)."""

import itertools
from datetime import date

import pyotp

from app.extensions import db
from app.models import Action, Plan, PlanKind, Rag, Review, ReviewSnapshot, Role, Strand, StrategicLink, Update, User
from app.models.enums import Framework
from app.services.accounts import second_factor, users

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(
    role: Role | str = Role.OWNER,
    *,
    email: str | None = None,
    name: str | None = None,
    password=PASSWORD,
    two_factor: bool | None = None,
):
    """A user who can sign in. Admins and leads get an authenticator app (two-factor sign-in is required
    for them) unless `two_factor=False`; `AuthActions.login` types its codes."""
    n = next(_counter)
    user = users.create_user(email or f"user{n}@example.police.uk", name or f"User {n}", role, password, by=None)
    if two_factor if two_factor is not None else second_factor.required_for(user):
        secret = pyotp.random_base32()
        second_factor.enable(user, secret, pyotp.TOTP(secret).now())
        user.totp_last_step = None  # enrolled long ago: the code of this half-minute has not been used
    db.session.commit()
    return user


def make_plan(
    *,
    title: str | None = None,
    actions: int = 4,
    lead_user: User | None = None,
    owner: User | None = None,
    kind: PlanKind = PlanKind.LOCAL,
    updates_per_action: int = 0,
    rag: Rag | None = Rag.GREEN,
    period_label: str = "2025-26",
) -> Plan:
    """A plan whose actions go round the four strands (Prepare 1, Prevent 1, …), refs restarting per strand."""
    plan = Plan(
        title=title or f"Plan {next(_counter)}",
        kind=kind,
        priority="Modern Day Slavery",
        lead="Detective Superintendent Walton",
        lead_user=lead_user,
        period_label=period_label,
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
    )
    db.session.add(plan)
    strands = list(Strand)
    for i in range(actions):
        strand = strands[i % 4] if kind is PlanKind.LOCAL else None
        ref = str(i // 4 + 1) if kind is PlanKind.LOCAL else f"1.{i // 4 + 1}.{i % 4 + 1}"
        make_action(
            plan, strand=strand, ref=ref, position=i, owner=owner, rag=rag, updates=updates_per_action, flush=False
        )
    db.session.commit()  # one flush for them all: the actions are inserted in the order they were made
    return plan


def make_action(
    plan: Plan,
    *,
    strand: Strand | None = Strand.PREPARE,
    ref: str = "1",
    position: int = 0,
    what: str | None = None,
    owner: User | None = None,
    rag: Rag | None = Rag.GREEN,
    updates: int = 0,
    links: list[tuple[Framework, str | None]] = (),
    target_date: date | None = None,
    restricted: bool = False,
    flush: bool = True,
) -> Action:
    """An action of the plan, flushed (so it has its id) unless `flush=False` (make_plan flushes once)."""
    action = Action(
        plan=plan,
        strand=strand,
        ref=ref,
        position=position,
        what=what or f"Action {ref} of {strand.value if strand else 'the plan'}",
        how="• We will do it",
        responsibility="MDS Lead DSupt Walton",
        rag=rag,
        target_date=target_date,
        restricted=restricted,
    )
    if owner:
        action.owners.append(owner)
    for i, (framework, code) in enumerate(links):
        action.links.append(StrategicLink(framework=framework, code=code, text=f"{framework} {code or ''}", position=i))
    for u in range(updates):
        action.updates.append(
            Update(as_at=date(2025, 6, 1 + u % 28), text=f"Progress {u + 1}", author_name="DCI Chisholm")
        )
    db.session.add(action)
    if flush:
        db.session.flush()
    return action


def make_pending_import(uploader: User | None = None, *, rows: list | None = None):
    """A workbook uploaded by an admin and waiting on its check page."""
    from app.services.importing import pending as pending_imports
    from tests.workbooks import local_plan

    data = local_plan(rows or [["Prepare", 1, "Engage"]])
    return pending_imports.store_upload(uploader or make_user("admin"), "plan.xlsx", data)


def make_review(
    plan: Plan,
    *,
    held_on: date = date(2025, 6, 30),
    rags: dict[int, Rag | None] | None = None,
    attendees: str = "DSupt Walton, DCI Chisholm",
) -> Review:
    """A review meeting whose snapshot records each action's current RAG (or the RAG `rags` gives its id),
    status and target date."""
    review = Review(plan_id=plan.id, held_on=held_on, attendees=attendees)
    rags = rags or {}
    for action in plan.actions:
        rag = rags.get(action.id, action.rag)
        status = action.status.value if action.status else None
        review.snapshots.append(
            ReviewSnapshot(action_id=action.id, rag=rag, status=status, target_date=action.target_date)
        )
    db.session.add(review)
    db.session.commit()
    return review


def make_measure(plan: Plan, *, name: str = "Concerns raised", actions: list[Action] = (), **fields):
    """A monthly measure of the plan with a target of at least 15 and a breakdown by town."""
    from app.services.measures import editing

    wanted = {
        "name": name,
        "unit": "concerns",
        "frequency": "monthly",
        "direction": "more",
        "target": "15",
        "dimension": "Town",
        "categories": ("Smethwick", "West Bromwich"),
        "action_ids": tuple(a.id for a in actions),
        **fields,
    }
    return editing.save_measure(plan, None, editing.MeasureText(**wanted))
