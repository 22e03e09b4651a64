"""Forgotten password: ask for a link on the sign-in page, open it, set a new password (the admin's link for
someone is issued on the users page, app/admin/routes.py).

The link's token travels in the URL once: opening it keeps the token in the signed session and redirects to a
page whose address holds no token, so it is not left in the browser's history or in a Referer header.
"""

import logging

from flask import current_app, flash, redirect, render_template, session, url_for

from app.auth import bp
from app.auth.forms import ForgottenPasswordForm, ResetPasswordForm
from app.auth.throttling import count_reset_attempt
from app.mail_links import AppLinks, MissingBaseUrl
from app.models import User
from app.permissions import public
from app.security_events import security_event
from app.services import mail
from app.services.accounts import AccountError, password_reset

log = logging.getLogger(__name__)
RESET_KEY = "password_reset_token"
SENT = "If that address has an account, we have sent a link to set a new password. It works once, for an hour"


@bp.route("/sign-in/forgotten-password", methods=["GET", "POST"])
@public
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        count_reset_attempt(form.email.data)
        user, token = password_reset.request_by_email(form.email.data)
        security_event("password_reset.request")
        if user is not None and token is not None:
            _send_link(user, token)
        return render_template("auth/reset_link_sent.html", message=SENT)
    return render_template("auth/forgotten_password.html", form=form)


def _send_link(user: User, token: str) -> None:
    settings = mail.settings_from(current_app.config)
    try:
        link = AppLinks(current_app).password_reset(token)
    except MissingBaseUrl:
        settings = None
    if settings is None:
        log.warning(
            "password reset asked for, but SMTP or BASE_URL is not set: no e-mail sent (an admin can issue a link)"
        )
        return
    subject, body = password_reset.email_text(user, link)
    mail.send_in_background(settings, mail.message(settings, user.email, subject, body))


@bp.route("/reset-password/<token>")
@public
def reset_password(token: str):
    """The link itself: keep the token in the session and go on to the form, or say the link does not work (404,
    whether it never existed, was used or expired)."""
    try:
        password_reset.check(token)
    except password_reset.ResetLinkError as error:
        count_reset_attempt(None)  # (no security_event here: its line would hold the path, and so the token)
        return render_template("auth/reset_link_refused.html", message=error.message), 404
    session[RESET_KEY] = token
    return redirect(url_for("auth.reset_password_form"))


@bp.route("/reset-password", methods=["GET", "POST"])
@public
def reset_password_form():
    token = session.get(RESET_KEY)
    if not token:
        return render_template("auth/reset_link_refused.html", message=password_reset.REFUSAL)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.use(token, form.new_password.data)
        except password_reset.ResetLinkError as error:
            session.pop(RESET_KEY, None)
            count_reset_attempt(None)
            return render_template("auth/reset_link_refused.html", message=error.message)
        except AccountError as error:
            form.new_password.errors.append(error.message)
        else:
            session.clear()  # whoever was signed in in this browser is signed out with every other session
            security_event("password_reset.use")
            flash("Your new password is set and you have been signed out everywhere. Sign in with it")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)
