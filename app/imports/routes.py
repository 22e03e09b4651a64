from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.imports import bp
from app.imports.forms import COLUMN_FIELD, ConfirmImportForm, UploadForm, import_choices, mapping_from
from app.models import Role
from app.permissions import requires
from app.services.importing import pending as pending_imports
from app.services.importing.choices import ImportChoices
from app.services.importing.columns import meaning_choices, normal_label
from app.services.importing.guard import WorkbookRejected
from app.services.importing.saving import ImportNeedsAnswers
from app.services.people import matching


@bp.route("/imports/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def new():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.workbook.data
        try:
            pending = pending_imports.store_upload(current_user, upload.filename, upload.read())
        except WorkbookRejected as error:
            form.workbook.errors = [error.message]
        else:
            return redirect(url_for("imports.check", pending_id=pending.id))
    return render_template("imports/new.html", form=form)


@bp.route("/imports/<int:pending_id>")
@requires(Role.ADMIN)
def check(pending_id: int):
    pending = pending_imports.get_pending(pending_id, current_user) or abort(404)
    filename, content = pending.filename, pending.content
    try:
        report = pending_imports.preview(pending, current_user, ImportChoices(columns=mapping_from(request.args)))
    except WorkbookRejected as error:
        return _upload_again(error)
    matches = matching.matches_in(content, filename)
    return _check_page(filename, report, pending_id, ConfirmImportForm(), mapping_from(request.args), matches)


@bp.route("/imports/<int:pending_id>/confirm", methods=["POST"])
@requires(Role.ADMIN)
def confirm(pending_id: int):
    pending = pending_imports.get_pending(pending_id, current_user) or abort(404)
    if not ConfirmImportForm().validate_on_submit():
        return redirect(url_for("imports.check", pending_id=pending_id))
    filename, content = pending.filename, pending.content
    try:
        report = pending_imports.confirm(pending, current_user, import_choices(request.form))
    except ImportNeedsAnswers as error:
        form = ConfirmImportForm()
        form.submit.errors = ["Answer every question on this page, then select Import"]
        matches = matching.matches_in(content, filename)
        return _check_page(filename, error.report, pending_id, form, mapping_from(request.form), matches)
    except WorkbookRejected as error:
        return _upload_again(error)
    titles = ", ".join(plan.title for plan in report.plans)
    flash(f"Imported {report.filename}: {titles}")
    _apply_owner_matches(content, filename)
    return redirect(url_for("plans.index"))


def _check_page(
    filename: str, report, pending_id: int, form: ConfirmImportForm, mapping: dict[str, str], owner_matches=()
):
    decides = pending_imports.decides_rags(report, current_user)
    return render_template(
        "imports/check.html",
        filename=filename,
        report=report,
        pending_id=pending_id,
        form=form,
        decides_rags=decides,
        mapping=mapping,
        choices=meaning_choices(),
        field=lambda label: COLUMN_FIELD + normal_label(label),
        owner_matches=owner_matches,
    )


def _apply_owner_matches(content: bytes, filename: str) -> None:
    """The people the check page matched to Responsibility and the administrator ticked become owners."""
    ticked, seen = request.form.getlist("owner_match"), request.form.get("owner_match_digest", "")
    if not seen:
        return
    added = matching.apply_confirmed(content, filename, ticked, seen, current_user._get_current_object())
    if added is None:
        flash("The people in the tracker changed while the check page was open, so no owners were set from it")
    elif added:
        flash(f"{added} owners set from the Responsibility column")


def _upload_again(error: WorkbookRejected):
    """The upload form again, with what is wrong with the file in the error summary."""
    form = UploadForm(formdata=None)
    form.workbook.errors = [error.message]
    return render_template("imports/new.html", form=form)
