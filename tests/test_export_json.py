"""`--format json`: the plan exactly as docs/design.md describes it, for tests and integrators."""

import json
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import ActionStatus, AuditEvent, Framework, Objective, PlanKind, Rag, Strand, Update
from app.services.exporting.content import UnknownAudience
from app.services.exporting.json_plan import export_json, plan_as_dict
from tests.factories import make_action, make_plan, make_user

ACTION_KEYS = {
    "strand",
    "objective",
    "ref",
    "what",
    "how",
    "responsibility",
    "owners",
    "status",
    "rag",
    "target_date",
    "links",
    "updates",
}


@contextmanager
def count_queries():
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def plan(app, app_context):
    owner = make_user("owner", email="chisholm@example.police.uk", name="DCI Chisholm")
    plan = make_plan(actions=0, title="Local Delivery Plan")
    objective = Objective(plan=plan, strand=Strand.PREPARE, ref="P1", title="Reduce the impact", outcomes=["Aware"])
    db.session.add(objective)
    action = make_action(
        plan,
        strand=Strand.PREPARE,
        ref="1",
        what="Engage with local community groups",
        owner=owner,
        rag=Rag.AMBER,
        target_date=date(2016, 3, 31),
        links=[(Framework.NS, None), (Framework.PCC, "3.3.7")],
    )
    action.objective = objective
    action.status = ActionStatus.IN_PROGRESS
    action.updates.extend(
        [
            Update(as_at=date(2015, 12, 31), text="Later", author_name="DCI Chisholm", rag=Rag.AMBER),
            Update(as_at=None, text="Base text from the plan", author_name=""),
            Update(as_at=date(2015, 9, 30), text="Earlier", author=owner, rag=Rag.GREEN),
            Update(as_at=date(2015, 10, 1), text="Source: intelligence report", author_name="Intel", restricted=True),
        ]
    )
    make_action(plan, strand=Strand.PURSUE, ref="2", what="Target the OCG", restricted=True, position=1)
    db.session.commit()
    return plan


def test_the_json_has_exactly_the_documented_fields(plan):
    result = plan_as_dict(plan, audience="internal")
    assert set(result) == {"title", "priority", "lead", "period_start", "period_end", "objectives", "actions"}
    assert result["title"] == "Local Delivery Plan"
    assert result["priority"] == "Modern Day Slavery"
    assert result["lead"] == "Detective Superintendent Walton"
    assert (result["period_start"], result["period_end"]) == ("2025-04-01", "2026-03-31")
    assert result["objectives"] == [
        {"strand": "Prepare", "ref": "P1", "title": "Reduce the impact", "outcomes": ["Aware"]}
    ]
    first = result["actions"][0]
    assert set(first) == ACTION_KEYS
    assert first | {"updates": None} == {
        "strand": "Prepare",
        "objective": "P1",
        "ref": "1",
        "what": "Engage with local community groups",
        "how": "• We will do it",
        "responsibility": "MDS Lead DSupt Walton",
        "owners": ["chisholm@example.police.uk"],
        "status": "In progress",
        "rag": "amber",
        "target_date": "2016-03-31",
        "links": [
            {"framework": "NS", "code": None, "resolved": False},
            {"framework": "PCC", "code": "3.3.7", "resolved": False},
        ],
        "updates": None,
    }


def test_updates_come_oldest_first_with_undated_base_text_before_them(plan):
    updates = plan_as_dict(plan, audience="internal")["actions"][0]["updates"]
    assert [u["text"] for u in updates] == [
        "Base text from the plan",
        "Earlier",
        "Source: intelligence report",
        "Later",
    ]
    assert updates[0] == {
        "as_at": None,
        "author": "",
        "rag": None,
        "restricted": False,
        "text": "Base text from the plan",
    }
    assert updates[1]["author"] == "DCI Chisholm"  # from the author's account when no name was recorded
    assert updates[1]["rag"] == "green"
    assert updates[2]["restricted"] is True
    assert updates[3] == {
        "as_at": "2015-12-31",
        "author": "DCI Chisholm",
        "rag": "amber",
        "restricted": False,
        "text": "Later",
    }


def test_pcc_audience_withholds_restricted_updates_and_actions(plan):
    result = plan_as_dict(plan, audience="pcc")
    updates = result["actions"][0]["updates"]
    assert updates[2] == {"as_at": "2015-10-01", "author": "", "rag": None, "restricted": True, "text": "[REDACTED]"}
    assert "intelligence report" not in str(result)
    restricted = result["actions"][1]
    assert (restricted["strand"], restricted["ref"]) == ("Pursue", "2")
    assert restricted["what"] == restricted["how"] == restricted["responsibility"] == "[REDACTED]"
    assert restricted["owners"] == [] and restricted["links"] == []
    assert "Target the OCG" not in str(result)


def test_pcc_audience_never_carries_the_sensitive_marking_even_when_someone_typed_it(plan):
    action = plan.actions[0]
    action.updates.append(Update(as_at=date(2016, 1, 5), text="OFFICIAL-SENSITIVE: informant details", author_name="X"))
    db.session.commit()
    text = str(plan_as_dict(plan, audience="pcc"))
    assert "SENSITIVE" not in text.upper()
    assert "informant" not in text
    assert "informant details" in str(plan_as_dict(plan, audience="internal"))


def test_an_unknown_audience_is_refused(plan):
    with pytest.raises(UnknownAudience):
        plan_as_dict(plan, audience="public")


def test_a_pcc_plan_has_actions_without_strand_grouped_by_aim(app_context, app):
    plan = make_plan(actions=0, kind=PlanKind.PCC, title="PCC Deliverables")
    aim = Objective(plan=plan, ref="1.2", title="1.2) We will enact our delivery plans", outcomes=[])
    db.session.add(aim)
    action = make_action(plan, strand=None, ref="1.2.1", what="We will carry out victim surveys")
    action.objective = aim
    db.session.commit()
    (exported,) = plan_as_dict(plan, audience="internal")["actions"]
    assert (exported["strand"], exported["objective"], exported["ref"]) == (None, "1.2", "1.2.1")


def test_the_number_of_queries_does_not_grow_with_the_plan(app_context, app):
    small = make_plan(actions=2, updates_per_action=1)
    large = make_plan(actions=40, updates_per_action=5)
    owners = [make_user("owner") for _ in range(10)]
    for action, owner in zip(large.actions, owners, strict=False):
        action.owners.append(owner)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as small_queries:
        plan_as_dict(small, audience="internal")
    db.session.expire_all()
    with count_queries() as large_queries:
        result = plan_as_dict(large, audience="internal")
    assert len(result["actions"]) == 40 and sum(len(a["updates"]) for a in result["actions"]) == 200
    assert len(large_queries) == len(small_queries) <= 8


def test_cli_prints_the_json_and_records_the_export(plan, runner):
    result = runner.invoke(args=["plans", "export", str(plan.id), "--format", "json", "--audience", "internal"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == plan_as_dict(plan, audience="internal")
    event = db.session.scalar(db.select(AuditEvent).filter_by(verb="plan.export"))
    assert (event.record_id, event.actor, event.new["format"], event.new["audience"]) == (
        plan.id,
        "cli",
        "json",
        "internal",
    )


def test_cli_writes_the_pcc_json_to_a_file(plan, runner, tmp_path):
    out = tmp_path / "plan.json"
    result = runner.invoke(
        args=["plans", "export", str(plan.id), "--format", "json", "--audience", "pcc", "--out", out]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == plan_as_dict(plan, audience="pcc")
    assert "intelligence report" not in out.read_text()


@pytest.mark.parametrize("plan_arg", ["999999999", "latest"])
def test_cli_refuses_an_unknown_plan_with_one_line(app, runner, plan_arg):
    result = runner.invoke(args=["plans", "export", plan_arg, "--format", "json", "--audience", "pcc"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: There is no plan {plan_arg}: run `flask plans list` to see the plan ids"
    ]


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
def test_cli_makes_the_audience_a_required_choice(plan, runner, file_format):
    """No copy by omission: without --audience nothing is exported and the two choices are named."""
    result = runner.invoke(args=["plans", "export", str(plan.id), "--format", file_format])
    assert result.exit_code == 2
    assert "Missing option '--audience'" in result.output
    assert "internal" in result.output and "pcc" in result.output
    assert db.session.scalar(db.select(AuditEvent).filter_by(verb="plan.export")) is None


def test_the_json_export_has_no_default_audience(plan):
    with pytest.raises(TypeError):
        plan_as_dict(plan)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        export_json(plan)  # type: ignore[call-arg]
