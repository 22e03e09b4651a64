from flask import Response, abort, request
from flask_login import current_user

from app.downloads import bp
from app.permissions import requires
from app.services import clock
from app.services.access import can_see_restricted
from app.services.exporting import excel as excel_export
from app.services.exporting.content import AUDIENCES, INTERNAL, PCC
from app.services.plans import reading as plan_reading

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/plans/<int:plan_id>/export.xlsx")
@requires()
def plan_xlsx(plan_id: int):
    """The plan as a workbook; the PCC office (viewers) may only have the PCC copy."""
    plan = plan_reading.get_plan(plan_id) or abort(404)
    audience = request.args.get("audience", PCC)
    if audience not in AUDIENCES:
        abort(400)
    if audience == INTERNAL and not can_see_restricted(current_user):
        abort(403)
    today = clock.today()
    data = excel_export.export_workbook(plan, audience=audience, as_at=today, user=current_user._get_current_object())
    response = Response(data, mimetype=XLSX)
    name = excel_export.export_filename(plan, today, audience)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
