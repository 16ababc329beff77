"""A PNG map of a plan: airspace, route, flight path, footprints and unwatched stretches.

Drawn in the mission's local frame (metres, north up) with a scale bar, so
what a planner sees is what the planner computed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from shapely.ops import substring

from overwatch.formats.features import DRONE_COLORS
from overwatch.geo.camera import footprint_corners
from overwatch.mission import MissionGeometry
from overwatch.planning.model import Gap, Plan, TeamPlan
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
    cov, base = plan.coverage, plan.baseline_coverage
    title = (
        f"{plan.mission.name} — {plan.strategy}: lead coverage {cov.lead_coverage:.1%} "
        f"(FOLLOW baseline {base.lead_coverage:.1%}), {len(plan.sorties)} sortie(s)"
    )
    flown = [(plan, DRONE, f"drone ({plan.strategy})")]
    return _draw(plan.geometry, flown, cov.gaps, title, path, footprint_every_s, ())


def draw_team(team: TeamPlan, path: Path, *, footprint_every_s: float = 20.0) -> Path:
    """Write a north-up PNG map of a team's plan: each drone in its colour, the reliefs."""
    single = team.single.coverage
    title = (
        f"{team.mission.name} — {team.strategy}, {len(team.drones)} drones: lead coverage "
        f"{team.coverage.lead_coverage:.1%} (one drone with swaps {single.lead_coverage:.1%}), "
        f"{len(team.reliefs)} relief(s)"
    )
    flown = [
        (d, DRONE_COLORS[i % len(DRONE_COLORS)], d.mission.vehicle.name)
        for i, d in enumerate(team.drones)
    ]
    reliefs = tuple(r.xy_m for r in team.reliefs)
    return _draw(team.geometry, flown, team.coverage.gaps, title, path, footprint_every_s, reliefs)


def _draw(
    geo: MissionGeometry,
    flown: list[tuple[Plan, str, str]],
    gaps: tuple[Gap, ...],
    title: str,
    path: Path,
    footprint_every_s: float,
    reliefs: tuple[tuple[float, float], ...],
) -> Path:
    fig, ax = new_map()
    bounds = map_view(geo)
    draw_airspace(ax, geo, bounds)
    for plan, colour, _ in flown:
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
            draw_footprints(ax, quads, colour)
    x, y = geo.route.xy
    ax.plot(x, y, color=ROUTE, lw=3.0, label="patrol route")
    for plan, colour, label in flown:
        traj = plan.trajectory
        air = traj.airborne
        ax.plot(
            np.where(air, traj.x_m, np.nan),
            np.where(air, traj.y_m, np.nan),
            color=colour,
            lw=1.0,
            label=label,
        )
    for gap in gaps:
        seg = substring(geo.route, gap.start_m, gap.end_m)
        if seg.length > 0:
            gx, gy = seg.xy
            ax.plot(gx, gy, color=GAP, lw=5.0, alpha=0.8)
    ax.plot([], [], color=GAP, lw=5.0, label="unwatched in time")
    for plan, _, _ in flown:
        ax.plot(plan.geometry.launch.x, plan.geometry.launch.y, "k^", ms=9)
        for p in plan.geometry.rally:
            ax.plot(p.x, p.y, "gs", ms=7)
    ax.plot([], [], "k^", ms=9, label="launch")
    if reliefs:
        rx, ry = zip(*reliefs, strict=True)
        ax.plot(rx, ry, "D", color="black", mfc="white", ms=7, label="relief")
    finish_map(ax, bounds)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    return save(fig, path)
