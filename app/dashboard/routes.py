from datetime import date
from urllib.parse import urlencode

from flask import abort, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from app.dashboard import bp
from app.models import Plan, Strand
from app.permissions import requires
from app.services import clock, data_version
from app.services.access import can_edit_plan, can_see_restricted
from app.services.measures import reading as measure_reading
from app.services.plans import reading as plan_reading
from app.services.redaction import Reader
from app.services.reporting import charts, dashboard


@bp.route("/plans/<int:plan_id>/dashboard")
@requires()
def show(plan_id: int):
    data_version.current()  # read first: what is kept under it is never older than it
    plan = plan_reading.get_plan(plan_id) or abort(404)
    return render_template("dashboard/show.html", plan=plan, body=body(plan))


def body(plan: Plan, today: date | None = None) -> Markup:
    """The dashboard's content for the signed-in person, kept while the data version is unchanged (the page bench's
    plan nobody writes to), by everything else it is drawn from: the plan, today, what the reader may see, whether
    they may edit the plan, and the addresses' root. A write anywhere draws it afresh."""
    today = today or clock.today()
    include_restricted = can_see_restricted(current_user)
    reader = Reader.for_user(current_user)
    can_edit = can_edit_plan(current_user, plan)
    action_href = url_for("plans.action", action_id=0).removesuffix("0")  # + an id: built once, not per row

    def draw() -> Markup:
        board = dashboard.build(plan, include_restricted=include_restricted, today=today)
        return Markup(
            render_template(
                "dashboard/_body.html",
                plan=plan,
                board=board,
                counts=board.counts,
                series=charts.RAG_SERIES,
                can_edit=can_edit,
                measures=measure_reading.measures_of(plan, reader, board.today),
                action_href=action_href,
                filter_hrefs=filter_hrefs(plan.id),
                reader=reader,
            )
        )

    key = ("dashboard page", plan.id, today, include_restricted, reader.withholds, can_edit, action_href)
    return data_version.cached(key, draw)


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
