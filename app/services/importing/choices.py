"""What the administrator said on the check page (or on the command line) about one import."""

from dataclasses import dataclass, field


@dataclass
class ImportChoices:
    """Answers to the questions an import may ask, and what to take from the file where both sides changed.

    - `take_file`: conflict keys ("Prepare 1|what") where the file's value is to replace the tracker's.
    - `renumbered`: question keys ("Prevent 3 <- Prevent 2") answered yes (True) or no (False).
    - `plans`: the index of a plan in the file -> the id of the tracker's plan it is, or 0 for a new plan.
    - `rag_decisions`: the importer, as the plan's lead, says the file's RAGs are their decisions.
    - `all_renumbered` / `none_renumbered`: answer every renumbering question at once (the CLI's flags).
    - `columns`: what the administrator said columns mean (normalised heading or column letter -> meaning);
      remembered with the plan, and a plan's remembered mapping is used when none is given.
    """

    take_file: frozenset[str] = frozenset()
    renumbered: dict[str, bool] = field(default_factory=dict)
    plans: dict[int, int] = field(default_factory=dict)
    rag_decisions: bool = False
    one_plan: bool = False  # `plans` names the plan of a workbook that must hold only one (`--plan ID`)
    all_renumbered: bool = False
    none_renumbered: bool = False
    columns: dict[str, str] = field(default_factory=dict)

    def answer_for(self, key: str) -> bool | None:
        if key in self.renumbered:
            return self.renumbered[key]
        if self.all_renumbered:
            return True
        if self.none_renumbered:
            return False
        return None


class Answers(dict):
    """The renumbering answers as the matcher reads them: `get(key)` gives yes, no or None (not answered)."""

    def __init__(self, choices: ImportChoices):
        super().__init__()
        self.choices = choices

    def get(self, key, default=None):
        return self.choices.answer_for(key)
