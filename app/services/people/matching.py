"""Who the plan means: a Responsibility cell matched to the tracker's users and contacts by name.

"MDS Lead DSupt Walton & MDS Bronze DCI Chisholm" names DSupt Walton and DCI Chisholm. A name matches when it
appears in the cell as whole words, whatever the case and spacing, with ranks written either way ("Detective
Superintendent Walton" is "DSupt Walton"). Nothing is guessed silently: the import's check page lists every
match for the administrator to confirm, and only the ticked ones become owners once the file is imported.
The list is identified by a digest, so a match ticked on a page that has since gone stale (people added or
renamed meanwhile) is not applied to the wrong person.
"""

import hashlib
import re
from dataclasses import dataclass

from app.extensions import db
from app.models import Action, Contact, Plan, Role, Strand, User
from app.services.actions.conflicts import record_change

RANKS = {
    "detective chief superintendent": "dchsupt",
    "detective superintendent": "dsupt",
    "detective chief inspector": "dci",
    "detective inspector": "di",
    "detective sergeant": "ds",
    "detective constable": "dc",
    "chief superintendent": "chsupt",
    "superintendent": "supt",
    "chief inspector": "ci",
    "inspector": "insp",
    "sergeant": "sgt",
}
WORDS_RE = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Match:
    """One person named in one action's Responsibility."""

    plan_title: str
    period_label: str
    strand: Strand | None
    ref: str
    responsibility: str
    kind: str  # "user" or "contact"
    person_id: int
    name: str

    @property
    def display_ref(self) -> str:
        return f"{self.strand.value} {self.ref}" if self.strand else self.ref

    @property
    def key(self) -> str:
        strand = self.strand.value if self.strand else ""
        return f"{self.plan_title}\t{self.period_label}\t{strand}\t{self.ref}\t{self.kind}\t{self.person_id}"


def normalised(text: str) -> str:
    """Lower case, punctuation to spaces, ranks abbreviated, padded so whole words can be found with `in`."""
    text = " ".join(WORDS_RE.sub(" ", (text or "").casefold()).split())
    for long, short in RANKS.items():
        text = re.sub(rf"\b{long}\b", short, text)
    return f" {text} "


def people() -> list[tuple[str, int, str, str]]:
    """Everyone an action can be matched to: (kind, id, name, normalised name), users first."""
    users = db.session.scalars(
        db.select(User).where(User.active.is_(True), User.role != Role.VIEWER).order_by(User.name, User.id)
    )
    contacts = db.session.scalars(db.select(Contact).where(Contact.user_id.is_(None)).order_by(Contact.name))
    found = [("user", u.id, u.name, normalised(u.name)) for u in users]
    found += [("contact", c.id, c.name, normalised(c.name)) for c in contacts]
    return [person for person in found if person[3].strip()]


def matches_in(data: bytes, filename: str) -> list[Match]:
    """Every person named in the Responsibility of every action in the workbook, in the file's order."""
    from app.services.importing.workbook import read_workbook  # openpyxl loads only when a sheet is read

    everyone = people()
    result = []
    for plan in read_workbook(data, filename).plans:
        for action in plan.actions:
            text = normalised(action.responsibility)
            for kind, person_id, name, wanted in everyone:
                if wanted in text:
                    result.append(
                        Match(
                            plan.title,
                            plan.period_label,
                            action.strand,
                            action.ref,
                            action.responsibility,
                            kind,
                            person_id,
                            name,
                        )
                    )
    return result


def digest(matches: list[Match]) -> str:
    return hashlib.sha256("\n".join(m.key for m in matches).encode()).hexdigest()[:32]


def apply_confirmed(data: bytes, filename: str, ticked: list[str], seen_digest: str, admin: User) -> int | None:
    """Make the ticked matches owners of their (now imported) actions and commit; the number added.

    None when the list is no longer the one the page showed: nothing is applied, and the caller says so.
    """
    matches = matches_in(data, filename)
    if digest(matches) != seen_digest:
        return None
    chosen = {int(i) for i in ticked if i.isdigit() and int(i) < len(matches)}
    added = 0
    for i in sorted(chosen):
        match = matches[i]
        action = db.session.scalar(
            db.select(Action)
            .join(Plan, Plan.id == Action.plan_id)
            .where(
                Plan.title == match.plan_title,
                Plan.period_label == match.period_label,
                Action.strand.is_(None) if match.strand is None else Action.strand == match.strand,
                Action.ref == match.ref,
            )
        )
        person: User | Contact | None = (
            db.session.get(User, match.person_id) if match.kind == "user" else db.session.get(Contact, match.person_id)
        )
        if action is None or person is None:
            continue
        owners = action.owners if match.kind == "user" else action.contacts
        if person in owners:
            continue
        owners.append(person)
        db.session.flush()
        record_change(
            "action.owner_match",
            action,
            admin,
            new={"owner": person.name, "kind": match.kind, "responsibility": match.responsibility[:300]},
        )
        added += 1
    db.session.commit()
    return added
