"""Who may do what. Every view is marked with `requires(...)` or `public`; nothing answers by default.

Role checks live in the decorator; record checks ("is this your action?") in app.services.access,
which views and services ask before showing or changing a record.
"""

from functools import wraps

from flask import abort
from flask_login import current_user

from app.models import Role

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

        wrapped.__dict__["roles"] = allowed  # read by the permission check of every request (request_guards)
        return wrapped

    return decorator
