"""Form fields the tracker's forms share."""

from datetime import date

from wtforms import DateField


class GovDateField(DateField):
    """A date typed into GOV.UK's day, month and year boxes, which post three values under one name.

    Anything else under that name (one value, or five) is an invalid date with the field's message,
    and is padded or cut to three boxes so the form can be shown again rather than failing; a form
    posted without the field at all shows it empty and asks for it.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = None  # not posted at all: the widget then shows `data`, the validators see nothing typed
            return
        if len(valuelist) != 3:
            self.raw_data = ([str(v) for v in valuelist] + ["", "", ""])[:3]
            self.data = None
            raise ValueError(self.invalid_value_message or "Enter a real date, like 31 3 2026")
        super().process_formdata(valuelist)

    @property
    def validated(self) -> date:
        """The date of a required (InputRequired) field whose form has passed validation."""
        assert isinstance(self.data, date), f"{self.name} read before its form was validated"
        return self.data
