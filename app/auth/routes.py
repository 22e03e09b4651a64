from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import bp
from app.auth.forms import ChangePasswordForm, EmptyForm, SignInForm
from app.auth.throttling import per_account, per_address
from app.extensions import db
from app.permissions import public, requires
from app.security_log import security_event
from app.services import accounts, audit


def _safe_next(target: str | None) -> str:
    """Only follow `next` within this site: a path, never another host or scheme.

    Browsers read a backslash as a slash and drop tabs and newlines inside a URL, so a backslash or
    a tab after the first slash would leave the site: any backslash, space or control character is refused.
    """
    if target and target.startswith("/") and "\\" not in target and target.isprintable() and " " not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not target.startswith("//"):
            return target
    return url_for("plans.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@per_address
@per_account
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("plans.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            audit.record("sign_in.failure", detail=form.email.data.strip().lower()[:254], actor="anonymous")
            db.session.commit()
            security_event("sign_in.failure", email=form.email.data[:254])
            form.password.errors.append("Enter a correct email address and password")
        else:
            session.clear()  # a new session at sign-in: nothing carried over from before
            login_user(user)
            audit.record("sign_in", user=user, record_type="user", record_id=user.id)
            db.session.commit()
            security_event("sign_in", user_id=user.id)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@requires()
def sign_out():
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.sign_out(current_user._get_current_object())
        db.session.commit()
        logout_user()
        session.clear()
        flash("You have signed out")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires()
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if accounts.authenticate(user.email, form.current_password.data) is None:
            form.current_password.errors.append("Your current password is not correct")
        else:
            try:
                accounts.change_password(user, form.new_password.data)
            except accounts.AccountError as error:
                form.new_password.errors.append(str(error))
            else:
                db.session.commit()
                login_user(user)  # this browser carries on with the new token; every other session ends
                flash("Your password has been changed. Other devices have been signed out.")
                return redirect(url_for("plans.home"))
    return render_template("auth/change_password.html", form=form)
