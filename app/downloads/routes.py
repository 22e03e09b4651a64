from datetime import date

from flask import Response, abort, render_template, request
from flask_login import current_user

from app.downloads import bp
from app.downloads.forms import BoardPackForm
from app.downloads.packs import render_pack
from app.permissions import requires
from app.services import clock
from app.services.access import can_see_restricted
from app.services.exporting.content import AUDIENCES, INTERNAL, PCC
from app.services.plans import reading as plan_reading
from app.services.reporting import board_pack_pdf

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
    from app.services.exporting import excel as excel_export  # XlsxWriter loads when a workbook is asked for

    today = clock.today()
    data = excel_export.export_workbook(plan, audience=audience, as_at=today, user=current_user._get_current_object())
    response = Response(data, mimetype=XLSX)
    name = excel_export.export_filename(plan, today, audience)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/plans/<int:plan_id>/board-pack")
@requires()
def board_pack_page(plan_id: int):
    """Choose the date and audience of the board pack; the PDF comes back once they are valid."""
    plan = plan_reading.get_plan(plan_id) or abort(404)
    form = BoardPackForm(formdata=request.args or None, as_at=clock.today())
    if not can_see_restricted(current_user):
        form.audience.choices = [choice for choice in form.audience.choices if choice.value == PCC]
    if request.args and form.validate():
        return _pack(plan, form.audience.data, form.as_at.validated)
    return render_template("board_pack/new.html", plan=plan, form=form), 400 if request.args else 200


@bp.route("/plans/<int:plan_id>/board-pack.pdf")
@requires()
def board_pack(plan_id: int):
    """The board pack as at a date (today unless `as_at=YYYY-MM-DD`), in the audience's marking."""
    plan = plan_reading.get_plan(plan_id) or abort(404)
    audience = request.args.get("audience", PCC)
    as_at = _as_at(request.args.get("as_at"))
    if audience not in AUDIENCES or as_at is None:
        abort(400)
    return _pack(plan, audience, as_at)


def _pack(plan, audience: str, as_at: date) -> Response:
    if audience == INTERNAL and not can_see_restricted(current_user):
        abort(403)
    data = render_pack(plan, audience=audience, as_at=as_at, user=current_user._get_current_object())
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{board_pack_pdf.filename(plan, as_at)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _as_at(value: str | None) -> date | None:
    """Today when not given; None (a 400) for a date that is not YYYY-MM-DD or is in the future."""
    today = clock.today()
    if not value:
        return today
    try:
        as_at = date.fromisoformat(value)
    except ValueError:
        return None
    return as_at if as_at <= today else None
