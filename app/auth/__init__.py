from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import password_reset_pages, routes, two_factor_pages  # noqa: E402,F401  (routes register themselves on bp)
