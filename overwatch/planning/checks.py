"""Independent checks of a finished plan against the mission's constraints.

These look only at the mission geometry and the plan's output, not at the
planner's internals, so they catch planner bugs. The planner runs them on
every plan it returns; the property tests run them on generated missions.
"""

from __future__ import annotations

import numpy as np
import shapely

from overwatch.items import Cmd, Frame
from overwatch.planning.mavitems import fence_polygons
from overwatch.planning.model import FloatArray, Plan, Sortie, Trajectory

_ALT_TOL_M = 1e-6


def plan_violations(plan: Plan) -> list[str]:
    """Every constraint the plan breaks, as sentences (empty when the plan is sound)."""
    return drone_violations(plan, baseline=True)


def drone_violations(plan: Plan, *, baseline: bool = False) -> list[str]:
    """What :func:`plan_violations` finds, without the baseline unless ``baseline``
    (a team's drones share one baseline, checked once); labels name the drone's vehicle."""
    name = plan.mission.vehicle.name
    label = f"{name}: plan" if plan.mission.extra_drones else "plan"
    out = trajectory_violations(plan, plan.trajectory, label)
    if baseline:
        out += trajectory_violations(plan, plan.baseline_trajectory, "baseline")
    reserve = plan.mission.vehicle.reserve_fraction
    for s in plan.sorties:
        if s.reserve_at_landing < reserve - 1e-9:
            out.append(
                f"sortie {s.index} lands with {s.reserve_at_landing:.1%} < reserve {reserve:.0%}"
            )
        if len(s.items) < 3:
            out.append(f"sortie {s.index} has only {len(s.items)} items")
            continue
        first, second = s.items[0], s.items[1]
        if not (first.command == Cmd.NAV_WAYPOINT and first.frame == Frame.GLOBAL):
            out.append(f"sortie {s.index}: item 0 is not the home placeholder")
        if second.command != Cmd.NAV_TAKEOFF:
            out.append(f"sortie {s.index}: item 1 is not NAV_TAKEOFF")
        if s.items[-1].command not in (Cmd.NAV_RETURN_TO_LAUNCH, Cmd.NAV_LAND):
            out.append(f"sortie {s.index}: does not end with RTL or NAV_LAND")
        out += item_path_violations(plan, s)
    expected = sum(fp.vertex_count for fp in fence_polygons(plan.geometry))
    if len(plan.fence_items) != expected:
        out.append(f"{len(plan.fence_items)} fence items for {expected} polygon vertices")
    i = 0
    while i < len(plan.fence_items):
        count = int(plan.fence_items[i].param1)
        group = plan.fence_items[i : i + count]
        if count < 3 or len(group) != count or any(int(it.param1) != count for it in group):
            out.append(f"fence item {i}: polygon vertex count {count} does not match its items")
            break
        i += count
    return out


_POSITIONED = (Cmd.NAV_TAKEOFF, Cmd.NAV_WAYPOINT, Cmd.NAV_LOITER_TIME, Cmd.NAV_LAND)


def item_path(plan: Plan, sortie: Sortie) -> FloatArray:
    """The horizontal path (n, 2), local metres, that the sortie's items fly (home left out)."""
    frame = plan.geometry.frame
    pts = [
        frame.to_local(it.lat_deg, it.lon_deg)
        for it in sortie.items[1:]
        if it.command in _POSITIONED
    ]
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def item_path_violations(plan: Plan, sortie: Sortie) -> list[str]:
    """Legs between the sortie's positioned items that leave allowed airspace."""
    path = item_path(plan, sortie)
    if len(path) < 2:
        return []
    geometry = plan.geometry
    moving = np.hypot(*np.diff(path, axis=0).T) > 1e-6
    lines = shapely.linestrings(np.stack([path[:-1], path[1:]], axis=1)[moving])
    out = []
    if not geometry.forbidden.is_empty and shapely.intersects(geometry.forbidden, lines).any():
        out.append(
            f"sortie {sortie.index}: a leg between its mission items enters forbidden airspace"
        )
    if geometry.keep_in is not None and not shapely.covers(geometry.keep_in, lines).all():
        out.append(f"sortie {sortie.index}: a leg between its mission items leaves the keep-in")
    return out


def trajectory_violations(plan: Plan, traj: Trajectory, label: str = "plan") -> list[str]:
    """Airspace and altitude violations of one trajectory of ``plan``."""
    geometry, airspace = plan.geometry, plan.mission.airspace
    out = []
    air = traj.airborne
    both = np.flatnonzero(air[1:] & air[:-1] & (traj.sortie[1:] == traj.sortie[:-1]))
    if len(both):
        a = np.column_stack([traj.x_m[both], traj.y_m[both]])
        b = np.column_stack([traj.x_m[both + 1], traj.y_m[both + 1]])
        moving = np.hypot(*(b - a).T) > 1e-9
        geoms = np.concatenate(
            [
                shapely.linestrings(np.stack([a[moving], b[moving]], axis=1)),
                shapely.points(a[~moving]),
            ]
        )
        order = np.concatenate([both[moving], both[~moving]])
        if not geometry.forbidden.is_empty:
            bad = shapely.intersects(geometry.forbidden, geoms)
            if bad.any():
                j = order[np.flatnonzero(bad)[0]]
                out.append(f"{label}: leg at t={traj.t_s[j]:.0f} s enters forbidden airspace")
        if geometry.keep_in is not None:
            outside = ~shapely.covers(geometry.keep_in, geoms)
            if outside.any():
                j = order[np.flatnonzero(outside)[0]]
                out.append(f"{label}: leg at t={traj.t_s[j]:.0f} s leaves the keep-in")
    level = air & (traj.alt_rel_m >= airspace.min_alt_agl_m - _ALT_TOL_M)
    if (traj.alt_rel_m[air] > airspace.max_alt_agl_m + _ALT_TOL_M).any():
        out.append(f"{label}: above the maximum altitude {airspace.max_alt_agl_m} m")
    low = air & ~level
    if low.any():
        # low rows are allowed only on the vertical take-off and landing legs
        moved = np.zeros(len(traj), dtype=bool)
        moved[1:] = (np.hypot(np.diff(traj.x_m), np.diff(traj.y_m)) > 1e-6) & (
            traj.sortie[1:] == traj.sortie[:-1]
        )
        if (low & moved).any():
            j = int(np.flatnonzero(low & moved)[0])
            out.append(
                f"{label}: below {airspace.min_alt_agl_m} m while moving at t={traj.t_s[j]:.0f} s"
            )
    return out
