"""One pilot per live strategy: how guidance's setpoints reach the drone.

``lead``, ``escort``, ``bounding`` and ``static`` steer it in GUIDED, each with
its own guidance law; ``follow-baseline`` leaves it to ArduPilot's FOLLOW mode,
fed the patrol's position, until the energy model calls it home. A new
strategy is a new pilot in :data:`PILOTS`.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from overwatch.errors import OverwatchError
from overwatch.guidance import GuidanceCommand, GuidanceMode, GuidanceState
from overwatch.ops.actions import Action, ForwardPatrol, Note, SetMode

# -- pilots --------------------------------------------------------------------------


class Pilot(Protocol):
    """How one strategy's guidance reaches the drone."""

    #: the strategy's name (``--mode``)
    name: ClassVar[str]
    #: the guidance law's own mode for it
    law: ClassVar[GuidanceMode]
    #: whether guidance plans battery swaps at the patrol's halts
    plans_swaps: ClassVar[bool]

    def steering(self, command: GuidanceCommand, active: bool) -> tuple[bool, list[Action]]:
        """Whether guidance's setpoint goes to the drone this tick, and what else to do."""

    def relaunched(self) -> None:
        """The drone is up again after a swap."""


class GuidedPilot:
    """``lead``: guidance steers the drone in GUIDED, ahead of the patrol."""

    name: ClassVar[str] = "lead"
    law: ClassVar[GuidanceMode] = "lead"
    plans_swaps: ClassVar[bool] = True

    def steering(self, command: GuidanceCommand, active: bool) -> tuple[bool, list[Action]]:
        return active, []

    def relaunched(self) -> None:
        pass


class EscortPilot(GuidedPilot):
    """``escort``: guidance steers the drone in GUIDED, orbiting the patrol."""

    name: ClassVar[str] = "escort"
    law: ClassVar[GuidanceMode] = "escort"


class BoundingPilot(GuidedPilot):
    """``bounding``: guidance hops the drone in GUIDED between the plan's vantage points
    beside the route, each reached before the patrol enters its stretch (energy returns,
    no swaps planned at halts: the lead's run-ahead has no meaning for a fixed vantage)."""

    name: ClassVar[str] = "bounding"
    law: ClassVar[GuidanceMode] = "bounding"
    plans_swaps: ClassVar[bool] = False


class StaticPilot(GuidedPilot):
    """``static``: guidance holds or orbits the drone in GUIDED over the static site, camera
    on it, for the watch's duration (energy returns in between)."""

    name: ClassVar[str] = "static"
    law: ClassVar[GuidanceMode] = "static"
    plans_swaps: ClassVar[bool] = False


class FollowBaselinePilot:
    """``follow-baseline``: ArduPilot's FOLLOW mode flies the drone after the patrol's
    forwarded position; FOLLOW knows nothing of the battery, so when the energy model
    calls the drone home, guidance takes it over in GUIDED (plain energy returns: no
    swaps planned at halts)."""

    name: ClassVar[str] = "follow-baseline"
    law: ClassVar[GuidanceMode] = "lead"
    plans_swaps: ClassVar[bool] = False

    def __init__(self) -> None:
        self.guided = False  # flown home by guidance for a swap

    def steering(self, command: GuidanceCommand, active: bool) -> tuple[bool, list[Action]]:
        actions: list[Action] = []
        # an energy return: flying home, or landing at once when the drone is already there
        coming_home = command.state in (GuidanceState.RETURNING, GuidanceState.LANDING)
        if active and not self.guided and coming_home:
            self.guided = True
            actions += [
                SetMode("GUIDED", "energy return"),
                Note("warning", f"FOLLOW baseline: {command.note}"),
            ]
        return active and self.guided, [*actions, ForwardPatrol()]

    def relaunched(self) -> None:
        self.guided = False


#: the live strategies, by name
PILOTS: dict[str, type[GuidedPilot] | type[FollowBaselinePilot]] = {
    p.name: p for p in (GuidedPilot, EscortPilot, BoundingPilot, StaticPilot, FollowBaselinePilot)
}
#: what ``--mode`` accepts
STRATEGIES: tuple[str, ...] = tuple(PILOTS)


def new_pilot(name: str) -> Pilot:
    """The pilot for strategy ``name``; :class:`OverwatchError` for one that does not fly live."""
    try:
        return PILOTS[name]()
    except KeyError:
        raise OverwatchError(f"unknown strategy {name!r}: expected {', '.join(PILOTS)}") from None
