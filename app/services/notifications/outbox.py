"""Sending what is due, each thing once, even when two runs overlap or the mail server fails half-way.

For each e-mail the run first *claims* its items: it inserts their SentEmail rows (sent_at empty) and commits.
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


def _claim(pending: Pending, item: Item) -> int | None:
    """Insert the item's record, unsent, and commit; its id, or None when another run holds it already."""
    row = SentEmail(
        kind=pending.kind,
        user_id=pending.user_id,
        subject_key=item.subject_key,
        action_id=item.action_id,
        plan_id=item.plan_id,
        due_on=item.due_on,
        decision_id=item.decision_id,
        week=item.week,
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return row.id


def send(pending: list[Pending], postbox: mail.Postbox, links: Links) -> RunReport:
    """Claim, send and mark each e-mail in turn; stops at the first the server refuses (report.failed)."""
    report = RunReport()
    for number, each in enumerate(pending):
        claims = {item.subject_key: _claim(each, item) for item in _records(each)}
        if each.kind == DIGEST:
            if claims[each.items[0].subject_key] is None:
                report.skipped.append(each.description)
                continue
        else:
            taken = [item for item in each.items if claims[item.subject_key] is not None]
            if not taken:
                report.skipped.append(each.description)
                continue
            each.items = taken
        ids = [claim for claim in claims.values() if claim is not None]
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
