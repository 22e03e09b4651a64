"""Jinja filters for how the tracker shows dates and RAG, and the redaction rule every template reads with."""

from datetime import date, datetime

from flask import Flask

from app.models import Rag
from app.models.plan import title_with_period

RAG_TAG_CLASSES: dict[Rag | None, str] = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
    Rag.BLUE: "govuk-tag--blue",
}


def uk_date(value: date | datetime | None, empty: str = "") -> str:
    """31 March 2016: the GOV.UK date style."""
    if value is None:
        return empty
    return f"{value.day} {value:%B %Y}"


def rag_tag_class(rag: Rag | None) -> str:
    return RAG_TAG_CLASSES.get(rag, "govuk-tag--grey")


def rag_label(rag: Rag | None) -> str:
    return rag.label if rag else "Not set"


def _reader() -> dict:
    """`reader` in every template: what the signed-in person may read (app.services.redaction)."""
    from flask import has_request_context
    from flask_login import current_user

    from app.services.redaction import WITHHOLDING, Reader

    # Outside a request (a board pack rendered by a command or a test) nobody is signed in: withhold.
    signed_in = has_request_context() and current_user.is_authenticated
    return {"reader": Reader.for_user(current_user) if signed_in else WITHHOLDING}


def init_app(app: Flask) -> None:
    app.context_processor(_reader)
    app.add_template_filter(uk_date)
    app.add_template_filter(rag_tag_class)
    app.add_template_filter(rag_label)
    app.add_template_filter(title_with_period, name="with_period")
    from app.services.measures.thresholds import number

    app.add_template_filter(number, name="figure")
    app.add_template_filter(_period_label, name="period_label")


def _period_label(start: date, measure) -> str:
    from app.services.measures import periods

    return periods.label(measure.frequency, start)
