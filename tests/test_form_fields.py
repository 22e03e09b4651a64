"""GOV.UK form fields are drawn once per distinct field (app/form_fields.py): the same HTML govuk_frontend_wtf
draws, and a field whose value, choices or errors changed is drawn afresh, in this request or the next."""

from datetime import date

import pytest
from govuk_frontend_wtf.gov_form_base import GovFormBase
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from app import form_fields
from app.extensions import db
from app.models import Action, Rag, User
from app.plans.forms import FilterForm
from app.updates.forms import UpdateForm
from tests.factories import make_action, make_plan, make_user
from tests.pages import check_page


def drawn(form) -> dict[str, str]:
    """Each govuk field of the form as the page draws it (kept HTML when there is some)."""
    return {field.name: str(field()) for field in form if field.widget.__class__.__module__.startswith("govuk")}


def drawn_afresh(form) -> dict[str, str]:
    """The same fields drawn by govuk_frontend_wtf itself, nothing kept."""
    GovFormBase.render = form_fields._draw  # type: ignore[method-assign]
    try:
        return drawn(form)
    finally:
        GovFormBase.render = form_fields._render  # type: ignore[method-assign]


def forms(owners: list[User]):
    """The update form empty, filled in and refused; the plan page's filters empty and set."""
    yield UpdateForm(formdata=None, data={"as_at": date(2026, 3, 31), "version": 3})
    yield UpdateForm(formdata=MultiDict({"text": "Partners met", "rag": "amber", "version": "3"}))
    refused = UpdateForm(formdata=MultiDict([("as_at", "31"), ("as_at", "13"), ("as_at", "2026"), ("text", "")]))
    refused.validate()
    yield refused
    filters = FilterForm(formdata=MultiDict([("q", "<b>Sentinel</b>"), ("rag", "red"), ("only", "stale")]))
    filters.set_owners(owners)
    yield filters
    yield FilterForm(formdata=None)


def test_the_fields_are_drawn_as_govuk_frontend_wtf_draws_them(app_context, app):
    owners = [make_user("owner", name="DCI Chisholm"), make_user("owner", name="DS O'Brien & Co")]
    with app.test_request_context("/"):
        for form in forms(owners):
            expected = drawn_afresh(form)
            assert drawn(form) == expected  # the first time: drawn and kept
            assert drawn(form) == expected  # the second: the kept HTML, the same
        assert app.extensions[form_fields.STORE]  # and some was kept


def test_a_field_whose_value_choices_or_errors_change_is_drawn_afresh(app):
    with app.test_request_context("/"):
        first = FilterForm(formdata=MultiDict({"q": "Sentinel"}))
        assert 'value="Sentinel"' in str(first.q())
        second = FilterForm(formdata=MultiDict({"q": "Aurora"}))
        assert 'value="Aurora"' in str(second.q()) and "Sentinel" not in str(second.q())
        assert 'value="Sentinel"' in str(FilterForm(formdata=MultiDict({"q": "Sentinel"})).q())

        filters = FilterForm(formdata=None)
        filters.set_owners([make_user("owner", name="DCI Chisholm")])
        assert "DCI Chisholm" in str(filters.owner()) and "DS Patel" not in str(filters.owner())
        filters.set_owners([make_user("owner", name="DCI Chisholm"), make_user("owner", name="DS Patel")])
        assert "DS Patel" in str(filters.owner())

        update = UpdateForm(formdata=MultiDict({"text": "x", "version": "1"}))
        assert "govuk-error-message" not in str(update.rag())
        update.validate()
        assert "Select the RAG you propose" in str(update.rag())


def test_text_and_markup_true_and_one_are_told_apart():
    assert form_fields.frozen({"text": "<b>"}) != form_fields.frozen({"text": Markup("<b>")})
    assert form_fields.frozen({"checked": True}) != form_fields.frozen({"checked": 1})
    assert form_fields.frozen({"a": 1, "b": 2}) != form_fields.frozen({"b": 2, "a": 1})  # attributes in order


def test_long_text_and_other_objects_are_drawn_every_time_and_not_kept(app):
    with app.test_request_context("/"):
        kept = app.extensions[form_fields.STORE]
        long_text = "x" * (form_fields.MAX_KEY_CHARS + 1)
        form = UpdateForm(formdata=MultiDict({"text": long_text, "version": "1"}))
        assert long_text in str(form.text())
        assert not kept
        with pytest.raises(form_fields._NotKept):
            form_fields.frozen({"value": date(2026, 3, 31)})


def test_the_store_is_bounded(app, monkeypatch):
    monkeypatch.setattr(form_fields, "MAX_ENTRIES", 3)
    with app.test_request_context("/"):
        for n in range(10):
            assert f'value="search {n}"' in str(FilterForm(formdata=MultiDict({"q": f"search {n}"})).q())
        assert len(app.extensions[form_fields.STORE]) <= 3


def test_the_next_request_sees_what_the_last_one_changed(app_context, client, auth):
    """The plan page's owner filter lists an owner added since the last request."""
    lead = make_user("lead", name="DSupt Walton")
    plan = make_plan(title="MDS Local Delivery Plan", actions=0, lead_user=lead)
    action = make_action(plan, ref="1", rag=Rag.GREEN, owner=make_user("owner", name="DCI Chisholm"))
    db.session.commit()
    auth.login(lead)

    def owner_filter() -> str:
        page = check_page(client.get(f"/plans/{plan.id}"))
        select = page[page.index('<select class="govuk-select" id="owner"') :]
        return select[: select.index("</select>")]

    assert "DCI Chisholm" in owner_filter() and "DS Patel" not in owner_filter()
    patel = make_user("owner", name="DS Patel")
    db.session.get(Action, action.id).owners.append(patel)
    db.session.commit()
    assert f'<option value="{patel.id}">DS Patel</option>' in owner_filter()
