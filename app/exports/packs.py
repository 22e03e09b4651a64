"""The board pack drawn from its template (a view's job: services never render pages) and printed to PDF.

A large plan's pack is written by an export job (services/exporting/jobs.py) in a process of its own; this module
gives the jobs the pack's writer, so the job draws the very same template.
"""

from collections.abc import Callable
from datetime import date

from flask import render_template

from app.models import Plan, User
from app.services.exporting import jobs
from app.services.reporting import board_pack, board_pack_pdf, charts

# What a pack job reports to its page: the plan read, the pages drawn, the PDF written.
PACK_STEPS = 3


def render_pack(
    plan: Plan,
    *,
    audience: str,
    as_at: date,
    user: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    tell = progress or (lambda done, total: None)
    pack = board_pack.build(plan, audience=audience, as_at=as_at)
    tell(1, PACK_STEPS)
    html = render_template("board_pack/pack.html", pack=pack, series=charts.RAG_SERIES)
    tell(2, PACK_STEPS)
    data = board_pack_pdf.render(html, plan, audience=audience, as_at=as_at, user=user)
    tell(PACK_STEPS, PACK_STEPS)
    return data


def _pack_filename(plan: Plan, as_at: date, audience: str) -> str:
    return board_pack_pdf.filename(plan, as_at)


jobs.register_writer(jobs.PDF, jobs.Writer(render_pack, _pack_filename, "application/pdf"))
