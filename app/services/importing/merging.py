"""The three-way merge of one record's fields: the file now, the file at the last import, the tracker now.

- The file did not change the field since the last import: the tracker's value stands (an edit in the app is
  never undone by a file that did not touch it).
- The file changed it and the tracker did not: the file's value is applied.
- Both changed it, differently: a conflict. The tracker's value stands unless the administrator picks the file's.
- No baseline (a record imported before baselines were kept, or made in the app): nobody can say which side
  changed, so a difference is a conflict too.
- An empty cell never clears what the tracker holds, and leaves the baseline as it was.

Values are compared as JSON-able values; text is compared by its words (normalised), so that a trailing space or
Excel's `_x000D_` is no change.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.services.importing.passages import first_words, normalise

MISSING = object()


@dataclass
class FieldChange:
    ref: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.label} {self.old} → {self.new}"


@dataclass
class Conflict:
    """A field both the file and the tracker changed since the last import."""

    key: str  # "<plan index>:<ref>|<field>", what the check page's choice sends back
    ref: str
    label: str
    tracker: str
    file: str
    base: str | None
    take_file: bool = False

    def __str__(self) -> str:
        side = "the file's value is taken" if self.take_file else "the tracker's value stands"
        since = f" (both changed it since the last import, which read {self.base})" if self.base is not None else ""
        return f"{self.ref}: {self.label} is {self.tracker} in the tracker but {self.file} in the file{since}: {side}"


def as_json(value):
    """A field's value as the baseline keeps it."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum
        return value.value
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value


def same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return normalise(a) == normalise(b)
    return a == b


def empty(value) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def shown(value) -> str:
    """A value as the preview writes it: quoted text cut to its first words, dates as 31/03/2016, (none)."""
    if empty(value):
        return "(none)"
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return f"'{first_words(value, 50)}'"
    if isinstance(value, list):
        return ", ".join(" ".join(str(part) for part in item[:2] if part) for item in value) or "(none)"
    return str(value)


class Merge:
    """Merges one record: `field()` for each field decides, `changes` and `conflicts` say what it decided."""

    def __init__(self, ref: str, baseline: dict | None, take_file: frozenset[str], key_prefix: str = ""):
        self.ref, self.baseline, self.take_file, self.key_prefix = ref, baseline, take_file, key_prefix
        self.new_baseline = dict(baseline or {})
        self.changes: list[FieldChange] = []
        self.conflicts: list[Conflict] = []

    def field(self, name: str, label: str, file_value, tracker_value, apply: Callable[[object], None]) -> bool:
        """Merge one field; call `apply(file_value)` when the file's value is to be written. True if applied."""
        file_json, tracker_json = as_json(file_value), as_json(tracker_value)
        if empty(file_json):
            return False
        base = MISSING if self.baseline is None else self.baseline.get(name, MISSING)
        self.new_baseline[name] = file_json
        if same(file_json, tracker_json):
            return False
        if base is not MISSING and same(file_json, base):
            return False  # the file did not change it: the tracker's value stands
        if base is not MISSING and same(tracker_json, base):
            return self._apply(label, file_value, file_json, tracker_json, apply)
        conflict = Conflict(
            f"{self.key_prefix}{self.ref}|{name}",
            self.ref,
            label,
            shown(tracker_json),
            shown(file_json),
            None if base is MISSING else shown(base),
        )
        conflict.take_file = conflict.key in self.take_file
        self.conflicts.append(conflict)
        if conflict.take_file:
            return self._apply(label, file_value, file_json, tracker_json, apply)
        return False

    def _apply(self, label: str, file_value, file_json, tracker_json, apply) -> bool:
        apply(file_value)
        self.changes.append(FieldChange(self.ref, label, shown(tracker_json), shown(file_json)))
        return True

    @property
    def baseline_changed(self) -> bool:
        return self.new_baseline != (self.baseline or {})
