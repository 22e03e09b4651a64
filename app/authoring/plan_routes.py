"""Pages that write a plan: a new plan, its objectives, archiving."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.authoring import bp
from app.authoring.forms import ObjectiveForm, PlanForm
from app.extensions import db
from app.models import Objective, Role, Strand
from app.permissions import requires
from app.services.access import can_edit_plan
from app.services.plans import authoring as plan_authoring
from app.services.plans import reading as plan_reading

LEADS = (Role.ADMIN, Role.LEAD)


def plan_i_lead(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    return plan if can_edit_plan(current_user, plan) else abort(403)


def show_error(form, error) -> None:
    getattr(form, error.field).errors.append(str(error))


@bp.route("/plans/new", methods=["GET", "POST"])
@requires(*LEADS)
def new_plan():
    me = current_user._get_current_object()
    form = PlanForm()
    form.set_leads(plan_authoring.possible_leads(), fixed=me if me.role is Role.LEAD else None)
    if form.validate_on_submit():
        wanted = plan_authoring.NewPlan(
            form.title.data,
            form.priority.data or "",
            form.lead_user_id.data,
            form.period_label.data,
            form.update_interval_days.data,
        )
        try:
            plan = plan_authoring.create_plan(me, wanted)
        except plan_authoring.AuthoringError as error:
            show_error(form, error)
        else:
            flash(f"{plan.full_title} created: add its objectives and actions")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("authoring/new_plan.html", form=form)


@bp.route("/plans/<int:plan_id>/archive", methods=["GET", "POST"])
@requires(*LEADS)
def archive(plan_id: int):
    plan = plan_i_lead(plan_id)
    form = EmptyForm()
    if form.validate_on_submit():
        plan_authoring.set_archived(plan, current_user._get_current_object(), not plan.status == "Archived")
        flash(f"{plan.full_title} is {'archived' if plan.status == 'Archived' else 'active again'}")
        return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("authoring/archive.html", plan=plan, form=form)


@bp.route("/plans/<int:plan_id>/objectives/new", methods=["GET", "POST"])
@requires(*LEADS)
def new_objective(plan_id: int):
    return _objective_page(plan_i_lead(plan_id), None)


@bp.route("/plans/<int:plan_id>/objectives/<int:objective_id>", methods=["GET", "POST"])
@requires(*LEADS)
def objective(plan_id: int, objective_id: int):
    plan = plan_i_lead(plan_id)
    found = db.session.get(Objective, objective_id)
    if found is None or found.plan_id != plan.id:
        abort(404)
    return _objective_page(plan, found)


def _objective_page(plan, objective: Objective | None):
    form = ObjectiveForm(data=_objective_values(objective))
    if form.validate_on_submit():
        text = plan_authoring.ObjectiveText(
            Strand(form.strand.data) if form.strand.data else None,
            form.ref.data,
            form.title.data,
            tuple((form.outcomes.data or "").splitlines()),
        )
        try:
            saved = plan_authoring.save_objective(plan, current_user._get_current_object(), text, objective)
        except plan_authoring.AuthoringError as error:
            show_error(form, error)
        else:
            flash(f"Objective {saved.ref} saved")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("authoring/objective.html", plan=plan, form=form, objective=objective)


def _objective_values(objective: Objective | None) -> dict:
    if objective is None:
        return {}
    return {
        "strand": objective.strand.value if objective.strand else "",
        "ref": objective.ref,
        "title": objective.title,
        "outcomes": "\n".join(objective.outcomes or []),
    }
