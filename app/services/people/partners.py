"""Partner organisations named on actions (Hope for Justice, the council, the GLAA), one row each by name."""

from app.extensions import db
from app.models import Partner

MAX_NAME_LENGTH = 200


def named(names) -> list[Partner]:
    """The partners with these names, made when new; the same name in another case is the same partner."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join((name or "").split())[:MAX_NAME_LENGTH]
        if name:
            wanted.setdefault(name.casefold(), name)
    if not wanted:
        return []
    known = {p.name.casefold(): p for p in db.session.scalars(db.select(Partner))}
    result = []
    for key, name in wanted.items():
        partner = known.get(key)
        if partner is None:
            partner = Partner(name=name)
            db.session.add(partner)
            known[key] = partner
        result.append(partner)
    return result


def all_partners() -> list[Partner]:
    return list(db.session.scalars(db.select(Partner).order_by(Partner.name)))
