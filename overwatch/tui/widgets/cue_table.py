"""The cue list, soonest reached by the patrol first, with the operator's cue actions."""

from __future__ import annotations

import time
from typing import ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from overwatch.ops.state import CueView, Severity
from overwatch.tui import format as fmt
from overwatch.tui.palette import SEVERITY_GLYPH, SEVERITY_RANK, map_palette

CueAction = Literal["acknowledge", "dismiss", "look", "note"]
COLUMNS = ("Sev", "Kind", "Off", "ETA", "Conf", "Age", "Status")
STATUS_SHORT = {"new": "new", "acknowledged": "ack", "dismissed": "dism"}
SEVERITY_SHORT = {"info": "info", "low": "low", "medium": "med", "high": "high", "critical": "crit"}


def eta_order(cues: tuple[CueView, ...]) -> list[CueView]:
    """Soonest first; cues the patrol has passed last; ties by severity, most severe first."""
    return sorted(
        cues,
        key=lambda c: (
            c.eta_s is None,
            c.eta_s if c.eta_s is not None else 0.0,
            -SEVERITY_RANK[c.severity],
            c.cue_id,
        ),
    )


def coarse_duration(seconds: float | None) -> str:
    """Whole seconds, so a row changes at most once a second.

    >>> coarse_duration(12.34), coarse_duration(185.0), coarse_duration(None)
    ('12 s', '3m05s', '—')
    """
    if seconds is None:
        return fmt.MISSING
    if seconds < 60.0:
        return f"{max(0.0, seconds):.0f} s"
    return fmt.duration(seconds)


def cue_cells(cue: CueView) -> tuple[str, ...]:
    """The row's texts, in :data:`COLUMNS` order."""
    return (
        f"{SEVERITY_GLYPH[cue.severity]} {SEVERITY_SHORT.get(cue.severity.value, cue.severity)}",
        cue.kind[:8],
        fmt.distance(cue.off_route_m),
        coarse_duration(cue.eta_s) if cue.eta_s is not None else "passed",
        f"{cue.confidence * 100:.0f}%",
        coarse_duration(cue.age_s),
        STATUS_SHORT.get(cue.status, cue.status) + (" ✎" if cue.notes else ""),
    )


class CueTable(DataTable[Text]):
    """Shows :attr:`cues`; reports what the operator asks with :class:`ActionRequested`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "request('acknowledge')", "Ack cue"),
        Binding("x", "request('dismiss')", "Dismiss cue"),
        Binding("l", "request('look')", "Look at cue"),
        Binding("n", "request('note')", "Note on cue"),
    ]

    #: ages and ETAs (whole seconds) are redrawn at most this often, in seconds
    MIN_INTERVAL_S: ClassVar[float] = 0.5

    cues: reactive[tuple[CueView, ...]] = reactive(())
    dark: reactive[bool] = reactive(True)

    class ActionRequested(Message):
        """The operator asked for ``action`` on ``cue``."""

        def __init__(self, action: CueAction, cue: CueView) -> None:
            super().__init__()
            self.action = action
            self.cue = cue

    class Highlighted(Message):
        """The selected cue changed (``cue_id`` None when the list is empty)."""

        def __init__(self, cue_id: str | None) -> None:
            super().__init__()
            self.cue_id = cue_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._order: list[str] = []
        self._by_id: dict[str, CueView] = {}
        self._cells: dict[str, tuple[str, ...]] = {}
        self.border_title = "Cues"
        self._last_update_s = -1e9
        self._flush_pending = False

    def on_mount(self) -> None:
        for label in COLUMNS:
            self.add_column(label, key=label)
        self._show(self.cues)  # cues may have arrived before the columns

    @property
    def selected_cue(self) -> CueView | None:
        if not self._order or not 0 <= self.cursor_row < len(self._order):
            return None
        return self._by_id.get(self._order[self.cursor_row])

    def action_request(self, action: CueAction) -> None:
        cue = self.selected_cue
        if cue is None:
            self.notify("No cue selected", severity="warning")
            return
        self.post_message(self.ActionRequested(action, cue))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        cue = self.selected_cue
        self.post_message(self.Highlighted(None if cue is None else cue.cue_id))

    def watch_dark(self) -> None:
        self._cells.clear()
        self._rebuild(eta_order(self.cues))

    def watch_cues(self) -> None:
        """New, gone or reordered cues show at once; changed ages and ETAs at most at 2 Hz."""
        wait_s = self._last_update_s + self.MIN_INTERVAL_S - time.monotonic()
        if wait_s <= 0 or [c.cue_id for c in eta_order(self.cues)] != self._order:
            self._show(self.cues)
        elif not self._flush_pending:
            self._flush_pending = True
            self.set_timer(wait_s, self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        self._show(self.cues)

    def _show(self, cues: tuple[CueView, ...]) -> None:
        if not self.columns:
            return
        self._last_update_s = time.monotonic()
        ordered = eta_order(cues)
        count = f"{len(cues)} cues"
        if str(self.border_subtitle) != count:
            self.border_subtitle = count
        if [c.cue_id for c in ordered] != self._order:
            self._rebuild(ordered)
            return
        for cue in ordered:
            self._by_id[cue.cue_id] = cue
            cells = cue_cells(cue)
            old = self._cells.get(cue.cue_id)
            if old == cells:
                continue
            self._cells[cue.cue_id] = cells
            styled = self._styled(cue, cells)
            if old is None or old[0] != cells[0] or old[-1] != cells[-1]:
                changed = list(range(len(COLUMNS)))  # new severity or status: restyle the row
            else:
                changed = [i for i in range(len(COLUMNS)) if old[i] != cells[i]]
            for i in changed:
                try:
                    self.update_cell(cue.cue_id, COLUMNS[i], styled[i])
                except RowDoesNotExist:  # pragma: no cover - rows follow _order
                    self._rebuild(ordered)
                    return

    def _rebuild(self, ordered: list[CueView]) -> None:
        if not self.columns:
            return
        keep = self.selected_cue.cue_id if self.selected_cue is not None else None
        self.clear()
        self._order = [c.cue_id for c in ordered]
        self._by_id = {c.cue_id: c for c in ordered}
        self._cells = {}
        for cue in ordered:
            cells = cue_cells(cue)
            self._cells[cue.cue_id] = cells
            self.add_row(*self._styled(cue, cells), key=cue.cue_id)
        if keep is not None and keep in self._by_id:
            self.move_cursor(row=self._order.index(keep), animate=False)

    def _styled(self, cue: CueView, cells: tuple[str, ...]) -> list[Text]:
        severity_style = map_palette(self.dark).severity[cue.severity]
        if cue.severity is not Severity.CRITICAL:  # keep the row cursor's background
            severity_style = Style(color=severity_style.color, bold=severity_style.bold)
        dim = cue.status == "dismissed"
        texts = [Text(cell, style="dim" if dim else "") for cell in cells]
        texts[0] = Text(cells[0], style="dim" if dim else severity_style)
        return texts
