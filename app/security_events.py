"""Security events for the operations log: one JSON object a line, so nothing a user typed can forge a line.

Audit events (app/services/audit/trail.py) record what happened to the tracker's records and live in the database;
these log lines are for whoever watches the service: failed sign-ins, refused forms, throttling, denied pages.
Passwords, codes and commentary are never logged.
"""

import json
import logging

from flask import has_request_context, request

log = logging.getLogger("app.security")


def security_event(event: str, **fields) -> None:
    """Log a security event with the caller's address and page. CR/LF in any value is escaped by JSON."""
    entry: dict[str, object] = {"event": event}
    if has_request_context():
        entry.update(ip=request.remote_addr, method=request.method, path=request.path)
        from flask_login import current_user

        if getattr(current_user, "is_authenticated", False):
            entry["user_id"] = current_user.id
    entry.update(fields)
    log.warning("security %s", json.dumps(entry, default=str, ensure_ascii=True))
