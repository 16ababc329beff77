"""Draw the tactical map: mission geometry, patrol, drone, footprint and cues → text lines.

Pure: a :class:`MapScene` is built once per mission; :meth:`MapScene.draw`
takes what to show and returns one :class:`~textual.strip.Strip` per row. The
static layers (route, keep-in, keep-outs, border and its buffer) are drawn
once per view and size and reused; the live layers are drawn per snapshot.
Everything is projected with the mission's :class:`~overwatch.geo.LocalFrame`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt
import shapely
from rich.style import Style
from shapely.geometry.base import BaseGeometry
from textual.strip import Strip

from overwatch.mission import MissionGeometry
from overwatch.ops.state import CueView, DroneView, LatLon, SessionSnapshot
from overwatch.tui import format as fmt
from overwatch.tui.canvas import BrailleCanvas
from overwatch.tui.palette import SEVERITY_GLYPH, SEVERITY_RANK, MapPalette
from overwatch.tui.projection import DOTS_X, DOTS_Y, MapView, nice_length_m
from overwatch.tui.team import drone_tag, team_of

FloatArray = npt.NDArray[np.float64]

DRONE_GLYPHS = "↑↗→↘↓↙←↖"
PATROL_GLYPHS = "▲◥▶◢▼◣◀◤"
NO_HEADING_DRONE = "✦"
NO_HEADING_PATROL = "■"


class Layer(IntEnum):
    """Dot layers; a cell shows the colour of the highest one among its dots."""

    BORDER_ZONE_FILL = 1
    KEEP_OUT_FILL = 2
    KEEP_IN = 3
    ROUTE = 4
    BORDER_ZONE_EDGE = 5
    KEEP_OUT = 6
    BORDER = 7
    PATROL_TRAIL = 8
    DRONE_TRAIL = 9
    FOOTPRINT = 10


def layer_styles(palette: MapPalette) -> list[Style]:
    styles: list[Style] = [palette.background] * (max(Layer) + 1)
    styles[Layer.BORDER_ZONE_FILL] = palette.border_zone
    styles[Layer.KEEP_OUT_FILL] = palette.keep_out
    styles[Layer.KEEP_IN] = palette.keep_in
    styles[Layer.ROUTE] = palette.route
    styles[Layer.BORDER_ZONE_EDGE] = palette.border_zone
    styles[Layer.KEEP_OUT] = palette.keep_out
    styles[Layer.BORDER] = palette.border
    styles[Layer.PATROL_TRAIL] = palette.patrol
    styles[Layer.DRONE_TRAIL] = palette.drone
    styles[Layer.FOOTPRINT] = palette.footprint
    return styles


@dataclass(frozen=True)
class MapOverlay:
    """What the operator has asked to see on top: the cursor and a highlighted cue."""

    cursor_xy_m: tuple[float, float] | None = None
    highlight_cue_id: str | None = None


def heading_glyph(glyphs: str, heading_deg: float | None, fallback: str) -> str:
    """One of eight glyphs for a heading in degrees from north (``fallback`` if unknown).

    >>> heading_glyph(DRONE_GLYPHS, 95.0, "?"), heading_glyph(DRONE_GLYPHS, None, "?")
    ('→', '?')
    """
    if heading_deg is None:
        return fallback
    return glyphs[round((heading_deg % 360.0) / 45.0) % 8]


class MapScene:
    """The mission's map, drawable at any view and size."""

    def __init__(self, geometry: MissionGeometry) -> None:
        self.geometry = geometry
        self.frame = geometry.frame
        self._static_key: tuple[int, int, MapView] | None = None
        self._static: BrailleCanvas | None = None
        border = geometry.mission.airspace.border
        # the stippled band is the buffer on our side; the far side stays plain
        self._buffer: BaseGeometry | None = None
        if geometry.border is not None and geometry.border_zone is not None and border:
            self._buffer = geometry.border.buffer(border.buffer_m).intersection(
                geometry.border_zone
            )

    # -- projection helpers ---------------------------------------------------------

    def to_local(self, positions: tuple[LatLon, ...] | list[LatLon]) -> FloatArray:
        """``(lat_deg, lon_deg)`` pairs → an (n, 2) array of metres."""
        if not positions:
            return np.zeros((0, 2))
        arr = np.asarray(positions, dtype=float).reshape(-1, 2)
        x, y = self.frame.to_local(arr[:, 0], arr[:, 1])
        return np.column_stack([x, y])

    def home_bounds_m(self) -> tuple[float, float, float, float]:
        """A box around the route, launch and rally points, with a margin (metres)."""
        parts: list[BaseGeometry] = [
            self.geometry.route,
            self.geometry.launch,
            *self.geometry.rally,
        ]
        min_x, min_y, max_x, max_y = shapely.union_all(parts).bounds
        pad = 0.05 * max(max_x - min_x, max_y - min_y, 500.0)
        return (min_x - pad, min_y - pad, max_x + pad, max_y + pad)

    # -- static layers -----------------------------------------------------------------

    def _static_canvas(self, view: MapView, cols: int, rows: int) -> BrailleCanvas:
        key = (cols, rows, view)
        if self._static is None or self._static_key != key:
            self._static = self._draw_static(view, cols, rows)
            self._static_key = key
        return self._static.copy()

    def _draw_static(self, view: MapView, cols: int, rows: int) -> BrailleCanvas:
        canvas = BrailleCanvas(cols, rows)
        box = _grown(view.bounds_m(cols, rows), 4 * view.m_per_dot)
        g = self.geometry
        if g.border_zone is not None and self._buffer is not None:
            band = shapely.clip_by_rect(self._buffer, *box)
            self._stipple(canvas, band, view, Layer.BORDER_ZONE_FILL, sparse=True)
            self._stroke(canvas, g.border_zone.boundary, view, box, Layer.BORDER_ZONE_EDGE)
        for _, polygon in g.keep_outs:
            self._stipple(canvas, shapely.clip_by_rect(polygon, *box), view, Layer.KEEP_OUT_FILL)
            self._stroke(canvas, polygon.boundary, view, box, Layer.KEEP_OUT)
        if g.keep_in is not None:
            self._stroke(canvas, g.keep_in.boundary, view, box, Layer.KEEP_IN)
        if g.border is not None:
            self._stroke(canvas, g.border, view, box, Layer.BORDER)
        self._stroke(canvas, g.route, view, box, Layer.ROUTE)
        return canvas

    def _stroke(
        self,
        canvas: BrailleCanvas,
        geom: BaseGeometry,
        view: MapView,
        box: tuple[float, float, float, float],
        layer: int,
    ) -> None:
        clipped = shapely.clip_by_rect(geom, *box)
        if clipped.is_empty:
            return
        dense = shapely.segmentize(clipped, max(view.m_per_dot * 0.5, 0.01))
        xy = shapely.get_coordinates(dense)
        u, v = view.to_dots(xy[:, 0], xy[:, 1], canvas.cols, canvas.rows)
        canvas.plot(u, v, layer)

    def _stipple(
        self,
        canvas: BrailleCanvas,
        area: BaseGeometry,
        view: MapView,
        layer: int,
        sparse: bool = False,
    ) -> None:
        if area.is_empty:
            return
        height, width = canvas.dots.shape
        vi, ui = np.mgrid[0:height, 0:width]
        step = 4 if sparse else 2
        pattern = ((ui + vi) % step == 0) & (vi % 2 == 0)
        us, vs = ui[pattern], vi[pattern]
        x = view.centre_x_m + (us + 0.5 - canvas.cols * DOTS_X / 2.0) * view.m_per_dot
        y = view.centre_y_m - (vs + 0.5 - canvas.rows * DOTS_Y / 2.0) * view.m_per_dot
        inside = shapely.contains_xy(area, x, y)
        mask = np.zeros_like(pattern)
        mask[vs[inside], us[inside]] = True
        canvas.fill_mask(mask, layer)

    # -- the whole map ----------------------------------------------------------------

    def draw(
        self,
        snapshot: SessionSnapshot | None,
        view: MapView,
        cols: int,
        rows: int,
        palette: MapPalette,
        overlay: MapOverlay = MapOverlay(),
    ) -> list[Strip]:
        """The map as one strip per row (``cols`` × ``rows`` cells)."""
        if cols <= 0 or rows <= 0:
            return []
        canvas = self._static_canvas(view, cols, rows)
        if snapshot is not None:
            self._draw_live_dots(canvas, snapshot, view)
        self._draw_markers(canvas, snapshot, view, palette, overlay)
        self._draw_furniture(canvas, view, palette)
        return canvas.strips(layer_styles(palette), palette.background)

    def _polyline(
        self, canvas: BrailleCanvas, positions: tuple[LatLon, ...], view: MapView, layer: int
    ) -> None:
        xy = self.to_local(positions)
        if len(xy) == 0:
            return
        # a trail that has not moved yet repeats one point: GEOS wants two distinct ones
        if len(xy) > 1 and not np.any(np.abs(np.diff(xy, axis=0)) > 1e-9):
            xy = xy[:1]
        if len(xy) == 1:
            u, v = view.to_dots(xy[:, 0], xy[:, 1], canvas.cols, canvas.rows)
        else:
            dense = shapely.get_coordinates(
                shapely.segmentize(shapely.linestrings(xy), max(view.m_per_dot * 0.5, 0.01))
            )
            u, v = view.to_dots(dense[:, 0], dense[:, 1], canvas.cols, canvas.rows)
        canvas.plot(u, v, layer)

    def _draw_live_dots(
        self, canvas: BrailleCanvas, snapshot: SessionSnapshot, view: MapView
    ) -> None:
        self._polyline(canvas, snapshot.patrol.trail, view, Layer.PATROL_TRAIL)
        for drone in team_of(snapshot) or (snapshot.drone,):
            self._polyline(canvas, drone.trail, view, Layer.DRONE_TRAIL)
            footprint = drone.footprint
            if len(footprint) >= 3:
                self._polyline(canvas, (*footprint, footprint[0]), view, Layer.FOOTPRINT)

    def _cell(self, view: MapView, canvas: BrailleCanvas, x: float, y: float) -> tuple[int, int]:
        return view.cell_of(x, y, canvas.cols, canvas.rows)

    def _draw_markers(
        self,
        canvas: BrailleCanvas,
        snapshot: SessionSnapshot | None,
        view: MapView,
        palette: MapPalette,
        overlay: MapOverlay,
    ) -> None:
        g = self.geometry
        for point in g.rally:
            col, row = self._cell(view, canvas, point.x, point.y)
            canvas.put(col, row, "R", palette.rally)
        col, row = self._cell(view, canvas, g.launch.x, g.launch.y)
        canvas.put(col, row, "H", palette.rally)
        if snapshot is not None:
            self._draw_cues(canvas, snapshot.cues, view, palette, overlay.highlight_cue_id)
            patrol, drone = snapshot.patrol, snapshot.drone
            if patrol.position is not None:
                x, y = self.frame.to_local(*patrol.position)
                col, row = self._cell(view, canvas, x, y)
                glyph = heading_glyph(PATROL_GLYPHS, patrol.heading_deg, NO_HEADING_PATROL)
                canvas.put(col, row, glyph, palette.patrol)
            team = team_of(snapshot)
            if not team:
                self._draw_drone(canvas, drone, view, palette)
            # the drone on duty last, so that it is the one seen where two share a cell
            order = sorted(range(len(team)), key=lambda i: i == snapshot.duty)
            for i in order:
                tag = drone_tag(i)
                self._draw_drone(canvas, team[i], view, palette, tag, on_duty=i == snapshot.duty)
        if overlay.cursor_xy_m is not None:
            col, row = self._cell(view, canvas, *overlay.cursor_xy_m)
            canvas.put(col, row, "┼", palette.cursor)

    def _draw_drone(
        self,
        canvas: BrailleCanvas,
        drone: DroneView,
        view: MapView,
        palette: MapPalette,
        tag: str = "",
        *,
        on_duty: bool = False,
    ) -> None:
        """The drone's heading glyph, then its ``tag`` (a team's); the drone on duty reversed,
        a drone whose link is lost grey."""
        if drone.position is None:
            return
        x, y = self.frame.to_local(*drone.position)
        col, row = self._cell(view, canvas, x, y)
        glyph = heading_glyph(DRONE_GLYPHS, drone.heading_deg, NO_HEADING_DRONE)
        style = palette.dim if drone.link_lost else palette.drone
        if on_duty:
            style = style + Style(reverse=True)
        canvas.put(col, row, glyph + tag, style)

    def _draw_cues(
        self,
        canvas: BrailleCanvas,
        cues: tuple[CueView, ...],
        view: MapView,
        palette: MapPalette,
        highlight: str | None,
    ) -> None:
        if not cues:
            return
        xy = self.to_local([c.position for c in cues])
        u, v = view.to_dots(xy[:, 0], xy[:, 1], canvas.cols, canvas.rows)
        cols = np.floor(u / DOTS_X).astype(int).tolist()
        rows = np.floor(v / DOTS_Y).astype(int).tolist()
        # least severe first, so the most severe cue in a cell is the one shown
        order = sorted(range(len(cues)), key=lambda i: SEVERITY_RANK[cues[i].severity])
        groups: dict[tuple[int, bool], list[int]] = {}
        for i in order:
            dismissed = cues[i].status == "dismissed"
            groups.setdefault((SEVERITY_RANK[cues[i].severity], dismissed), []).append(i)
        for (_, dismissed), members in sorted(
            groups.items(), key=lambda kv: (not kv[0][1], kv[0][0])
        ):
            severity = cues[members[0]].severity
            style = palette.dim if dismissed else palette.severity[severity]
            canvas.put_many(
                [cols[i] for i in members],
                [rows[i] for i in members],
                [SEVERITY_GLYPH[severity]] * len(members),
                style,
            )
        if highlight is not None:
            for i, cue in enumerate(cues):
                if cue.cue_id == highlight:
                    canvas.put(cols[i], rows[i], SEVERITY_GLYPH[cue.severity], palette.cursor)

    def _draw_furniture(self, canvas: BrailleCanvas, view: MapView, palette: MapPalette) -> None:
        """Scale bar bottom-left, north arrow top-right."""
        if canvas.cols >= 3:
            canvas.put(canvas.cols - 2, 0, "N↑", palette.text)
        metres_per_cell = view.m_per_dot * DOTS_X
        length_m = nice_length_m(metres_per_cell * max(2, canvas.cols // 4))
        if length_m <= 0 or canvas.rows < 2:
            return
        cells = max(2, round(length_m / metres_per_cell))
        label = fmt.distance(length_m)
        bar = "├" + "─" * (cells - 2) + "┤ " + label
        if len(bar) <= canvas.cols:
            canvas.put(0, canvas.rows - 1, bar, palette.text)


def _grown(box: tuple[float, float, float, float], by: float) -> tuple[float, float, float, float]:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)
