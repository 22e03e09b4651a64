"""E-mails the tracker sends of its own accord, and which of them a person may turn off.

- **due soon**: an owner's update on an action is due within the plan's "days before" (optional);
- **overdue**: an owner's update is overdue, i.e. the action is stale (required);
- **decision**: the lead confirmed or changed the RAG of an action the person owns (optional);
- **digest**: the lead's weekly digest of proposals waiting, overdue and stale actions (optional).

"Due" and "overdue" are rag_rules' own: an update is due on the day after which the action would be stale
(`rag_rules.update_due_on`), and overdue once it is (`rag_rules.is_stale`).

The overdue reminder cannot be turned off: keeping an action's commentary up to date is what owning it means,
and the reminder is the only chase an owner who never opens the tracker receives. The others repeat what the
tracker shows (My actions, the action page, the dashboard), so each person chooses. A password reset link is
not a notification: it is sent only when asked for, and always.

No e-mail carries what an action says: only the plan's name, the action's reference, dates, counts and links
(built from BASE_URL), so nothing restricted can reach a mailbox.
"""

from dataclasses import dataclass
from typing import Protocol

DUE_SOON, OVERDUE, DECISION, DIGEST = "due_soon", "overdue", "decision", "digest"


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    description: str
    required: bool


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(DUE_SOON, "Updates due soon", "A reminder a few days before an update on your action is due", False),
        Kind(OVERDUE, "Updates overdue", "A reminder when an update on your action is overdue", True),
        Kind(DECISION, "RAG decisions", "When the plan lead confirms or changes the RAG of your action", False),
        Kind(DIGEST, "Weekly digest", "For plan leads: proposals waiting, overdue and stale actions", False),
    )
}
OPTIONAL = tuple(name for name, kind in KINDS.items() if not kind.required)


class Links(Protocol):
    """Full addresses of the tracker's pages, built from the configured BASE_URL by the caller."""

    def my_actions(self) -> str: ...

    def action(self, action_id: int) -> str: ...

    def dashboard(self, plan_id: int) -> str: ...

    def review_queue(self, plan_id: int) -> str: ...

    def notifications(self) -> str: ...
