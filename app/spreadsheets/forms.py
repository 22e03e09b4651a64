from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField


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
