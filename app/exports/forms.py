from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired

from app.fields import GovDateField
from app.forms import BaseForm
from app.validators import NotInFuture

AUDIENCE_CHOICES = [
    SelectChoice("pcc", "The PCC office: marked OFFICIAL, restricted actions and updates read [REDACTED]"),
    SelectChoice("internal", "The force and its partners: marked OFFICIAL-SENSITIVE, with restricted updates"),
]


class BoardPackForm(BaseForm):
    """Which board pack to print: a GET form (it changes nothing), so no CSRF token."""

    class Meta:
        csrf = False

    as_at = GovDateField(
        "As at",
        widget=GovDateInput(),
        description="The pack shows the plan as it stood at the end of this day. For example, 15 3 2016",
        invalid_value_message="Enter the date as a real date, like 15 3 2016",
        validators=[
            InputRequired("Enter the date the pack is as at, like 15 3 2016"),
            NotInFuture("The date must be today or in the past"),
        ],
    )
    audience = RadioField(
        "Who is the pack for?",
        choices=AUDIENCE_CHOICES,
        default="pcc",
        widget=GovRadioInput(),
        validators=[InputRequired("Select who the pack is for")],
    )
    submit = SubmitField("Download the board pack (PDF)", widget=GovSubmitInput())
