from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.actions import bp
from app.actions.forms import ActionEditForm
from app.models import ActionStatus, Role
from app.permissions import requires
from app.services.access import can_edit_plan
from app.services.actions import editing as action_editing
from app.services.actions.conflicts import ConflictError
from app.services.plans import reading as plan_reading


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.LEAD)
def edit(action_id: int):
    action = plan_reading.get_action(action_id) or abort(404)
    if not can_edit_plan(current_user, action.plan):
        abort(403)
    form = ActionEditForm(data=_current_values(action))
    form.set_choices(action, action_editing.possible_owners(), action_editing.successor_plans(action))
    if not form.validate_on_submit():
        return render_template("actions/edit.html", action=action, form=form)
    try:
        changes = action_editing.edit_action(
            action, current_user._get_current_object(), _edit_from(form), seen_version=form.version.data
        )
    except action_editing.EditError as error:
        getattr(form, error.field or "links").errors.append(error.message)
        return render_template("actions/edit.html", action=action, form=form)
    except ConflictError as conflict:
        form.version.raw_data, form.version.data = [str(conflict.current_version)], conflict.current_version
        page = render_template(
            "actions/edit.html", action=plan_reading.get_action(action_id), form=form, conflict=conflict
        )
        return page, 409
    flash(
        f"Changed the {', '.join(FIELD_NAMES.get(name, name.replace('_', ' ')) for name in changes)}"
        if changes
        else "Nothing was changed"
    )
    return redirect(url_for("plans.action", action_id=action.id))


FIELD_NAMES = {"ref": "number", "what": "what we are going to do", "how": "how we are going to do it"}


def _current_values(action) -> dict:
    return {
        "ref": action.ref,
        "what": action.what,
        "how": action.how or "",
        "responsibility": action.responsibility or "",
        "links": action_editing.links_text(action),
        "owners": [owner.id for owner in action.owners],
        "target_date": action.target_date,
        "status": action.status.value if action.status else "",
        "successor_plan": str(action.successor.plan_id if action.successor else action.plan_id),
        "successor": action.successor.display_ref if action.successor else "",
        "objective": str(action.objective_id or ""),
        "restricted": action.restricted,
        "version": action.version,
    }


def _edit_from(form: ActionEditForm) -> action_editing.ActionEdit:
    return action_editing.ActionEdit(
        links=form.links.data or "",
        owner_ids=tuple(form.owners.data or ()),
        target_date=form.target_date.data,
        status=ActionStatus(form.status.data) if form.status.data else None,
        successor_ref=form.successor.data or "",
        successor_plan_id=int(form.successor_plan.data) if (form.successor_plan.data or "").isdigit() else None,
        objective_id=int(form.objective.data) if form.objective.data else None,
        restricted=form.restricted.data,
        ref=form.ref.data or "",
        what=form.what.data or "",
        how=form.how.data or "",
        responsibility=form.responsibility.data or "",
    )
