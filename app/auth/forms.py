from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, SelectMultipleField, StringField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from app.forms import BaseForm
from app.validators import NEW_PASSWORD_HINT, new_password_length, typed_password_length

_CODE_TOO_LONG = "Enter a 6-digit code or a recovery code like abcde-12345"


class SignInForm(BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address"), Length(max=254, message="Email address is too long")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your password"), typed_password_length("Password is too long")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired("Enter your current password"),
            typed_password_length("Password must be 128 characters or fewer"),
        ],
    )
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=NEW_PASSWORD_HINT,
        validators=[
            DataRequired("Enter a new password"),
            new_password_length(),
        ],
    )
    confirm = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Confirm your new password"), EqualTo("new_password", "Passwords must match")],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class EmptyForm(BaseForm):
    """A POST-only button (sign out): the form exists for its CSRF token."""

    submit = SubmitField("Submit", widget=GovSubmitInput())


class CodeForm(BaseForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes",
        validators=[DataRequired("Enter the code from your authenticator app"), Length(max=32, message=_CODE_TOO_LONG)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolForm(BaseForm):
    code = StringField(
        "Code from your app",
        widget=GovTextInput(),
        description="Once your app shows the tracker, enter the 6-digit code it shows",
        validators=[
            DataRequired("Enter the 6-digit code from your authenticator app"),
            Length(max=32, message=_CODE_TOO_LONG),
        ],
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class NotificationsForm(BaseForm):
    kinds = SelectMultipleField("E-mails you can choose", widget=GovCheckboxesInput(), validate_choice=True)
    submit = SubmitField("Save", widget=GovSubmitInput())

    def set_kinds(self, kinds) -> None:
        self.kinds.choices = [SelectChoice(kind.name, kind.label) for kind in kinds]


class ForgottenPasswordForm(BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="The address you sign in with. We will e-mail a link to set a new password",
        validators=[DataRequired("Enter your email address"), Length(max=254, message="Email address is too long")],
    )
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class ResetPasswordForm(BaseForm):
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=NEW_PASSWORD_HINT,
        validators=[DataRequired("Enter a new password"), new_password_length()],
    )
    confirm = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Confirm your new password"), EqualTo("new_password", "Passwords must match")],
    )
    submit = SubmitField("Set the new password", widget=GovSubmitInput())
