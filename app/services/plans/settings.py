"""A plan's own settings: its title, priority and period, who leads it in the tracker, how often its actions need
an update, and how many days before an update is due its owners are reminded by e-mail."""

from dataclasses import dataclass

from app.extensions import db
from app.models import Plan, Role, User
from app.services.audit import trail as audit
from app.services.errors import ServiceError
from app.services.plain_text import checked_text
from app.services.plans.authoring import AuthoringError, period_dates

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
    title: str | None = None  # None (a form without the field): leave as it is
    priority: str | None = None
    period_label: str | None = None


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
    named = _naming(plan, settings)
    old = {
        **{name: getattr(plan, name) for name in named},
        "update_interval_days": plan.update_interval_days,
        "lead_user_id": plan.lead_user_id,
        "reminder_days_before": plan.reminder_days_before,
    }
    new = {
        **named,
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
        for name, value in named.items():
            setattr(plan, name, value)
        if "period_label" in changed:
            plan.period_start, plan.period_end = period_dates(named["period_label"])
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


def _naming(plan: Plan, settings: PlanSettings) -> dict:
    """The title, priority and period the settings give, checked as a new plan's are; only those given."""
    named: dict = {}
    if settings.title is not None:
        named["title"] = checked_text(settings.title, "title", "plan's title", 300, required=True, error=SettingsError)
    if settings.priority is not None:
        priority = checked_text(settings.priority, "priority", "priority", 200, required=False, error=SettingsError)
        named["priority"] = priority or None
    if settings.period_label is not None:
        named["period_label"] = " ".join(settings.period_label.split())
        if named["period_label"] != plan.period_label:  # a period imported in another form may be kept as it is
            try:
                period_dates(named["period_label"])
            except AuthoringError as error:
                raise SettingsError(error.message, error.field) from error
    title, period = named.get("title", plan.title), named.get("period_label", plan.period_label)
    if (title, period) != (plan.title, plan.period_label):
        clash = db.select(Plan.id).where(Plan.title == title, Plan.period_label == period, Plan.id != plan.id)
        if db.session.scalar(clash) is not None:
            message = f"There is already a plan called {title} for {period}: change the title or the period"
            raise SettingsError(message, "title" if title != plan.title else "period_label")
    return named
