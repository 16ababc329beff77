"""The tactical map: mission, patrol, drone, camera footprint and cues, north-up.

Attributes down: the app sets :attr:`TacticalMap.snapshot`, :attr:`dark`,
:attr:`highlight_cue_id` and, with a team, :attr:`addressed` (the drone ``d`` centres
on). The map owns only how it is looked at (zoom, pan, cursor) and reports the cursor
with :class:`TacticalMap.CursorMoved`.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from overwatch.ops.state import LatLon, SessionSnapshot
from overwatch.tui import format as fmt
from overwatch.tui.map_scene import MapOverlay, MapScene
from overwatch.tui.palette import map_palette
from overwatch.tui.projection import DOTS_X, DOTS_Y, MapView
from overwatch.tui.team import team_of

ZOOM_STEP = 1.5
PAN_FRACTION = 0.25


class TacticalMap(Widget, can_focus=True):
    """A braille map of the mission in its local metric frame."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus,equals_sign", "zoom(1.5)", "Zoom in", key_display="+"),
        Binding("minus", "zoom(0.6666667)", "Zoom out", key_display="-"),
        Binding("left,h", "move(-1, 0)", "Pan/cursor left", show=False),
        Binding("right,l", "move(1, 0)", "Pan/cursor right", show=False),
        Binding("up,k", "move(0, 1)", "Pan/cursor up", show=False),
        Binding("down,j", "move(0, -1)", "Pan/cursor down", show=False),
        Binding("d", "centre('drone')", "Centre on drone"),
        Binding("p", "centre('patrol')", "Centre on patrol"),
        Binding("c", "toggle_cursor", "Map cursor"),
        Binding("0", "fit", "Fit the route", show=False),
    ]

    snapshot: reactive[SessionSnapshot | None] = reactive(None)
    dark: reactive[bool] = reactive(True)
    highlight_cue_id: reactive[str | None] = reactive(None)
    view: reactive[MapView | None] = reactive(None)
    cursor_xy_m: reactive[tuple[float, float] | None] = reactive(None)

    class CursorMoved(Message):
        """The map cursor moved (``position`` in WGS84 degrees) or was put away (None)."""

        def __init__(self, position: LatLon | None) -> None:
            super().__init__()
            self.position = position

    def __init__(self, scene: MapScene, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scene = scene
        self._cache_key: tuple[object, ...] | None = None
        self._lines: list[Strip] = []
        self.border_title = "Map"
        #: the team's drone the operator addresses (None: the drone on duty)
        self.addressed: int | None = None

    # -- rendering ---------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.view is None and self.size.width > 0 and self.size.height > 0:
            self.action_fit()

    def render_line(self, y: int) -> Strip:
        size = self.size
        key = (
            size,
            self.view,
            id(self.snapshot),
            self.cursor_xy_m,
            self.highlight_cue_id,
            self.dark,
        )
        if key != self._cache_key:
            self._lines = self._draw(size)
            self._cache_key = key
        return self._lines[y] if 0 <= y < len(self._lines) else Strip.blank(size.width)

    def _draw(self, size: Size) -> list[Strip]:
        if self.view is None:
            return []
        overlay = MapOverlay(self.cursor_xy_m, self.highlight_cue_id)
        palette = map_palette(self.dark)
        return self.scene.draw(self.snapshot, self.view, size.width, size.height, palette, overlay)

    # -- what the operator asks --------------------------------------------------------

    def action_fit(self) -> None:
        """Show the whole route."""
        self.view = MapView.fitting(
            self.scene.home_bounds_m(), max(1, self.size.width), max(1, self.size.height)
        )
        self._update_subtitle()

    def action_zoom(self, factor: float) -> None:
        if self.view is None:
            return
        self.view = self.view.zoomed(factor)
        if self.cursor_xy_m is not None:
            self.view = self.view.centred_on(*self.cursor_xy_m)
        self._update_subtitle()

    def action_move(self, dx: int, dy: int) -> None:
        """Pan a quarter of the map, or move the cursor one cell when it is shown."""
        if self.view is None:
            return
        width, height = max(1, self.size.width), max(1, self.size.height)
        if self.cursor_xy_m is None:
            span_x = width * DOTS_X * self.view.m_per_dot
            span_y = height * DOTS_Y * self.view.m_per_dot
            self.view = self.view.panned(dx * span_x * PAN_FRACTION, dy * span_y * PAN_FRACTION)
            return
        col, row = self.view.cell_of(*self.cursor_xy_m, width, height)
        col, row = col + dx, row - dy
        if not (0 <= col < width and 0 <= row < height):
            step_x = dx * DOTS_X * self.view.m_per_dot
            step_y = dy * DOTS_Y * self.view.m_per_dot
            self.view = self.view.panned(step_x, step_y)
            col, row = col - dx, row + dy
        self._set_cursor(self.view.metres_of_cell(col, row, width, height))

    def action_centre(self, what: str) -> None:
        snapshot = self.snapshot
        target = None
        if snapshot is not None and what == "drone":
            team, index = team_of(snapshot), self.addressed
            drone = team[index] if index is not None and index < len(team) else snapshot.drone
            target = drone.position
        elif snapshot is not None:
            target = snapshot.patrol.position
        if target is None or self.view is None:
            self.notify(f"No {what} position yet", severity="warning")
            return
        x, y = self.scene.frame.to_local(*target)
        self.view = self.view.centred_on(x, y)

    def action_toggle_cursor(self) -> None:
        if self.view is None:
            return
        if self.cursor_xy_m is None:
            self._set_cursor((self.view.centre_x_m, self.view.centre_y_m))
        else:
            self._set_cursor(None)

    @property
    def cursor_position(self) -> LatLon | None:
        """The cursor in WGS84 degrees, or None when the cursor is not shown."""
        if self.cursor_xy_m is None:
            return None
        return self.scene.frame.to_wgs84(*self.cursor_xy_m)

    def _set_cursor(self, xy_m: tuple[float, float] | None) -> None:
        self.cursor_xy_m = xy_m
        self._update_subtitle()
        self.post_message(self.CursorMoved(self.cursor_position))

    def _update_subtitle(self) -> None:
        position = self.cursor_position
        self.border_subtitle = f"cursor {fmt.lat_lon(position)}" if position else ""
