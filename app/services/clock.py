"""What day it is for the tracker.

Services take a `today` argument so tests can freeze it; when they are not given one they ask here,
and here answers the server's date unless the configuration pins `TODAY` (tests through the client, demos).
"""

from datetime import UTC, date, datetime

from flask import current_app, has_app_context


def today() -> date:
    """The server's date, or the configured `TODAY` when one is set."""
    if has_app_context() and current_app.config.get("TODAY"):
        return current_app.config["TODAY"]
    return date.today()


def now() -> datetime:
    """The time now, in UTC, or the configured `NOW` when one is set (tests of links that expire)."""
    if has_app_context() and current_app.config.get("NOW"):
        return current_app.config["NOW"]
    return datetime.now(UTC)
