"""Next year's plan, started from this one, and the closing summary of the plan it leaves behind."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.authoring import bp
from app.authoring.forms import NextYearForm
from app.authoring.plan_routes import LEADS, plan_i_lead, show_error
from app.permissions import requires
from app.services.plans import authoring as plan_authoring
from app.services.plans import carry_forward
from app.services.plans import reading as plan_reading


@bp.app_template_global()
def earlier_actions(action):
    """The actions of earlier plans that this one continues, for the action page's link to their history."""
    return carry_forward.carried_from(action)


@bp.route("/plans/<int:plan_id>/next-year", methods=["GET", "POST"])
@requires(*LEADS)
def next_year(plan_id: int):
    plan = plan_i_lead(plan_id)
    try:
        suggested = plan_authoring.next_period(plan.period_label)
    except plan_authoring.AuthoringError:
        suggested = ""
    form = NextYearForm(data={"period_label": suggested})
    if form.validate_on_submit():
        try:
            new = carry_forward.start_next_plan(
                plan, current_user._get_current_object(), period_label=form.period_label.data
            )
        except plan_authoring.AuthoringError as error:
            error.field = "period_label"
            show_error(form, error)
        else:
            flash(f"{new.full_title} started with {len(new.actions)} actions carried forward")
            return redirect(url_for("plans.show", plan_id=new.id))
    return render_template(
        "authoring/next_year.html",
        plan=plan,
        form=form,
        carried=carry_forward.open_actions(plan),
        summary=carry_forward.closing_summary(plan),
    )


@bp.route("/plans/<int:plan_id>/closing-summary")
@requires()
def closing_summary(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    return render_template("authoring/closing_summary.html", plan=plan, summary=carry_forward.closing_summary(plan))
