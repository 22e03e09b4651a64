"""The base of every form of the tracker.

A form sent after the session ended elsewhere is kept (app/kept_text.py); once the person has signed in again
and is back on the form's page, the form comes back with what they typed in its fields.
"""

from typing import Any

from flask_wtf import FlaskForm

from app import kept_text


class BaseForm(FlaskForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept_text.refill(self)
