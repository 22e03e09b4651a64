"""Nothing typed is lost when a form cannot be taken: what the form declares is shown back, or kept for later.

A form refused for an expired CSRF token shows back what was typed. A form sent after the session ended
elsewhere (signed out, password changed, two-factor reset, the 12-hour limit) is kept in the session, the
person signs in again and lands on the page the form was on (never the POST-only address it was sent to,
which would be a 405), and the page shows the kept text above the form.

Only the fields that the page's form declares are shown or kept, and never a password or a code: a POST from
another site cannot make the tracker display text of its choosing under names of its choosing. The fields
are found by reading the view (and the helpers of its own module it calls) for the FlaskForm classes it
names, once per endpoint.
"""

import inspect
import time
from functools import cache
from types import FunctionType, ModuleType

from flask import current_app, request, session, url_for
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

SIGNED_OUT_WITH_A_FORM = (
    "You were signed out before your form was sent, so nothing was saved. "
    "Sign in again and what you typed will be shown on the form's page"
)
KEPT_KEY = "kept_text"
KEPT_SECONDS = 30 * 60
# Never shown or kept: secrets, and the form's own plumbing.
NOT_ECHOED = ("password", "confirm", "code", "csrf_token", "submit", "secret")


def _form_fields(form_class: type) -> set[str]:
    return {name for name in dir(form_class) if isinstance(getattr(form_class, name, None), UnboundField)}


def _forms_named_by(function: FunctionType, seen: set, depth: int = 0) -> set[str]:
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None or function in seen or depth > 2:
        return set()
    seen.add(function)
    found: set[str] = set()
    namespaces = [function.__globals__]
    modules = [v for v in function.__globals__.values() if isinstance(v, ModuleType) and "forms" in v.__name__]
    namespaces += [vars(module) for module in modules]
    for name in code.co_names:
        for namespace in namespaces:
            thing = namespace.get(name)
            if isinstance(thing, type) and issubclass(thing, FlaskForm):
                found |= _form_fields(thing)
            elif isinstance(thing, FunctionType) and thing.__module__ == function.__module__:
                found |= _forms_named_by(thing, seen, depth + 1)
    return found


@cache
def _declared_fields(app_id: int, endpoint: str) -> frozenset[str]:
    view = current_app.view_functions.get(endpoint)
    return frozenset(_forms_named_by(view, set())) if view else frozenset()


def declared_fields(endpoint: str | None) -> frozenset[str]:
    """The names of the fields the forms of this endpoint's view declare."""
    return _declared_fields(id(current_app._get_current_object()), endpoint) if endpoint else frozenset()


def typed_text() -> list[tuple[str, str]]:
    """The text of this request's declared form fields, labelled as people read them, without secrets."""
    declared = declared_fields(request.endpoint)
    typed = []
    for name, value in request.form.items(multi=True):
        if name not in declared or any(secret in name.lower() for secret in NOT_ECHOED) or not value.strip():
            continue
        typed.append((name.replace("_", " ").capitalize(), value[:20_000]))
    return typed[:50]


def form_page() -> str:
    """Where the form that was just posted lives: the page it was sent from, else its own address if that
    has a page, else home."""
    from app.auth.signing_in import safe_next

    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    if referrer.startswith(host + "/"):
        return safe_next(referrer.removeprefix(host))
    adapter = current_app.url_map.bind("")
    if adapter.test(request.path, method="GET"):
        return safe_next(request.full_path.rstrip("?"))
    return url_for("plans.home")


def keep_for_after_sign_in() -> str:
    """Keep what was typed in the session for the form's page; returns that page (for `next`)."""
    page = form_page()
    typed = typed_text()
    if typed:
        session[KEPT_KEY] = {"path": page.split("?")[0], "typed": typed, "at": int(time.time())}
    return page


def carried_over() -> dict | None:
    """The kept text, to carry into the new session started at sign-in."""
    return session.get(KEPT_KEY)


def shown_here() -> list[tuple[str, str]]:
    """The kept text when this is the page it belongs to (once, and for 30 minutes at most)."""
    kept = session.get(KEPT_KEY)
    if not kept or request.method != "GET" or request.path != kept.get("path"):
        return []
    session.pop(KEPT_KEY)
    if time.time() - kept.get("at", 0) > KEPT_SECONDS:
        return []
    return [tuple(pair) for pair in kept.get("typed", [])]
