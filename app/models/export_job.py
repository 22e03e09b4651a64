"""An export of a large plan (its workbook or its board pack), written by a process of its own while the person
waits on a page that refreshes.

The job row is how the web workers and the exporting process talk: who asked, for which audience, how far it
has got, and at the end the file itself (or why it failed). Any worker can show its progress or hand it over.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model, UTCDateTime, utcnow


class ExportJob(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="xlsx", server_default="xlsx")  # xlsx or pdf (board pack)
    audience: Mapped[str] = mapped_column(String(20))
    as_at: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="waiting")  # waiting, running, done, failed
    done: Mapped[int] = mapped_column(Integer, default=0)  # rows written of `total`
    total: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(300), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When the exporting process last showed it was alive (app/services/exporting/jobs.py): None until it starts.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
