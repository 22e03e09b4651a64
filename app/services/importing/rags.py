"""How a file's RAG enters the review workflow.

A RAG typed in a spreadsheet is somebody's view, not the lead's decision. When the file changes an action's RAG
since the last import, it goes to the review queue as a proposal attributed to the file and to the person who
imported it, exactly like an owner's proposal (an update carrying a RAG, with no date of its own so that it
never makes an action look freshly updated). It is a decision only when the plan's lead imports the file and
says the RAGs in it are theirs. The RAG a file gives a new action is where it starts, recorded as imported,
which the queue does not count as a decision: an import never suppresses a rule's suggestion.
"""

from app.models import Plan, RagChange, User
from app.services.importing.stored import IMPORTED

__all__ = ["RagChange", "lead_decides", "rows"]


def lead_decides(user: User | None, plan: Plan, says_so: bool) -> bool:
    """True when the importer is the plan's lead and says the file's RAGs are their decisions."""
    return bool(says_so and user is not None and plan.lead_user_id is not None and plan.lead_user_id == user.id)


def proposer(user: User | None, filename: str) -> str:
    who = user.name if user is not None else "the command line"
    return f"{filename} (imported by {who})"[:200]


def rows(written: list, plan_id: int, user: User | None, filename: str) -> tuple[list[dict], list[dict]]:
    """The RAG history rows (new actions' first RAG, the lead's decisions) and the proposals' update rows (of
    actions of the plan `plan_id`)."""
    user_id = user.id if user is not None else None
    changes, proposals = [], []
    for w in written:
        if w.row is not None and w.row["rag"] is not None:
            reason = f"{IMPORTED}{filename}"[:1000]
            changes.append(
                {"action_id": w.id, "from_rag": None, "to_rag": w.row["rag"], "user_id": user_id, "reason": reason}
            )
        elif w.rag is not None and w.rag.decided:
            reason = f"Decided by the plan's lead when importing {filename}"[:1000]
            changes.append(
                {"action_id": w.id, "from_rag": w.rag.old, "to_rag": w.rag.new, "user_id": user_id, "reason": reason}
            )
        elif w.rag is not None:
            old = w.rag.old.label if w.rag.old else "no RAG"
            proposals.append(
                {
                    "action_id": w.id,
                    "plan_id": plan_id,
                    "as_at": None,
                    "author_id": user_id,
                    "author_name": proposer(user, filename),
                    "text": f"The file {filename} gives {w.rag.new.label} (the tracker has {old}).",
                    "rag": w.rag.new,
                    "source": "import",
                    "restricted": False,
                }
            )
    return changes, proposals
