"""A large plan's board pack is written by an export job, as its workbook is: the request writes the job and
answers at once, the job's page checks until the PDF is ready, then its owner downloads it. The audience, the
redaction and the audit event are those of every board pack. The suite runs each job as `flask plans run-export
JOB` does in production (app/services/exporting/jobs.py)."""

import io
from datetime import date

from pypdf import PdfReader

from app.extensions import db
from app.models import Action, AuditEvent, ExportJob, Rag
from app.services import clock
from app.services.exporting import jobs
from app.services.reporting import board_pack, board_pack_pdf
from app.services.reporting.dashboard import LIST_LIMIT
from tests.factories import make_plan, make_user
from tests.test_export_jobs import SECRET, large_plan


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def red_first_action(plan) -> Action:
    """The plan's first action made Red, so the pack shows its latest commentary (the restricted update)."""
    first = db.session.scalars(db.select(Action).filter_by(plan_id=plan.id, position=0)).one()
    first.rag = Rag.RED
    db.session.commit()
    return first


def test_a_large_plans_board_pack_is_a_job_whose_owner_downloads_the_pdf(app, client, login_as, runner):
    viewer = login_as("viewer")
    plan = large_plan(make_user("lead"))
    red_first_action(plan)

    response = client.get(f"/plans/{plan.id}/board-pack.pdf?audience=pcc")
    assert response.status_code == 302
    job = db.session.scalars(db.select(ExportJob)).one()
    assert response.headers["Location"] == f"/exports/{job.id}"
    assert (job.user_id, job.kind, job.audience, job.status) == (viewer.id, "pdf", "pcc", "waiting")
    assert job.as_at == clock.today()
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.verb == "plan.export")) == 0

    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "Preparing the export" in page and "its board pack is written while you wait" in page
    assert client.get(f"/exports/{job.id}/file").status_code == 404  # nothing to download yet

    result = runner.invoke(args=["plans", "run-export", str(job.id)])  # what the started process runs
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert job.filename == board_pack_pdf.filename(plan, job.as_at)

    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "Your export is ready" in page and "The board pack (PDF) for the PCC office" in page
    assert "Download the board pack" in page and f'href="/exports/{job.id}/file"' in page
    download = client.get(f"/exports/{job.id}/file")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    assert download.headers["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    text = pdf_text(download.data)
    assert "OFFICIAL" in text and "OFFICIAL-SENSITIVE" not in text
    assert "[REDACTED]" in text and SECRET not in text  # the PCC office's pack, as in the request
    audit = db.session.scalars(db.select(AuditEvent).where(AuditEvent.verb == "plan.export")).one()
    assert (audit.user_id, audit.new["audience"], audit.new["format"]) == (viewer.id, "pcc", "pdf")


def test_the_board_pack_form_starts_the_job_as_at_the_date_chosen(app, client, login_as):
    lead = login_as("lead")
    plan = large_plan(lead)
    red_first_action(plan)
    as_at = date.fromordinal(clock.today().toordinal() - 7)

    day = f"as_at={as_at.day}&as_at={as_at.month}&as_at={as_at.year}"  # the form's three boxes
    response = client.get(f"/plans/{plan.id}/board-pack?{day}&audience=internal")
    assert response.status_code == 302
    job = db.session.scalars(db.select(ExportJob)).one()
    assert (job.kind, job.audience, job.as_at) == ("pdf", "internal", as_at)
    job = jobs.run(job.id)
    assert job.status == "done" and job.filename == board_pack_pdf.filename(plan, as_at)
    text = pdf_text(client.get(f"/exports/{job.id}/file").data)
    assert "OFFICIAL-SENSITIVE" in text and SECRET in text  # the force's own copy keeps restricted updates


def test_a_board_pack_job_is_its_owners_only(app, client, auth, login_as):
    lead = make_user("lead")
    plan = large_plan(lead)
    login_as("viewer")
    client.get(f"/plans/{plan.id}/board-pack.pdf?audience=pcc")
    job = jobs.run(db.session.scalars(db.select(ExportJob)).one().id)
    assert job.status == "done"
    auth.logout()
    assert auth.login(lead).status_code == 302
    assert client.get(f"/exports/{job.id}").status_code == 404
    assert client.get(f"/exports/{job.id}/file").status_code == 404


def test_a_viewer_cannot_start_a_board_pack_job_for_the_internal_copy(app, client, login_as):
    login_as("viewer")
    plan = large_plan(make_user("lead"))
    assert client.get(f"/plans/{plan.id}/board-pack.pdf?audience=internal").status_code == 403
    assert db.session.scalar(db.select(db.func.count(ExportJob.id))) == 0


def test_a_small_plans_board_pack_still_comes_back_in_the_request(app, client, login_as):
    login_as("viewer")
    plan = make_plan(actions=jobs.LARGE_PLAN_ACTIONS)
    response = client.get(f"/plans/{plan.id}/board-pack.pdf?audience=pcc")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert db.session.scalar(db.select(db.func.count(ExportJob.id))) == 0


def test_a_board_pack_lists_the_first_lines_of_a_long_list_under_the_count_of_them_all(app_context, app):
    plan = make_plan(actions=LIST_LIMIT + 7, rag=Rag.RED)
    amber = db.session.scalars(db.select(Action).filter_by(plan_id=plan.id, position=LIST_LIMIT + 6)).one()
    amber.rag = Rag.AMBER
    db.session.commit()
    from app.exports.packs import render_pack

    pack = board_pack.build(plan, audience="internal", as_at=clock.today())
    assert len(pack.attention) == LIST_LIMIT + 7 and pack.listed == LIST_LIMIT
    with app.test_request_context():
        text = pdf_text(render_pack(plan, audience="internal", as_at=clock.today()))
    assert f"{LIST_LIMIT + 7} actions were Red or Amber, Red first" in text
    assert f"The first {LIST_LIMIT} of {LIST_LIMIT + 7} Red and Amber actions are listed here" in text
    shown = [line.action.display_ref for line in pack.attention[:LIST_LIMIT]]
    left_out = [line.action.display_ref for line in pack.attention[LIST_LIMIT:]]
    assert amber.display_ref in left_out  # Red first: the one Amber is among those not listed
    assert all(f"{ref}:" in text for ref in shown)
    assert not any(f"{ref}:" in text for ref in left_out)
