"""The board pack drawn from its template (a view's job: services never render pages) and printed to PDF."""

from datetime import date

from flask import render_template

from app.models import Plan, User
from app.services.reporting import board_pack, board_pack_pdf, charts


def render_pack(plan: Plan, *, audience: str, as_at: date, user: User | None = None) -> bytes:
    pack = board_pack.build(plan, audience=audience, as_at=as_at)
    html = render_template("board_pack/pack.html", pack=pack, series=charts.RAG_SERIES)
    return board_pack_pdf.render(html, plan, audience=audience, as_at=as_at, user=user)
