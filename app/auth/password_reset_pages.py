"""Forgotten password: ask for a link on the sign-in page, open it, set a new password (the admin's link for
someone is issued on the users page, app/admin/routes.py).

The link's token travels in the URL once: opening it keeps the token in the signed session and redirects to a
page whose address holds no token, so it is not left in the browser's history or in a Referer header.
"""

import logging
import secrets
from email.message import EmailMessage

from flask import current_app, flash, make_response, redirect, render_template, session, url_for

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
        # The same work whether or not the address has an account: a message is made either way, and one for an
        # account is handed to the mail server only once this answer has gone (call_on_close), so the time the
        # answer takes does not depend on the mail server either.
        settings, message = _link_message(user, token)
        response = make_response(render_template("auth/reset_link_sent.html", message=SENT))
        if user is not None and settings is not None and message is not None:
            response.call_on_close(lambda: mail.send_in_background(settings, message))
        return response
    return render_template("auth/forgotten_password.html", form=form)


def _link_message(user: User | None, token: str | None) -> tuple[mail.MailSettings | None, EmailMessage | None]:
    settings = mail.settings_from(current_app.config)
    try:
        links: AppLinks | None = AppLinks(current_app)
    except MissingBaseUrl:
        links = None
    if settings is None or links is None:
        if user is not None:
            log.warning("password reset asked for; SMTP or BASE_URL is not set, so no e-mail (an admin can issue one)")
        return None, None
    to = user if user is not None else User(name="", email="nobody@invalid")
    subject, body = password_reset.email_text(to, links.password_reset(token or secrets.token_urlsafe(32)))
    return settings, mail.message(settings, to.email, subject, body)


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
