"""Reading a query string that anybody can write: the page number, and which parameters go back into links.

Page links are built with `url_for(..., **args)`, and url_for treats some keywords as its own: `_external`
builds the link from the Host header, `_anchor`, `_scheme` and `_method` change it. So only the parameters a
filter form declares are carried over, never one starting with `_`; and a page number is used only when it
is one a database can hold (a larger one is the last page, anything else the first).
"""

import re
from collections.abc import Iterable

MAX_PAGE = 1_000_000


def page_number(args) -> int:
    """The page asked for: past the end is the last page (the list clamps it), anything not a number the first."""
    raw = args.get("page", "")
    return max(1, min(int(raw), MAX_PAGE)) if re.fullmatch(r"[0-9]{1,40}", raw) else 1


def kept_filters(args, names: Iterable[str]) -> dict[str, list[str]]:
    """The declared filters of the query string, for links to other pages of the same list."""
    names = {name for name in names if not name.startswith("_")} - {"page", "csrf_token"}
    return {key: values for key, values in args.lists() if key in names}
