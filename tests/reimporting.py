"""Helpers for the re-import tests: a plan file in versions, the whole database as others see it, the corpus."""

import json
import subprocess
import sys
from pathlib import Path

from app.extensions import db
from app.models import Action, AuditEvent, Plan, Update
from app.services.exporting.json_plan import plan_as_dict
from tests.workbooks import LOCAL_HEADER, local_plan

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
HEADER = [*LOCAL_HEADER, "RAG", "Target date"]
TITLE = "Modern Slavery Delivery Plan 2020-21"


def plan_file(rows: list, **kwargs) -> bytes:
    """A local plan with RAG and Target date columns (rows as `row` makes them)."""
    return local_plan(rows, header=HEADER, **kwargs)


def row(strand, number, what, commentary="", *, how="• How", responsibility="DCI Chisholm", links="NS", rag="Green"):
    return [strand, number, what, how, responsibility, commentary, links, rag, "31/03/2021"]


def state() -> dict:
    """Every table's rows and every plan's JSON export: what an import that changes nothing must leave alone."""
    db.session.expire_all()
    tables = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        tables[table.name] = [tuple(r) for r in db.session.execute(db.select(table).order_by(*order))]
    plans = [
        json.dumps(plan_as_dict(plan, audience="internal"), sort_keys=True, default=str)
        for plan in db.session.scalars(db.select(Plan))
    ]
    return {"rows": tables, "plans": plans}


def counts() -> dict:
    return {
        "audit": db.session.scalar(db.select(db.func.count(AuditEvent.id))),
        "updates": db.session.scalar(db.select(db.func.count(Update.id))),
        "versions": dict(db.session.execute(db.select(Action.id, Action.version)).all()),
    }


def action(ref: str, plan_title: str = TITLE) -> Action:
    strand, _, number = ref.rpartition(" ")
    query = db.select(Action).join(Plan).where(Plan.title == plan_title, Action.ref == number)
    query = query.where(Action.strand == strand) if strand else query.where(Action.strand.is_(None))
    db.session.expire_all()
    return db.session.scalars(query).one()


def texts(ref: str, plan_title: str = TITLE) -> list[str]:
    return [update.text for update in action(ref, plan_title).updates]


def corpus_problems(step: int, plan: Plan, folder: Path) -> list[str]:
    """check_corpus.py's shortfalls of the plan against a step of the re-import sequence (empty: it matches)."""
    export = folder / f"step{step}-{plan.id}.json"
    export.write_text(json.dumps(plan_as_dict(plan, audience="internal"), default=str))
    expected = CORPUS / f"14-reimport-sequence.step{step}.expected.json"
    result = subprocess.run(
        [sys.executable, str(CORPUS / "check_corpus.py"), str(expected), str(export)], capture_output=True, text=True
    )
    return [line for line in result.stdout.splitlines() if "shortfall" not in line]


def step_bytes(step: int) -> bytes:
    return (CORPUS / f"14-reimport-sequence.step{step}.xlsx").read_bytes()


def step_name(step: int) -> str:
    return f"14-reimport-sequence.step{step}.xlsx"


def expected(step: int) -> dict:
    return json.loads((CORPUS / f"14-reimport-sequence.step{step}.expected.json").read_text())
