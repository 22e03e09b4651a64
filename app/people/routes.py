"""Pages for contacts: the list, adding and editing one, and (administrators) giving one an account."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.models import Contact, Role
from app.people import bp
from app.people.forms import AccountForm, ContactForm
from app.permissions import requires
from app.services.accounts import AccountError
from app.services.people import contacts, matching
from app.services.plans.authoring import AuthoringError

LEADS = (Role.ADMIN, Role.LEAD)


@bp.app_template_filter("owner_match_digest")
def owner_match_digest(matches) -> str:
    return matching.digest(list(matches))


@bp.route("/contacts")
@requires(*LEADS)
def index():
    return render_template("people/index.html", contacts=contacts.every_contact())


@bp.route("/contacts/new", methods=["GET", "POST"])
@requires(*LEADS)
def new_contact():
    return _contact_page(None)


@bp.route("/contacts/<int:contact_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)  # a contact belongs to no plan: leads add contacts, administrators change them
def contact(contact_id: int):
    return _contact_page(db.session.get(Contact, contact_id) or abort(404))


def _contact_page(found: Contact | None):
    values = {"name": found.name, "role": found.role, "email": found.email or ""} if found else {}
    form = ContactForm(data=values)
    if form.validate_on_submit():
        details = contacts.ContactDetails(form.name.data, form.role.data or "", form.email.data or "")
        try:
            saved = contacts.save_contact(current_user._get_current_object(), details, found)
        except AuthoringError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            flash(f"{saved.name} saved")
            return redirect(url_for("people.index"))
    return render_template("people/contact.html", form=form, contact=found)


@bp.route("/contacts/<int:contact_id>/account", methods=["GET", "POST"])
@requires(Role.ADMIN)
def account(contact_id: int):
    found = db.session.get(Contact, contact_id) or abort(404)
    form = AccountForm(data={"email": found.email or "", "role": "owner"})
    if form.validate_on_submit():
        try:
            user = contacts.turn_into_user(
                current_user._get_current_object(),
                found,
                email=form.email.data,
                role=Role(form.role.data),
                password=form.password.data,
            )
        except AccountError as error:
            getattr(form, error.field if error.field in ("email", "password", "role") else "email").errors.append(
                str(error)
            )
        else:
            flash(f"{user.name} can now sign in as {user.email}; their actions are in their My actions")
            return redirect(url_for("people.index"))
    return render_template("people/account.html", form=form, contact=found)
