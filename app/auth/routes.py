"""Signing in with a password, signing out, and the person's own account pages."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from app.auth import bp
from app.auth.forms import ChangePasswordForm, EmptyForm, NotificationsForm, SignInForm
from app.auth.signing_in import complete_sign_in, safe_next, start_pending, start_session
from app.auth.throttling import count_failure, throttled, typed_email
from app.permissions import public, requires
from app.security_events import security_event
from app.services.accounts import AccountError, passwords, second_factor, sessions
from app.services.notifications import KINDS, OPTIONAL
from app.services.notifications import preferences as notification_preferences


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@throttled(typed_email)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("plans.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = passwords.authenticate(form.email.data, form.password.data)
        if user is None:
            security_event("sign_in.failure", email=sessions.sign_in_refused(form.email.data))
            count_failure()
            form.password.errors.append("Enter a correct email address and password")
        else:
            next_url = safe_next(request.args.get("next"))
            if second_factor.is_enrolled(user):
                start_pending(user, next_url)
                return redirect(url_for("auth.sign_in_code"))
            if second_factor.required_for(user):
                start_pending(user, next_url)
                return redirect(url_for("auth.set_up_two_factor_at_sign_in"))
            return redirect(complete_sign_in(user, "password", next_url))
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@requires()
def sign_out():
    form = EmptyForm()
    if form.validate_on_submit():
        sessions.sign_out(current_user._get_current_object())
        logout_user()
        session.clear()
        flash("You have signed out")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account")
@requires()
def account():
    user = current_user._get_current_object()
    return render_template(
        "auth/account.html",
        user=user,
        enrolled=second_factor.is_enrolled(user),
        required=second_factor.required_for(user),
        codes_left=second_factor.recovery_codes_left(user),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@requires()
@throttled(lambda: current_user.email)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if passwords.authenticate(user.email, form.current_password.data) is None:
            passwords.record_wrong_current_password(user)
            security_event("password_change.failure", step="current password")
            count_failure()
            form.current_password.errors.append("Your current password is not correct")
        else:
            try:
                passwords.change_password(user, form.new_password.data)
            except AccountError as error:
                form.new_password.errors.append(error.message)
            else:
                start_session(user)  # this browser carries on, on a new session with the new token
                flash("Your password has been changed. Other devices have been signed out.")
                return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/notifications", methods=["GET", "POST"])
@requires()
def notifications():
    user = current_user._get_current_object()
    off = notification_preferences.turned_off(user)
    form = NotificationsForm(data={"kinds": [kind for kind in OPTIONAL if kind not in off]})
    form.set_kinds([KINDS[kind] for kind in OPTIONAL])
    if form.validate_on_submit():
        changed = notification_preferences.choose(user, set(form.kinds.data or []))
        flash("Your e-mail choices have been saved" if changed else "Nothing was changed")
        return redirect(url_for("auth.account"))
    required = [kind for kind in KINDS.values() if kind.required]
    hints = [{"hint": {"text": KINDS[kind].description}} for kind in OPTIONAL]
    return render_template("auth/notifications.html", form=form, hints=hints, required=required)
