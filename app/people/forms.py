from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length

from app.forms import BaseForm
from app.validators import NoControlCharacters


class ContactForm(BaseForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="As colleagues know them, for example Esther Martin or CI Bruton",
        validators=[InputRequired("Enter the person's name"), Length(max=120), NoControlCharacters()],
    )
    role = StringField(
        "Role or organisation",
        widget=GovTextInput(),
        description="For example Intel, L&D, Hope for Justice",
        validators=[Length(max=200, message="The role must be 200 characters or fewer"), NoControlCharacters()],
    )
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[Length(max=254, message="The email address must be 254 characters or fewer")],
    )
    submit = SubmitField("Save contact", widget=GovSubmitInput())


class AccountForm(BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter an email address, like name@example.police.uk"), Length(max=254)],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("owner", "Action owner: writes updates on their actions"),
            SelectChoice("lead", "Plan lead"),
            SelectChoice("viewer", "Viewer"),
        ],
        default="owner",
        validators=[InputRequired("Select the person's role")],
    )
    password = PasswordField(
        "Password to pass on",
        widget=GovPasswordInput(),
        description="At least 12 characters; they change it when they first sign in",
        validators=[InputRequired("Enter a password")],
    )
    submit = SubmitField("Create the account", widget=GovSubmitInput())
