"""Drawing helpers shared by the plan map and the after-action map (matplotlib, Agg).

Maps are drawn in the mission's local frame (metres east/north), north up,
with a scale bar, so what a reader sees is what was computed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from overwatch.mission import MissionGeometry

#: colours used on every map
ROUTE = "#444444"
DRONE = "#1f77b4"
BORDER = "#d62728"
KEEP_OUT = "#ff7f0e"
KEEP_IN = "#2ca02c"
GAP = "#e377c2"
PATROL = "#2ca02c"


def new_map(size_in: float = 10.0, dpi: int = 110) -> tuple[Figure, Axes]:
    """A square figure and its axes."""
    fig, ax = plt.subplots(figsize=(size_in, size_in), dpi=dpi)
    return fig, ax


def map_view(
    geo: MissionGeometry, extra: Iterable[BaseGeometry] = (), margin_m: float = 2500.0
) -> tuple[float, float, float, float]:
    """Bounds ``(minx, miny, maxx, maxy)`` in metres around the route, launch and ``extra``."""
    parts = [geo.route.buffer(margin_m), geo.launch.buffer(500), *extra]
    view = shapely.union_all(parts)
    if geo.keep_in is not None:
        view = view.intersection(geo.keep_in.buffer(300))
    minx, miny, maxx, maxy = view.bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def draw_airspace(
    ax: Axes, geo: MissionGeometry, bounds: tuple[float, float, float, float]
) -> None:
    """Border zone, keep-outs (named), keep-in and border line."""
    envelope = shapely.box(*bounds)
    if geo.border_zone is not None:
        fill(ax, geo.border_zone.intersection(envelope), BORDER, 0.18)
        ax.fill([], [], color=BORDER, alpha=0.18, lw=0, label="border zone")
    for k, (name, poly) in enumerate(geo.keep_outs):
        fill(ax, poly, KEEP_OUT, 0.35)
        c = poly.representative_point()
        ax.annotate(name, (c.x, c.y), fontsize=7, ha="center")
        if k == 0:
            ax.fill([], [], color=KEEP_OUT, alpha=0.35, lw=0, label="keep-out")
    if geo.keep_in is not None:
        x, y = geo.keep_in.exterior.xy
        ax.plot(x, y, color=KEEP_IN, lw=1.2, ls="--", label="keep-in")
    if geo.border is not None:
        x, y = geo.border.xy
        ax.plot(x, y, color=BORDER, lw=2.0, label="border")


def draw_footprints(ax: Axes, quads: np.ndarray, colour: str = DRONE, alpha: float = 0.06) -> None:
    """Camera footprints, shape (n, 4, 2) metres, as light fills."""
    for q in quads:
        ax.fill(q[:, 0], q[:, 1], color=colour, alpha=alpha, lw=0)


def fill(ax: Axes, geom: BaseGeometry, colour: str, alpha: float) -> None:
    """Fill every polygon part of ``geom`` (metres)."""
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    for poly in polys:
        if isinstance(poly, Polygon) and not poly.is_empty:
            x, y = poly.exterior.xy
            ax.fill(x, y, color=colour, alpha=alpha, lw=0)


def finish_map(ax: Axes, bounds: tuple[float, float, float, float]) -> None:
    """Crop to ``bounds``, equal axes, no ticks, a scale bar and a north mark."""
    minx, miny, maxx, maxy = bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    scale_bar(ax, minx, miny, maxx, maxy)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.annotate("N ↑", xy=(0.97, 0.97), xycoords="axes fraction", ha="right", va="top", fontsize=12)


def scale_bar(ax: Axes, minx: float, miny: float, maxx: float, maxy: float) -> None:
    """A black bar of a round length (about a quarter of the width) at the bottom right."""
    span = maxx - minx
    nice = [100, 200, 500, 1000, 2000, 5000, 10000, 20000]
    length = max(n for n in nice if n <= span / 4) if span >= 400 else 100
    x0 = maxx - span * 0.05 - length
    y0 = miny + (maxy - miny) * 0.04
    ax.plot([x0, x0 + length], [y0, y0], color="black", lw=3)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    ax.annotate(
        label, (x0 + length / 2, y0), xytext=(0, 4), textcoords="offset points", ha="center"
    )


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (parents made) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
