"""Who may do what. Every view is marked with `requires(...)` or `public`; nothing answers by default.

Role checks live in the decorator; record checks ("is this your action?") in the can_* functions,
which views call before showing or changing a record.
"""

from functools import wraps

from flask import abort
from flask_login import current_user

from app.models import Action, Plan, Role, User
from app.services.redaction import Reader

ALL_ROLES = tuple(Role)


def public(view):
    """A page anybody may see without signing in (the sign-in page itself)."""
    view.public = True
    return view


def requires(*roles: Role):
    """Let the view run only for a signed-in user with one of these roles (403 otherwise)."""
    allowed = frozenset(roles or ALL_ROLES)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.roles = allowed
        return wrapped

    return decorator


def leads_plan(user: User, plan: Plan) -> bool:
    return user.role is Role.ADMIN or (user.role is Role.LEAD and plan.lead_user_id == user.id)


def can_edit_plan(user: User, plan: Plan) -> bool:
    """Admins, and the lead of this plan, manage it: RAG decisions, links, owners, reviews."""
    return leads_plan(user, plan)


def can_update_action(user: User, action: Action) -> bool:
    """Owners write updates on their own actions; the plan's lead on any of its actions."""
    return leads_plan(user, action.plan) or any(owner.id == user.id for owner in action.owners)


def can_see_restricted(user: User) -> bool:
    """Restricted text is withheld from viewers (the PCC office) everywhere, not only in exports."""
    return not Reader.for_user(user).withholds
