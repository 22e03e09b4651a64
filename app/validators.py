"""WTForms validators the tracker's forms share, with messages that say what to do."""

from wtforms.validators import StopValidation, ValidationError

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
