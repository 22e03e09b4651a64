"""Files the tracker hands out: the plan as an Excel workbook."""

from flask import Blueprint

from app.services.access import can_see_restricted

bp = Blueprint("downloads", __name__)


@bp.app_context_processor
def export_choices() -> dict:
    # The plan page offers the internal copy only to those who may read restricted updates.
    return {"can_export_internal": can_see_restricted}


from app.downloads import routes  # noqa: E402,F401  (routes register themselves on bp)
