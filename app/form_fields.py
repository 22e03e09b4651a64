"""GOV.UK form fields drawn once per process for each distinct field, not again on every page.

govuk_frontend_wtf draws a field by rendering a two-line template of its own that calls the GOV.UK macro with
the field's `params` (id, name, label, hint, value, choices, errors, attributes), through Flask's
render_template. The macros are imported without context, so what they write depends on those params alone:
not on the request, the person or the page. Yet drawing them was the largest part of a form page's worker CPU
(measured at 5,000 actions: about a quarter of the action page's, the update form's seven fields, and a fifth
of the plan page's, its filters; docs/performance.md).

So each field's HTML is kept, per app, under a frozen copy of its template's name and its params: the same
field with the same value, choices and errors is the same HTML, and a field whose value, choices or errors
differ (what another request changed, what this person typed) has a key of its own and is drawn afresh. Params
holding anything but text, Markup, numbers, booleans, None, lists, tuples and dicts (whose order is kept: the
macros write attributes in it) are drawn every time, and so are params holding more than MAX_KEY_CHARS of text,
so that a long text someone typed is not kept in memory. At most MAX_ENTRIES fields are kept; past that the
store starts again empty.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from govuk_frontend_wtf.gov_form_base import GovFormBase
from markupsafe import Markup

MAX_ENTRIES = 512
MAX_KEY_CHARS = 20_000
STORE = "form_fields.html"

_draw: Callable[[GovFormBase, dict], Markup] = GovFormBase.render


class _NotKept(Exception):
    """The params hold something whose copy could not be compared safely, or too much text."""


def frozen(params: Any) -> tuple:
    """A hashable copy of `params` that is equal only for params the macros draw the same: text and Markup are
    told apart (Markup is written as it is, text escaped), as are True and 1; dicts keep their order."""
    budget = [MAX_KEY_CHARS]

    def freeze(value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is Markup:
            budget[0] -= len(value)
            if budget[0] < 0:
                raise _NotKept
            return (kind.__name__, str(value))
        if value is None or kind in (bool, int, float):
            return (kind.__name__, value)
        if kind is dict:
            return ("dict", tuple((freeze(k), freeze(v)) for k, v in value.items()))
        if kind in (list, tuple):
            return (kind.__name__, tuple(freeze(v) for v in value))
        raise _NotKept

    return freeze(params)


def _render(widget: GovFormBase, params: dict) -> Markup:
    try:
        key = (getattr(widget, "template", None), frozen(params))  # each widget class names its template
    except _NotKept:
        return _draw(widget, params)
    kept: dict | None = current_app.extensions.get(STORE)
    if kept is None:  # an app that did not ask for it
        return _draw(widget, params)
    html = kept.get(key)
    if html is None:
        html = _draw(widget, params)
        if len(kept) >= MAX_ENTRIES:
            kept.clear()
        kept[key] = html
    return html


def init_app(app: Flask) -> None:
    app.extensions[STORE] = {}
    GovFormBase.render = _render
