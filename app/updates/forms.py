from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from app.fields import GovDateField
from app.forms import BaseForm
from app.models import Rag
from app.services.actions.updating import MAX_UPDATE_LENGTH
from app.validators import NoControlCharacters, NotInFuture

RAG_CHOICES = [SelectChoice(rag.value, rag.label) for rag in Rag]


class UpdateForm(BaseForm):
    MAX_LENGTH = MAX_UPDATE_LENGTH

    as_at = GovDateField(
        "As at",
        widget=GovDateInput(),
        description="The date this progress is true on, for example 31 3 2026",
        invalid_value_message="Enter the as-at date as a real date, like 31 3 2026",
        validators=[
            InputRequired("Enter the as-at date, like 31 3 2026"),
            NotInFuture("The as-at date must be today or in the past"),
        ],
    )
    text = TextAreaField(
        "Update",
        widget=GovCharacterCount(),
        description="What has been done since the last update, and what happens next",
        validators=[
            DataRequired("Enter the update"),
            Length(max=MAX_UPDATE_LENGTH, message=f"The update must be {MAX_UPDATE_LENGTH:,} characters or fewer"),
            NoControlCharacters(),
        ],
    )
    rag = RadioField(
        "Proposed RAG",
        choices=RAG_CHOICES,
        widget=GovRadioInput(),
        description="The plan lead confirms it or sets another",
        validators=[InputRequired("Select the RAG you propose")],
    )
    restricted = BooleanField(
        "Restricted",
        widget=GovCheckboxInput(),
        description="Withheld from the PCC office, and shown as [REDACTED] in the PCC export",
    )
    # The action's version when the form was opened: a stale one is refused (optimistic locking).
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired("Reload the page and try again")])
    submit = SubmitField("Add update", widget=GovSubmitInput())
