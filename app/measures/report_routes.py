"""The annual report: choose the year and audience, edit the year-end commentary and key achievements, download."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField

from app.measures import bp
from app.models import Role
from app.permissions import requires
from app.services import clock
from app.services.access import can_edit_plan, can_see_restricted
from app.services.measures import periods
from app.services.plans import reading as plan_reading
from app.services.reporting import annual_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _plan_and_year(plan_id: int, year: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    if year not in annual_report.years_of(plan, clock.today()):
        abort(404)
    return plan


@bp.route("/plans/<int:plan_id>/annual-report")
@requires()
def annual_report_page(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    years = [(year, periods.year_label(year)) for year in annual_report.years_of(plan, clock.today())]
    return render_template(
        "measures/annual_report.html",
        plan=plan,
        years=years,
        internal=can_see_restricted(current_user),
        can_edit=can_edit_plan(current_user, plan),
    )


@bp.route("/plans/<int:plan_id>/annual-report-<int:year>.docx")
@requires()
def annual_report_docx(plan_id: int, year: int):
    """The report as a Word document; viewers (the PCC office) may only have the copy for publication."""
    plan = _plan_and_year(plan_id, year)
    audience = request.args.get("audience", annual_report.PUBLIC)
    if audience not in annual_report.AUDIENCES:
        abort(400)
    if audience == annual_report.INTERNAL and not can_see_restricted(current_user):
        abort(403)
    data = annual_report.export_docx(plan, year, audience, current_user._get_current_object())
    response = Response(data, mimetype=DOCX)
    response.headers["Content-Disposition"] = f'attachment; filename="{annual_report.filename(plan, year, audience)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _field_name(key: str) -> str:
    return "achievements_" + key.replace(":", "_")


@bp.route("/plans/<int:plan_id>/annual-report/<int:year>/edit", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.LEAD)
def annual_report_edit(plan_id: int, year: int):
    plan = _plan_and_year(plan_id, year)
    me = current_user._get_current_object()
    if not can_edit_plan(me, plan):
        abort(403)
    report = annual_report.build(plan, year, annual_report.INTERNAL)
    fields: dict = {"submit": SubmitField("Keep these for the report", widget=GovSubmitInput())}
    for section in report.sections:
        for entry in section.actions:
            hint = "The latest update in the year" if entry.source == "update" else "Written for this report"
            if entry.source == "none":
                hint = "No update in the year: write what was achieved"
            fields[f"commentary_{entry.action.id}"] = TextAreaField(
                f"{entry.ref}: {entry.what[:120]}", widget=GovTextArea(), description=hint, default=entry.commentary
            )
        fields[_field_name(section.key)] = TextAreaField(
            f"Key achievements: {section.heading[:120]}",
            widget=GovTextArea(),
            description="One a line" + ("" if section.achievements_edited else ": the actions completed in the year"),
            default=section.achievements,
        )
    form = type("ReportEditForm", (FlaskForm,), fields)()
    if form.validate_on_submit():
        commentary = {
            entry.action.id: form[f"commentary_{entry.action.id}"].data or ""
            for section in report.sections
            for entry in section.actions
        }
        achievements = {section.key: form[_field_name(section.key)].data or "" for section in report.sections}
        try:
            kept = annual_report.save_edits(plan, year, me, commentary=commentary, achievements=achievements)
        except annual_report.ReportError as error:
            target = form._fields.get(error.field or "") or form.submit
            target.errors = [*target.errors, error.message]
        else:
            flash(f"{kept} {'edit' if kept == 1 else 'edits'} kept for the {periods.year_label(year)} report")
            return redirect(url_for("measures.annual_report_page", plan_id=plan.id))
    return render_template(
        "measures/annual_report_edit.html",
        plan=plan,
        report=report,
        form=form,
        field_name=_field_name,
        year_label=periods.year_label(year),
    )
