"""WTForms validators the tracker's forms share, with messages that say what to do."""

from wtforms.validators import Length, StopValidation, ValidationError

from app.services.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.services.clock import today
from app.services.plain_text import has_control_characters


class NoControlCharacters:
    def __init__(self, message: str | None = None):
        self.message = message

    def __call__(self, form, field) -> None:
        if has_control_characters(field.data):
            what = field.label.text.lower()
            advice = "retype it or paste it as plain text"
            raise ValidationError(self.message or f"The {what} contains characters that cannot be saved: {advice}")


class OptionalDate:
    """Let a GOV.UK date input be left blank (day, month and year all empty); a half-typed date is an error."""

    field_flags = {"optional": True}

    def __call__(self, form, field) -> None:
        if not field.raw_data or not any(part.strip() for part in field.raw_data):
            field.errors[:] = []
            field.data = None
            raise StopValidation()


class NotInFuture:
    """Checked against the service clock, so a frozen test date applies to forms too."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data and field.data > today():
            raise ValidationError(self.message)


def new_password_length() -> Length:
    """The password rule's length as a form checks it, from the numbers the accounts service enforces (the service
    checks again, with the list of common passwords, whatever asks it)."""
    return Length(
        min=MIN_PASSWORD_LENGTH,
        max=MAX_PASSWORD_LENGTH,
        message=f"Password must be between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters",
    )


def typed_password_length(message: str) -> Length:
    """A password typed to sign in or to confirm who you are: no longer than any password can be."""
    return Length(max=MAX_PASSWORD_LENGTH, message=message)


NEW_PASSWORD_HINT = f"{MIN_PASSWORD_LENGTH} characters or more"
