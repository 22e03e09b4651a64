from urllib.parse import urlencode

from flask import abort, render_template, url_for
from flask_login import current_user

from app.dashboard import bp
from app.models import Strand
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
        filter_hrefs=filter_hrefs(plan.id),
    )


def filter_hrefs(plan_id: int) -> dict[tuple[str | None, str | None], str]:
    """The plan page filtered by (strand, RAG key), either None for no filter, as url_for builds it, for every cell
    of the strand x RAG matrix: the address is built once and each query string appended to it (a url_for for
    each of the matrix's fifty-odd cells cost more than the rest of the table)."""
    base = url_for("plans.show", plan_id=plan_id)
    hrefs = {}
    for strand in (None, *(strand.value for strand in Strand), "none"):
        for rag in (None, *(series.key for series in charts.RAG_SERIES)):
            query = urlencode(
                [(name, value) for name, value in (("strand", strand), ("rag", rag)) if value is not None]
            )
            hrefs[(strand, rag)] = f"{base}?{query}" if query else base
    return hrefs
