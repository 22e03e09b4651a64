"""An export job whose process is gone (killed, out of memory, the machine restarted, never started) is told
failed on its page, instead of the page checking for ever; one whose process is still writing is not
(app/services/exporting/jobs.py, `current` and `Heartbeat`)."""

import logging
import time
from datetime import timedelta

from sqlalchemy import text, update

from app.extensions import db
from app.models import ExportJob
from app.models.base import utcnow
from app.services.exporting import excel, jobs
from tests.factories import make_plan
from tests.test_export_jobs import texts_in


def a_plan():
    """A job's life does not depend on the plan's size: a small plan's job is started as a large one's is."""
    return make_plan(actions=3, title="Force Delivery Plan 2025-26")


def started_job(user, plan) -> int:
    """The job row as the export's request writes it (routes: a plan of more than LARGE_PLAN_ACTIONS actions)."""
    return jobs.start(plan, user, audience="pcc", as_at=utcnow().date(), launch="none").id


def set_job(job_id: int, **values) -> None:
    db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))
    db.session.commit()


def data_version_now() -> int:
    db.session.rollback()  # a transaction of its own, as a new request's
    return db.session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one()


def job_page(client, job_id: int) -> str:
    response = client.get(f"/exports/{job_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_job_whose_process_never_started_is_failed_once_the_silence_is_over(app, client, login_as, caplog):
    viewer = login_as("viewer")
    job_id = started_job(viewer, a_plan())
    silent = app.config["EXPORT_JOB_SILENT_SECONDS"]

    set_job(job_id, created_at=utcnow() - timedelta(seconds=silent - 10))
    assert "Preparing the export" in job_page(client, job_id)  # not yet: a process may be slow to start

    set_job(job_id, created_at=utcnow() - timedelta(seconds=silent + 1))
    with caplog.at_level(logging.WARNING, logger="app.services.exporting.jobs"):
        page = job_page(client, job_id)
    assert "The export failed" in page and 'data-working="false"' in page  # the page stops checking
    assert "the process writing it ended" in page
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert (job.status, job.error, job.content) == ("failed", jobs.LOST_TEXT, None)
    assert job.finished_at is not None
    assert f"Export job {job_id} of plan {job.plan_id} was waiting" in caplog.text
    assert client.get(f"/exports/{job_id}/file").status_code == 404


def test_a_running_job_is_failed_only_when_its_heartbeat_has_stopped(app, client, login_as):
    viewer = login_as("viewer")
    job_id = started_job(viewer, a_plan())
    silent = app.config["EXPORT_JOB_SILENT_SECONDS"]
    long_ago = utcnow() - timedelta(hours=1)

    # Started an hour ago and still beating: a large export on a busy machine, not a lost one.
    set_job(job_id, status="running", created_at=long_ago, heartbeat_at=utcnow() - timedelta(seconds=silent - 10))
    version = data_version_now()
    assert "Preparing the export" in job_page(client, job_id)
    assert data_version_now() == version  # a look at a live job writes nothing: the kept pages stay kept
    set_job(job_id, heartbeat_at=utcnow() - timedelta(seconds=silent + 1))
    page = job_page(client, job_id)
    assert "The export failed" in page and "the process writing it ended" in page
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).status == "failed"


def test_a_finished_or_failed_job_is_left_as_it_is(app, client, login_as):
    viewer = login_as("viewer")
    job_id = started_job(viewer, a_plan())
    job = jobs.run(job_id)
    assert job.status == "done"
    set_job(job_id, heartbeat_at=utcnow() - timedelta(days=1))
    assert "Your export is ready" in job_page(client, job_id)
    assert client.get(f"/exports/{job_id}/file").status_code == 200


def test_the_exporting_process_beats_while_it_writes_so_a_long_export_is_not_taken_for_a_lost_one(
    app, client, login_as, monkeypatch
):
    """A writer that goes silent (no progress) three times longer than a job may be silent: with the heartbeat
    its page still says it is being prepared; with a heartbeat too slow to arrive, its page says it failed, and
    if it then finishes after all, its file is there."""
    viewer = login_as("viewer")
    plan = a_plan()
    write = excel.export_workbook
    seen = {}

    def slow_writer(*args, **kwargs):
        time.sleep(3 * app.config["EXPORT_JOB_SILENT_SECONDS"])  # layout without a progress step
        seen["page"] = job_page(client, job_id)  # a request of its own, as another worker's would be
        return write(*args, **kwargs)

    monkeypatch.setattr(excel, "export_workbook", slow_writer)
    app.config.update(EXPORT_JOB_SILENT_SECONDS=0.4, EXPORT_JOB_HEARTBEAT_SECONDS=0.05)
    job_id = started_job(viewer, plan)
    assert jobs.run(job_id).status == "done"
    assert "Preparing the export" in seen["page"]

    app.config.update(EXPORT_JOB_HEARTBEAT_SECONDS=60)  # no heartbeat arrives in time
    db.session.execute(db.delete(ExportJob))
    db.session.commit()
    job_id = started_job(viewer, plan)
    job = jobs.run(job_id)
    assert "The export failed" in seen["page"]
    assert job.status == "done"  # the process was not gone after all: the file it made is kept
    assert "Your export is ready" in job_page(client, job_id)
    assert "Force Delivery Plan 2025-26" in texts_in(client.get(f"/exports/{job_id}/file").data)
