from flask import Blueprint

bp = Blueprint("updates", __name__)

from app.updates import routes  # noqa: E402,F401  (routes register themselves on bp)
