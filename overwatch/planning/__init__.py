"""The overwatch planner: strategies, constraints and coverage → :class:`Plan`.

Pure: no I/O, no event loop. ``plan(mission)`` is the entry point::

    from overwatch.planning import plan
    p = plan(mission, "lead")
    p.coverage.lead_coverage, p.baseline_coverage.lead_coverage, p.sorties[0].items
    team = plan_team(mission)        # every drone, relieving one another on station
    team.coverage.lead_coverage, team.single.coverage.lead_coverage, team.reliefs
"""

from overwatch.planning.checks import plan_violations, trajectory_violations
from overwatch.planning.coverage import CoverageFunction, LeadCoverage, lead_coverage
from overwatch.planning.mavitems import fence_polygons
from overwatch.planning.model import Coverage, Gap, Plan, Relief, Sortie, TeamPlan, Trajectory
from overwatch.planning.planner import (
    RELIEF_SEPARATION_M,
    flight_altitude_m,
    plan,
    plan_team,
    team_altitudes_m,
)
from overwatch.planning.strategies import (
    STRATEGY_BY_NAME,
    BoundingStrategy,
    EscortStrategy,
    FollowStrategy,
    LeadStrategy,
    StaticStrategy,
    Strategy,
    WatchRequest,
    WatchTrack,
)

__all__ = [
    "RELIEF_SEPARATION_M",
    "STRATEGY_BY_NAME",
    "BoundingStrategy",
    "Coverage",
    "CoverageFunction",
    "EscortStrategy",
    "FollowStrategy",
    "Gap",
    "LeadCoverage",
    "LeadStrategy",
    "Plan",
    "Relief",
    "Sortie",
    "StaticStrategy",
    "Strategy",
    "TeamPlan",
    "Trajectory",
    "WatchRequest",
    "WatchTrack",
    "fence_polygons",
    "flight_altitude_m",
    "lead_coverage",
    "plan",
    "plan_team",
    "plan_violations",
    "team_altitudes_m",
    "trajectory_violations",
]
