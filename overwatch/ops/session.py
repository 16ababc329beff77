"""The live overwatch session: link + patrol feed + tracker + guidance + cues + CoT.

One asyncio task per concern, each isolated so a failure in one cannot take
the others down:

- the patrol feed task turns fixes into tracker updates (and re-times the
  session clock, see :mod:`overwatch.ops.clock`);
- the sightings task turns CoT markers (the drone's detector, TAK) into cues;
- the guidance task ticks at ``tick_hz`` of session time, and at once when a
  patrol fix arrives: it reads the vehicle's state, asks
  :class:`overwatch.guidance.Guidance` for a setpoint, checks it, and sends it
  in GUIDED (at the vehicle's cruise speed, set as WPNAV_SPEED); it also
  updates live lead coverage. When guidance wants to climb out of a landing
  after a battery swap, the session arms and takes off again;
- the CoT task shares the drone, its footprint, the patrol and the cues.

Screens read :meth:`LiveSession.snapshot`; operators act through the
:class:`~overwatch.ops.state.SessionCommands` methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from overwatch.cues import CueBook, camera_sighting, sighting_from_cot
from overwatch.errors import DurableFileError, LinkError, OverwatchError
from overwatch.feeds import CotEvent, PatrolFix, open_feed
from overwatch.feeds.base import Feed
from overwatch.feeds.cot_out import TakCredentials
from overwatch.guidance import (
    Guidance,
    GuidanceCommand,
    GuidanceConfig,
    LiveCoverage,
    VehicleSnapshot,
)
from overwatch.link import Link, Vehicle
from overwatch.link import events as ev
from overwatch.link.beacon import PositionBeacon
from overwatch.mission import MissionGeometry, StrategyName
from overwatch.ops import follow_baseline
from overwatch.ops.clock import SessionClock
from overwatch.ops.controller import (
    Action,
    Controller,
    ForwardPatrol,
    Goto,
    Land,
    Note,
    Relaunch,
    SetMode,
    SetRoi,
    VehicleInput,
    new_pilot,
)
from overwatch.ops.fly import gcs_heartbeat_hz
from overwatch.ops.inputs import DropNotes, input_counts, write_input_counts
from overwatch.ops.state import (
    DroneView,
    EventLine,
    LatLon,
    SessionSnapshot,
)
from overwatch.ops.views import (
    camera_footprint,
    coverage_view,
    cue_views,
    drone_view,
    patrol_view,
    route_progress,
    vehicle_snapshot,
)
from overwatch.tracking import PatrolTracker, TrackFix, TrackMode

if TYPE_CHECKING:
    from overwatch.ops.video import VideoPipeline
    from overwatch.video import Detector

log = logging.getLogger(__name__)

Mode = Literal[StrategyName, "follow-baseline"]


@dataclass(frozen=True)
class SessionConfig:
    """How to run a live session.

    ``speedup`` is the simulator's speed-up when training (1 in the field):
    the session's clock and tick rate follow it. ``sightings_url`` receives
    CoT markers (the detector's and TAK's); ``cot_out`` (``udp://HOST:PORT`` or
    ``tcp://HOST:PORT``) shares the picture with TAK. ``run_dir`` holds the
    cue store and the tlog. With ``relaunch_after_swap`` the session arms and
    takes off by itself once a fresh battery is in after a return for energy
    (the ground crew must stand clear when the pack reads full); without it,
    the operator starts the next sortie.
    """

    connect: str
    patrol_feed: str
    #: other ground stations sharing the link (``--out``), see :mod:`overwatch.link.forward`
    outs: tuple[str, ...] = ()
    #: the MAVLink 2 signing key (32 bytes): every packet signed, unsigned ones dropped
    signing_key: bytes | None = None
    #: certificates for a ``tls://`` CoT output (``--tak-cert``, ``--tak-password`` …)
    tak: TakCredentials | None = None
    #: the video URL TAK devices are given (an RTSP relay's), when not ``video_url`` itself
    video_share: str | None = None
    mode: Mode = "lead"
    sightings_url: str | None = None
    cot_out: str | None = None
    video_url: str | None = None
    #: runs on the video's frames (default: the blob detector); e.g. an ``OnnxDetector``
    detector: Detector | None = None
    run_dir: Path | None = None
    speedup: float = 1.0
    tick_hz: float = 4.0
    link_lost_after_s: float = 1.5
    guidance: GuidanceConfig = field(default_factory=GuidanceConfig)
    trail_points: int = 300
    relaunch_after_swap: bool = True


class LiveSession:
    """A live overwatch of one patrol by one drone (see the module docstring)."""

    def __init__(self, geometry: MissionGeometry, config: SessionConfig) -> None:
        self.geometry = geometry
        self.config = config
        self.mission = geometry.mission
        self.clock = SessionClock(config.speedup)
        self.tracker = PatrolTracker(geometry)
        #: what the drone should do, tick by tick (pure: see overwatch.ops.controller)
        self.controller = Controller(
            geometry, config.mode, config.guidance, relaunch_after_swap=config.relaunch_after_swap
        )
        run_dir = config.run_dir
        if run_dir is not None:
            run_dir.mkdir(parents=True, exist_ok=True)
        self.cues = CueBook(run_dir / "cues.sqlite" if run_dir else None)
        self.link = Link(
            config.connect,
            # the vehicle's GCS failsafe counts its own seconds: heartbeats keep pace with it
            heartbeat_hz=gcs_heartbeat_hz(config.speedup),
            link_lost_after_s=config.link_lost_after_s,
            tlog_path=run_dir / "flight.tlog" if run_dir else None,
            outs=config.outs,
            signing_key=config.signing_key,
        )
        self.vehicle: Vehicle | None = None
        self.feed: Feed = open_feed(config.patrol_feed)
        self.sightings_feed: Feed | None = None
        self._drop_notes = DropNotes(self.note)
        self.events: deque[EventLine] = deque(maxlen=200)
        self.notes_total = 0  # notes ever made (``events`` keeps the last 200)
        self.ticks = 0
        self.setpoints_sent = 0
        self.fix_to_setpoint_s: deque[float] = deque(maxlen=1000)
        self._pending_fix_wall: float | None = None
        self._fix_arrived = asyncio.Event()
        self._drone_trail: deque[LatLon] = deque(maxlen=config.trail_points)
        self._patrol_trail: deque[LatLon] = deque(maxlen=config.trail_points)
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._last_mode: str | None = None
        self._last_feed_state: str | None = None
        self._follow_beacon: PositionBeacon | None = None
        self._relaunch: asyncio.Task[None] | None = None
        self.relaunches = 0
        self.climbing = False  # a takeoff is climbing: no setpoints until it is done
        self.airborne_once = False  # a takeoff of this session reached its height
        self._closed = False
        self.video: VideoPipeline | None = None

    @property
    def mode(self) -> Mode:
        """The live strategy being flown."""
        return cast(Mode, self.controller.strategy)

    @property
    def guidance(self) -> Guidance:
        return self.controller.guidance

    @property
    def coverage(self) -> LiveCoverage:
        return self.controller.coverage

    @property
    def active(self) -> bool:
        """Guidance is steering the drone (overwatch started, not taken by the operator)."""
        return self.controller.active

    @property
    def last_command(self) -> GuidanceCommand | None:
        return self.controller.last_command

    # -- lifecycle ---------------------------------------------------------------

    async def start(self, *, vehicle_timeout_s: float = 30.0) -> None:
        """Connect, ask for telemetry and start the session's tasks."""
        await self.link.start()
        self.link.add_listener(self._on_link_event)
        self._spawn(self._feed_task(), "patrol-feed")
        if self.config.sightings_url:
            self._spawn(self._sightings_task(self.config.sightings_url), "sightings")
        self.vehicle = await self.link.wait_vehicle(timeout_s=vehicle_timeout_s)
        self.note("info", f"vehicle {self.vehicle.sysid} connected on {self.config.connect}")
        if self.link.heard_signed:
            self.note(
                "warning",
                f"vehicle {self.vehicle.sysid} signs its MAVLink and will ignore unsigned "
                "commands: give its key with --signing-passphrase or --signing-key-file",
            )
        await self.vehicle.request_telemetry()
        self._spawn(self._guidance_task(), "guidance")
        if self.config.video_url:
            from overwatch.ops.video import VideoPipeline

            self.video = VideoPipeline(self, self.config.video_url, detector=self.config.detector)
            await self.video.start()
        if self.config.cot_out:
            self._spawn(self._cot_task(self.config.cot_out), "cot-out")
        if self.config.run_dir is not None:
            self._spawn(self._inputs_task(self.config.run_dir), "inputs-report")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for task in [*self._tasks, *self._background]:
            task.cancel()
        for task in [*self._tasks, *self._background]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.video is not None:
            await self.video.stop()
        await self.link.close()
        self.cues.close()
        if self.config.run_dir is not None:
            with contextlib.suppress(OSError, DurableFileError):
                write_input_counts(self.config.run_dir, self.input_counts())

    async def __aenter__(self) -> LiveSession:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(self._guarded(coro, name), name=name))

    async def _guarded(self, coro: Awaitable[None], name: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one concern failing must not stop the others
            log.exception("session task %s failed", name)
            self.note("error", f"{name} stopped: {exc}")

    def _background_call(self, what: str, coro: Coroutine[Any, Any, object]) -> None:
        """Run a vehicle command without blocking the caller; report a refusal."""

        async def run() -> None:
            try:
                await coro
            except OverwatchError as exc:
                self.note("warning", f"{what}: {exc}")

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        # a task cancelled before it ran (at close) never awaited ``coro``: close it quietly
        task.add_done_callback(lambda _: coro.close())

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
        self._patrol_trail.append((fix.lat_deg, fix.lon_deg))
        self._pending_fix_wall = received_wall_s
        self._fix_arrived.set()  # steer from the new fix now, not at the next tick

    async def _sightings_task(self, url: str) -> None:
        feed = self.sightings_feed = open_feed(url, on_cot_event=self._on_cot_event)
        async with contextlib.aclosing(feed.fixes()) as fixes:
            async for _ in fixes:  # position reports on this port are not the patrol's
                pass

    def _on_cot_event(self, event: CotEvent) -> None:
        try:
            sighting = camera_sighting(event) or sighting_from_cot(event)
        except OverwatchError as exc:
            self.note("warning", f"marker ignored: {exc}")
            return
        if sighting is None:
            return
        before = len(self.cues)
        cue = self.cues.add_sighting(sighting)
        if len(self.cues) > before:
            self.note(
                "warning", f"new cue {cue.id}: {cue.kind} ({cue.source}, {cue.confidence:.0%})"
            )

    def input_counts(self) -> dict[str, Any]:
        """What the patrol feed, the sightings feed and the link took and dropped."""
        return input_counts(self.feed, self.sightings_feed, self.link)

    async def _inputs_task(self, run_dir: Path, every_s: float = 5.0) -> None:
        """Keep the ``inputs`` counts in ``run.json`` current (wall-clock seconds)."""
        while True:
            await asyncio.sleep(every_s)
            try:
                write_input_counts(run_dir, self.input_counts())
            except (OSError, DurableFileError) as exc:
                self.note("warning", f"cannot update {run_dir / 'run.json'}: {exc}")

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
        """One guidance step: the controller says what to do, and it is done."""
        now = self.clock.now()
        self._note_inputs(now)
        vehicle = self.vehicle
        snap = self.vehicle_snapshot()
        if vehicle is None or snap is None:
            return None
        self.ticks += 1
        if snap.alt_rel_m > 2.0:
            self._drone_trail.append((snap.lat_deg, snap.lon_deg))
        state = vehicle.state
        seen = VehicleInput(
            snap, state.armed, state.mode or "", link_lost=state.link_lost, climbing=self.climbing
        )
        for action in self.controller.step(now, seen, self.tracker):
            self._carry_out(vehicle, action)
        return self.controller.last_command if self.tracker.prediction() is not None else None

    def _carry_out(self, vehicle: Vehicle, action: Action) -> None:
        """One of the controller's actions, as MAVLink (slow ones in the background)."""
        if isinstance(action, Goto):
            vehicle.goto(
                action.lat_deg,
                action.lon_deg,
                action.alt_rel_m,
                velocity_ned_m_s=action.velocity_ned_m_s,
            )
            self.setpoints_sent += 1
            if self._pending_fix_wall is not None:
                loop = asyncio.get_running_loop()
                self.fix_to_setpoint_s.append(loop.time() - self._pending_fix_wall)
                self._pending_fix_wall = None
        elif isinstance(action, SetRoi):
            self._background_call(
                "camera aim", vehicle.roi_location(action.lat_deg, action.lon_deg, action.alt_rel_m)
            )
        elif isinstance(action, SetMode):
            self._background_call(action.why, vehicle.set_mode(action.mode))
        elif isinstance(action, Land):
            self._background_call("land", vehicle.land())
        elif isinstance(action, Relaunch):
            self._start_relaunch()
        elif isinstance(action, ForwardPatrol):
            self._forward_patrol_position()
        elif isinstance(action, Note):
            self.note(action.level, action.text)

    def _start_relaunch(self) -> None:
        """Arm and take off again (once at a time); a refusal is retried at a later tick."""
        if self._relaunch is not None and not self._relaunch.done():
            return

        async def relaunch() -> None:
            try:
                await self.arm_and_takeoff()
            except OverwatchError as exc:
                self.note("warning", f"relaunch: {exc}")
                await asyncio.sleep(self.clock.wall_seconds(3.0))
                return
            self.relaunches += 1
            self.controller.relaunched()
            self.note("info", "relaunched on a fresh battery")
            if self.mode == "follow-baseline":
                try:
                    vehicle = self._need_vehicle()
                    await self._wait_altitude(vehicle, 0.8 * self.mission.overwatch.altitude_agl_m)
                    await self.start_follow_baseline()
                except OverwatchError as exc:
                    self.note("warning", f"FOLLOW baseline after the swap: {exc}")

        self._relaunch = asyncio.create_task(relaunch())
        self._background.add(self._relaunch)
        self._relaunch.add_done_callback(self._background.discard)

    async def _cot_task(self, target: str) -> None:
        from overwatch.ops.cot import CotSharer  # only sessions that share need it

        await CotSharer.open(target, self).run(lambda: self.clock.wall_seconds(2.0))

    def _on_link_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.StatusText):
            self.note("info", f"vehicle: {event.text}")
        elif isinstance(event, ev.LinkLost):
            self.note(
                "error", f"LINK LOST: nothing from vehicle {event.sysid} for {event.silent_s:.1f} s"
            )
        elif isinstance(event, ev.LinkRecovered):
            self.note("info", f"link recovered after {event.outage_s:.1f} s")
        elif isinstance(event, ev.Heartbeat) and event.mode != self._last_mode:
            if self._last_mode is not None:
                self.note("info", f"mode {self._last_mode} → {event.mode}")
            self._last_mode = event.mode

    # -- reading ---------------------------------------------------------------------

    def vehicle_snapshot(self) -> VehicleSnapshot | None:
        return None if self.vehicle is None else vehicle_snapshot(self.vehicle.state)

    def footprint(self, snap: VehicleSnapshot) -> tuple[LatLon, ...]:
        return camera_footprint(snap, self.geometry)

    def snapshot(self) -> SessionSnapshot:
        """Everything a screen shows, as of now (reading it changes nothing)."""
        now = self.clock.now()
        progress = route_progress(self.tracker, self.geometry, now)
        return SessionSnapshot(
            time_s=now,
            drone=self._drone_view(),
            patrol=patrol_view(
                self.tracker,
                self.geometry,
                now,
                source=self.config.patrol_feed,
                status=self.feed.status(),
                trail=self._patrol_trail,
            ),
            cues=cue_views(self.cues, progress, now),
            coverage=coverage_view(self.coverage.summary()),
            events=tuple(self.events),
            strategy=self.mode,
            video_frame=self.video.thumbnail() if self.video is not None else None,
            video_status=self.video.status() if self.video is not None else "no video",
        )

    def _drone_view(self) -> DroneView:
        if self.vehicle is None:
            return DroneView()
        state = self.last_command.state.value if self.last_command and self.active else "IDLE"
        return drone_view(
            self.vehicle.state,
            self.geometry,
            now_s=asyncio.get_running_loop().time(),
            guidance_state=state,
            trail=self._drone_trail,
            bad_packets=self.link.bad_packets,
        )

    def _note_inputs(self, now: float) -> None:
        """Note the patrol feed's state changes and new malformed input (each guidance tick,
        so that reading a snapshot changes nothing)."""
        status = self.feed.status()
        if status.state.value != self._last_feed_state:
            if self._last_feed_state is not None:
                self.note(
                    "warning" if status.state.value != "LIVE" else "info",
                    f"patrol feed {status.state.value}",
                )
            self._last_feed_state = status.state.value
        self._drop_notes.check("patrol feed", status.bad, status.last_error, now)
        if self.sightings_feed is not None:
            status = self.sightings_feed.status()
            self._drop_notes.check("sightings feed", status.bad, status.last_error, now)
        self._drop_notes.check("MAVLink", self.link.bad_packets, None, now)

    # -- operator commands (SessionCommands) -------------------------------------------

    def _need_vehicle(self) -> Vehicle:
        if self.vehicle is None:
            raise LinkError("no vehicle connected")
        return self.vehicle

    async def arm_and_takeoff(self) -> None:
        vehicle = self._need_vehicle()
        await vehicle.set_mode("GUIDED")
        if not vehicle.state.armed:
            await vehicle.arm()
        alt = self.mission.overwatch.altitude_agl_m
        self.note("info", f"taking off to {alt:.0f} m")
        # no setpoint may reach the vehicle before the climb is done: ArduCopter drops
        # a GUIDED takeoff at the first position target (see Vehicle.takeoff_and_climb)
        self.climbing = True
        try:
            await vehicle.takeoff_and_climb(
                alt,
                timeout_s=self.clock.wall_seconds(max(60.0, 4.0 * alt)),
                stall_s=10.0,  # vehicle seconds
            )
        finally:
            self.climbing = False
        self.airborne_once = True
        self.note("info", f"climb complete at {vehicle.state.alt_rel_m or alt:.0f} m")

    async def start_overwatch(self) -> None:
        vehicle = self._need_vehicle()
        if self.mode == "follow-baseline":
            await self.start_follow_baseline()
            return
        await self._set_cruise_speed(vehicle)
        if not vehicle.state.armed or (vehicle.state.alt_rel_m or 0.0) < 2.0:
            await self.arm_and_takeoff()
        else:
            # taken over in flight (a restarted ground station): no takeoff, no landing
            self.note(
                "info",
                f"taking over in flight at {vehicle.state.alt_rel_m or 0.0:.0f} m "
                f"({vehicle.state.mode})",
            )
            await vehicle.set_mode("GUIDED")
            self.airborne_once = True
        await vehicle.gimbal(self.mission.vehicle.camera.gimbal_pitch_deg, 0.0)
        self.controller.start()
        self.note("info", f"overwatch started ({self.mode})")

    async def _set_cruise_speed(self, vehicle: Vehicle) -> None:
        """GUIDED position targets fly at WP_SPD (WPNAV_SPEED before 4.8): make it the
        vehicle's cruise speed, which guidance's energy and timing assume (ArduCopter's
        default is 5 m/s)."""
        try:
            await vehicle.params.set_value(
                "WP_SPD", round(self.mission.vehicle.cruise_speed_m_s, 2)
            )
        except OverwatchError as exc:
            self.note("warning", f"cannot set the cruise speed: {exc}")

    async def return_to_nearest_site(self) -> None:
        """Guided return to home or the quickest rally point, and land there (any strategy)."""
        vehicle = self._need_vehicle()
        self.controller.return_home()  # from FOLLOW too: guidance flies the drone home
        await self._set_cruise_speed(vehicle)
        # a drone already landing (at a site guidance chose) is left to land
        if vehicle.state.armed and vehicle.state.mode not in ("GUIDED", "LAND"):
            await vehicle.set_mode("GUIDED")
        self.note("info", "returning to the nearest landing site")

    async def hold(self) -> None:
        self.guidance.operator_hold()
        self.note("info", "operator: hold")

    async def resume(self) -> None:
        self.guidance.operator_resume()
        self.note("info", "operator: resume")

    async def return_to_launch(self) -> None:
        vehicle = self._need_vehicle()
        self.controller.stop()
        await vehicle.set_mode("RTL")
        self.note("info", "operator: return to launch")

    async def land(self) -> None:
        vehicle = self._need_vehicle()
        self.controller.stop()
        await vehicle.set_mode("LAND")
        self.note("info", "operator: land")

    async def set_strategy(self, name: str) -> None:
        new_pilot(name)  # an unknown strategy is refused before anything changes
        if name == "follow-baseline":
            await self.start_follow_baseline()
            return
        was_follow = self.mode == "follow-baseline"
        self.controller.use(name)
        if was_follow and self.vehicle is not None:
            await self.vehicle.set_mode("GUIDED")
        self.note("info", f"strategy {name}")

    async def start_follow_baseline(self) -> None:
        """ArduPilot's own FOLLOW mode, fed the patrol's position from another sysid."""
        await follow_baseline.start(self, self._need_vehicle())

    async def _wait_altitude(self, vehicle: Vehicle, alt_rel_m: float) -> None:
        await follow_baseline.wait_altitude(self, vehicle, alt_rel_m)

    def _forward_patrol_position(self) -> None:
        fix = self.feed.status().last_fix
        if fix is None or self.vehicle is None:
            return
        if self._follow_beacon is None:
            self._follow_beacon = PositionBeacon(self.link, follow_baseline.PATROL_SYSID)
        self._follow_beacon.send(
            time_s=self.clock.now(),
            lat_deg=fix.lat_deg,
            lon_deg=fix.lon_deg,
            alt_msl_m=self.mission.launch.alt_msl_m,
            speed_m_s=fix.speed_m_s,
            course_deg=fix.course_deg,
        )

    async def look_at(self, position: LatLon) -> None:
        self.guidance.operator_look_at(*position)
        vehicle = self._need_vehicle()
        await vehicle.roi_location(position[0], position[1], 0.0)
        self.note("info", f"operator: look at {position[0]:.5f}, {position[1]:.5f}")

    async def mark_cue(self, position: LatLon, kind: str = "unknown", note: str = "") -> str:
        cue = self.cues.mark(position[0], position[1], kind, note)
        self.note("info", f"operator marked cue {cue.id} ({kind})")
        return cue.id

    async def acknowledge_cue(self, cue_id: str) -> None:
        """Record the acknowledgement on disk, then let the screens see it.

        :meth:`CueBook.acknowledge` returns only once the cue store has synced
        the record (and raises :class:`~overwatch.cues.CueError` if it cannot);
        the book's cues — and so every :meth:`snapshot` the UI draws — change
        only after that. The UI never marks a cue acknowledged by itself.
        """
        self.cues.acknowledge(cue_id)

    async def dismiss_cue(self, cue_id: str) -> None:
        self.cues.dismiss(cue_id)

    async def note_cue(self, cue_id: str, text: str) -> None:
        self.cues.note(cue_id, text)


__all__ = ["LiveSession", "SessionConfig", "camera_sighting"]
