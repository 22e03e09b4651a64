"""Exports of large plans as background jobs: a process of their own, a row that tells how far they have got.

Measured on 2 cores (docs/operations.md): a 5,000-action export takes 10 s of CPU, 23-35 s inside a request under
load, where gunicorn's 30 s timeout killed the worker mid-export; at 20,000 actions it took 119 s. A web
worker that exports serves nobody else meanwhile and keeps hundreds of MB afterwards. So a plan of more than
`LARGE_PLAN_ACTIONS` actions is exported by `flask plans run-export JOB` in a new process: the web request only
writes the job row and starts the process, the person's page checks until the job is done, then they
download the file from the row. The audience, the redaction and the audit event are those of every export
(excel.export_workbook); the file is kept `KEEP_FOR` and only its owner may have it.
"""

import logging
import os
import subprocess
import sys
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
FAILED_TEXT = "The export could not be finished. Try again; if it fails again, tell the tracker's administrator"


class ExportJobError(ServiceError):
    """An export job that cannot be started or read."""


def is_large(plan: Plan) -> bool:
    count = db.session.scalar(db.select(db.func.count(Action.id)).where(Action.plan_id == plan.id))
    return (count or 0) > LARGE_PLAN_ACTIONS


def start(plan: Plan, user: User, *, audience: str, as_at: date, launch: str = "process") -> ExportJob:
    """Write the job row, commit, and start the process that exports it (`launch`: "process", or "none" when
    the caller runs it itself). Files of jobs older than KEEP_FOR are dropped on the way."""
    check_audience(audience)
    db.session.execute(delete(ExportJob).where(ExportJob.created_at < utcnow() - KEEP_FOR))
    job = ExportJob(plan_id=plan.id, user_id=user.id, audience=audience, as_at=as_at, status=WAITING)
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
    from app.services.exporting import excel  # XlsxWriter loads in the exporting process only

    job = db.session.get(ExportJob, job_id)
    if job is None:
        raise ExportJobError(f"There is no export job {job_id}")
    if job.status != WAITING:
        raise ExportJobError(f"Export job {job_id} has already run ({job.status})")
    plan, user = db.session.get_one(Plan, job.plan_id), db.session.get(User, job.user_id)
    job.status = RUNNING
    db.session.commit()
    try:
        data = excel.export_workbook(
            plan, audience=job.audience, as_at=job.as_at, user=user, progress=_progress(job_id)
        )
    except Exception:
        log.exception("Export job %s of plan %s failed", job_id, job.plan_id)
        db.session.rollback()
        job = db.session.get_one(ExportJob, job_id)
        job.status, job.error, job.finished_at = FAILED, FAILED_TEXT, utcnow()
        db.session.commit()
        return job
    job = db.session.get_one(ExportJob, job_id)
    job.content, job.status, job.finished_at = data, DONE, utcnow()
    job.filename = excel.export_filename(plan, job.as_at, job.audience)
    job.done = job.total
    db.session.commit()
    return job


def _progress(job_id: int):
    """Progress written on a connection of its own: the export's session holds the plan and must not be
    committed (that would expire every object it has loaded)."""

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY and done != total:
            return
        with db.engine.begin() as connection:
            connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(done=done, total=total))

    return progress
