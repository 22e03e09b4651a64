"""Sending what is due, each thing once, even when two runs overlap or the mail server fails half-way.

For each e-mail the run first *claims* its items: it inserts their SentEmail rows (sent_at empty) in one statement
and commits.
The unique key (kind, user, subject) lets only one run claim an item; a run that loses the race leaves the item
out, and sends nothing when it claimed none. Only then is the e-mail sent, and its rows marked sent. When the
server refuses or cannot be reached, the claims of that e-mail are deleted again and the run stops: what was
not sent is sent by the next run.

A run killed between claiming and marking (the machine stopped) leaves claims that were never marked; after
CLAIM_TIMEOUT they are taken as not sent and released, so the e-mail goes on a later run. Should the kill have
come after the server accepted the message, that person gets it twice: the one case in which a reminder is
repeated rather than lost.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import SentEmail
from app.models.base import utcnow
from app.services import mail
from app.services.audit import trail as audit
from app.services.notifications import DIGEST, Links
from app.services.notifications.reminders import Item, Pending, compose

CLAIM_TIMEOUT = timedelta(minutes=30)


@dataclass
class RunReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # claimed by another run at the same moment
    failed: str | None = None
    unsent: int = 0


def release_abandoned_claims(now: datetime | None = None) -> int:
    """Delete claims older than CLAIM_TIMEOUT that were never marked sent; commit. Returns how many."""
    cutoff = (now or utcnow()) - CLAIM_TIMEOUT
    result = db.session.execute(db.delete(SentEmail).where(SentEmail.sent_at.is_(None), SentEmail.claimed_at < cutoff))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def _records(pending: Pending) -> list[Item]:
    if pending.kind == DIGEST:  # one record for the week, however many plans the digest covers
        first = pending.items[0]
        return [Item(first.subject_key, week=first.week)]
    return pending.items


def claim(pending: Pending, items: list[Item]) -> dict[str, int]:
    """Insert the items' records, unsent, in one statement, and commit: {subject key: record id} of those this run
    claimed. An item another run holds already is left out (the unique key: ON CONFLICT DO NOTHING), and a run
    that inserts at the same moment waits for the other's commit, then leaves it out."""
    now = utcnow()
    rows = [
        {
            "kind": pending.kind,
            "user_id": pending.user_id,
            "subject_key": item.subject_key,
            "action_id": item.action_id,
            "plan_id": item.plan_id,
            "due_on": item.due_on,
            "decision_id": item.decision_id,
            "week": item.week,
            "claimed_at": now,
        }
        for item in items
    ]
    dialect = db.session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        return _claim_one_by_one(rows)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SentEmail)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["kind", "user_id", "subject_key"])
        .returning(SentEmail.subject_key, SentEmail.id)
    )
    claimed = {key: record_id for key, record_id in db.session.execute(statement)}
    db.session.commit()
    return claimed


def _claim_one_by_one(rows: list[dict]) -> dict[str, int]:
    claimed = {}
    for row in rows:
        record = SentEmail(**row)
        db.session.add(record)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        claimed[row["subject_key"]] = record.id
    return claimed


def send(pending: list[Pending], postbox: mail.Postbox, links: Links) -> RunReport:
    """Claim, send and mark each e-mail in turn; stops at the first the server refuses (report.failed)."""
    report = RunReport()
    for number, each in enumerate(pending):
        claims = claim(each, _records(each))
        if not claims:
            report.skipped.append(each.description)
            continue
        if each.kind != DIGEST:
            each.items = [item for item in each.items if item.subject_key in claims]
        ids = list(claims.values())
        subject, body = compose(each, links)
        try:
            postbox.send(mail.message(postbox.settings, each.email, subject, body))
        except mail.MailError as error:
            db.session.execute(db.delete(SentEmail).where(SentEmail.id.in_(ids)))
            db.session.commit()
            report.failed = error.message
            report.unsent = len(pending) - number
            break
        db.session.execute(db.update(SentEmail).where(SentEmail.id.in_(ids)).values(sent_at=utcnow()))
        db.session.commit()
        report.sent.append(each.description)
    if report.sent or report.failed:
        audit.record(
            "email.reminders",
            user=None,
            detail=f"sent {len(report.sent)} e-mails" + (f"; stopped: {report.failed}" if report.failed else ""),
        )
        db.session.commit()
    return report
