from flask import abort, render_template, url_for
from flask_login import current_user

from app.dashboard import bp
from app.permissions import requires
from app.services.access import can_edit_plan, can_see_restricted
from app.services.measures import reading as measure_reading
from app.services.plans import reading as plan_reading
from app.services.redaction import Reader
from app.services.reporting import charts, dashboard


@bp.route("/plans/<int:plan_id>/dashboard")
@requires()
def show(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    include_restricted = can_see_restricted(current_user)
    board = dashboard.build(plan, include_restricted=include_restricted)
    return render_template(
        "dashboard/show.html",
        plan=plan,
        board=board,
        counts=board.counts,
        series=charts.RAG_SERIES,
        can_edit=can_edit_plan(current_user, plan),
        measures=measure_reading.measures_of(plan, Reader.for_user(current_user), board.today),
        action_href=url_for("plans.action", action_id=0).removesuffix("0"),  # + an id: built once, not per row
    )
