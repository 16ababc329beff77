"""The events log: status texts, failsafes, feed and link changes, cue arrivals, command results."""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import RichLog

from overwatch.ops.state import EventLine
from overwatch.tui import format as fmt

LEVEL_STYLE = {"info": "", "warning": "bold", "error": "bold reverse"}
REMEMBERED = 2_000


def event_text(event: EventLine) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(fmt.clock_utc(event.time_s) + " ", style="dim")
    text.append(event.text, style=LEVEL_STYLE.get(event.level, ""))
    return text


class EventsLog(RichLog):
    """Appends the events of each snapshot it has not shown yet (set :attr:`events`)."""

    events: reactive[tuple[EventLine, ...]] = reactive(())

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, max_lines=500, wrap=False, markup=False, auto_scroll=True)
        self._seen: set[EventLine] = set()
        self._seen_order: deque[EventLine] = deque()
        self.border_title = "Events"

    def watch_events(self, events: tuple[EventLine, ...]) -> None:
        for event in events:
            if event not in self._seen:
                self.add_event(event)

    def add_event(self, event: EventLine) -> None:
        """Show one event (the app also logs its own: command results)."""
        self._seen.add(event)
        self._seen_order.append(event)
        if len(self._seen_order) > REMEMBERED:
            self._seen.discard(self._seen_order.popleft())
        self.write(event_text(event))
