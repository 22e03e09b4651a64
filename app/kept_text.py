"""Nothing typed is lost when a form cannot be taken: what the form declares is shown back, or kept for later.

A form refused for an expired CSRF token shows back what was typed. A form sent after the session ended
elsewhere (signed out, password changed, two-factor reset, the 12-hour limit) is kept in the session, the
person signs in again and lands on the page the form was on (never the POST-only address it was sent to,
which would be a 405), and there the form comes back with the kept text in its fields (every form is an
app.forms.BaseForm, which calls `refill`), and the page shows it above the form too, once.

The form's page is, in order: the `return_to` field a form carries when it posts to another address (a local
path that answers GET), the page the browser says it was sent from (Referer), the address it was posted to
when that address answers GET too, else home.

Only the fields that the posted form declares are shown, kept or refilled, and never a password or a code: a
POST from another site cannot make the tracker display text of its choosing under names of its choosing. The
fields are found by reading the view (and the helpers of its own module it calls) for the FlaskForm classes it
names, once per endpoint; a field is refilled only when the page's own form has a field of that name.
"""

import inspect
import time
from collections.abc import Callable
from types import FunctionType, ModuleType

from flask import current_app, g, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
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


def _forms_named_by(view: Callable[..., object], seen: set, depth: int = 0) -> set[str]:
    function = inspect.unwrap(view)
    code = getattr(function, "__code__", None)
    if not isinstance(function, FunctionType) or code is None or function in seen or depth > 2:
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


def declared_fields(endpoint: str | None) -> frozenset[str]:
    """The names of the fields the forms of this endpoint's view declare (read once per app and endpoint)."""
    if not endpoint:
        return frozenset()
    found: dict[str, frozenset[str]] = current_app.extensions.setdefault("kept_text.declared_fields", {})
    if endpoint not in found:
        view = current_app.view_functions.get(endpoint)
        found[endpoint] = frozenset(_forms_named_by(view, set())) if view else frozenset()
    return found[endpoint]


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def typed_fields() -> list[tuple[str, str]]:
    """(name, value) of this request's declared form fields, without secrets, in the order they were sent."""
    declared = declared_fields(request.endpoint)
    typed = []
    for name, value in request.form.items(multi=True):
        if name not in declared or any(secret in name.lower() for secret in NOT_ECHOED) or not value.strip():
            continue
        typed.append((name, value[:20_000]))
    return typed[:50]


def typed_text() -> list[tuple[str, str]]:
    """The text of this request's declared form fields, labelled as people read them, without secrets."""
    return [(_label(name), value) for name, value in typed_fields()]


def _local_get_page(target: str | None) -> str | None:
    """`target` when it is a path of this site that answers GET, else None."""
    from app.auth.signing_in import safe_next

    if not target or safe_next(target) != target:
        return None
    adapter = current_app.url_map.bind("")
    try:
        adapter.match(target.split("?")[0], method="GET")
    except Exception:  # noqa: BLE001  (NotFound, MethodNotAllowed, RequestRedirect: not a page to return to)
        return None
    return target


def form_page() -> str:
    """Where the form that was just posted lives: its `return_to` field, else the page it was sent from, else
    its own address if that has a page, else home."""
    if page := _local_get_page(request.form.get("return_to")):
        return page
    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    if referrer.startswith(host + "/") and (page := _local_get_page(referrer.removeprefix(host))):
        return page
    if page := _local_get_page(request.full_path.rstrip("?")):
        return page
    return url_for("plans.home")


def keep_for_after_sign_in() -> str:
    """Keep what was typed in the session for the form's page; returns that page (for `next`)."""
    page = form_page()
    typed = typed_fields()
    if typed:
        session[KEPT_KEY] = {"path": page.split("?")[0], "fields": typed, "at": int(time.time())}
    return page


def carried_over() -> dict | None:
    """The kept text, to carry into the new session started at sign-in."""
    return session.get(KEPT_KEY)


def _kept_here() -> dict | None:
    """The kept text when this GET is for the page it belongs to and it is at most 30 minutes old (not used up)."""
    if "kept_here" not in g:
        kept = session.get(KEPT_KEY)
        g.kept_here = None
        if isinstance(kept, dict) and request.method == "GET" and request.path == kept.get("path"):
            g.kept_here = kept if time.time() - kept.get("at", 0) <= KEPT_SECONDS else None
    return g.kept_here


def kept_for_this_page() -> bool:
    """Whether this GET's page has kept text to give back (its forms are then refilled: never a kept page)."""
    return bool(_kept_here())


def refill(form: FlaskForm) -> None:
    """Put the kept text back into the fields of `form` that have its names (only those: the others keep the
    values the page gave them)."""
    kept = _kept_here()
    if not kept:
        return
    values = MultiDict([(str(name), str(value)) for name, value in kept.get("fields", [])])
    for field in form:
        if field.name in values and not any(secret in field.name.lower() for secret in NOT_ECHOED):
            field.process(values)
            g.kept_refilled = True


def refilled() -> bool:
    """Whether a form of this page was given back the kept text."""
    return bool(g.get("kept_refilled"))


def shown_here() -> list[tuple[str, str]]:
    """The kept text when this is the page it belongs to (once, and for 30 minutes at most)."""
    kept = session.get(KEPT_KEY)
    if not kept or request.method != "GET" or request.path != kept.get("path"):
        return []
    session.pop(KEPT_KEY)
    if time.time() - kept.get("at", 0) > KEPT_SECONDS:
        return []
    if "fields" in kept:
        return [(_label(name), value) for name, value in kept["fields"]]
    return [tuple(pair) for pair in kept.get("typed", [])]  # kept before the names were (a session in flight)
