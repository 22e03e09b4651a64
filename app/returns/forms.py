from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from app.forms import BaseForm


class ReturnUploadForm(BaseForm):
    workbook = FileField(
        "Upload a filled-in return sheet",
        widget=GovFileInput(),
        description="The workbook (.xlsx) downloaded here, with this period's updates typed in",
        validators=[FileRequired("Select the return sheet (.xlsx)")],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ConfirmReturnForm(BaseForm):
    submit = SubmitField("Add these updates", widget=GovSubmitInput())
