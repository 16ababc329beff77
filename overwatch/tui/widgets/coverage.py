"""One line over the route's length: watched so far, and stretches ahead not watched yet."""

from __future__ import annotations

from itertools import groupby

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from overwatch.ops.state import CoverageView


def coverage_cells(
    coverage: CoverageView, route_length_m: float, patrol_station_m: float | None, width: int
) -> str:
    """The bar's characters: ``█`` watched, ``░`` ahead and not watched, ``·`` unknown,
    ``▲`` where the patrol is. Cell ``i`` covers an equal share of the route.

    >>> coverage_cells(CoverageView(0.5, 500.0, ((600.0, 800.0),)), 1000.0, 100.0, 10)
    '█▲███·░░··'
    """
    if width <= 0 or route_length_m <= 0:
        return ""
    cells = []
    step = route_length_m / width
    for i in range(width):
        start, end = i * step, (i + 1) * step
        if any(a < end and b > start for a, b in coverage.unwatched_ahead):
            cells.append("░")
        elif end <= coverage.watched_to_m + 1e-9:
            cells.append("█")
        else:
            cells.append("·")
    if patrol_station_m is not None:
        i = min(width - 1, max(0, int(patrol_station_m / step)))
        cells[i] = "▲"
    return "".join(cells)


def coverage_label(coverage: CoverageView) -> str:
    """``Lead cov 91% (plan 97%) ``: the live figure, and the plan's when there is one.

    >>> coverage_label(CoverageView(0.912, planned=0.969))
    'Lead cov 91% (plan 97%) '
    """
    lead, planned = coverage.lead_coverage, coverage.planned
    label = "Lead cov " + ("—" if lead is None else f"{lead * 100:.0f}%")
    return label + (" " if planned is None else f" (plan {planned * 100:.0f}%) ")


class CoverageStrip(Widget):
    """Lead coverage as a percentage (beside the plan's) and a one-line bar over the route."""

    coverage: reactive[CoverageView] = reactive(CoverageView)
    route_length_m: reactive[float] = reactive(0.0)
    patrol_station_m: reactive[float | None] = reactive(None)

    def render(self) -> Text:
        label = coverage_label(self.coverage)
        bar = coverage_cells(
            self.coverage,
            self.route_length_m,
            self.patrol_station_m,
            max(0, self.size.width - len(label)),
        )
        text = Text(label, style="bold", no_wrap=True)
        styles = {"█": "$success", "░": "$warning", "·": "dim", "▲": "bold reverse"}
        for char, run in groupby(bar):
            text.append("".join(run), style=_theme_style(self, styles[char]))
        return text


def _theme_style(widget: Widget, name: str) -> str:
    if not name.startswith("$"):
        return name
    variables = widget.app.theme_variables
    return variables.get(name[1:], "")
