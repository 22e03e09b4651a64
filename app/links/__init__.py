from flask import Blueprint

bp = Blueprint("links", __name__)

from app.links import routes  # noqa: E402,F401  (routes register themselves on bp)
