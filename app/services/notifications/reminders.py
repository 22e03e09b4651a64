"""What `flask reminders send` has to send today: owners' reminders, decisions on their actions, leads' digests.

Each e-mail is a `Pending`: one person, one kind, and the items it tells them about. Each item has the key
under which it is recorded once sent (`SentEmail.subject_key`), so what was sent is left out of the next run:

- due soon / overdue: "action 12 due 2026-12-09", one an action and due date (a new update moves the due date,
  and the next reminder is for the new date); "action 12 due first update" for an action with no dated update;
- decision: "decision 40", one a RAG decision;
- digest: "week 2026-W49", one a lead and ISO week (the first run of each week sends it).

Everything an e-mail says is captured here as plain text (plan names, references, dates, counts), never the
text of an action or an update.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Action, Plan, RagChange, SentEmail, User, action_owner
from app.models.base import utcnow
from app.models.plan import ACTIVE
from app.services import clock
from app.services.notifications import DECISION, DIGEST, DUE_SOON, KINDS, OVERDUE, Links
from app.services.notifications.preferences import opted_out
from app.services.plans.reading import last_update_dates
from app.services.reporting import landing
from app.services.reviewing import rag_rules

# Decisions older than this are not e-mailed: the first run after deployment does not send the whole history.
DECISION_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Item:
    subject_key: str
    action_id: int | None = None
    plan_id: int | None = None
    due_on: date | None = None
    decision_id: int | None = None
    week: str | None = None
    # What the e-mail says about it: (heading it goes under, line, link) - no action text.
    heading: str = ""
    ref: str = ""
    line: str = ""
    link: str = ""


@dataclass
class Pending:
    user_id: int
    email: str
    name: str
    kind: str
    items: list[Item] = field(default_factory=list)

    @property
    def description(self) -> str:
        return f"{KINDS[self.kind].label} to {self.email}: {len(self.items)} item{'' if len(self.items) == 1 else 's'}"


def day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def iso_week(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def owner_reminders(today: date, links: Links) -> list[Pending]:
    """One e-mail a person for the updates due soon, one for those overdue, on the active plans' open actions."""
    rows = db.session.execute(
        db.select(Action, User)
        .join(action_owner, action_owner.c.action_id == Action.id)
        .join(User, User.id == action_owner.c.user_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.status == ACTIVE, User.active.is_(True))
        .options(joinedload(Action.plan))
        .order_by(User.id, Plan.title, Plan.id, Action.position, Action.id)
    ).all()
    last = last_update_dates(list({action.id for action, _ in rows}))
    pending: dict[tuple[int, str], Pending] = {}
    for action, user in rows:
        facts = rag_rules.ActionFacts.of(action, last.get(action.id))
        if rag_rules.is_closed(facts):
            continue
        due_on = rag_rules.update_due_on(facts)
        if due_on is None:  # no dated update yet: stale, reminded once until the first update
            kind, line = OVERDUE, f"{action.display_ref}: no update yet"
        elif rag_rules.is_stale(facts, today):
            kind, line = OVERDUE, f"{action.display_ref}: update overdue (due by {day(due_on)})"
        elif (days_before := action.plan.reminder_days_before) > 0 and today >= due_on - timedelta(days=days_before):
            kind, line = DUE_SOON, f"{action.display_ref}: update due by {day(due_on)}"
        else:
            continue
        item = Item(
            f"action {action.id} due {due_on.isoformat() if due_on else 'first update'}",
            action_id=action.id,
            plan_id=action.plan_id,
            due_on=due_on,
            heading=action.plan.full_title,
            line=line,
            link=links.action(action.id),
        )
        pending.setdefault((user.id, kind), Pending(user.id, user.email, user.name, kind)).items.append(item)
    return list(pending.values())


def decision_notices(now: datetime, links: Links) -> list[Pending]:
    """One e-mail an owner and decision made in the last week by somebody else, on an active plan."""
    rows = db.session.execute(
        db.select(RagChange, Action, User)
        .join(Action, Action.id == RagChange.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .join(action_owner, action_owner.c.action_id == Action.id)
        .join(User, User.id == action_owner.c.user_id)
        .where(
            RagChange.changed_at >= now - DECISION_LOOKBACK,
            RagChange.user_id.is_not(None),
            RagChange.user_id != User.id,
            Plan.status == ACTIVE,
            User.active.is_(True),
        )
        .options(joinedload(RagChange.user), joinedload(Action.plan))
        .order_by(RagChange.id, User.id)
    ).all()
    result = []
    for change, action, owner in rows:
        who = change.user.name if change.user else "The plan lead"
        to = change.to_rag.label if change.to_rag else "Not set"
        if change.from_rag == change.to_rag:
            line = f"{who} confirmed {action.display_ref} as {to} on {day(change.changed_at.date())}"
        else:
            was = change.from_rag.label if change.from_rag else "Not set"
            line = f"{who} set {action.display_ref} to {to} (it was {was}) on {day(change.changed_at.date())}"
        item = Item(
            f"decision {change.id}",
            action_id=action.id,
            plan_id=action.plan_id,
            decision_id=change.id,
            heading=action.plan.full_title,
            ref=action.display_ref,
            line=line,
            link=links.action(action.id),
        )
        result.append(Pending(owner.id, owner.email, owner.name, DECISION, [item]))
    return result


def lead_digests(today: date, links: Links) -> list[Pending]:
    """One e-mail a plan lead and ISO week: for each active plan they lead, the counts of the lead's landing."""
    plans = list(
        db.session.scalars(
            db.select(Plan)
            .join(User, User.id == Plan.lead_user_id)
            .where(Plan.status == ACTIVE, User.active.is_(True))
            .options(joinedload(Plan.lead_user))
            .order_by(Plan.title, Plan.id)
        )
    )
    counts = landing.landings(plans, include_restricted=True, today=today)
    week = iso_week(today)
    by_lead: dict[int, Pending] = {}
    for plan in plans:
        lead = plan.lead_user
        assert lead is not None
        row = counts[plan.id]
        line = (
            f"{row.awaiting} proposal{'' if row.awaiting == 1 else 's'} waiting for your decision, "
            f"{row.overdue} overdue, {row.stale} stale, {row.red} Red"
        )
        pending = by_lead.setdefault(lead.id, Pending(lead.id, lead.email, lead.name, DIGEST))
        pending.items.append(
            Item(
                f"week {week}",
                plan_id=plan.id,
                week=week,
                heading=plan.full_title,
                line=line,
                link=links.dashboard(plan.id),
            )
        )
    return list(by_lead.values())


def due(today: date | None = None, now: datetime | None = None, *, links: Links) -> list[Pending]:
    """Every e-mail to send now: what nobody has turned off and no run has recorded (sent or being sent)."""
    today = today or clock.today()
    now = now or utcnow()
    pending = owner_reminders(today, links) + decision_notices(now, links) + lead_digests(today, links)
    off = opted_out(list({p.user_id for p in pending}))
    recorded = {
        tuple(row) for row in db.session.execute(db.select(SentEmail.kind, SentEmail.user_id, SentEmail.subject_key))
    }
    result = []
    for p in pending:
        if not KINDS[p.kind].required and (p.user_id, p.kind) in off:
            continue
        if p.kind == DIGEST:  # one record for the week's digest, whichever plans it covers
            if (p.kind, p.user_id, p.items[0].subject_key) in recorded:
                continue
        else:
            p.items = [item for item in p.items if (p.kind, p.user_id, item.subject_key) not in recorded]
        if p.items:
            result.append(p)
    order = {DUE_SOON: 1, OVERDUE: 0, DECISION: 2, DIGEST: 3}
    return sorted(result, key=lambda p: (order[p.kind], p.user_id))


def compose(pending: Pending, links: Links) -> tuple[str, str]:
    """The subject and plain-text body of the e-mail."""
    n = len(pending.items)
    if pending.kind == DUE_SOON:
        subject = f"{n} update{'' if n == 1 else 's'} due soon on your actions"
        opening = "These actions you own need an update by the date shown."
    elif pending.kind == OVERDUE:
        subject = f"{n} update{'' if n == 1 else 's'} overdue on your actions"
        opening = "The update on these actions you own is overdue."
    elif pending.kind == DECISION:
        subject = f"RAG decision on your action {pending.items[0].ref}"
        opening = "The plan lead has made a decision on an action you own."
    else:
        subject = f"Weekly digest: {pending.items[0].week}"
        opening = "Where the plans you lead stand today."
    lines = [f"Hello {pending.name},", "", opening, ""]
    heading = None
    for item in pending.items:
        if item.heading != heading:
            heading = item.heading
            lines += [heading, ""]
        lines += [f"  {item.line}", f"  {item.link}", ""]
    if pending.kind in (DUE_SOON, OVERDUE):
        lines += ["Write your updates on My actions:", links.my_actions(), ""]
    if pending.kind == DECISION:
        lines += ["The reason, if the lead gave one, is on the action's page.", ""]
    if KINDS[pending.kind].required:
        lines += ["Reminders of overdue updates are always sent to action owners.", ""]
    else:
        lines += [f"To stop these e-mails, change your notifications: {links.notifications()}", ""]
    lines += ["Delivery Plan Tracker"]
    return subject, "\n".join(lines) + "\n"
