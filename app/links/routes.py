from flask import abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.links import bp
from app.models import Framework
from app.permissions import requires
from app.plans.pagination import pagination
from app.query_args import page_number
from app.services import data_version
from app.services.redaction import Reader
from app.services.reporting import traceability


@bp.route("/links/<framework>")
@requires()
def framework(framework: str):
    chosen = traceability.framework_for(framework) or abort(404)
    data_version.current()  # read first: what is kept under it is never older than it
    body, page, pages = framework_body(chosen, Reader.for_user(current_user), page_number(request.args))
    return render_template("links/framework.html", framework=chosen, body=body, page=page, pages=pages)


def framework_body(chosen: Framework, reader: Reader, requested: int) -> tuple[Markup, int, int]:
    """The framework's content (its codes' page `requested`, and on the PCC's first page the cross-checks), the
    page shown and the number of pages: kept while the data version is unchanged, by the framework, the page asked
    for, what the reader may see and the addresses' root. A write anywhere draws it afresh."""
    # An action's page is this followed by its id: built once here rather than for each of hundreds of rows.
    action_href = url_for("plans.action", action_id=0).removesuffix("0")

    def draw() -> tuple[Markup, int, int]:
        codes = traceability.code_page(chosen, reader, requested)
        # The cross-checks are on the first page (where the links to them go); later pages point back to it.
        checks = chosen is Framework.PCC and codes.page == 1
        html = render_template(
            "links/_body.html",
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
            action_href=action_href,
            reader=reader,
        )
        return Markup(html), codes.page, codes.pages

    return data_version.cached(("traceability page", chosen.value, reader.withholds, requested, action_href), draw)
