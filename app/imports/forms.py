from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from app.forms import BaseForm
from app.services.importing.choices import ImportChoices
from app.services.importing.columns import meaning_choices, normal_label


class UploadForm(BaseForm):
    workbook = FileField(
        "Upload a plan workbook",
        widget=GovFileInput(),
        description="An Excel workbook (.xlsx, or .xlsm: its macros are not run) smaller than 20 MB. "
        "CSV files cannot be imported: save them as an Excel workbook first.",
        validators=[FileRequired("Select the plan workbook (.xlsx)")],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ConfirmImportForm(BaseForm):
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
        columns=mapping_from(data),
    )


COLUMN_FIELD = "column-"  # a check-page field per column heading: what the admin says the column means


def mapping_from(values) -> dict[str, str]:
    """The column mapping the check page sent (query string or form): heading -> meaning, choices only."""
    choices = {meaning for meaning, _ in meaning_choices()}
    mapping = {}
    for name, meaning in values.items():
        if name.startswith(COLUMN_FIELD) and meaning in choices:
            mapping[normal_label(name.removeprefix(COLUMN_FIELD))[:200]] = meaning
    return mapping
