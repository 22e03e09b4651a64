"""Every request guarded: who the cookie belongs to, requests refused early, the security headers of every answer."""

import secrets

from flask import Flask, abort, flash, g, redirect, request, session, url_for
from flask_login import AnonymousUserMixin, login_url

from app import kept_text
from app.extensions import db, login_manager
from app.models import User
from app.services.accounts import second_factor


class Anonymous(AnonymousUserMixin):
    role = None


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None  # the sign-in page says it already: no banner, and never a green one
    login_manager.session_protection = "strong"
    login_manager.anonymous_user = Anonymous
    login_manager.unauthorized_handler(_sign_in_first)

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        # The cookie names the user's current session token; a rotated token (sign-out, password
        # change, deactivation) matches nobody, so a copied cookie stops working.
        user = db.session.scalar(db.select(User).filter_by(session_token=session_token, active=True))
        if user is not None and second_factor.required_for(user) and not second_factor.is_enrolled(user):
            return None  # an admin or lead without a second factor is never signed in
        return user

    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]

    app.before_request(_refuse_nul_characters)
    app.before_request(_end_sessions_past_their_life)
    app.before_request(_require_a_permission_mark)
    app.before_request(_make_csp_nonce)
    app.after_request(_security_headers)
    app.context_processor(
        lambda: {
            "cspNonce": g.get("csp_nonce", ""),
            "kept_text": kept_text.shown_here,
            "kept_refilled": kept_text.refilled,
        }
    )


def _sign_in_first():
    """Not signed in (or no longer): to the sign-in page, and back afterwards. A form's text is kept, and the
    way back is the form's page, since the address it was posted to may take only POSTs."""
    if request.method == "POST":
        flash(kept_text.SIGNED_OUT_WITH_A_FORM, "info")
        return redirect(url_for("auth.sign_in", next=kept_text.keep_for_after_sign_in()))
    return redirect(login_url("auth.sign_in", request.url))


def _end_sessions_past_their_life():
    from flask import current_app
    from flask_login import current_user, logout_user

    from app.auth.signing_in import session_expired

    if request.endpoint != "static" and current_user.is_authenticated and session_expired():
        logout_user()
        session.clear()
        hours = int(current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds() // 3600)
        flash(f"You have been signed out because your session was more than {hours} hours old. Sign in again", "info")
        if request.method == "POST":
            flash("Nothing was saved: what you typed will be shown on the form's page once you have signed in", "info")
            return redirect(url_for("auth.sign_in", next=kept_text.keep_for_after_sign_in()))
        return redirect(url_for("auth.sign_in", next=request.path))
    return None


def _refuse_nul_characters():
    """Nobody types a NUL character, and PostgreSQL cannot store one: refuse the request before any view sees it."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)
    return None


def _require_a_permission_mark():
    """Refuse any view that is neither public nor guarded by `requires`: forgetting is not an open door."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = request.url_rule and current_view(request.endpoint)
    if view is None or getattr(view, "public", False) or hasattr(view, "roles"):
        return None
    abort(403)


def current_view(endpoint: str):
    from flask import current_app

    return current_app.view_functions.get(endpoint)


def _make_csp_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def _security_headers(response):
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    from flask import current_app

    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
