"""Full addresses of the tracker's pages for e-mails, built from BASE_URL and the app's own routes.

Never from the request's Host header: whoever sends a request chooses that header, and a password reset link
built from it would carry the token to their server.
"""

from urllib.parse import urlsplit

from flask import Flask


class MissingBaseUrl(Exception):
    """BASE_URL is not set, so no link can be put in an e-mail."""


class AppLinks:
    def __init__(self, app: Flask, base_url: str | None = None):
        base = base_url if base_url is not None else app.config.get("BASE_URL", "")
        parts = urlsplit(base or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise MissingBaseUrl(
                "Set BASE_URL to the address people reach the tracker at, like https://tracker.force.police.uk"
            )
        self._adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)

    def _url(self, endpoint: str, **values) -> str:
        return self._adapter.build(endpoint, values, force_external=True)

    def my_actions(self) -> str:
        return self._url("updates.my_actions")

    def action(self, action_id: int) -> str:
        return self._url("plans.action", action_id=action_id)

    def dashboard(self, plan_id: int) -> str:
        return self._url("dashboard.show", plan_id=plan_id)

    def review_queue(self, plan_id: int) -> str:
        return self._url("reviews.queue", plan_id=plan_id)

    def notifications(self) -> str:
        return self._url("auth.notifications")

    def password_reset(self, token: str) -> str:
        return self._url("auth.reset_password", token=token)
