"""The one rule for what a reader may see of restricted and marked text: pages, search, traceability and exports.

Viewers (the PCC office) and the PCC copy of an export are *withholding* readers. For them:
- a restricted action keeps its strand, ref, RAG, status and target date, and nothing else: its text,
  responsibility, owners, links, RAG reasons and every one of its updates are withheld;
- an update flagged restricted is withheld, on any action;
- any text carrying the OFFICIAL-SENSITIVE marking, however it is typed (dashes, colons, invisible
  characters), is treated as restricted: a marked field says [REDACTED], a marked update is withheld;
- a RAG decision taken on a withheld update is withheld with it, so the RAG history does not give it away;
- a measure linked to a restricted action (or carrying the marking) is withheld whole, its figures with it.

Everyone else reads everything. Pages, search, traceability, JSON and Excel all ask this module, so the
rule is said once. Searching in SQL cannot normalise text the way Python does, so `may_be_marked` is a
deliberately wider net (any "sensitive", any invisible character): a withholding reader's search never
looks inside such text, even when it turns out not to be marked.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, false, not_, or_

from app.models import Action, Measure, Role, Update, User

REDACTED = "[REDACTED]"

# Characters that do not show but would split the marking: soft hyphen, zero-width space/joiners, word joiner, BOM.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
# Every dash a word processor or keyboard produces, read as a plain hyphen.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_FOLD = {**dict.fromkeys(map(ord, INVISIBLE), None), **dict.fromkeys(map(ord, DASHES), "-")}
_FOLDED = re.compile(f"[{re.escape(INVISIBLE + DASHES)}]")  # does the text hold anything _FOLD changes
# After folding: OFFICIAL, then any run of spaces, hyphens, underscores, colons, slashes or dots, then SENSITIVE.
_MARKING = re.compile(r"official[\s\-_:/.\\|]*sensitive")


def normalise(text: str | None) -> str:
    """The text as the marking check reads it: compatibility forms folded (non-breaking spaces, full-width
    letters), invisible characters dropped, every dash a hyphen, case folded. ASCII text is its own NFKC form
    and holds none of the characters folded, so lowering it is the same; other text is translated only when it
    holds a character to fold (a dict translation reads every character in Python: the cost of an export's
    50,000 updates)."""
    text = text or ""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text)
    return (text.translate(_FOLD) if _FOLDED.search(text) else text).casefold()


def is_marked(text: str | None) -> bool:
    """Whether the text carries the OFFICIAL-SENSITIVE marking (in any of the ways people type it)."""
    return bool(text) and _MARKING.search(normalise(text)) is not None


def unmark(text: str | None) -> str:
    """The text with each marking replaced by [REDACTED], the rest kept (for plan-level text in the PCC copy)."""
    text = text or ""
    if not is_marked(text):
        return text
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return re.sub(_MARKING.pattern, REDACTED, folded, flags=re.IGNORECASE)


def may_be_marked(column):
    """SQL: text that might carry the marking. Wider than `is_marked` (a test holds it to that), so search
    and the recent-updates list can leave such text out for withholding readers without reading it."""
    full_width = ("ＳＥＮＳＩＴＩＶＥ", "ｓｅｎｓｉｔｉｖｅ")  # NFKC folds these in Python; LIKE cannot
    return or_(column.ilike("%sensitive%"), *(column.contains(text) for text in (*INVISIBLE, *full_width)))


@dataclass(frozen=True)
class Reader:
    """Who is reading: `withholds` is True for viewers and for the PCC copy of an export."""

    withholds: bool

    @classmethod
    def for_user(cls, user: User) -> "Reader":
        return cls(withholds=user.role is Role.VIEWER)

    def withheld(self, action: Action) -> bool:
        """The whole action (but its strand, ref, RAG, status and date) is withheld from this reader."""
        return self.withholds and bool(action.restricted)

    def field(self, action: Action, text: str | None) -> str:
        """One text of an action as this reader sees it: [REDACTED] where withheld, empty where there is none."""
        text = text or ""
        if text and self.withholds and (action.restricted or is_marked(text)):
            return REDACTED
        return text

    def kept(self, text: str | None) -> str:
        """Text even a withheld action keeps (its target date as written): [REDACTED] only when it is marked."""
        text = text or ""
        return REDACTED if text and self.withholds and is_marked(text) else text

    def update_withheld(self, action: Action, *, restricted: bool, text: str | None, author: str | None = "") -> bool:
        """An update is withheld on a restricted action, when flagged, or when its text or author is marked."""
        if not self.withholds:
            return False
        return bool(action.restricted or restricted or is_marked(text) or is_marked(author))

    def update_hidden(self, action: Action, update: Update) -> bool:
        return self.update_withheld(action, restricted=update.restricted, text=update.text, author=update.author_name)

    def updates(self, action: Action, updates: Iterable[Update]) -> list[Update]:
        """The updates of the action this reader may read, oldest first (undated imported text before dated)."""
        shown = [u for u in updates if not self.update_hidden(action, u)]
        return sorted(shown, key=lambda u: (u.as_at is not None, u.as_at or date.min, u.id or 0))

    def rag_changes(self, action: Action, changes: Sequence, updates: Sequence[Update]) -> list:
        """The RAG decisions this reader may see: none taken on a withheld update (a proposal written since the
        decision before), and on a restricted action none with a reason (its reasons are withheld)."""
        if not self.withholds:
            return list(changes)
        proposals = [_aware(u.created_at) for u in updates if u.rag is not None and self.update_hidden(action, u)]
        shown, since = [], datetime.min.replace(tzinfo=UTC)
        for change in sorted(changes, key=lambda c: (_aware(c.changed_at), c.id or 0)):
            at = _aware(change.changed_at)
            led_by_withheld = any(since < proposed <= at for proposed in proposals)
            reason_withheld = bool(change.reason) and (action.restricted or is_marked(change.reason))
            if not led_by_withheld and not reason_withheld:
                shown.append(change)
            since = at
        return shown

    def measure_withheld(self, measure: Measure) -> bool:
        """A measure linked to a restricted action, or whose name, unit, breakdown or notes carry the marking, is
        withheld whole (its figures too): the figures of restricted work would tell what the text withholds."""
        if not self.withholds:
            return False
        texts = (measure.name, measure.unit, measure.dimension, measure.notes, *(measure.categories or []))
        return any(a.restricted for a in measure.actions) or any(is_marked(t) for t in texts)

    def text(self, value: str | None) -> str:
        """Plan-level text (title, lead, aims): only the marking itself is taken out for a withholding reader."""
        return unmark(value) if self.withholds else value or ""

    # SQL forms of the same rule, for search and lists that are filtered in the database.

    def searchable(self, column):
        """SQL: the action text in `column` may be searched by this reader."""
        if not self.withholds:
            return None
        return and_(Action.restricted.is_(False), not_(may_be_marked(column)))

    def visible_update(self):
        """SQL: an update (joined to its action) this reader may read; `true` for readers who see everything."""
        if not self.withholds:
            return not_(false())
        return and_(
            Action.restricted.is_(False),
            Update.restricted.is_(False),
            not_(may_be_marked(Update.text)),
            not_(may_be_marked(Update.author_name)),
        )

    def visible_links(self):
        """SQL: a strategic link (joined to its local action) this reader may see: a restricted action's links
        are withheld, so it neither delivers a code nor counts in a roll-up for this reader."""
        return Action.restricted.is_(False) if self.withholds else not_(false())


EVERYONE = Reader(withholds=False)
WITHHOLDING = Reader(withholds=True)


def _aware(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
