from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovTextInput
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields import SelectChoice

from app.models import Rag, Strand, User
from app.services.plan_filters import MAX_SEARCH_LENGTH, ONLY


class FilterForm(FlaskForm):
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
