"""The board pack as a PDF: its template rendered and printed by WeasyPrint, and audited as an export."""

import re
from datetime import date

from flask import render_template

from app.models import Plan, User
from app.services.exporting.content import record_export
from app.services.reporting import board_pack, charts
from app.services.reporting.pdf import html_to_pdf


def render_html(plan: Plan, *, audience: str, as_at: date) -> str:
    pack = board_pack.build(plan, audience=audience, as_at=as_at)
    return render_template("board_pack/pack.html", pack=pack, series=charts.RAG_SERIES)


def render(plan: Plan, *, audience: str, as_at: date, user: User | None = None) -> bytes:
    """The PDF; every pack is audited like an export (who, which plan, which audience)."""
    data = html_to_pdf(render_html(plan, audience=audience, as_at=as_at))
    record_export(plan, audience=audience, file_format="pdf", user=user, extra={"as_at": as_at.isoformat()})
    return data


def filename(plan: Plan, as_at: date) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", plan.title).strip("-").lower()[:60] or "plan"
    return f"board-pack-{slug}-{as_at.isoformat()}.pdf"
