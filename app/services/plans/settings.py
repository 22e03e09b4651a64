"""A plan's own settings: who leads it in the tracker, how often its actions need an update, and how many days
before an update is due its owners are reminded by e-mail."""

from dataclasses import dataclass

from app.extensions import db
from app.models import Plan, Role, User
from app.services.audit import trail as audit
from app.services.errors import ServiceError

MIN_INTERVAL_DAYS = 1
MAX_INTERVAL_DAYS = 366
MAX_REMINDER_DAYS = 60


class SettingsError(ServiceError):
    """A setting that cannot be made; `field` names the form field."""


@dataclass(frozen=True)
class PlanSettings:
    update_interval_days: int
    lead_user_id: int | None
    reminder_days_before: int | None = None  # None: leave as it is


def possible_leads() -> list[User]:
    """Active users with the lead role: only they (and admins) can lead a plan in the tracker."""
    return list(db.session.scalars(db.select(User).filter_by(role=Role.LEAD, active=True).order_by(User.name)))


def change_settings(plan: Plan, user: User, settings: PlanSettings) -> list[str]:
    """Apply the settings; returns the names of what changed. Only an admin may hand the plan to another lead,
    because leading a plan is what lets a lead decide its RAG. Commits; SettingsError leaves the plan as it was."""
    if not MIN_INTERVAL_DAYS <= settings.update_interval_days <= MAX_INTERVAL_DAYS:
        raise SettingsError(
            f"Enter an update interval between {MIN_INTERVAL_DAYS} and {MAX_INTERVAL_DAYS} days", "update_interval_days"
        )
    reminder = plan.reminder_days_before if settings.reminder_days_before is None else settings.reminder_days_before
    if not 0 <= reminder <= MAX_REMINDER_DAYS:
        raise SettingsError(f"Enter a number of days between 0 and {MAX_REMINDER_DAYS}", "reminder_days_before")
    old = {
        "update_interval_days": plan.update_interval_days,
        "lead_user_id": plan.lead_user_id,
        "reminder_days_before": plan.reminder_days_before,
    }
    new = {
        "update_interval_days": settings.update_interval_days,
        "lead_user_id": settings.lead_user_id,
        "reminder_days_before": reminder,
    }
    if new["lead_user_id"] != old["lead_user_id"]:
        if user.role is not Role.ADMIN:
            raise SettingsError("Only an administrator can change who leads the plan", "lead_user_id")
        if new["lead_user_id"] is not None and new["lead_user_id"] not in {u.id for u in possible_leads()}:
            raise SettingsError("Select a lead from the list", "lead_user_id")
    changed = [name for name in new if new[name] != old[name]]
    if changed:
        plan.update_interval_days = settings.update_interval_days
        plan.lead_user_id = settings.lead_user_id
        plan.reminder_days_before = reminder
        audit.record(
            "plan.settings",
            user=user,
            record_type="plan",
            record_id=plan.id,
            old={name: old[name] for name in changed},
            new={name: new[name] for name in changed},
        )
        db.session.commit()
    return changed
