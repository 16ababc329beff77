"""What the operator asks of a live session: the :class:`~overwatch.ops.state.SessionCommands`.

Flight commands go to the controller (who steers) and to the vehicle through
the :class:`~overwatch.ops.driver.VehicleDriver`; cue commands go to the cue
book, which records each on disk before any screen can see it. Each command
leaves a note in the session's log.

With a team, a flight command goes to the selected drone (:meth:`select`; by
default the one on duty). Starting overwatch launches the first drone and
leaves the others to the relief coordinator; the job's end brings every drone
that is up home.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from overwatch.cues import CueBook
from overwatch.errors import OverwatchError
from overwatch.ops.controller import Controller, new_pilot
from overwatch.ops.crew import Crew
from overwatch.ops.driver import VehicleDriver
from overwatch.ops.inputs import NoteFn
from overwatch.ops.state import LatLon
from overwatch.ops.team import ReliefCoordinator


class OperatorCommands:
    """The operator's commands for one live session (see the module docstring)."""

    def __init__(
        self,
        crews: Sequence[Crew],
        team: ReliefCoordinator | None,
        cues: CueBook,
        note: NoteFn,
    ) -> None:
        self.crews = tuple(crews)
        self.team = team
        self.cues = cues
        self.note = note
        self.selected: int | None = None  # None: the drone on duty

    def select(self, crew: int | None) -> None:
        """Address drone ``crew`` (an index into the team) from now on; None: the one on duty."""
        self._check_drone(crew)
        self.selected = crew

    def addressed(self, crew: int | None) -> OperatorCommands:
        """These commands addressed to drone ``crew`` (None: the one on duty when a command
        runs) for good, whatever :meth:`select` chooses later.

        The terminal UI sends each flight command through one of these, so a command still
        running on one drone (a take-off waits for its climb) and the next one sent to
        another (or the same command sent to every drone at once) cannot swap drones.
        """
        self._check_drone(crew)
        bound = copy.copy(self)  # shares the crews, the team, the cue book and the log
        bound.selected = crew
        return bound

    def _check_drone(self, crew: int | None) -> None:
        if crew is not None and not 0 <= crew < len(self.crews):
            raise OverwatchError(f"no drone {crew + 1}: the team has {len(self.crews)}")

    @property
    def crew(self) -> Crew:
        """The drone addressed."""
        if self.selected is not None:
            return self.crews[self.selected]
        duty = None if self.team is None else self.team.duty
        return self.crews[duty or 0]

    @property
    def controller(self) -> Controller:
        return self.crew.controller

    @property
    def flight(self) -> VehicleDriver:
        return self.crew.flight

    # -- flight ---------------------------------------------------------------------

    async def arm_and_takeoff(self) -> None:
        await self.flight.arm_and_takeoff()

    async def start_overwatch(self) -> None:
        """Take off if need be (or take the flight over where it is), then let guidance steer;
        with a team, the drone addressed goes first and the coordinator sends the others."""
        crew = self.crew  # read once: a selection made while it climbs changes nothing
        flight, controller = crew.flight, crew.controller
        vehicle = flight.need_vehicle()
        if controller.strategy == "follow-baseline":
            await flight.start_follow_baseline()
            self._start_team(crew)
            return
        await flight.set_cruise_speed(vehicle)
        if flight.needs_takeoff(vehicle):
            await flight.arm_and_takeoff()
        else:
            # taken over in flight (a restarted ground station): no takeoff, no landing
            self.note(
                "info",
                f"taking over in flight at {vehicle.state.alt_rel_m or 0.0:.0f} m "
                f"({vehicle.state.mode})",
            )
            await vehicle.set_mode("GUIDED")
            flight.airborne_once = True
        await vehicle.gimbal(flight.mission.vehicle.camera.gimbal_pitch_deg, 0.0)
        controller.start()
        self._start_team(crew)
        self.note("info", f"overwatch started ({controller.strategy})")

    def _start_team(self, first: Crew) -> None:
        """``first`` is on duty; the others' guidance steers them once they are launched."""
        if self.team is None:
            return
        self.team.started(self.crews.index(first))
        for other in self.crews:
            if other is not first:
                other.controller.start()

    async def return_to_nearest_site(self) -> None:
        """The job is done: a guided return to where the crew is (beside the patrol with
        ``recovery: with_patrol``, else home or the quickest rally point), and land there
        (any strategy); with a team, every drone that is up."""
        if self.team is not None:
            self.team.finish()
        crews = [self.crew] if self.team is None else [c for c in self.crews if _up(c)]
        for crew in crews:
            vehicle = crew.flight.need_vehicle()
            crew.controller.return_home(job_done=True)  # from FOLLOW too: guidance flies it
            await crew.flight.set_cruise_speed(vehicle)
            # a drone already landing (at a site guidance chose) is left to land
            if vehicle.state.armed and vehicle.state.mode not in ("GUIDED", "LAND"):
                await vehicle.set_mode("GUIDED")
        self.note("info", "returning to the nearest landing site")

    async def hold(self) -> None:
        self.controller.guidance.operator_hold()
        self.note("info", "operator: hold")

    async def resume(self) -> None:
        self.controller.guidance.operator_resume()
        self.note("info", "operator: resume")

    async def return_to_launch(self) -> None:
        vehicle = self.flight.need_vehicle()
        self.controller.stop()
        await vehicle.set_mode("RTL")
        self.note("info", "operator: return to launch")

    async def land(self) -> None:
        vehicle = self.flight.need_vehicle()
        self.controller.stop()
        await vehicle.set_mode("LAND")
        self.note("info", "operator: land")

    async def set_strategy(self, name: str) -> None:
        new_pilot(name)  # an unknown strategy is refused before anything changes
        if name == "follow-baseline":
            await self.flight.start_follow_baseline()
            return
        was_follow = self.controller.strategy == "follow-baseline"
        self.controller.use(name)
        if was_follow and self.flight.vehicle is not None:
            await self.flight.vehicle.set_mode("GUIDED")
        self.note("info", f"strategy {name}")

    async def start_follow_baseline(self) -> None:
        await self.flight.start_follow_baseline()

    async def look_at(self, position: LatLon) -> None:
        self.controller.guidance.operator_look_at(*position)
        vehicle = self.flight.need_vehicle()
        await vehicle.roi_location(position[0], position[1], 0.0)
        self.note("info", f"operator: look at {position[0]:.5f}, {position[1]:.5f}")

    # -- cues -------------------------------------------------------------------------

    async def mark_cue(self, position: LatLon, kind: str = "unknown", note: str = "") -> str:
        cue = self.cues.mark(position[0], position[1], kind, note)
        self.note("info", f"operator marked cue {cue.id} ({kind})")
        return cue.id

    async def acknowledge_cue(self, cue_id: str) -> None:
        """Record the acknowledgement on disk, then let the screens see it.

        :meth:`CueBook.acknowledge` returns only once the cue store has synced
        the record (and raises :class:`~overwatch.cues.CueError` if it cannot);
        the book's cues — and so every snapshot the UI draws — change only
        after that. The UI never marks a cue acknowledged by itself.
        """
        self.cues.acknowledge(cue_id)

    async def dismiss_cue(self, cue_id: str) -> None:
        self.cues.dismiss(cue_id)

    async def note_cue(self, cue_id: str, text: str) -> None:
        self.cues.note(cue_id, text)


def _up(crew: Crew) -> bool:
    """``crew``'s drone is armed or being launched, and its link is up."""
    vehicle = crew.vehicle
    if vehicle is None or vehicle.state.link_lost:
        return False  # nothing it would hear: its autopilot's failsafe brings it down
    return vehicle.state.armed or crew.flight.launching


__all__ = ["OperatorCommands"]
