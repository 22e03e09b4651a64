from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.models import Rag, Role
from app.permissions import requires
from app.plans.pagination import pagination
from app.plans.routes import render_action_page
from app.query_args import page_number
from app.services import clock, data_version
from app.services.access import can_update_action
from app.services.actions import updating
from app.services.actions.conflicts import ConflictError
from app.services.plans import reading as plan_reading
from app.updates import bp
from app.updates.forms import UpdateForm


@bp.route("/my-actions")
@requires()
def my_actions():
    data_version.current()  # read first: what is kept under it is never older than it
    body, page, pages = my_actions_body(page_number(request.args))
    return render_template("updates/my_actions.html", body=body, page=page, pages=pages)


def my_actions_body(requested: int) -> tuple[Markup, int, int]:
    """My actions' content for the signed-in person, the page shown and the number of pages: kept while the data
    version is unchanged, by the person, their role, the page asked for, today and the addresses' root. A write
    anywhere draws it afresh."""
    today = clock.today()
    action_href = url_for("plans.action", action_id=0).removesuffix("0")  # + an id: built once, not per row

    def draw() -> tuple[Markup, int, int]:
        mine = updating.my_actions_page(current_user, requested, today)
        html = render_template(
            "updates/_my_actions_body.html",
            mine=mine,
            plans=mine.plans,
            pages=pagination(
                mine.page,
                mine.pages,
                lambda number: url_for("updates.my_actions", page=number),
                "Pages of your actions",
            ),
            action_href=action_href,
        )
        return Markup(html), mine.page, mine.pages

    key = ("my actions page", current_user.id, current_user.role, requested, today, action_href)
    return data_version.cached(key, draw)


@bp.route("/actions/<int:action_id>/updates", methods=["POST"])
@requires(Role.ADMIN, Role.LEAD, Role.OWNER)
def add(action_id: int):
    action = plan_reading.get_action(action_id) or abort(404)
    if not can_update_action(current_user, action):
        abort(403)
    form = UpdateForm()
    if not form.validate_on_submit():
        return render_action_page(action, update_form=form)
    try:
        updating.add_update(
            action,
            current_user._get_current_object(),
            text=form.text.data,
            as_at=form.as_at.validated,
            rag=Rag(form.rag.data),
            restricted=form.restricted.data,
            seen_version=form.version.data,
        )
    except updating.UpdateError as error:
        form.text.errors.append(str(error))
        return render_action_page(action, update_form=form)
    except ConflictError as conflict:
        form.version.raw_data, form.version.data = [str(conflict.current_version)], conflict.current_version
        action = plan_reading.get_action(action_id) or abort(404)
        return render_action_page(action, update_form=form, conflict=conflict, status=409)
    flash("Your update has been added")
    return redirect(url_for("plans.action", action_id=action.id))  # the success banner at the top, in view
