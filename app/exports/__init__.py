"""The export pages: the files the tracker hands out (the plan as an Excel workbook, the board pack as a PDF), and
the pages of the export jobs that write a large plan's."""

from flask import Blueprint

from app.services.access import can_see_restricted

bp = Blueprint("exports", __name__)


@bp.app_context_processor
def export_choices() -> dict:
    # The plan page offers the internal copy only to those who may read restricted updates.
    return {"can_export_internal": can_see_restricted}


from app.exports import routes  # noqa: E402,F401  (routes register themselves on bp)
