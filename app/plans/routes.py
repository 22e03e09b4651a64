from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app import kept_pages
from app.models import Action, Plan, PlanKind, Role
from app.permissions import requires
from app.plans import bp
from app.plans.forms import FilterForm
from app.plans.pagination import pagination
from app.query_args import kept_filters, page_number
from app.services import clock, data_version
from app.services.access import can_edit_plan, can_see_restricted, can_update_action
from app.services.plans import filters as plan_filters
from app.services.plans import reading as plan_reading
from app.services.redaction import Reader
from app.services.reporting import landing, traceability
from app.services.reviewing import standing


@bp.route("/")
@requires()
def home():
    if current_user.role is Role.OWNER:
        return redirect(url_for("updates.my_actions"))
    return redirect(url_for("plans.index"))


@bp.route("/plans")
@requires()
def index():
    plans = plan_reading.all_plans()
    counts = landing.landings(plans, include_restricted=can_see_restricted(current_user))
    return render_template("plans/index.html", plans=plans, counts=counts, inactive=plan_reading.inactive_plans())


@bp.route("/plans/<int:plan_id>")
@requires()
def show(plan_id: int):
    data_version.current()  # read first: what is kept under it is never older than it
    plan = plan_reading.get_plan(plan_id) or abort(404)
    body, page, pages = plan_body(plan)
    return render_template("plans/show.html", plan=plan, body=body, page=page, pages=pages)


def plan_body(plan: Plan) -> tuple[Markup, int, int]:
    """The plan page's content for the signed-in person and this request's filters and page, the page shown and
    the number of pages: kept while the data version is unchanged, by the plan, the query string, today, what
    the reader may see, whether they may edit the plan and the addresses' root. A write anywhere draws it
    afresh."""
    today = clock.today()
    sees_restricted = can_see_restricted(current_user)
    can_edit = can_edit_plan(current_user, plan)
    action_href = url_for("plans.action", action_id=0).removesuffix("0")  # + an id: built once, not per row

    def draw() -> tuple[Markup, int, int]:
        criteria = plan_filters.PlanFilter.from_args(request.args)
        found = plan_filters.filter_actions(
            plan,
            criteria,
            include_restricted=sees_restricted,
            page=page_number(request.args),
            today=today,
        )
        groups = plan_reading.group_actions(plan, found.actions)
        filters = FilterForm(formdata=request.args)
        filters.set_owners(plan_filters.plan_owners(plan, include_restricted=sees_restricted))
        args = kept_filters(request.args, (field.name for field in filters))  # the filters stay on every page
        html = render_template(
            "plans/_body.html",
            plan=plan,
            # Every strand, empty or not, while the whole plan fits on one page; otherwise the strands this page has.
            groups=[g for g in groups if g.actions] if criteria.active or found.pages > 1 else groups,
            last_updates=found.last_updates,
            criteria=criteria,
            found=found,
            filters=filters,
            pages=pagination(
                found.page,
                found.pages,
                lambda number: _page_url(plan.id, args, number),
                "Pages of actions",
            ),
            can_edit=can_edit,
            action_href=action_href,
        )
        return Markup(html), found.page, found.pages

    query = tuple(request.args.items(multi=True))
    if len(request.query_string) > kept_pages.KEPT_QUERY_LENGTH:
        return draw()
    return data_version.cached(("plan page", plan.id, query, today, sees_restricted, can_edit, action_href), draw)


def _page_url(plan_id: int, filters: dict[str, list[str]], number: int) -> str:
    values: dict[str, Any] = {**filters, "page": number}  # the query string of that page, filters kept
    return url_for("plans.show", plan_id=plan_id, **values)


@bp.route("/actions/<int:action_id>")
@requires()
def action(action_id: int):
    data_version.current()  # read first: what is kept under it is never older than it
    action = plan_reading.get_action(action_id) or abort(404)
    return render_action_page(action)


KEPT_ACTION_QUERY_LENGTH = 300  # an action page asked for with a longer query string is drawn every time


def render_action_page(action: Action, *, update_form=None, conflict=None, status: int = 200):
    """The action page, also shown again (with the typed text) when an update is refused. Asked for plainly (no
    form typed, no conflict), its content is kept while the data version is unchanged, by the action, today,
    what the reader may see, whether they may update and edit it, and the address, with each request's own CSRF
    token in its update form. A page with text kept from a form sent after its session ended (app/kept_text.py)
    refills its form, and is drawn afresh."""
    from app.updates.forms import UpdateForm

    today = clock.today()
    can_update = can_update_action(current_user, action)
    can_edit = can_edit_plan(current_user, action.plan)
    reader = Reader.for_user(current_user)

    def draw() -> str:
        form = update_form
        if can_update and form is None:
            proposed = action.rag.value if action.rag else None
            form = UpdateForm(formdata=None, as_at=today, rag=proposed, version=action.version)
        updates = reader.updates(action, action.updates)
        rag_changes = reader.rag_changes(action, action.rag_changes, action.updates)
        return render_template(
            "plans/_action_body.html",
            action=action,
            updates=updates[::-1],  # latest first: what an owner writes on is the latest entry
            withheld=len(action.updates) - len(updates),
            rag_changes=rag_changes,
            withheld_changes=len(action.rag_changes) - len(rag_changes),
            can_update=can_update,
            can_edit=can_edit,
            delivered_by=traceability.delivering_actions(action, reader) if action.plan.kind is PlanKind.PCC else [],
            form=form,
            conflict=conflict,
            standing=standing.standing_of(action),
            reader=reader,
        )

    from app import kept_text

    plain = update_form is None and conflict is None and not kept_text.kept_for_this_page()
    if plain and len(request.query_string) <= KEPT_ACTION_QUERY_LENGTH:
        root = url_for("plans.action", action_id=0)
        key = ("action page", action.id, today, reader.withholds, can_update, can_edit, request.full_path, root)
        body = kept_pages.cached_with_token(key, draw)
    else:
        body = Markup(draw())
    # The layout reads the form too: "Error:" in the title and the error summary above the content.
    return render_template("plans/action.html", action=action, body=body, form=update_form), status
