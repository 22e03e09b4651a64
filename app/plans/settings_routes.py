"""The plan settings page: the title, priority and period, the lead user, the update interval and the e-mail
reminder's days before."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.models import Role
from app.permissions import requires
from app.plans import bp
from app.plans.forms import PlanSettingsForm
from app.services.access import can_edit_plan
from app.services.plans import reading as plan_reading
from app.services.plans import settings as plan_settings


@bp.route("/plans/<int:plan_id>/settings", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.LEAD)
def settings(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    if not can_edit_plan(current_user, plan):
        abort(403)
    form = PlanSettingsForm(
        data={
            "title": plan.title,
            "priority": plan.priority or "",
            "period_label": plan.period_label or "",
            "update_interval_days": plan.update_interval_days,
            "reminder_days_before": plan.reminder_days_before,
            "lead_user_id": plan.lead_user_id,
        }
    )
    form.set_leads(plan_settings.possible_leads(), may_change=current_user.role is Role.ADMIN)
    if form.validate_on_submit():
        wanted = plan_settings.PlanSettings(
            update_interval_days=form.update_interval_days.data,
            reminder_days_before=form.reminder_days_before.data,
            lead_user_id=form.lead_user_id.data if current_user.role is Role.ADMIN else plan.lead_user_id,
            title=_given(form.title),
            priority=_given(form.priority),
            period_label=_given(form.period_label),
        )
        try:
            changed = plan_settings.change_settings(plan, current_user._get_current_object(), wanted)
        except plan_settings.SettingsError as error:
            getattr(form, error.field or "update_interval_days").errors.append(error.message)
        else:
            flash("Plan settings saved" if changed else "Nothing was changed")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/settings.html", plan=plan, form=form)


def _given(field) -> str | None:
    """What was typed in a field the form sent, or None when it did not send it (the setting stays)."""
    return (field.data or "") if field.raw_data else None
