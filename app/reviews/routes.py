from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app import kept_pages
from app.models import Plan, Rag, Role
from app.permissions import requires
from app.reviews import bp
from app.reviews.forms import DecisionForm, ReviewForm
from app.services import clock, data_version
from app.services.access import can_edit_plan
from app.services.actions.conflicts import ConflictError
from app.services.plans import reading as plan_reading
from app.services.redaction import Reader
from app.services.reporting import charts
from app.services.reviewing import meetings, rag_rules
from app.services.reviewing.decisions import ReviewError, decide_rag
from app.services.reviewing.queue import queue_item, review_queue

LEADS = (Role.ADMIN, Role.LEAD)


def _plan_i_lead(plan_id: int):
    plan = plan_reading.get_plan(plan_id) or abort(404)
    return plan if can_edit_plan(current_user, plan) else abort(403)


@bp.route("/plans/<int:plan_id>/review")
@requires(*LEADS)
def queue(plan_id: int):
    data_version.current()  # read first: what is kept under it is never older than it
    plan = _plan_i_lead(plan_id)
    return render_template("reviews/queue.html", plan=plan, body=queue_body(plan))


def queue_body(plan: Plan) -> Markup:
    """The review queue's content: kept while the data version is unchanged, by the plan, today, what the reader
    may see and the address asked for (each form comes back to it), with each request's own CSRF token."""
    today = clock.today()
    reader = Reader.for_user(current_user)
    action_href = url_for("plans.action", action_id=0).removesuffix("0")  # + an id: built once, not per row

    def draw() -> str:
        queue = review_queue(plan, today)
        latest = plan_reading.latest_updates([item.action.id for item in queue.items])
        return render_template(
            "reviews/_queue_body.html",
            plan=plan,
            items=queue.items,
            total=queue.total,
            latest=latest,
            rules=rag_rules.RULES,
            action_href=action_href,
            reader=reader,
        )

    if len(request.query_string) > kept_pages.KEPT_QUERY_LENGTH:
        return Markup(draw())
    key = ("review queue page", plan.id, today, reader.withholds, request.full_path, action_href)
    return kept_pages.cached_with_token(key, draw)


@bp.route("/actions/<int:action_id>/decide", methods=["GET", "POST"])
@requires(*LEADS)
def decide(action_id: int):
    action = plan_reading.get_action(action_id) or abort(404)
    if not can_edit_plan(current_user, action.plan):
        abort(403)
    item = queue_item(action)
    form = DecisionForm(rag=(item.proposed or action.rag or Rag.GREEN).value, version=action.version)
    if not form.validate_on_submit():
        return render_template("reviews/decide.html", action=action, item=item, form=form)
    rag = Rag(form.rag.data)
    try:
        decide_rag(
            action,
            current_user._get_current_object(),
            rag=rag,
            reason=form.reason.data,
            seen_version=form.version.data,
        )
    except ReviewError as error:
        form.reason.errors.append(str(error))
        return render_template("reviews/decide.html", action=action, item=item, form=form)
    except ConflictError as conflict:
        action = plan_reading.get_action(action_id) or abort(404)
        form.version.raw_data, form.version.data = [str(conflict.current_version)], conflict.current_version
        page = render_template(
            "reviews/decide.html", action=action, item=queue_item(action), form=form, conflict=conflict
        )
        return page, 409
    flash(f"{action.display_ref}: RAG set to {rag.label}")
    return redirect(url_for("reviews.queue", plan_id=action.plan_id))


@bp.route("/plans/<int:plan_id>/reviews/new", methods=["GET", "POST"])
@requires(*LEADS)
def new(plan_id: int):
    plan = _plan_i_lead(plan_id)
    form = ReviewForm(held_on=clock.today())
    if form.validate_on_submit():
        try:
            review = meetings.record_review(
                plan,
                current_user._get_current_object(),
                held_on=form.held_on.validated,
                attendees=form.attendees.data,
                notes=form.notes.data,
                decisions=form.decisions.data,
            )
        except meetings.ReviewError as error:
            getattr(form, error.field or "held_on").errors.append(str(error))
        else:
            held_on = meetings.uk_date(review.held_on)
            flash(f"Review of {held_on} recorded: the RAG of {len(review.snapshots)} actions is kept as at that date")
            return redirect(url_for("reviews.show", review_id=review.id))
    return render_template("reviews/new.html", plan=plan, form=form, reviews=meetings.past_reviews(plan))


@bp.route("/reviews/<int:review_id>")
@requires()
def show(review_id: int):
    review = meetings.get_review(review_id) or abort(404)
    return render_template(
        "reviews/show.html",
        review=review,
        plan=review.plan,
        lines=meetings.review_lines(review),
        counts=meetings.snapshot_counts(review),
        series=charts.RAG_SERIES,
    )
