"""The one family of errors a service raises when it cannot do what was asked.

Every error carries a `message` worded for the person who asked (what to do, in GOV.UK style) and, when
the message belongs beside one form field, the `field` it names. A view catches the errors it can show on
its form; the two kinds it need not catch are answered by the error handlers in app/errors.py:
`NotAllowed` as a 403 page, `Conflict` as a 409 page. Nothing a service raises is ever a 500.
"""


class ServiceError(Exception):
    """Something a service was asked to do and did not do; nothing was written."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The person may not do this to this record (answered with 403 when no view catches it)."""


class Conflict(ServiceError):
    """Someone else changed the record first (answered with 409 when no view catches it)."""
