"""People named in plans who have no account: contacts own actions, and an administrator can give one an account.

Turning a contact into a user hands the contact's actions to the new account (so they appear in its My actions)
and keeps the contact, linked to the user, so the record of who owned what stays readable. Audited as
`contact.add`, `contact.edit` and `contact.to_user`; the service commits.
"""

from dataclasses import dataclass

from app.extensions import db
from app.models import Action, Contact, Role, User, action_contact
from app.services.accounts import AccountError
from app.services.accounts.users import create_user
from app.services.audit import trail as audit
from app.services.errors import NotAllowed
from app.services.plans.authoring import AuthoringError, _text


@dataclass(frozen=True)
class ContactDetails:
    name: str
    role: str = ""
    email: str = ""


def all_contacts() -> list[Contact]:
    """Contacts who still have no account, by name."""
    return list(db.session.scalars(db.select(Contact).where(Contact.user_id.is_(None)).order_by(Contact.name)))


def every_contact() -> list[Contact]:
    return list(db.session.scalars(db.select(Contact).order_by(Contact.user_id.is_not(None), Contact.name)))


def _details(details: ContactDetails) -> dict:
    name = _text(details.name, "name", "person's name", 120)
    role = _text(details.role, "role", "role or organisation", 200, required=False)
    email = (details.email or "").strip().lower()
    if email and ("@" not in email or len(email) > 254 or " " in email):
        raise AuthoringError("Enter an email address in the correct format, like name@example.police.uk", "email")
    return {"name": name, "role": role, "email": email or None}


def save_contact(user: User, details: ContactDetails, contact: Contact | None = None) -> Contact:
    """Add a contact or change one; commit."""
    if user.role not in (Role.ADMIN, Role.LEAD):
        raise NotAllowed(f"{user.email} cannot keep contacts")
    values = _details(details)
    before = {"name": contact.name, "role": contact.role, "email": contact.email} if contact else None
    if contact is None:
        contact = Contact(**values)
        db.session.add(contact)
    else:
        for name, value in values.items():
            setattr(contact, name, value)
    if before == values:
        db.session.rollback()
        return contact
    db.session.flush()
    verb = "contact.edit" if before else "contact.add"
    audit.record(verb, user=user, record_type="contact", record_id=contact.id, old=before, new=values)
    db.session.commit()
    return contact


def turn_into_user(admin: User, contact: Contact, *, email: str, role: Role, password: str) -> User:
    """Give the contact an account and hand their actions to it; commit. Raises AccountError (nothing written)
    when the contact already has an account or the email, role or password cannot be used."""
    if admin.role is not Role.ADMIN:
        raise NotAllowed(f"{admin.email} cannot create accounts")
    if contact.user_id is not None:
        raise AccountError(f"{contact.name} already has an account", "email")
    if role not in (Role.OWNER, Role.LEAD, Role.VIEWER):
        raise AccountError("Select the person's role", "role")
    # create_user refuses (writing nothing) or commits the account; the hand-over below then commits on its own.
    user = create_user(email or contact.email or "", contact.name, role, password, by=admin)
    actions = list(
        db.session.scalars(db.select(Action).join(action_contact).where(action_contact.c.contact_id == contact.id))
    )
    for action in actions:
        action.contacts.remove(contact)
        if user not in action.owners:
            action.owners.append(user)
    contact.user = user
    db.session.flush()
    audit.record(
        "contact.to_user",
        user=admin,
        record_type="contact",
        record_id=contact.id,
        new={"user_id": user.id, "email": user.email, "role": role.value, "actions": [a.id for a in actions]},
    )
    db.session.commit()
    return user
