from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from app.authoring.forms import action_words
from app.fields import GovDateField
from app.forms import BaseForm
from app.models import Action, ActionStatus, Plan, User
from app.validators import NoControlCharacters, OptionalDate

MAX_LINKS_LENGTH = 5_000


class ActionEditForm(BaseForm):
    ref = StringField(
        "Number",
        widget=GovTextInput(),
        description="The action's number within its strand, for example 5 or 2.1",
        validators=[InputRequired("Enter the action's number, like 5"), Length(max=40), NoControlCharacters()],
    )
    what, how, responsibility = action_words()
    links = TextAreaField(
        "Strategic links",
        widget=GovTextArea(),
        description="One a line, for example PCC 1.4.3, National Strategy (NS), Sentinel or HMIC R12. "
        "A PCC number is matched to the PCC deliverable with that number.",
        validators=[
            Length(max=MAX_LINKS_LENGTH, message=f"Strategic links must be {MAX_LINKS_LENGTH:,} characters or fewer"),
            NoControlCharacters(),
        ],
    )
    owners = SelectMultipleField("Owners", widget=GovCheckboxesInput(), coerce=int, validate_choice=True)
    target_date = GovDateField(
        "Target date",
        widget=GovDateInput(),
        description="For example, 31 3 2026. Leave blank if there is none.",
        invalid_value_message="Enter a target date as a real date, like 31 3 2026",
        validators=[OptionalDate()],
    )
    status = SelectField("Status", widget=GovSelect())
    successor_plan = SelectField("Plan", widget=GovSelect(), validate_choice=False)  # the service checks it
    successor = StringField(
        "Action number",
        widget=GovTextInput(),
        description="For example Prevent 3, or 1.2.3 for a PCC deliverable",
        validators=[Length(max=100, message="Enter the action's number, like Prevent 3"), NoControlCharacters()],
    )
    objective = SelectField("Objective", widget=GovSelect())
    restricted = BooleanField(
        "Restricted",
        widget=GovCheckboxInput(),
        description="What the action sets out to do is shown as [REDACTED] to the PCC office",
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired("Reload the page and try again")])
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def set_choices(self, action: Action, owners: list[User], plans: list[Plan]) -> None:
        self.owners.choices = [SelectChoice(u.id, f"{u.name} ({u.email})") for u in owners]
        self.status.choices = [SelectChoice("", "Not set")] + [SelectChoice(s.value, s.value) for s in ActionStatus]
        self.successor_plan.choices = [
            SelectChoice(str(p.id), p.title if p.period_label in p.title else f"{p.title} ({p.period_label})")
            for p in plans
        ]
        self.objective.choices = [SelectChoice("", "None")] + [
            SelectChoice(str(o.id), f"{o.ref} {o.title[:80]}") for o in action.plan.objectives
        ]
