"""Pages that write a plan's actions: adding one, putting a strand in order, closing or withdrawing one."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.authoring import bp
from app.authoring.forms import CloseForm, MoveForm, NewActionForm
from app.authoring.plan_routes import LEADS, plan_i_lead, show_error
from app.models import ActionStatus, Strand
from app.permissions import requires
from app.services.access import can_edit_plan
from app.services.actions import authoring as action_authoring
from app.services.actions import editing as action_editing
from app.services.actions.conflicts import ConflictError
from app.services.people import contacts
from app.services.plans import reading as plan_reading


def _strand(value: str | None) -> Strand | None:
    return next((s for s in Strand if s.value == value), None)


@bp.route("/plans/<int:plan_id>/actions/new", methods=["GET", "POST"])
@requires(*LEADS)
def new_action(plan_id: int):
    plan = plan_i_lead(plan_id)
    strand = _strand(request.values.get("strand", Strand.PREPARE.value))
    form = NewActionForm(
        data={"strand": strand.value if strand else "", "ref": action_authoring.suggested_ref(plan, strand)}
    )
    form.set_choices(plan, action_editing.possible_owners(), contacts.all_contacts())
    if form.validate_on_submit():
        try:
            action = action_authoring.add_action(plan, current_user._get_current_object(), _new_from(form))
        except action_authoring.AuthoringError as error:
            show_error(form, error)
        else:
            flash(f"{action.display_ref} added")
            return redirect(url_for("plans.action", action_id=action.id))
    suggestions = {s.value: action_authoring.suggested_ref(plan, s) for s in Strand}
    return render_template("authoring/new_action.html", plan=plan, form=form, suggestions=suggestions)


def _new_from(form: NewActionForm) -> action_authoring.NewAction:
    return action_authoring.NewAction(
        strand=_strand(form.strand.data),
        ref=form.ref.data,
        what=form.what.data,
        how=form.how.data or "",
        responsibility=form.responsibility.data or "",
        objective_id=int(form.objective.data) if form.objective.data else None,
        owner_ids=tuple(form.owners.data or ()),
        contact_ids=tuple(form.contacts.data or ()),
        target_date=form.target_date.data,
        links=form.links.data or "",
        partners=tuple((form.partners.data or "").splitlines()),
    )


@bp.route("/plans/<int:plan_id>/order/<strand>", methods=["GET", "POST"])
@requires(*LEADS)
def order(plan_id: int, strand: str):
    plan = plan_i_lead(plan_id)
    chosen = _strand(strand)
    if chosen is None and strand != "none":
        abort(404)
    form, status = MoveForm(), 200
    if form.validate_on_submit():
        action = plan_reading.get_action(form.action_id.data)
        if action is None or action.plan_id != plan.id or action.strand != chosen:
            abort(404)
        try:
            up = form.direction.data == "up"
            action_authoring.move_action(action, current_user._get_current_object(), up=up, seen_order=form.order.data)
        except action_authoring.AuthoringError as error:
            flash(str(error))
            status = 409
        else:
            return redirect(url_for("authoring.order", plan_id=plan.id, strand=strand))
    actions = action_authoring.strand_order(plan, chosen)
    page = render_template(
        "authoring/order.html",
        plan=plan,
        strand=strand,
        title=chosen.value if chosen else "No strand",
        actions=actions,
        token=action_authoring.order_token(actions),
        form=MoveForm(formdata=None),
    )
    return page, status


@bp.route("/actions/<int:action_id>/close", methods=["GET", "POST"])
@requires(*LEADS)
def close(action_id: int):
    action = plan_reading.get_action(action_id) or abort(404)
    if not can_edit_plan(current_user, action.plan):
        abort(403)
    form = CloseForm(data={"version": action.version})
    if form.validate_on_submit():
        try:
            action_authoring.close_action(
                action,
                current_user._get_current_object(),
                as_status=ActionStatus(form.as_status.data),
                reason=form.reason.data,
                seen_version=form.version.data,
            )
        except action_authoring.AuthoringError as error:
            show_error(form, error)
        except ConflictError as conflict:
            form.version.raw_data, form.version.data = [str(conflict.current_version)], conflict.current_version
            action = plan_reading.get_action(action_id) or action
            return render_template("authoring/close.html", action=action, form=form, conflict=conflict), 409
        else:
            flash(f"{action.display_ref} closed: {action.status.value if action.status else 'closed'}")
            return redirect(url_for("plans.action", action_id=action.id))
    return render_template("authoring/close.html", action=action, form=form)
