from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from app.models import Action, PlanKind, Role
from app.permissions import requires
from app.plans import bp
from app.plans.forms import FilterForm
from app.plans.pagination import pagination
from app.query_args import kept_filters, page_number
from app.services import clock
from app.services.access import can_edit_plan, can_see_restricted, can_update_action
from app.services.plans import filters as plan_filters
from app.services.plans import reading as plan_reading
from app.services.reporting import traceability


@bp.route("/")
@requires()
def home():
    if current_user.role is Role.OWNER:
        return redirect(url_for("updates.my_actions"))
    return redirect(url_for("plans.index"))


@bp.route("/plans")
@requires()
def index():
    return render_template("plans/index.html", plans=plan_reading.all_plans(), inactive=plan_reading.inactive_plans())


@bp.route("/plans/<int:plan_id>")
@requires()
def show(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    criteria = plan_filters.PlanFilter.from_args(request.args)
    found = plan_filters.filter_actions(
        plan,
        criteria,
        include_restricted=can_see_restricted(current_user),
        page=page_number(request.args),
    )
    groups = plan_reading.group_actions(plan, found.actions)
    filters = FilterForm(formdata=request.args)
    filters.set_owners(plan_filters.plan_owners(plan))
    args = kept_filters(request.args, (field.name for field in filters))  # the filters stay on every page
    return render_template(
        "plans/show.html",
        plan=plan,
        # Every strand, empty or not, while the whole plan fits on one page; otherwise the strands this page has.
        groups=[g for g in groups if g.actions] if criteria.active or found.pages > 1 else groups,
        last_updates=found.last_updates,
        criteria=criteria,
        found=found,
        filters=filters,
        pages=pagination(
            found.page,
            found.pages,
            lambda number: url_for("plans.show", plan_id=plan.id, **args, page=number),
            "Pages of actions",
        ),
        can_edit=can_edit_plan(current_user, plan),
    )


@bp.route("/actions/<int:action_id>")
@requires()
def action(action_id: int):
    action = plan_reading.get_action(action_id) or abort(404)
    return render_action_page(action)


def render_action_page(action: Action, *, update_form=None, conflict=None, status: int = 200):
    """The action page, also shown again (with the typed text) when an update is refused."""
    from app.updates.forms import UpdateForm

    can_update = can_update_action(current_user, action)
    if can_update and update_form is None:
        proposed = action.rag.value if action.rag else None
        update_form = UpdateForm(formdata=None, as_at=clock.today(), rag=proposed, version=action.version)
    show_restricted = can_see_restricted(current_user)
    updates = [u for u in action.updates if show_restricted or not u.restricted]
    page = render_template(
        "plans/action.html",
        action=action,
        updates=updates,
        withheld=len(action.updates) - len(updates),
        can_update=can_update,
        can_edit=can_edit_plan(current_user, action.plan),
        delivered_by=traceability.delivering_actions(action) if action.plan.kind is PlanKind.PCC else [],
        form=update_form,
        conflict=conflict,
    )
    return page, status
