"""A PNG map of a plan: airspace, route, flight path, footprints and unwatched stretches.

Drawn in the mission's local frame (metres, north up) with a scale bar, so
what a planner sees is what the planner computed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from shapely.ops import substring

from overwatch.geo.camera import footprint_corners
from overwatch.planning.model import Plan
from overwatch.report.draw import (
    DRONE,
    GAP,
    ROUTE,
    draw_airspace,
    draw_footprints,
    finish_map,
    map_view,
    new_map,
    save,
)


def draw_plan(plan: Plan, path: Path, *, footprint_every_s: float = 20.0) -> Path:
    """Write a north-up PNG map of ``plan`` to ``path`` and return it."""
    geo = plan.geometry
    fig, ax = new_map()
    bounds = map_view(geo)
    draw_airspace(ax, geo, bounds)
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
        draw_footprints(ax, quads)
    x, y = geo.route.xy
    ax.plot(x, y, color=ROUTE, lw=3.0, label="patrol route")
    air = traj.airborne
    ax.plot(
        np.where(air, traj.x_m, np.nan),
        np.where(air, traj.y_m, np.nan),
        color=DRONE,
        lw=1.0,
        label=f"drone ({plan.strategy})",
    )
    for gap in plan.coverage.gaps:
        seg = substring(geo.route, gap.start_m, gap.end_m)
        if seg.length > 0:
            gx, gy = seg.xy
            ax.plot(gx, gy, color=GAP, lw=5.0, alpha=0.8)
    ax.plot([], [], color=GAP, lw=5.0, label="unwatched in time")
    ax.plot(geo.launch.x, geo.launch.y, "k^", ms=9, label="launch")
    for p in geo.rally:
        ax.plot(p.x, p.y, "gs", ms=7)
    finish_map(ax, bounds)
    cov, base = plan.coverage, plan.baseline_coverage
    ax.set_title(
        f"{plan.mission.name} — {plan.strategy}: lead coverage {cov.lead_coverage:.1%} "
        f"(FOLLOW baseline {base.lead_coverage:.1%}), {len(plan.sorties)} sortie(s)",
        fontsize=10,
    )
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    return save(fig, path)
