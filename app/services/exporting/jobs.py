"""Exports of large plans as background jobs: a process of their own, a row that tells how far they have got.

Measured on 2 cores (docs/operations.md): a 5,000-action export took 10 s of CPU, 23-35 s inside a request under
load, where gunicorn's 30 s timeout killed the worker mid-export; at 20,000 actions it took 119 s. Written by rows
from a plan read as rows it takes 3 s of CPU at 5,000 actions and 7 s at 20,000 (20 s wall under load, 45-52 s
from click to file as a job through gunicorn during a soak; docs/exporting.md): still no work for a web worker,
which serves nobody else meanwhile and keeps the export's memory afterwards. So a plan of more than
`LARGE_PLAN_ACTIONS` actions is exported by `flask plans run-export JOB` in a new process: the web request only
writes the job row and starts the process, the person's page checks until the job is done, then they
download the file from the row. The audience, the redaction and the audit event are those of every export
(excel.export_workbook); the file is kept `KEEP_FOR` and only its owner may have it.

A process can die without a word: killed, out of memory, the machine restarted, or never started at all. So the
exporting process shows it is alive on the row (`heartbeat_at`, every `EXPORT_JOB_HEARTBEAT_SECONDS`, from a thread
of its own, and at every progress write), and a job that has not done so for `EXPORT_JOB_SILENT_SECONDS` (or was
never started in that time) is lost: the next look at its page marks it failed and says so, instead of the
page checking for ever (`current`).

The board pack PDF of a large plan runs the same way (`kind` "pdf"): at 5,000 actions WeasyPrint lays out for
longer than a web worker may take. Its writer is registered by the web layer (`register_writer`, from
app/exports/packs.py), since drawing the pack's HTML is a view's job; the exporting process loads the whole app,
so the writer is there when the job runs.
"""

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine

from app.extensions import db
from app.models import Action, ExportJob, Plan, User
from app.models.base import utcnow
from app.services.errors import ServiceError
from app.services.exporting.content import check_audience

log = logging.getLogger(__name__)

LARGE_PLAN_ACTIONS = 1_000  # about 2 s of export on a quiet machine: more than that runs as a job
KEEP_FOR = timedelta(days=1)
PROGRESS_EVERY = 200  # rows written between two progress writes
ROOT = Path(__file__).resolve().parents[3]
WAITING, RUNNING, DONE, FAILED = "waiting", "running", "done", "failed"
XLSX, PDF = "xlsx", "pdf"
KINDS = (XLSX, PDF)
FAILED_TEXT = "The export could not be finished. Try again; if it fails again, tell the tracker's administrator"
LOST_TEXT = (
    "The export stopped before it was finished: the process writing it ended. Try again; if it stops again, tell "
    "the tracker's administrator"
)


class ExportJobError(ServiceError):
    """An export job that cannot be started or read."""


Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Writer:
    """How one kind of job writes its file: `write(plan, audience=, as_at=, user=, progress=)` returns the bytes
    (audited as the export it is), `filename(plan, as_at, audience)` names them, `mimetype` serves them."""

    write: Callable[..., bytes]
    filename: Callable[[Plan, date, str], str]
    mimetype: str


_WRITERS: dict[str, Writer] = {}


def register_writer(kind: str, writer: Writer) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown export job kind {kind!r}")
    _WRITERS[kind] = writer


def writer_for(kind: str) -> Writer:
    """The writer of a kind of job; the workbook's is built in, the board pack's comes with the web layer."""
    if kind == XLSX:
        from app.services.exporting import excel  # XlsxWriter loads in the exporting process only

        return Writer(excel.export_workbook, excel.export_filename, XLSX_MIMETYPE)
    if kind not in _WRITERS:
        raise ExportJobError(f"Export jobs of kind {kind!r} cannot be written here")
    return _WRITERS[kind]


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_large(plan: Plan) -> bool:
    count = db.session.scalar(db.select(db.func.count(Action.id)).where(Action.plan_id == plan.id))
    return (count or 0) > LARGE_PLAN_ACTIONS


def start(
    plan: Plan, user: User, *, audience: str, as_at: date, kind: str = XLSX, launch: str = "process"
) -> ExportJob:
    """Write the job row, commit, and start the process that exports it (`kind`: "xlsx", the workbook, or "pdf",
    the board pack; `launch`: "process", or "none" when the caller runs it itself). Files of jobs older than
    KEEP_FOR are dropped on the way."""
    check_audience(audience)
    if kind not in KINDS:
        raise ExportJobError(f"Unknown export job kind {kind!r}")
    db.session.execute(delete(ExportJob).where(ExportJob.created_at < utcnow() - KEEP_FOR))
    job = ExportJob(plan_id=plan.id, user_id=user.id, kind=kind, audience=audience, as_at=as_at, status=WAITING)
    db.session.add(job)
    db.session.commit()
    if launch == "process":
        _launch(job.id)
    return job


def _launch(job_id: int) -> None:
    """`flask plans run-export JOB` in a session of its own, so that a worker's restart does not stop it."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "plans", "run-export", str(job_id)]
    subprocess.Popen(
        command,
        cwd=ROOT,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def job_for(job_id: int, user: User) -> ExportJob | None:
    """The job, if it is this person's own: nobody else may follow it or have its file."""
    job = db.session.get(ExportJob, job_id)
    return job if job is not None and job.user_id == user.id else None


def _silent_since() -> datetime:
    """A job not shown alive since this moment is lost (see the module's docstring)."""
    return utcnow() - timedelta(seconds=current_app.config["EXPORT_JOB_SILENT_SECONDS"])


def _lost(cutoff: datetime):
    """The condition of a job still waiting or running whose process has not shown itself alive since `cutoff`
    (a job that never started is judged by when it was made)."""
    last_heard = func.coalesce(ExportJob.heartbeat_at, ExportJob.created_at)
    return ExportJob.status.in_((WAITING, RUNNING)) & (last_heard < cutoff)


def current(job_id: int, user: User) -> ExportJob | None:
    """The person's own job as it stands: one whose process is gone is marked failed (and logged) on the way, so
    its page says so instead of checking for ever. The marking is one conditional UPDATE, so a heartbeat that
    lands at the same moment keeps the job running."""
    job = job_for(job_id, user)
    if job is None or job.status not in (WAITING, RUNNING):
        return job
    was, last_heard, cutoff = job.status, job.heartbeat_at or job.created_at, _silent_since()
    if last_heard >= cutoff:
        return job  # heard from lately: no UPDATE, which would move the data version on at every check of the page
    marked = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job.id, _lost(cutoff))
        .values(status=FAILED, error=LOST_TEXT, finished_at=utcnow())
    )
    if marked.rowcount:  # type: ignore[attr-defined]  # a CursorResult: an UPDATE's result has a row count
        log.warning(
            "Export job %s of plan %s was %s and its process has not been heard from since %s: marked failed",
            job.id,
            job.plan_id,
            was,
            last_heard,
        )
    db.session.commit()
    return db.session.get(ExportJob, job_id)


class Heartbeat:
    """While the block runs, a thread of its own writes the job's `heartbeat_at` every `every` seconds on a
    connection of its own (Core only: the export's session and its objects are the writing thread's). A heartbeat
    that fails is logged and the export goes on; the job then looks lost to its page only if it stays silent."""

    def __init__(self, engine: Engine, job_id: int, every: float):
        self.engine, self.job_id, self.every = engine, job_id, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"export-job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=self.every + 5)

    def _beat(self) -> None:
        while not self.stop.wait(self.every):
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        update(ExportJob)
                        .where(ExportJob.id == self.job_id, ExportJob.status == RUNNING)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:
                log.warning("Export job %s: its heartbeat could not be written", self.job_id, exc_info=True)


def run(job_id: int) -> ExportJob:
    """Export the job's plan and keep the file on the row (in the exporting process). Never raises for a failed
    export: the row says it failed, and the log says why."""
    job = db.session.get(ExportJob, job_id)
    if job is None:
        raise ExportJobError(f"There is no export job {job_id}")
    if job.status != WAITING:
        raise ExportJobError(f"Export job {job_id} has already run ({job.status})")
    plan, user = db.session.get_one(Plan, job.plan_id), db.session.get(User, job.user_id)
    writer = writer_for(job.kind)
    job.status, job.heartbeat_at = RUNNING, utcnow()
    db.session.commit()
    try:
        with Heartbeat(db.engine, job_id, current_app.config["EXPORT_JOB_HEARTBEAT_SECONDS"]):
            data = writer.write(plan, audience=job.audience, as_at=job.as_at, user=user, progress=_progress(job_id))
    except Exception:
        log.exception("Export job %s of plan %s failed", job_id, job.plan_id)
        db.session.rollback()
        job = db.session.get_one(ExportJob, job_id)
        job.status, job.error, job.finished_at = FAILED, FAILED_TEXT, utcnow()
        db.session.commit()
        return job
    job = db.session.get_one(ExportJob, job_id)
    job.content, job.status, job.finished_at = data, DONE, utcnow()
    job.filename = writer.filename(plan, job.as_at, job.audience)
    job.done = job.total
    db.session.commit()
    return job


def _progress(job_id: int):
    """Progress written on a connection of its own: the export's session holds the plan and must not be
    committed (that would expire every object it has loaded)."""

    def progress(done: int, total: int) -> None:
        if total > PROGRESS_EVERY and done % PROGRESS_EVERY and done != total:  # a pack's few steps all count
            return
        with db.engine.begin() as connection:
            connection.execute(
                update(ExportJob).where(ExportJob.id == job_id).values(done=done, total=total, heartbeat_at=utcnow())
            )

    return progress
