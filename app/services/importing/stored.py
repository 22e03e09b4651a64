"""What the tracker already holds under a plan's actions, read in a few queries, to compare a file against.

Re-importing must recognise the updates, links and RAG it brought last time, so that importing the same file
again adds nothing and a RAG decided in the app since the last import is not undone by the same file.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import RagChange, StrategicLink, Update
from app.models.enums import Framework, Rag
from app.services.importing.findings import UpdateRead

IMPORTED = "Imported from "  # how an import's RAG changes start their reason
CHUNK = 500


@dataclass
class StoredHistory:
    updates: dict[int, list[tuple[str, str, date | None]]] = field(default_factory=dict)  # text, source, as at
    links: dict[int, list[tuple[Framework, str | None, str]]] = field(default_factory=dict)
    imported_rags: dict[int, Rag | None] = field(default_factory=dict)

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
            for action_id, to_rag in db.session.execute(
                select(RagChange.action_id, RagChange.to_rag)
                .where(RagChange.action_id.in_(ids), RagChange.reason.startswith(IMPORTED))
                .order_by(RagChange.id)
            ):
                history.imported_rags[action_id] = to_rag
        return history

    def last_imported_rag(self, action_id: int) -> Rag | None:
        return self.imported_rags.get(action_id)


def new_updates(read: list[UpdateRead], stored: list[tuple[str, str, date | None]]) -> tuple[list[UpdateRead], int]:
    """The updates of a cell that the tracker does not hold yet, and how many it already holds.

    An update is already there when an update of the action has the same text and either came from an import
    or was written in the app on the same date (the tracker's export writes those back with their date).
    """
    unused = list(stored)
    fresh = []
    for update in read:
        match = next(
            (
                index
                for index, (text, source, as_at) in enumerate(unused)
                if text == update.text and (source == "import" or as_at == update.as_at)
            ),
            None,
        )
        if match is None:
            fresh.append(update)
        else:
            unused.pop(match)
    return fresh, len(read) - len(fresh)
