from flask import Blueprint

bp = Blueprint("plans", __name__)

from app.plans import routes, settings_routes  # noqa: E402,F401  (routes register themselves on bp)
