"""The patrol: its feed, speed, progress along the route, next checkpoint, deviation."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from overwatch.ops.state import PatrolView
from overwatch.tui import format as fmt

FEED_STYLE = {"LIVE": "bold", "STALE": "bold reverse", "DOWN": "bold reverse"}


def progress_bar(fraction: float | None, width: int) -> str:
    """A bar of ``width`` cells, ``█`` for done and ``░`` for to go.

    >>> progress_bar(0.5, 8)
    '████░░░░'
    """
    if width <= 0:
        return ""
    if fraction is None:
        return "·" * width
    done = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * done + "░" * (width - done)


def patrol_text(patrol: PatrolView, width: int) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {patrol.feed_status} ", style=FEED_STYLE.get(patrol.feed_status, "bold"))
    text.append(f" fix {fmt.duration(patrol.fix_age_s)}")
    if patrol.bad_messages:
        text.append(f"  {patrol.bad_messages} bad", style="bold")
    text.append(f"  {patrol.source}")
    speed_kmh = None if patrol.speed_m_s is None else patrol.speed_m_s * 3.6
    text.append(f"\n{fmt.number(speed_kmh, '.0f', ' km/h')}")
    text.append("  off route ")
    text.append(fmt.distance(patrol.off_route_m), style="bold reverse" if patrol.deviating else "")
    station = fmt.number(None if patrol.station_m is None else patrol.station_m / 1000, ".1f")
    label = f" {station}/{patrol.route_length_m / 1000:.1f} km"
    text.append("\n" + progress_bar(patrol.progress, max(4, width - len(label))))
    text.append(label)
    checkpoint = patrol.next_checkpoint or "next checkpoint"
    text.append(f"\nETA {checkpoint} {fmt.duration(patrol.eta_next_checkpoint_s)}")
    return text


class PatrolPanel(Widget):
    """Shows :attr:`patrol`; repaints only when the text shown changes."""

    patrol: reactive[PatrolView] = reactive(PatrolView, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._width = 0
        self.border_title = "Patrol"

    def watch_patrol(self, patrol: PatrolView) -> None:
        bad = patrol.feed_status != "LIVE"
        if self.has_class("-feed-bad") != bad:
            self.set_class(bad, "-feed-bad")
        text = patrol_text(patrol, self._width or 28)
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> Text:
        width = self.content_size.width
        if width != self._width:
            self._width = width
            self._text = patrol_text(self.patrol, width)
        return self._text
