"""A plan's outcome measures: the Measures page, defining a measure, entering its figures, importing them."""

from flask import Blueprint

bp = Blueprint("measures", __name__)

from app.measures import report_routes, routes  # noqa: E402,F401  (routes register themselves on bp)
