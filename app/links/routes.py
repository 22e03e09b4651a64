from flask import abort, render_template, request, url_for
from flask_login import current_user

from app.links import bp
from app.models import Framework
from app.permissions import requires
from app.plans.pagination import pagination
from app.query_args import page_number
from app.services.redaction import Reader
from app.services.reporting import traceability


@bp.route("/links/<framework>")
@requires()
def framework(framework: str):
    chosen = traceability.framework_for(framework) or abort(404)
    is_pcc = chosen is Framework.PCC
    reader = Reader.for_user(current_user)
    codes = traceability.code_page(chosen, reader, page_number(request.args))
    # The cross-checks are on the first page (where the links to them go); later pages point back to it.
    checks = is_pcc and codes.page == 1
    return render_template(
        "links/framework.html",
        framework=chosen,
        frameworks=traceability.FRAMEWORKS,
        codes=codes,
        rows=codes.rows,
        pages=pagination(
            codes.page,
            codes.pages,
            lambda number: url_for("links.framework", framework=chosen.value, page=number),
            "Pages of codes",
        ),
        unlinked=traceability.unlinked_deliverables(reader) if checks else [],
        unresolved=traceability.unresolved_links(reader) if checks else [],
        # An action's page is this followed by its id: built once here rather than for each of hundreds of rows.
        action_href=url_for("plans.action", action_id=0).removesuffix("0"),
    )
