"""Which local actions deliver which strategy: the traceability pages and the PCC cross-checks.

A local action (an action of a local delivery plan) links to a framework (NS, Sentinel, PCC, HMIC),
sometimes with a code. A PCC code resolves to the PCC deliverable (an action of a PCC plan) with that
number. Each code's RAG rolls up from the local actions delivering it: the worst of them, Blue only
when every one is Blue, and never Green or Blue while any of them has no RAG ("incomplete": an action
nobody has rated may be the one that is failing). A restricted action's links are withheld from viewers
(app.services.redaction), so for them it neither delivers a code nor counts in its roll-up.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import ColumnElement, Select, func, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.extensions import db
from app.models import Action, Framework, Plan, PlanKind, Rag, StrategicLink
from app.services import data_version, statements
from app.services.redaction import EVERYONE, Reader
from app.services.reviewing import rag_rules

FRAMEWORKS = (Framework.NS, Framework.SENTINEL, Framework.PCC, Framework.HMIC)
SHOWN_PER_CODE = 3  # local actions listed under each code, worst first; the counts cover the rest
WORST_FIRST = (*sorted(Rag, key=lambda rag: rag.severity), None)
LIST_LIMIT = 50  # rows of the PCC cross-check lists; a count gives the rest
CODES_PER_PAGE = 25  # codes a page: the PCC plan has about 200, each with its most urgent local actions


def rollup(rags: list[Rag | None]) -> Rag | None:
    """The worst RAG of the actions; Blue only when all are Blue. An action with no RAG cannot make the
    roll-up look better: [Red, none] is Red and [Amber, none] Amber (the count of unknowns is shown beside
    them), but [Green, none] and [Blue, none] are None, which the page calls "Incomplete"."""
    return rollup_counts(Counter(rags))


def rollup_counts(counts: Counter) -> Rag | None:
    """`rollup` of actions given as a count of each RAG (None for no RAG), as SQL counts them."""
    known = [rag for rag, n in counts.items() if rag is not None and n]
    if not known:
        return None
    worst = min(known, key=lambda rag: rag.severity)
    if counts[None] and worst in (Rag.GREEN, Rag.BLUE):
        return None
    return worst


@dataclass
class CodeRow:
    """One code of a framework (or the framework itself, for links without a code) and who delivers it.

    `counts` covers every local action delivering the code; `actions` holds the first SHOWN_PER_CODE of
    them, worst RAG first, which is what a page can show when a force has thousands.
    """

    framework: Framework
    code: str | None
    deliverable: Action | None = None  # for a PCC code: the deliverable it resolves to
    actions: list[Action] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # RAG (None: not set) -> local actions

    @property
    def label(self) -> str:
        return self.framework.label(self.code)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def rag(self) -> Rag | None:
        """Worked out once: the page asks several times a row (counts are complete before the page reads it)."""
        return rollup_counts(self.counts)

    @property
    def unknown(self) -> int:
        """Local actions delivering the code whose RAG is not set."""
        return self.counts[None]

    @property
    def incomplete(self) -> bool:
        """Some actions are rated, none Red or Amber, and some are not rated: too soon to call it Green."""
        return self.rag is None and self.unknown < self.total

    def rag_counts(self) -> list[tuple[Rag | None, int]]:
        """(RAG, how many) worst first, Not set last, leaving out RAGs no action has."""
        return [(rag, self.counts[rag]) for rag in WORST_FIRST if self.counts[rag]]


def framework_for(name: str) -> Framework | None:
    """The framework a URL names (NS, Sentinel, PCC, HMIC, in any case), or None."""
    return next((f for f in FRAMEWORKS if f.value.lower() == name.lower()), None)


@dataclass
class CodePage:
    """One page of a framework's codes, in code order, and where it sits among them."""

    rows: list[CodeRow]
    total: int  # codes of the framework, on every page
    page: int = 1
    pages: int = 1
    per_page: int = CODES_PER_PAGE

    @property
    def first(self) -> int:
        """The position of this page's first code among them all (1-based), for "Showing 51 to 100 of 193"."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def code_rows(framework: Framework, reader: Reader = EVERYONE) -> list[CodeRow]:
    """Every code local actions link to under the framework, in code order."""
    return _code_page(framework, reader, 1, None).rows


def code_page(framework: Framework, reader: Reader = EVERYONE, page: int = 1) -> CodePage:
    """The page'th CODES_PER_PAGE codes local actions link to under the framework, in code order; a page past
    the last shows the last."""
    return _code_page(framework, reader, page, CODES_PER_PAGE)


def _code_page(framework: Framework, reader: Reader, page: int, per_page: int | None) -> CodePage:
    """One page of the codes, in code order (`per_page` None: all of them). Three queries, whatever the size.

    SQL does the work over every link: one grouped query counts each code's local actions by RAG, one ranks
    each code's actions (worst RAG first, then plan and place in it) and returns only the SHOWN_PER_CODE
    first of each, and the last loads the actions of this page's codes and the PCC deliverables they resolve
    to. Python then handles a row per code, not a row per link.
    """
    # The counts and each code's most urgent actions, of every code: kept while the data version is unchanged
    # (app/services/data_version.py), by framework and by whether the reader is one links are withheld from.
    counted, ranked = data_version.cached(
        ("traceability", framework.value, reader.withholds), lambda: _counted_and_ranked(framework, reader)
    )
    rows: dict[tuple, CodeRow] = {}
    for target, code, rag, n in counted:
        key = (target, code)
        row = rows.get(key) or rows.setdefault(key, CodeRow(framework, code or None))
        row.counts[rag] += n
    # Code order; a code that resolves to a deliverable before the same code resolving to none (target 0).
    ordered = sorted(rows, key=lambda key: (code_order(key[1] or None), key[0] == 0, key[0]))
    size = per_page or max(len(ordered), 1)
    pages = max(1, -(-len(ordered) // size))
    page = min(max(page, 1), pages)
    keys = ordered[(page - 1) * size : page * size]
    shown: dict[tuple, list[int]] = {key: [] for key in keys}
    for target, code, action_id in ranked:
        if (target, code) in shown:  # a few rows a code, of every code: the page's are kept
            shown[(target, code)].append(action_id)
    targets = [target for target, _ in keys if target]
    wanted = [action_id for ids in shown.values() for action_id in ids]
    # The plans by a second query (there are a few), not joined onto each of hundreds of actions.
    loaded = db.session.scalars(
        db.select(Action).where(Action.id.in_(wanted + targets)).options(selectinload(Action.plan))
    )
    by_id = {action.id: action for action in loaded}
    for key in keys:
        rows[key].actions = [by_id[action_id] for action_id in shown[key]]
        rows[key].deliverable = by_id.get(key[0])
    return CodePage([rows[key] for key in keys], len(ordered), page, pages, size)


def _counted_and_ranked(framework: Framework, reader: Reader) -> tuple[tuple[tuple, ...], tuple[tuple, ...]]:
    """(target, code, RAG, local actions) of every code, and (target, code, action id) of each code's
    SHOWN_PER_CODE most urgent actions in order: plain values, two statements (built once an app)."""
    counted, firsts = statements.kept(
        ("traceability statements", framework.value, reader.withholds, SHOWN_PER_CODE),
        lambda: _counted_and_ranked_statements(framework, reader),
    )
    return tuple(tuple(row) for row in db.session.execute(counted)), tuple(
        tuple(row) for row in db.session.execute(firsts)
    )


def _counted_and_ranked_statements(framework: Framework, reader: Reader) -> tuple[Select, Select]:
    delivering = _delivering(framework, reader)
    counted = db.select(delivering.c.target, delivering.c.code, delivering.c.rag, func.count()).group_by(
        delivering.c.target, delivering.c.code, delivering.c.rag
    )
    urgency = func.row_number().over(
        partition_by=(delivering.c.target, delivering.c.code),
        order_by=(delivering.c.severity, delivering.c.plan_title, delivering.c.position, delivering.c.action_id),
    )
    ranked = db.select(
        delivering.c.target, delivering.c.code, delivering.c.action_id, urgency.label("urgency")
    ).subquery()
    firsts = (
        db.select(ranked.c.target, ranked.c.code, ranked.c.action_id)
        .where(ranked.c.urgency <= SHOWN_PER_CODE)
        .order_by(ranked.c.target, ranked.c.code, ranked.c.urgency)
    )
    return counted, firsts


def _delivering(framework: Framework, reader: Reader):
    """Who delivers what under the framework, one row per (code, local action): an action that links to a code
    twice delivers it once. The code is keyed by the deliverable it resolves to (0 when none) and its text."""
    title: ColumnElement[str] = Plan.title.expression
    if db.session.get_bind().dialect.name == "postgresql":
        title = Plan.title.collate("C")  # code point order, as Python compares (and as SQLite's BINARY does)
    return (
        db.select(
            func.coalesce(StrategicLink.target_action_id, 0).label("target"),
            func.coalesce(StrategicLink.code, "").label("code"),
            Action.id.label("action_id"),
            Action.rag.label("rag"),
            rag_rules.severity_clause(Action.rag).label("severity"),
            title.label("plan_title"),
            Action.position.label("position"),
        )
        .join(Action, Action.id == StrategicLink.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(StrategicLink.framework == framework, Plan.kind == PlanKind.LOCAL, reader.visible_links())
        .distinct()
        .subquery()
    )


def code_order(code: str | None) -> tuple:
    """1.2.3 before 1.10.1 before 3.3c.1: numbers compared as numbers, letters as text."""
    if not code:
        return ()
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|[^\d.]+", code))


@dataclass
class Listed:
    """The first LIST_LIMIT rows of a list, and how many there are in all."""

    rows: list
    total: int

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return self.total > 0


def unlinked_deliverables(reader: Reader = EVERYONE) -> Listed:
    """PCC deliverables that no local action links to."""
    source, source_plan, pcc_plan = aliased(Action), aliased(Plan), aliased(Plan)

    def choose():
        local_link = (
            db.select(StrategicLink.id)
            .join(source, source.id == StrategicLink.action_id)
            .join(source_plan, source_plan.id == source.plan_id)
            .where(StrategicLink.target_action_id == Action.id, source_plan.kind == PlanKind.LOCAL)
            .where(source.restricted.is_(False) if reader.withholds else true())
            .exists()
        )
        return (
            db.select(Action.id, func.count().over())
            .join(pcc_plan, pcc_plan.id == Action.plan_id)
            .where(pcc_plan.kind == PlanKind.PCC, ~local_link)
            .order_by(pcc_plan.title, pcc_plan.id, Action.position, Action.id)
        )

    return _kept_listed(
        ("unlinked deliverables", reader.withholds),
        choose,
        lambda ids: db.select(Action).where(Action.id.in_(ids)).options(joinedload(Action.plan)),
    )


def unresolved_links(reader: Reader = EVERYONE) -> Listed:
    """Local actions' PCC links whose number matches no PCC deliverable: kept as written, and flagged."""

    def choose():
        return (
            db.select(StrategicLink.id, func.count().over())
            .join(Action, Action.id == StrategicLink.action_id)
            .join(Plan, Plan.id == Action.plan_id)
            .where(
                StrategicLink.framework == Framework.PCC,
                StrategicLink.target_action_id.is_(None),
                Plan.kind == PlanKind.LOCAL,
                reader.visible_links(),
            )
            .order_by(Plan.title, Action.position, Action.id, StrategicLink.position)
        )

    return _kept_listed(
        ("unresolved links", reader.withholds),
        choose,
        lambda ids: (
            db.select(StrategicLink)
            .where(StrategicLink.id.in_(ids))
            .options(joinedload(StrategicLink.action).joinedload(Action.plan))
        ),
    )


def _kept_listed(key: tuple, choose, load) -> Listed:
    """The first LIST_LIMIT rows `choose()` selects (id, total) in order, and the total: the ids and the total
    kept while the data version is unchanged (they are found over every link of every plan), the rows loaded
    afresh by id with `load(ids)`, in the same order."""

    def ids_and_total() -> tuple[tuple[int, ...], int]:
        rows = db.session.execute(statements.kept((*key, LIST_LIMIT), lambda: choose().limit(LIST_LIMIT))).all()
        return tuple(row[0] for row in rows), rows[0][1] if rows else 0

    ids, total = data_version.cached(key, ids_and_total)
    by_id = {row.id: row for row in db.session.scalars(load(list(ids))).unique()}  # always: a fixed count
    # A row deleted by a transaction that committed after the version was read is left out (the next request
    # sees the new version).
    return Listed([by_id[row_id] for row_id in ids if row_id in by_id], total)


def delivering_actions(deliverable: Action, reader: Reader = EVERYONE) -> list[Action]:
    """The local actions whose links resolve to this PCC deliverable (that the reader may see the links of)."""
    return list(
        db.session.scalars(
            db.select(Action)
            .join(StrategicLink, StrategicLink.action_id == Action.id)
            .where(StrategicLink.target_action_id == deliverable.id, reader.visible_links())
            .options(joinedload(Action.plan))
            .distinct()
            .order_by(Action.plan_id, Action.position, Action.id)
        )
    )


def resolve_pcc_code(code: str | None, plan: Plan) -> Action | None:
    """The PCC deliverable numbered `code`: preferably one of the linking plan's own period, else the latest."""
    if not code:
        return None
    candidates = db.session.execute(
        db.select(Action, Plan.period_label)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.kind == PlanKind.PCC, Action.ref == code)
        .order_by(Plan.id.desc())
    ).all()
    same_period = [action for action, period in candidates if period == plan.period_label]
    return (same_period or [action for action, _ in candidates] or [None])[0]
