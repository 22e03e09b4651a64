from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovDateInput, GovRadioInput, GovSubmitInput
from wtforms import IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from app.fields import GovDateField
from app.forms import BaseForm
from app.services.reviewing.decisions import MAX_REASON_LENGTH
from app.services.reviewing.meetings import MAX_ATTENDEES_LENGTH, MAX_TEXT_LENGTH
from app.updates.forms import RAG_CHOICES
from app.validators import NoControlCharacters, NotInFuture


class DecisionForm(BaseForm):
    MAX_LENGTH = MAX_REASON_LENGTH

    rag = RadioField(
        "RAG", choices=RAG_CHOICES, widget=GovRadioInput(), validators=[InputRequired("Select the RAG to confirm")]
    )
    reason = TextAreaField(
        "Reason",
        widget=GovCharacterCount(),
        description="Needed when you set something other than what is proposed, or mark the action Blue",
        validators=[
            Length(max=MAX_REASON_LENGTH, message=f"The reason must be {MAX_REASON_LENGTH:,} characters or fewer"),
            NoControlCharacters(),
        ],
    )
    # The action's version when the page was opened: two leads deciding at once cannot both win.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired("Reload the page and try again")])
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class ReviewForm(BaseForm):
    MAX_LENGTH = MAX_ATTENDEES_LENGTH
    MAX_TEXT_LENGTH = MAX_TEXT_LENGTH

    held_on = GovDateField(
        "Date of the review meeting",
        widget=GovDateInput(),
        description="For example, 31 3 2026",
        invalid_value_message="Enter the date of the review as a real date, like 31 3 2026",
        validators=[
            InputRequired("Enter the date of the review, like 31 3 2026"),
            NotInFuture("The date of the review must be today or in the past"),
        ],
    )
    attendees = TextAreaField(
        "Attendees",
        widget=GovCharacterCount(),
        description="Who was there, for example DSupt Walton, DCI Chisholm, PCC office",
        validators=[
            Length(
                max=MAX_ATTENDEES_LENGTH, message=f"The attendees must be {MAX_ATTENDEES_LENGTH:,} characters or fewer"
            ),
            NoControlCharacters(),
        ],
    )
    notes = TextAreaField(
        "Notes",
        widget=GovCharacterCount(),
        description="What was discussed",
        validators=[
            Length(max=MAX_TEXT_LENGTH, message=f"The notes must be {MAX_TEXT_LENGTH:,} characters or fewer"),
            NoControlCharacters(),
        ],
    )
    decisions = TextAreaField(
        "Decisions",
        widget=GovCharacterCount(),
        description="Actions agreed and owners told, for example: Prevent 3 to be closed; DCI Chisholm told",
        validators=[
            Length(max=MAX_TEXT_LENGTH, message=f"The decisions must be {MAX_TEXT_LENGTH:,} characters or fewer"),
            NoControlCharacters(),
        ],
    )
    submit = SubmitField("Record review and snapshot RAG", widget=GovSubmitInput())
