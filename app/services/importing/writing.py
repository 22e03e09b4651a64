"""Bringing the tracker's plan, objectives and actions up to date with the file, field by field (three-way)."""

from dataclasses import dataclass

from app.extensions import db
from app.models import Action, Objective, Plan, PlanBaseline
from app.models.enums import Rag
from app.services.importing.findings import ActionRead, ObjectiveRead, PlanRead
from app.services.importing.matching import Matching
from app.services.importing.merging import Merge, as_json
from app.services.importing.report import PlanOutcome, RagFromFile
from app.services.importing.stored import StoredHistory

ACTION_FIELDS = {
    "what": "what",
    "how": "how",
    "responsibility": "responsibility",
    "target_date": "target date",
    "target_date_text": "target date",
    "status": "status",
}
PLAN_FIELDS = {"kind": "kind", "priority": "priority", "lead": "lead", "period_start": "start", "period_end": "end"}


@dataclass
class Written:
    """One action of the file on its way in: a stored action brought up to date, or a new one's row."""

    read: ActionRead
    relink: bool  # links to (re)write
    action: Action | None = None
    row: dict | None = None
    id: int | None = None
    rag: RagFromFile | None = None  # the file changed the RAG of a stored action since the last import
    baseline: dict | None = None  # what this import read, to keep for the next one
    baseline_was: dict | None = None

    @property
    def saved_id(self) -> int:
        """The action's id, once it is stored (a new action's row gets it from the bulk insert)."""
        if self.id is None:
            raise RuntimeError(f"{self.read.display_ref} is not saved yet")
        return self.id


def links_of(read: ActionRead) -> list[tuple]:
    return [(link.framework, link.code, link.text) for link in read.links]


def read_values(read: ActionRead) -> dict:
    """What the file says of an action, as the baseline keeps it."""
    values = {name: as_json(getattr(read, name)) for name in ACTION_FIELDS}
    values.update(objective=read.objective_ref, links=as_json(links_of(read)), rag=as_json(read.rag))
    return {name: value for name, value in values.items() if value not in (None, "", [])}


class ActionWriting:
    """Writes the actions of one plan: new ones as rows for a bulk insert, stored ones merged three ways."""

    def __init__(self, plan: Plan, objectives: dict, history: StoredHistory, take_file, key_prefix: str, decides):
        self.plan, self.objectives, self.history = plan, objectives, history
        self.take_file, self.key_prefix, self.decides = take_file, key_prefix, decides
        self.objective_refs = {objective.id: objective.ref for objective in objectives.values()}

    def new(self, read: ActionRead, position: int) -> Written:
        objective = self.objectives.get((read.strand, read.objective_ref))
        row = {
            "plan_id": self.plan.id,
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
        return Written(read, bool(read.links), row=row, baseline=read_values(read))

    def update(self, action: Action, read: ActionRead, position: int) -> tuple[Written, Merge]:
        baseline = self.history.baselines.get(action.id)
        merge = Merge(read.display_ref, baseline, self.take_file, self.key_prefix)
        for attr, label in ACTION_FIELDS.items():
            merge.field(attr, label, getattr(read, attr), getattr(action, attr), _setter(action, attr))
        objective = self.objectives.get((read.strand, read.objective_ref))
        if objective is not None:
            tracker_ref = self.objective_refs.get(action.objective_id)
            merge.field(
                "objective", "objective", read.objective_ref, tracker_ref, _setter(action, "objective_id", objective.id)
            )
        written = Written(read, False, action, id=action.id, baseline_was=baseline)
        stored_links = [tuple(link) for link in self.history.links.get(action.id, [])]
        merge.field("links", "links", links_of(read), stored_links, lambda _: setattr(written, "relink", True))
        written.rag = self._rag(action, read, merge)
        if (action.strand, action.ref) != (read.strand, read.ref):
            action.strand, action.ref = read.strand, read.ref  # already moved by free_refs; harmless otherwise
        if action.position != position:
            action.position = position
        written.baseline = merge.new_baseline
        return written, merge

    def _rag(self, action: Action, read: ActionRead, merge: Merge) -> RagFromFile | None:
        """A RAG the file changed since the last import is a proposal, or the lead's decision when they say so."""
        if read.rag is None:
            return None
        base = (merge.baseline or {}).get("rag")
        merge.new_baseline["rag"] = read.rag.value
        if read.rag == action.rag or (base is not None and Rag(base) == read.rag):
            return None
        change = RagFromFile(read.display_ref, action.rag, read.rag, decided=self.decides)
        if change.decided:
            action.rag = read.rag
        return change


def _setter(record: Action | Objective | Plan, attr: str, value=None):
    def apply(file_value) -> None:
        setattr(record, attr, file_value if value is None else value)

    return apply


def free_refs(matching: Matching) -> dict[int, str]:
    """Move renumbered actions to their new refs without two ever holding one ref at once.

    Renumbered actions go to a temporary ref first; a tracker action that is not in the file but holds a ref the
    file now gives another action is kept under "<ref> (old)"; returns those, action id -> the ref it had.
    """
    moving = [(read, action) for read, action in matching.pairs if action is not None]
    moving = [(read, action) for read, action in moving if (action.strand, action.ref) != (read.strand, read.ref)]
    needed = {(read.strand, read.ref) for read, _ in matching.pairs}
    in_the_way = [action for action in matching.not_in_file if (action.strand, action.ref) in needed]
    if not moving and not in_the_way:
        return {}
    taken = needed | {(action.strand, action.ref) for action in matching.not_in_file}
    renamed = {action.id: action.display_ref for action in in_the_way}
    for _, action in moving:
        action.ref = f"~{action.id}"[:40]
    for action in in_the_way:
        number, ref = 1, f"{action.ref} (old)"[:40]
        while (action.strand, ref) in taken:
            number += 1
            ref = f"{action.ref} (old {number})"[:40]
        taken.add((action.strand, ref))
        action.ref = ref
    db.session.flush()
    for read, action in moving:
        action.strand, action.ref = read.strand, read.ref
    return renamed


OBJECTIVE_FIELDS = {"title": "title", "description": "description", "outcomes": "outcomes"}


def write_objectives(
    plan: Plan, reads: list[ObjectiveRead], outcome: PlanOutcome, take_file, prefix: str, baseline: PlanBaseline
) -> dict:
    """The plan's objectives: new ones as the file gives them, stored ones merged three ways, field by field.

    What each import read of each objective is kept in the plan's baseline under "objectives" (key "strand|ref"),
    so an objective's title edited in the app is not undone by a file that did not change it.
    """
    stored = {(objective.strand, objective.ref): objective for objective in plan.objectives}
    was = dict((baseline.values or {}).get("objectives") or {})
    kept: dict[str, dict] = {}
    result = {}
    for position, read in enumerate(reads):
        key = f"{read.strand or ''}|{read.ref}"
        objective = stored.get((read.strand, read.ref))
        if objective is None:
            objective = Objective(strand=read.strand, ref=read.ref[:40], title=read.title)
            for attr in ("description", "outcomes"):
                if getattr(read, attr):
                    setattr(objective, attr, getattr(read, attr))
            plan.objectives.append(objective)
            kept[key] = {attr: getattr(read, attr) for attr in OBJECTIVE_FIELDS if getattr(read, attr)}
        else:
            name = f"{read.strand} objective {read.ref}" if read.strand else f"Objective {read.ref}"
            merge = Merge(name, was.get(key), take_file, prefix)
            for attr, label in OBJECTIVE_FIELDS.items():
                if merge.field(attr, label, getattr(read, attr), getattr(objective, attr), _setter(objective, attr)):
                    outcome.plan_fields_changed.append(f"{merge.ref} {label}")
            outcome.plan_field_changes += merge.changes
            outcome.conflicts += merge.conflicts
            kept[key] = merge.new_baseline
        if objective.position != position:
            objective.position = position
        result[(read.strand, read.ref)] = objective
    was.update(kept)
    if (baseline.values or {}).get("objectives") != was:
        baseline.values = {**(baseline.values or {}), "objectives": was}
    return result


def write_plan_fields(
    plan: Plan, read: PlanRead, outcome: PlanOutcome, take_file, prefix: str, filename: str
) -> PlanBaseline:
    """The plan's own fields, merged three ways against what the last import of the plan read; its baseline."""
    baseline = db.session.get(PlanBaseline, plan.id) if plan.id else None
    if outcome.is_new:
        for attr in PLAN_FIELDS:
            if getattr(read, attr) is not None:
                setattr(plan, attr, getattr(read, attr))
        values = {attr: as_json(getattr(read, attr)) for attr in PLAN_FIELDS if getattr(read, attr) is not None}
    else:
        merge = Merge("Plan", baseline.values if baseline else None, take_file, prefix)
        for attr, label in PLAN_FIELDS.items():
            if merge.field(attr, label, getattr(read, attr), getattr(plan, attr), _setter(plan, attr)):
                outcome.plan_fields_changed.append(label)
        outcome.plan_field_changes += merge.changes
        outcome.conflicts += merge.conflicts
        values = merge.new_baseline
    # The title and period the file gives, so that the plan is still found after it is renamed in the tracker.
    values = {**values, "file_title": read.title, "file_period": read.period_label}
    if plan.source_filename != filename[:255]:
        plan.source_filename = filename[:255]
    if plan.source_sheet != read.sheets[0][:100]:
        plan.source_sheet = read.sheets[0][:100]
    if baseline is None:
        baseline = _new_baseline(plan, values, filename)
        db.session.add(baseline)
    elif baseline.values != values:
        baseline.values, baseline.filename = values, filename[:255]
    return baseline


def _new_baseline(plan: Plan, values: dict, filename: str) -> PlanBaseline:
    baseline = PlanBaseline(values=values, filename=filename[:255])
    if plan.id:
        baseline.plan_id = plan.id
    else:
        db.session.flush()  # the new plan's id
        baseline.plan_id = plan.id
    return baseline
