"""The live overwatch session: the drivers around the pure controller.

:class:`~overwatch.ops.controller.Controller` decides what the drone does;
the session runs one asyncio task per concern around it, each isolated so a
failure in one cannot take the others down:

- the patrol feed task turns fixes into tracker updates (and re-times the
  session clock, see :mod:`overwatch.ops.clock`);
- the sightings task turns CoT markers (the drone's detector, TAK) into cues;
- the guidance task ticks at ``tick_hz`` of session time, and at once when a
  patrol fix arrives: the vehicle's state and the tracker go into
  :meth:`Controller.step`, and :class:`~overwatch.ops.driver.VehicleDriver`
  carries out the actions it returns (setpoints, camera aim, modes, relaunch);
- the CoT task shares the drone, its footprint, the patrol and the cues;
- the video pipeline (:mod:`overwatch.ops.video`) receives and detects.

Screens read :meth:`LiveSession.snapshot`, which changes nothing; operators act
through :attr:`LiveSession.commands` (:mod:`overwatch.ops.operator`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from overwatch.cues import CueBook
from overwatch.errors import DurableFileError, LinkTimeout
from overwatch.feeds import CotEvent, PatrolFix, open_feed
from overwatch.feeds.base import Feed
from overwatch.guidance import Guidance, GuidanceCommand, LiveCoverage, VehicleSnapshot
from overwatch.link import Link, Transport, Vehicle
from overwatch.mission import MissionGeometry
from overwatch.ops.clock import SessionClock
from overwatch.ops.config import Mode, SessionConfig
from overwatch.ops.controller import Controller, VehicleInput
from overwatch.ops.crew import Crew, crew_input, team_geometries
from overwatch.ops.driver import VehicleDriver
from overwatch.ops.fly import gcs_heartbeat_hz
from overwatch.ops.inputs import (
    InputNotes,
    LinkNotes,
    add_marker,
    input_counts,
    keep_input_counts,
    write_input_counts,
)
from overwatch.ops.operator import OperatorCommands
from overwatch.ops.state import EventLine, LatLon, SessionSnapshot
from overwatch.ops.tasks import TaskSet
from overwatch.ops.team import Launch, ReliefCoordinator, Relieve
from overwatch.ops.track_log import TrackLog
from overwatch.ops.views import session_snapshot
from overwatch.tracking import PatrolTracker, TrackFix, TrackMode

if TYPE_CHECKING:
    from overwatch.ops.video import VideoPipeline


class LiveSession:
    """A live overwatch of one patrol by one drone (see the module docstring)."""

    def __init__(
        self,
        geometry: MissionGeometry,
        config: SessionConfig,
        *,
        connection: Transport | None = None,
        feed: Feed | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``connection`` and ``feed``, when given, are used instead of opening
        ``config.connect`` and ``config.patrol_feed`` (which then only name them), and
        ``monotonic`` is the wall clock the session's runs on: a run in one process with
        the simulator (:mod:`simulator.lockstep`) gives its own."""
        self.geometry = geometry
        self.config = config
        self.mission = geometry.mission
        self.clock = SessionClock(config.speedup, monotonic=monotonic)
        self.tracker = PatrolTracker(geometry)
        run_dir = config.run_dir
        if run_dir is not None:
            run_dir.mkdir(parents=True, exist_ok=True)
        self.cues = CueBook(run_dir / "cues.sqlite" if run_dir else None)
        #: where the patrol and the drone were, for scoring a real run (track.jsonl)
        self.track = TrackLog(run_dir, geometry) if run_dir else None
        urls = (config.connect, *config.more_connects)
        transports: list[Transport | str] = [*urls] if connection is None else [connection]
        #: one per ``--connect``: a team's drones are matched to them by sysid
        self.links = tuple(
            Link(
                transport,
                # the vehicle's GCS failsafe counts its own seconds: heartbeats keep pace
                heartbeat_hz=gcs_heartbeat_hz(config.speedup),
                link_lost_after_s=config.link_lost_after_s,
                tlog_path=_tlog_path(run_dir, i),
                outs=config.outs if i == 0 else (),
                signing_key=config.signing_key,
            )
            for i, transport in enumerate(transports)
        )
        self.link = self.links[0]
        self.feed: Feed = open_feed(config.patrol_feed) if feed is None else feed
        self.sightings_feed: Feed | None = None
        self._input_notes = InputNotes(self.note)
        self.events: deque[EventLine] = deque(maxlen=200)
        self.notes_total = 0  # notes ever made (``events`` keeps the last 200)
        self.ticks = 0
        self._fix_arrived = asyncio.Event()
        self.patrol_trail: deque[LatLon] = deque(maxlen=config.trail_points)
        self._tasks = TaskSet(self.note)  # one per concern (see the module docstring)
        #: what the camera of any drone has covered (the team's one watch)
        self.coverage = LiveCoverage(geometry)
        #: one per drone of the mission: its controller (what it should do, tick by tick,
        #: pure: see overwatch.ops.controller) and the driver that carries that out
        self.crews = tuple(self._crew(i, g) for i, g in enumerate(team_geometries(geometry)))
        mission = self.mission
        #: who watches and when the next drone takes off (a team of two or more)
        self.team = (
            ReliefCoordinator(
                [c.name for c in self.crews],
                overlap_s=mission.overwatch.relief.overlap_s,
                return_margin_s=config.guidance.return_margin_s,
                mode=mission.relief_mode,
                anticipate=config.mode != "follow-baseline",
            )
            if len(self.crews) > 1
            else None
        )
        #: what the operator can ask (the UI's and ``overwatch run``'s commands)
        self.commands = OperatorCommands(self.crews, self.team, self.cues, self.note)
        self._closed = False
        self.video: VideoPipeline | None = None

    def _crew(self, index: int, geometry: MissionGeometry) -> Crew:
        config = self.config
        team = len(self.mission.drones) > 1
        name = geometry.mission.vehicle.name
        note = self.note if not team else (lambda level, text: self.note(level, f"{name}: {text}"))
        guidance = config.guidance
        if team and self.mission.relief_mode == "continuous":
            guidance = replace(guidance, plan_swaps=False)  # relieved, not swapped
        controller = Controller(
            geometry,
            config.mode,
            guidance,
            # a team's coordinator sends a drone back up (continuous relief)
            relaunch_after_swap=config.relaunch_after_swap
            and (not team or self.mission.relief_mode == "swap"),
            coverage=self.coverage,
        )
        flight = VehicleDriver(
            geometry,
            controller,
            self.link,
            self.clock,
            self.tracker,
            note,
            lambda: self.feed.status().last_fix,
        )
        return Crew(index, geometry, controller, flight, deque(maxlen=config.trail_points))

    @property
    def duty(self) -> Crew:
        """The drone on duty (whose watch this is), or the first while none is."""
        team = self.team
        if team is None or team.duty is None:
            return self.crews[0]
        return self.crews[team.duty]

    @property
    def controller(self) -> Controller:
        """The controller of the drone on duty."""
        return self.duty.controller

    @property
    def flight(self) -> VehicleDriver:
        """The driver of the drone on duty."""
        return self.duty.flight

    @property
    def drone_trail(self) -> deque[LatLon]:
        return self.duty.trail

    @property
    def mode(self) -> Mode:
        """The live strategy being flown."""
        return cast(Mode, self.controller.strategy)

    @property
    def vehicle(self) -> Vehicle | None:
        """The vehicle on duty, once heard (its driver's)."""
        return self.flight.vehicle

    @property
    def guidance(self) -> Guidance:
        return self.controller.guidance

    @property
    def active(self) -> bool:
        """Guidance is steering the drone (overwatch started, not taken by the operator)."""
        return self.controller.active

    @property
    def last_command(self) -> GuidanceCommand | None:
        return self.controller.last_command

    # -- lifecycle ---------------------------------------------------------------

    async def start(self, *, vehicle_timeout_s: float = 30.0) -> None:
        """Connect, ask for telemetry and start the session's tasks.

        The first drone must be heard within ``vehicle_timeout_s``; a team's others
        are attached whenever they are heard (a note says so)."""
        names = {c.sysid: c.name for c in self.crews} if self.team is not None else None
        for link in self.links:
            await link.start()
            link.add_listener(LinkNotes(self.note, names))
        self._tasks.spawn(self._feed_task(), "patrol-feed")
        if self.config.sightings_url:
            self._tasks.spawn(self._sightings_task(self.config.sightings_url), "sightings")
        await self._attach(self.crews[0], vehicle_timeout_s)
        for crew in self.crews[1:]:
            self._tasks.spawn(self._attach(crew, None), f"find {crew.name}")
        self._tasks.spawn(self._guidance_task(), "guidance")
        if self.config.video_url:
            from overwatch.ops.video import VideoPipeline

            self.video = VideoPipeline(self, self.config.video_url, detector=self.config.detector)
            await self.video.start()
        if self.config.cot_out:
            self._tasks.spawn(self._cot_task(self.config.cot_out), "cot-out")
        if self.config.run_dir is not None:
            report = keep_input_counts(self.config.run_dir, self.input_counts, self.note)
            self._tasks.spawn(report, "inputs-report")

    async def _attach(self, crew: Crew, timeout_s: float | None) -> None:
        """Wait for ``crew``'s vehicle on any link (a team's by its sysid; a single drone is
        the first vehicle heard) and ask it for telemetry."""
        sysid = crew.sysid if self.team is not None else None
        vehicle = await _first_vehicle(self.links, sysid, timeout_s)
        crew.flight.vehicle = vehicle
        crew.flight.link = vehicle.link
        where = vehicle.link.transport.description
        who = f"{crew.name} (vehicle {vehicle.sysid})" if self.team else f"vehicle {vehicle.sysid}"
        self.note("info", f"{who} connected on {where}")
        if vehicle.link.heard_signed:
            self.note(
                "warning",
                f"vehicle {vehicle.sysid} signs its MAVLink and will ignore unsigned "
                "commands: give its key with --signing-passphrase or --signing-key-file",
            )
        await vehicle.request_telemetry()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._tasks.close()
        for crew in self.crews:
            await crew.flight.close()
        if self.video is not None:
            await self.video.stop()
        for link in self.links:
            await link.close()
        self.cues.close()
        if self.track is not None:
            self.track.close()
        if self.config.run_dir is not None:
            with contextlib.suppress(OSError, DurableFileError):
                write_input_counts(self.config.run_dir, self.input_counts())

    async def __aenter__(self) -> LiveSession:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def note(self, level: str, text: str) -> None:
        self.events.append(EventLine(self.clock.now(), level, text))
        self.notes_total += 1

    # -- tasks ---------------------------------------------------------------------

    async def _feed_task(self) -> None:
        loop = asyncio.get_running_loop()
        async with contextlib.aclosing(self.feed.fixes()) as fixes:
            async for fix in fixes:
                self.on_fix(fix, loop.time())

    def on_fix(self, fix: PatrolFix, received_wall_s: float) -> None:
        self.clock.observe(fix.time_s)
        est = self.tracker.update(
            TrackFix(fix.time_s, fix.lat_deg, fix.lon_deg, fix.speed_m_s, fix.course_deg)
        )
        if est.station_m is not None and est.mode is TrackMode.ON_ROUTE:
            self.coverage.patrol_at(fix.time_s, est.station_m)
        if self.track is not None:
            self.track.patrol(fix, est)
        self.patrol_trail.append((fix.lat_deg, fix.lon_deg))
        for crew in self.crews:
            crew.flight.pending_fix_wall = received_wall_s
        self._fix_arrived.set()  # steer from the new fix now, not at the next tick

    async def _sightings_task(self, url: str) -> None:
        feed = self.sightings_feed = open_feed(url, on_cot_event=self.on_cot_event)
        async with contextlib.aclosing(feed.fixes()) as fixes:
            async for _ in fixes:  # position reports on this port are not the patrol's
                pass

    def on_cot_event(self, event: CotEvent) -> None:
        """A CoT marker (the drone's detector's, TAK's) as a cue; a bad one is noted."""
        add_marker(self.cues, event, self.note)

    def input_counts(self) -> dict[str, Any]:
        """What the patrol feed, the sightings feed and the link took and dropped."""
        return input_counts(self.feed, self.sightings_feed, self.link)

    async def _guidance_task(self) -> None:
        """Tick at ``tick_hz`` of session time, and at once when a patrol fix arrives."""
        period_wall_s = self.clock.wall_seconds(1.0 / self.config.tick_hz)
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            self._fix_arrived.clear()
            self.tick()
            remaining = max(0.0, period_wall_s - (loop.time() - started))
            # asyncio.timeout, not wait_for: Python 3.11's wait_for loses a cancellation
            # that comes with the fix, and close() then waits on this loop for ever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._fix_arrived.wait()

    def tick(self) -> GuidanceCommand | None:
        """One guidance step: each drone's controller says what to do, and it is done; then
        the team's coordinator says who watches and who takes off."""
        now = self.clock.now()
        # feed state changes and drops, noted each tick (reading a snapshot changes nothing)
        self._input_notes.check(now, self.feed, self.sightings_feed, self.link)
        heard = [crew for crew in self.crews if crew.vehicle is not None]
        if not heard:
            return None
        self.ticks += 1
        for crew in heard:
            self._tick_crew(now, crew)
        if self.team is not None:
            self._tick_team(now)
        return self.controller.last_command if self.tracker.prediction() is not None else None

    def _tick_crew(self, now: float, crew: Crew) -> None:
        vehicle = crew.vehicle
        snap = crew.flight.vehicle_snapshot()
        if vehicle is None or snap is None:
            return
        if self.track is not None:
            self.track.drone(now, snap, sysid=crew.sysid if crew.index else None)
        if snap.alt_rel_m > 2.0:
            crew.trail.append((snap.lat_deg, snap.lon_deg))
        state = vehicle.state
        seen = VehicleInput(
            snap,
            state.armed,
            state.mode or "",
            link_lost=state.link_lost,
            climbing=crew.flight.climbing,
        )
        for action in crew.controller.step(now, seen, self.tracker):
            crew.flight.carry_out(vehicle, action)

    def _tick_team(self, now: float) -> None:
        team = self.team
        assert team is not None
        duty = self.duty
        inputs = [crew_input(crew, duty, self.tracker, now) for crew in self.crews]
        for action in team.step(now, inputs, watch_left_s=self._watch_left_s(now)):
            if isinstance(action, Launch):
                crew = self.crews[action.crew]
                if not action.again:  # a launch tried again is not said again
                    self.note("info", f"{crew.name} takes off {action.why}")
                crew.flight.start_launch()
            elif isinstance(action, Relieve):
                self.crews[action.crew].controller.relieved()
            else:
                self.note(action.level, action.text)

    def _watch_left_s(self, now: float) -> float | None:
        """Seconds the road still needs watching: until the patrol is ``lead_min`` from the
        end of its route, the last moment its end counts as watched ahead (None: not known)."""
        if self.tracker.prediction() is None:
            return None
        end = float(self.tracker.arrival_times_s(np.array([self.geometry.route.length]))[0])
        if not math.isfinite(end):
            return None
        return end - self.mission.overwatch.lead_min_s - now

    async def _cot_task(self, target: str) -> None:
        from overwatch.ops.cot import CotSharer  # only sessions that share need it

        await CotSharer.open(target, self).run(lambda: self.clock.wall_seconds(2.0))

    # -- reading ---------------------------------------------------------------------

    def vehicle_snapshot(self) -> VehicleSnapshot | None:
        """The drone on duty as guidance sees it."""
        return self.flight.vehicle_snapshot()

    def snapshot(self) -> SessionSnapshot:
        """Everything a screen shows, as of now (reading it changes nothing)."""
        return session_snapshot(self)


__all__ = ["LiveSession", "Mode", "SessionConfig"]


def _tlog_path(run_dir: Path | None, index: int) -> Path | None:
    """The tlog of link ``index``: ``flight.tlog`` for the first (every drone it carries),
    ``flight-2.tlog`` … for more ``--connect``."""
    if run_dir is None:
        return None
    return run_dir / ("flight.tlog" if index == 0 else f"flight-{index + 1}.tlog")


async def _first_vehicle(
    links: Sequence[Link], sysid: int | None, timeout_s: float | None
) -> Vehicle:
    """The vehicle ``sysid`` (None: any) on whichever of ``links`` hears it first; with no
    timeout, waits for it as long as the session runs."""
    waits = [asyncio.ensure_future(link.wait_vehicle(timeout_s, sysid=sysid)) for link in links]
    try:
        error: LinkTimeout | None = None
        for next_done in asyncio.as_completed(waits):
            try:
                return await next_done
            except LinkTimeout as exc:
                error = exc
        assert error is not None
        raise error
    finally:
        for wait in waits:
            wait.cancel()
