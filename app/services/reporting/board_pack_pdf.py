"""The board pack's HTML printed to PDF by WeasyPrint, and audited as an export."""

import re
from datetime import date

from app.models import Plan, User
from app.services.exporting.content import record_export
from app.services.reporting.pdf import html_to_pdf


def render(html: str, plan: Plan, *, audience: str, as_at: date, user: User | None = None) -> bytes:
    """The PDF of the pack's HTML; every pack is audited like an export (who, which plan, which audience)."""
    data = html_to_pdf(html)
    record_export(plan, audience=audience, file_format="pdf", user=user, extra={"as_at": as_at.isoformat()})
    return data


def filename(plan: Plan, as_at: date) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", plan.title).strip("-").lower()[:60] or "plan"
    return f"board-pack-{slug}-{as_at.isoformat()}.pdf"
