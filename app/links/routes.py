from flask import abort, render_template, url_for
from flask_login import current_user

from app.links import bp
from app.models import Framework
from app.permissions import requires
from app.services.redaction import Reader
from app.services.reporting import traceability


@bp.route("/links/<framework>")
@requires()
def framework(framework: str):
    chosen = traceability.framework_for(framework) or abort(404)
    is_pcc = chosen is Framework.PCC
    reader = Reader.for_user(current_user)
    return render_template(
        "links/framework.html",
        framework=chosen,
        frameworks=traceability.FRAMEWORKS,
        rows=traceability.code_rows(chosen, reader),
        unlinked=traceability.unlinked_deliverables(reader) if is_pcc else [],
        unresolved=traceability.unresolved_links(reader) if is_pcc else [],
        # An action's page is this followed by its id: built once here rather than for each of hundreds of rows.
        action_href=url_for("plans.action", action_id=0).removesuffix("0"),
    )
