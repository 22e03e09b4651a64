"""Which e-mails a person has turned off. Only the optional kinds can be; required ones are always sent."""

from app.extensions import db
from app.models import EmailOptOut, User
from app.services.audit import trail as audit
from app.services.notifications import KINDS, OPTIONAL


def turned_off(user: User) -> set[str]:
    return set(db.session.scalars(db.select(EmailOptOut.kind).filter_by(user_id=user.id)))


def opted_out(user_ids: list[int]) -> set[tuple[int, str]]:
    """(user id, kind) for every kind those people have turned off, in one query."""
    if not user_ids:
        return set()
    rows = db.session.execute(db.select(EmailOptOut.user_id, EmailOptOut.kind).where(EmailOptOut.user_id.in_(user_ids)))
    return {(user_id, kind) for user_id, kind in rows}


def choose(user: User, wanted: set[str]) -> list[str]:
    """Keep the optional kinds in `wanted` on and turn the other optional ones off; audit and commit.

    Required kinds stay on whatever is asked. Returns the kinds whose setting changed."""
    before = turned_off(user)
    after = {kind for kind in OPTIONAL if kind not in wanted}
    changed = sorted(before ^ after)
    if not changed:
        return []
    for kind in after - before:
        db.session.add(EmailOptOut(user_id=user.id, kind=kind))
    if before - after:
        db.session.execute(
            db.delete(EmailOptOut).where(EmailOptOut.user_id == user.id, EmailOptOut.kind.in_(before - after))
        )
    audit.record(
        "notifications.choose",
        user=user,
        record_type="user",
        record_id=user.id,
        old={kind: kind not in before for kind in changed},
        new={kind: kind not in after for kind in changed},
    )
    db.session.commit()
    return [KINDS[kind].label for kind in changed]
