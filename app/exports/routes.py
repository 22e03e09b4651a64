from datetime import date

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response as BaseResponse

from app.exports import bp
from app.exports.forms import BoardPackForm
from app.exports.packs import render_pack
from app.permissions import requires
from app.services import clock
from app.services.access import can_see_restricted
from app.services.exporting import jobs as export_jobs
from app.services.exporting.content import AUDIENCES, INTERNAL, PCC
from app.services.plans import reading as plan_reading
from app.services.reporting import board_pack_pdf

XLSX = export_jobs.XLSX_MIMETYPE


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
    user = current_user._get_current_object()
    if export_jobs.is_large(plan):  # written by a process of its own: see services/exporting/jobs.py
        launch = current_app.config.get("EXPORT_JOBS_LAUNCH", "process")
        job = export_jobs.start(plan, user, audience=audience, as_at=today, kind=export_jobs.XLSX, launch=launch)
        return redirect(url_for("exports.export_job", job_id=job.id))
    data = excel_export.export_workbook(plan, audience=audience, as_at=today, user=user)
    return _xlsx(data, excel_export.export_filename(plan, today, audience))


@bp.route("/exports/<int:job_id>")
@requires()
def export_job(job_id: int):
    """How far the export (a workbook or a board pack) has got; the page checks until the file is ready, or
    until the job failed (a job whose process is gone is marked failed here: see services/exporting/jobs.py)."""
    job = export_jobs.current(job_id, current_user) or abort(404)
    plan = plan_reading.get_plan(job.plan_id) or abort(404)
    return render_template("exports/export_job.html", job=job, plan=plan, jobs=export_jobs)


@bp.route("/exports/<int:job_id>/file")
@requires()
def export_job_file(job_id: int):
    job = export_jobs.job_for(job_id, current_user) or abort(404)
    if job.status != export_jobs.DONE or job.content is None:
        abort(404)
    return _file(job.content, job.filename, export_jobs.writer_for(job.kind).mimetype)


def _xlsx(data: bytes, name: str) -> Response:
    return _file(data, name, XLSX)


def _file(data: bytes, name: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
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


def _pack(plan, audience: str, as_at: date) -> BaseResponse:
    """The pack in the response, or for a large plan a job that writes it and the job's page to follow."""
    if audience == INTERNAL and not can_see_restricted(current_user):
        abort(403)
    user = current_user._get_current_object()
    if export_jobs.is_large(plan):  # laid out by a process of its own, as a large workbook is
        launch = current_app.config.get("EXPORT_JOBS_LAUNCH", "process")
        job = export_jobs.start(plan, user, audience=audience, as_at=as_at, kind=export_jobs.PDF, launch=launch)
        return redirect(url_for("exports.export_job", job_id=job.id))
    data = render_pack(plan, audience=audience, as_at=as_at, user=user)
    return _file(data, board_pack_pdf.filename(plan, as_at), "application/pdf")


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
