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

The board pack PDF of a large plan runs the same way (`kind` "pdf"): at 5,000 actions WeasyPrint lays out for
longer than a web worker may take. Its writer is registered by the web layer (`register_writer`, from
app/downloads/packs.py), since drawing the pack's HTML is a view's job; the exporting process loads the whole app,
so the writer is there when the job runs.
"""

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, update

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
    job.status = RUNNING
    db.session.commit()
    try:
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
            connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(done=done, total=total))

    return progress
