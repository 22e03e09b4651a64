"""Page content kept behind the data version (app/services/data_version.py) that holds a form.

A kept part holding a form keeps TOKEN_HOLE in place of the CSRF token it was drawn with (random for each
process, so no text a person writes can hold it), and each request's own token is put back when it is served.
"""

import secrets
from collections.abc import Callable

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.services import data_version

TOKEN_HOLE = f"csrf-token-{secrets.token_hex(16)}"
# A page whose content is keyed by its query string is drawn every time, not kept, when that is longer than this.
KEPT_QUERY_LENGTH = 300


def cached_with_token(key: tuple, draw: Callable[[], str]) -> Markup:
    """`data_version.cached(key, draw)` for HTML holding this request's CSRF token: the token of the request that
    drew it is kept as TOKEN_HOLE, and this request's token goes back in its place."""

    def punched() -> str:
        return draw().replace(generate_csrf(), TOKEN_HOLE)

    return Markup(data_version.cached(key, punched).replace(TOKEN_HOLE, generate_csrf()))
