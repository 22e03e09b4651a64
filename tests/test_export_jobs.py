"""A large plan's export runs as a job: the request writes the job and answers at once, the page refreshes until
the file is ready, then its owner downloads it (app/services/exporting/jobs.py). The audience and the redaction are
those of every export. The suite runs each job as `flask plans run-export JOB` does in production."""

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import insert

from app.extensions import db
from app.models import AuditEvent, ExportJob, Update
from app.services.exporting import excel, jobs
from tests.factories import make_plan, make_user

SECRET = "Informant met the team at the address"


def large_plan(lead):
    """One action more than LARGE_PLAN_ACTIONS, with an update each and one restricted update."""
    plan = make_plan(actions=jobs.LARGE_PLAN_ACTIONS + 1, lead_user=lead, title="Force Delivery Plan 2025-26")
    ids = [action.id for action in plan.actions]
    rows = [
        {"action_id": a, "plan_id": plan.id, "as_at": date(2025, 10, 1), "text": f"Progress on {n}"}
        for n, a in enumerate(ids)
    ]
    rows.append(
        {"action_id": ids[0], "plan_id": plan.id, "as_at": date(2025, 11, 1), "text": SECRET, "restricted": True}
    )
    db.session.execute(insert(Update), rows)
    db.session.commit()
    return plan


def texts_in(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(cell) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for cell in row)


def test_a_large_plans_export_is_a_job_whose_page_refreshes_until_its_owner_downloads_the_file(
    app, client, login_as, runner
):
    viewer = login_as("viewer")
    plan = large_plan(make_user("lead"))

    response = client.get(f"/plans/{plan.id}/export.xlsx?audience=pcc")
    assert response.status_code == 302
    job = db.session.scalars(db.select(ExportJob)).one()
    assert response.headers["Location"] == f"/exports/{job.id}"
    assert (job.user_id, job.audience, job.status) == (viewer.id, "pcc", "waiting")

    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "Preparing the export" in page
    assert 'data-working="true"' in page and "export_job.js" in page  # checks in place, no timed reload
    assert f'data-check-ms="{app.config["EXPORT_JOB_CHECK_MS"]}"' in page  # as often as the tracker is set to
    assert client.get(f"/exports/{job.id}/file").status_code == 404  # nothing to download yet

    result = runner.invoke(args=["plans", "run-export", str(job.id)])  # what the started process runs
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert (job.status, job.done, job.total) == ("done", 2 * (jobs.LARGE_PLAN_ACTIONS + 1), job.done)

    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "Your export is ready" in page and 'data-working="false"' in page
    assert f'href="/exports/{job.id}/file"' in page
    download = client.get(f"/exports/{job.id}/file")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert job.filename == excel.export_filename(plan, job.as_at, "pcc")
    text = texts_in(download.data)
    assert "Progress on 1000" in text and "[REDACTED]" in text
    assert SECRET not in text  # the PCC office's copy, as every export for it
    audit = db.session.scalars(db.select(AuditEvent).where(AuditEvent.verb == "plan.export")).one()
    assert (audit.user_id, audit.new["audience"], audit.new["actions"]) == (viewer.id, "pcc", len(plan.actions))


def test_an_export_job_is_its_owners_only(app, client, auth, login_as):
    lead = make_user("lead")
    plan = large_plan(lead)
    login_as("viewer")
    client.get(f"/plans/{plan.id}/export.xlsx?audience=pcc")
    job = db.session.scalars(db.select(ExportJob)).one()
    jobs.run(job.id)
    auth.logout()
    assert auth.login(lead).status_code == 302
    assert client.get(f"/exports/{job.id}").status_code == 404
    assert client.get(f"/exports/{job.id}/file").status_code == 404


def test_a_viewer_cannot_start_a_job_for_the_internal_copy(app, client, login_as):
    login_as("viewer")
    plan = large_plan(make_user("lead"))
    assert client.get(f"/plans/{plan.id}/export.xlsx?audience=internal").status_code == 403
    assert db.session.scalar(db.select(db.func.count(ExportJob.id))) == 0


def test_the_internal_copy_keeps_restricted_updates(app, client, login_as):
    lead = login_as("lead")
    plan = large_plan(lead)
    client.get(f"/plans/{plan.id}/export.xlsx?audience=internal")
    job = jobs.run(db.session.scalars(db.select(ExportJob)).one().id)
    assert SECRET in texts_in(client.get(f"/exports/{job.id}/file").data)


def test_a_small_plan_still_downloads_at_once(app, client, login_as):
    login_as("viewer")
    plan = make_plan(actions=jobs.LARGE_PLAN_ACTIONS, updates_per_action=0)
    response = client.get(f"/plans/{plan.id}/export.xlsx?audience=pcc")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert db.session.scalar(db.select(db.func.count(ExportJob.id))) == 0


def test_a_failed_export_says_so_and_keeps_no_file(app, client, login_as, monkeypatch):
    login_as("viewer")
    plan = large_plan(make_user("lead"))
    client.get(f"/plans/{plan.id}/export.xlsx?audience=pcc")
    job_id = db.session.scalars(db.select(ExportJob.id)).one()

    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(excel, "export_workbook", broken)
    job = jobs.run(job_id)
    assert (job.status, job.content) == ("failed", None)
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "The export failed" in page and "No space left" not in page
    assert client.get(f"/exports/{job_id}/file").status_code == 404


def test_a_job_runs_once(app, runner, login_as, client):
    login_as("viewer")
    plan = large_plan(make_user("lead"))
    client.get(f"/plans/{plan.id}/export.xlsx?audience=pcc")
    job_id = db.session.scalars(db.select(ExportJob.id)).one()
    jobs.run(job_id)
    result = runner.invoke(args=["plans", "run-export", str(job_id)])
    assert result.exit_code == 1
    assert f"Export job {job_id} has already run (done)" in result.output
