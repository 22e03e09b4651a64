"""A plan's measures as one reader sees them: each with its figures by period, by category and against last year,
its thresholds RAG beside the owners' RAG of its actions, and its charts. Pages, the board pack, the Excel export
and the annual report all read measures through here, so they show the same figures and withhold the same ones.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

from markupsafe import Markup
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import TOTAL, Action, Frequency, Measure, MeasureValue, Plan, Rag
from app.services import clock
from app.services.measures import periods
from app.services.measures.thresholds import Suggestion, number, suggest
from app.services.measures.values import Figure, figure, latest
from app.services.redaction import Reader
from app.services.reporting import measure_charts
from app.services.reporting.charts import Series

LAST_YEAR = Series("last-year", "Last year")
THIS_YEAR = Series("this-year", "This year")


@dataclass(frozen=True)
class PeriodRow:
    start: date
    label: str
    short_label: str
    figure: Figure | None
    entered: MeasureValue | None  # the total's latest value, when a total was entered


@dataclass(frozen=True)
class CategoryRow:
    category: str
    value: float | None
    share: float | None  # per cent of the period's figure, when there is one


@dataclass(frozen=True)
class YearRow:
    label: str  # "April", "Q1" or the year
    last_year: float | None
    this_year: float | None


@dataclass
class MeasureView:
    measure: Measure
    reader: Reader
    today: date
    until: datetime | None = None  # only figures entered before this moment (a board pack as at a date)

    @cached_property
    def held(self) -> dict[tuple[date, str], MeasureValue]:
        if self.until is None:
            return latest(self.measure)
        until = self.until
        return {
            key: value
            for key, value in latest(self.measure, lambda v: _aware(v.entered_at) < until).items()
            if key[0] <= until.date()
        }

    @property
    def unit(self) -> str:
        return self.measure.unit

    @cached_property
    def rows(self) -> list[PeriodRow]:
        """Every period from the first with a figure to the latest (those between without one say so)."""
        starts = sorted({start for start, _ in self.held})
        if not starts:
            return []
        frequency = self.measure.frequency
        return [
            PeriodRow(
                start,
                periods.label(frequency, start),
                periods.short_label(frequency, start),
                figure(self.measure, self.held, start),
                self.held.get((start, TOTAL)),
            )
            for start in periods.periods_between(frequency, starts[0], starts[-1])
        ]

    @property
    def latest_row(self) -> PeriodRow | None:
        return next((row for row in reversed(self.rows) if row.figure is not None), None)

    @cached_property
    def suggestion(self) -> Suggestion | None:
        row = self.latest_row
        return suggest(self.measure, row.figure.value if row and row.figure else None)

    @property
    def owners_rags(self) -> list[tuple[Action, Rag | None]]:
        """The RAG of each linked action, as the owners proposed and the lead confirmed it: never changed here."""
        return [(action, action.rag) for action in self.measure.actions]

    @property
    def target(self) -> measure_charts.Target | None:
        m = self.measure
        if not m.has_target:
            return None
        if m.target is not None:
            return measure_charts.Target(value=m.target)
        return measure_charts.Target(low=m.target_low, high=m.target_high)

    @property
    def target_wording(self) -> str:
        m = self.measure
        if not m.has_target or m.direction is None:
            return "No target"
        if m.target_low is not None and m.target_high is not None and m.target is None:
            return f"Between {number(m.target_low)} and {number(m.target_high)} {m.unit}"
        word = "At least" if m.direction.value == "more" else "At most"
        return f"{word} {number(m.target)} {m.unit}"

    @cached_property
    def categories(self) -> list[CategoryRow]:
        """The latest period's breakdown: each category with its figure (none where none was entered)."""
        row = self.latest_category_period
        if row is None:
            return []
        total = self.held.get((row, TOTAL))
        rows = []
        for category in self.measure.categories or []:
            held = self.held.get((row, category))
            share = None
            if held is not None and total is not None and total.value and self.measure.unit != "%":
                share = 100 * held.value / total.value
            rows.append(CategoryRow(category, held.value if held else None, share))
        return rows

    @cached_property
    def latest_category_period(self) -> date | None:
        starts = [start for start, category in self.held if category != TOTAL]
        return max(starts) if starts else None

    @property
    def category_period_label(self) -> str:
        start = self.latest_category_period
        return periods.label(self.measure.frequency, start) if start else ""

    @property
    def not_in_breakdown(self) -> list[str]:
        return [row.category for row in self.categories if row.value is None]

    @cached_property
    def year(self) -> int | None:
        """The financial year of the latest figure: the "this year" of this year against last year."""
        row = self.latest_row
        return periods.year_of(row.start) if row else None

    @cached_property
    def years(self) -> list[YearRow]:
        """This year against last year, period by period (one row for a yearly measure)."""
        if self.year is None:
            return []
        frequency = self.measure.frequency
        this = periods.periods_of_year(frequency, self.year)
        last = periods.periods_of_year(frequency, self.year - 1)
        rows = []
        for now, before in zip(this, last, strict=True):
            if frequency is Frequency.MONTHLY:
                name = periods.MONTHS[now.month - 1]
            elif frequency is Frequency.QUARTERLY:
                name = periods.label(frequency, now).split()[0]
            else:
                name = "Year"
            then_figure, now_figure = figure(self.measure, self.held, before), figure(self.measure, self.held, now)
            rows.append(
                YearRow(name, then_figure.value if then_figure else None, now_figure.value if now_figure else None)
            )
        return rows

    @property
    def this_year_label(self) -> str:
        return periods.year_label(self.year) if self.year is not None else ""

    @property
    def last_year_label(self) -> str:
        return periods.year_label(self.year - 1) if self.year is not None else ""

    @property
    def has_last_year(self) -> bool:
        return any(row.last_year is not None for row in self.years)

    @property
    def chart_id(self) -> str:
        return f"measure-{self.measure.id}"

    @property
    def as_line(self) -> bool:
        return self.measure.frequency is not Frequency.YEARLY and len(self.rows) >= 3

    def period_chart(self) -> Markup:
        points = [measure_charts.Point(row.short_label, row.figure.value if row.figure else None) for row in self.rows]
        return measure_charts.over_periods(
            f"{self.chart_id}-periods",
            f"{self.measure.name} by period",
            self.unit,
            points,
            self.target,
            line=self.as_line,
        )

    def category_chart(self) -> Markup:
        shown = [row for row in self.categories if row.value is not None]
        described = ", ".join(f"{row.category}: {number(row.value)}" for row in shown)
        return measure_charts.grouped_bars(
            f"{self.chart_id}-categories",
            f"{self.measure.name} by {(self.measure.dimension or 'category').lower()}, {self.category_period_label}",
            f"{self.unit} by {(self.measure.dimension or 'category').lower()}. {described}",
            [measure_charts.Bars(row.category, {"figure": row.value}) for row in shown if row.value is not None],
            [measure_charts.FIGURE],
        )

    def year_chart(self) -> Markup:
        last, this = (
            Series(LAST_YEAR.key, self.last_year_label),
            Series(THIS_YEAR.key, self.this_year_label),
        )
        bars = []
        for row in self.years:
            figures = {}
            if row.last_year is not None:
                figures[last.key] = row.last_year
            if row.this_year is not None:
                figures[this.key] = row.this_year
            bars.append(measure_charts.Bars(row.label, figures))
        described = "; ".join(
            f"{row.label}: {number(row.last_year) or 'no figure'} then, {number(row.this_year) or 'no figure'} now"
            for row in self.years
        )
        return measure_charts.grouped_bars(
            f"{self.chart_id}-years",
            f"{self.measure.name}: {self.this_year_label} against {self.last_year_label}",
            f"{self.unit}. {described}",
            bars,
            [last, this],
        )


@dataclass
class PlanMeasures:
    shown: list[MeasureView]
    withheld: int  # measures linked to restricted actions, not shown to this reader


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def measures_of(plan: Plan, reader: Reader, today: date | None = None, until: datetime | None = None) -> PlanMeasures:
    """The plan's measures this reader may see (with figures entered before `until`, when given)."""
    measures = db.session.scalars(
        db.select(Measure)
        .where(Measure.plan_id == plan.id)
        .options(selectinload(Measure.values), selectinload(Measure.actions).selectinload(Action.owners))
        .order_by(Measure.position, Measure.id)
    ).all()
    on = today or clock.today()
    shown = [MeasureView(m, reader, on, until) for m in measures if not reader.measure_withheld(m)]
    return PlanMeasures(shown, len(measures) - len(shown))


def get_measure(measure_id: int) -> Measure | None:
    return db.session.get(Measure, measure_id)
