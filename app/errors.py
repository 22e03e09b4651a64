"""Error pages that say what to do next and never show a stack trace."""

import logging
import secrets

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import Conflict as HTTPConflict
from werkzeug.exceptions import Forbidden, HTTPException

from app import kept_text
from app.extensions import db
from app.security_events import security_event
from app.services.errors import Conflict, NotAllowed

log = logging.getLogger(__name__)

MESSAGES: dict[int | None, tuple[str, str]] = {
    400: ("Sorry, there is a problem with the request", "Go back, check what you entered and try again."),
    403: ("You do not have permission to see this page", "Ask the plan lead or an administrator if you need it."),
    404: ("Page not found", "Check the address, or go back to the list of plans."),
    405: ("Sorry, that cannot be done here", "Go back and use the buttons on the page."),
    409: ("Someone else changed this at the same time", "Go back, reload the page and try again."),
    413: ("The file is too big", "Upload a file smaller than 20 MB."),
    429: ("Too many attempts", "Wait a few minutes before you try again."),
}


def _what_was_typed() -> list[tuple[str, str]]:
    """The text fields of a refused form that its page declares, so that nothing a person typed is lost."""
    return kept_text.typed_text()


def _signed_out_of_a_signed_in_page() -> bool:
    from flask_login import current_user

    from app.request_guards import current_view

    view = current_view(request.endpoint) if request.endpoint else None
    return view is not None and hasattr(view, "roles") and not current_user.is_authenticated


def _is_busy(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text


# Refusals worth a line in the security log (16.3.2/16.3.3 of OWASP ASVS 5.0): denied pages and throttling.
SECURITY_CODES = {403: "access.denied", 429: "throttled"}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        security_event("csrf.refused", reason=error.description)
        if _signed_out_of_a_signed_in_page():  # e.g. signed out in another tab: sign in, then see the text
            flash(kept_text.SIGNED_OUT_WITH_A_FORM, "info")
            return redirect(url_for("auth.sign_in", next=kept_text.keep_for_after_sign_in()))
        return render_template(
            "errors/error.html",
            title="Your form has expired",
            advice="The page was open too long or came from elsewhere. Go back, reload the page and try again.",
            incident=None,
            typed=_what_was_typed(),
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in SECURITY_CODES:
            security_event(SECURITY_CODES[error.code])
        title, advice = MESSAGES.get(error.code, (error.name, ""))
        return render_template("errors/error.html", title=title, advice=advice, incident=None), error.code

    @app.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        # A service's own check refused: the same page (and security log line) as a view's abort(403).
        db.session.rollback()
        return http_error(Forbidden())

    @app.errorhandler(Conflict)
    def conflict(error: Conflict):
        # Views that have a form show the conflict on it; any other gets the general "changed meanwhile" page.
        db.session.rollback()
        return http_error(HTTPConflict())

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        # SQLite lets one writer in at a time; past the busy timeout the second gets "database is locked".
        # That is a wait, not a fault: say so, and show back what was typed so that nothing is lost.
        if not _is_busy(error):
            return unexpected_error(error)
        db.session.rollback()
        log.warning("Database busy: %s %s", request.method, request.path)
        return render_template(
            "errors/error.html",
            title="The tracker is busy",
            advice="Someone else was saving at the same moment. Wait a few seconds, go back and send the form again.",
            incident=None,
            typed=_what_was_typed(),
        ), 503

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        incident = secrets.token_hex(4)
        log.exception("Unhandled error, incident %s", incident)
        db.session.rollback()
        title = "Sorry, there is a problem with the service"
        advice = "Try again later. If it keeps happening, tell the administrator this incident number."
        return render_template("errors/error.html", title=title, advice=advice, incident=incident), 500
