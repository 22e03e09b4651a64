from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from app.fields import GovDateField
from app.models import Action, ActionStatus, User
from app.validators import NoControlCharacters, OptionalDate

MAX_LINKS_LENGTH = 5_000


class ActionEditForm(FlaskForm):
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
    successor = SelectField(
        "Merged into or carried forward to",
        widget=GovSelect(),
        description="Only for a Superseded or Carried forward action",
    )
    objective = SelectField("Objective", widget=GovSelect())
    restricted = BooleanField(
        "Restricted",
        widget=GovCheckboxInput(),
        description="What the action sets out to do is shown as [REDACTED] to the PCC office",
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired("Reload the page and try again")])
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def set_choices(self, action: Action, owners: list[User], successors: list[Action]) -> None:
        self.owners.choices = [SelectChoice(u.id, f"{u.name} ({u.email})") for u in owners]
        self.status.choices = [SelectChoice("", "Not set")] + [SelectChoice(s.value, s.value) for s in ActionStatus]
        self.successor.choices = [SelectChoice("", "None")] + [
            SelectChoice(str(a.id), f"{a.plan.title} {a.plan.period_label}: {a.display_ref}: {a.what[:60]}")
            for a in successors
        ]
        self.objective.choices = [SelectChoice("", "None")] + [
            SelectChoice(str(o.id), f"{o.ref} {o.title[:80]}") for o in action.plan.objectives
        ]
