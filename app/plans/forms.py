from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import BaseForm
from app.models import Rag, Strand, User
from app.services.plans.filters import MAX_SEARCH_LENGTH, ONLY
from app.validators import NoControlCharacters


class FilterForm(BaseForm):
    """The plan page's filters: a GET form, so the URL carries them (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Search what, how and updates", widget=GovTextInput())
    strand = SelectField(
        "Strand",
        widget=GovSelect(),
        choices=[SelectChoice("", "All strands")]
        + [SelectChoice(s.value, s.value) for s in Strand]
        + [SelectChoice("none", "No strand")],
    )
    rag = SelectField(
        "RAG",
        widget=GovSelect(),
        choices=[SelectChoice("", "Any RAG")]
        + [SelectChoice(r.value, r.label) for r in Rag]
        + [SelectChoice("none", "Not set")],
    )
    owner = SelectField("Owner", widget=GovSelect(), choices=[SelectChoice("", "Anyone")])
    only = SelectMultipleField(
        "Only show actions that are", widget=GovCheckboxesInput(), choices=[SelectChoice(k, v) for k, v in ONLY.items()]
    )
    MAX_SEARCH_LENGTH = MAX_SEARCH_LENGTH

    def set_owners(self, owners: list[User]) -> None:
        self.owner.choices = [SelectChoice("", "Anyone")] + [SelectChoice(str(u.id), u.name) for u in owners]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class DaysField(IntegerField):
    """A whole number of days, with a message that says what to type instead of "Not a valid integer value"."""

    def __init__(self, *args, not_a_number: str = "Enter the update interval as a number of days, like 30", **kwargs):
        super().__init__(*args, **kwargs)
        self.not_a_number = not_a_number

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.not_a_number) from error


class PlanSettingsForm(BaseForm):
    # No InputRequired on the title: a form posted without the field leaves it as it is; an empty one is refused
    # by the service, which says so beside the field.
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[Length(max=300, message="The plan's title must be 300 characters or fewer"), NoControlCharacters()],
    )
    priority = StringField(
        "Priority",
        widget=GovTextInput(),
        description="For example, Modern Day Slavery",
        validators=[Length(max=200, message="The priority must be 200 characters or fewer"), NoControlCharacters()],
    )
    period_label = StringField(
        "Period",
        widget=GovTextInput(),
        description="The financial year, like 2016-17",
        validators=[
            Length(max=40, message="Enter the period as a financial year, like 2016-17"),
            NoControlCharacters(),
        ],
    )
    update_interval_days = DaysField(
        "Update interval in days",
        widget=GovTextInput(),
        description="An action with no update for longer than this is shown as stale and its owner as due to update",
        validators=[
            InputRequired("Enter the update interval as a number of days, like 30"),
            NumberRange(min=1, max=366, message="Enter an update interval between 1 and 366 days"),
        ],
    )
    reminder_days_before = DaysField(
        "Remind owners by e-mail this many days before an update is due",
        widget=GovTextInput(),
        not_a_number="Enter the number of days as a whole number, like 7",
        description="0 sends no early reminder; owners are still e-mailed once an update is overdue",
        validators=[
            Optional(),  # left empty (or an older form without it): the plan keeps its number
            NumberRange(min=0, max=60, message="Enter a number of days between 0 and 60"),
        ],
    )
    lead_user_id = SelectField("Plan lead", widget=GovSelect(), coerce=_optional_int, validate_choice=True)
    submit = SubmitField("Save settings", widget=GovSubmitInput())

    def set_leads(self, leads: list[User], *, may_change: bool) -> None:
        self.lead_user_id.choices = [SelectChoice("", "No lead yet")] + [
            SelectChoice(lead.id, f"{lead.name} ({lead.email})") for lead in leads
        ]
        if not may_change:
            self.lead_user_id.render_kw = {"disabled": True}
            self.lead_user_id.validate_choice = False
