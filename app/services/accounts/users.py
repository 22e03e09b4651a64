"""People's accounts: creating one, listing everyone, deactivating one."""

from app.extensions import db
from app.models import Role, User
from app.services.accounts import AccountError
from app.services.accounts.passwords import hash_secret, password_problem
from app.services.audit import trail as audit


def create_user(email: str, name: str, role: Role | str, password: str, *, by: User | None) -> User:
    """Add a user and commit; `by` is the administrator (None from the command line). Emails are compared in
    lower case. Raises AccountError, with nothing written, for a value that cannot be used."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter an email address in the correct format, like name@example.police.uk", "email")
    if not name.strip():
        raise AccountError("Enter the person's name", "name")
    if problem := password_problem(password):
        raise AccountError(problem, "password")
    if db.session.scalar(db.select(User.id).filter_by(email=email)):
        raise AccountError(f"A user with the email {email} already exists", "email")
    user = User(email=email, name=name.strip(), role=Role(role), password_hash=hash_secret(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user=by, record_type="user", record_id=user.id, new={"email": email, "role": str(role)})
    db.session.commit()
    return user


def all_users() -> list[User]:
    """Everyone who has an account, active first, then by name."""
    return list(db.session.scalars(db.select(User).order_by(User.active.desc(), User.name, User.id)))


def deactivate(user: User, *, by: User | None) -> None:
    """Stop the person signing in and end every session they have, and commit; `by` is the administrator.
    Their records and history stay."""
    if not user.active:
        raise AccountError(f"{user.name} is already deactivated")
    user.active = False
    user.rotate_session_token()
    audit.record(
        "user.deactivate",
        user=by,
        record_type="user",
        record_id=user.id,
        old={"active": True},
        new={"active": False},
        detail=user.email,
    )
    db.session.commit()
