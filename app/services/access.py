"""Who may do what to which record: plain rules of a user and a record, asked by views and services alike.

Nothing here knows about requests or the signed-in user; the web side (`requires`, `public`) is in
app/permissions.py, and a service that refuses raises app.services.errors.NotAllowed.
"""

from app.models import Action, Measure, Plan, Role, User
from app.services.redaction import Reader


def leads_plan(user: User, plan: Plan) -> bool:
    return user.role is Role.ADMIN or (user.role is Role.LEAD and plan.lead_user_id == user.id)


def can_edit_plan(user: User, plan: Plan) -> bool:
    """Admins, and the lead of this plan, manage it: RAG decisions, links, owners, reviews."""
    return leads_plan(user, plan)


def can_update_action(user: User, action: Action) -> bool:
    """Owners write updates on their own actions; the plan's lead on any of its actions."""
    return leads_plan(user, action.plan) or any(owner.id == user.id for owner in action.owners)


def can_see_restricted(user: User) -> bool:
    """Restricted text is withheld from viewers (the PCC office) everywhere, not only in exports (the rule:
    app.services.redaction)."""
    return not Reader.for_user(user).withholds


def can_enter_measure_values(user: User, measure: Measure) -> bool:
    """Values of a measure are entered by the plan's lead (and admins) and by the owners of its linked actions."""
    if user.role is Role.VIEWER:
        return False
    return leads_plan(user, measure.plan) or any(owner.id == user.id for a in measure.actions for owner in a.owners)
