"""A PNG map of a plan: airspace, route, flight path, footprints and unwatched stretches.

Drawn in the mission's local frame (metres, north up) with a scale bar, so
what a planner sees is what the planner computed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.axes import Axes
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from overwatch.geo.camera import footprint_corners
from overwatch.planning.model import Plan


def draw_plan(plan: Plan, path: Path, *, footprint_every_s: float = 20.0) -> Path:
    """Write a north-up PNG map of ``plan`` to ``path`` and return it."""
    geo = plan.geometry
    fig, ax = plt.subplots(figsize=(10, 10), dpi=110)
    view = shapely.union_all([geo.route.buffer(2500), geo.launch.buffer(500)])
    if geo.keep_in is not None:
        view = view.intersection(geo.keep_in.buffer(300))
    minx, miny, maxx, maxy = view.bounds
    if geo.border_zone is not None:
        _fill(ax, geo.border_zone.intersection(view.envelope), "#d62728", 0.18, "border zone")
    for name, poly in geo.keep_outs:
        _fill(ax, poly, "#ff7f0e", 0.35, "keep-out")
        c = poly.representative_point()
        ax.annotate(name, (c.x, c.y), fontsize=7, ha="center")
    if geo.keep_in is not None:
        x, y = geo.keep_in.exterior.xy
        ax.plot(x, y, color="#2ca02c", lw=1.2, ls="--", label="keep-in")
    if geo.border is not None:
        x, y = geo.border.xy
        ax.plot(x, y, color="#d62728", lw=2.0, label="border")
    traj = plan.trajectory
    step = max(1, round(footprint_every_s / max(1e-9, float(np.median(np.diff(traj.t_s))))))
    idx = np.flatnonzero(traj.watching)[::step]
    if len(idx):
        quads = footprint_corners(
            traj.x_m[idx],
            traj.y_m[idx],
            traj.alt_rel_m[idx],
            traj.yaw_deg[idx],
            traj.gimbal_pitch_deg[idx],
            plan.mission.vehicle.camera.hfov_deg,
            plan.mission.vehicle.camera.vfov_deg,
        )
        for q in quads:
            ax.fill(q[:, 0], q[:, 1], color="#1f77b4", alpha=0.06, lw=0)
    x, y = geo.route.xy
    ax.plot(x, y, color="#444444", lw=3.0, label="patrol route")
    air = traj.airborne
    ax.plot(
        np.where(air, traj.x_m, np.nan),
        np.where(air, traj.y_m, np.nan),
        color="#1f77b4",
        lw=1.0,
        label=f"drone ({plan.strategy})",
    )
    for gap in plan.coverage.gaps:
        seg = substring(geo.route, gap.start_m, gap.end_m)
        if seg.length > 0:
            gx, gy = seg.xy
            ax.plot(gx, gy, color="#e377c2", lw=5.0, alpha=0.8)
    ax.plot([], [], color="#e377c2", lw=5.0, label="unwatched in time")
    ax.plot(geo.launch.x, geo.launch.y, "k^", ms=9, label="launch")
    for p in geo.rally:
        ax.plot(p.x, p.y, "gs", ms=7)
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    _scale_bar(ax, minx, miny, maxx, maxy)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.annotate("N ↑", xy=(0.97, 0.97), xycoords="axes fraction", ha="right", va="top", fontsize=12)
    cov, base = plan.coverage, plan.baseline_coverage
    ax.set_title(
        f"{plan.mission.name} — {plan.strategy}: lead coverage {cov.lead_coverage:.1%} "
        f"(FOLLOW baseline {base.lead_coverage:.1%}), {len(plan.sorties)} sortie(s)",
        fontsize=10,
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=4, fontsize=8, frameon=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def _fill(ax: Axes, geom: BaseGeometry, colour: str, alpha: float, label: str) -> None:
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    for poly in polys:
        if isinstance(poly, Polygon) and not poly.is_empty:
            x, y = poly.exterior.xy
            ax.fill(x, y, color=colour, alpha=alpha, lw=0)


def _scale_bar(ax: Axes, minx: float, miny: float, maxx: float, maxy: float) -> None:
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
