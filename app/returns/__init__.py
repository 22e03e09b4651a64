from flask import Blueprint

bp = Blueprint("returns", __name__)

from app.returns import routes  # noqa: E402,F401  (routes register themselves on bp)
