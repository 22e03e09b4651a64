"""Writing plans in the tracker: new plans, objectives and actions, their order, closing, archiving, next year."""

from flask import Blueprint

bp = Blueprint("authoring", __name__)

from app.authoring import action_routes, plan_routes, year_routes  # noqa: E402,F401  (routes register themselves on bp)
