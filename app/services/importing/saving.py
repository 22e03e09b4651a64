"""Importing plan workbooks: the whole file in one transaction, or nothing.

Re-importing is safe: plans are matched by title and period, actions by strand and ref, objectives by strand and
ref. Changed fields are updated, updates not yet in the tracker are appended, and nothing is deleted or blanked:
an action missing from the file is kept, an empty cell never clears what the tracker holds, and updates written
in the app are never touched (they are append-only anyway). PCC links are resolved across every plan in the
database, so links imported earlier resolve when the PCC plan arrives later.

Plans and actions go through the ORM; the many rows under them (links, RAG history, updates) are inserted in
bulk once the actions have ids, so a plan of thousands of actions imports in a few seconds.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import Action, Objective, Plan, RagChange, StrategicLink, Update, User
from app.models.enums import Framework, Rag
from app.services import gc_pause
from app.services.audit import trail as audit
from app.services.importing.findings import ActionRead, PlanRead
from app.services.importing.guard import WorkbookRejected
from app.services.importing.pcc_links import resolve_pcc_links
from app.services.importing.reader import Progress, read_workbook
from app.services.importing.report import ImportReport, PlanOutcome
from app.services.importing.stored import IMPORTED, StoredHistory, new_updates

log = logging.getLogger(__name__)

NOT_SAVED = "The plan could not be saved, so nothing was imported: try again, and tell the administrator if it recurs"
ACTION_FIELDS = {
    "what": "what",
    "how": "how",
    "responsibility": "responsibility",
    "target_date": "target date",
    "target_date_text": "target date",
    "status": "status",
}
PLAN_FIELDS = {"kind": "kind", "priority": "priority", "lead": "lead", "period_start": "start", "period_end": "end"}
CHUNK = 500  # ids per IN (...) list, well inside every database's limit


def import_workbook(
    data: bytes, filename: str, *, user: User | None = None, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Read the workbook and write its plans in one transaction; a dry run does the same, reports, and rolls back.

    Commits the session (rolls it back for a dry run). Raises WorkbookRejected, with one line for the person,
    when the file cannot be read or saved; the database is then unchanged. `progress(rows_read, rows_in_all)`
    is told how the reading goes.
    """
    with gc_pause.paused():
        return _import(data, filename, user, dry_run, progress)


def _import(data: bytes, filename: str, user: User | None, dry_run: bool, progress: Progress | None) -> ImportReport:
    reading = read_workbook(data, filename, progress=progress)
    report = ImportReport(filename, dry_run, warnings=reading.warnings, sheets_not_read=reading.sheets_not_read)
    try:
        writers = [_PlanWriter(plan, filename, user) for plan in reading.plans]
        for writer in writers:
            writer.write()
        db.session.flush()
        for writer in writers:
            writer.write_rows()
        report.earlier_links_resolved = resolve_pcc_links({writer.plan.id for writer in writers})
        report.plans = [writer.outcome_with_links() for writer in writers]
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


@dataclass
class _Written:
    """One action of the file on its way in: a stored action brought up to date, or a new one's row."""

    read: ActionRead
    relink: bool  # links to (re)write
    action: Action | None = None
    row: dict | None = None
    id: int | None = None


class _PlanWriter:
    """Writes one plan read from the file: creates it, or brings the stored plan up to date with it."""

    def __init__(self, read: PlanRead, filename: str, user: User | None):
        self.read, self.filename, self.user = read, filename, user
        self.plan: Plan | None = None
        self.history = StoredHistory()
        self.written: list[_Written] = []
        self.rag_changes: list[tuple[_Written, Rag | None, Rag]] = []
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
        db.session.flush()  # the plan and its objectives have ids for the new actions' rows
        stored = {}
        if not self.outcome.is_new:
            actions = db.session.scalars(select(Action).where(Action.plan_id == plan.id))
            stored = {(action.strand, action.ref): action for action in actions}
            self.history = StoredHistory.load([action.id for action in stored.values()])
        for position, action_read in enumerate(read.actions):
            objective = objectives.get((action_read.strand, action_read.objective_ref))
            action = stored.pop((action_read.strand, action_read.ref), None)
            if action is None:
                self._create_action(plan, action_read, objective, position)
            else:
                self._update_action(action, action_read, objective, position)
        self.outcome.actions_not_in_file = len(stored)

    def _write_objectives(self, plan: Plan) -> dict:
        stored = {(objective.strand, objective.ref): objective for objective in plan.objectives}
        result = {}
        for position, read in enumerate(self.read.objectives):
            objective = stored.get((read.strand, read.ref))
            if objective is None:
                objective = Objective(strand=read.strand, ref=read.ref[:40], title=read.title)
                plan.objectives.append(objective)
            for attr in ("title", "description", "outcomes"):
                if getattr(read, attr) and getattr(objective, attr) != getattr(read, attr):
                    setattr(objective, attr, getattr(read, attr))
            objective.position = position
            result[(read.strand, read.ref)] = objective
        return result

    def _create_action(self, plan: Plan, read: ActionRead, objective: Objective | None, position: int) -> None:
        row = {
            "plan_id": plan.id,
            "strand": read.strand,
            "ref": read.ref,
            "position": position,
            "objective_id": objective.id if objective else None,
            "what": read.what,
            "how": read.how,
            "responsibility": read.responsibility,
            "target_date": read.target_date,
            "target_date_text": read.target_date_text,
            "status": read.status,
            "rag": read.rag,
            "version": 1,
        }
        written = _Written(read, bool(read.links), row=row)
        self.written.append(written)
        if read.rag is not None:
            self.rag_changes.append((written, None, read.rag))
        self.outcome.actions_created += 1

    def _update_action(self, action: Action, read: ActionRead, objective: Objective | None, position: int) -> None:
        changed: list[str] = []
        for attr, label in ACTION_FIELDS.items():
            value = getattr(read, attr)
            if value not in (None, "") and getattr(action, attr) != value:
                setattr(action, attr, value)
                if label not in changed:
                    changed.append(label)
        if objective is not None and action.objective_id != objective.id:
            action.objective_id = objective.id
            changed.append("objective")
        links = [(link.framework, link.code, link.text) for link in read.links]
        written = _Written(read, bool(links) and links != self.history.links.get(action.id, []), action, id=action.id)
        if written.relink:
            changed.append("links")
        # When the file still says what the last import said, a RAG decided in the app since then stands.
        if read.rag is not None and action.rag != read.rag and self.history.last_imported_rag(action.id) != read.rag:
            self.rag_changes.append((written, action.rag, read.rag))
            action.rag = read.rag
            changed.append("RAG")
        if action.position != position:
            action.position = position
        self.written.append(written)
        if changed:
            self.outcome.actions_changed.append(f"{read.display_ref} ({', '.join(changed)})")
        else:
            self.outcome.actions_unchanged += 1

    def write_rows(self) -> None:
        """New actions, then links, RAG history and updates, in bulk (one statement per table)."""
        new = [written for written in self.written if written.row is not None]
        if new:
            # One executemany, then the ids by (strand, ref), unique in the plan: INSERT … RETURNING in the
            # rows' order costs a statement per row on SQLite.
            _insert(Action, [written.row for written in new])
            ids = dict(
                ((strand, ref), action_id)
                for action_id, strand, ref in db.session.execute(
                    select(Action.id, Action.strand, Action.ref).where(Action.plan_id == self.plan.id)
                )
            )
            for written in new:
                written.id = ids[(written.row["strand"], written.row["ref"])]
        relinked = [w.id for w in self.written if w.relink and w.action is not None and w.id in self.history.links]
        for start in range(0, len(relinked), CHUNK):
            db.session.execute(
                delete(StrategicLink).where(StrategicLink.action_id.in_(relinked[start : start + CHUNK]))
            )
        _insert(
            StrategicLink,
            [_link_row(w.id, index, link) for w in self.written if w.relink for index, link in enumerate(w.read.links)],
        )
        reason, user_id = f"{IMPORTED}{self.filename}"[:1000], self.user.id if self.user else None
        _insert(
            RagChange,
            [
                {"action_id": w.id, "from_rag": old, "to_rag": new, "user_id": user_id, "reason": reason}
                for w, old, new in self.rag_changes
            ],
        )
        updates = []
        for written in self.written:
            fresh, already = new_updates(written.read.updates, self.history.updates.get(written.id, []))
            self.outcome.updates_already_there += already
            updates += [_update_row(written.id, update) for update in fresh]
        _insert(Update, updates)
        self.outcome.updates_added = len(updates)

    def outcome_with_links(self) -> PlanOutcome:
        outcome = self.outcome
        outcome.plan_id = self.plan.id
        labels = {written.id: written.read.display_ref for written in self.written}
        rows = db.session.execute(
            select(StrategicLink.action_id, StrategicLink.framework, StrategicLink.code, StrategicLink.target_action_id)
            .join(Action, StrategicLink.action_id == Action.id)
            .where(Action.plan_id == self.plan.id)
            .order_by(Action.position, StrategicLink.position)
        )
        for action_id, framework, code, target in rows:
            if action_id not in labels:
                continue
            outcome.links += 1
            if framework is Framework.PCC:
                label = f"{labels[action_id]} → PCC {code}" if code else f"{labels[action_id]} → PCC"
                (outcome.pcc_resolved if target else outcome.pcc_unresolved).append(label)
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


def _insert(model, rows: list[dict]) -> None:
    if rows:  # Core insert on the table: no ORM bookkeeping for rows that nothing in this session reads back
        db.session.execute(insert(model.__table__), rows)


def _link_row(action_id: int, position: int, link) -> dict:
    code = link.code[:60] if link.code else None
    return {
        "action_id": action_id,
        "framework": link.framework,
        "code": code,
        "text": link.text[:500],
        "position": position,
    }


def _update_row(action_id: int, update) -> dict:
    return {
        "action_id": action_id,
        "as_at": update.as_at,
        "author_name": update.author_name[:200],
        "text": update.text,
        "source": "import",
        "restricted": False,
    }
