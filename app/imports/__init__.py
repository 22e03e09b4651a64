"""The import pages: an administrator uploads a plan's workbook, checks what was read from it, and confirms."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from app.imports import routes  # noqa: E402,F401  (routes register themselves on bp)
