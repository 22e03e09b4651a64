"""Which plan of the tracker a plan of the file is.

A plan is known by its title and period, as the sheet or its cover gives them, or by the title and period its last
import gave when it has been renamed in the tracker since. When the sheet gives no title and
the reader fell back on the file's name, the name proves nothing (a renamed file is the same plan, two files
may share a name), so the administrator is asked: a new plan, or one of the tracker's plans of that period.
The command line says which with `--plan ID` (or `--new-plan`).
"""

from pathlib import PurePath

from sqlalchemy import select

from app.extensions import db
from app.models import Plan, PlanBaseline
from app.services.importing.findings import PlanRead
from app.services.importing.guard import WorkbookRejected
from app.services.importing.report import PlanQuestion

CANDIDATES = 20
NO_SUCH_PLAN = "There is no plan {id} in the tracker: run `flask plans list` to see the plan ids"


def title_is_file_name(read: PlanRead, filename: str) -> bool:
    stem = PurePath(filename).stem.replace("_", " ")[:300]
    return bool(stem) and read.title.strip().casefold() == stem.strip().casefold()


def find_plan(read: PlanRead, index: int, filename: str, chosen: int | None) -> tuple[Plan | None, PlanQuestion | None]:
    """The tracker's plan (None: a new one) and the question to ask about it, if any.

    `chosen` is the administrator's answer: a plan id, 0 for a new plan, None when not answered.
    """
    same = db.session.scalar(select(Plan).filter_by(title=read.title, period_label=read.period_label))
    if same is None:
        same = renamed_in_the_tracker(read)
    question = None
    if title_is_file_name(read, filename):
        candidates = _candidates(read)
        if candidates:
            question = PlanQuestion(index, read.title, candidates, default=same.id if same else None)
    if chosen is not None:
        if question:
            question.answer = chosen
        if chosen == 0:
            return None, question
        plan = db.session.get(Plan, chosen)
        if plan is None:
            raise WorkbookRejected(NO_SUCH_PLAN.format(id=chosen))
        return plan, question
    return same, question


def renamed_in_the_tracker(read: PlanRead) -> Plan | None:
    """The plan whose last import gave this title and period, when it has been renamed in the tracker since
    (plan settings): the file still says what it said, and it is the same plan."""
    for baseline in db.session.scalars(select(PlanBaseline)):
        values = baseline.values or {}
        if (values.get("file_title"), values.get("file_period")) == (read.title, read.period_label):
            return db.session.get(Plan, baseline.plan_id)
    return None


def _candidates(read: PlanRead) -> list[tuple[int, str]]:
    """The plans it may be: those of the same kind and period (every plan of the kind when it has no period)."""
    query = select(Plan).where(Plan.kind == read.kind).order_by(Plan.title, Plan.id).limit(CANDIDATES)
    if read.period_label:
        query = query.where(Plan.period_label == read.period_label)
    return [(plan.id, plan.full_title) for plan in db.session.scalars(query)]
