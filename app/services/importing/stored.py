"""What the tracker already holds under a plan's actions, read in a few queries, to compare a file against.

Re-importing must recognise the updates and links it brought last time, and know what the last import read
(the baselines), so that importing the same file again changes nothing and an edit made in the app since the
last import is not undone by a file that did not change that field.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import ActionBaseline, StrategicLink, Update
from app.models.enums import Framework

IMPORTED = "Imported from "  # how the RAG an import gives a new action starts its reason: not a decision
CHUNK = 500


@dataclass
class StoredHistory:
    updates: dict[int, list[tuple[str, str, date | None]]] = field(default_factory=dict)  # text, source, as at
    links: dict[int, list[tuple[Framework, str | None, str]]] = field(default_factory=dict)
    baselines: dict[int, dict] = field(default_factory=dict)  # action id -> what the last import read

    @classmethod
    def load(cls, action_ids: list[int]) -> "StoredHistory":
        history = cls()
        for start in range(0, len(action_ids), CHUNK):
            ids = action_ids[start : start + CHUNK]
            for action_id, text, source, as_at in db.session.execute(
                select(Update.action_id, Update.text, Update.source, Update.as_at)
                .where(Update.action_id.in_(ids))
                .order_by(Update.id)
            ):
                history.updates.setdefault(action_id, []).append((text, source, as_at))
            for action_id, framework, code, text in db.session.execute(
                select(StrategicLink.action_id, StrategicLink.framework, StrategicLink.code, StrategicLink.text)
                .where(StrategicLink.action_id.in_(ids))
                .order_by(StrategicLink.position, StrategicLink.id)
            ):
                history.links.setdefault(action_id, []).append((framework, code, text))
            for action_id, values in db.session.execute(
                select(ActionBaseline.action_id, ActionBaseline.values).where(ActionBaseline.action_id.in_(ids))
            ):
                history.baselines[action_id] = values
        return history

    def texts(self, action_id: int | None) -> list[str]:
        """The update texts held for the action (none for an action not yet saved, whose id is None)."""
        return [text for text, _, _ in self.updates.get(action_id, [])] if action_id is not None else []
