"""The fixed vocabularies of a delivery plan: the four Ps, RAG, roles, link frameworks, statuses."""

import enum


class Strand(enum.StrEnum):
    """The 4P framework of the National Modern Slavery and Serious and Organised Crime strategies."""

    PREPARE = "Prepare"
    PREVENT = "Prevent"
    PROTECT = "Protect"
    PURSUE = "Pursue"

    @property
    def meaning(self) -> str:
        return STRAND_MEANINGS[self]

    @property
    def position(self) -> int:
        return list(Strand).index(self)


STRAND_MEANINGS = {
    Strand.PREPARE: "Reducing the impact of serious and organised crime (awareness, readiness, reception centres)",
    Strand.PREVENT: "Preventing people from engaging in serious and organised crime (engagement, training, reporting)",
    Strand.PROTECT: "Increasing protection against serious and organised crime (victim care, NRM, intelligence)",
    Strand.PURSUE: "Prosecuting and disrupting serious and organised crime (targeting offenders and OCGs)",
}


class Rag(enum.StrEnum):
    """BRAG: Blue means complete."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"

    @property
    def label(self) -> str:
        return "Blue (complete)" if self is Rag.BLUE else self.value.capitalize()

    @property
    def severity(self) -> int:
        """Worst first: used to roll up and to sort Reds and Ambers to the top."""
        return RAG_SEVERITY[self.value]  # a dict built once: queues sort thousands of these


RAG_SEVERITY = {"red": 0, "amber": 1, "green": 2, "blue": 3}


class Role(enum.StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    OWNER = "owner"
    VIEWER = "viewer"


class Framework(enum.StrEnum):
    NS = "NS"
    SENTINEL = "Sentinel"
    PCC = "PCC"
    HMIC = "HMIC"
    OTHER = "Other"

    def label(self, code: str | None) -> str:
        """A link to this framework as the pages and exports say it: "PCC 3.3.7", or "NS" without a code."""
        return f"{self.value} {code}" if code else self.value


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    ONGOING = "Ongoing"
    COMPLETE = "Complete"
    SUPERSEDED = "Superseded"
    CARRIED_FORWARD = "Carried forward"
    WITHDRAWN = "Withdrawn"

    @property
    def is_open(self) -> bool:
        """Still to be delivered: not complete, withdrawn, merged into another action or carried forward."""
        return self not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {ActionStatus.COMPLETE, ActionStatus.WITHDRAWN, ActionStatus.SUPERSEDED, ActionStatus.CARRIED_FORWARD}
)


class PlanKind(enum.StrEnum):
    """A local delivery plan has strand actions; a PCC deliverables plan has aims whose sub-items are actions."""

    LOCAL = "local"
    PCC = "pcc"
