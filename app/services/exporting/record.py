"""The internal copy's full record: what each owner proposed beside what the lead confirmed, the reasons for
each decision, and the review meetings with who attended. The PCC copy never has these sheets: reasons and
attendees name people and often quote restricted updates.
"""

from dataclasses import dataclass
from datetime import datetime

from xlsxwriter.worksheet import Worksheet

from app.extensions import db
from app.models import Action, Plan, Rag, RagChange, User
from app.services.exporting.content import PlanContent, Redactor
from app.services.exporting.rows import DateNumbers, RowWriter
from app.services.exporting.sheets import SheetFrame, fitted_height, groups_of, header_row, title_rows
from app.services.exporting.styles import CellWriter

DECISION_COLUMNS = [
    ("Strand", 10),
    ("Ref", 8),
    ("Proposed RAG", 11),
    ("Proposed on", 12),
    ("Confirmed RAG", 11),
    ("Decided on", 12),
    ("Decided by", 20),
    ("From", 9),
    ("To", 9),
    ("Reason", 70),
]
REVIEW_COLUMNS = [("Held on", 12), ("Attendees", 80), ("Recorded by", 24), ("Actions reviewed", 12)]


@dataclass(frozen=True)
class Decision:
    action_id: int
    changed_at: datetime
    by: str
    from_rag: Rag | None
    to_rag: Rag | None
    reason: str


def load_decisions(plan: Plan) -> dict[int, list[Decision]]:
    """Every RAG decision of the plan in one query, oldest first per action."""
    rows = db.session.execute(
        db.select(
            RagChange.action_id, RagChange.changed_at, User.name, RagChange.from_rag, RagChange.to_rag, RagChange.reason
        )
        .join(Action, Action.id == RagChange.action_id)
        .outerjoin(User, User.id == RagChange.user_id)
        .where(Action.plan_id == plan.id)
        .order_by(RagChange.changed_at, RagChange.id)
    )
    by_action: dict[int, list[Decision]] = {}
    for action_id, changed_at, name, from_rag, to_rag, reason in rows:
        by_action.setdefault(action_id, []).append(
            Decision(action_id, changed_at, name or "", from_rag, to_rag, reason)
        )
    return by_action


def write_decisions_sheet(ws: Worksheet, writer: CellWriter, content: PlanContent, redactor: Redactor, titles):
    """One row per decision (one row for an action never decided), each carrying the action's latest proposal
    and its confirmed RAG, so a filter on either shows where owner and lead differ."""
    decisions = load_decisions(content.plan)
    header = title_rows(ws, writer, titles)
    header_row(ws, writer, header, DECISION_COLUMNS)
    row = header
    rows, dates = RowWriter(ws, len(DECISION_COLUMNS)), DateNumbers(ws)  # each row written whole (rows.py)
    for action in (action for group in groups_of(content) for action in group.actions):
        proposal = next((u for u in reversed(content.facts_of(action)) if u.rag is not None), None)
        none: list[Decision | None] = [None]
        for decision in decisions.get(action.id) or none:
            row += 1
            reason = redactor.action_text(action, decision.reason) if decision else ""
            tails = [
                writer.text_tail(action.strand.value if action.strand else ""),
                writer.text_tail(action.ref),
                writer.rag_tail(proposal.rag) if proposal else writer.text_tail("None proposed"),
                writer.date_tail(dates, proposal.as_at if proposal else None),
                writer.rag_tail(action.rag),
            ]
            if decision is None:
                tails += [writer.text_tail("Not decided"), *(writer.text_tail("") for _ in range(6, 10))]
            else:
                tails += [
                    writer.date_tail(dates, decision.changed_at.date()),
                    writer.text_tail(decision.by),
                    writer.rag_tail(decision.from_rag),
                    writer.rag_tail(decision.to_rag),
                    writer.text_tail(reason),
                ]
            rows.row(row, fitted_height([(reason, DECISION_COLUMNS[-1][1])]), tails)
    rows.close()
    return SheetFrame(header_row=header, last_row=row, columns=len(DECISION_COLUMNS))


def write_reviews_sheet(ws: Worksheet, writer: CellWriter, content: PlanContent, redactor: Redactor, titles):
    """Each review meeting, oldest first, with its attendees as recorded."""
    header = title_rows(ws, writer, titles)
    header_row(ws, writer, header, REVIEW_COLUMNS)
    row = header
    for review in content.reviews:
        row += 1
        attendees = redactor.text(review.attendees) or "Not recorded"
        ws.set_row(row, fitted_height([(attendees, REVIEW_COLUMNS[1][1])]))
        writer.date(ws, row, 0, review.held_on)
        writer.text(ws, row, 1, attendees)
        writer.text(ws, row, 2, review.recorded_by.name if review.recorded_by else "")
        writer.number(ws, row, 3, len(content.snapshots.get(review.id, [])))
    return SheetFrame(header_row=header, last_row=row, columns=len(REVIEW_COLUMNS))
