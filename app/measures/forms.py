from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice

from app.forms import BaseForm
from app.models import Direction, Frequency, Measure, Plan, Strand
from app.services.measures import periods, values

# Numbers are typed as text and read by the service, so a refusal names the field and keeps what was typed.


class MeasureForm(BaseForm):
    name = StringField("Name", widget=GovTextInput(), description="For example, Concerns raised")
    unit = StringField("Unit", widget=GovTextInput(), description="What the figures count: concerns, people, visits, %")
    frequency = RadioField(
        "How often is it recorded?",
        widget=GovRadioInput(),
        choices=[SelectChoice(f.value, f.label) for f in Frequency],
        validate_choice=False,
        description="Years and quarters follow the financial year (1 April to 31 March)",
    )
    strand = SelectField(
        "Strand",
        widget=GovSelect(),
        choices=[SelectChoice("", "None")] + [SelectChoice(s.value, s.value) for s in Strand],
        validate_choice=False,
    )
    objective_id = SelectField("Objective", widget=GovSelect(), validate_choice=False)
    action_ids = SelectMultipleField("Actions it measures", widget=GovCheckboxesInput(), validate_choice=False)
    direction = RadioField(
        "Target",
        widget=GovRadioInput(),
        choices=[SelectChoice("", "No target")] + [SelectChoice(d.value, d.label) for d in Direction],
        validate_choice=False,
        default="",
    )
    target = StringField("Target figure", widget=GovTextInput(), description="With more or less is better")
    target_low = StringField("Lowest figure of the range", widget=GovTextInput())
    target_high = StringField("Highest figure of the range", widget=GovTextInput())
    amber_margin_percent = StringField(
        "Amber margin (per cent)",
        widget=GovTextInput(),
        default="10",
        description="A figure this close to the target is Amber, further away Red",
    )
    dimension = StringField(
        "Breakdown",
        widget=GovTextInput(),
        description="Optional: what the categories break the figures down by, like Location type",
    )
    categories = TextAreaField("Categories", widget=GovTextArea(), description="One a line, like Private dwelling")
    notes = TextAreaField("Notes", widget=GovTextArea(), description="Optional: where the figures come from")
    submit = SubmitField("Save measure", widget=GovSubmitInput())

    def set_choices(self, plan: Plan) -> None:
        self.objective_id.choices = [SelectChoice("", "None")] + [
            SelectChoice(str(o.id), f"{o.ref} {o.title}"[:120]) for o in plan.objectives
        ]
        self.action_ids.choices = [SelectChoice(str(a.id), f"{a.display_ref}: {a.what}"[:120]) for a in plan.actions]

    def fill(self, measure: Measure) -> None:
        def text(value) -> str:
            from app.services.measures.thresholds import number

            return number(value) if value is not None else ""

        self.name.data, self.unit.data = measure.name, measure.unit
        self.frequency.data = measure.frequency.value
        self.strand.data = measure.strand.value if measure.strand else ""
        self.objective_id.data = str(measure.objective_id or "")
        self.action_ids.data = [str(a.id) for a in measure.actions]
        self.direction.data = measure.direction.value if measure.direction else ""
        self.target.data, self.target_low.data = text(measure.target), text(measure.target_low)
        self.target_high.data = text(measure.target_high)
        self.amber_margin_percent.data = str(measure.amber_margin_percent)
        self.dimension.data = measure.dimension or ""
        self.categories.data = "\n".join(measure.categories or [])
        self.notes.data = measure.notes


class BaseValuesForm(BaseForm):
    note = TextAreaField(
        "Note", widget=GovTextArea(), description="Optional: where the figures come from, or why they were corrected"
    )
    submit = SubmitField("Save figures", widget=GovSubmitInput())


def values_form_for(measure: Measure) -> type[BaseValuesForm]:
    """The figures form of this measure: the period, the total and one field per category."""
    fields = {
        "period": StringField(
            "Period", widget=GovTextInput(), description=f"For example {periods.example(measure.frequency)}"
        ),
        "total": StringField(
            "Total",
            widget=GovTextInput(),
            description=f"The {measure.unit} in the period, as reported"
            + (" (leave it empty if only the breakdown is known)" if measure.categories else ""),
        ),
    }
    for i, category in enumerate(measure.categories or []):
        fields[values.category_field(i)] = StringField(category, widget=GovTextInput())
    return type("ValuesForm", (BaseValuesForm,), fields)


class FiguresUploadForm(BaseForm):
    workbook = FileField(
        "Upload a sheet of figures",
        widget=GovFileInput(),
        description="An Excel workbook (.xlsx) smaller than 20 MB",
        validators=[FileRequired("Select the sheet of figures (.xlsx)")],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ConfirmFiguresForm(BaseForm):
    digest = HiddenField()
    submit = SubmitField("Save these figures", widget=GovSubmitInput())
