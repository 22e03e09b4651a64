"""The annual report: a Word document per plan and year, read back with python-docx (headings, tables, images),
with the lead's edits kept for the report only and the public copy redacted as the PCC office's is."""

import io
from datetime import date

import pytest
from docx import Document

from app.extensions import db
from app.models import AuditEvent, Objective, Rag, ReportEdit, Strand, Update
from app.services.errors import NotAllowed
from app.services.measures import values
from app.services.reporting import annual_report
from tests.factories import make_action, make_measure, make_plan, make_user
from tests.pages import check_page, textarea_value

TODAY = date(2026, 5, 20)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def plan(app_context, app):
    app.config["TODAY"] = TODAY
    lead = make_user("lead", name="DSupt Walton")
    plan = make_plan(actions=0, lead_user=lead)
    protect = Objective(
        plan=plan, strand=Strand.PROTECT, ref="3", title="Protect victims", position=0,
        outcomes=["Increased referrals to NRM", "The production of a Sandwell intelligence profile"],
    )  # fmt: skip
    db.session.add(protect)
    db.session.flush()
    nrm = make_action(plan, strand=Strand.PROTECT, ref="1", what="Raise NRM referrals")
    nrm.objective = protect
    for as_at, text in (
        (date(2025, 3, 30), "Last year's news"),
        (date(2025, 9, 1), "Half way"),
        (date(2026, 3, 20), "Referrals up by a third"),
        (date(2026, 4, 10), "Next year's news"),
    ):
        nrm.updates.append(Update(as_at=as_at, text=text, author_name="DCI Chisholm"))  # fmt: skip
    profile = make_action(plan, strand=Strand.PROTECT, ref="2", what="Write the intelligence profile", rag=Rag.BLUE)
    profile.objective = protect
    secret = make_action(plan, strand=Strand.PURSUE, ref="1", what="Operation Nightjar", restricted=True, position=3)
    secret.updates.append(Update(as_at=date(2025, 12, 1), text="Surveillance authorised", author_name="DI Rowe"))
    db.session.commit()
    screened = make_measure(
        plan, name="Potential victims screened", unit="people", frequency="yearly", direction="more", target="400",
        dimension="Sex", categories=("Male", "Female"), objective_id=protect.id,
    )  # fmt: skip
    values.record_values(screened, None, period="2024-25", figures={"total": "350"}, today=TODAY)
    values.record_values(
        screened,
        None,
        period="2025-26",
        figures={"total": "406", "category_0": "261", "category_1": "145"},
        today=TODAY,
    )
    covert = make_measure(
        plan, name="Covert deployments", actions=[secret], frequency="yearly", categories=(), dimension=""
    )
    values.record_values(covert, None, period="2025-26", figures={"total": "4"}, today=TODAY)
    return plan


def read(data: bytes):
    doc = Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]
    return doc, headings, tables, "\n".join(p.text for p in doc.paragraphs)


def test_the_internal_report_has_each_objective_its_actions_commentary_achievements_and_measures(plan):
    data = annual_report.export_docx(plan, 2025, "internal", None, TODAY)
    doc, headings, tables, text = read(data)
    assert headings[0] == ("Title", f"{plan.title}: annual report 2025-26")
    assert headings[1:9] == [
        ("Heading 1", "Protect"),
        ("Heading 2", "Objective 3: Protect victims"),
        ("Heading 3", "Outcomes"),
        ("Heading 3", "Actions and year-end commentary"),
        ("Heading 3", "Key achievements"),
        ("Heading 3", "Measures"),
        ("Heading 4", "Potential victims screened"),
        ("Heading 1", "Pursue"),
    ]
    assert "Increased referrals to NRM" in text and "The production of a Sandwell intelligence profile" in text
    actions = tables[0]
    assert actions[0] == ["Action", "What we did", "Year-end commentary", "RAG"]
    assert actions[1] == ["Protect 1", "Raise NRM referrals", "Referrals up by a third (20 March 2026)", "Green"]
    assert actions[2][2] == "No update in the year." and actions[2][3] == "Blue (complete)"
    assert "Protect 2: Write the intelligence profile" in text  # a key achievement: completed in the year
    assert ["Period", "Figure (people)"] in tables[1] and ["2025-26", "406"] in tables[1]
    assert ["Male", "261 (64%)"] in tables[2] and ["Female", "145 (36%)"] in tables[2]
    assert ["Year", "350", "406"] in tables[3]
    assert "The latest figure suggests Green: 406 against a target of at least 400: met." in text
    # Charts as images: by period, by sex, and this year against last for the victims; one for the deployments.
    assert len(doc.inline_shapes) == 4
    descriptions = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert descriptions[:3] == [
        "Chart: Potential victims screened by period",
        "Chart: Potential victims screened by sex",
        "Chart: Potential victims screened, this year against last",
    ]
    assert all(shape._inline.graphic.graphicData.pic.blipFill.blip.embed for shape in doc.inline_shapes)
    assert "Surveillance authorised" in " ".join(c for t in tables for r in t for c in r)
    assert doc.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="plan.export")).all()[-1]
    assert event.new == {"audience": "internal", "format": "docx", "marking": "OFFICIAL-SENSITIVE", "year": "2025-26"}


def test_the_public_report_withholds_restricted_work_and_its_measures(plan):
    doc, headings, tables, text = read(annual_report.export_docx(plan, 2025, "public", None, TODAY))
    cells = " ".join(c for t in tables for r in t for c in r)
    assert "Operation Nightjar" not in cells + text and "Surveillance authorised" not in cells + text
    assert "Covert deployments" not in cells + text and "1 restricted measure is withheld from this copy." in text
    assert ["Pursue 1", "[REDACTED]", "[REDACTED]", "Green"] in tables[-1]
    assert "Referrals up by a third" in cells and doc.sections[0].header.paragraphs[0].text == "OFFICIAL"


def test_the_leads_edits_are_kept_for_the_report_never_in_the_updates(client, auth, app, plan):
    lead = plan.lead_user
    auth.login(lead)
    nrm = plan.actions[0]
    url = f"/plans/{plan.id}/annual-report/2025/edit"
    page = check_page(client.get(url))
    assert textarea_value(page, f"commentary_{nrm.id}") == "Referrals up by a third"
    too_long = "x" * 10_001
    page = check_page(auth.post(url, {f"commentary_{nrm.id}": too_long}), status=200)
    assert "must be 10,000 characters or fewer" in page and textarea_value(page, f"commentary_{nrm.id}") == too_long
    form = {f"commentary_{nrm.id}": "Referrals rose from 60 to 80 in the year", "submit": "1"}
    assert auth.post(url, form).status_code == 302
    assert auth.post(url, {**form, f"commentary_{nrm.id}": "Referrals rose by a third, to 80"}).status_code == 302
    updates = [u.text for u in db.session.get(type(nrm), nrm.id).updates]
    assert "Referrals rose by a third, to 80" not in updates and "Referrals up by a third" in updates
    kept = db.session.scalars(db.select(ReportEdit).order_by(ReportEdit.id)).all()
    assert [(e.kind, e.text, e.edited_by_id) for e in kept if e.kind == "commentary"] == [
        ("commentary", "Referrals rose from 60 to 80 in the year", lead.id),
        ("commentary", "Referrals rose by a third, to 80", lead.id),
    ]
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(verb="annual_report.edit")) == 2
    response = client.get(f"/plans/{plan.id}/annual-report-2025.docx?audience=internal")
    assert response.status_code == 200 and response.mimetype == DOCX
    _, _, tables, _ = read(response.data)
    assert tables[0][1][2] == "Referrals rose by a third, to 80"
    # Another year's report is its own: the edit is not in it.
    other = annual_report.build(plan, 2024, "internal", TODAY)
    assert all(entry.commentary != "Referrals rose by a third, to 80" for s in other.sections for entry in s.actions)


def test_the_leads_achievements_replace_the_completed_actions_and_follow_redaction(plan):
    lead = plan.lead_user
    key = "objective:" + str(plan.objectives[0].id)
    annual_report.save_edits(plan, 2025, lead, commentary={}, achievements={key: "Profile published\nNRM up 33%"})
    _, _, _, text = read(annual_report.export_docx(plan, 2025, "public", None, TODAY))
    assert "Profile published" in text and "NRM up 33%" in text and "Protect 2: Write" not in text


def test_only_the_lead_edits_and_viewers_get_only_the_copy_for_publication(client, login_as, plan):
    with pytest.raises(NotAllowed):
        annual_report.save_edits(plan, 2025, make_user("owner"), commentary={}, achievements={})
    login_as("viewer")
    assert client.get(f"/plans/{plan.id}/annual-report-2025.docx?audience=internal").status_code == 403
    public = client.get(f"/plans/{plan.id}/annual-report-2025.docx")
    assert public.status_code == 200 and b"Nightjar" not in public.data
    assert client.get(f"/plans/{plan.id}/annual-report-2031.docx").status_code == 404
    page = check_page(client.get(f"/plans/{plan.id}/annual-report"))
    assert "for publication (Word)" in page and "Download the internal" not in page
