"""Server-side SVG bar charts for the week at a glance: geometry here, markup in
templates/admin/_week.html. No script and nothing from a CDN; the table behind
each chart carries the same numbers for screen readers."""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from portal.week import Series, Window

WIDTH = 300
HEIGHT = 90
GAP = 2
BOTTOM = 16  # room for the first and last day under the bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # "3 Dec: 5", shown on hover


@dataclass(frozen=True)
class Chart:
    series: Series
    bars: list[Bar]
    rows: list[tuple[str, str]]  # (day, value) for the table
    top: str  # the value of the tallest bar, labelled on the axis
    total: str  # the 30 days as one figure
    first_day: str
    last_day: str
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM

    # Built in one pass each: thirty bars and rows a chart, six charts, and a template
    # loop over them was most of the work list's rendering time.
    def bars_markup(self) -> SafeString:
        return format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" class="week-bar"><title>{}</title></rect>',
            ((b.x, b.y, b.width, b.height, b.title) for b in self.bars),
        )

    def rows_markup(self) -> SafeString:
        return format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', self.rows)


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    number = f"{value:g}"
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()


def day_labels(window: Window) -> list[str]:
    """`3 Dec`, for each day of the window: worked out once for all the charts."""
    return [date_format(day, "j M") for day in window.days]


def chart(series: Series, days: list[str]) -> Chart:
    """The bars of `series` over the window whose `day_labels` are `days`."""
    values = series.values
    tallest = max((v for v in values if v is not None), default=0) or 1
    plot = HEIGHT - BOTTOM
    step = WIDTH / len(values)
    bars = []
    for n, value in enumerate(values):
        height = 0 if value is None else plot * value / tallest
        bars.append(
            Bar(
                x=round(n * step + GAP / 2, 1),
                y=round(plot - height, 1),
                width=round(step - GAP, 1),
                height=round(height, 1),
                title=f"{days[n]}: {shown(value, series.unit)}",
            )
        )
    return Chart(
        series=series,
        bars=bars,
        rows=[(day, shown(value, series.unit)) for day, value in zip(days, values, strict=True)],
        top=shown(max((v for v in values if v is not None), default=None), series.unit),
        total=shown(series.total, series.unit),
        first_day=days[0],
        last_day=days[-1],
    )
