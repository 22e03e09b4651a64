"""Contacts: people named in plans who have no account, who own actions and may be given an account."""

from flask import Blueprint

bp = Blueprint("people", __name__)

from app.people import routes  # noqa: E402,F401  (routes register themselves on bp)
