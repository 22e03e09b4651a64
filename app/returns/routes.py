"""The owner return sheet: download it, fill it in away from the tracker, upload it, check, confirm."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.models import Rag, Role
from app.permissions import requires
from app.returns import bp
from app.returns.forms import ConfirmReturnForm, ReturnUploadForm
from app.services import clock
from app.services.returns import reading, sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WRITERS = (Role.ADMIN, Role.LEAD, Role.OWNER)


def _page(form: ReturnUploadForm | None = None, status: int = 200):
    person = current_user._get_current_object()
    owners = sheet.owners_for(person)
    return render_template("returns/index.html", form=form or ReturnUploadForm(), owners=owners, me=person), status


@bp.route("/returns")
@requires(*WRITERS)
def index():
    return _page()


@bp.route("/returns/download")
@requires(*WRITERS)
def download():
    person = current_user._get_current_object()
    allowed = {owner.id: owner for owner in sheet.owners_for(person)}
    asked = request.args.getlist("owner", type=int) or [person.id]
    if any(owner_id not in allowed for owner_id in asked):
        abort(400)  # an owner not on the page's list: never a sheet of somebody else's actions
    data, _ = sheet.build(person, [allowed[owner_id] for owner_id in asked])
    response = make_response(data)
    response.headers["Content-Type"] = XLSX
    name = f"return-{clock.today().isoformat()}.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/returns/upload", methods=["POST"])
@requires(*WRITERS)
def upload():
    form = ReturnUploadForm()
    if not form.validate_on_submit():
        return _page(form)
    try:
        preview = reading.read(form.workbook.data.read(), current_user._get_current_object())
    except reading.ReturnError as error:
        form.workbook.errors = [error.message]
        return _page(form)
    return render_template("returns/check.html", preview=preview, form=ConfirmReturnForm())


def _confirmed() -> list[reading.Confirmed]:
    """The rows the check page carried: every "add" row, and each conflict the person chose to add again."""
    rows = []
    for key in request.form:
        if not key.startswith("row-") or not key.endswith("-action"):
            continue
        prefix = key.removesuffix("-action")
        if request.form.get(f"{prefix}-kind") == "conflict" and request.form.get(f"{prefix}-again") != "yes":
            continue
        try:
            rag_value = request.form.get(f"{prefix}-rag") or ""
            rows.append(
                reading.Confirmed(
                    action_id=int(request.form[key]),
                    owner_id=int(request.form[f"{prefix}-owner"]),
                    version=int(request.form[f"{prefix}-version"]),
                    text=request.form.get(f"{prefix}-text", ""),
                    rag=Rag(rag_value) if rag_value else None,
                )
            )
        except (KeyError, ValueError):
            abort(400)
    return rows


@bp.route("/returns/confirm", methods=["POST"])
@requires(*WRITERS)
def confirm():
    if not ConfirmReturnForm().validate_on_submit():
        return redirect(url_for("returns.index"))
    added, left = reading.apply(_confirmed(), current_user._get_current_object())
    flash(f"{added} update{'' if added == 1 else 's'} added from the return sheet")
    if left.rows:  # nothing typed is lost: what was not added comes back, with its text, to check again
        return render_template("returns/check.html", preview=left, form=ConfirmReturnForm(), again=True), 409
    return redirect(url_for("returns.index"))
