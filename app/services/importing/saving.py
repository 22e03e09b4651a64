"""Importing plan workbooks: the whole file in one transaction, or nothing.

Re-importing is safe. Plans are matched by title and period (identity.py: a title that is only the file's name
is asked about). Actions are matched by their words before their numbers, so history follows an action that was
renumbered (matching.py). Every field goes through a three-way merge against what the last import read
(merging.py, the baselines): only what the file changed since then is applied, and what both the file and the
tracker changed is a conflict the administrator settles. A passage of commentary the tracker holds is never
added again, whatever its colour or place now (passages.py). A file's RAG is a proposal for the plan's lead,
unless the lead imports it and says it is their decision (rags.py). Nothing is deleted or blanked.

Plans and actions go through the ORM; the many rows under them (links, RAG history, updates, baselines) are
inserted in bulk once the actions have ids, so a plan of thousands of actions imports in a few seconds.
"""

import logging
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import Action, Plan, StrategicLink, Update, User
from app.models.enums import Framework
from app.services import gc_pause
from app.services.audit import trail as audit
from app.services.importing import baselines, rags
from app.services.importing.choices import Answers, ImportChoices
from app.services.importing.findings import ActionRead, PlanRead
from app.services.importing.guard import WorkbookRejected
from app.services.importing.identity import find_plan
from app.services.importing.matching import match_actions
from app.services.importing.passages import first_words, new_updates
from app.services.importing.pcc_links import resolve_pcc_links
from app.services.importing.report import ImportReport, NewAction, NewUpdate, PlanOutcome, Renumbering
from app.services.importing.stored import StoredHistory
from app.services.importing.writing import ActionWriting, Written, free_refs, write_objectives, write_plan_fields

if TYPE_CHECKING:
    from app.services.importing.workbook import Progress

log = logging.getLogger(__name__)

NOT_SAVED = "The plan could not be saved, so nothing was imported: try again, and tell the administrator if it recurs"
ONE_PLAN = "The workbook holds {count} plans: say which plan it is only for a workbook of one plan"
CHUNK = 500  # ids per IN (...) list, well inside every database's limit
PREVIEW_ACTIONS = 5  # the first actions shown as they will be stored, on the check page and in a dry run


def remembered_mapping(plans: list[PlanRead]) -> dict[str, str]:
    """The column mapping the admin gave when these plans were last imported (first plan that has one)."""
    for read in plans:
        stored = db.session.scalar(select(Plan).filter_by(title=read.title, period_label=read.period_label))
        if stored is not None and stored.column_mapping:
            return dict(stored.column_mapping)
    return {}


class ImportNeedsAnswers(WorkbookRejected):
    """The import asks something only a person can answer (a renumbering, which plan): nothing was saved."""

    def __init__(self, report: ImportReport):
        super().__init__("Answer these questions before importing: " + "; ".join(report.unanswered))
        self.report = report


def import_workbook(
    data: bytes,
    filename: str,
    *,
    user: User | None = None,
    dry_run: bool = False,
    progress: "Progress | None" = None,
    choices: ImportChoices | None = None,
) -> ImportReport:
    """Read the workbook and write its plans in one transaction; a dry run does the same, reports, and rolls back.

    Commits the session (rolls it back for a dry run). Raises WorkbookRejected, with one line for the person,
    when the file cannot be read or saved, and ImportNeedsAnswers when a question is unanswered; the database
    is then unchanged. `progress(rows_read, rows_in_all)` is told how the reading goes.
    """
    with gc_pause.paused():
        return _import(data, filename, user, dry_run, progress, choices or ImportChoices())


def _import(data, filename: str, user, dry_run: bool, progress, choices: ImportChoices) -> ImportReport:
    from app.services.importing.workbook import read_workbook  # openpyxl loads when a file is read, not before

    mapping = choices.columns
    reading = read_workbook(data, filename, progress=progress, mapping=mapping)
    if not mapping and (remembered := remembered_mapping(reading.plans)):
        reading = read_workbook(data, filename, mapping=remembered)
        mapping = remembered
    if choices.one_plan and len(reading.plans) != 1:
        raise WorkbookRejected(ONE_PLAN.format(count=len(reading.plans)))
    report = ImportReport(filename, dry_run, warnings=reading.warnings, sheets_not_read=reading.sheets_not_read)
    try:
        writers = [_PlanWriter(plan, index, filename, user, choices) for index, plan in enumerate(reading.plans)]
        for writer in writers:
            writer.write()
            if mapping:
                writer.plan.column_mapping = dict(mapping)
        db.session.flush()
        for writer in writers:
            writer.write_rows()
        report.earlier_links_resolved = resolve_pcc_links({writer.plan.id for writer in writers})
        report.plans = [writer.outcome_with_links() for writer in writers]
        if dry_run or report.unanswered:
            db.session.rollback()
            for outcome in report.plans:
                outcome.plan_id = None if outcome.is_new else outcome.plan_id
            if not dry_run:
                raise ImportNeedsAnswers(report)
            return report
        for writer in writers:
            writer.record_audit()
        db.session.commit()
    except ImportNeedsAnswers:
        raise
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

    def __init__(self, read: PlanRead, index: int, filename: str, user: User | None, choices: ImportChoices):
        self.read, self.index, self.filename, self.user, self.choices = read, index, filename, user, choices
        self._plan: Plan | None = None
        self.history = StoredHistory()
        self.written: list[Written] = []
        self._writing: ActionWriting | None = None
        self.outcome = PlanOutcome(
            title=read.title,
            period_label=read.period_label,
            kind=read.kind,
            sheets=read.sheets,
            is_new=False,
            actions_per_group=read.actions_per_group(),
            warnings=read.warnings,
            columns_not_understood=read.columns_not_understood,
            column_readings=read.column_readings,
            first_actions=read.actions[:PREVIEW_ACTIONS],
        )

    @property
    def plan(self) -> Plan:
        """The plan created or found by `write`, which runs first."""
        if self._plan is None:
            raise RuntimeError("the plan is not written yet")
        return self._plan

    @property
    def writing(self) -> ActionWriting:
        if self._writing is None:
            raise RuntimeError("the plan is not written yet")
        return self._writing

    def write(self) -> None:
        read, outcome = self.read, self.outcome
        plan, outcome.plan_question = find_plan(read, self.index, self.filename, self.choices.plans.get(self.index))
        if plan is None:
            plan = Plan(title=read.title, period_label=read.period_label)
            db.session.add(plan)
            outcome.is_new = True
        else:
            outcome.title, outcome.period_label = plan.title, plan.period_label
        self._plan = plan
        baseline = write_plan_fields(plan, read, outcome, self.choices.take_file, f"{self.index}:", self.filename)
        objectives = write_objectives(
            plan, read.objectives, outcome, self.choices.take_file, f"{self.index}:", baseline
        )
        db.session.flush()  # the plan and its objectives have ids for the new actions' rows
        stored = [] if outcome.is_new else list(db.session.scalars(select(Action).where(Action.plan_id == plan.id)))
        self.history = StoredHistory.load([action.id for action in stored])
        matching = match_actions(read.actions, stored, Answers(self.choices))
        outcome.questions = matching.questions
        outcome.actions_not_in_file = len(matching.not_in_file)
        renamed = free_refs(matching)
        outcome.refs_not_in_file = [
            f"{renamed[action.id]} (kept as {action.display_ref})" if action.id in renamed else action.display_ref
            for action in matching.not_in_file
        ]
        decides = rags.lead_decides(self.user, plan, self.choices.rag_decisions)
        self._writing = ActionWriting(plan, objectives, self.history, self.choices.take_file, f"{self.index}:", decides)
        for position, (action_read, action) in enumerate(matching.pairs):
            if action is None:
                self._create_action(plan, action_read, position)
            else:
                self._update_action(action, action_read, position, matching.renumbered.get(action.id))

    def _create_action(self, plan: Plan, read: ActionRead, position: int) -> None:
        self.written.append(self.writing.new(read, position))
        self.outcome.actions_created += 1
        self.outcome.new_actions.append(NewAction(read.display_ref, first_words(read.what, 50)))

    def _update_action(self, action: Action, read: ActionRead, position: int, renumbered_from: str | None) -> None:
        written, merge = self.writing.update(action, read, position)
        self.written.append(written)
        outcome = self.outcome
        if renumbered_from:
            outcome.renumberings.append(Renumbering(renumbered_from, read.display_ref, first_words(action.what, 50)))
        outcome.field_changes += merge.changes
        outcome.conflicts += merge.conflicts
        if written.rag is not None:
            outcome.rags.append(written.rag)
        labels = list(dict.fromkeys(change.label for change in merge.changes))
        if written.rag is not None and written.rag.decided:
            labels.append("RAG")
        if labels:
            outcome.actions_changed.append(f"{read.display_ref} ({', '.join(labels)})")
        elif not renumbered_from:
            outcome.actions_unchanged += 1

    def write_rows(self) -> None:
        """New actions, then links, RAG history and updates, in bulk (one statement per table)."""
        new = [(written, written.row) for written in self.written if written.row is not None]
        if new:
            # One executemany, then the ids by (strand, ref), unique in the plan: INSERT … RETURNING in the
            # rows' order costs a statement per row on SQLite.
            _insert(Action, [row for _, row in new])
            ids = dict(
                ((strand, ref), action_id)
                for action_id, strand, ref in db.session.execute(
                    select(Action.id, Action.strand, Action.ref).where(Action.plan_id == self.plan.id)
                )
            )
            for written, row in new:
                written.id = ids[(row["strand"], row["ref"])]
        relinked = [w.id for w in self.written if w.relink and w.action is not None and w.id in self.history.links]
        for start in range(0, len(relinked), CHUNK):
            db.session.execute(
                delete(StrategicLink).where(StrategicLink.action_id.in_(relinked[start : start + CHUNK]))
            )
        _insert(
            StrategicLink,
            [
                _link_row(w.saved_id, index, link)
                for w in self.written
                if w.relink
                for index, link in enumerate(w.read.links)
            ],
        )
        rag_changes, proposals = rags.rows(self.written, self.plan.id, self.user, self.filename)
        _insert(rags.RagChange, rag_changes)
        updates = []
        for written in self.written:
            found = new_updates(written.read.updates, self.history.texts(written.id))
            self.outcome.updates_already_there += found.already
            self.outcome.reworded_updates += [f"{written.read.display_ref}: '{words}'" for words in found.reworded]
            for update in found.fresh:
                updates.append(_update_row(written.saved_id, self.plan.id, update))
                words = first_words(update.text, 40)
                self.outcome.new_updates.append(NewUpdate(written.read.display_ref, words, update.as_at))
        _insert(Update, updates)
        _insert(Update, proposals)
        self.outcome.updates_added = len(updates)
        baselines.save(self.plan, self.written, self.filename)

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
        """One event per plan the import changed; an import that changes nothing leaves no trace."""
        outcome = self.outcome
        if not (outcome.changes_anything or any(conflict.take_file for conflict in outcome.conflicts)):
            return
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
                "actions_renumbered": len(outcome.renumberings),
                "updates_added": outcome.updates_added,
                "rags_proposed": sum(1 for rag in outcome.rags if not rag.decided),
                "rags_decided": sum(1 for rag in outcome.rags if rag.decided),
                "conflicts": {conflict.key: conflict.take_file for conflict in outcome.conflicts},
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


def _update_row(action_id: int, plan_id: int, update) -> dict:
    return {
        "action_id": action_id,
        "plan_id": plan_id,
        "as_at": update.as_at,
        "author_name": update.author_name[:200],
        "text": update.text,
        "source": "import",
        "restricted": update.restricted,
    }
