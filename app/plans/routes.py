from flask import abort, redirect, render_template, url_for

from app.permissions import can_see_restricted, can_update_action, requires
from app.plans import bp
from app.services import plan_reading


@bp.route("/")
@requires()
def home():
    return redirect(url_for("plans.index"))


@bp.route("/plans")
@requires()
def index():
    return render_template("plans/index.html", plans=plan_reading.all_plans())


@bp.route("/plans/<int:plan_id>")
@requires()
def show(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    actions = plan_reading.plan_actions(plan)
    return render_template(
        "plans/show.html",
        plan=plan,
        groups=plan_reading.group_actions(plan, actions),
        last_updates=plan_reading.last_update_dates([a.id for a in actions]),
    )


@bp.route("/actions/<int:action_id>")
@requires()
def action(action_id: int):
    from flask_login import current_user

    action = plan_reading.get_action(action_id) or abort(404)
    show_restricted = can_see_restricted(current_user)
    updates = [u for u in action.updates if show_restricted or not u.restricted]
    return render_template(
        "plans/action.html",
        action=action,
        updates=updates,
        withheld=len(action.updates) - len(updates),
        can_update=can_update_action(current_user, action),
    )
