from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import DateField, PasswordField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.forms import BaseForm
from app.models import Role
from app.validators import NEW_PASSWORD_HINT, new_password_length

ROLE_CHOICES = [
    SelectChoice(Role.ADMIN.value, "Administrator: users, plans and imports"),
    SelectChoice(Role.LEAD.value, "Plan lead: RAG decisions and reviews on the plans they lead"),
    SelectChoice(Role.OWNER.value, "Action owner: updates on their own actions"),
    SelectChoice(Role.VIEWER.value, "Viewer: reads and exports, for example the PCC office"),
]


class UKDateField(DateField):
    """A GOV.UK date (day, month and year boxes) that copes with a request carrying too few or too many parts."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", widget=GovDateInput(), **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = None  # the widget unpacks raw_data into three boxes
            return
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        super().process_formdata(self.raw_data)


class NewUserForm(BaseForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the person's name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the person's email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES, validators=[DataRequired("Choose a role")])
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        description=f"{NEW_PASSWORD_HINT}. Give it to the person privately; they can change it after signing in.",
        validators=[
            DataRequired("Enter an initial password"),
            new_password_length(),
        ],
    )
    confirm = PasswordField(
        "Confirm initial password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Confirm the initial password"), EqualTo("password", "Passwords must match")],
    )
    submit = SubmitField("Create user", widget=GovSubmitInput())


class AuditFilterForm(BaseForm):
    """Filters travel in the query string (a GET form, so no CSRF): they name no person, only ids and verbs."""

    class Meta:
        csrf = False

    verb = SelectField("What happened", widget=GovSelect(), validators=[Optional()])
    user = SelectField("Who", widget=GovSelect(), validators=[Optional()])
    date_from = UKDateField("From", validators=[Optional()])
    date_to = UKDateField("To", validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())
