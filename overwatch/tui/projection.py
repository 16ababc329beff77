"""From the mission's local frame (metres, x east, y north) to map cells and dots.

The map is north-up. Each terminal cell holds a 2×4 braille block of dots;
a cell is about twice as tall as it is wide, so a dot is about square and one
scale, ``m_per_dot``, serves both axes.

>>> view = MapView(centre_x_m=0.0, centre_y_m=0.0, m_per_dot=10.0)
>>> view.cell_of(0.0, 0.0, cols=40, rows=10)
(20, 5)
>>> view.cell_of(100.0, 40.0, cols=40, rows=10)  # 10 dots east, 4 dots north
(25, 4)
>>> view.metres_of_cell(25, 4, cols=40, rows=10)
(110.0, 20.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

DOTS_X = 2  # braille dots per cell, across
DOTS_Y = 4  # braille dots per cell, down
MIN_M_PER_DOT = 0.25
MAX_M_PER_DOT = 2_000.0

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MapView:
    """What the map looks at: its centre (metres) and its scale (metres per dot)."""

    centre_x_m: float
    centre_y_m: float
    m_per_dot: float

    def to_dots(
        self, x_m: FloatArray, y_m: FloatArray, cols: int, rows: int
    ) -> tuple[FloatArray, FloatArray]:
        """Metres → fractional dot coordinates (``u`` right, ``v`` down)."""
        u = (x_m - self.centre_x_m) / self.m_per_dot + cols * DOTS_X / 2.0
        v = (self.centre_y_m - y_m) / self.m_per_dot + rows * DOTS_Y / 2.0
        return u, v

    def cell_of(self, x_m: float, y_m: float, cols: int, rows: int) -> tuple[int, int]:
        """The ``(col, row)`` of the cell holding a point (may lie off the map)."""
        u, v = self.to_dots(np.array([x_m]), np.array([y_m]), cols, rows)
        return math.floor(u[0] / DOTS_X), math.floor(v[0] / DOTS_Y)

    def metres_of_cell(self, col: int, row: int, cols: int, rows: int) -> tuple[float, float]:
        """The centre of cell ``(col, row)`` in metres."""
        u = (col + 0.5) * DOTS_X - cols * DOTS_X / 2.0
        v = (row + 0.5) * DOTS_Y - rows * DOTS_Y / 2.0
        return self.centre_x_m + u * self.m_per_dot, self.centre_y_m - v * self.m_per_dot

    def bounds_m(self, cols: int, rows: int) -> tuple[float, float, float, float]:
        """``(min_x, min_y, max_x, max_y)`` in metres of what the map shows."""
        half_w = cols * DOTS_X * self.m_per_dot / 2.0
        half_h = rows * DOTS_Y * self.m_per_dot / 2.0
        return (
            self.centre_x_m - half_w,
            self.centre_y_m - half_h,
            self.centre_x_m + half_w,
            self.centre_y_m + half_h,
        )

    def zoomed(self, factor: float) -> MapView:
        """Zoom in (``factor`` > 1) or out about the centre, within sane limits."""
        scale = min(MAX_M_PER_DOT, max(MIN_M_PER_DOT, self.m_per_dot / factor))
        return replace(self, m_per_dot=scale)

    def panned(self, dx_m: float, dy_m: float) -> MapView:
        return replace(self, centre_x_m=self.centre_x_m + dx_m, centre_y_m=self.centre_y_m + dy_m)

    def centred_on(self, x_m: float, y_m: float) -> MapView:
        return replace(self, centre_x_m=x_m, centre_y_m=y_m)

    @classmethod
    def fitting(cls, bounds_m: tuple[float, float, float, float], cols: int, rows: int) -> MapView:
        """The view that shows ``bounds_m`` whole in a ``cols`` × ``rows`` map."""
        min_x, min_y, max_x, max_y = bounds_m
        width = max(1.0, max_x - min_x)
        height = max(1.0, max_y - min_y)
        scale = max(width / max(1, cols * DOTS_X), height / max(1, rows * DOTS_Y))
        scale = min(MAX_M_PER_DOT, max(MIN_M_PER_DOT, scale))
        return cls((min_x + max_x) / 2.0, (min_y + max_y) / 2.0, scale)


def nice_length_m(at_most_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``at_most_m`` (for a scale bar).

    >>> nice_length_m(740.0), nice_length_m(1999.0), nice_length_m(0.3)
    (500.0, 1000.0, 0.2)
    """
    if at_most_m <= 0:
        return 0.0
    exponent = math.floor(math.log10(at_most_m))
    for mantissa in (5.0, 2.0, 1.0):
        value = mantissa * 10.0**exponent
        if value <= at_most_m:
            return round(value, 6)
    return round(10.0**exponent, 6)
