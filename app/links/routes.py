from flask import abort, render_template

from app.links import bp
from app.models import Framework
from app.permissions import requires
from app.services.reporting import traceability


@bp.route("/links/<framework>")
@requires()
def framework(framework: str):
    chosen = traceability.framework_for(framework) or abort(404)
    is_pcc = chosen is Framework.PCC
    return render_template(
        "links/framework.html",
        framework=chosen,
        frameworks=traceability.FRAMEWORKS,
        rows=traceability.code_rows(chosen),
        unlinked=traceability.unlinked_deliverables() if is_pcc else [],
        unresolved=traceability.unresolved_links() if is_pcc else [],
    )
