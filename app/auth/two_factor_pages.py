"""Two-factor sign-in pages: the code after the password, and setting up an authenticator app.

Admins and leads who have not set it up are sent to set it up straight after their password, and are
not signed in until they have; anyone else may turn it on from their account page.
"""

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user

from app.auth import bp
from app.auth.forms import CodeForm, EnrolForm
from app.auth.signing_in import abandon_pending, complete_sign_in, pending_user, start_session
from app.auth.throttling import count_failure, pending_email, throttled
from app.models import User
from app.permissions import public, requires
from app.security_events import security_event
from app.services.accounts import second_factor

ENROL_SECRET_KEY = "two_factor_secret"


def _back_to_sign_in():
    if abandon_pending():
        flash("Sign in again. The code must be entered within 5 minutes of your password", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@throttled(pending_email)
def sign_in_code():
    user = pending_user()
    if user is None:
        return _back_to_sign_in()
    if not second_factor.is_enrolled(user):
        return redirect(url_for("auth.set_up_two_factor_at_sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        how = second_factor.verify(user, form.code.data)
        if how:
            return redirect(complete_sign_in(user, how))
        second_factor.code_refused(user)
        security_event("sign_in.failure", email=user.email, step="code")
        count_failure()
        form.code.errors.append("The code is not right. Enter the code your authenticator app shows now")
    return render_template("auth/code.html", form=form)


@bp.route("/sign-in/set-up-two-factor", methods=["GET", "POST"])
@public
@throttled(pending_email)
def set_up_two_factor_at_sign_in():
    user = pending_user()
    if user is None:
        return _back_to_sign_in()
    if second_factor.is_enrolled(user):
        return redirect(url_for("auth.sign_in_code"))
    return _set_up(user, signing_in=True)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@requires()
def set_up_two_factor():
    user = current_user._get_current_object()
    if second_factor.is_enrolled(user):
        flash("Two-factor sign-in is already on", "info")
        return redirect(url_for("auth.account"))
    return _set_up(user, signing_in=False)


def _set_up(user: User, signing_in: bool):
    # The secret waits in the (signed) session until a code proves the app holds it; the page shows it
    # anyway, and it is stored on the account only once confirmed.
    secret = session.get(ENROL_SECRET_KEY) or second_factor.new_secret()
    session[ENROL_SECRET_KEY] = secret
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.enable(user, secret, form.code.data)
        except second_factor.TwoFactorError as error:
            if signing_in:
                count_failure()
            form.code.errors.append(error.message)
        else:
            if signing_in:
                next_url = complete_sign_in(user, "new authenticator app")
            else:
                start_session(user)  # enabling ended every session; this browser gets a fresh one
                next_url = url_for("auth.account")
            return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url)
    return render_template(
        "auth/set_up_two_factor.html",
        form=form,
        secret=secret,
        qr_svg=second_factor.qr_code_svg(second_factor.provisioning_uri(user, secret)),
        required=second_factor.required_for(user),
        signing_in=signing_in,
    )
