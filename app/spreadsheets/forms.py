from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from app.services.importing.choices import ImportChoices


class UploadForm(FlaskForm):
    workbook = FileField(
        "Upload a plan workbook",
        widget=GovFileInput(),
        description="An Excel workbook (.xlsx) smaller than 20 MB",
        validators=[FileRequired("Select the plan workbook (.xlsx)")],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ConfirmImportForm(FlaskForm):
    submit = SubmitField("Import", widget=GovSubmitInput())


def import_choices(data) -> ImportChoices:
    """What the administrator chose on the check page: the file's values to take, renumberings, which plan."""
    renumbered = {
        name.removeprefix("renumbered:"): value == "yes"
        for name, value in data.items()
        if name.startswith("renumbered:") and value in ("yes", "no")
    }
    plans = {
        int(name.removeprefix("plan-")): int(value)
        for name, value in data.items()
        if name.startswith("plan-") and name.removeprefix("plan-").isdigit() and value.isdigit()
    }
    return ImportChoices(
        take_file=frozenset(data.getlist("take_file")),
        renumbered=renumbered,
        plans=plans,
        rag_decisions=data.get("rag_decisions") == "y",
    )
