from flask import Blueprint

bp = Blueprint("spreadsheets", __name__)

from app.spreadsheets import routes  # noqa: E402,F401  (routes register themselves on bp)
