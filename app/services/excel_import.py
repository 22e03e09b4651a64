"""Importing plan workbooks: the whole file in one transaction, or nothing.

Re-importing is safe: plans are matched by title and period, actions by strand and ref, objectives by strand and
ref. Changed fields are updated, updates not yet in the tracker are appended, and nothing is deleted or blanked:
an action missing from the file is kept, an empty cell never clears what the tracker holds, and updates written
in the app are never touched (they are append-only anyway). PCC links are resolved across every plan in the
database, so links imported earlier resolve when the PCC plan arrives later.
"""

import logging

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Action, Objective, Plan, PlanKind, RagChange, StrategicLink, Update, User
from app.models.enums import Framework
from app.services import audit
from app.services.import_report import ImportReport, PlanOutcome
from app.services.workbook_guard import WorkbookRejected
from app.services.workbook_reader import read_workbook
from app.services.workbook_reading import ActionRead, PlanRead, UpdateRead

log = logging.getLogger(__name__)

NOT_SAVED = "The plan could not be saved, so nothing was imported: try again, and tell the administrator if it recurs"
IMPORTED = "Imported from "
ACTION_FIELDS = {
    "what": "what",
    "how": "how",
    "responsibility": "responsibility",
    "target_date": "target date",
    "target_date_text": "target date",
    "status": "status",
}
PLAN_FIELDS = {"kind": "kind", "priority": "priority", "lead": "lead", "period_start": "start", "period_end": "end"}


def import_workbook(data: bytes, filename: str, *, user: User | None = None, dry_run: bool = False) -> ImportReport:
    """Read the workbook and write its plans in one transaction; a dry run does the same, reports, and rolls back.

    Commits the session (rolls it back for a dry run). Raises WorkbookRejected, with one line for the person,
    when the file cannot be read or saved; the database is then unchanged.
    """
    reading = read_workbook(data, filename)
    report = ImportReport(filename, dry_run, warnings=reading.warnings, sheets_not_read=reading.sheets_not_read)
    try:
        writers = [_PlanWriter(plan, filename, user) for plan in reading.plans]
        for writer in writers:
            writer.write()
        db.session.flush()
        for writer in writers:
            writer.insert_updates()
        report.earlier_links_resolved = _resolve_pcc_links({writer.plan.id for writer in writers})
        report.plans = [writer.outcome_after_links() for writer in writers]
        if dry_run:
            db.session.rollback()
            for outcome in report.plans:
                outcome.plan_id = None if outcome.is_new else outcome.plan_id
            return report
        for writer in writers:
            writer.record_audit()
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.exception("Import of %r could not be saved", filename)
        raise WorkbookRejected(NOT_SAVED) from error
    except Exception:
        db.session.rollback()
        raise
    return report


class _PlanWriter:
    """Writes one plan read from the file: creates it, or brings the stored plan up to date with it."""

    def __init__(self, read: PlanRead, filename: str, user: User | None):
        self.read, self.filename, self.user = read, filename, user
        self.plan: Plan | None = None
        self.actions: list[Action] = []
        self.pending_updates: list[tuple[Action, UpdateRead]] = []
        self.outcome = PlanOutcome(
            title=read.title,
            period_label=read.period_label,
            kind=read.kind,
            sheets=read.sheets,
            is_new=False,
            actions_per_group=read.actions_per_group(),
            warnings=read.warnings,
            columns_not_understood=read.columns_not_understood,
        )

    def write(self) -> None:
        read = self.read
        plan = db.session.scalar(select(Plan).filter_by(title=read.title, period_label=read.period_label))
        if plan is None:
            plan = Plan(title=read.title, period_label=read.period_label)
            db.session.add(plan)
            self.outcome.is_new = True
        for attr, label in PLAN_FIELDS.items():
            value = getattr(read, attr)
            if value is not None and getattr(plan, attr) != value:
                if not self.outcome.is_new:
                    self.outcome.plan_fields_changed.append(label)
                setattr(plan, attr, value)
        plan.source_filename, plan.source_sheet = self.filename[:255], read.sheets[0][:100]
        self.plan = plan
        objectives = self._write_objectives(plan)
        existing = {} if self.outcome.is_new else self._stored_actions(plan)
        for position, action_read in enumerate(read.actions):
            objective = objectives.get((action_read.strand, action_read.objective_ref))
            action = existing.pop((action_read.strand, action_read.ref), None)
            if action is None:
                action = self._create_action(plan, action_read, objective, position)
            else:
                self._update_action(action, action_read, objective, position)
            self.actions.append(action)
            self._match_updates(action, action_read)
        self.outcome.actions_not_in_file = len(existing)

    def _write_objectives(self, plan: Plan) -> dict:
        stored = {(objective.strand, objective.ref): objective for objective in plan.objectives}
        result = {}
        for position, read in enumerate(self.read.objectives):
            objective = stored.get((read.strand, read.ref))
            if objective is None:
                objective = Objective(plan=plan, strand=read.strand, ref=read.ref[:40], title=read.title)
            for attr in ("title", "description", "outcomes"):
                if getattr(read, attr) and getattr(objective, attr) != getattr(read, attr):
                    setattr(objective, attr, getattr(read, attr))
            objective.position = position
            result[(read.strand, read.ref)] = objective
        return result

    def _stored_actions(self, plan: Plan) -> dict:
        actions = db.session.scalars(
            select(Action)
            .where(Action.plan_id == plan.id)
            .options(selectinload(Action.updates), selectinload(Action.links), selectinload(Action.rag_changes))
        )
        return {(action.strand, action.ref): action for action in actions}

    def _create_action(self, plan: Plan, read: ActionRead, objective: Objective | None, position: int) -> Action:
        action = Action(
            plan=plan,
            strand=read.strand,
            ref=read.ref,
            position=position,
            objective=objective,
            what=read.what,
            how=read.how,
            responsibility=read.responsibility,
            target_date=read.target_date,
            target_date_text=read.target_date_text,
            status=read.status,
            rag=read.rag,
        )
        action.links = [_link(link, index) for index, link in enumerate(read.links)]
        if read.rag is not None:
            action.rag_changes.append(self._rag_change(None, read.rag))
        db.session.add(action)
        self.outcome.actions_created += 1
        return action

    def _update_action(self, action: Action, read: ActionRead, objective: Objective | None, position: int) -> None:
        changed: list[str] = []
        for attr, label in ACTION_FIELDS.items():
            value = getattr(read, attr)
            if value not in (None, "") and getattr(action, attr) != value:
                setattr(action, attr, value)
                if label not in changed:
                    changed.append(label)
        if objective is not None and (objective.id is None or action.objective_id != objective.id):
            action.objective = objective
            changed.append("objective")
        if read.rag is not None and action.rag != read.rag and not self._app_decided_since_import(action, read):
            action.rag_changes.append(self._rag_change(action.rag, read.rag))
            action.rag = read.rag
            changed.append("RAG")
        written = [(link.framework, link.code, link.text) for link in read.links]
        if written and written != [(link.framework, link.code, link.text) for link in action.links]:
            action.links = [_link(link, index) for index, link in enumerate(read.links)]
            changed.append("links")
        action.position = position
        if changed:
            self.outcome.actions_changed.append(f"{read.display_ref} ({', '.join(changed)})")
        else:
            self.outcome.actions_unchanged += 1

    @staticmethod
    def _app_decided_since_import(action: Action, read: ActionRead) -> bool:
        """The file still says what the last import said, so a RAG decided in the app since then stands."""
        imported = [change for change in action.rag_changes if change.reason.startswith(IMPORTED)]
        return bool(imported) and imported[-1].to_rag == read.rag

    def _rag_change(self, from_rag, to_rag) -> RagChange:
        return RagChange(from_rag=from_rag, to_rag=to_rag, user=self.user, reason=f"{IMPORTED}{self.filename}"[:1000])

    def _match_updates(self, action: Action, read: ActionRead) -> None:
        """An update already in the tracker (same text; same date too if it was written in the app) is not added."""
        unused = list(action.updates) if action.id is not None else []
        for update in read.updates:
            match = next(
                (
                    known
                    for known in unused
                    if known.text == update.text and (known.source == "import" or known.as_at == update.as_at)
                ),
                None,
            )
            if match is not None:
                unused.remove(match)
                self.outcome.updates_already_there += 1
            else:
                self.pending_updates.append((action, update))

    def insert_updates(self) -> None:
        rows = [
            {
                "action_id": action.id,
                "as_at": update.as_at,
                "author_name": update.author_name[:200],
                "text": update.text,
                "source": "import",
                "restricted": False,
            }
            for action, update in self.pending_updates
        ]
        if rows:
            db.session.execute(insert(Update), rows)
        self.outcome.updates_added = len(rows)

    def outcome_after_links(self) -> PlanOutcome:
        outcome = self.outcome
        outcome.plan_id = self.plan.id
        for action in self.actions:
            for link in action.links:
                outcome.links += 1
                if link.framework is Framework.PCC:
                    label = f"{action.display_ref} → {link.label}"
                    (outcome.pcc_resolved if link.target_action_id else outcome.pcc_unresolved).append(label)
        return outcome

    def record_audit(self) -> None:
        outcome = self.outcome
        audit.record(
            "plan.import",
            user=self.user,
            record_type="plan",
            record_id=self.plan.id,
            new={
                "file": self.filename,
                "new_plan": outcome.is_new,
                "actions_created": outcome.actions_created,
                "actions_changed": len(outcome.actions_changed),
                "updates_added": outcome.updates_added,
            },
            detail=f"Imported {outcome.title} from {self.filename}",
        )


def _link(read, position: int) -> StrategicLink:
    code = read.code[:60] if read.code else None
    return StrategicLink(framework=read.framework, code=code, text=read.text[:500], position=position)


def _resolve_pcc_links(imported_plan_ids: set[int]) -> list[str]:
    """Point every unresolved PCC link in the database at the PCC deliverable with its number, if one exists.

    Where several PCC plans have the deliverable, one from this import wins, then one of the link's own period.
    Returns the links of other (earlier) plans that resolved now.
    """
    deliverables: dict[str, list[tuple[bool, int, int, str]]] = {}  # ref -> (in this import, plan, action, period)
    rows = db.session.execute(
        select(Action.id, Action.ref, Plan.id, Plan.period_label).join(Plan).where(Plan.kind == PlanKind.PCC)
    )
    for action_id, ref, plan_id, period_label in rows:
        deliverables.setdefault(ref, []).append((plan_id in imported_plan_ids, plan_id, action_id, period_label))
    if not deliverables:
        return []
    links = db.session.scalars(
        select(StrategicLink)
        .where(
            StrategicLink.framework == Framework.PCC,
            StrategicLink.target_action_id.is_(None),
            StrategicLink.code.is_not(None),
        )
        .options(selectinload(StrategicLink.action).selectinload(Action.plan))
    )
    earlier = []
    for link in links:
        if link.code not in deliverables:
            continue
        period = link.action.plan.period_label
        best = max(deliverables[link.code], key=lambda found: (found[0], found[3] == period, found[1]))
        link.target_action_id = best[2]
        if link.action.plan_id not in imported_plan_ids:
            earlier.append(f"{link.action.display_ref} of {link.action.plan.title} → PCC {link.code}")
    return earlier
