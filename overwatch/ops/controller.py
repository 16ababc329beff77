"""The live controller: what the drone should do this tick, as typed actions.

It holds no socket, no event loop and no wall clock. Each guidance tick the
session (its driver) hands it the time, the vehicle as last heard and the
patrol tracker; it observes what the camera covers, asks the guidance law for a
setpoint and returns the :data:`Action` list to carry out: fly to a setpoint,
aim the camera, change mode, land, relaunch after a swap, forward the patrol's
position to FOLLOW mode, note something for the operator. The driver turns each
action into MAVLink; the controller never learns whether it worked except from
the next vehicle input.

One :class:`Pilot` per live strategy says how guidance's setpoints reach the
drone: ``lead``, ``escort``, ``bounding`` and ``static`` steer it in GUIDED
(each with its own guidance law); ``follow-baseline`` leaves it to ArduPilot's
FOLLOW mode, fed the patrol's position, until the energy model calls it home. A
new strategy is a new pilot in :data:`PILOTS`.

::

    controller = Controller(geometry, "lead", GuidanceConfig())
    controller.start()                      # overwatch started: steer from now on
    for action in controller.step(now_s, VehicleInput(snap, armed=True, mode="GUIDED"), tracker):
        ...                                 # the driver carries each one out
"""

from __future__ import annotations

import math
from dataclasses import replace

from overwatch.guidance import (
    CameraPose,
    Guidance,
    GuidanceCommand,
    GuidanceConfig,
    GuidanceState,
    LiveCoverage,
)
from overwatch.mission import MissionGeometry
from overwatch.ops.actions import (
    Action,
    ForwardPatrol,
    Goto,
    Land,
    Note,
    Relaunch,
    SetMode,
    SetRoi,
    VehicleInput,
)
from overwatch.ops.pilots import PILOTS, STRATEGIES, FollowBaselinePilot, Pilot, new_pilot
from overwatch.ops.shortfall import Shortfall
from overwatch.tracking import PatrolTracker

#: the camera is re-aimed at most this often (session seconds), and only when its
#: target moved by more than :data:`ROI_MOVE_DEG` (lat + lon degrees, about 10 m)
ROI_EVERY_S = 2.0
ROI_MOVE_DEG = 1e-4
#: below this height (m above home) the camera's view is not counted as coverage
OBSERVE_ABOVE_M = 2.0
#: the patrol has arrived when its estimate is this close to the route's end, m
ARRIVED_WITHIN_M = 25.0
#: a stop asked of the patrol is asked again when guidance moves it this far, m
ASK_AGAIN_M = 300.0


# -- the controller ------------------------------------------------------------------


class Controller:
    """Guidance, the strategy's pilot and the coverage seen so far (see the module docstring).

    ``active``: overwatch has started and guidance steers (the operator's land and
    RTL stop it). ``relaunch_after_swap``: climb out again on a fresh battery.
    ``coverage``: where what the camera sees is counted (default: its own).
    """

    def __init__(
        self,
        geometry: MissionGeometry,
        strategy: str,
        config: GuidanceConfig | None = None,
        *,
        relaunch_after_swap: bool = True,
        coverage: LiveCoverage | None = None,
    ) -> None:
        self.geometry = geometry
        self.config = config or GuidanceConfig()
        self.relaunch_after_swap = relaunch_after_swap
        #: what the camera covered (a team's drones share one)
        self.coverage = LiveCoverage(geometry) if coverage is None else coverage
        self.pilot: Pilot = new_pilot(strategy)
        self.guidance = self._guidance_for(self.pilot)
        self.active = False
        self.last_command: GuidanceCommand | None = None
        self.setpoints = 0
        self._last_roi: tuple[float, float] | None = None
        self._last_roi_s = -math.inf
        self._asked_stop_m: float | None = None  # the stop last asked of the patrol
        self.shortfall = Shortfall()  # what a plan does not foresee, to explain a shortfall

    @property
    def strategy(self) -> str:
        return self.pilot.name

    def _guidance_for(self, pilot: Pilot) -> Guidance:
        config = replace(
            self.config, mode=pilot.law, plan_swaps=self.config.plan_swaps and pilot.plans_swaps
        )
        return Guidance(self.geometry, config)

    def use(self, strategy: str, *, fresh_guidance: bool = True) -> None:
        """Fly ``strategy`` from now on (a new guidance law unless ``fresh_guidance`` is off)."""
        self.pilot = new_pilot(strategy)
        if fresh_guidance:
            self.guidance = self._guidance_for(self.pilot)

    # -- operator intents -----------------------------------------------------------

    def start(self) -> None:
        """Overwatch starts (or resumes after the operator's hold): steer from now on."""
        self.guidance.operator_resume()
        self.active = True

    def stop(self) -> None:
        """The operator took the drone (RTL, LAND): no more setpoints."""
        self.active = False

    def return_home(self, *, job_done: bool = False) -> None:
        """Guided return to home or the quickest rally point, and land there; when the job
        is done, beside the patrol if it recovers the drone."""
        if self.pilot.name == "follow-baseline":
            self.use("lead")  # guidance flies the drone home from FOLLOW
        if job_done:
            self.guidance.job_done_return()
        else:
            self.guidance.operator_return()
        self.active = True

    def relieved(self) -> None:
        """Another drone of the team has the watch: fly home, land, wait for a fresh battery."""
        self.guidance.relieved_return()
        self.active = True

    def relaunched(self) -> None:
        self._last_roi = None
        self.pilot.relaunched()

    def finished(self, now_s: float, tracker: PatrolTracker) -> str | None:
        """Why the job is done, or None: a static watch of set duration is done when it has
        lasted it; every other watch when the patrol has arrived."""
        if self.guidance.mode == "static" and self.geometry.mission.overwatch.static.duration_s:
            return "static watch complete" if self.guidance.static_watch_done(now_s) else None
        station = tracker.estimate(now_s).station_m
        if station is not None and station >= self.geometry.route.length - ARRIVED_WITHIN_M:
            return "patrol arrived"
        return None

    # -- one tick -------------------------------------------------------------------

    def step(
        self, now_s: float, vehicle: VehicleInput | None, tracker: PatrolTracker
    ) -> list[Action]:
        """Observe coverage, ask guidance, and say what to do (nothing without a vehicle
        or before the patrol's first fix)."""
        if vehicle is None:
            return []
        snap = vehicle.snapshot
        if snap.alt_rel_m > OBSERVE_ABOVE_M:
            self.coverage.observe(now_s, CameraPose.of_vehicle(snap, self.geometry))
        if tracker.prediction() is None:
            return []
        command = self.guidance.tick(now_s, snap, tracker)
        self.last_command = command
        if self.active:
            self.shortfall.observe(now_s, command, tracker.estimate(now_s).mode)
        steer, actions = self.pilot.steering(command, self.active)
        actions = self._ask_for_stop(command) + actions
        if steer and not vehicle.link_lost:
            actions = actions + self._steer(now_s, vehicle, command)
        return actions

    def _ask_for_stop(self, command: GuidanceCommand) -> list[Action]:
        """A note to the operator when guidance first needs a stop of the patrol that its
        schedule does not give (and again when the stop moves by ``ASK_AGAIN_M``)."""
        stop = command.energy.stop_request
        if stop is None or not self.active:
            return []
        asked = self._asked_stop_m
        if asked is not None and abs(stop.station_m - asked) < ASK_AGAIN_M:
            return []
        self._asked_stop_m = stop.station_m
        return [Note("warning", stop.text(command.time_s))]

    def _steer(self, now_s: float, vehicle: VehicleInput, command: GuidanceCommand) -> list[Action]:
        if command.action == "land":
            # an armed drone is told to land, however low it hovers (a GUIDED hover a metre
            # up lands no other way); disarmed on the ground it simply waits
            return [Land()] if vehicle.mode != "LAND" and vehicle.armed else []
        if not vehicle.armed:
            # on the ground after a battery swap, guidance wants to climb out again
            if command.state is GuidanceState.CLIMB_OUT and self.relaunch_after_swap:
                return [Relaunch()]
            return []
        if vehicle.mode != "GUIDED" or vehicle.climbing:
            return []
        actions: list[Action] = [
            Goto(
                command.lat_deg,
                command.lon_deg,
                command.alt_rel_m,
                (command.vn_m_s, command.ve_m_s, command.vd_m_s),
            )
        ]
        self.setpoints += 1
        roi = command.roi
        if roi is not None:
            last = self._last_roi
            moved = (
                last is None
                or abs(roi.lat_deg - last[0]) + abs(roi.lon_deg - last[1]) > ROI_MOVE_DEG
            )
            if moved and now_s - self._last_roi_s >= ROI_EVERY_S:
                self._last_roi = (roi.lat_deg, roi.lon_deg)
                self._last_roi_s = now_s
                actions.append(SetRoi(roi.lat_deg, roi.lon_deg, roi.alt_rel_m))
        return actions


__all__ = [
    "ARRIVED_WITHIN_M",
    "PILOTS",
    "ROI_EVERY_S",
    "STRATEGIES",
    "Action",
    "Controller",
    "FollowBaselinePilot",
    "ForwardPatrol",
    "Goto",
    "Land",
    "Note",
    "Pilot",
    "Relaunch",
    "SetMode",
    "SetRoi",
    "VehicleInput",
    "new_pilot",
]
