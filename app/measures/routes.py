from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.measures import bp
from app.measures.forms import ConfirmFiguresForm, FiguresUploadForm, MeasureForm, values_form_for
from app.models import Measure, Role
from app.permissions import requires
from app.services import clock
from app.services.access import can_edit_plan, can_enter_measure_values
from app.services.importing.guard import WorkbookRejected
from app.services.measures import editing, importing, reading, values
from app.services.measures.editing import MeasureError
from app.services.plans import reading as plan_reading
from app.services.redaction import Reader

WRITERS = (Role.ADMIN, Role.LEAD, Role.OWNER)


def _show_error(form, error: MeasureError) -> None:
    field = getattr(form, error.field or "", None)
    if field is None:  # a refusal of no one field is shown beside the first
        field = next(iter(form))
    field.errors = [*field.errors, error.message]


def _id(value) -> int | None:
    """An id the form sent; anything else (a name, ²) is no id, and the service says which field is wrong."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _readable_measure(measure_id: int) -> Measure:
    """The measure, when this reader may see it (a withheld one is answered as not there)."""
    measure = reading.get_measure(measure_id) or abort(404)
    if Reader.for_user(current_user).measure_withheld(measure):
        abort(404)
    return measure


@bp.route("/plans/<int:plan_id>/measures")
@requires()
def index(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    me = current_user._get_current_object()
    found = reading.measures_of(plan, Reader.for_user(me))
    return render_template(
        "measures/index.html",
        plan=plan,
        found=found,
        can_edit=can_edit_plan(me, plan),
        can_enter={view.measure.id: can_enter_measure_values(me, view.measure) for view in found.shown},
    )


@bp.route("/plans/<int:plan_id>/measures/new", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.LEAD)
def new(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    if not can_edit_plan(current_user, plan):
        abort(403)
    return _measure_page(plan, None)


@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.LEAD)
def edit(measure_id: int):
    measure = reading.get_measure(measure_id) or abort(404)
    if not can_edit_plan(current_user, measure.plan):
        abort(403)
    return _measure_page(measure.plan, measure)


def _measure_page(plan, measure: Measure | None):
    form = MeasureForm()
    form.set_choices(plan)
    if request.method == "GET" and measure is not None:
        form.fill(measure)
    if form.validate_on_submit():
        wanted = editing.MeasureText(
            name=form.name.data or "",
            unit=form.unit.data or "",
            frequency=form.frequency.data or "",
            strand=form.strand.data or "",
            objective_id=_id(form.objective_id.data),
            action_ids=tuple(i for i in (_id(a) for a in form.action_ids.data or []) if i is not None),
            direction=form.direction.data or "",
            target=form.target.data or "",
            target_low=form.target_low.data or "",
            target_high=form.target_high.data or "",
            amber_margin_percent=form.amber_margin_percent.data or "",
            dimension=form.dimension.data or "",
            categories=tuple((form.categories.data or "").splitlines()),
            notes=form.notes.data or "",
        )
        try:
            saved = editing.save_measure(plan, current_user._get_current_object(), wanted, measure)
        except MeasureError as error:
            _show_error(form, error)
        else:
            flash(f"{saved.name} saved")
            return redirect(url_for("measures.show", measure_id=saved.id))
    return render_template("measures/edit.html", plan=plan, form=form, measure=measure)


@bp.route("/measures/<int:measure_id>")
@requires()
def show(measure_id: int):
    measure = _readable_measure(measure_id)
    me = current_user._get_current_object()
    view = reading.MeasureView(measure, Reader.for_user(me), clock.today())
    return render_template(
        "measures/show.html",
        plan=measure.plan,
        view=view,
        history=values.history(measure),
        can_edit=can_edit_plan(me, measure.plan),
        can_enter=can_enter_measure_values(me, measure),
    )


@bp.route("/measures/<int:measure_id>/values", methods=["GET", "POST"])
@requires(*WRITERS)
def enter(measure_id: int):
    measure = _readable_measure(measure_id)
    me = current_user._get_current_object()
    if not can_enter_measure_values(me, measure):
        abort(403)
    form = values_form_for(measure)()
    if form.validate_on_submit():
        figures = {
            name: field.data or ""
            for name, field in form._fields.items()
            if name not in ("note", "submit", "csrf_token")
        }
        try:
            values.record_values(
                measure, me, period=figures.pop("period", ""), figures=figures, note=form.note.data or ""
            )
        except MeasureError as error:
            _show_error(form, error)
        else:
            flash(f"Figures for {measure.name} saved")
            return redirect(url_for("measures.show", measure_id=measure.id))
    return render_template("measures/enter.html", plan=measure.plan, measure=measure, form=form)


@bp.route("/plans/<int:plan_id>/measures/import", methods=["GET", "POST"])
@requires(Role.ADMIN)
def import_sheet(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    form = FiguresUploadForm()
    if form.validate_on_submit():
        upload = form.workbook.data
        try:
            pending = importing.store_upload(current_user._get_current_object(), plan, upload.filename, upload.read())
        except (WorkbookRejected, importing.MeasureImportError) as error:
            form.workbook.errors = [error.message]
        else:
            return redirect(url_for("measures.check_import", plan_id=plan.id, pending_id=pending.id))
    return render_template("measures/import.html", plan=plan, form=form)


@bp.route("/plans/<int:plan_id>/measures/import/<int:pending_id>")
@requires(Role.ADMIN)
def check_import(plan_id: int, pending_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    pending = importing.get_pending(pending_id, current_user) or abort(404)
    try:
        found = importing.preview(pending, plan)
    except (WorkbookRejected, importing.MeasureImportError) as error:
        return _upload_again(plan, error)
    form = ConfirmFiguresForm(digest=importing.digest(found))
    return render_template("measures/check_import.html", plan=plan, found=found, form=form, pending_id=pending_id)


@bp.route("/plans/<int:plan_id>/measures/import/<int:pending_id>/confirm", methods=["POST"])
@requires(Role.ADMIN)
def confirm_import(plan_id: int, pending_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    pending = importing.get_pending(pending_id, current_user) or abort(404)
    form = ConfirmFiguresForm()
    if not form.validate_on_submit():
        return redirect(url_for("measures.check_import", plan_id=plan.id, pending_id=pending_id))
    try:
        found = importing.confirm(pending, plan, current_user._get_current_object(), form.digest.data or "")
    except importing.MeasureImportError as error:
        flash(error.message)
        return redirect(url_for("measures.check_import", plan_id=plan.id, pending_id=pending_id))
    except WorkbookRejected as error:
        return _upload_again(plan, error)
    flash(f"Imported {len(found.figures)} figures from {found.filename}")
    return redirect(url_for("measures.index", plan_id=plan.id))


def _upload_again(plan, error):
    form = FiguresUploadForm(formdata=None)
    form.workbook.errors = [error.message]
    return render_template("measures/import.html", plan=plan, form=form)
