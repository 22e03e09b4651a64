"""The forms leads and administrators write plans with. Messages say what to type; the service checks the rest."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from app.fields import GovDateField
from app.forms import BaseForm
from app.models import Strand
from app.plans.forms import DaysField
from app.services.actions.authoring import MAX_REASON_LENGTH
from app.validators import NoControlCharacters, OptionalDate

STRAND_CHOICES = [SelectChoice(s.value, s.value) for s in Strand] + [SelectChoice("", "No strand (PCC deliverable)")]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class PlanForm(BaseForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="For example, Modern Slavery Local Delivery Plan 2016-17",
        validators=[InputRequired("Enter the plan's title"), Length(max=300), NoControlCharacters()],
    )
    priority = StringField(
        "Priority",
        widget=GovTextInput(),
        description="For example, Modern Day Slavery",
        validators=[Length(max=200, message="The priority must be 200 characters or fewer"), NoControlCharacters()],
    )
    lead_user_id = SelectField("Plan lead", widget=GovSelect(), coerce=_optional_int, validate_choice=True)
    period_label = StringField(
        "Period",
        widget=GovTextInput(),
        description="The financial year, like 2016-17",
        validators=[InputRequired("Enter the period as a financial year, like 2016-17"), Length(max=40)],
    )
    update_interval_days = DaysField(
        "Update interval in days",
        widget=GovTextInput(),
        default=30,
        description="An action with no update for longer than this is shown as stale",
        validators=[InputRequired("Enter the update interval as a number of days, like 30")],
    )
    submit = SubmitField("Create plan", widget=GovSubmitInput())

    def set_leads(self, leads, *, fixed=None) -> None:
        self.lead_user_id.choices = [SelectChoice("", "No lead yet")] + [
            SelectChoice(lead.id, f"{lead.name} ({lead.email})") for lead in leads
        ]
        if fixed is not None:  # a lead leads the plans they create
            self.lead_user_id.choices = [SelectChoice(fixed.id, f"{fixed.name} ({fixed.email})")]
            self.lead_user_id.data = fixed.id


class ObjectiveForm(BaseForm):
    strand = SelectField("Strand", widget=GovSelect(), choices=STRAND_CHOICES, validate_choice=True)
    ref = StringField(
        "Number",
        widget=GovTextInput(),
        description="For example 1, or 1.2 for a PCC aim",
        validators=[InputRequired("Enter the objective's number, like 1"), Length(max=40), NoControlCharacters()],
    )
    title = TextAreaField(
        "Objective",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the objective"), Length(max=2_000), NoControlCharacters()],
    )
    outcomes = TextAreaField(
        "Outcomes",
        widget=GovTextArea(),
        description="One a line",
        validators=[
            Length(max=10_000, message="The outcomes must be 10,000 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    submit = SubmitField("Save objective", widget=GovSubmitInput())


def action_words() -> tuple[TextAreaField, TextAreaField, StringField]:
    """An action's what, how and responsibility, as adding and editing an action both ask for them."""
    return (
        TextAreaField(
            "What are we going to do?",
            widget=GovTextArea(),
            validators=[InputRequired("Enter what the action will do"), Length(max=10_000), NoControlCharacters()],
        ),
        TextAreaField(
            "How are we going to do it?", widget=GovTextArea(), validators=[Length(max=10_000), NoControlCharacters()]
        ),
        StringField(
            "Responsibility",
            widget=GovTextInput(),
            description="As the plan writes it, for example DCI Chisholm / Intel Esther Martin",
            validators=[Length(max=1_000), NoControlCharacters()],
        ),
    )


class NewActionForm(BaseForm):
    strand = SelectField("Strand", widget=GovSelect(), choices=STRAND_CHOICES, validate_choice=True)
    objective = SelectField("Objective", widget=GovSelect(), validate_choice=True)
    ref = StringField(
        "Number",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the action's number, like 5"), Length(max=40), NoControlCharacters()],
    )
    what, how, responsibility = action_words()
    owners = SelectMultipleField("Owners with an account", widget=GovCheckboxesInput(), coerce=int)
    contacts = SelectMultipleField("Owners without an account (contacts)", widget=GovCheckboxesInput(), coerce=int)
    target_date = GovDateField(
        "Target date",
        widget=GovDateInput(),
        description="For example, 31 3 2017. Leave blank if there is none.",
        invalid_value_message="Enter a target date as a real date, like 31 3 2017",
        validators=[OptionalDate()],
    )
    links = TextAreaField(
        "Strategic links",
        widget=GovTextArea(),
        description="One a line, for example PCC 1.4.3, National Strategy (NS), Sentinel or HMIC R12",
        validators=[Length(max=5_000), NoControlCharacters()],
    )
    partners = TextAreaField(
        "Partner organisations",
        widget=GovTextArea(),
        description="One a line, for example Hope for Justice, Sandwell Council, GLAA",
        validators=[Length(max=5_000), NoControlCharacters()],
    )
    submit = SubmitField("Add action", widget=GovSubmitInput())

    def set_choices(self, plan, users, contacts) -> None:
        self.objective.choices = [SelectChoice("", "None")] + [
            SelectChoice(str(o.id), f"{o.strand.value + ' ' if o.strand else ''}{o.ref} {o.title[:80]}")
            for o in plan.objectives
        ]
        self.owners.choices = [SelectChoice(u.id, f"{u.name} ({u.email})") for u in users]
        self.contacts.choices = [SelectChoice(c.id, c.label) for c in contacts]


class CloseForm(BaseForm):
    as_status = RadioField(
        "How does the action end?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("Complete", "Complete: it was delivered (its RAG becomes Blue)"),
            SelectChoice("Withdrawn", "Withdrawn: it will not be delivered"),
        ],
        validators=[InputRequired("Select whether the action is complete or withdrawn")],
    )
    reason = TextAreaField(
        "Reason",
        widget=GovCharacterCount(),
        description="What was delivered, or why it is withdrawn. It is kept with the action's history.",
        validators=[
            InputRequired("Enter the reason"),
            Length(max=MAX_REASON_LENGTH, message=f"The reason must be {MAX_REASON_LENGTH:,} characters or fewer"),
            NoControlCharacters(),
        ],
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired("Reload the page and try again")])
    submit = SubmitField("Close the action", widget=GovSubmitInput())
    MAX_LENGTH = MAX_REASON_LENGTH


class MoveForm(BaseForm):
    action_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    direction = HiddenField(validators=[InputRequired()])
    order = HiddenField(validators=[InputRequired("Reload the page and try again")])


class NextYearForm(BaseForm):
    period_label = StringField(
        "Period of the new plan",
        widget=GovTextInput(),
        description="The financial year, like 2016-17",
        validators=[InputRequired("Enter the period as a financial year, like 2016-17"), Length(max=40)],
    )
    submit = SubmitField("Start the new plan", widget=GovSubmitInput())
