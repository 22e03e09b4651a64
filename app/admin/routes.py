"""Administration: the people who can sign in, and the audit log (read-only)."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin import bp
from app.admin.forms import AuditFilterForm, NewUserForm
from app.auth.forms import EmptyForm
from app.auth.throttling import count_reset_attempt
from app.extensions import db
from app.mail_links import AppLinks, MissingBaseUrl
from app.models import Role, User
from app.permissions import requires
from app.query_args import kept_filters, page_number
from app.services.accounts import AccountError, password_reset, second_factor
from app.services.accounts.users import all_users, create_user, deactivate
from app.services.audit import reading as audit_log


@bp.route("/users")
@requires(Role.ADMIN)
def users():
    return render_template(
        "admin/users.html", users=all_users(), button=EmptyForm(), me=current_user.id, two_factor=second_factor
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            admin = current_user._get_current_object()
            user = create_user(form.email.data, form.name.data, form.role.data, form.password.data, by=admin)
        except AccountError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            flash(f"{user.name} can now sign in as {user.email}")
            return redirect(url_for("admin.users"))
    return render_template("admin/new_user.html", form=form)


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires(Role.ADMIN)
def deactivate_user(user_id: int):
    user = _user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        if user.id == current_user.id:
            flash("You cannot deactivate your own account. Ask another administrator", "info")
        else:
            try:
                deactivate(user, by=current_user._get_current_object())
            except AccountError as error:
                flash(error.message)
            else:
                flash(f"{user.name} has been deactivated and signed out everywhere")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["POST"])
@requires(Role.ADMIN)
def reset_two_factor(user_id: int):
    user = _user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        second_factor.reset(user, by=current_user._get_current_object())
        flash(f"Two-factor sign-in has been reset for {user.name}. They have been signed out everywhere")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@requires(Role.ADMIN)
def issue_reset_link(user_id: int):
    user = _user_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("admin.users"))
    count_reset_attempt(user.email)
    try:
        token = password_reset.issue_by_admin(user, by=current_user._get_current_object())
    except AccountError as error:
        flash(error.message)
        return redirect(url_for("admin.users"))
    try:
        link = AppLinks(current_app).password_reset(token)
    except MissingBaseUrl:  # the admin's own address for the tracker, as their browser reached it
        link = url_for("auth.reset_password", token=token, _external=True)
    return render_template("admin/reset_link.html", user=user, link=link, hours=password_reset.link_hours())


@bp.route("/audit")
@requires(Role.ADMIN)
def audit():
    form = AuditFilterForm(request.args)
    form.verb.choices = [SelectChoice("", "Anything")] + [SelectChoice(v) for v in audit_log.verbs()]
    people = audit_log.people()
    form.user.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in people
    ]
    filters = {}
    if form.validate():
        user_id = (form.user.data or "").strip()  # Optional() lets blanks through the choices check
        filters = {
            "verb": (form.verb.data or "").strip() or None,
            "user_id": int(user_id) if user_id.isdecimal() else None,
            "date_from": form.date_from.data,
            "date_to": form.date_to.data,
        }
    page = audit_log.search(**filters, page=page_number(request.args))
    args = kept_filters(request.args, (field.name for field in form))  # dates have 3 parts
    return render_template("admin/audit.html", form=form, page=page, args=args)
