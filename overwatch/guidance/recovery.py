"""Where a sortie lands for a battery swap: the mission's ``launch.recovery``, live.

The offline planner's :mod:`overwatch.planning.landing` answers the same question from
the patrol's schedule; this answers it from the tracker's live forecast, so that a plan's
sorties are the ones the live session flies:

- ``with_patrol``: beside the patrol, who carries the drone and its batteries on. The
  landing point is where the forecast puts the patrol when the drone gets there (a few
  fixed-point steps, as the planner's ``WithPatrol``) once the drone is down, kept clear
  of forbidden airspace;
- ``launch``: back at the launch site;
- ``rally``: whichever of the launch site and the rally points is quickest to reach.

Pure: positions in local metres, times on the fix clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from overwatch.guidance.fences import FenceGuard
from overwatch.mission import MissionGeometry
from overwatch.planning.landing import as_xy
from overwatch.tracking import PatrolPrediction

XY = tuple[float, float]
#: a straight path through forbidden airspace is planned this much longer (a rough detour)
_DETOUR_FACTOR = 1.5
#: fixed-point steps of the meeting with a moving patrol (as the planner takes)
_INTERCEPT_STEPS = 3
#: the name a landing beside the patrol goes by (in notes, the TUI and the energy status)
WITH_PATROL = "the patrol"


@dataclass(frozen=True)
class LandingSite:
    """Where to land (``xy_m``), its name, the distance to plan the flight there with, and
    how fast the site moves (the patrol's speed there; 0 for a fixed site)."""

    name: str
    xy_m: XY
    distance_m: float
    speed_m_s: float = 0.0


class LandingSites:
    """The landing site a sortie ending at a point and time goes to (see the module
    docstring). Without a patrol forecast, a ``with_patrol`` recovery falls back to the
    launch and rally sites: there is nowhere else known to land."""

    def __init__(self, geometry: MissionGeometry, fence: FenceGuard, descent_s: float) -> None:
        """``descent_s``: how long the landing takes from the watch altitude; the patrol
        drives on meanwhile, so the drone lands where the patrol will be when it is down."""
        self.fence = fence
        self.descent_s = descent_s
        launch = geometry.mission.launch
        self.mode = launch.recovery_mode
        self.cruise_m_s = geometry.mission.vehicle.cruise_speed_m_s
        sites = [("home", (float(geometry.launch.x), float(geometry.launch.y)))]
        if self.mode != "launch":
            sites += [
                (f"rally {i + 1}", (float(p.x), float(p.y))) for i, p in enumerate(geometry.rally)
            ]
        self.fixed = tuple(sites)

    @property
    def moving(self) -> bool:
        """Whether the landing site moves with the patrol (re-aimed while flown)."""
        return self.mode == "with_patrol"

    def site(self, xy: XY, t_s: float, pred: PatrolPrediction | None) -> LandingSite:
        """Where a sortie that turns for home at ``xy`` at ``t_s`` lands."""
        if self.moving and pred is not None:
            return self._beside_patrol(xy, t_s, pred)
        return self._quickest_fixed(xy)

    def _quickest_fixed(self, xy: XY) -> LandingSite:
        best: LandingSite | None = None
        for name, site in self.fixed:
            d = math.dist(xy, site)
            if not self.fence.path_ok(xy[0], xy[1], site[0], site[1]):
                d *= _DETOUR_FACTOR
            if best is None or d < best.distance_m:
                best = LandingSite(name, site, d)
        assert best is not None
        return best

    def _beside_patrol(self, xy: XY, t_s: float, pred: PatrolPrediction) -> LandingSite:
        d = 0.0
        for _ in range(_INTERCEPT_STEPS + 1):  # first where the patrol is when down from here
            down_s = t_s + d / self.cruise_m_s + self.descent_s
            patrol = as_xy(pred.position_at(down_s))
            # a road through a keep-out or along the border buffer: met beside it
            target = self.fence.nearest_safe(*patrol)
            d = math.dist(xy, target)
        speed = math.dist(as_xy(pred.position_at(down_s + 1.0)), patrol)
        if not self.fence.path_ok(xy[0], xy[1], target[0], target[1]):
            d *= _DETOUR_FACTOR
        return LandingSite(WITH_PATROL, target, d, speed)
